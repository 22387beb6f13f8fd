"""H.264 live view on its own connection, its restart before screenrecord's limit, the screencap fallback, and
that a slow screencap live view no longer starves ingest."""
from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("av")

from screenrecord_helper import ScreenRecorder, read_mark  # noqa: E402
from tether.liveview import LiveView, screenrecord_command, scaled_size  # noqa: E402
from tether.session import Session  # noqa: E402
from test_helpers import wait_for  # noqa: E402


def _collect(view_frames, count, timeout=15.0):
    """True once `count` frames arrived; x264 and the decoder are slow on a loaded machine, hence the bound."""
    deadline = time.monotonic() + timeout
    while len(view_frames) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(view_frames) >= count


def test_h264_frames_arrive_decoded_at_720_px_on_a_connection_of_their_own(phone, connect):
    recorder = ScreenRecorder(phone, size=(1080, 2340))
    conn = connect(phone)
    accepted = phone.connections_accepted
    frames = []
    view = LiveView(conn, frames.append).start()
    try:
        assert _collect(frames, 20)
    finally:
        view.stop()
    assert view.mode == "h264" and view.error is None
    assert frames[-1].rgb.shape == (1560, 720, 3)  # 720 px wide, the phone's aspect
    assert "--size 720x1560" in recorder.commands[0] and "--output-format=h264" in recorder.commands[0]
    numbers = [read_mark(f.rgb) for f in frames]
    assert numbers == sorted(numbers) and numbers[-1] > numbers[0]  # in order, and the screen moves
    assert phone.connections_accepted == accepted + 1  # its own connection...
    assert not any("screencap" in c for c in phone.commands)  # ...and nothing on ingest's
    assert view.decode_seconds > 0


def test_frames_are_shown_within_a_few_frame_intervals_of_being_drawn(phone, connect):
    recorder = ScreenRecorder(phone, size=(720, 1560))
    frames = []
    view = LiveView(connect(phone), frames.append).start()
    try:
        assert _collect(frames, 30)
    finally:
        view.stop()
    latencies = sorted(f.received - recorder.sent[read_mark(f.rgb)] for f in frames[5:])
    assert latencies[len(latencies) // 2] < 0.15  # median, frame drawn on the phone -> decoded here


def test_screenrecord_is_restarted_before_its_time_limit(phone, connect):
    recorder = ScreenRecorder(phone, size=(720, 1560))
    frames = []
    view = LiveView(connect(phone), frames.append, restart_after=1.2).start()
    try:
        assert _collect(frames, 10)
        count = recorder.streams
        wait_for(lambda: recorder.streams >= count + 1, "screenrecord to be started again")
        seen = len(frames)
        assert _collect(frames, seen + 10)  # and the picture keeps coming after the restart
    finally:
        view.stop()
    assert view.restarts >= 1 and view.error is None
    assert "--time-limit 180" in recorder.commands[0]


def test_a_phone_without_screenrecord_falls_back_to_screencap(phone, connect):
    ScreenRecorder(phone, present=False)
    frames = []
    view = LiveView(connect(phone), frames.append).start()
    try:
        assert _collect(frames, 3)
    finally:
        view.stop()
    assert view.mode == "screencap" and view.error is None
    assert frames[-1].rgb.shape == (phone.screen_size[1], phone.screen_size[0], 3)


def test_a_lost_phone_stops_live_view_and_says_why(phone, connect):
    ScreenRecorder(phone, size=(720, 1560))
    frames, stopped = [], []
    done = threading.Event()
    view = LiveView(connect(phone), frames.append, on_stopped=lambda v, e: (stopped.append(e), done.set())).start()
    assert _collect(frames, 3)
    phone.stop()
    assert done.wait(10)
    view.stop()
    assert stopped and stopped[0] is not None and str(stopped[0])
    assert view.error is stopped[0]


def test_slow_screencap_live_view_leaves_ingest_its_turn(phone, connect, tmp_path):
    """With every screencap taking 0.7 s (a real phone's best case), a capture still arrives promptly."""
    ScreenRecorder(phone, present=False)
    original = phone.screen_png
    phone.screen_png = lambda: (time.sleep(0.7), original())[1]
    conn = connect(phone)
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    view = LiveView(conn, lambda f: None).start()
    try:
        wait_for(lambda: any("screencap" in c for c in phone.commands), "live view to take its first screencap")
        shot = phone.shoot()
        assert shot.done.wait(5)
        began = time.monotonic()
        assert session.wait_for_captures(1, timeout=6)
        took = time.monotonic() - began
    finally:
        view.stop()
        session.stop()
    assert view.mode == "screencap" and view.frames >= 1
    assert took < 3.0  # before: live view re-took the lock at once and the capture waited 9 s or more


def test_screenrecord_command_and_sizes():
    assert scaled_size(1080, 2400, 720) == (720, 1600)
    assert scaled_size(540, 1170, 720) == (540, 1170)  # never enlarged
    assert scaled_size(1081, 2341, 720) == (720, 1558)  # even, as H.264 needs
    cmd = screenrecord_command((720, 1600))
    assert cmd.startswith("screenrecord --output-format=h264 --size 720x1600") and cmd.endswith(" -")


def test_the_realistic_simulated_phone_streams_to_live_view(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", roll=0, trusted_keys=[host_key])
    conn = connect(phone)
    conn.shell("svc power stayon usb")  # its screen sleeps after a minute otherwise
    frames = []
    view = LiveView(conn, frames.append).start()
    try:
        assert _collect(frames, 10)
    finally:
        view.stop()
    assert view.mode == "h264" and view.error is None
    assert frames[-1].rgb.shape == (1600, 720, 3)  # its 1080 x 2400 screen, 720 px wide
