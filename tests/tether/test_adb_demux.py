"""Long streams beside ingest on one adb-shell connection (a USB phone reached directly): adb_demux's reader.
TCP with `shared_streams=True, fast_pull=False` stands in for USB: adb-shell and the demux use the transport
the same way; the USB-only part (libusb's partial read on a timeout) is tested with a fake transport."""
from __future__ import annotations

import os
import statistics
import time

import pytest

from tether import adbproto as p
from tether.adb_demux import DemuxTransport
from tether.connection import DeviceConnection
from tether.liveview import LiveView
from tether.session import Session

from tether_helpers import let_it_look, lists_since, md5_of, no_timed_lists, wait_events_live
from test_helpers import wait_for

CAMERA = "/sdcard/DCIM/Camera"


def test_a_usb_read_that_times_out_keeps_the_bytes_it_got():
    usb1 = pytest.importorskip("usb1")
    from adb_shell.exceptions import UsbReadFailedError
    message = p.pack_message(p.WRTE, 7, 9, b"hello phone")

    class FakeUsb:
        def __init__(self):
            self.reads = [message[:10], ("timeout", message[10:16]), message[16:24], message[24:]]

        def bulk_read(self, numbytes, timeout):
            if not self.reads:
                time.sleep(timeout)
                raise UsbReadFailedError("timeout", usb1.USBErrorTimeout(-7))
            chunk = self.reads.pop(0)
            if isinstance(chunk, tuple):  # libusb got part of a transfer, then timed out: the part is in `received`
                error = usb1.USBErrorTimeout(-7)
                error.received = chunk[1]
                raise UsbReadFailedError("timeout", error)
            return chunk

        def connect(self, timeout):
            pass

        def close(self):
            pass

    demux = DemuxTransport(FakeUsb())
    demux.connect(1.0)
    assert demux.bulk_read(24, 2.0) == message[:24]  # adb-shell sees the message whole, as sent
    assert demux.bulk_read(100, 2.0) == b"hello phone"
    demux.close()


def _connect_shared(phone, host_key):
    return DeviceConnection(f"127.0.0.1:{phone.port}", key_path=host_key, fast_pull=False, shared_streams=True,
                            io_timeout=3.0).connect()


def test_an_idle_side_stream_does_not_hold_up_a_pull(make_phone, host_key, tmp_path):
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=0, lock="none", link_mb_s=None)
    body = os.urandom(1_500_000)
    (phone.folder / "big.jpg").write_bytes(body)
    conn = _connect_shared(phone, host_key)

    def pull_median():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            size, _ = conn.pull(f"{CAMERA}/big.jpg", tmp_path / "big.jpg")
            times.append(time.perf_counter() - started)
            assert size == len(body)
        return statistics.median(times)
    try:
        alone = pull_median()
        phone.screen.sleep()  # screenrecord of a dark screen sends nothing: the stream sits idle
        stream = conn.open_exec_stream("screenrecord --output-format=h264 -")
        idle = pull_median()
        assert stream.read(0.2) == b""
        phone.screen.wake()
        deadline, got = time.monotonic() + 15, b""
        while len(got) < 1000 and time.monotonic() < deadline:  # x264 takes its time on a loaded machine
            got += stream.read(0.2)
        stream.close()
        assert conn.shell("echo still here").strip() == "still here"
    finally:
        conn.close()
    # adb-shell's own stream multiplexing: ~30x slower here (its reader waits in recv holding the lock)
    assert idle < 3 * alone + 0.05, (alone, idle)
    assert len(got) >= 1000 and got.startswith(b"\x00\x00\x00\x01"), "H.264 resumes on the same stream"


def test_events_and_live_view_share_the_one_connection_with_ingest(make_phone, host_key, tmp_path, monkeypatch):
    pytest.importorskip("av")
    no_timed_lists(monkeypatch)
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=200, lock="none")
    phone.screen.wake()
    conn = _connect_shared(phone, host_key)
    # 60 s of stability for a file written in place: a capture in within 15 s was known whole from its event
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=60.0, folders=[CAMERA]).start()
    frames = []
    view = LiveView(conn, frames.append).start()
    try:
        wait_events_live(session)
        mark = len(phone.sync_requests)
        shots = [phone.shoot()]
        assert session.wait_for_captures(1, 15)
        shots.append(phone.shoot())
        assert session.wait_for_captures(2, 15)
        assert lists_since(phone, mark) == 0, \
            f"found by inotifyd on a side stream, no LIST ({session.watcher.events.distrusted or 'events trusted'})"
        # The shot taken while the cable is out is found by a LIST; the usual stability wait is enough for it
        session.watcher.stable_seconds = 0.25
        phone.disconnect_all()  # the cable: every stream ends with the connection
        shots.append(phone.shoot())
        assert session.wait_for_captures(3, 15), "reconnected and found the shot taken meanwhile"
        wait_for(lambda: len(frames) >= 10, "10 live view frames")
        let_it_look(phone, 8)  # a capture pulled twice would land now
    finally:
        view.stop()
        session.stop()
        conn.close()
    assert view.mode == "h264" and len(frames) >= 10
    landed = sorted(q for q in (tmp_path / "s").iterdir() if q.suffix == ".jpg")
    assert sorted(md5_of(q) for q in landed) == sorted(s.md5 for s in shots)
