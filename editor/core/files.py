"""Opening only regular files, and reading small files with a size limit.

A named pipe (FIFO) blocks the reader until someone writes to it, a device such as /dev/zero never ends,
and a socket cannot be read at all: a photo, sidecar or preset that is one of these (or a symbolic link to
one) is refused before any read. The check uses `stat` (which never blocks) and is repeated with `fstat`
on the descriptor opened with O_NONBLOCK, so a file swapped for a FIFO in between is refused too.
A regular file read with a size limit is also bounded in time on a local disk; a hung network mount is
the one case this cannot bound.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
# O_NONBLOCK and O_CLOEXEC are POSIX (Windows has no FIFOs to block on); O_BINARY is Windows', whose os.open
# would otherwise translate line ends in what it reads.
_OPEN_FLAGS = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class NotRegularFile(OSError):
    """A path that is not a regular file (or is larger than a reader accepts); the message says what it is."""


def kind_of(mode: int) -> str:
    """'a named pipe (FIFO)', 'a folder', ... for a stat mode that is not a regular file."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _refuse_special(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        link = " (through a symbolic link)" if path.is_symlink() else ""
        raise NotRegularFile(f"is {kind_of(mode)}{link}, not a regular file; refusing to read it")


def check_regular(path) -> os.stat_result:
    """The stat of `path` after checking it is a regular file (symbolic links to one are fine).

    Raises FileNotFoundError, NotRegularFile, or another OSError; never blocks on a FIFO.
    """
    path = Path(path)
    st = os.stat(path)
    _refuse_special(path, st.st_mode)
    return st


def open_regular(path) -> int:
    """A read-only descriptor of `path`, checked to be a regular file before and after opening."""
    path = Path(path)
    check_regular(path)
    fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    try:
        _refuse_special(path, os.fstat(fd).st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_head(path, size: int) -> bytes:
    """The first `size` bytes of the regular file `path` (fewer if it is shorter)."""
    fd = open_regular(path)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def read_limited(path, limit: int) -> bytes:
    """The whole regular file `path`, refusing one larger than `limit` bytes without reading it all."""
    fd = open_regular(path)
    try:
        if os.fstat(fd).st_size > limit:
            raise NotRegularFile(f"is {os.fstat(fd).st_size:,} bytes, larger than the {limit:,} bytes "
                                 "accepted for this kind of file")
        chunks, total = [], 0
        while total <= limit:  # the size may have grown since fstat: stop one byte past the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise NotRegularFile(f"is larger than the {limit:,} bytes accepted for this kind of file")
        return b"".join(chunks)
    finally:
        os.close(fd)
