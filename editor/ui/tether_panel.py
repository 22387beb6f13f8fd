"""The tether panel: connect a phone (USB, Wi-Fi or the simulated phone), run a capture session, fire the
shutter, watch live view, and see each pull. New captures get the chosen look written into their sidecar
on the session thread and then appear at the end of the filmstrip.

All tether calls (connect, shell commands, pulls) run on worker threads; session events reach the GUI
through queued signals.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QVBoxLayout, QWidget)

from editor.core.sidecar import SidecarError
from presets import PresetError
from presets.autolook import SAME_AS_PREVIOUS, AutoLook
from editor.ui import theme
from tether.connection import DeviceConnection, Target
from tether.errors import TetherError
from tether.naming import DEFAULT_TEMPLATE, Namer
from tether.session import Session
from tether.trigger import RemoteTrigger

MAX_LOG = 200  # lines kept in the pull log


def default_sessions_dir() -> Path:
    from tether.cli import default_sessions_dir as sessions
    return sessions()


class TetherPanel(QWidget):
    event = Signal(str, object)  # session event kind, data
    connected = Signal(object, object)  # connection, DeviceInfo
    connect_failed = Signal(str)
    capture_ready = Signal(object, float)  # local path, wall time it was ready
    frame = Signal(QImage, float)  # live-view frame, fps

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.key_path: Path | None = None  # None: the adb key the phone already trusts, else our own
        self.sessions_dir = Path(window.settings.value("tether/sessions_dir", str(default_sessions_dir())))
        self.connection: DeviceConnection | None = None
        self.session: Session | None = None
        self.phone = None  # a SimulatedPhone started from this panel
        self._phone_dir: Path | None = None
        self.liveview = None
        self.live_window: LiveViewWindow | None = None
        self.ready_times: dict[Path, float] = {}  # wall time each capture was verified on disk
        self.complete_times: dict[Path, float] = {}  # wall time its file stopped growing on the phone
        self.sim_options = {"image_size": "medium"}  # 2000 x 1500 JPEGs from the simulated phone
        self.auto_look = "None"  # read by the session thread, so kept out of the widget
        self._auto: AutoLook | None = None  # used on the session thread only
        self._attempt = 0  # numbers connection attempts so a cancelled one is dropped when it completes
        self._workers: list[threading.Thread] = []  # connect/stop/shutter threads, joined on shutdown
        self._build()
        self.event.connect(self._on_event)
        self.connected.connect(self._on_connected)
        self.connect_failed.connect(self._on_connect_failed)
        self.capture_ready.connect(self._on_capture)
        self._set_state("disconnected")

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        box = QGroupBox("Phone")
        col = QVBoxLayout(box)
        self.usb_list = QComboBox()
        self.usb_list.setPlaceholderText("USB phones")
        self.usb_list.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.usb_list.setMinimumContentsLength(6)
        self.usb_refresh = QPushButton(theme.icon("mdi6.usb"), "")
        self.usb_refresh.setToolTip("Look for phones on USB")
        self.usb_refresh.clicked.connect(self.refresh_usb)
        usb_connect = QPushButton("Connect")
        usb_connect.clicked.connect(lambda: self.connect_to(f"usb:{self.usb_list.currentData() or ''}"))
        col.addWidget(_row(self.usb_list, self.usb_refresh, usb_connect))
        self.host = QLineEdit(self.window.settings.value("tether/host", ""))
        self.host.setPlaceholderText("Wi-Fi: 192.168.1.20:5555")
        wifi_connect = QPushButton("Connect")
        wifi_connect.clicked.connect(lambda: self.connect_to(self.host.text().strip()))
        col.addWidget(_row(self.host, wifi_connect))
        self.sim_button = QPushButton(theme.icon("mdi6.cellphone-link"), "Connect to simulated phone")
        self.sim_button.clicked.connect(self.connect_simulated)
        col.addWidget(self.sim_button)
        self.state_label = QLabel()
        self.info_label = QLabel("")
        self.info_label.setWordWrap(True)
        self.info_label.setObjectName("photoInfo")
        self.disconnect_button = QPushButton("Disconnect")
        self.disconnect_button.clicked.connect(self.disconnect)
        col.addWidget(self.state_label)
        col.addWidget(self.info_label)
        col.addWidget(self.disconnect_button)
        layout.addWidget(box)

        sbox = QGroupBox("Session")
        sform = QFormLayout(sbox)
        self.session_name = QLineEdit(time.strftime("Shoot %Y-%m-%d"))
        self.template = QLineEdit(DEFAULT_TEMPLATE)
        self.template.setToolTip("Fields: {session} {date} {time} {seq} {model} {orig}")
        self.next_name = QLabel("")
        self.next_name.setObjectName("photoInfo")
        self.next_name.setWordWrap(True)
        self.look = QComboBox()
        self.look.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.look.setMinimumContentsLength(8)
        self.look.setToolTip("Look applied to every new capture")
        self.look.currentTextChanged.connect(lambda t: setattr(self, "auto_look", t or "None"))
        for w in (self.session_name, self.template):
            w.textChanged.connect(self._update_next_name)
        sform.addRow("Name", self.session_name)
        sform.addRow("File names", self.template)
        sform.addRow("", self.next_name)
        sform.addRow("Look", self.look)
        layout.addWidget(sbox)

        self.shutter_button = QPushButton(theme.icon("mdi6.camera-iris"), "Take picture  (F12)")
        self.shutter_button.setObjectName("shutter")
        self.shutter_button.clicked.connect(self.shoot)
        self.live_button = QPushButton(theme.icon("mdi6.video"), "Live view")
        self.live_button.clicked.connect(self.toggle_liveview)
        layout.addWidget(self.shutter_button)
        layout.addWidget(self.live_button)
        layout.addWidget(QLabel("Transfers"))
        self.log = QListWidget()
        self.log.setObjectName("tetherLog")
        self.log.setWordWrap(True)
        self.log.setMinimumHeight(140)
        self.log.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.log, 1)
        self._update_next_name()

    def refresh_looks(self, names: list[str]) -> None:
        current = self.look.currentText()
        self.look.clear()
        self.look.addItems(["None", SAME_AS_PREVIOUS])
        self.look.addItems(names)
        self.look.setCurrentText(current or "None")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.window.looks is not None:
            self.refresh_looks(list(self.window.looks.presets))

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        colours = {"connected": "#7fc97f", "connecting": "#e0c060", "reconnecting": "#e0a040",
                   "disconnected": "#9a9a9a", "error": "#e06060"}
        self.state_label.setText(f"<span style='color:{colours.get(state, '#ccc')}'>● {state}</span>"
                                 + (f" — {detail}" if detail else ""))
        live = state in ("connected", "reconnecting")
        self.shutter_button.setEnabled(state == "connected")
        self.live_button.setEnabled(state == "connected")
        self.disconnect_button.setEnabled(live or state == "connecting")
        for w in (self.session_name, self.template, self.sim_button):
            w.setEnabled(not live and state != "connecting")

    def _update_next_name(self) -> None:
        try:
            if self.session is not None:
                name = self.session.preview_next_name()
            else:
                name = Namer(self.template.text(), self.session_name.text() or "session").name(1, "IMG_0001.jpg")
            self.next_name.setText(f"next: {name}")
        except (ValueError, KeyError, TetherError) as exc:
            self.next_name.setText(f"⚠ {exc}")

    def _log(self, text: str) -> None:
        self.log.addItem(text)
        while self.log.count() > MAX_LOG:
            self.log.takeItem(0)
        self.log.scrollToBottom()

    # -- connecting ------------------------------------------------------------------------------
    def refresh_usb(self) -> None:
        from tether.usb_devices import list_usb_phones

        def shown(phones):
            self.usb_list.clear()
            for p in phones:
                self.usb_list.addItem(f"{p.model or 'phone'} {p.serial}" + ("" if p.accessible else " (no access)"),
                                      p.serial)
            if not phones:
                self.window.status("No phone with USB debugging found")
        self.window.tasks.run(list_usb_phones, done=shown)

    def connect_simulated(self) -> None:
        """Start a simulated phone in-process on a temporary folder and connect to it."""
        from tether.simphone import SimulatedPhone
        self._phone_dir = Path(tempfile.mkdtemp(prefix="darkslide-simphone-"))
        self.phone = SimulatedPhone(self._phone_dir, port=0, **self.sim_options).start()
        self._log(f"Simulated phone listening on 127.0.0.1:{self.phone.port}")
        self.connect_to(f"127.0.0.1:{self.phone.port}")

    def connect_to(self, target_text: str) -> None:
        if not target_text:
            self.window.status("Enter the phone's address (host:port)")
            return
        try:
            target = Target.parse(target_text)
        except ValueError:
            self.window.status(f"Not an address: {target_text}")
            return
        if target.kind == "tcp" and self.phone is None:
            self.window.settings.setValue("tether/host", target_text)
        self._set_state("connecting", str(target))
        self._attempt += 1
        attempt = self._attempt
        name, template = self.session_name.text().strip() or "Session", self.template.text()

        def work():
            try:
                conn = DeviceConnection(target, self.key_path, auth_timeout=60.0, on_auth_prompt=lambda: self.event.emit(
                    "prompt", {"message": "Unlock the phone and tap 'Allow' on 'Allow USB debugging?'"}))
                conn.connect()
                info = conn.device_info()
                session = Session(conn, self.sessions_dir / _safe(name), name, template=template,
                                  on_capture=self._hook, on_event=lambda k, **d: self.event.emit(k, d))
            except (TetherError, OSError, ValueError) as exc:
                self.connect_failed.emit(str(exc) or type(exc).__name__)
                return
            session.start(wait=10.0)
            if attempt != self._attempt:  # the user pressed Disconnect (or connected elsewhere) meanwhile
                session.stop()
                conn.close()
                return
            self.session = session
            self.connected.emit(conn, info)
        self._workers.append(threading.Thread(target=work, name="darkslide-tether-connect", daemon=True))
        self._workers[-1].start()

    def _hook(self, capture) -> None:
        """Runs on the session thread for each verified capture: write the look, then tell the GUI."""
        self.complete_times[capture.local_path] = capture.complete_time
        look, looks = self.auto_look, self.window.looks
        if look != "None" and looks is not None:
            try:
                self._develop(look, looks.store)(capture.local_path)
            except (PresetError, SidecarError, OSError) as exc:  # keep tethering; say what went wrong
                self.event.emit("error", {"message": f"{capture.local_path.name}: look not applied ({exc})"})
        self.capture_ready.emit(capture.local_path, capture.ready_time or time.time())

    def _develop(self, look: str, store) -> AutoLook:
        """One AutoLook per chosen look, so "Same as previous" remembers the previous capture."""
        if self._auto is None or self._auto.look != look:
            self._auto = AutoLook(look, store=store, preview_size=None)
        return self._auto

    def _on_connected(self, conn, info) -> None:
        self.connection = conn
        self.info_label.setText(info.summary())
        self._set_state("connected")
        self._log(f"Connected: {info.summary()}")
        self._update_next_name()
        folder = self.session.session_dir
        if self.window.model.library.folder != folder:
            self.window.open_folder(folder)  # the session's captures are the library now

    def _on_connect_failed(self, message: str) -> None:
        if self.state != "connecting":
            return  # cancelled meanwhile
        self._set_state("error", message[:80])
        self._log(f"Cannot connect: {message}")
        self.window.status(f"Cannot connect to the phone: {message}", 10000)
        self._stop_phone()

    def disconnect(self) -> None:
        self._attempt += 1  # a connection still being made is dropped when it arrives
        self.stop_liveview()
        session, conn = self.session, self.connection
        self.session = self.connection = None
        self._set_state("disconnected")

        def work():
            if session is not None:
                session.stop()
            if conn is not None:
                conn.close()
            self._stop_phone()
        self._workers.append(threading.Thread(target=work, name="darkslide-tether-stop", daemon=True))
        self._workers[-1].start()

    def _stop_phone(self) -> None:
        phone, folder = self.phone, self._phone_dir
        self.phone = self._phone_dir = None
        if phone is not None:
            phone.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    # -- session events --------------------------------------------------------------------------
    def _on_event(self, kind: str, data: dict) -> None:
        if kind == "progress":
            total = data.get("total") or 0
            pct = f"{100 * data['done'] / total:.0f} %" if total else f"{data['done']} bytes"
            self._progress_line(data["path"], f"pulling {Path(data['path']).name}: {pct}")
        elif kind == "capture":
            cap = data["capture"]
            took = f", {cap.shutter_to_ready:.2f} s after the shutter" if cap.shutter_to_ready else ""
            self._progress_line(cap.device_path, f"✓ {cap.local_path.name} ({cap.size / 1e6:.1f} MB{took})")
            self._update_next_name()
        elif kind == "disconnected":
            self._set_state("reconnecting", data.get("message", "")[:60])
            self._log(f"Connection lost: {data.get('message', '')}")
            self.window.status("Phone disconnected — reconnecting…")
        elif kind == "reconnecting":
            self._set_state("reconnecting", f"retry in {data.get('delay', 0):.0f} s")
        elif kind in ("reconnected", "connected") and self.session is not None:
            self._set_state("connected")
            if kind == "reconnected":
                self._log("Reconnected")
        elif kind == "shot":
            self.window.status(f"Captured: ready {data['seconds']:.2f} s after the shutter")
        elif kind in ("error", "retry", "rejected", "prompt"):
            message = data.get("message") or data.get("name") or ""
            self._log(f"{kind}: {message}")
            self.window.status(f"Tether: {message}", 8000)

    def _progress_line(self, key: str, text: str) -> None:
        for i in range(self.log.count() - 1, max(-1, self.log.count() - 20), -1):
            item = self.log.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setText(text)
                return
        self._log(text)
        self.log.item(self.log.count() - 1).setData(Qt.ItemDataRole.UserRole, key)

    def _on_capture(self, path: Path, ready: float) -> None:
        self.ready_times[Path(path)] = ready
        self.window.add_capture(Path(path))

    # -- shutter and live view -------------------------------------------------------------------
    def shoot(self) -> None:
        if self.session is None or self.state != "connected":
            self.window.status("Connect a phone first")
            return
        session = self.session

        def work():
            try:
                result = RemoteTrigger(session).fire(timeout=15.0)
            except TetherError as exc:
                self.event.emit("error", {"message": str(exc)})
                return
            self.event.emit("shot", {"seconds": result.seconds_to_ready})
        self._workers.append(threading.Thread(target=work, name="darkslide-shutter", daemon=True))
        self._workers[-1].start()

    def toggle_liveview(self) -> None:
        if self.liveview is not None:
            self.stop_liveview()
            return
        from tether.liveview import LiveView
        if self.connection is None:
            return
        self.live_window = LiveViewWindow(self)
        self.frame.connect(self.live_window.show_frame)
        self.live_window.closed.connect(self.stop_liveview)

        def on_frame(png: bytes) -> None:
            image = QImage.fromData(png, "PNG")  # decoded here, on the live-view thread
            self.frame.emit(image, self.liveview.fps if self.liveview else 0.0)
        self.liveview = LiveView(self.connection, on_frame, max_fps=15).start()
        self.live_window.show()
        self.live_button.setText("Stop live view")

    def stop_liveview(self) -> None:
        lv, self.liveview = self.liveview, None
        if lv is not None:  # stopping waits for the frame in flight: not on the GUI thread
            self._workers.append(threading.Thread(target=lv.stop, name="darkslide-liveview-stop", daemon=True))
            self._workers[-1].start()
        if self.live_window is not None:
            self.live_window.closed.disconnect()
            self.live_window.close()
            self.live_window = None
        self.live_button.setText("Live view")

    def shutdown(self) -> None:
        """Stop tethering and wait (briefly) for its threads, so none reports to a deleted panel."""
        self._attempt += 1
        self.stop_liveview()
        if self.session is not None:
            self.session.stop(timeout=5)
        if self.connection is not None:
            self.connection.close()
        self.session = self.connection = None
        for worker in self._workers:
            worker.join(timeout=5)
        self._stop_phone()


class LiveViewWindow(QWidget):
    """The phone's screen, refreshed as frames arrive, with the measured frame rate."""

    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Live view")
        self.image = QLabel("Waiting for the first frame…")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(270, 480)
        self.fps = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.fps)
        self.frames = 0
        self.resize(300, 600)

    def show_frame(self, image: QImage, fps: float) -> None:
        self.frames += 1
        pix = QPixmap.fromImage(image).scaled(self.image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pix)
        self.fps.setText(f"{fps:.1f} fps")

    def closeEvent(self, event) -> None:
        self.closed.emit()
        super().closeEvent(event)


def _row(*widgets) -> QWidget:
    w = QWidget()
    row = QHBoxLayout(w)
    row.setContentsMargins(0, 0, 0, 0)
    for i, x in enumerate(widgets):
        row.addWidget(x, 1 if i == 0 else 0)
    return w


def _safe(name: str) -> str:
    from tether.naming import sanitise_component
    return sanitise_component(name, "Session")
