"""Tethering from the real window: connect to the in-process simulated phone, fire the shutter, and see the
capture at the end of the filmstrip with the chosen look in its sidecar."""
from __future__ import annotations

import pytest

from editor.core import sidecar as sidecars
from ui_helpers import qimage_array

pytest.importorskip("tether.session")


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
    panel.session_name.setText("Test shoot")
    assert panel.next_name.text() == "next: Test shoot_0001.jpg"
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    assert "ELS-NX9" in panel.info_label.text()
    qtbot.waitUntil(lambda: window.model.library.folder == panel.session.session_dir, timeout=5000)
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
    panel = window.tether
    panel.key_path = tmp_path / "adbkey"
    panel.sessions_dir = tmp_path / "sessions"
    panel.sim_options = {"image_size": "small", "write_duration": 0.05}
    states = []
    original = panel._set_state
    panel._set_state = lambda state, detail="": (states.append(state), original(state, detail))
    panel.sim_button.click()
    qtbot.waitUntil(lambda: panel.state == "connected", timeout=20000)
    panel.phone.disconnect_all()  # the cable is pulled
    qtbot.waitUntil(lambda: "reconnecting" in states, timeout=15000)
    assert any("Connection lost" in panel.log.item(i).text() for i in range(panel.log.count()))
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
    panel.host.setText(f"127.0.0.1:{port}")
    panel.connect_to(panel.host.text())
    assert panel.state == "connecting"  # returned at once: the attempt runs on a worker
    qtbot.waitUntil(lambda: panel.state == "error", timeout=15000)
    assert "Cannot connect to the phone" in window.statusBar().currentMessage()
    assert not panel.shutter_button.isEnabled()
