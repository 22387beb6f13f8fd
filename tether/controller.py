"""The tether controller: one phone's connection lifecycle, its capture session and its live view.

Qt-free, so it is tested without a display and any front end can drive it. Commands return at once and do
their work on worker threads; everything that happens is told to observers as `(kind, data)`:

    state         {"state": "disconnected|connecting|connected|reconnecting|error", "detail": str}
    connected     {"info": DeviceInfo, "session_dir": Path}
    connect_failed {"message": str, "kept": bool}   kept: the working session before the attempt goes on
    capture       {"path": Path, "ready": float (wall time), "session_dir": Path, "capture": Capture}
    log           {"message": str}                 a line for the transfer log (errors, retries, prompts)
    progress      {"path": str, "done": int, "total": int}
    shot          {"seconds": float}               the shutter's photo is ready this long after the press
    liveview      {"running": bool, "message": str, "mode": str}

`folders` (connect, connect_simulated, pair): the phone's camera folders to watch, as a list or the panel's
comma-separated text; None or empty finds them on the phone (tether.watcher.discover_folders). A bad value
raises ValueError before anything starts, so it never disturbs the working session.

Observers are called on whichever thread the event happened on; a GUI re-posts them to its own thread.

A connection attempt is a candidate: only when it has connected, identified the phone and started its
session does it replace the working one. A wrong address therefore never disturbs a running session.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .connection import DeviceConnection, Target
from .errors import TetherError
from .naming import DEFAULT_TEMPLATE, parse_folders, sanitise_component
from .session import Session

log = logging.getLogger(__name__)

Observer = Callable[[str, dict], None]
SIM_PROFILE = "realistic"  # what "Connect to simulated phone" starts: a phone with real-phone timings


class _Attempt:
    """What one connection attempt built; torn down as a unit if it fails or is superseded."""

    def __init__(self, number: int):
        self.number = number
        self.connection: DeviceConnection | None = None
        self.session: Session | None = None
        self.phone = None  # a SimulatedPhone started for this attempt
        self.phone_dir: Path | None = None

    def close(self) -> None:
        if self.session is not None:
            self.session.stop()
        if self.connection is not None:
            self.connection.close()
        if self.phone is not None:
            self.phone.stop()
        if self.phone_dir is not None:
            shutil.rmtree(self.phone_dir, ignore_errors=True)


class TetherController:
    def __init__(self, sessions_dir: Path, *, key_path: Path | None = None, develop=None, connector=None,
                 auth_timeout: float = 60.0):
        """`develop(path)` runs on the session thread for each verified capture (writes its look); errors it
        raises are reported, never fatal. `key_path` None uses the adb key the phone already trusts.
        `connector(target, key_path, **options)` returns a connected connection (tether.transport's
        connect_phone: adb-shell directly, or the adb server when it holds the phone or TLS is needed)."""
        self.sessions_dir = Path(sessions_dir)
        self.key_path = key_path
        self.develop = develop
        if connector is None:
            from .transport import connect_phone as connector
        self.connector = connector
        self.auth_timeout = auth_timeout
        # `svc power stayon` while tethered (restored at the end): a sleeping phone neither shoots nor streams
        self.keep_awake = True
        self.state, self.detail = "disconnected", ""
        self.info = None
        self.live: _Attempt | None = None  # the working connection + session
        self.liveview = None
        self._observers: list[Observer] = []
        self._lock = threading.Lock()
        self._attempt = 0
        self._workers: set[threading.Thread] = set()
        self._closed = False

    # ---- observing -------------------------------------------------------
    def observe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer(kind, data)` for every event; returns a function that stops it."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def _emit(self, kind: str, **data) -> None:
        for observer in list(self._observers):
            try:
                observer(kind, data)
            except Exception:  # an observer's bug must not stop the session thread
                log.exception("tether observer failed on %s", kind)

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state, self.detail = state, detail
        self._emit("state", state=state, detail=detail)

    # ---- properties the front end reads ----------------------------------
    @property
    def session(self) -> Session | None:
        return self.live.session if self.live else None

    @property
    def connection(self) -> DeviceConnection | None:
        return self.live.connection if self.live else None

    @property
    def phone(self):
        return self.live.phone if self.live else None

    @property
    def workers(self) -> int:
        """Worker threads still running (connect, stop, shutter): finished ones are forgotten."""
        with self._lock:
            return len(self._workers)

    # ---- connecting ------------------------------------------------------
    def connect(self, target: str | Target, name: str = "Session", template: str = DEFAULT_TEMPLATE,
                folders=None) -> int:
        """Start connecting to `target` ("host:port" or "usb:SERIAL"); returns the attempt number.
        Raises ValueError for text that is not an address, or bad `folders` (nothing else happens then)."""
        folders = parse_folders(folders)
        target = Target.parse(target) if isinstance(target, str) else target
        attempt = self._new_attempt(str(target))
        self._spawn(lambda: self._connect(attempt, target, name, template, folders), "darkslide-tether-connect")
        return attempt.number

    def connect_simulated(self, name: str = "Session", template: str = DEFAULT_TEMPLATE, folders=None,
                          **phone_options) -> int:
        """Start a simulated phone (realistic profile unless told otherwise) in-process and connect to it."""
        folders = parse_folders(folders)
        attempt = self._new_attempt("simulated phone")

        def work():
            from .simphone import SimulatedPhone
            try:
                options = dict(phone_options)
                options.setdefault("profile", SIM_PROFILE)
                attempt.phone_dir = Path(tempfile.mkdtemp(prefix="darkslide-simphone-"))
                attempt.phone = SimulatedPhone(attempt.phone_dir, port=0, **options).start()
            except (OSError, ValueError, TypeError) as exc:
                self._failed(attempt, f"Could not start the simulated phone: {exc}")
                return
            self._emit("log", message=f"Simulated phone listening on 127.0.0.1:{attempt.phone.port}")
            self._connect(attempt, Target("tcp", host="127.0.0.1", port=attempt.phone.port), name, template,
                          folders)
        self._spawn(work, "darkslide-tether-simphone")
        return attempt.number

    def pair(self, pair_address: str, code: str, connect_address: str, name: str = "Session",
             template: str = DEFAULT_TEMPLATE, server=None, folders=None) -> int:
        """Android 11+ Wireless debugging: pair with the six-digit code, `adb connect`, then connect as usual
        through the adb server. Runs on a worker; failures arrive as connect_failed with adb's words."""
        folders = parse_folders(folders)
        attempt = self._new_attempt(f"{connect_address} (pairing)")

        def work():
            from .transport import pair_wireless
            try:
                serial = pair_wireless(pair_address, code, connect_address, server)
            except TetherError as exc:
                self._failed(attempt, str(exc))
                return
            self._emit("log", message=f"Paired with {connect_address}")
            self._connect(attempt, Target("adb", serial=serial), name, template, folders)
        self._spawn(work, "darkslide-tether-pair")
        return attempt.number

    def _new_attempt(self, where: str) -> _Attempt:
        with self._lock:
            self._attempt += 1
            attempt = _Attempt(self._attempt)
        if self.live is None:
            self._set_state("connecting", where)
        else:  # the working session carries on while we try; say so without changing its state
            self._emit("log", message=f"Connecting to {where}…")
        return attempt

    def _current(self, attempt: _Attempt) -> bool:
        return attempt.number == self._attempt and not self._closed

    def _connect(self, attempt: _Attempt, target: Target, name: str, template: str, folders=None) -> None:
        try:
            conn = attempt.connection = self.connector(
                target, self.key_path, auth_timeout=self.auth_timeout, on_auth_prompt=lambda: self._emit(
                    "log", message="Unlock the phone and tap 'Allow' on 'Allow USB debugging?'"))
            info = conn.device_info()
            session_dir = self.sessions_dir / sanitise_component(name, "Session")
            attempt.session = Session(conn, session_dir, name, template=template, folders=folders,
                                      keep_awake=self.keep_awake,
                                      on_capture=lambda c: self._on_capture(attempt, c),
                                      on_event=lambda k, **d: self._on_session_event(attempt, k, d))
        except (TetherError, OSError, ValueError) as exc:
            self._failed(attempt, str(exc) or type(exc).__name__)
            return
        attempt.session.start(wait=10.0)
        with self._lock:
            superseded = not self._current(attempt)
            old, self.live = (None, self.live) if superseded else (self.live, attempt)
        if superseded:  # the user pressed Disconnect (or connected elsewhere) meanwhile
            attempt.close()
            return
        self._stop_liveview_quietly()
        if old is not None:
            old.close()
        self.info = info
        self._set_state("connected")
        self._emit("connected", info=info, session_dir=attempt.session.session_dir)

    def _failed(self, attempt: _Attempt, message: str) -> None:
        attempt.close()  # only what this attempt built: the working session is not touched
        if not self._current(attempt):
            return
        kept = self.live is not None
        if not kept:
            self._set_state("error", message)
        self._emit("connect_failed", message=message, kept=kept)
        if kept:
            self._emit("log", message=f"Kept the working connection; the new one failed: {message}")

    def disconnect(self) -> None:
        """Stop the session, the live view and the connection (on a worker); a pending attempt is dropped."""
        with self._lock:
            self._attempt += 1
            live, self.live = self.live, None
        self._stop_liveview_quietly()
        self.info = None
        self._set_state("disconnected")
        if live is not None:
            self._spawn(live.close, "darkslide-tether-stop")

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop everything and wait (bounded) for the workers, so none reports to a closed front end."""
        self.disconnect()
        self._closed = True
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join(timeout)

    # ---- session events --------------------------------------------------
    def _on_session_event(self, attempt: _Attempt, kind: str, data: dict) -> None:
        if self.live is not attempt:
            return  # a session being replaced or stopped: its news is no longer the user's concern
        if kind == "disconnected":
            self._set_state("reconnecting", data.get("message", ""))
            self._emit("log", message=f"Connection lost: {data.get('message', '')}")
        elif kind == "reconnecting":
            self._set_state("reconnecting", f"retry in {data.get('delay', 0):.0f} s")
        elif kind in ("reconnected", "connected"):
            if self.state != "connected":
                self._set_state("connected")
                self._emit("log", message="Reconnected")
        elif kind == "unauthorized":  # the phone forgot this computer: the session waits for "Allow"
            message = data.get("message") or "Unlock the phone and tap 'Allow' on 'Allow USB debugging?'"
            if self.state != "reconnecting" or self.detail != message:
                self._set_state("reconnecting", message)
                self._emit("log", message=message)
        elif kind == "progress":
            self._emit("progress", **data)
        elif kind == "capture":
            self._emit("captured", capture=data["capture"])
        elif kind == "listing":
            self._emit("log", message=data["message"])
        elif kind == "watching":
            self._emit("log", message="Watching: new photos are imported from now on")
        elif kind in ("error", "retry", "rejected", "prompt"):
            self._emit("log", message=f"{kind}: {data.get('message') or data.get('name') or ''}")

    def _on_capture(self, attempt: _Attempt, capture) -> None:
        """Session thread: develop the capture with the chosen look, then announce it."""
        if self.develop is not None:
            try:
                self.develop(capture.local_path)
            except Exception as exc:  # keep tethering; say which file and why
                self._emit("log", message=f"{capture.local_path.name}: look not applied ({exc})")
        self._emit("capture", path=capture.local_path, ready=capture.ready_time or time.time(),
                   session_dir=attempt.session.session_dir if attempt.session else capture.local_path.parent,
                   capture=capture)

    # ---- shutter ---------------------------------------------------------
    def shoot(self, timeout: float = 15.0) -> bool:
        """Fire the phone's shutter (on a worker). False, with a log line, when no phone is connected."""
        session = self.session
        if session is None or self.state != "connected":
            self._emit("log", message="Connect a phone first")
            return False

        def work():
            from .trigger import RemoteTrigger
            try:
                result = RemoteTrigger(session).fire(timeout=timeout)
            except TetherError as exc:
                self._emit("log", message=f"error: {exc}")
                return
            self._emit("shot", seconds=result.seconds_to_ready)
        self._spawn(work, "darkslide-shutter")
        return True

    # ---- live view -------------------------------------------------------
    def start_liveview(self, on_frame, **options) -> bool:
        """Start live view; `on_frame(frame)` runs on the live-view thread (see tether.liveview)."""
        if self.liveview is not None or self.connection is None:
            return False
        from .liveview import open_liveview
        view = open_liveview(self.connection, on_frame, on_stopped=self._liveview_stopped, **options)
        self.liveview = view
        self._emit("liveview", running=True, message="", mode=view.mode)
        return True

    def _liveview_stopped(self, view, error: Exception | None) -> None:
        if self.liveview is view:
            self.liveview = None
            self._emit("liveview", running=False, message=str(error) if error else "", mode=view.mode)

    def stop_liveview(self) -> None:
        view, self.liveview = self.liveview, None
        if view is not None:
            self._spawn(view.stop, "darkslide-liveview-stop")  # waits for the frame in flight
            self._emit("liveview", running=False, message="", mode=view.mode)

    def _stop_liveview_quietly(self) -> None:
        if self.liveview is not None:
            self.stop_liveview()

    # ---- workers ---------------------------------------------------------
    def _spawn(self, fn, name: str) -> threading.Thread:
        def run():
            try:
                fn()
            except Exception:
                log.exception("%s failed", name)
            finally:
                with self._lock:
                    self._workers.discard(threading.current_thread())
        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._workers.add(thread)
        thread.start()
        return thread
