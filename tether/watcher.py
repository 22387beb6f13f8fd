"""Finds new captures in the phone's camera folders in O(new), not O(roll), and decides when one is finished.

A real camera folder holds thousands of photos, and on Android 11+ every sync LIST pays a FUSE round trip
per entry (~0.4 s for 10,000 files). So a folder is listed only when its own mtime (one sync STAT, ~2 ms)
says an entry was created, renamed or deleted, once more SAME_SECOND later (the mtime has whole seconds,
so a second change within the same second would not move it), and every FULL_LIST_SECONDS as a safety
net (should a phone's storage not move folder mtimes, that LIST finds the new photos and the folder is
listed on every poll from then on). Only entries that changed since the last LIST are looked at, and files already ingested or in the
session's baseline are not tracked at all; between lists, the tracked (new) files are STATed to see them
grow and stop growing. Where the phone has toybox `inotifyd` (TCP phones, folder_events.py), its events name
each new file as it appears, so a capture is found in milliseconds without any LIST.

A file is ready when it is a regular file with an image extension, its name is safe, it is not in the
journal or the session's baseline, and its size and mtime have not changed across polls spanning at least
`stable_seconds`. Camera apps write in bursts, so one unchanged poll is not enough. MediaStore's
`.pending-<expiry>-NAME` files (Android 10+) are never candidates; MediaProvider renames one to NAME when the
app clears IS_PENDING, i.e. when it is whole (MediaStore.setIncludePending / IS_PENDING, AOSP
MediaProvider). So once a pending file is seen, NAME itself is STATed each poll (no LIST), and when it
appears it is ready at once, without the stability wait.
"""
from __future__ import annotations

import logging
import posixpath
import re
import stat as statmod
import time
from dataclasses import dataclass

from .connection import DeviceConnection
from .errors import ConnectionLostError, DeviceCommandError
from .folder_events import FolderEvents, event_opener
from .lister import FULL_LIST_SECONDS, SAME_SECOND, Lister, fast_opener
from .naming import PRIORITY, is_capture_candidate, is_safe_device_name, stem_and_ext

DEFAULT_FOLDERS = ("/sdcard/DCIM/Camera", "/sdcard/DCIM/Camera/RAW", "/sdcard/Pictures/RAW")
PENDING = re.compile(r"^\.pending-\d+-(.+)$")
SD_CARD = re.compile(r"^[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}$")  # /storage/XXXX-XXXX: a removable card's volume id
NOT_CAMERA = {"Screenshots", "ScreenRecorder", "ScreenRecords"}
log = logging.getLogger(__name__)


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
    whole: bool = False  # renamed from .pending-…: complete by MediaStore's contract, no stability wait

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.path, self.size, self.mtime)

    @property
    def priority(self) -> tuple:
        return (PRIORITY.get(stem_and_ext(self.name)[1], 3), self.mtime, self.name)


@dataclass
class _Folder:
    mtime: int | None = None
    listed_at: float = float("-inf")
    sweep_at: float | None = None  # one more LIST then: it sees what changed later in the same second
    seen: dict | None = None  # name -> (mode, size, mtime) at the last LIST: unchanged entries are skipped
    pending: dict | None = None  # final name announced by a .pending-… file -> monotonic time it was announced
    mtime_blind: bool = False  # a LIST found new files the folder's mtime never announced: list every poll

    def __post_init__(self):
        self.pending = {}


def discover_folders(connection: DeviceConnection) -> list[str]:
    """Camera folders on this phone: every DCIM/<folder> of the internal storage and of SD cards
    (/storage/XXXX-XXXX), with their RAW subfolder, and Pictures/RAW. Lists only small parent folders,
    never a camera roll itself."""
    roots = ["/sdcard"]
    try:
        roots += [f"/storage/{e.name}" for e in connection.list_dir("/storage") if SD_CARD.match(e.name) and e.is_dir]
    except DeviceCommandError:
        pass
    found = []
    for root in roots:
        try:
            subfolders = [e.name for e in connection.list_dir(f"{root}/DCIM") if e.is_dir]
        except DeviceCommandError:
            continue
        for name in sorted(subfolders):
            if name.startswith(".") or name in NOT_CAMERA or not is_safe_device_name(name):
                continue
            found.append(f"{root}/DCIM/{name}")
            raw = connection.stat(f"{root}/DCIM/{name}/RAW")
            if raw is not None and raw.is_dir:
                found.append(f"{root}/DCIM/{name}/RAW")
    raw = connection.stat("/sdcard/Pictures/RAW")
    if raw is not None and raw.is_dir:
        found.append("/sdcard/Pictures/RAW")
    return found or list(DEFAULT_FOLDERS)


class Watcher:
    def __init__(self, connection: DeviceConnection, folders=DEFAULT_FOLDERS, stable_seconds: float = 0.25,
                 on_rejected=None):
        self.connection = connection
        self.folders = [posixpath.normpath(f) for f in folders]
        self.stable_seconds = stable_seconds
        self.on_rejected = on_rejected
        self.files: dict[str, RemoteFile] = {}
        self.rejected: set[str] = set()
        self._lists = 0  # sync LISTs issued inline
        self._state: dict[str, _Folder] = {}
        self._lister: Lister | None = None
        self._events: FolderEvents | None = None

    @property
    def lists(self) -> int:
        """sync LISTs issued so far (tests and the benchmark read it)."""
        return self._lists + (self._lister.lists if self._lister else 0)

    def start_lister(self, interval: float = 0.1, events: bool = True) -> bool:
        """LIST on a thread (and, TCP, a connection) of their own where the phone allows it (TCP, the adb
        server), and follow the phone's inotifyd on a stream of its own (folder_events.py) unless `events` is
        False; True if so."""
        opener = fast_opener(self.connection)
        if opener is None or self._lister is not None:
            return self._lister is not None
        open_command = event_opener(self.connection) if events else None
        if open_command is not None:
            self._events = FolderEvents(open_command, self.connection.stat, self.folders).start()
        self._lister = Lister(opener, interval, self._events).start(self.folders)
        return True

    @property
    def events(self) -> FolderEvents | None:
        """The inotifyd follower, when there is one (its `unavailable` / `distrusted` say why it is not used)."""
        return self._events

    def idle(self, stop, seconds: float) -> None:
        """Wait between polls: `seconds`, or less when the phone reports a change."""
        if self._events is None:
            stop.wait(seconds)
        else:
            self._events.wake.wait(seconds)

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None
        if self._lister is not None:
            self._lister.close()
            self._lister = None

    def set_folders(self, folders) -> None:
        self.folders = [posixpath.normpath(f) for f in folders]
        self.forget()

    def forget(self) -> None:
        """Another phone (or a restart): nothing known about the folders any more."""
        self.files.clear()
        self._state.clear()
        if self._events is not None:
            self._events.reset(self.folders)
        if self._lister is not None:
            self._lister.reset(self.folders)

    def poll(self, settled=lambda remote: False) -> list[RemoteFile]:
        """One look at every folder: a LIST where something changed, else a STAT of each tracked file.
        Files that are `settled` (ingested, or in the session's baseline) stop being tracked, so a roll of
        thousands costs nothing per poll. Returns every tracked candidate."""
        self._forget_settled(settled)
        if self._lister is not None and not self._lister.refused:
            self._poll_with_lister()
            self._forget_settled(settled)
            return list(self.files.values())
        for folder in self.folders:
            state = self._state.setdefault(folder, _Folder())
            now = time.monotonic()
            try:
                st = self.connection.stat(folder)
            except DeviceCommandError:
                st = None
            mtime = st.mtime if st is not None else None
            changed = mtime != state.mtime
            if self._check_pending(folder, state, now) and changed:
                continue  # a finished file: ingest it first, list (the mtime moved) on the next poll
            if changed or state.mtime_blind:
                if changed:
                    state.mtime, state.sweep_at = mtime, now + SAME_SECOND
                self._list(folder, state, now)
            elif (state.sweep_at is not None and now >= state.sweep_at) or now - state.listed_at >= FULL_LIST_SECONDS:
                unannounced = state.sweep_at is None  # the safety-net LIST, not the follow-up of a change
                state.sweep_at = None
                if self._list(folder, state, now) and unannounced:
                    state.mtime_blind = True  # this phone's storage does not move folder mtimes
            else:
                self._stat_tracked(folder, now)
        self._forget_settled(settled)
        return list(self.files.values())

    def _poll_with_lister(self) -> None:
        """The lister LISTs; here: finished pending files, the lister's new snapshots, and tracked files.
        One STAT on the session's own connection each poll keeps it honest: a frozen or lost phone is noticed
        (and reported) here, within the io timeout, not only by the lister."""
        if self.folders:
            self.connection.stat(self.folders[0])
        self._apply_events()
        for folder in self.folders:
            state = self._state.setdefault(folder, _Folder())
            self._check_pending(folder, state, time.monotonic())
            first = not self._lister.has_listed(folder)
            snapshot = self._lister.take(folder, wait=self.connection.io_timeout * 2 if first else 0.0)
            if snapshot is None and first and not self._lister.refused:
                raise ConnectionLostError(f"Could not list {folder} on the phone")
            if snapshot is not None:
                current, listed_at = snapshot
                self._apply(folder, state, current, listed_at)
            if first:
                continue  # the whole roll is tracked until the session takes it as its baseline: no STAT each
            # A file the LIST found is looked at again now, a LIST's length after it was seen: unchanged, it is
            # stable without waiting for another poll.
            self._stat_tracked(folder, time.monotonic())

    def _apply_events(self) -> None:
        """What the phone's inotifyd reported since the last poll: STAT each named entry once. A photo renamed
        into the folder (MediaStore's pending -> final) is whole at once; one created in place is tracked
        and waits for the stability rule."""
        if self._events is None:
            return
        named: dict[tuple[str, str], str] = {}
        for folder, name, letters in self._events.drain():
            named[(folder, name)] = named.get((folder, name), "") + letters
        for (folder, name), letters in named.items():
            state = self._state.setdefault(folder, _Folder()) if folder in self.folders else None
            if state is None:
                continue
            pending = PENDING.match(name)
            if pending:
                if "n" in letters and is_capture_candidate(pending.group(1)):
                    state.pending.setdefault(pending.group(1), time.monotonic())  # STATed each poll from now on
                continue
            if not is_safe_device_name(name) or not is_capture_candidate(name):
                self._reject(folder, name)
                continue
            path = f"{folder}/{name}"
            st = self.connection.stat(path)
            if st is None or not st.is_file:
                self.files.pop(path, None)
                continue
            renamed = ("m" in letters or "y" in letters) and path not in self.files
            if path not in self.files:
                log.debug("event %s: %s tracked (%s)", letters, path, "whole" if renamed else "growing")
            self._update(path, name, st.size, st.mtime, time.monotonic(), whole=renamed)

    def _forget_settled(self, settled) -> None:
        for path in [p for p, f in self.files.items() if settled(f)]:
            del self.files[path]

    def _check_pending(self, folder: str, state: _Folder, now: float) -> bool:
        """STAT the final name of each pending file; True if one appeared (it is whole)."""
        appeared = False
        for name in list(state.pending):
            path = f"{folder}/{name}"
            if path in self.files:
                state.pending.pop(name, None)
                continue
            st = self.connection.stat(path)
            if st is not None and st.is_file:
                state.pending.pop(name, None)
                log.debug("pending %s appeared: whole", path)
                self.files[path] = RemoteFile(path, name, st.size, st.mtime, first_seen=now, stable_since=now,
                                              whole=True)
                appeared = True
        return appeared

    def _list(self, folder: str, state: _Folder, now: float) -> bool:
        """LIST the folder and update what is tracked; True if a photo appeared that the last LIST lacked."""
        try:
            entries = self.connection.list_dir(folder)
        except DeviceCommandError:
            entries = []  # adbd lists a missing folder as empty; an error here is just as harmless
        self._lists += 1
        state.listed_at = now
        return self._apply(folder, state, {e.name: (e.mode, e.size, e.mtime) for e in entries}, now)

    def _apply(self, folder: str, state: _Folder, current: dict, now: float) -> bool:
        """Update what is tracked from a LIST ({name: (mode, size, mtime)}) that started at `now`, looking only at
        what changed. The lister's LIST of a big roll takes ~0.5 s and is handed over at the next poll: what an
        event announced after it started (a pending name, a tracked file) is not in it, and is kept."""
        prefix = folder + "/"
        first = state.seen is None
        previous, state.seen = state.seen or {}, current
        appeared = False
        announced = state.pending
        state.pending = {name: since for name, since in announced.items() if since > now}
        state.pending.update({m.group(1): now for name in current if name.startswith(".pending-")
                              and (m := PENDING.match(name)) and is_capture_candidate(m.group(1))})
        for name, signature in current.items():
            path = prefix + name
            if previous.get(name) == signature and path not in self.files:
                continue  # unchanged since the last LIST and not tracked: settled, rejected or not a photo
            if not is_safe_device_name(name) or not is_capture_candidate(name):
                self._reject(folder, name)
                continue
            mode, size, mtime = signature
            if not statmod.S_ISREG(mode):  # symlinks and directories never count: no following links out
                continue
            whole = name in announced and path not in self.files  # renamed from .pending since the last LIST
            appeared |= name not in previous and not first
            self._update(path, name, size, mtime, now, whole)
        for path in [p for p in self.files if p.startswith(prefix) and "/" not in p[len(prefix):]]:
            if path[len(prefix):] in current:
                continue
            if self.files[path].first_seen > now:  # seen (by an event) after this LIST started: STATed instead
                log.debug("%s is newer than the LIST of %s that lacks it: kept", path, folder)
                continue
            del self.files[path]  # deleted on the phone
        return appeared

    def _stat_tracked(self, folder: str, now: float) -> None:
        """Between LISTs: see the tracked (new, not yet ingested) files grow and settle."""
        prefix = folder + "/"
        for remote in [f for f in self.files.values() if f.path.startswith(prefix)]:
            if "/" in remote.path[len(prefix):]:
                continue
            st = self.connection.stat(remote.path)
            if st is None or not st.is_file:
                del self.files[remote.path]
            else:
                self._update(remote.path, remote.name, st.size, st.mtime, now)

    def _update(self, path: str, name: str, size: int, mtime: int, now: float, whole: bool = False) -> None:
        known = self.files.get(path)
        if known is None:
            self.files[path] = RemoteFile(path, name, size, mtime, first_seen=now, stable_since=now, whole=whole)
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
               if f.size > 0 and (f.whole or (f.polls_stable >= 1 and now - f.stable_since >= self.stable_seconds))
               and now >= f.retry_after and not is_known(f)]
        return sorted(out, key=lambda f: f.priority)

    def mark_failed(self, remote: RemoteFile) -> None:
        """Transfer failed: wait for fresh stability and back off so a broken file does not spin."""
        remote.failures += 1
        remote.whole = False  # it changed after all: back to the stability rule
        remote.polls_stable = 0
        remote.stable_since = time.monotonic()
        remote.retry_after = time.monotonic() + min(0.2 * 2 ** remote.failures, 10.0)
