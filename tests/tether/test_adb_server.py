"""The adb-server transport against a real Google adb server (the one in adbutils' wheel) talking to the
simulated phone: connect, shell, pull identical bytes, a whole ingest, live view on a stream of its own."""
from __future__ import annotations

import os

import pytest

from tether.adb_server import AdbServer, PairingError, ServerConnection, bundled_adb, server_running
from tether.errors import NoDeviceError
from tether.session import Session
from tether_helpers import free_port, lists_since, md5_of, no_timed_lists, wait_events_live
from test_helpers import wait_for

ADB = bundled_adb()
pytestmark = pytest.mark.skipif(ADB is None, reason="Google's adb is not installed (adbutils ships it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # A private server (own port, own HOME and key): a developer's real server is untouched. One per module:
    # starting adb costs ~3 s.
    home = tmp_path_factory.mktemp("adbhome")
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    srv = AdbServer(port=free_port(), adb=ADB)
    try:
        srv.start()
        yield srv
    finally:
        srv.kill()
        if saved is not None:
            os.environ["HOME"] = saved
    wait_for(lambda: not server_running(port=srv.port), "the killed adb server to stop answering")


@pytest.fixture
def served_phone(make_phone, server):
    phone = make_phone(approve_after=0.0)  # the "user" taps Allow for the server's fresh key at once
    serial = server.connect_wireless(f"127.0.0.1:{phone.port}")
    wait_for(lambda: server.devices().get(serial) == "device", f"adb to list {serial} as a device")
    return phone, serial


def test_a_phone_held_by_the_adb_server_is_used_through_it(served_phone, server, tmp_path):
    phone, serial = served_phone
    conn = ServerConnection(serial, server).connect()
    assert conn.shell("getprop ro.product.model").strip() == phone.model
    info = conn.device_info()
    assert info.model == phone.model and info.serial == phone.serial
    shot = phone.shoot()
    assert shot.done.wait(5)
    names = [e.name for e in conn.list_dir("/sdcard/DCIM/Camera")]
    assert shot.device_path.rsplit("/", 1)[1] in names
    size, md5 = conn.pull(shot.device_path, tmp_path / "pulled.jpg")
    assert md5 == shot.md5 == md5_of(tmp_path / "pulled.jpg") and size == (tmp_path / "pulled.jpg").stat().st_size
    assert conn.stat("/sdcard/DCIM/Camera/none.jpg") is None
    assert conn.exec_out("screencap -p").startswith(b"\x89PNG\r\n\x1a\n")


def test_a_session_ingests_and_live_view_streams_through_the_server(served_phone, server, tmp_path):
    pytest.importorskip("av")
    from screenrecord_helper import ScreenRecorder
    from tether.liveview import LiveView
    phone, serial = served_phone
    ScreenRecorder(phone, size=(720, 1560))
    conn = ServerConnection(serial, server).connect()
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    frames = []
    view = LiveView(conn, frames.append).start()
    try:
        shot = phone.shoot()
        assert session.wait_for_captures(1, timeout=15)
        wait_for(lambda: len(frames) >= 10, "10 live view frames")
    finally:
        view.stop()
        session.stop()
    assert session.captures[0].md5 == shot.md5
    assert view.mode == "h264" and len(frames) >= 10 and frames[-1].rgb.shape == (1560, 720, 3)


def test_an_unknown_serial_and_a_failed_pairing_say_what_to_do(server):
    with pytest.raises(NoDeviceError, match="does not know"):
        ServerConnection("NOPE123", server).connect()
    with pytest.raises(PairingError, match="six digits"):
        server.pair(f"127.0.0.1:{free_port()}", "12ab")
    with pytest.raises(PairingError, match="Pair device with pairing code"):
        server.pair(f"127.0.0.1:{free_port()}", "123456")  # nobody listens there


def test_a_usb_phone_held_by_the_server_is_used_through_it_not_refused(served_phone, server, monkeypatch,
                                                                      host_key):
    from tether.connection import DeviceConnection, Target
    from tether.errors import UsbBusyError
    from tether.transport import connect_phone
    phone, serial = served_phone

    def busy(self):  # what libusb says while the adb server has claimed the interface
        raise UsbBusyError("held")
    monkeypatch.setattr(DeviceConnection, "connect", busy)
    conn = connect_phone(Target("usb", serial=serial), host_key, server=server)
    assert isinstance(conn, ServerConnection) and conn.shell("getprop ro.serialno").strip() == phone.serial
    with pytest.raises(UsbBusyError):  # a phone the server does not have either: the error stands
        connect_phone(Target("usb", serial="OTHER"), host_key, server=server)


def test_the_controller_connects_through_the_server_by_adb_target(served_phone, server, tmp_path):
    import threading
    from tether.controller import TetherController
    from tether.transport import connect_phone
    phone, serial = served_phone
    controller = TetherController(tmp_path / "sessions",
                                  connector=lambda t, k, **o: connect_phone(t, k, server=server, **o))
    connected = threading.Event()
    controller.observe(lambda kind, data: connected.set() if kind == "connected" else None)
    controller.connect(f"adb:{serial}", "Server shoot")
    try:
        assert connected.wait(15) and controller.state == "connected"
        assert isinstance(controller.connection, ServerConnection)
        assert controller.shoot()
        assert controller.session.wait_for_captures(1, timeout=15)
    finally:
        controller.shutdown()


def test_a_failed_pairing_reaches_the_controller_in_words(server, tmp_path):
    import threading
    from tether.controller import TetherController
    controller = TetherController(tmp_path / "sessions")
    failed = []
    done = threading.Event()
    controller.observe(lambda kind, data: (failed.append(data), done.set()) if kind == "connect_failed" else None)
    controller.pair(f"127.0.0.1:{free_port()}", "123456", f"127.0.0.1:{free_port()}", server=server)
    try:
        assert done.wait(30)
        assert controller.state == "error"
    finally:
        controller.shutdown()
    assert "Pairing with" in failed[0]["message"]


def test_through_the_server_captures_are_found_by_the_phones_inotifyd(make_phone, server, tmp_path, monkeypatch):
    no_timed_lists(monkeypatch)
    phone = make_phone(approve_after=0.0, profile="realistic", roll=300, lock="none")
    serial = server.connect_wireless(f"127.0.0.1:{phone.port}")
    wait_for(lambda: server.devices().get(serial) == "device", f"adb to list {serial} as a device")
    conn = ServerConnection(serial, server).connect()
    # 60 s of stability for a file written in place: a capture in within 15 s was known whole from its event
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=60.0,
                      folders=["/sdcard/DCIM/Camera"]).start()
    try:
        wait_events_live(session)
        mark = len(phone.sync_requests)
        shots = [phone.shoot(), phone.shoot()]
        assert session.wait_for_captures(2, 15)
        assert lists_since(phone, mark) == 0, \
            f"no LIST: the events named the captures ({session.watcher.events.distrusted or 'events trusted'})"
    finally:
        session.stop()
    assert sorted(c.md5 for c in session.captures) == sorted(s.md5 for s in shots)
