"""The phone's display power and lock screen, evaluated lazily (no timer thread).

Model (PowerManagerService / KeyguardViewMediator behaviour): any input event is user activity; after
`timeout_s` without activity the screen goes to sleep unless "stay awake" holds (`svc power stayon
usb|ac|wireless|true` while plugged in that way); a phone with a lock screen shows the keyguard as it
sleeps. KEYCODE_WAKEUP (224) and KEYCODE_POWER (26, toggles) wake it; a swipe keyguard is dismissed by
KEYCODE_MENU (82) or `wm dismiss-keyguard`, a PIN keyguard only by the user (`unlock()` in tests).
"""
from __future__ import annotations

import threading
import time

KEYCODE_POWER, KEYCODE_MENU, KEYCODE_SLEEP, KEYCODE_WAKEUP = 26, 82, 223, 224


class Screen:
    def __init__(self, timeout_s: float | None, lock: str = "none", plugged: str = "usb", clock=time.monotonic):
        if lock not in ("none", "swipe", "pin"):
            raise ValueError(f"lock must be none, swipe or pin, not {lock!r}")
        self.timeout_s = timeout_s
        self.lock = lock
        self.plugged = plugged  # "usb", "ac", "wireless" or "" (on battery)
        self.stay_on: set[str] = set()  # from `svc power stayon`: subset of {"usb", "ac", "wireless"}
        self._clock = clock
        self._lock = threading.Lock()
        self._awake = True
        self._locked = False
        self._last_activity = clock()
        self.wakeups = 0  # how many times something woke the screen; tests read it

    # ---- state -----------------------------------------------------------
    def _stays_on(self) -> bool:
        return bool(self.plugged) and self.plugged in self.stay_on

    def _settle(self) -> None:
        if (self._awake and self.timeout_s is not None and not self._stays_on()
                and self._clock() - self._last_activity >= self.timeout_s):
            self._sleep()

    def _sleep(self) -> None:
        self._awake = False
        if self.lock != "none":
            self._locked = True

    @property
    def awake(self) -> bool:
        with self._lock:
            self._settle()
            return self._awake

    @property
    def locked(self) -> bool:
        with self._lock:
            self._settle()
            return self._locked

    @property
    def interactive(self) -> bool:
        """Awake and unlocked: what a camera shutter needs."""
        with self._lock:
            self._settle()
            return self._awake and not self._locked

    # ---- events ------------------------------------------------------------
    def user_activity(self) -> None:
        """A touch or key: resets the timeout, but does not wake a sleeping screen."""
        with self._lock:
            self._settle()
            if self._awake:
                self._last_activity = self._clock()

    def wake(self) -> None:
        with self._lock:
            self._settle()
            if not self._awake:
                self.wakeups += 1
            self._awake = True
            self._last_activity = self._clock()

    def sleep(self) -> None:
        with self._lock:
            self._sleep()

    def dismiss_keyguard(self) -> bool:
        """Swipe-only keyguards go away; a PIN needs the user. True if the phone is now unlocked."""
        with self._lock:
            self._settle()
            if self._awake and self.lock != "pin":
                self._locked = False
                self._last_activity = self._clock()
            return not self._locked

    def unlock(self) -> None:
        """The user enters the PIN (tests)."""
        with self._lock:
            self._awake, self._locked = True, False
            self._last_activity = self._clock()

    def on_key(self, code: int) -> None:
        if code == KEYCODE_WAKEUP:
            self.wake()
        elif code == KEYCODE_SLEEP:
            self.sleep()
        elif code == KEYCODE_POWER:
            if self.awake:
                self.sleep()
            else:
                self.wake()
        elif code == KEYCODE_MENU:
            self.user_activity()
            self.dismiss_keyguard()
        else:
            self.user_activity()

    def set_stay_on(self, value: str) -> bool:
        """`svc power stayon true|false|usb|ac|wireless`; False for an unknown value."""
        choices = {"true": {"usb", "ac", "wireless"}, "false": set(), "usb": {"usb"}, "ac": {"ac"},
                   "wireless": {"wireless"}}
        if value not in choices:
            return False
        with self._lock:
            self._settle()
            self.stay_on = set(choices[value])
            if self._awake:
                self._last_activity = self._clock()
        return True

    @property
    def stay_on_setting(self) -> int:
        """Settings.Global.STAY_ON_WHILE_PLUGGED_IN bit mask: AC 1, USB 2, wireless 4."""
        return sum(bit for name, bit in (("ac", 1), ("usb", 2), ("wireless", 4)) if name in self.stay_on)
