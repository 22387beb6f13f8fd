"""Verified import of one capture: pull to a temporary name, check, then atomically rename.

Under a final name there is only ever a complete file whose byte count matches the phone's STAT and
whose md5 matches the phone's md5sum (when the phone has one). Anything else is deleted and retried.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .connection import DeviceConnection
from .errors import LocalStorageError, TransferError
from .journal import Journal
from .naming import Namer, stem_and_ext
from .watcher import RemoteFile

TMP_SUFFIX = ".darkslide.tmp"
JPEG_EOI_RETRIES = 2


@dataclass
class Capture:
    local_path: Path
    device_path: str
    device_serial: str
    size: int
    md5: str
    seq: int
    shutter_time: float | None = None  # wall clock of the remote trigger, when we pressed it
    appeared_time: float = 0.0  # wall clock when the file first showed up in a listing
    complete_time: float = 0.0  # wall clock when the file stopped growing on the phone
    ready_time: float = 0.0  # wall clock when verified and renamed into place
    pull_seconds: float = 0.0
    backup_path: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def shutter_to_ready(self) -> float | None:
        return None if self.shutter_time is None else self.ready_time - self.shutter_time


@dataclass
class IngestOptions:
    verify_md5: bool = True
    backup_dir: Path | None = None
    delete_after_import: bool = False  # off by default: the phone keeps the original


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _inside(folder: Path, candidate: Path) -> bool:
    return candidate.resolve().parent == folder.resolve()


def _free_name(folder: Path, name: str) -> Path:
    """Never overwrite an earlier import: add -2, -3 ... on a clash."""
    target = folder / name
    stem, ext = os.path.splitext(name)
    n = 2
    while target.exists():
        target = folder / f"{stem}-{n}{ext}"
        n += 1
    return target


def _jpeg_complete(path: Path) -> bool:
    """A JPEG ends with the EOI marker (FF D9), give or take trailing padding some cameras add."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 64))
        tail = fh.read()
    return b"\xff\xd9" in tail


def ingest(conn: DeviceConnection, remote: RemoteFile, *, serial: str, session_dir: Path, namer: Namer,
           journal: Journal, options: IngestOptions, progress=None) -> Capture:
    """Pull `remote` into session_dir and record it. Raises TransferError (retry later) or ConnectionLostError."""
    stem, ext = stem_and_ext(remote.name)
    seq = journal.seq_for_shot(serial, stem.lower())
    final = _free_name(session_dir, namer.name(seq, remote.name))
    if not _inside(session_dir, final):
        raise TransferError(f"refusing name {final.name!r}: it would land outside the session folder")
    tmp = final.with_name(final.name + TMP_SUFFIX)
    started = time.monotonic()
    try:
        count, md5 = conn.pull(remote.path, tmp, progress=progress)
        _verify(conn, remote, tmp, count, md5, ext, options.verify_md5)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)  # atomic: the final name appears complete or not at all
        _fsync_dir(session_dir)
    except OSError as exc:  # only local file operations raise OSError here; the link raises TetherErrors
        tmp.unlink(missing_ok=True)
        raise LocalStorageError(f"Cannot store {final.name} in {session_dir}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    capture = Capture(final, remote.path, serial, count, md5, seq, pull_seconds=time.monotonic() - started)
    if options.backup_dir:
        capture.backup_path = _backup(final, Path(options.backup_dir))
    journal.record(serial, remote.path, remote.size, remote.mtime, md5, str(final), seq)
    capture.ready_time = time.time()
    if options.delete_after_import:
        conn.remove(remote.path)
    return capture


def _verify(conn, remote: RemoteFile, tmp: Path, count: int, md5: str, ext: str, verify_md5: bool) -> None:
    now = conn.stat(remote.path)
    if now is None:
        raise TransferError(f"{remote.path} vanished from the phone during the pull")
    if count != now.size or now.size != remote.size or now.mtime != remote.mtime:
        raise TransferError(f"{remote.path}: got {count} bytes, phone now has {now.size} "
                            f"(was {remote.size}); still being written?")
    # Some phones append data after the JPEG's end marker (depth maps, maker trailers), so a missing
    # marker only delays the import: after two stable retries the size/md5 checks alone decide.
    if ext in (".jpg", ".jpeg") and remote.failures < JPEG_EOI_RETRIES and not _jpeg_complete(tmp):
        raise TransferError(f"{remote.path}: JPEG has no end marker yet; the camera is still writing it")
    if verify_md5:
        device_md5 = conn.remote_md5(remote.path)
        if device_md5 is not None and device_md5 != md5:
            raise TransferError(f"{remote.path}: checksum mismatch (phone {device_md5}, pulled {md5})")


def _backup(final: Path, backup_dir: Path) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = _free_name(backup_dir, final.name)
    tmp = target.with_name(target.name + TMP_SUFFIX)
    shutil.copyfile(final, tmp)
    os.replace(tmp, target)
    return target
