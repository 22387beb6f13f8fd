"""Verified import of one capture: pull to a temporary name, check, then atomically rename.

Under a final name there is only ever a complete file whose byte count matches the phone's STAT and
whose md5 matches the phone's md5sum (when the phone has one). Anything else is deleted and retried.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .connection import DeviceConnection
from .errors import LocalStorageError, TransferError
from .journal import WRITES, Intent, Journal, storage_message
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
           journal: Journal, options: IngestOptions, progress=None, shot_key: str | None = None,
           when: float | None = None) -> Capture:
    """Pull `remote` into session_dir and record it, exactly once (see journal.py for the steps).

    `shot_key` groups a RAW+JPEG pair under one {seq}; `when` is the capture time for {date}/{time}.
    Raises TransferError (retry later), LocalStorageError (disk full: retry when freed; an intent left behind
    is finished by reconcile()) or ConnectionLostError."""
    stem, ext = stem_and_ext(remote.name)
    seq = journal.seq_for_shot(serial, shot_key or stem.lower())
    final = _free_name(session_dir, namer.name(seq, remote.name, when))
    if not _inside(session_dir, final):
        raise TransferError(f"refusing name {final.name!r}: it would land outside the session folder")
    tmp = final.with_name(final.name + TMP_SUFFIX)
    started = time.monotonic()
    try:
        WRITES.hit("pull")
        count, md5 = conn.pull(remote.path, tmp, progress=progress)
        _verify(conn, remote, tmp, count, md5, ext, options.verify_md5)
        WRITES.hit("fsync")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        orphan = _orphan_copy(session_dir, journal, count, md5)
        if orphan is not None:  # landed by a run whose journal write was lost: adopt it, do not pull twice
            tmp.unlink()
            final = orphan
        backup = _free_name(Path(options.backup_dir), final.name) if options.backup_dir else None
        intent = Intent(serial, remote.path, remote.size, remote.mtime, md5, str(final),
                        str(backup) if backup else None, seq)
        journal.intend(intent)
    except OSError as exc:  # only local file operations raise OSError here; the link raises TetherErrors
        tmp.unlink(missing_ok=True)
        raise LocalStorageError(f"Cannot store {final.name}: " + storage_message(session_dir, exc)) from exc
    except LocalStorageError as exc:  # the pull's own writes: one wording for a full disk wherever it fills
        tmp.unlink(missing_ok=True)
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        raise LocalStorageError(f"Cannot store {final.name}: " + storage_message(session_dir, cause)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finish(journal, intent)
    capture = Capture(final, remote.path, serial, count, md5, seq, pull_seconds=time.monotonic() - started,
                      backup_path=backup)
    capture.ready_time = time.time()
    if options.delete_after_import:
        conn.remove(remote.path)
    return capture


def finish(journal: Journal, intent: Intent) -> None:
    """Steps 2 and 3 of landing, idempotent: rename (if not yet done), back up (if not yet done), record.
    Raises LocalStorageError when the disk refuses; the intent stays and a later call completes it."""
    final = Path(intent.local_path)
    tmp = final.with_name(final.name + TMP_SUFFIX)
    try:
        if tmp.exists():
            WRITES.hit("rename")
            os.replace(tmp, final)  # atomic: the final name appears complete or not at all
            _fsync_dir(final.parent)
            WRITES.hit("renamed")
        if intent.backup_path:
            _backup(final, Path(intent.backup_path), intent.size, intent.md5)
    except OSError as exc:
        raise LocalStorageError(f"Cannot store {final.name}: " + storage_message(final.parent, exc)) from exc
    journal.commit_intent(intent)


def reconcile(journal: Journal) -> list[Intent]:
    """On start (and after a storage error): finish every intent whose file is whole on disk, by size and
    md5; forget those whose temporary copy was lost (the capture is then pulled again). Returns the intents
    that landed."""
    landed = []
    for intent in journal.intents():
        final = Path(intent.local_path)
        tmp = final.with_name(final.name + TMP_SUFFIX)
        if _matches(final, intent.size, intent.md5) or _matches(tmp, intent.size, intent.md5):
            finish(journal, intent)
            landed.append(intent)
        else:
            tmp.unlink(missing_ok=True)
            journal.drop_intent(intent)
    return landed


def _matches(path: Path, size: int, md5: str) -> bool:
    try:
        return path.stat().st_size == size and file_md5(path) == md5
    except OSError:
        return False


def file_md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _orphan_copy(session_dir: Path, journal: Journal, size: int, md5: str) -> Path | None:
    """A file in the session with this size and md5 that the journal does not know (its record was lost in
    a power cut). Files the journal knows are real, separate captures even when their bytes are equal."""
    known = None
    for entry in os.scandir(session_dir):
        if entry.name.endswith(TMP_SUFFIX) or entry.name.startswith(".") or not entry.is_file():
            continue
        if entry.stat().st_size != size:
            continue
        if known is None:
            known = {Path(p).name for p in journal.local_paths()}
        if entry.name not in known and file_md5(Path(entry.path)) == md5:
            return Path(entry.path)
    return None


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


def _backup(final: Path, target: Path, size: int, md5: str) -> None:
    """Copy into the backup folder under a temporary name, fsync, rename; skipped when already there."""
    if _matches(target, size, md5):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + TMP_SUFFIX)
    try:
        WRITES.hit("backup")
        shutil.copyfile(final, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
