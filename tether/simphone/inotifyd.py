"""`inotifyd - DIR[:MASK] ...`: toybox's inotify daemon, printing each event on stdout as it happens.

As in toybox (toys/other/inotifyd.c, Android's /system/bin/inotifyd since Android 6):
- one line per event, flushed at once (toybox's xprintf fflushes stdout): `EVENTS\tDIR\tNAME\n` for an
  entry of a watched folder, `EVENTS\tDIR\n` for the folder itself; EVENTS are letters of the masklist
  "acew0rmyndDM uox", letter i meaning inotify bit 1 << i (so `m` is IN_MOVED_FROM and `y` IN_MOVED_TO,
  whatever toybox's help text says);
- a MASK after `:` is parsed from its *second* letter (toybox zeroes the first one in its loop
  initialiser), so `DIR:nmy` watches only `m` and `y`; without `:` every event up to bit 11 is watched;
- a folder that cannot be watched ends the command at once: `inotifyd: DIR: No such file or directory`,
  exit 1; the daemon otherwise runs until the host closes the stream;
- only PROG "-" (stdout) is simulated.

The events are the desktop kernel's own inotify events on the folder that backs the device path (ctypes on
libc), so every writer counts: the simulated camera, a test writing files, a pending file's rename. On a
real Android 11+ phone /sdcard is MediaProvider's FUSE; its "Support inotify" change (FUSE_CANONICAL_PATH,
bug 147482155) places the watch on the lower filesystem, so changes made by MediaProvider itself (the
pending -> final rename) are reported too. Kernels without that opcode report nothing for other apps'
changes; the host notices (docs/tether-ingest.md) and lists instead.
"""
from __future__ import annotations

import ctypes
import os
import select
import struct

from .result import Result

MASKLIST = "acew0rmyndDM uox"
ALL_EVENTS = 0xFFF  # toybox's default without a mask
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (struct inotify_event)
_libc = None


def _inotify():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    return _libc


def parse_mask(text: str) -> int | str:
    """The mask toybox builds from `DIR:MASK`'s MASK (from its second letter on), or the bad letter."""
    mask = 0
    for letter in text[1:]:
        index = MASKLIST.find(letter)
        if index < 0:
            return letter
        mask |= 1 << index
    return mask


def letters(mask: int) -> str:
    return "".join(letter for i, letter in enumerate(MASKLIST) if mask & (1 << i))


def run(phone, args):
    """Result on a usage error or a folder that cannot be watched, else a generator of event lines."""
    if not phone.profile.inotifyd:
        return Result(err=b"/system/bin/sh: inotifyd: inaccessible or not found\n", code=127)
    if len(args) < 2:
        return Result(err=b"inotifyd: Need 2 arguments (see \"inotifyd --help\")\n", code=1)
    if args[0] != "-":
        return Result(err=b"inotifyd: the simulated phone prints events only (PROG must be -)\n", code=1)
    libc = _inotify()
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        return Result(err=b"inotifyd: inotify_init failed\n", code=1)
    names: dict[int, str] = {}
    for spec in args[1:]:
        path, sep, mask_text = spec.partition(":")
        mask = parse_mask(mask_text) if sep else ALL_EVENTS
        if isinstance(mask, str):
            os.close(fd)
            return Result(err=f"inotifyd: bad mask '{mask}'\n".encode(), code=1)
        real = phone.vfs.resolve(path)
        wd = libc.inotify_add_watch(fd, os.fsencode(real), mask) if real is not None and real.is_dir() else -1
        if wd < 0:
            os.close(fd)
            return Result(err=f"inotifyd: {path}: No such file or directory\n".encode(), code=1)
        names[wd] = path
    return _events(phone, fd, names)


def _events(phone, fd: int, names: dict[int, str]):
    """Event lines as they come; b"" every 0.2 s so the shell service notices a closed stream or a stop."""
    try:
        while not phone.stopping.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                yield b""
                continue
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            yield b"".join(_lines(data, names))
    finally:
        os.close(fd)
    return Result()


def _lines(data: bytes, names: dict[int, str]):
    offset = 0
    while offset + _EVENT.size <= len(data):
        wd, mask, _, length = _EVENT.unpack_from(data, offset)
        name = data[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0")
        offset += _EVENT.size + length
        folder = names.get(wd, "?").encode()
        if mask:
            yield letters(mask).encode() + b"\t" + folder + (b"\t" + name if name else b"") + b"\n"
