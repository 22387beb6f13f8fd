"""A tethering session: watch the phone, ingest each new capture, survive cable pulls and restarts.

    session = Session(connection, sessions_dir / "shoot", on_capture=callback)
    session.start()          # background thread; or session.run(stop_event) to block
    ...
    session.stop()

`on_capture(capture)` runs on the session thread after the file is verified and renamed into place (the look
hook: sidecar and preview). Once it returns the capture is marked developed in the journal; a capture whose hook
was cut short (kill, power cut, full disk) is handed to on_capture again when the session next starts, with
`capture.extra["recovered"] = True`.

Nothing ends the session thread but stop(): a lost phone is reconnected (also through a new "Allow USB
debugging?" prompt), a full disk is reported in words and retried until space is freed.
"""
from __future__ import annotations

import errno
import json
import logging
import threading
import time
from pathlib import Path

from .connection import DeviceConnection, RemoteEntry
from .developer import Developer
from .errors import (ConnectionLostError, DeviceCommandError, LocalStorageError, TetherError, TransferError,
                     UnauthorizedError)
from .ingest import TMP_SUFFIX, Capture, IngestOptions, ingest, reconcile
from .journal import DEVELOPED_DONE, DEVELOPED_FAILED, WRITES, Journal, storage_message
from .naming import DEFAULT_TEMPLATE, Namer, is_capture_candidate, shot_key
from .watcher import DEFAULT_FOLDERS, RemoteFile, Watcher, discover_folders

log = logging.getLogger(__name__)

BIG_FILE = 8 * 1024 * 1024  # after pulling one this big, list again: a JPEG that landed meanwhile goes next
WRITE_ATOMIC_GRACE = 1.0  # seconds: a younger hidden temp may be an editor's sidecar write in progress
STORAGE_RETRY = (1.0, 5.0)  # first and longest wait between attempts while the disk is full
LISTING_MESSAGE = ("Still listing the photos on the phone: a photo taken before 'Watching' shows counts as "
                   "one that was already there and is not imported.")
UNAUTHORISED_MESSAGE = ("The phone asks again to 'Allow USB debugging?'. Unlock it and tap 'Allow' "
                        "(tick 'Always allow from this computer'); tethering resumes by itself.")


class Session:
    def __init__(self, connection: DeviceConnection, session_dir: Path, name: str | None = None, *,
                 template: str = DEFAULT_TEMPLATE, folders=None, poll_interval: float = 0.1,
                 stable_seconds: float = 0.25, options: IngestOptions | None = None, on_capture=None,
                 on_event=None, ignore_existing: bool = True, reconnect_wait: float = 120.0,
                 storage_retry: tuple[float, float] = STORAGE_RETRY, keep_awake: bool = False):
        self.connection = connection
        self.session_dir = Path(session_dir)
        self.session_dir.mkdir(parents=True, exist_ok=True)
        self.name = name or self.session_dir.name
        self.template = template
        self.options = options or IngestOptions()
        self.poll_interval = poll_interval
        self.on_capture = on_capture
        self.on_event = on_event or (lambda kind, **data: None)
        self.ignore_existing = ignore_existing
        self.reconnect_wait = reconnect_wait
        self.journal = Journal(self.session_dir)
        self.folders_given = folders is not None  # None: find the camera folders on each phone (discover_folders)
        self.watcher = Watcher(connection, folders if folders is not None else DEFAULT_FOLDERS, stable_seconds,
                               on_rejected=lambda folder, n: self.on_event("rejected", folder=folder, name=n))
        self.captures: list[Capture] = []
        self._delivered: set[Path] = set()
        self._developer = Developer(self._deliver_now, self._report_storage, storage_retry)
        self.errors: list[str] = []
        self.serial = ""
        self.model = ""
        self.namer = Namer(template, self.name)
        self._baseline: set[tuple[str, int, int]] | None = None
        self._pending_triggers: list[tuple[float, float]] = []  # (wall time, monotonic time) of presses
        self._last_claim: tuple[str, float] | None = None  # (shot stem, press time): the DNG inherits it
        self._last_list_seconds = 0.0
        self.keep_awake = keep_awake  # `svc power stayon` while tethered, the phone's setting restored at stop()
        self._awake_restore: str | None = None
        self.shutter_state: dict = {}  # tether.trigger's per-session state (camera opened, screen checked)
        self._landed_keys: set[tuple[str, int, int]] = set()  # ingested this run: spares a journal query per poll
        self._known_serial = ""  # the phone we identified last, to notice a swap after a reconnect
        self._needs_recovery = True  # intents to finish and captures to develop (at start, after a storage error)
        self.storage_retry = storage_retry  # (first, longest) wait between attempts while the disk is full
        self._storage_wait = storage_retry[0]
        self._captured = threading.Condition()
        self.watching = threading.Event()  # set once the first listing (the baseline) is taken
        self._late_watch = False  # start() gave up waiting for it: say so when it comes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._finish_landings()

    # ---- lifecycle -----------------------------------------------------
    def start(self, wait: float | None = 10.0) -> "Session":
        """Start the session thread; by default wait until the phone is listed, so the next shot counts.
        A phone still being listed after `wait` seconds (a slow phone, a huge roll) is said in a "listing"
        event, and a "watching" event follows once it is: a photo taken before that counts as one that was
        already on the phone, so the user must not be told that tethering has begun."""
        self._thread = threading.Thread(target=self.run, name="tether-session", daemon=True)
        self._thread.start()
        if wait and not self.watching.wait(wait):
            with self._captured:  # against the session thread setting `watching` meanwhile
                late = not self.watching.is_set()
                self._late_watch = late
            if late:
                self.on_event("listing", message=LISTING_MESSAGE)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self._restore_awake()
        if self._thread and self._thread.is_alive():
            return  # still finishing a pull: the thread closes the journal itself when it leaves run()
        self.journal.close()

    def _restore_awake(self) -> None:
        if self._awake_restore is None or not self.connection.connected:
            return
        from .trigger import restore_awake
        try:
            restore_awake(self.connection, self._awake_restore)
            self._awake_restore = None
        except TetherError as exc:
            self.errors.append(f"Could not restore the phone's screen setting: {exc}")

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _finish_landings(self) -> bool:
        """Finish what a crash or a full disk interrupted: intents are completed (or forgotten, to be pulled
        again), then temporary files nobody will finish are removed. False if the disk still refuses."""
        try:
            reconcile(self.journal)
        except LocalStorageError as exc:
            self._report_storage(exc)
            return False
        self._clean_stale_temps()
        return True

    def _clean_stale_temps(self) -> None:
        # Pull temps not covered by an intent are never trusted: the capture is pulled again from scratch.
        folders = [self.session_dir, self.session_dir / ".previews"]
        if self.options.backup_dir:
            folders.append(Path(self.options.backup_dir))
        now = time.time()
        for folder in folders:
            for tmp in folder.glob("*" + TMP_SUFFIX):
                try:
                    if tmp.name.startswith(".") and now - tmp.stat().st_mtime < WRITE_ATOMIC_GRACE:
                        continue  # write_atomic's temp of a sidecar or preview being written right now
                    tmp.unlink()
                except OSError:
                    pass

    def _identify(self) -> None:
        if not self.connection.connected:
            self.connection.connect()
        info = self.connection.device_info()
        if self._known_serial and info.serial != self._known_serial:
            # A different phone answered after a reconnect: its files and baseline are its own.
            self._baseline = None
            self.watcher.forget()
        if not self.folders_given and info.serial != self._known_serial:
            self.watcher.set_folders(discover_folders(self.connection))
        self.watcher.start_lister(self.poll_interval)
        self.serial, self.model = info.serial, info.model
        self._known_serial = info.serial
        self.namer = Namer(self.template, self.name, info.model)
        if self.keep_awake:  # again after each reconnect: a restarted phone forgot it
            from .trigger import keep_awake
            previous = keep_awake(self.connection)
            if self._awake_restore is None:
                self._awake_restore = previous
        self.on_event("connected", info=info)

    def preview_next_name(self, device_name: str = "IMG.jpg") -> str:
        return self.namer.name(self.journal.peek_next_seq(), device_name)

    # ---- main loop -----------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> None:
        """Blocking loop until stop() (or the given event) is set."""
        if stop is not None:
            self._stop = stop
        self._developer.start()
        try:
            self._loop()
        finally:
            self.watcher.close()
            self._developer.close(timeout=8.0)
            if self._stop.is_set():
                self.journal.close()  # closing twice (here and in stop()) is harmless

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self._needs_recovery and self._finish_landings():
                    self._develop_leftovers()
                if not self.serial:
                    self._identify()
                self._cycle()
                self._storage_wait = self.storage_retry[0]
            except ConnectionLostError as exc:
                if self._stop.is_set():
                    break
                self._recover(exc)
            except UnauthorizedError as exc:
                self._unauthorised(exc)
            except LocalStorageError as exc:
                self._report_storage(exc)
                self._stop.wait(self._storage_wait)
                self._storage_wait = min(self._storage_wait * 2, self.storage_retry[1])
            except TetherError as exc:
                self.errors.append(str(exc))
                self.on_event("error", message=str(exc))
                self._stop.wait(1.0)
            except Exception as exc:  # a bug must not silently end tethering; report it and keep watching
                log.exception("tether session cycle failed")
                self.errors.append(f"internal error: {exc!r}")
                self.on_event("error", message=f"internal error: {exc!r}")
                self._stop.wait(1.0)

    def _recover(self, exc: Exception) -> None:
        """Reconnect until the phone answers or stop(); every wait is announced, so nothing stalls silently."""
        self.on_event("disconnected", message=str(exc))
        self.serial = ""  # re-identify: the phone on the other end may have changed
        while not self._stop.is_set():
            try:
                self.connection.reconnect(self._stop, max_wait=self.reconnect_wait,
                                          on_attempt=lambda e, d: self.on_event("reconnecting", message=str(e),
                                                                                delay=d))
            except UnauthorizedError as refused:
                self._unauthorised(refused)
                continue
            except TetherError as final:  # not back within reconnect_wait: say so, and keep trying
                if not self._stop.is_set():
                    self.errors.append(str(final))
                    self.on_event("error", message=f"{final} Still trying.")
                    self._stop.wait(1.0)
                continue
            self.on_event("reconnected", attempts=self.connection.reconnects)
            return

    def _unauthorised(self, exc: Exception) -> None:
        """The phone forgot this computer (restart, revoked authorisations): wait for the user's "Allow"."""
        self.serial = ""
        self.on_event("unauthorized", message=UNAUTHORISED_MESSAGE, detail=str(exc))
        self._stop.wait(1.0)

    def _report_storage(self, exc: LocalStorageError) -> None:
        self._needs_recovery = True
        message = str(exc)
        if not self.errors or self.errors[-1] != message:  # one line per distinct problem, not one per retry
            self.errors.append(message)
        self.on_event("error", message=message)

    def _cycle(self) -> None:
        listed = time.monotonic()
        self.watcher.poll(self._already_have)
        self._last_list_seconds = time.monotonic() - listed
        if self._baseline is None:
            self._baseline = self._load_baseline()
            with self._captured:
                self.watching.set()
                late = self._late_watch
            if late:
                self.on_event("watching", folders=self.watcher.folders)
        ready = self.watcher.ready(self._already_have)
        if not ready:
            self.watcher.idle(self._stop, self.poll_interval)
            return
        # Every ready file in one cycle (a burst lands together); after a big RAW, list again so that a JPEG
        # that landed during its pull goes before the next RAW.
        for remote in ready:
            if self._stop.is_set():
                return
            self._ingest_one(remote)
            if remote.size >= BIG_FILE:
                return

    def _load_baseline(self) -> set:
        """Photos already on the phone when this session first met it are not new captures.
        Stored in the journal so a restart neither imports them nor forgets shots taken while we were down."""
        stored = self.journal.get_meta(f"baseline:{self.serial}")
        if stored is not None:
            return {tuple(k) for k in json.loads(stored)}
        keys = {f.key for f in self.watcher.files.values()} if self.ignore_existing else set()
        self.journal.set_meta(f"baseline:{self.serial}", json.dumps(sorted(keys)))
        return keys

    def _already_have(self, remote: RemoteFile) -> bool:
        if self._baseline is None:
            return False
        if remote.key in self._baseline or remote.key in self._landed_keys:
            return True
        return self.journal.is_ingested(self.serial, remote.path, remote.size, remote.mtime)

    def _ingest_one(self, remote: RemoteFile) -> Capture | None:
        wall, mono = time.time(), time.monotonic()  # one instant, so appeared <= complete holds exactly
        complete, appeared = wall - (mono - remote.stable_since), wall - (mono - remote.first_seen)
        progress = self._progress_reporter(remote)
        try:
            capture = ingest(self.connection, remote, serial=self.serial, session_dir=self.session_dir,
                             namer=self.namer, journal=self.journal, options=self.options, progress=progress,
                             shot_key=shot_key(remote.name), when=remote.mtime or None)
        except (TransferError, DeviceCommandError) as exc:  # incomplete, changed or vanished: try again later
            self.watcher.mark_failed(remote)
            self.on_event("retry", path=remote.path, message=str(exc))
            return None
        # LocalStorageError (disk full) goes up to _loop, which reports it and waits before the next cycle.
        self._landed_keys.add(remote.key)
        capture.complete_time = complete
        capture.appeared_time = appeared
        capture.shutter_time = self._claim_trigger(remote)
        self._deliver(capture)
        return capture

    def _progress_reporter(self, remote: RemoteFile):
        if remote.size < 8 * 1024 * 1024:
            return None
        state = {"last": 0.0}

        def report(done: int) -> None:
            now = time.monotonic()
            if now - state["last"] >= 0.5 or done == remote.size:
                state["last"] = now
                self.on_event("progress", path=remote.path, done=done, total=remote.size)
        return report

    def _deliver(self, capture: Capture) -> None:
        """Hand a landed capture to the develop thread (or develop it here when no session thread runs)."""
        if self._developer.running:
            self._developer.submit(capture)
        else:
            self._deliver_now(capture)

    def _deliver_now(self, capture: Capture) -> None:
        """Develop (look hook), mark developed, announce. A full disk is raised after the announcement: the
        capture has landed, and its look is applied again once space is freed."""
        state, storage = DEVELOPED_DONE, None
        if self.on_capture:
            try:
                state = self._develop(capture)
            except LocalStorageError as exc:
                state, storage = None, exc
        if state is not None:
            try:
                self.journal.mark_developed(str(capture.local_path), state)
            except LocalStorageError as exc:
                storage = exc  # the look is written; at worst it is applied again on the next attempt
        with self._captured:
            if capture.local_path not in self._delivered:
                self._delivered.add(capture.local_path)
                self.captures.append(capture)
            self._captured.notify_all()
        self.on_event("capture", capture=capture)
        if storage is not None:
            raise storage

    def _develop(self, capture: Capture) -> int | None:
        """Run the look hook. Returns the journal's developed state, or None to try again later (disk full)."""
        try:
            WRITES.hit("develop")
            self.on_capture(capture)
            return DEVELOPED_DONE
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise LocalStorageError(storage_message(capture.local_path.parent, exc)) from exc
            message = f"Could not develop {capture.local_path.name}: {exc.strerror or exc}"
        except Exception as exc:  # the app's hook must not stop tethering; a bad file is named, not traced
            message = f"Could not develop {capture.local_path.name}: {exc}"
        log.debug("on_capture hook failed", exc_info=True)
        self.errors.append(message)
        self.on_event("error", message=message)
        return DEVELOPED_FAILED

    def _develop_leftovers(self) -> None:
        """Captures that landed in an earlier run (or before the disk filled) but were never developed."""
        self._needs_recovery = False
        for entry in self.journal.undeveloped():
            path = Path(entry.local_path)
            if self._stop.is_set():
                return
            if not path.is_file() or self._developer.is_queued(path):
                continue
            capture = Capture(path, entry.device_path, entry.device_serial, entry.size, entry.md5, entry.seq,
                              ready_time=time.time(), extra={"recovered": True})
            self._deliver(capture)

    # ---- triggers ------------------------------------------------------
    def note_trigger(self) -> tuple[float, float]:
        press = (time.time(), time.monotonic())
        with self._captured:
            self._pending_triggers.append(press)
        return press

    def _claim_trigger(self, remote: RemoteFile) -> float | None:
        """The oldest unclaimed press before this file first appeared is its shutter time; the DNG of the same
        shot inherits it."""
        stem = remote.name.rsplit(".", 1)[0]
        with self._captured:
            if self._last_claim and self._last_claim[0] == stem:
                return self._last_claim[1]
            for wall, mono in self._pending_triggers:
                if mono <= remote.first_seen + 0.05:
                    self._pending_triggers.remove((wall, mono))
                    self._last_claim = (stem, wall)
                    return wall
        return None

    def wait_for_captures(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._captured:
            while len(self.captures) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._captured.wait(remaining)
        return True

    def wait_for_capture_after(self, index: int, timeout: float) -> Capture | None:
        if not self.wait_for_captures(index + 1, timeout):
            return None
        return self.captures[index]

    # ---- importing photos already on the phone -------------------------
    def list_existing(self) -> list[RemoteEntry]:
        """Photos in the watched folders, newest first, whether or not imported yet (for an import dialog)."""
        found = []
        for folder in self.watcher.folders:
            try:
                entries = self.connection.list_dir(folder)
            except DeviceCommandError:
                continue
            found += [RemoteEntry(f"{folder}/{e.name}", e.mode, e.size, e.mtime)
                      for e in entries if e.is_file and is_capture_candidate(e.name)]
        return sorted(found, key=lambda e: e.mtime, reverse=True)

    def import_existing(self, entries: list[RemoteEntry]) -> list[Capture]:
        """Import chosen photos through the same verified path (call when the session thread is not running)."""
        if not self.serial:
            self._identify()
        done = []
        for entry in entries:
            name = entry.name.rsplit("/", 1)[-1]
            if self.journal.is_ingested(self.serial, entry.name, entry.size, entry.mtime):
                continue
            remote = RemoteFile(entry.name, name, entry.size, entry.mtime, time.monotonic(), time.monotonic())
            capture = ingest(self.connection, remote, serial=self.serial, session_dir=self.session_dir,
                             namer=self.namer, journal=self.journal, options=self.options,
                             shot_key=shot_key(name), when=entry.mtime or None)
            self._deliver(capture)
            done.append(capture)
        return done
