"""The `sync:` service (AOSP adb/daemon/file_sync_service.cpp) with the real quirks:
LIST includes "." and "..", STAT of a missing path is all zeros (no FAIL), RECV of a missing file is FAIL,
DATA chunks carry at most 64 KiB.

With the banner's `stat_v2` / `ls_v2` features it also answers STA2 / LST2 (the 72-byte sync_stat_v2:
errno in `error` instead of zeros) and LIS2 (76-byte sync_dent_v2 entries, ended by a zeroed dent_v2
whose id is DONE), laid out as in AOSP file_sync_protocol.h.

Listing and stat pay the profile's FUSE costs (Android 11+ serves /sdcard through MediaProvider).
"""
from __future__ import annotations

import errno
import os
import posixpath
import stat
import struct
import time

from .. import adbproto as p
from .streams import Stream

MAX_PATH = 1024
ID_STA2, ID_LST2, ID_LIS2, ID_DNT2 = (p.wire_id(c) for c in (b"STA2", b"LST2", b"LIS2", b"DNT2"))
STAT_V2 = struct.Struct("<IIQQIIIIQqqq")  # id error dev ino mode nlink uid gid size atime mtime ctime
DENT_V2 = struct.Struct("<IIQQIIIIQqqqI")  # ... namelen, then the name
ANDROID_UID, MEDIA_RW_GID = 10123, 1023  # u0_a123 : media_rw, as `ls -l /sdcard` shows on a phone
LIST_BATCH = 256  # entries per FUSE pacing step


def serve_sync(phone, stream: Stream) -> None:
    handlers = {p.ID_LIST: _list, p.ID_STAT: _stat, p.ID_RECV: _recv, p.ID_SEND: _send}
    if "stat_v2" in phone.features:
        handlers[ID_STA2] = lambda phone_, stream_, path: _stat_v2(phone_, stream_, path, follow=True)
        handlers[ID_LST2] = lambda phone_, stream_, path: _stat_v2(phone_, stream_, path, follow=False)
    if "ls_v2" in phone.features:
        handlers[ID_LIS2] = _list_v2
    while True:
        request_id, length = p.SYNC_HEADER.unpack(stream.read_exact(p.SYNC_HEADER.size))
        if request_id == p.ID_QUIT:
            return
        if length > MAX_PATH:
            _fail(stream, "path too long")
            return
        path = stream.read_exact(length).decode("utf-8", "surrogateescape")
        handler = handlers.get(request_id)
        if handler is None:
            _fail(stream, f"unknown sync request {request_id:#x}")
            return
        phone.log_sync(request_id, path)
        keep_going = handler(phone, stream, path)
        stream.flush()
        if keep_going is False:
            return  # adbd ends the sync service after a failed RECV/SEND


def _fail(stream: Stream, reason: str) -> None:
    text = reason.encode()
    stream.write(p.SYNC_HEADER.pack(p.ID_FAIL, len(text)) + text)
    stream.flush()


def _entries(phone, path: str):
    """Yields ".", "..", extras and the real entries, paced like FUSE; nothing for a missing directory
    (adbd answers a bare DONE then)."""
    started = time.monotonic()
    entries = phone.vfs.listdir(path)
    if entries is None:
        phone.fs_wait(started, phone.profile.list_request_s)
        return
    st = phone.vfs.lstat(path)
    # adbd walks readdir(), which returns "." and ".." too; hosts must skip them.
    entries = [(".", st), ("..", st)] + phone.extra_list_entries(path) + entries
    cost = phone.profile.list_request_s
    for i in range(0, len(entries), LIST_BATCH):
        batch = entries[i:i + LIST_BATCH]
        cost += len(batch) * phone.profile.list_entry_s
        phone.fs_wait(started, cost)
        yield from batch


def _list(phone, stream: Stream, path: str) -> None:
    for name, entry in _entries(phone, path):
        raw = name.encode("utf-8", "surrogateescape")
        stream.write(p.SYNC_DENT.pack(p.ID_DENT, entry.st_mode & 0xFFFFFFFF, entry.st_size & 0xFFFFFFFF,
                                      int(entry.st_mtime) & 0xFFFFFFFF, len(raw)) + raw)
    stream.write(p.SYNC_DENT.pack(p.ID_DONE, 0, 0, 0, 0))


def _v2_fields(st: os.stat_result) -> tuple:
    return (0, st.st_dev, st.st_ino, st.st_mode & 0xFFFFFFFF, st.st_nlink, ANDROID_UID, MEDIA_RW_GID,
            st.st_size, int(st.st_atime), int(st.st_mtime), int(st.st_ctime))


def _list_v2(phone, stream: Stream, path: str) -> None:
    for name, entry in _entries(phone, path):
        raw = name.encode("utf-8", "surrogateescape")
        stream.write(DENT_V2.pack(ID_DNT2, *_v2_fields(entry), len(raw)) + raw)
    stream.write(DENT_V2.pack(p.ID_DONE, *([0] * 12)))


def _stat(phone, stream: Stream, path: str) -> None:
    started = time.monotonic()
    st = phone.vfs.lstat(path)
    phone.fs_wait(started, phone.profile.stat_s)
    if st is None:
        stream.write(p.SYNC_STAT_REPLY.pack(p.ID_STAT, 0, 0, 0))  # missing: zeros, never FAIL
    else:
        stream.write(p.SYNC_STAT_REPLY.pack(p.ID_STAT, st.st_mode & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF,
                                            int(st.st_mtime) & 0xFFFFFFFF))


def _stat_v2(phone, stream: Stream, path: str, follow: bool) -> None:
    request_id = ID_STA2 if follow else ID_LST2
    started = time.monotonic()
    st = phone.vfs.stat(path) if follow else phone.vfs.lstat(path)
    phone.fs_wait(started, phone.profile.stat_s)
    if st is None:  # the errno goes in `error`; every other field stays zero
        stream.write(STAT_V2.pack(request_id, errno.ENOENT, *([0] * 10)))
    else:
        stream.write(STAT_V2.pack(request_id, *_v2_fields(st)))


def _recv(phone, stream: Stream, path: str) -> None:
    real = phone.vfs.resolve(path)
    try:
        if real is None:
            raise FileNotFoundError(path)
        fh = open(real, "rb")
    except OSError as exc:
        _fail(stream, f"open failed: {os.strerror(exc.errno) if exc.errno else 'No such file or directory'}")
        return False
    with fh:
        if stat.S_ISDIR(os.fstat(fh.fileno()).st_mode):
            _fail(stream, "open failed: Is a directory")
            return False
        sent = 0
        while True:
            chunk = fh.read(p.SYNC_DATA_MAX)
            if not chunk:
                break
            sent += len(chunk)
            phone.faults.during_recv(stream.connection, sent)
            stream.write(p.SYNC_HEADER.pack(p.ID_DATA, len(chunk)) + chunk)
    stream.write(p.SYNC_HEADER.pack(p.ID_DONE, 0))


def _send(phone, stream: Stream, spec: str) -> None:
    path, _, _mode = spec.rpartition(",")  # "path,mode"; the simulator keeps default permissions
    if not path:
        path = spec
    real = phone.vfs.resolve(path)
    body = bytearray()
    mtime = int(time.time())
    while True:
        request_id, length = p.SYNC_HEADER.unpack(stream.read_exact(p.SYNC_HEADER.size))
        if request_id == p.ID_DATA:
            if length > p.SYNC_DATA_MAX:
                _fail(stream, "data chunk too large")
                return
            body += stream.read_exact(length)
        elif request_id == p.ID_DONE:
            mtime = length
            break
        else:
            _fail(stream, "unexpected request during SEND")
            return
    if real is None:
        _fail(stream, f"couldn't create file: Read-only file system ({posixpath.dirname(path)})")
        return
    real.parent.mkdir(parents=True, exist_ok=True)
    real.write_bytes(body)
    os.utime(real, (mtime, mtime))
    stream.write(p.SYNC_HEADER.pack(p.ID_OKAY, 0))
