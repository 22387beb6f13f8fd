"""Remote shutter that fires: wake the screen, get past (or report) the lock screen, bring the camera app
forward once per session, press a key, and confirm the shot by the new file it produced.

Sources: KEYCODE_WAKEUP (224, API 20) wakes without toggling, unlike KEYCODE_POWER (26), which would put an
awake phone to sleep (android.view.KeyEvent). The lock screen shows in `dumpsys window policy` as
mShowingLockscreen / mDreamingLockscreen / isKeyguardShowing / KeyguardServiceDelegate showing=true
(PhoneWindowManager.dump, KeyguardServiceDelegate.dump); `wm dismiss-keyguard` removes a swipe-only keyguard
but never a PIN, pattern or password. `svc power stayon usb|true` keeps the screen on while plugged in
(PowerManagerService: Settings.Global.STAY_ON_WHILE_PLUGGED_IN, a bit mask AC=1 USB=2 wireless=4).
"""
from __future__ import annotations

import shlex
import time
from dataclasses import dataclass

from .errors import TetherError
from .ingest import Capture

STILL_IMAGE_CAMERA = "android.media.action.STILL_IMAGE_CAMERA"
KEYCODES = {"camera": 27, "volume_up": 24, "volume_down": 25}
KEYCODE_WAKEUP = 224
LOCK_MARKERS = ("mshowinglockscreen=true", "mdreaminglockscreen=true", "iskeyguardshowing=true",
                "isstatusbarkeyguard=true", "mkeyguardshowing=true")
RECHECK_SECONDS = 5.0  # Android's shortest screen timeout is 15 s: a press within 5 s of the last check skips it
STAY_ON_SETTING = "stay_on_while_plugged_in"


class TriggerTimeout(TetherError):
    """The shutter was pressed but no new photo appeared in time."""


class PhoneLockedError(TetherError):
    """The phone shows a lock screen that only its owner can dismiss."""


@dataclass
class TriggerResult:
    capture: Capture
    pressed_at: float
    seconds_to_ready: float


def is_locked(dumpsys_window: str) -> bool:
    """Whether `dumpsys window policy` output shows the keyguard (False when it says nothing about it)."""
    text = dumpsys_window.replace(" ", "").lower()
    return any(marker in text for marker in LOCK_MARKERS) or "keyguardservicedelegate\nshowing=true" in text


class RemoteTrigger:
    def __init__(self, session, key: str | int = "camera", open_camera: bool = True, wake: bool = True):
        self.session = session
        self.keycode = KEYCODES[key] if isinstance(key, str) else int(key)
        self.open_camera = open_camera
        self.wake = wake
        # Kept on the session: a new RemoteTrigger per press still opens the camera once per session.
        self.state = session.shutter_state

    def open_camera_app(self) -> None:
        self.session.connection.shell(f"am start -a {shlex.quote(STILL_IMAGE_CAMERA)}")
        self.state["camera_for"] = self.session.connection.reconnects  # a reconnect may mean a restarted phone
        time.sleep(0.3)  # let the camera activity come to the front before the key press

    def wake_and_unlock(self) -> None:
        """Wake the screen; dismiss a swipe lock screen; raise PhoneLockedError for a PIN/pattern/password."""
        conn = self.session.connection
        conn.shell(f"input keyevent {KEYCODE_WAKEUP}")
        if is_locked(conn.shell("dumpsys window policy")):
            conn.shell("wm dismiss-keyguard")
            if is_locked(conn.shell("dumpsys window policy")):
                raise PhoneLockedError("The phone shows its lock screen (PIN, pattern or password), so the camera "
                                       "cannot be triggered. Unlock the phone; to stop it locking while tethered, "
                                       "turn on 'Keep the phone awake while tethered' (--keep-awake).")
        self.state["checked_at"] = time.monotonic()

    def fire(self, timeout: float = 10.0) -> TriggerResult:
        """Press the shutter and wait for the photo it produced (the next new capture)."""
        if self.wake and time.monotonic() - self.state.get("checked_at", float("-inf")) > RECHECK_SECONDS:
            self.wake_and_unlock()
        if self.open_camera and self.state.get("camera_for") != self.session.connection.reconnects:
            self.open_camera_app()
        before = len(self.session.captures)
        pressed_wall, pressed_mono = self.session.note_trigger()
        self.session.connection.shell(f"input keyevent {self.keycode}")
        self.state["checked_at"] = time.monotonic()  # a key press is user activity: the screen stays on
        capture = self.session.wait_for_capture_after(before, timeout)
        if capture is None:
            raise TriggerTimeout(self._no_photo_message(pressed_mono, timeout))
        return TriggerResult(capture, pressed_wall, capture.ready_time - pressed_wall)

    def _no_photo_message(self, pressed_mono: float, timeout: float) -> str:
        appeared = [f.name for f in list(self.session.watcher.files.values()) if f.first_seen >= pressed_mono]
        if appeared:
            return (f"Pressed the shutter; the phone saved {appeared[0]} but it was not imported within "
                    f"{timeout:g} s (it will be as soon as it is complete).")
        return (f"Pressed the shutter (keycode {self.keycode}) but no photo arrived within {timeout:g} s: the phone "
                "saved no new file. Is the camera app open and in front, and the phone unlocked?")


def keep_awake(connection) -> str | None:
    """Keep the screen on while tethered: `svc power stayon usb` over USB, `true` (any power) over Wi-Fi.
    Returns the previous setting for restore_awake(), or None if the phone has no such setting."""
    previous = connection.shell(f"settings get global {STAY_ON_SETTING}").strip()
    target = connection.target
    by_usb = target.kind == "usb" or (target.kind == "adb" and ":" not in (target.serial or ""))  # adb server's USB phone
    connection.shell("svc power stayon " + ("usb" if by_usb else "true"))
    connection.shell(f"input keyevent {KEYCODE_WAKEUP}")  # stay-on keeps a screen on; it does not turn one on
    return previous if previous.isdigit() else None


def restore_awake(connection, previous: str | None) -> None:
    if previous is not None:
        connection.shell(f"settings put global {STAY_ON_SETTING} {int(previous)}")
