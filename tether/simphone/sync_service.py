"""The `sync:` service (AOSP file_sync_service, legacy v1 requests) with the real quirks:
LIST includes "." and "..", STAT of a missing path is all zeros (no FAIL), RECV of a missing file is FAIL,
DATA chunks carry at most 64 KiB."""
from __future__ import annotations

import os
import posixpath
import stat
import time

from .. import adbproto as p
from .streams import Stream

MAX_PATH = 1024


def serve_sync(phone, stream: Stream) -> None:
    handlers = {p.ID_LIST: _list, p.ID_STAT: _stat, p.ID_RECV: _recv, p.ID_SEND: _send}
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


def _list(phone, stream: Stream, path: str) -> None:
    entries = phone.vfs.listdir(path)
    if entries is not None:
        st = phone.vfs.lstat(path)
        # adbd walks readdir(), which returns "." and ".." too; hosts must skip them.
        for name, entry in [(".", st), ("..", st)] + phone.extra_list_entries(path) + entries:
            raw = name.encode("utf-8", "surrogateescape")
            stream.write(p.SYNC_DENT.pack(p.ID_DENT, entry.st_mode & 0xFFFFFFFF, entry.st_size & 0xFFFFFFFF,
                                          int(entry.st_mtime) & 0xFFFFFFFF, len(raw)) + raw)
    stream.write(p.SYNC_DENT.pack(p.ID_DONE, 0, 0, 0, 0))


def _stat(phone, stream: Stream, path: str) -> None:
    st = phone.vfs.lstat(path)
    if st is None:
        stream.write(p.SYNC_STAT_REPLY.pack(p.ID_STAT, 0, 0, 0))  # missing: zeros, never FAIL
    else:
        stream.write(p.SYNC_STAT_REPLY.pack(p.ID_STAT, st.st_mode & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF,
                                            int(st.st_mtime) & 0xFFFFFFFF))


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
