"""The shutter: wake first, the camera opened once per session, the lock screen named, a missing shot explained."""
from __future__ import annotations

import pytest

from tether.session import Session
from tether.simphone import shell_service
from tether.trigger import PhoneLockedError, RemoteTrigger, TriggerTimeout, is_locked

LOCKED = ("WINDOW MANAGER POLICY STATE (dumpsys window policy)\n    mAwake=true\n"
          "    mShowingLockscreen=true mShowingDream=false mDreamingLockscreen=true\n")
UNLOCKED = LOCKED.replace("=true mShowingDream", "=false mShowingDream").replace("mDreamingLockscreen=true",
                                                                               "mDreamingLockscreen=false")


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


def test_a_pin_lock_screen_is_named_instead_of_a_silent_miss(phone, connect, tmp_path, monkeypatch):
    answers = dict(shell_service.COMMANDS)
    monkeypatch.setitem(shell_service.COMMANDS, "dumpsys",
                        lambda ph, args: LOCKED.encode() if args[:1] == ["window"] else answers["dumpsys"](ph, args))
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        with pytest.raises(PhoneLockedError, match="lock screen"):
            RemoteTrigger(session).fire(timeout=2)
    finally:
        session.stop()
    assert "input keyevent 27" not in phone.commands, "no blind press into a lock screen"
    assert "wm dismiss-keyguard" in phone.commands, "a swipe lock would have been dismissed"


def test_no_new_file_says_so(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        trigger = RemoteTrigger(session, key="volume_down", open_camera=False)  # the camera app is not in front
        with pytest.raises(TriggerTimeout, match="saved no new file"):
            trigger.fire(timeout=0.8)
    finally:
        session.stop()
