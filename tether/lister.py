"""LISTs the camera folders on an ADB connection and a thread of their own (TCP phones), so that a LIST of a
big roll (~0.5 s on a real phone's FUSE) holds up neither the shutter nor the pull of a finished photo.
adbd serves each connection on its own, so the phone lists while the session pulls.

A folder is listed when its mtime moves, once more a second later (mtimes have whole seconds: a second change
within the same second does not move it again), every FULL_LIST_SECONDS, and on every look once a safety-net
LIST found photos the mtime never announced; the same rules as watcher.py's inline listing. Listing on every
look while a burst is under way was tried: it found files no sooner, and on the simulated phone its LISTs slowed
the camera itself (the phone's last burst file 0.7 s later). Each LIST is handed over as a snapshot {name: (mode, size, mtime)}; the session's thread applies it.

While the phone's inotifyd covers a folder (folder_events.py), a change is announced by its event and needs no
LIST: the folder is listed once after the event stream went live (what changed before), every
FULL_LIST_SECONDS, and as before once the events are found blind (a change no event announced).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from . import adbkeys
from .fastsync import FastSync, FastSyncRefused
from .folder_events import EVENT_GRACE

log = logging.getLogger(__name__)
SAME_SECOND = 1.0  # folder mtimes have whole seconds: a LIST this long after a change sees that second's end
FULL_LIST_SECONDS = 15.0


@dataclass
class _Look:
    mtime: int | None = None
    listed_at: float = float("-inf")
    hot_until: float = 0.0
    sweep: bool = False
    names: set | None = None
    blind: bool = False  # the folder's mtime does not announce new photos here: list on every look
    expect_event: float | None = None  # the mtime moved while events were live: one must come by then
    announced: set = field(default_factory=set)  # names events mentioned that no LIST has shown yet
    covered: bool = False  # events covered the folder at the last look


class _ConnectionSync:
    """FastSync's stat/list through the session's connection itself: the adb server's transport (every request
    has a socket of its own) or a USB phone's one connection (requests take turns on its lock)."""

    def __init__(self, connection):
        self._conn = connection

    def stat(self, path: str) -> tuple[int, int, int]:
        entry = self._conn.stat(path)
        return (entry.mode, entry.size, entry.mtime) if entry is not None else (0, 0, 0)

    def list(self, path: str) -> list[tuple[bytes, int, int, int]]:
        return [(e.name.encode("utf-8", "surrogateescape"), e.mode, e.size, e.mtime) for e in self._conn.list_dir(path)]

    def close(self) -> None:
        pass


def fast_opener(connection):
    """A function opening a second fast-sync connection to the phone (TCP), or the connection itself where
    there is none but long streams can share it (the adb server; a USB phone through adb_demux); else None."""
    target = getattr(connection, "target", None)
    if target is not None and (target.kind == "adb" or getattr(connection, "shared_streams", False)):
        return lambda: _ConnectionSync(connection)
    if not getattr(connection, "fast_pull", False) or target is None or target.kind != "tcp":
        return None

    def open_sync() -> FastSync:
        fast = FastSync(target.host, target.port, adbkeys.load_signer(connection.key_path),
                        timeout=connection.io_timeout)
        fast.connect()
        return fast
    return open_sync


class Lister:
    def __init__(self, open_sync, interval: float = 0.1, events=None):
        self._open, self.interval = open_sync, interval
        self.events = events  # a folder_events.FolderEvents: while it covers a folder, a change needs no LIST
        self._lock = threading.Condition()
        self._folders: list[str] = []
        self._looks: dict[str, _Look] = {}
        self._snapshots: dict[str, tuple[dict, float]] = {}
        self._delivered: set[str] = set()  # folders listed at least once since the last reset
        self._generation = 0
        self._stop = threading.Event()
        self._kick = threading.Event()  # look now, not after the interval (a reset: the baseline is waiting)
        self.lists = 0
        self.refused = False  # the phone wants a prompt for a second connection: the watcher lists inline
        self._thread = threading.Thread(target=self._run, name="tether-lister", daemon=True)

    def start(self, folders) -> "Lister":
        self.reset(folders)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._kick.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread.is_alive():
            self._thread.join(5)

    def reset(self, folders) -> None:
        """New folders or another phone: forget everything; a LIST under way is dropped."""
        with self._lock:
            self._folders = list(folders)
            self._looks.clear()
            self._snapshots.clear()
            self._delivered.clear()
            self._generation += 1
        self._kick.set()

    def take(self, folder: str, wait: float = 0.0):
        """The newest snapshot of `folder` not yet taken, as ({name: (mode, size, mtime)}, listed_at), or None.
        With `wait`, wait that long for the folder's first LIST (a baseline must see the whole roll)."""
        deadline = time.monotonic() + wait
        with self._lock:
            while (folder not in self._delivered and not self.refused and not self._stop.is_set()
                   and time.monotonic() < deadline):
                self._lock.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            return self._snapshots.pop(folder, None)

    def has_listed(self, folder: str) -> bool:
        with self._lock:
            return folder in self._delivered

    def _run(self) -> None:
        fast = None
        while not self._stop.is_set():
            self._kick.wait(self.interval)
            self._kick.clear()
            if self._stop.is_set():
                break
            try:
                if fast is None:
                    fast = self._open()
                with self._lock:
                    folders, generation = list(self._folders), self._generation
                for folder in folders:
                    self._look(fast, folder, generation)
            except FastSyncRefused:
                with self._lock:
                    self.refused = True
                    self._lock.notify_all()
                return
            except Exception:  # a cut or a frozen phone: the session hears of it on its own connection
                if fast is not None:
                    fast.close()
                fast = None
                self._stop.wait(0.2)
        if fast is not None:
            fast.close()

    def _covered_look(self, folder: str, look: _Look, mtime, now: float) -> str | None:
        """A look while events cover the folder: no LIST for a change an event announced; the safety-net
        LIST still runs. A change no event announced within EVENT_GRACE drops the events (and LISTs)."""
        if mtime != look.mtime:
            look.mtime = mtime
            if self.events.last_event(folder) < now - SAME_SECOND - 2 * self.interval:
                look.expect_event = now + EVENT_GRACE  # nothing announced this change (yet)
        if look.expect_event is not None and self.events.last_event(folder) >= look.expect_event - EVENT_GRACE:
            look.expect_event = None
        if look.expect_event is not None and now >= look.expect_event:
            look.expect_event = None
            self.events.distrust(f"{folder} changed and no event came within {EVENT_GRACE} s")
            look.hot_until, look.sweep = now + SAME_SECOND, True
            return "change"
        return "full" if now - look.listed_at >= FULL_LIST_SECONDS else None

    def _look(self, fast: FastSync, folder: str, generation: int) -> None:
        with self._lock:
            look = self._looks.setdefault(folder, _Look())
        mode, _, mtime = fast.stat(folder)
        mtime = mtime if mode else None
        now = time.monotonic()
        reason = None
        covered = self.events.covers(folder) if self.events is not None else None
        # Events stopped covering the folder (a cut, distrust): a change they were trusted with may have had its
        # event lost with the stream, so LIST now, not at the next safety net.
        uncovered, look.covered = look.covered and covered is None, covered is not None
        if covered is not None and look.names is not None and look.listed_at >= covered:
            reason = self._covered_look(folder, look, mtime, now)
        elif covered is not None and look.names is not None:
            look.mtime, reason = mtime, "catch-up"  # what changed before the watch existed
        elif mtime != look.mtime or look.expect_event is not None or uncovered:  # (or an event was due then)
            look.mtime, look.hot_until, look.sweep, reason = mtime, now + SAME_SECOND, True, "change"
            look.expect_event = None
        elif look.blind:
            reason = "blind"
        elif look.sweep and now >= look.hot_until:
            look.sweep, reason = False, "sweep"  # the first LIST that starts after that second has ended
        elif now - look.listed_at >= FULL_LIST_SECONDS:
            reason = "full"
        if reason is None:
            return
        current = {name.decode("utf-8", "surrogateescape"): (m, size, t)
                   for name, m, size, t in fast.list(folder) if name not in (b".", b"..")}
        log.debug("LIST %s (%s): %d entries in %.3f s", folder, reason, len(current), time.monotonic() - now)
        if self.events is not None:
            look.announced |= self.events.take_announced(folder)
        unannounced = current.keys() - (look.names or set()) - look.announced
        look.announced -= current.keys()
        if reason == "full" and look.names is not None and unannounced:
            if covered is not None:  # events were live and missed these: this phone's inotify is blind
                self.events.distrust(f"a LIST found {sorted(unannounced)[0]} that no event announced")
            else:
                look.blind = True  # this phone's storage does not move folder mtimes
        look.names, look.listed_at = set(current), now
        with self._lock:
            if generation != self._generation:
                return
            self._snapshots[folder] = (current, now)
            self._delivered.add(folder)
            self.lists += 1
            self._lock.notify_all()
