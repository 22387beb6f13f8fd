"""Remote shutter and screen-capture live view against the simulated phone."""
from __future__ import annotations

import pytest

from tether.liveview import LiveView, decode_size, grab_frame
from tether.session import Session
from tether.trigger import RemoteTrigger, TriggerTimeout
from tether_helpers import md5_of
from test_helpers import wait_for


def test_trigger_reports_the_capture_it_caused(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        result = RemoteTrigger(session).fire(timeout=10)
        volume = RemoteTrigger(session, key="volume_up").fire(timeout=10)
    finally:
        session.stop()
    assert "am start -a android.media.action.STILL_IMAGE_CAMERA" in phone.commands
    assert "input keyevent 27" in phone.commands and "input keyevent 24" in phone.commands
    assert len(phone.camera.shots) == 2
    assert result.capture.md5 == phone.camera.shots[0].md5 == md5_of(result.capture.local_path)
    assert volume.capture.md5 == phone.camera.shots[1].md5
    assert result.capture.shutter_time == result.pressed_at
    assert 0 < result.seconds_to_ready < 5


def test_trigger_times_out_with_a_clear_message(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        phone.camera_active = False
        trigger = RemoteTrigger(session, key="volume_down", open_camera=False)  # volume does nothing here
        with pytest.raises(TriggerTimeout, match="no photo arrived"):
            trigger.fire(timeout=0.8)
    finally:
        session.stop()


def test_live_view_frames_decode_and_fps_is_measured(phone, connect):
    conn = connect(phone)
    assert decode_size(grab_frame(conn)) == phone.screen_size
    frames = []
    view = LiveView(conn, frames.append, prefer="screencap").start()
    try:
        wait_for(lambda: len(frames) >= 3, "3 screencap frames")
    finally:
        view.stop()
    assert view.error is None and view.mode == "screencap"
    assert len(frames) >= 3 and view.fps > 2
    assert frames[-1].rgb.shape == (phone.screen_size[1], phone.screen_size[0], 3)
    assert (frames[0].rgb != frames[-1].rgb).any(), "the scene moves between frames"
