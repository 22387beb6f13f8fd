"""The phone's own change signal: toybox `inotifyd` on an ADB connection and a thread of their own (TCP phones).

A LIST of a 10,000-file roll costs ~0.45 s on a real phone's FUSE, and a new photo's name is only known from
a LIST; `inotifyd - DIR:MASK ...` instead prints `EVENTS\\tDIR\\tNAME` the moment a name is created, renamed
or deleted in a camera folder, so the watcher STATs just that name (~2 ms). A MediaStore pending file renamed
to its final name is whole by MediaStore's contract: it is ready at once.

The signal is trusted only while it has proven itself:
- the stream counts as live LIVE_AFTER seconds after it started without ending (inotifyd prints nothing
  when it starts; a missing command or folder ends it at once, with a message);
- the lister LISTs each folder once after the stream became live (what changed before the watch existed),
  and keeps its safety-net LIST every FULL_LIST_SECONDS;
- if a folder's mtime moves and no event for it arrives within EVENT_GRACE, or a safety-net LIST finds a
  photo no event announced, the phone's inotify does not see other apps' writes (a kernel without
  MediaProvider's FUSE_CANONICAL_PATH support) and the signal is dropped for this phone: LISTs as before.
A stream that ends after being live (a cut, a restart) is opened again; meanwhile the lister lists.

toybox parses a MASK from its second letter (its loop initialiser zeroes the first), so the mask sent starts
with a letter that is also repeated: `nnmyd` watches create, both rename halves and delete on any toybox,
fixed or not. Whether `m` or `y` is "moved in" differs between toybox's help and its code, so a rename
event of either kind means "STAT this name": present, it was renamed in.
"""
from __future__ import annotations

import logging
import shlex
import socket
import threading
import time
from collections import deque

from .adbstream import ExecStream
from .fastsync import FastSyncRefused

log = logging.getLogger(__name__)

MASK = "nnmyd"  # first letter is dropped by toybox's parser (see above); n create, m/y renamed, d deleted
LIVE_AFTER = 0.5  # seconds the stream must run before its silence means "nothing changed"
EVENT_GRACE = 0.5  # a folder's mtime moved: an event must come within this long, or inotify is blind here
RETRY_S = 1.0


def event_opener(connection):
    """A function running a command on a stream of its own for this connection, or None where there is none:
    TCP phones (an ADB connection of its own, like fast sync), the adb server's transport (its own socket to
    the server), a USB phone reached directly (a side stream of its one connection, adb_demux: adb-shell's
    own reader would stall every command while the stream is idle, docs/tether-connect.md)."""
    target = getattr(connection, "target", None)
    if target is not None and (target.kind == "adb" or getattr(connection, "shared_streams", False)):
        return connection.open_exec_stream  # its own socket to the server, or a side stream (adb_demux)
    if not getattr(connection, "fast_pull", False) or target is None or target.kind != "tcp":
        return None
    from . import adbkeys

    def open_stream(command: str) -> ExecStream:
        return ExecStream(target.host, target.port, adbkeys.load_signer(connection.key_path),
                          timeout=connection.io_timeout).open(command)
    return open_stream


class FolderEvents:
    """`FolderEvents(open_command, stat, folders).start()`; `drain()` the (folder, name, letters) seen since the
    last call; `wake` is set whenever an event arrives (the session's idle wait returns at once)."""

    def __init__(self, open_command, stat, folders):
        self._open = open_command  # command -> a stream with read(timeout) (EOFError at its end) and close()
        self._stat = stat  # device path -> an entry with .is_dir, or None (the session connection's stat)
        self._lock = threading.Lock()
        self._folders = list(folders)
        self._events: deque = deque()
        self._last_event: dict[str, float] = {}  # folder -> monotonic time of its latest event
        self._announced: dict[str, set] = {}  # folder -> names events mentioned since the lister's last LIST
        self._watched: set[str] = set()
        self._started_at: float | None = None  # monotonic start of the running stream
        self._generation = 0
        self.wake = threading.Event()
        self.unavailable = ""  # why the phone has no usable inotifyd ("" while it may have one)
        self.distrusted = ""  # why the signal was dropped for this phone
        self.streams_opened = 0
        self._stop = threading.Event()
        self._stream: ExecStream | None = None
        self._thread = threading.Thread(target=self._run, name="tether-events", daemon=True)

    # ---- what the lister and the watcher ask ---------------------------------
    def covers(self, folder: str) -> float | None:
        """The monotonic time since which events for `folder` can be relied on, or None."""
        with self._lock:
            if self.distrusted or self._started_at is None or folder not in self._watched:
                return None
            live_since = self._started_at + LIVE_AFTER
            return live_since if time.monotonic() >= live_since else None

    def last_event(self, folder: str) -> float:
        with self._lock:
            return self._last_event.get(folder, float("-inf"))

    def take_announced(self, folder: str) -> set:
        """Names events mentioned for `folder` since the last call (the lister calls it after each LIST)."""
        with self._lock:
            return self._announced.pop(folder, set())

    def drain(self) -> list[tuple[str, str, str]]:
        self.wake.clear()
        with self._lock:
            events, self._events = list(self._events), deque()
        return events

    def distrust(self, reason: str) -> None:
        """This phone's inotify misses changes: stop using it (the lister lists on mtime changes again)."""
        with self._lock:
            if self.distrusted:
                return
            self.distrusted = reason
        log.info("phone's inotifyd dropped, listing instead: %s", reason)
        self._close_stream()

    # ---- lifecycle ---------------------------------------------------------------
    def start(self) -> "FolderEvents":
        self._thread.start()
        return self

    def reset(self, folders) -> None:
        """Other folders or another phone: watch anew (and trust anew)."""
        with self._lock:
            self._folders = list(folders)
            self._generation += 1
            self.unavailable = self.distrusted = ""
            self._announced.clear()
        self._close_stream()

    def close(self) -> None:
        self._stop.set()
        self._close_stream()
        if self._thread.is_alive():
            self._thread.join(5)

    def _close_stream(self) -> None:
        """End the running stream from any thread: shutdown wakes the reader's recv, which then closes it
        (a stream without a socket of ours is closed; its reader notices within its 0.2 s read)."""
        stream = self._stream
        if stream is None:
            return
        sock = getattr(stream, "sock", None)
        if sock is None:
            stream.close()
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- the reader thread -----------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                idle = bool(self.unavailable or self.distrusted)
                generation = self._generation
            if idle:
                self._stop.wait(0.2)
                continue
            try:
                self._watch(generation)
            except FastSyncRefused:  # a second connection would need "Allow" tapped again: not for this
                self._give_up(generation, "the phone wants a second connection allowed")
            except Exception:  # a cut or a frozen phone: the session hears of it on its own connection
                pass
            finally:
                with self._lock:
                    self._started_at = None
                    self._watched = set()
                self._stream = None
            self._stop.wait(RETRY_S)

    def _watch(self, generation: int) -> None:
        with self._lock:
            folders = list(self._folders)
        # inotifyd ends at once on a folder it cannot watch: only watch those that exist.
        existing = [f for f in folders if (entry := self._stat(f)) is not None and entry.is_dir]
        if not existing:
            self._give_up(generation, "no camera folder to watch")
            return
        stream = self._stream = self._open("inotifyd - " + " ".join(shlex.quote(f"{f}:{MASK}") for f in existing))
        self.streams_opened += 1
        with self._lock:
            self._started_at, self._watched = time.monotonic(), set(existing)
        partial, said = b"", b""
        while not self._stop.is_set():
            try:
                data = stream.read(0.2)
            except EOFError:  # adbstream.StreamClosed, or the adb server's stream ending
                break
            lines = (partial + data).split(b"\n")
            partial = lines.pop()
            for line in lines:
                if not self._event(line):
                    said += line + b"\n"
        ran = time.monotonic() - (self._started_at or time.monotonic())
        stream.close()
        if ran < LIVE_AFTER and not self._stop.is_set():
            self._give_up(generation, (said + partial).decode("utf-8", "replace").strip() or "inotifyd ended at once")

    def _event(self, line: bytes) -> bool:
        """Queue one `EVENTS\\tDIR\\tNAME` line; False if it is not one (an error message)."""
        parts = line.decode("utf-8", "surrogateescape").split("\t")
        if len(parts) < 2 or not parts[0] or not parts[0].isascii() or parts[0] == "inotifyd:":
            return False
        letters, folder, name = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
        now = time.monotonic()
        with self._lock:
            if folder not in self._watched:
                return True
            self._last_event[folder] = now
            if "x" in letters and not name:  # the folder itself went away: no more events for it
                self._watched.discard(folder)
            if name:
                self._events.append((folder, name, letters))
                self._announced.setdefault(folder, set()).add(name)
        self.wake.set()
        return True

    def _give_up(self, generation: int, reason: str) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self.unavailable = reason
        log.info("no inotifyd events from the phone, listing instead: %s", reason)
