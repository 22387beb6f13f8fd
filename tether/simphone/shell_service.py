"""`shell:` and `exec:` services: the toybox and framework commands Darkslide uses.

Service strings follow AOSP adb (daemon/services.cpp, ShellService): `shell[,ARG...]:COMMAND` where ARG is
`v2` (shell protocol), `raw`, `pty` or `TERM=...`. Without a type, a command runs raw (no PTY) and an
empty command gets a PTY. The `fast` profile keeps the pre-Android 7 habit of running every `shell:`
command under a PTY ("\n" becomes "\r\n"), so hosts stay tested against it; binary output (screencap)
must go through `exec:`.

Shell protocol v2 (adb/shell_protocol.h): every packet is a 1-byte id and a 4-byte little-endian length,
then the data; ids stdin 0, stdout 1, stderr 2, exit 3 (one byte: the exit code), close-stdin 4,
window-size 5. stdout and stderr stay separate and the exit code arrives, unlike v1.

Commands are tokenised like sh would; unquoted shell metacharacters are recorded in
`phone.unsafe_commands` so tests can prove the host quotes device paths.
"""
from __future__ import annotations

import hashlib
import shlex
import shutil
import stat
import struct
import time
from dataclasses import dataclass

from . import inotifyd, system_services
from .result import Result
from .streams import Stream, StreamClosed

KEYCODE_VOLUME_UP, KEYCODE_VOLUME_DOWN, KEYCODE_CAMERA = 24, 25, 27
_META = {";", "&", "&&", "|", "||", "`", "$(", ">", "<", ">>", "(", ")"}
ID_STDIN, ID_STDOUT, ID_STDERR, ID_EXIT, ID_CLOSE_STDIN, ID_WINDOW_SIZE = range(6)
_PACKET = struct.Struct("<BI")


@dataclass(frozen=True)
class ShellMode:
    v2: bool
    pty: bool


def parse_service(service: str, legacy_pty: bool) -> tuple[str, ShellMode] | None:
    """('getprop x', mode) for 'shell,v2,raw:getprop x'; None when it is not a shell service."""
    if service.startswith("exec:"):
        return service[5:], ShellMode(v2=False, pty=False)
    head, sep, command = service.partition(":")
    if not sep or not (head == "shell" or head.startswith("shell,")):
        return None
    args = head.split(",")[1:]
    v2 = "v2" in args
    if "pty" in args:
        pty = True
    elif "raw" in args:
        pty = False
    else:
        pty = not command or (legacy_pty and not v2)
    return command, ShellMode(v2=v2, pty=pty)


def packet(kind: int, data: bytes) -> bytes:
    return _PACKET.pack(kind, len(data)) + data


def serve_shell(phone, stream: Stream, command: str, mode: ShellMode) -> None:
    result = run_command(phone, command)
    if isinstance(result, bytes):
        result = Result(result)
    if not isinstance(result, Result):  # a generator: stream its chunks as they come (screenrecord)
        result = _stream_chunks(stream, result, mode)
    else:
        _emit(stream, result.out, ID_STDOUT, mode)
        _emit(stream, result.err, ID_STDERR, mode)
    if mode.v2:
        stream.write(packet(ID_EXIT, bytes([result.code & 0xFF])))


def _emit(stream: Stream, data: bytes, kind: int, mode: ShellMode) -> None:
    if not data:
        return
    if mode.pty:
        data = data.replace(b"\n", b"\r\n")
    stream.write(packet(kind, data) if mode.v2 else data)


def _stream_chunks(stream: Stream, chunks, mode: ShellMode) -> Result:
    try:
        while True:
            if stream.closed.is_set():  # the host hung up; a command that prints nothing for long (inotifyd)
                raise StreamClosed(stream.service)  # yields b"" now and then so that this is noticed
            _emit(stream, next(chunks), ID_STDOUT, mode)
            stream.flush()
    except StopIteration as stop:
        return stop.value if isinstance(stop.value, Result) else Result()
    finally:
        chunks.close()


def _looks_injected(command: str) -> bool:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return True
    return any(t in _META or t.startswith(("$(", "`")) for t in tokens)


def run_command(phone, command: str):
    """bytes (stdout, exit 0), a Result, or a generator of stdout chunks returning a Result."""
    phone.log_command(command)
    if _looks_injected(command):
        phone.unsafe_commands.append(command)
    try:
        argv = shlex.split(command)
    except ValueError:
        return Result(err=b"/system/bin/sh: syntax error: unterminated quoted string\n", code=2)
    if not argv:
        return b""
    handler = COMMANDS.get(argv[0])
    if handler is None:
        return Result(err=f"/system/bin/sh: {argv[0]}: inaccessible or not found\n".encode(), code=127)
    return handler(phone, argv[1:])


def _getprop(phone, args):
    props = phone.properties()
    if args:
        return (props.get(args[0], "") + "\n").encode()
    return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())).encode()


def _df(phone, args):
    path = next((a for a in args if not a.startswith("-")), "/data")
    real = phone.vfs.resolve("/sdcard/DCIM/Camera")
    usage = shutil.disk_usage(real)
    mount = "/storage/emulated" if phone.vfs.canonical(path).startswith("/sdcard") else "/data"
    fs = "/dev/fuse" if mount != "/data" else "/dev/block/dm-45"
    used_pct = round(100 * usage.used / usage.total) if usage.total else 0
    return ("Filesystem        1K-blocks     Used Available Use% Mounted on\n"
            f"{fs:<17} {usage.total // 1024:>9} {usage.used // 1024:>8} {usage.free // 1024:>9} {used_pct:>3}% {mount}\n"
            ).encode()


def _ls(phone, args):
    long = any(a.startswith("-") and "l" in a for a in args)
    paths = [a for a in args if not a.startswith("-")] or ["/"]
    out, err = [], []
    started = time.monotonic()
    count = 0
    for path in paths:
        st = phone.vfs.stat(path)
        if st is None:
            err.append(f"ls: {path}: No such file or directory")
            continue
        names = [(n, s) for n, s in (phone.vfs.listdir(path) or [])] if stat.S_ISDIR(st.st_mode) else [(path, st)]
        count += len(names)
        for name, s in sorted(names):
            if long:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.st_mtime))
                out.append(f"{stat.filemode(s.st_mode)} 1 u0_a123 media_rw {s.st_size:>9} {when} {name}")
            else:
                out.append(name)
    # toybox ls reads the directory and lstat()s every entry through FUSE, like adbd's LIST.
    phone.fs_wait(started, len(paths) * phone.profile.list_request_s + count * phone.profile.list_entry_s)
    return Result(_lines(out), _lines(err), 1 if err else 0)


def _lines(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _stat(phone, args):
    fmt = None
    if len(args) >= 2 and args[0] == "-c":
        fmt, args = args[1], args[2:]
    out, err = [], []
    started = time.monotonic()
    for path in args:
        st = phone.vfs.lstat(path)
        if st is None:
            err.append(f"stat: '{path}': No such file or directory")
            continue
        if fmt is None:
            out.append(f"  File: {path}\n  Size: {st.st_size}\t Blocks: {st.st_blocks}\t IO Block: 4096\n"
                       f"Modify: {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(st.st_mtime))}")
            continue
        text = fmt
        for code, value in (("%s", st.st_size), ("%Y", int(st.st_mtime)), ("%n", path), ("%a", oct(st.st_mode & 0o777)[2:]),
                            ("%F", "directory" if stat.S_ISDIR(st.st_mode) else "regular file")):
            text = text.replace(code, str(value))
        out.append(text)
    phone.fs_wait(started, len(args) * phone.profile.stat_s)
    return Result(_lines(out), _lines(err), 1 if err else 0)


def _hasher(algorithm):
    def run(phone, args):
        out, err = [], []
        for path in args:
            real = phone.vfs.resolve(path)
            try:
                h = hashlib.new(algorithm)
                with open(real, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                out.append(f"{h.hexdigest()}  {path}")
            except (OSError, TypeError):
                err.append(f"{algorithm}sum: {path}: No such file or directory")
        return Result(_lines(out), _lines(err), 1 if err else 0)
    return run


def _rm(phone, args):
    err = []
    started = time.monotonic()
    paths = [a for a in args if not a.startswith("-")]
    for path in paths:
        real = phone.vfs.resolve(path)
        try:
            real.unlink()
        except (OSError, AttributeError):
            if "-f" not in args:
                err.append(f"rm: {path}: No such file or directory")
    phone.fs_wait(started, len(paths) * phone.profile.delete_s)
    return Result(err=_lines(err), code=1 if err else 0)


def _cat(phone, args):
    chunks, err = [], []
    for path in args:
        real = phone.vfs.resolve(path)
        try:
            chunks.append(real.read_bytes())
        except (OSError, AttributeError):
            err.append(f"cat: {path}: No such file or directory")
    return Result(b"".join(chunks), _lines(err), 1 if err else 0)


COMMANDS = {
    "getprop": _getprop, "df": _df, "ls": _ls, "stat": _stat,
    "md5sum": _hasher("md5"), "sha1sum": _hasher("sha1"), "sha256sum": _hasher("sha256"),
    "rm": _rm, "cat": _cat,
    "echo": lambda phone, args: (" ".join(args) + "\n").encode(),
    "true": lambda phone, args: b"",
    "false": lambda phone, args: Result(code=1),
}
COMMANDS.update(system_services.COMMANDS)
COMMANDS["inotifyd"] = lambda phone, args: inotifyd.run(phone, args)
