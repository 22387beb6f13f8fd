"""The simulated phone's screen, lock screen, screenrecord and restart, driven through adb-shell (and a raw
host for screenrecord's bytes) over loopback. The screen's clock is replaced by a hand-moved one, so the
timeout is tested without waiting for it."""
from __future__ import annotations

import io
import socket
import time

import pytest
from PIL import Image

from phone_model_host import Host, shell_packets
from tether.errors import TetherError
from tether.simphone.screen import Screen
from tether.simphone.screenrecord import read_mark
from test_helpers import wait_for

CAMERA = "/sdcard/DCIM/Camera"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def _realistic(make_phone, host_key, clock, lock="swipe", timeout=60.0, **options):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, image_size="small", processing_s=0.0,
                       screencap_min_s=0.0, screencap_max_s=0.0, **options)
    phone.screen = Screen(timeout, lock, plugged="usb", clock=clock)
    return phone


def _refused(port: int) -> bool:
    """True once nothing listens on `port` (a connection attempt during the listener's close may fail otherwise)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        pass
    return False


def _photos(phone) -> list[str]:
    return [p.name for p in phone.folder.iterdir() if not p.name.startswith(".")]


def _state(conn) -> tuple[str, bool]:
    power, window = conn.shell("dumpsys power"), conn.shell("dumpsys window")
    wakefulness = next(line.split("=")[1] for line in power.splitlines() if "mWakefulness=" in line)
    return wakefulness.strip(), "isKeyguardShowing=true" in window and "mDreamingLockscreen=true" in window


def test_screen_sleeps_locks_and_the_camera_key_takes_nothing_until_woken_and_unlocked(make_phone, connect,
                                                                                        host_key, clock):
    phone = _realistic(make_phone, host_key, clock)
    conn = connect(phone)
    assert _state(conn) == ("Awake", False)
    clock.now += 61  # a minute without input: screen_off_timeout
    assert _state(conn) == ("Asleep", True)
    assert "Display Power: state=OFF" in conn.shell("dumpsys power")
    conn.shell("input keyevent 27")
    conn.shell("am start -a android.media.action.STILL_IMAGE_CAMERA")
    assert phone.ignored_shutters == 1 and not phone.camera_active
    png = conn.exec_out("screencap -p")
    assert Image.open(io.BytesIO(png)).convert("L").getextrema() == (0, 0)  # a dark display: black
    conn.shell("input keyevent KEYCODE_WAKEUP")
    assert _state(conn) == ("Awake", True)  # awake, but the lock screen shows
    conn.shell("input keyevent 27")
    assert phone.ignored_shutters == 2
    conn.shell("input keyevent 82")  # MENU dismisses a swipe lock screen
    assert _state(conn) == ("Awake", False)
    conn.shell("input keyevent 27")
    assert phone.camera.shots and phone.camera.shots[-1].done.wait(10)
    assert _photos(phone) == [phone.camera.shots[-1].local_path.name]


def test_stay_awake_while_plugged_in_keeps_the_screen_on(make_phone, connect, host_key, clock):
    phone = _realistic(make_phone, host_key, clock)
    conn = connect(phone)
    conn.shell("svc power stayon usb")
    assert conn.shell("settings get global stay_on_while_plugged_in").strip() == "2"
    assert "mStayOn=true" in conn.shell("dumpsys power")
    clock.now += 3600
    assert _state(conn) == ("Awake", False)
    conn.shell("svc power stayon false")
    clock.now += 61
    assert _state(conn) == ("Asleep", True)
    assert conn.shell("settings get system screen_off_timeout").strip() == "60000"


def test_a_pin_lock_screen_needs_the_user(make_phone, connect, host_key, clock):
    phone = _realistic(make_phone, host_key, clock, lock="pin")
    conn = connect(phone)
    clock.now += 61
    conn.shell("input keyevent 224")
    conn.shell("input keyevent 82")
    conn.shell("wm dismiss-keyguard")
    assert _state(conn) == ("Awake", True)
    conn.shell("am start -a android.media.action.STILL_IMAGE_CAMERA")
    assert not phone.camera_active
    phone.screen.unlock()  # the photographer types the PIN
    conn.shell("am start -a android.media.action.STILL_IMAGE_CAMERA")
    assert phone.camera_active


def _decode(stream: bytes):
    import av
    codec = av.CodecContext.create("h264", "r")
    frames = []
    for packet in codec.parse(stream):
        frames.extend(codec.decode(packet))
    frames.extend(codec.decode(None))
    return frames


def test_screenrecord_streams_h264_at_the_asked_size_until_its_time_limit(make_phone, host_key, clock):
    phone = _realistic(make_phone, host_key, clock)
    phone.mark_frames = True
    host = Host(phone.port, host_key).login()
    started = time.monotonic()
    stream = host.run("exec:screenrecord --output-format=h264 --size 360x800 --bit-rate 2M --time-limit 1 -")
    took = time.monotonic() - started
    assert 0.9 <= took < 4 and stream.startswith(b"\x00\x00\x00\x01")  # Annex-B start code
    frames = _decode(stream)
    assert len(frames) >= 15 and {(f.width, f.height) for f in frames} == {(360, 800)}
    assert [i for _, i, _ in phone.frame_times] == list(range(len(phone.frame_times)))
    # each decoded frame names itself, so its time on the phone can be looked up (latency measurements)
    assert [read_mark(f.to_ndarray(format="rgb24")) for f in frames] == list(range(len(frames)))
    refused = shell_packets(host.run("shell,v2,raw:screenrecord --output-format=h264 --time-limit 600 -"))
    assert refused[-1] == (3, b"\x02") and b"outside acceptable range [1,180]" in refused[0][1]


def test_screenrecord_default_is_720_wide_and_a_dark_screen_sends_no_frames(make_phone, host_key, clock):
    phone = _realistic(make_phone, host_key, clock)
    clock.now += 61  # asleep
    host = Host(phone.port, host_key).login()
    assert host.run("exec:screenrecord --output-format=h264 --time-limit 1 -") == b""
    phone.screen.wake()
    frames = _decode(host.run("exec:screenrecord --output-format=h264 --time-limit 1 -"))
    assert frames and (frames[0].width, frames[0].height) == (720, 1600)  # 1080x2400 scaled to 720 wide


def test_fast_profile_has_no_screenrecord(phone, connect):
    assert "screenrecord: inaccessible or not found" in connect(phone).shell("screenrecord --output-format=h264 -")


def test_restart_drops_connections_and_asks_allow_usb_debugging_again(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, approve_after=0.4, reboot_s=0.6)
    conn = connect(phone)
    assert conn.shell("echo before").strip() == "before"
    (phone.folder / "PXL_kept.jpg").write_bytes(b"kept")
    phone.restart(wait=False)
    wait_for(lambda: _refused(phone.port), "the rebooting phone to stop listening")
    with pytest.raises(TetherError):
        connect(phone, auth_timeout=0.5)  # rebooting: refused
    assert phone.wait_until_up(5)
    prompts = phone.auth.prompts
    started = time.monotonic()
    again = connect(phone)  # the dialog shows again; the "user" allows after 0.4 s
    assert time.monotonic() - started >= 0.35 and phone.auth.prompts == prompts + 1
    assert [e.name for e in again.list_dir(CAMERA) if e.is_file] == ["PXL_kept.jpg"]  # files survive
    assert phone.restarts == 1 and phone.screen.locked


def test_after_a_restart_a_refused_dialog_then_allowed(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, approve_after=0.0, reboot_s=0.1)
    connect(phone)
    phone.auth.refuse = True
    phone.restart()
    with pytest.raises(TetherError, match="(?i)allow|authori"):
        connect(phone, auth_timeout=1.0)
    phone.auth.refuse = False
    assert connect(phone).shell("echo ok").strip() == "ok"
