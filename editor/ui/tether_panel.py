"""The tether panel: connect a phone (USB, Wi-Fi, the adb server or the simulated phone), fire the shutter,
watch live view, and see each pull.

The panel shows a Qt-free `TetherController` (tether.controller) and sends it commands; the controller's
events arrive on worker threads and are re-posted to the GUI thread through one queued signal. The panel is
given what it needs (controller, settings and a few callbacks), never the main window.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from presets.autolook import SAME_AS_PREVIOUS, AutoLook
from editor.ui import theme
from tether.controller import TetherController, parse_folders
from tether.errors import TetherError
from tether.naming import DEFAULT_TEMPLATE, Namer

MAX_LOG = 200  # lines kept in the pull log
STATE_DETAIL = 120  # characters of a state's detail shown under the buttons; the rest is in the tooltip
# The application style sheet gives every QPushButton a fixed text colour, which hides the palette's
# disabled colour: a disabled "Take picture" looked exactly like an active one.
DISABLED_STYLE = ("QPushButton:disabled { color: #67676c; background: #262629; border-color: #303034; }"
                  "QPushButton#shutter:disabled { background: #3a2a2a; border-color: #45302f; }")


def default_sessions_dir() -> Path:
    from tether.cli import default_sessions_dir as sessions
    return sessions()


class LookDeveloper:
    """Writes the chosen look into each capture's sidecar, on the session thread. Plain Python: it never
    reads a widget; the panel tells it the look's name (a string assignment) on the GUI thread."""

    def __init__(self, store=None):
        self.store = store
        self.look = "None"
        self._auto: AutoLook | None = None

    def __call__(self, path: Path) -> None:
        look = self.look
        if look == "None" or self.store is None:
            return
        if self._auto is None or self._auto.look != look:  # one AutoLook per look: "same as previous" remembers
            self._auto = AutoLook(look, store=self.store, preview_size=None)
        self._auto(path)


@dataclass
class PanelHost:
    """What the panel may ask of the application (all called on the GUI thread)."""
    status: Callable[[str, int], None]
    show_capture: Callable[[Path], None]  # append a capture to the filmstrip of the folder on show
    open_folder: Callable[[Path], None]
    shown_folder: Callable[[], "Path | None"]
    run_task: Callable  # run_task(fn, done=callback): fn on a worker, callback on the GUI thread


class TetherPanel(QWidget):
    event = Signal(str, object)  # controller event kind, data (queued to the GUI thread)
    frame = Signal(QImage, float)  # live-view frame, fps

    def __init__(self, controller: TetherController, settings, host: PanelHost, developer: LookDeveloper | None = None,
                 parent=None):
        super().__init__(parent)
        self.controller, self.settings, self.host = controller, settings, host
        self.developer = developer
        self.live_window: LiveViewWindow | None = None
        self.sim_options: dict = {}  # extra SimulatedPhone options (tests pick a fast phone)
        self.pending_jump: tuple[Path, Path] | None = None  # (session folder, capture) not yet on show
        self.state = "disconnected"
        self.setStyleSheet(DISABLED_STYLE)
        self._build()
        self.event.connect(self._on_event)
        self._unobserve = controller.observe(lambda kind, data: self.event.emit(kind, data))
        self._set_state("disconnected")

    # convenient views of the controller, for the window and tests
    @property
    def session(self):
        return self.controller.session

    @property
    def connection(self):
        return self.controller.connection

    @property
    def phone(self):
        return self.controller.phone

    @property
    def liveview(self):
        return self.controller.liveview

    @property
    def sessions_dir(self) -> Path:
        return self.controller.sessions_dir

    @sessions_dir.setter
    def sessions_dir(self, folder: Path) -> None:
        self.controller.sessions_dir = Path(folder)

    @property
    def key_path(self):
        return self.controller.key_path

    @key_path.setter
    def key_path(self, path) -> None:
        self.controller.key_path = path

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
        self.usb_connect = QPushButton("Connect")
        self.usb_connect.clicked.connect(self._connect_listed)
        col.addWidget(_row(self.usb_list, self.usb_refresh, self.usb_connect))
        self.host_edit = QLineEdit(self.settings.value("tether/host", ""))
        self.host_edit.setPlaceholderText("Wi-Fi: 192.168.1.20:5555")
        self.wifi_connect = QPushButton("Connect")
        self.wifi_connect.clicked.connect(lambda: self.connect_to(self.host_edit.text().strip()))
        self.pair_button = QPushButton("Pair…")
        self.pair_button.setToolTip("Android 11+ Wireless debugging: pair this computer with a six-digit code")
        self.pair_button.clicked.connect(self.open_pairing)
        col.addWidget(_row(self.host_edit, self.wifi_connect, self.pair_button))
        self.sim_button = QPushButton(theme.icon("mdi6.cellphone-link"), "Connect to simulated phone")
        self.sim_button.clicked.connect(self.connect_simulated)
        col.addWidget(self.sim_button)
        self.state_label = _wrapping_label()
        self.info_label = _wrapping_label()
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
        self.next_name = _wrapping_label()
        self.next_name.setObjectName("photoInfo")
        self.look = QComboBox()
        self.look.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.look.setMinimumContentsLength(8)
        self.look.setToolTip("Look applied to every new capture")
        self.look.currentTextChanged.connect(self._look_chosen)
        for w in (self.session_name, self.template):
            w.textChanged.connect(self._update_next_name)
        sform.addRow("Name", self.session_name)
        sform.addRow("File names", self.template)
        sform.addRow("", self.next_name)
        sform.addRow("Look", self.look)
        self.folders = QLineEdit(self.settings.value("tether/folders", ""))
        self.folders.setPlaceholderText("camera folders: found on the phone")
        self.folders.setToolTip("Camera folders to watch on the phone, comma-separated (e.g. /sdcard/DCIM/Camera, "
                                "/storage/1A2B-3C4D/DCIM/Camera). Empty: every DCIM folder is found on the phone.")
        sform.addRow("Folders", self.folders)  # "Camera folders" would widen the panel
        self.keep_awake = QCheckBox("Keep phone awake")
        self.keep_awake.setToolTip("Keep the phone's screen on while tethered and plugged in (svc power stayon), "
                                   "restored when you disconnect: a sleeping phone takes no picture and shows no "
                                   "live view")
        self.keep_awake.setChecked(self.controller.keep_awake)
        self.keep_awake.toggled.connect(lambda on: setattr(self.controller, "keep_awake", on))
        sform.addRow("", self.keep_awake)
        layout.addWidget(sbox)

        self.shutter_button = QPushButton(theme.icon("mdi6.camera-iris"), "Take picture  (F12)")
        self.shutter_button.setObjectName("shutter")
        self.shutter_button.clicked.connect(self.shoot)
        self.live_button = QPushButton(theme.icon("mdi6.video"), "Live view")
        self.live_button.clicked.connect(self.toggle_liveview)
        self.jump_button = QPushButton(theme.icon("mdi6.arrow-right-bold"), "")
        self.jump_button.setToolTip("Open the session folder and show the newest capture")
        self.jump_button.clicked.connect(self.jump_to_capture)
        self.jump_button.hide()
        layout.addWidget(self.shutter_button)
        layout.addWidget(self.live_button)
        layout.addWidget(self.jump_button)
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

    def _look_chosen(self, name: str) -> None:
        if self.developer is not None:
            self.developer.look = name or "None"

    @property
    def auto_look(self) -> str:
        return self.developer.look if self.developer is not None else "None"

    def _set_state(self, state: str, detail: str = "") -> None:
        self.state = state
        colours = {"connected": "#7fc97f", "connecting": "#e0c060", "reconnecting": "#e0a040",
                   "disconnected": "#9a9a9a", "error": "#e06060"}
        short = detail if len(detail) <= STATE_DETAIL else detail[:STATE_DETAIL - 1] + "…"
        self.state_label.setText(f"<span style='color:{colours.get(state, '#ccc')}'>● {state}</span>"
                                 + (f" — {_html(short)}" if short else ""))
        self.state_label.setToolTip(detail)
        live = state in ("connected", "reconnecting")
        self.shutter_button.setEnabled(state == "connected")
        self.live_button.setEnabled(state == "connected")
        self.disconnect_button.setEnabled(live or state == "connecting")
        for w in (self.session_name, self.template, self.folders, self.sim_button, self.keep_awake):
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
        from tether.usb_devices import UsbScanError, list_usb_phones

        from tether.adb_server import AdbServer, AdbServerError

        def scan():
            phones, problem, served = [], "", {}
            try:
                phones = list_usb_phones()
            except UsbScanError as exc:  # not "no phone": say what stopped us looking
                problem = str(exc)
            try:
                served = AdbServer().devices()  # phones the user's adb server holds (USB or Wi-Fi)
            except AdbServerError:
                pass
            return phones, problem, served

        def shown(result):
            phones, problem, served = result
            self.usb_list.clear()
            for p in phones:
                self.usb_list.addItem(p.label, f"usb:{p.serial}" if p.kind == "adb" else f"explain:{p.problem}")
                if p.problem:
                    self._log(p.problem)
            for serial, state in served.items():
                self.usb_list.addItem(f"{serial} (adb server{'' if state == 'device' else ', ' + state})",
                                      f"adb:{serial}")
            if self.usb_list.count():
                self.usb_list.setCurrentIndex(0)
            phones = phones or list(served)
            if problem:
                self._log(f"USB: {problem}")
                self.host.status(f"Cannot look for USB phones: {problem}", 10000)
            elif not phones:
                self.host.status("No phone with USB debugging found", 6000)
        self.host.run_task(scan, done=shown)

    def _connect_listed(self) -> None:
        target = self.usb_list.currentData() or "usb:"
        if target.startswith("explain:"):  # HarmonyOS NEXT, or USB debugging off: say why, do not try
            self._log(target[8:])
            self.host.status(target[8:], 10000)
            return
        self.connect_to(target)

    def _camera_folders(self) -> str | None:
        """The typed camera folders if the controller accepts them (remembered then), else None, having said
        why: a bad value starts nothing and leaves a working session alone."""
        text = self.folders.text().strip()
        try:
            parse_folders(text)
        except ValueError as exc:
            self._log(str(exc))
            self.host.status(str(exc), 10000)
            return None
        self.settings.setValue("tether/folders", text)
        return text

    def connect_simulated(self) -> None:
        """Start a simulated phone (realistic profile) in-process and connect to it."""
        name, template = self.session_name.text().strip() or "Session", self.template.text()
        folders = self._camera_folders()
        if folders is not None:
            self.controller.connect_simulated(name, template, folders=folders, **self.sim_options)

    def connect_to(self, target_text: str) -> None:
        if not target_text:
            self.host.status("Enter the phone's address (host:port)", 6000)
            return
        name, template = self.session_name.text().strip() or "Session", self.template.text()
        folders = self._camera_folders()
        if folders is None:
            return
        try:
            self.controller.connect(target_text, name, template, folders=folders)
        except ValueError:
            self.host.status(f"Not an address: {target_text}", 6000)
            return
        if not target_text.startswith("usb:"):
            self.settings.setValue("tether/host", target_text)

    def disconnect(self) -> None:
        self.controller.disconnect()

    def open_pairing(self) -> "PairingDialog":
        """The Wireless debugging pairing dialog; on Pair, the controller pairs and connects (on a worker)."""
        dialog = PairingDialog(self, self.settings.value("tether/pair_connect", ""))

        def pair():
            pair_at, code, connect_at = dialog.values()
            self.settings.setValue("tether/pair_connect", connect_at)
            name, template = self.session_name.text().strip() or "Session", self.template.text()
            folders = self._camera_folders()
            if folders is None:
                return
            self.controller.pair(pair_at, code, connect_at, name, template, folders=folders)
            self._log(f"Pairing with {pair_at}…")
        dialog.accepted.connect(pair)
        dialog.open()
        self.pairing = dialog
        return dialog

    # -- controller events (GUI thread) ----------------------------------------------------------
    def _on_event(self, kind: str, data: dict) -> None:
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(data)

    def _on_state(self, data: dict) -> None:
        self._set_state(data["state"], data.get("detail", ""))
        if data["state"] == "disconnected":
            self.info_label.setText("")
            self._close_live_window()

    def _on_connected(self, data: dict) -> None:
        info = data["info"]
        self.info_label.setText(info.summary())
        self._log(f"Connected: {info.summary()}")
        self._update_next_name()
        if self.host.shown_folder() != data["session_dir"]:
            self.host.open_folder(data["session_dir"])  # the session's captures are the library now

    def _on_connect_failed(self, data: dict) -> None:
        message = data["message"]
        self._log(f"Cannot connect: {message}")
        self.host.status(f"Cannot connect to the phone: {message}", 10000)

    def _on_log(self, data: dict) -> None:
        self._log(data["message"])
        if data["message"].startswith(("error:", "Connection lost", "Unlock the phone")):
            self.host.status(f"Tether: {data['message']}", 8000)

    def _on_progress(self, data: dict) -> None:
        total = data.get("total") or 0
        pct = f"{100 * data['done'] / total:.0f} %" if total else f"{data['done']} bytes"
        self._progress_line(data["path"], f"pulling {Path(data['path']).name}: {pct}")

    def _on_captured(self, data: dict) -> None:
        cap = data["capture"]
        took = f", {cap.shutter_to_ready:.2f} s after the shutter" if cap.shutter_to_ready else ""
        self._progress_line(cap.device_path, f"✓ {cap.local_path.name} ({cap.size / 1e6:.1f} MB{took})")
        self._update_next_name()

    def _on_capture(self, data: dict) -> None:
        path, session_dir = Path(data["path"]), Path(data["session_dir"])
        if self.host.shown_folder() == session_dir:
            self.host.show_capture(path)
            return
        # Another folder is open: don't mix it with the session, but offer the way there.
        self.pending_jump = (session_dir, path)
        self.jump_button.setText(f"Show {path.name} (in {session_dir.name})")
        self.jump_button.show()
        self.host.status(f"Captured {path.name} into {session_dir} — use the Tether panel's Show button", 10000)

    def _on_shot(self, data: dict) -> None:
        self.host.status(f"Captured: ready {data['seconds']:.2f} s after the shutter", 6000)

    def _on_liveview(self, data: dict) -> None:
        running = data["running"]
        self.live_button.setText("Stop live view" if running else "Live view")
        if not running:
            if data.get("message"):
                self._log(f"Live view stopped: {data['message']}")
                self.host.status(f"Live view stopped: {data['message']}", 8000)
            self._close_live_window()

    def jump_to_capture(self) -> None:
        if self.pending_jump is None:
            return
        folder, _ = self.pending_jump
        self.pending_jump = None
        self.jump_button.hide()
        self.host.open_folder(folder)

    def _progress_line(self, key: str, text: str) -> None:
        for i in range(self.log.count() - 1, max(-1, self.log.count() - 20), -1):
            item = self.log.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setText(text)
                return
        self._log(text)
        self.log.item(self.log.count() - 1).setData(Qt.ItemDataRole.UserRole, key)

    # -- shutter and live view -------------------------------------------------------------------
    def shoot(self) -> None:
        if not self.controller.shoot():
            self.host.status("Connect a phone first", 6000)

    def toggle_liveview(self) -> None:
        if self.controller.liveview is not None:
            self.stop_liveview()
            return
        if self.controller.connection is None:
            return
        self.live_window = LiveViewWindow(self)
        self.frame.connect(self.live_window.show_frame)
        self.live_window.closed.connect(self.stop_liveview)

        def on_frame(frame) -> None:  # live-view thread: wrap the RGB array, let Qt show it
            h, w, _ = frame.rgb.shape
            image = QImage(frame.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
            view = self.controller.liveview
            self.frame.emit(image, view.fps if view else 0.0)
        if not self.controller.start_liveview(on_frame):
            self._close_live_window()
            return
        self.live_window.show()

    def stop_liveview(self) -> None:
        self.controller.stop_liveview()
        self._close_live_window()

    def _close_live_window(self) -> None:
        window, self.live_window = self.live_window, None
        if window is not None:
            self.frame.disconnect(window.show_frame)
            window.closed.disconnect()
            window.close()
        self.live_button.setText("Live view")

    def shutdown(self) -> None:
        """Stop tethering and wait (briefly) for its threads, so none reports to a deleted panel."""
        self._close_live_window()
        self._unobserve()
        self.controller.shutdown()


class PairingDialog(QDialog):
    """The three things Wireless debugging shows: where to pair, the code, and where to connect."""

    def __init__(self, parent=None, connect_address: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Pair with Wireless debugging")
        help_text = _wrapping_label()
        help_text.setText("On the phone: Developer options › Wireless debugging › Pair device with pairing code. "
                          "Type the address and the six-digit code it shows, and the IP address & Port from "
                          "the Wireless debugging screen itself.")
        self.pair_address = QLineEdit()
        self.pair_address.setPlaceholderText("192.168.1.20:37099")
        self.code = QLineEdit()
        self.code.setPlaceholderText("123456")
        self.code.setMaxLength(6)
        self.connect_address = QLineEdit(connect_address)
        self.connect_address.setPlaceholderText("192.168.1.20:41234")
        self.problem = _wrapping_label()
        form = QFormLayout(self)
        form.addRow(help_text)
        form.addRow("Pairing address", self.pair_address)
        form.addRow("Pairing code", self.code)
        form.addRow("Connect address", self.connect_address)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.pair_button = buttons.addButton("Pair", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return self.pair_address.text().strip(), self.code.text().strip(), self.connect_address.text().strip()

    def _check(self) -> None:
        pair_at, code, connect_at = self.values()
        if ":" not in pair_at or ":" not in connect_at:
            self.problem.setText("Both addresses are IP:port, as the phone shows them.")
        elif not (code.isdigit() and len(code) == 6):
            self.problem.setText("The pairing code is six digits.")
        else:
            self.accept()


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


def _wrapping_label() -> QLabel:
    """A label that wraps instead of widening the panel (long error messages used to push the buttons out)."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _row(*widgets) -> QWidget:
    w = QWidget()
    row = QHBoxLayout(w)
    row.setContentsMargins(0, 0, 0, 0)
    for i, x in enumerate(widgets):
        row.addWidget(x, 1 if i == 0 else 0)
    return w
