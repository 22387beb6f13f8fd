"""`shell:` and `exec:` services: the handful of toybox commands Darkslide uses.

`shell:` (legacy, no shell_v2) runs under a PTY on a real phone, which turns "\n" into "\r\n"; that is why
binary output (screencap) must go through `exec:`. The simulator reproduces that mangling on purpose.
Commands are tokenised like sh would; unquoted shell metacharacters are recorded in `phone.unsafe_commands`
so tests can prove the host quotes device paths.
"""
from __future__ import annotations

import hashlib
import shlex
import shutil
import stat
import time

from .streams import Stream

KEYCODE_VOLUME_UP, KEYCODE_VOLUME_DOWN, KEYCODE_CAMERA = 24, 25, 27
_META = {";", "&", "&&", "|", "||", "`", "$(", ">", "<", ">>", "(", ")"}


def serve_shell(phone, stream: Stream, command: str, pty: bool) -> None:
    output = run_command(phone, command)
    if pty:
        output = output.replace(b"\n", b"\r\n")
    stream.write(output)


def _looks_injected(command: str) -> bool:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return True
    return any(t in _META or t.startswith(("$(", "`")) for t in tokens)


def run_command(phone, command: str) -> bytes:
    phone.log_command(command)
    if _looks_injected(command):
        phone.unsafe_commands.append(command)
    try:
        argv = shlex.split(command)
    except ValueError:
        return b"/system/bin/sh: syntax error: unterminated quoted string\n"
    if not argv:
        return b""
    handler = COMMANDS.get(argv[0])
    if handler is None:
        return f"/system/bin/sh: {argv[0]}: inaccessible or not found\n".encode()
    return handler(phone, argv[1:])


def _getprop(phone, args):
    props = phone.properties()
    if args:
        return (props.get(args[0], "") + "\n").encode()
    return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items())).encode()


def _dumpsys(phone, args):
    if args[:1] != ["battery"]:
        return b""
    b = phone.battery
    status = 2 if b["charging"] else 3  # BATTERY_STATUS_CHARGING / DISCHARGING
    return (
        "Current Battery Service state:\n"
        f"  AC powered: false\n  USB powered: {str(b['charging']).lower()}\n  Wireless powered: false\n"
        "  Max charging current: 500000\n  Max charging voltage: 5000000\n  Charge counter: 2900000\n"
        f"  status: {status}\n  health: 2\n  present: true\n  level: {b['level']}\n  scale: 100\n"
        "  voltage: 4210\n  temperature: 312\n  technology: Li-poly\n"
    ).encode()


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
    out = []
    for path in paths:
        st = phone.vfs.stat(path)
        if st is None:
            out.append(f"ls: {path}: No such file or directory")
            continue
        names = [(n, s) for n, s in (phone.vfs.listdir(path) or [])] if stat.S_ISDIR(st.st_mode) else [(path, st)]
        for name, s in sorted(names):
            if long:
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.st_mtime))
                out.append(f"{stat.filemode(s.st_mode)} 1 u0_a123 media_rw {s.st_size:>9} {when} {name}")
            else:
                out.append(name)
    return ("\n".join(out) + "\n").encode() if out else b""


def _stat(phone, args):
    fmt = None
    if len(args) >= 2 and args[0] == "-c":
        fmt, args = args[1], args[2:]
    out = []
    for path in args:
        st = phone.vfs.lstat(path)
        if st is None:
            out.append(f"stat: '{path}': No such file or directory")
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
    return ("\n".join(out) + "\n").encode()


def _hasher(algorithm):
    def run(phone, args):
        out = []
        for path in args:
            real = phone.vfs.resolve(path)
            try:
                h = hashlib.new(algorithm)
                with open(real, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                out.append(f"{h.hexdigest()}  {path}")
            except (OSError, TypeError):
                out.append(f"{algorithm}sum: {path}: No such file or directory")
        return ("\n".join(out) + "\n").encode()
    return run


def _input(phone, args):
    if len(args) >= 2 and args[0] == "keyevent":
        for code in args[1:]:
            phone.on_keyevent(int(code) if code.isdigit() else code)
        return b""
    return b"Usage: input [<source>] <command> [<arg>...]\n"


def _am(phone, args):
    if args[:1] == ["start"]:
        action = args[args.index("-a") + 1] if "-a" in args else ""
        phone.on_activity(action)
        return f"Starting: Intent {{ act={action} }}\n".encode()
    return b""


def _screencap(phone, args):
    return phone.screen_png() if "-p" in args else phone.screen_raw()


def _rm(phone, args):
    out = []
    for path in (a for a in args if not a.startswith("-")):
        real = phone.vfs.resolve(path)
        try:
            real.unlink()
        except (OSError, AttributeError):
            if "-f" not in args:
                out.append(f"rm: {path}: No such file or directory")
    return ("\n".join(out) + "\n").encode() if out else b""


def _cat(phone, args):
    chunks = []
    for path in args:
        real = phone.vfs.resolve(path)
        try:
            chunks.append(real.read_bytes())
        except (OSError, AttributeError):
            chunks.append(f"cat: {path}: No such file or directory\n".encode())
    return b"".join(chunks)


COMMANDS = {
    "getprop": _getprop, "dumpsys": _dumpsys, "df": _df, "ls": _ls, "stat": _stat,
    "md5sum": _hasher("md5"), "sha1sum": _hasher("sha1"), "sha256sum": _hasher("sha256"),
    "input": _input, "am": _am, "screencap": _screencap, "rm": _rm, "cat": _cat,
    "echo": lambda phone, args: (" ".join(args) + "\n").encode(),
    "true": lambda phone, args: b"",
}
