"""The shutter: wake first, the camera opened once per session, the lock screen named, a missing shot explained."""
from __future__ import annotations

import pytest

from tether.session import Session
from tether.simphone.screen import Screen
from tether.trigger import PhoneLockedError, RemoteTrigger, TriggerTimeout, is_locked
from test_helpers import wait_for

LOCKED = ("WINDOW MANAGER POLICY STATE (dumpsys window policy)\n    mAwake=true\n"
          "    mShowingLockscreen=true mShowingDream=false mDreamingLockscreen=true\n")
UNLOCKED = LOCKED.replace("=true mShowingDream", "=false mShowingDream").replace("mDreamingLockscreen=true",
                                                                               "mDreamingLockscreen=false")


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lock_screen_is_read_from_dumpsys_window():
    assert is_locked(LOCKED) and not is_locked(UNLOCKED) and not is_locked("")
    assert is_locked("    KeyguardServiceDelegate\n      showing=true\n      secure=true\n")
    assert not is_locked("    KeyguardServiceDelegate\n      showing=false\n")


def test_each_press_wakes_the_phone_and_the_camera_opens_once_per_session(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        for _ in range(3):  # a new RemoteTrigger per press, as the GUI does
            RemoteTrigger(session).fire(timeout=10)
    finally:
        session.stop()
    assert len(session.captures) == 3
    assert sum(c.startswith("am start") for c in phone.commands) == 1, "the camera app is opened once"
    shutter = phone.commands.index("input keyevent 27")
    assert "input keyevent 224" in phone.commands[:shutter], "KEYCODE_WAKEUP before the first shutter press"


def test_a_sleeping_phone_behind_a_swipe_lock_still_takes_the_shot(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], screen_timeout_s=1.0, lock="swipe")
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        wait_for(lambda: not phone.screen.awake and phone.screen.locked, "the screen to time out and lock")
        result = RemoteTrigger(session).fire(timeout=10)
    finally:
        session.stop()
    assert result.capture.md5 == phone.camera.shots[0].md5
    assert phone.ignored_shutters == 0, "the press reached an awake, unlocked camera"


def test_a_pin_lock_screen_is_named_instead_of_a_silent_miss(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], screen_timeout_s=1.0, lock="pin")
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        wait_for(lambda: not phone.screen.awake and phone.screen.locked, "the screen to time out and lock")
        with pytest.raises(PhoneLockedError, match="lock screen"):
            RemoteTrigger(session).fire(timeout=2)
    finally:
        session.stop()
    assert "input keyevent 27" not in phone.commands, "no blind press into a lock screen"
    assert phone.screen.awake and phone.screen.locked and not phone.camera.shots


def test_keep_awake_while_tethered_and_restore_after(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], screen_timeout_s=0.5, lock="swipe")
    # The screen's clock moved by hand: a session slow to connect on a loaded machine cannot let it time out first
    clock = Clock()
    phone.screen = Screen(0.5, "swipe", plugged=phone.screen.plugged, clock=clock)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1, keep_awake=True).start()
    try:
        wait_for(lambda: phone.screen.stay_on, "the phone to be told to stay awake")
        clock.now += 60
        assert phone.screen.awake and not phone.screen.locked, "stays on past its 0.5 s timeout"
    finally:
        session.stop()
    assert "svc power stayon true" in phone.commands  # a TCP phone: any power source
    assert phone.commands[-1] == "settings put global stay_on_while_plugged_in 0" and phone.screen.stay_on == set()


def test_no_new_file_says_so(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        trigger = RemoteTrigger(session, key="volume_down", open_camera=False)  # the camera app is not in front
        with pytest.raises(TriggerTimeout, match="saved no new file"):
            trigger.fire(timeout=0.8)
    finally:
        session.stop()
