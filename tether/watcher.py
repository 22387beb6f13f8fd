"""Polls the phone's camera folders (sync LIST) and decides when a file is a finished capture.

A file is ready when it is a regular file with an image extension, its name is safe, it is not in
the journal or the session's baseline, and its size and mtime have not changed across polls
spanning at least `stable_seconds`. Camera apps write in bursts, so one unchanged poll is not enough.
"""
from __future__ import annotations

import posixpath
import time
from dataclasses import dataclass

from .connection import DeviceConnection
from .errors import DeviceCommandError
from .naming import PRIORITY, is_capture_candidate, is_safe_device_name, stem_and_ext

DEFAULT_FOLDERS = ("/sdcard/DCIM/Camera", "/sdcard/DCIM/Camera/RAW", "/sdcard/Pictures/RAW")


@dataclass
class RemoteFile:
    path: str
    name: str
    size: int
    mtime: int
    first_seen: float  # monotonic time the watcher first saw this path
    stable_since: float  # monotonic time its size/mtime last changed
    polls_stable: int = 0
    failures: int = 0
    retry_after: float = 0.0

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime)

    @property
    def priority(self) -> tuple:
        return (PRIORITY.get(stem_and_ext(self.name)[1], 3), self.mtime, self.name)


class Watcher:
    def __init__(self, connection: DeviceConnection, folders=DEFAULT_FOLDERS, stable_seconds: float = 0.25,
                 on_rejected=None):
        self.connection = connection
        self.folders = [posixpath.normpath(f) for f in folders]
        self.stable_seconds = stable_seconds
        self.on_rejected = on_rejected
        self.files: dict[str, RemoteFile] = {}
        self.rejected: set[str] = set()

    def poll(self) -> list[RemoteFile]:
        """One LIST of every folder; returns every tracked candidate (ready or not)."""
        now = time.monotonic()
        seen = set()
        for folder in self.folders:
            try:
                entries = self.connection.list_dir(folder)
            except DeviceCommandError:
                continue  # adbd lists a missing folder as empty; an error here is just as harmless
            for entry in entries:
                if not is_safe_device_name(entry.name) or not is_capture_candidate(entry.name):
                    self._reject(folder, entry.name)
                    continue
                if not entry.is_file:  # symlinks and directories never count: no following links out
                    continue
                path = f"{folder}/{entry.name}"
                seen.add(path)
                self._update(path, entry.name, entry.size, entry.mtime, now)
        for path in list(self.files):
            if path not in seen:
                del self.files[path]  # deleted on the phone (or renamed from .pending)
        return list(self.files.values())

    def _update(self, path: str, name: str, size: int, mtime: int, now: float) -> None:
        known = self.files.get(path)
        if known is None:
            self.files[path] = RemoteFile(path, name, size, mtime, first_seen=now, stable_since=now)
        elif (known.size, known.mtime) != (size, mtime):
            known.size, known.mtime, known.stable_since, known.polls_stable = size, mtime, now, 0
        else:
            known.polls_stable += 1

    def _reject(self, folder: str, name: str) -> None:
        # Hidden/pending files are normal and silent; unsafe names are reported once.
        if is_safe_device_name(name):
            return
        key = f"{folder}/{name!r}"
        if key not in self.rejected:
            self.rejected.add(key)
            if self.on_rejected:
                self.on_rejected(folder, name)

    def ready(self, is_known) -> list[RemoteFile]:
        """Stable, not yet ingested candidates, JPEG/HEIC first, then PNG, then DNG."""
        now = time.monotonic()
        out = [f for f in self.files.values()
               if f.size > 0 and f.polls_stable >= 1 and now - f.stable_since >= self.stable_seconds
               and now >= f.retry_after and not is_known(f)]
        return sorted(out, key=lambda f: f.priority)

    def mark_failed(self, remote: RemoteFile) -> None:
        """Transfer failed: wait for fresh stability and back off so a broken file does not spin."""
        remote.failures += 1
        remote.polls_stable = 0
        remote.stable_since = time.monotonic()
        remote.retry_after = time.monotonic() + min(0.2 * 2 ** remote.failures, 10.0)
