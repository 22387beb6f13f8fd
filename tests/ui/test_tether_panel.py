"""Tethering from the real window: connect to the in-process simulated phone, fire the shutter, and see the
capture at the end of the filmstrip with the chosen look in its sidecar."""
from __future__ import annotations

import pytest

from editor.core import sidecar as sidecars
from ui_helpers import qimage_array

pytest.importorskip("tether.session")


def _fast_simulated(panel, tmp_path):
    """`panel` with its keys and sessions in `tmp_path`, offering the fast simulated phone with small photos."""
    panel.key_path = tmp_path / "adbkey"
    panel.sessions_dir = tmp_path / "sessions"
    panel.sim_options = {"profile": "fast", "image_size": "small", "write_duration": 0.05}
    return panel


@pytest.mark.slow  # the realistic phone: ~5-8 s
def test_capture_from_the_simulated_phone_lands_in_the_filmstrip_with_its_look(qtbot, make_window, photo_folder,
                                                                           tmp_path):
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None and window.looks.item("Monochrome") is not None, timeout=10000)
    panel = window.tether
    panel.key_path = tmp_path / "keys" / "adbkey"
    panel.key_path.parent.mkdir()
    panel.sessions_dir = tmp_path / "sessions"
    panel.sim_options = {"image_size": "small", "write_duration": 0.05}
    panel.refresh_looks(list(window.looks.presets))
    panel.look.setCurrentText("Monochrome")
    assert panel.auto_look == "Monochrome"
    panel.session_name.setText("Test shoot")
    assert panel.next_name.text() == "next: Test shoot_0001.jpg"
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    # The device info comes with the controller's "connected" event, queued just after the state change.
    qtbot.waitUntil(lambda: panel.info_label.text() != "", timeout=10000)
    assert "Pixel" in panel.info_label.text()  # the GUI's simulated phone is the realistic profile's
    qtbot.waitUntil(lambda: window.model.library.folder == panel.session.session_dir, timeout=10000)
    panel.shoot()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20000)
    entry = window.model.entry(0)
    assert entry.path.parent == panel.session.session_dir
    car = sidecars.load(entry.path)
    assert car.edit.look["name"] == "Monochrome"
    qtbot.waitUntil(lambda: window.last_result is not None and window.doc.path == entry.path, timeout=10000)
    qtbot.waitUntil(lambda: window.last_result.edit.look is not None, timeout=10000)
    pixels = qimage_array(window.last_result.image)
    assert (pixels.max(axis=2) - pixels.min(axis=2)).mean() < 3  # shown with the monochrome look
    assert any("✓" in panel.log.item(i).text() for i in range(panel.log.count()))
    panel.live_button.click()
    qtbot.waitUntil(lambda: panel.live_window is not None and panel.live_window.frames >= 2, timeout=10000)
    assert panel.live_window.fps.text().endswith("fps")
    assert not panel.live_window.image.pixmap().isNull()
    panel.live_button.click()
    assert panel.liveview is None and panel.live_window is None
    panel.disconnect()
    assert panel.state == "disconnected"


def test_a_dropped_connection_shows_reconnecting_then_recovers(qtbot, make_window, photo_folder, tmp_path):
    window = make_window(photo_folder)
    panel = _fast_simulated(window.tether, tmp_path)
    states = []
    panel.controller.observe(lambda kind, data: states.append(data["state"]) if kind == "state" else None)
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    panel.phone.disconnect_all()  # the cable is pulled
    qtbot.waitUntil(lambda: "reconnecting" in states, timeout=15000)
    qtbot.waitUntil(lambda: any("Connection lost" in panel.log.item(i).text() for i in range(panel.log.count())),
                    timeout=10000)
    qtbot.waitUntil(lambda: "connected" in states[states.index("reconnecting"):], timeout=20000)
    panel.shoot()  # and tethering works again
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20000)
    panel.disconnect()


def test_connecting_to_nothing_reports_why_without_blocking(qtbot, make_window, photo_folder, tmp_path):
    import socket
    window = make_window(photo_folder)
    panel = window.tether
    panel.key_path = tmp_path / "adbkey"
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    panel.host_edit.setText(f"127.0.0.1:{port}")
    panel.connect_to(panel.host_edit.text())
    assert panel.state == "connecting"  # returned at once: the attempt runs on a worker
    qtbot.waitUntil(lambda: panel.state == "error", timeout=15000)
    assert "Cannot connect to the phone" in window.statusBar().currentMessage()
    assert not panel.shutter_button.isEnabled()


def _closed_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sim_panel(qtbot, make_window, photo_folder, tmp_path):
    window = make_window(photo_folder)
    panel = _fast_simulated(window.tether, tmp_path)
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    return window, panel


def _logged(panel, text: str) -> bool:
    return any(text in panel.log.item(i).text() for i in range(panel.log.count()))


def test_a_failed_wifi_connect_leaves_the_working_session_alone(qtbot, make_window, photo_folder, tmp_path):
    window, panel = _sim_panel(qtbot, make_window, photo_folder, tmp_path)
    session, phone = panel.session, panel.phone
    states = []
    panel.controller.observe(lambda kind, data: states.append(data["state"]) if kind == "state" else None)
    panel.host_edit.setText(f"127.0.0.1:{_closed_port()}")  # a wrong address
    panel.wifi_connect.click()
    qtbot.waitUntil(lambda: _logged(panel, "Cannot connect"), timeout=15000)
    qtbot.wait(500)  # before: the simulated phone was stopped here and the session looped "reconnecting"
    assert states == [] and panel.state == "connected"
    assert panel.session is session and panel.phone is phone and not session.stopping
    assert panel.shutter_button.isEnabled()
    panel.shoot()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20000)
    assert states == [], "the session stayed connected up to a capture after the failed connect"


def test_a_long_usb_error_wraps_and_keeps_the_buttons_in_view(qtbot, make_window, photo_folder, tmp_path):
    window = make_window(photo_folder)
    panel = window.tether
    window.left.setCurrentIndex(window.left.count() - 1)  # the tether tab
    scroll = panel.parentWidget().parentWidget()
    message = ("Could not open the USB phone (usb:first): USBErrorAccess: LIBUSB_ERROR_ACCESS [-3] while claiming "
               "interface 0 of device 12d1:107e on bus 3 port 4; see 'Tethering set-up' for the udev rule")
    panel.controller._set_state("error", message)
    qtbot.wait(50)
    viewport = scroll.viewport().width()
    assert panel.width() <= viewport  # before: the one-line label widened the panel past the viewport
    for button in (panel.usb_connect, panel.wifi_connect, panel.shutter_button, panel.live_button):
        right = button.mapTo(panel, button.rect().topRight()).x()
        assert right <= viewport, button.text()
    assert "LIBUSB_ERROR_ACCESS" in panel.state_label.toolTip()


def test_take_picture_and_disconnect_look_disabled_while_disconnected(qtbot, make_window, photo_folder):
    import numpy as np
    from PySide6.QtWidgets import QApplication
    from editor.ui import theme
    app = QApplication.instance()
    sheet, palette = app.styleSheet(), app.palette()
    theme.apply(app)  # the application's own style sheet, as the photographer sees it
    window = make_window(photo_folder)
    panel = window.tether
    window.left.setCurrentIndex(window.left.count() - 1)
    assert panel.state == "disconnected"
    assert not panel.shutter_button.isEnabled() and not panel.disconnect_button.isEnabled()

    def looks(button):
        return qimage_array(button.grab().toImage()).astype(float)
    disabled = [looks(b) for b in (panel.shutter_button, panel.disconnect_button)]
    panel.shutter_button.setEnabled(True)
    panel.disconnect_button.setEnabled(True)
    enabled = [looks(b) for b in (panel.shutter_button, panel.disconnect_button)]
    app.setStyleSheet(sheet)
    app.setPalette(palette)
    for off, on in zip(disabled, enabled):
        # before: the style sheet's fixed colours drew both states identically
        assert np.abs(off - on).mean() > 4


def test_a_capture_into_a_folder_not_on_show_offers_a_jump(qtbot, make_window, photo_folder, tmp_path):
    window, panel = _sim_panel(qtbot, make_window, photo_folder, tmp_path)
    session_dir = panel.session.session_dir
    qtbot.waitUntil(lambda: window.model.library.folder == session_dir, timeout=10000)
    window.open_folder(photo_folder)  # the photographer looks at something else meanwhile
    qtbot.waitUntil(lambda: window.model.library.folder == photo_folder, timeout=10000)
    panel.shoot()
    qtbot.waitUntil(lambda: panel.jump_button.isVisibleTo(panel), timeout=20000)
    assert window.model.library.folder == photo_folder  # not mixed into the folder on show
    panel.jump_button.click()
    qtbot.waitUntil(lambda: window.model.library.folder == session_dir and window.model.rowCount() == 1,
                    timeout=10000)
    assert not panel.jump_button.isVisibleTo(panel)


def test_the_panel_works_without_a_main_window(qtbot, tmp_path):
    """Given a controller and callbacks only; captures reach the GUI thread, workers do not pile up, and a
    live view that loses its phone says why."""
    import threading
    from PySide6.QtCore import QSettings
    from editor.ui.tether_panel import LookDeveloper, PanelHost, TetherPanel
    from tether.controller import TetherController

    shown, opened, statuses = [], [], []
    folder = {"now": None}
    host = PanelHost(status=lambda text, ms=0: statuses.append(text),
                     show_capture=lambda p: shown.append((p, threading.current_thread() is threading.main_thread())),
                     open_folder=lambda f: (opened.append(f), folder.update(now=f)), shown_folder=lambda: folder["now"],
                     run_task=lambda fn, done: done(fn()))
    controller = TetherController(tmp_path / "sessions", key_path=tmp_path / "adbkey")
    panel = TetherPanel(controller, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), host,
                        LookDeveloper(None))
    qtbot.addWidget(panel)
    panel.sim_options = {"profile": "fast", "image_size": "small", "write_duration": 0.05}
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    # the folder opens on the controller's "connected" event, which follows the state change
    qtbot.waitUntil(lambda: len(opened) > 0, timeout=10000)
    assert opened == [controller.session.session_dir]
    for n in range(1, 4):
        panel.shoot()
        qtbot.waitUntil(lambda: len(shown) == n, timeout=20000)
    assert all(on_gui for _, on_gui in shown)
    qtbot.waitUntil(lambda: controller.workers == 0, timeout=10000)  # before: a list that only grew
    panel.toggle_liveview()
    qtbot.waitUntil(lambda: panel.live_window is not None and panel.live_window.frames >= 1, timeout=10000)
    controller.phone.stop()  # the phone goes away under live view
    qtbot.waitUntil(lambda: _logged(panel, "Live view stopped"), timeout=15000)
    assert panel.live_window is None and panel.live_button.text() == "Live view"
    panel.shutdown()


def test_the_pairing_dialog_checks_its_fields_and_hands_them_to_the_controller(qtbot, make_window, photo_folder,
                                                                              monkeypatch):
    window = make_window(photo_folder)
    panel = window.tether
    calls = []
    monkeypatch.setattr(panel.controller, "pair", lambda *args, **kw: calls.append(args))
    dialog = panel.open_pairing()
    dialog.pair_address.setText("192.168.1.20:37099")
    dialog.code.setText("12a")
    dialog.connect_address.setText("192.168.1.20:41234")
    dialog.pair_button.click()
    assert dialog.isVisible() and "six digits" in dialog.problem.text() and not calls
    dialog.code.setText("482913")
    dialog.pair_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert calls and calls[0][:3] == ("192.168.1.20:37099", "482913", "192.168.1.20:41234")
    assert any("Pairing with 192.168.1.20:37099" in panel.log.item(i).text() for i in range(panel.log.count()))


def test_a_harmonyos_next_phone_in_the_list_is_explained_not_connected(qtbot, make_window, photo_folder,
                                                                       monkeypatch):
    import tether.usb_devices as usb_devices
    from tether.adb_server import AdbServer
    window = make_window(photo_folder)
    panel = window.tether
    phone = usb_devices.UsbPhone("HM1", "Mate 70", 0x12D1, 0x107E, True, kind="hdc")
    monkeypatch.setattr(usb_devices, "list_usb_phones", lambda: [phone])
    monkeypatch.setattr(AdbServer, "devices", lambda self: {})
    attempts = []
    monkeypatch.setattr(panel.controller, "connect", lambda *a, **k: attempts.append(a))
    panel.refresh_usb()
    qtbot.waitUntil(lambda: panel.usb_list.count() == 1, timeout=10000)
    assert "not supported" in panel.usb_list.itemText(0)
    panel.usb_connect.click()
    assert not attempts and "HarmonyOS NEXT" in window.statusBar().currentMessage()


def test_typed_camera_folders_are_watched_and_remembered(qtbot, make_window, photo_folder, tmp_path):
    import os
    import shutil
    window = make_window(photo_folder)
    panel = _fast_simulated(window.tether, tmp_path)
    captured = []
    panel.controller.observe(lambda kind, data: captured.append(data["capture"].device_path)
                             if kind == "capture" else None)
    panel.folders.setText("DCIM/Tethered")  # not an absolute phone path: refused, nothing starts
    panel.sim_button.click()
    assert panel.state == "disconnected" and panel.phone is None
    assert _logged(panel, "not an absolute phone path")
    panel.folders.setText("/sdcard/DCIM/Camera/Tethered")  # a folder the phone's own search would not find
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    assert panel.session.watcher.folders == ["/sdcard/DCIM/Camera/Tethered"]
    assert panel.settings.value("tether/folders") == "/sdcard/DCIM/Camera/Tethered"
    assert not panel.folders.isEnabled()  # it applies to the next connection, so it is not editable meanwhile
    shot = panel.phone.shoot()  # lands in /sdcard/DCIM/Camera: not watched
    assert shot.done.wait(10)
    part = panel.phone.folder.parent / "copy.part"  # outside the phone's storage until it is complete
    shutil.copyfile(shot.local_path, part)
    (panel.phone.folder / "Tethered").mkdir()
    os.replace(part, panel.phone.folder / "Tethered" / "IMG_0001.jpg")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20000)
    # time enough for the unwatched shot to arrive too, were it watched: the session looks 10 more times
    def looks():
        return sum(path == "/sdcard/DCIM/Camera/Tethered" for _, path in list(panel.phone.sync_requests))
    seen = looks()
    qtbot.waitUntil(lambda: looks() >= seen + 10, timeout=10000)
    assert captured == ["/sdcard/DCIM/Camera/Tethered/IMG_0001.jpg"] and window.model.rowCount() == 1
    panel.disconnect()
