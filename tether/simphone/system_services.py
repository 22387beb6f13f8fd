"""Framework commands of the simulated phone: input, am, dumpsys, svc, settings, wm, cmd, screencap,
screenrecord. Output lines copy what real phones print (docs/tether-phone-model.md shows which)."""
from __future__ import annotations

import time

from .result import Result
from .screen import KEYCODE_MENU, KEYCODE_POWER, KEYCODE_SLEEP, KEYCODE_WAKEUP

KEYCODES = {
    "HOME": 3, "BACK": 4, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": KEYCODE_POWER, "CAMERA": 27,
    "FOCUS": 80, "MENU": KEYCODE_MENU, "ENTER": 66, "SLEEP": KEYCODE_SLEEP, "WAKEUP": KEYCODE_WAKEUP,
}


def _result(out=b"", err=b"", code=0) -> Result:
    return Result(out, err, code)


def keycode(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    name = token.upper().removeprefix("KEYCODE_")
    return KEYCODES.get(name)


def _input(phone, args):
    if args[:1] == ["keyevent"]:
        codes = [keycode(a) for a in args[1:] if not a.startswith("--")]
        if not codes or None in codes:
            bad = next((a for a, c in zip(args[1:], codes) if c is None), "")
            return _result(err=f"Error: Unknown keycode: {bad}\n".encode(), code=1)
        for code in codes:
            phone.on_keyevent(code)
        return b""
    if args[:1] in (["tap"], ["swipe"]):
        phone.screen.user_activity()
        return b""
    return _result(err=b"Usage: input [<source>] <command> [<arg>...]\n", code=1)


def _am(phone, args):
    if args[:1] == ["start"]:
        action = args[args.index("-a") + 1] if "-a" in args else ""
        phone.on_activity(action)
        return f"Starting: Intent {{ act={action} }}\n".encode()
    return b""


def _svc(phone, args):
    if args[:2] == ["power", "stayon"] and len(args) == 3 and phone.screen.set_stay_on(args[2]):
        return b""
    return _result(err=b"usage: svc power stayon [true|false|usb|ac|wireless]\n", code=1)


_SETTINGS = {("system", "screen_off_timeout"), ("global", "stay_on_while_plugged_in")}


def _settings(phone, args):
    if len(args) >= 3 and args[0] == "get" and (args[1], args[2]) in _SETTINGS:
        if args[2] == "screen_off_timeout":
            timeout = phone.screen.timeout_s
            return f"{int((timeout if timeout is not None else 2147483.647) * 1000)}\n".encode()
        return f"{phone.screen.stay_on_setting}\n".encode()
    if len(args) >= 4 and args[0] == "put" and (args[1], args[2]) in _SETTINGS and args[3].lstrip("-").isdigit():
        value = int(args[3])
        if args[2] == "screen_off_timeout":
            phone.screen.timeout_s = value / 1000
        else:
            phone.screen.stay_on = {n for n, bit in (("ac", 1), ("usb", 2), ("wireless", 4)) if value & bit}
        return b""
    if len(args) >= 3 and args[0] == "get":
        return b"null\n"
    return _result(err=b"usage:  settings [--user <USER_ID> | current] get namespace key\n", code=1)


def _wm(phone, args):
    if args[:1] == ["dismiss-keyguard"]:
        phone.screen.dismiss_keyguard()
        return b""
    if args[:1] == ["size"]:
        w, h = phone.screen_size
        return f"Physical size: {w}x{h}\n".encode()
    return _result(err=b"usage: wm [size|density|dismiss-keyguard ...]\n", code=1)


def _dumpsys(phone, args):
    service = args[0] if args else ""
    if service == "battery":
        return _battery(phone)
    if service == "power":
        return _power(phone)
    if service == "window":
        return _window(phone)
    if service == "activity" and args[1:2] in ([], ["activities"]):
        return _activities(phone)
    return b""


def _battery(phone):
    b = phone.battery
    status = 2 if b["charging"] else 3  # BATTERY_STATUS_CHARGING / DISCHARGING
    return (
        "Current Battery Service state:\n"
        f"  AC powered: false\n  USB powered: {str(b['charging']).lower()}\n  Wireless powered: false\n"
        "  Max charging current: 500000\n  Max charging voltage: 5000000\n  Charge counter: 2900000\n"
        f"  status: {status}\n  health: 2\n  present: true\n  level: {b['level']}\n  scale: 100\n"
        "  voltage: 4210\n  temperature: 312\n  technology: Li-poly\n"
    ).encode()


def _power(phone):
    s = phone.screen
    awake = s.awake
    timeout_ms = int((s.timeout_s if s.timeout_s is not None else 2147483.647) * 1000)
    plug = {"ac": 1, "usb": 2, "wireless": 4}.get(s.plugged, 0)
    return (
        "POWER MANAGER (dumpsys power)\n\n"
        "Power Manager State:\n"
        "  mDirty=0x0\n"
        f"  mWakefulness={'Awake' if awake else 'Asleep'}\n"
        "  mWakefulnessChanging=false\n"
        f"  mIsPowered={str(bool(s.plugged)).lower()}\n"
        f"  mPlugType={plug}\n"
        f"  mBatteryLevel={phone.battery['level']}\n"
        f"  mStayOn={str(bool(s.plugged) and s.plugged in s.stay_on).lower()}\n"
        "  mBootCompleted=true\n  mSystemReady=true\n"
        f"  mHalInteractiveModeEnabled={str(awake).lower()}\n"
        f"  mUserActivitySummary={'0x1' if awake else '0x0'}\n\n"
        "Settings and Configuration:\n"
        f"  mScreenOffTimeoutSetting={timeout_ms}\n"
        f"  mStayOnWhilePluggedInSetting={s.stay_on_setting}\n\n"
        f"Display Power: state={'ON' if awake else 'OFF'}\n"
    ).encode()


def _window(phone):
    s = phone.screen
    awake, locked = s.awake, s.locked
    low = str(locked).lower()
    return (
        "WINDOW MANAGER POLICY STATE (dumpsys window policy)\n"
        f"    mAwake={str(awake).lower()}\n"
        f"    mScreenOnEarly={str(awake).lower()} mScreenOnFully={str(awake).lower()}\n"
        f"    mKeyguardDrawComplete=true mWindowManagerDrawComplete=true\n"
        f"    mShowingLockscreen={low} mShowingDream=false mDreamingLockscreen={low}\n"
        f"    isKeyguardShowing={low}\n"
        "    KeyguardServiceDelegate\n"
        f"      showing={low}\n"
        f"      secure={str(s.lock == 'pin').lower()}\n"
        f"      screenState={'SCREEN_STATE_ON' if awake else 'SCREEN_STATE_OFF'}\n"
    ).encode()


def _activities(phone):
    locked = str(phone.screen.locked).lower()
    top = "com.google.android.GoogleCamera/com.android.camera.CameraLauncher" if phone.camera_active \
        else "com.google.android.apps.nexuslauncher/.NexusLauncherActivity"
    return (
        "ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)\n"
        f"  mResumedActivity: ActivityRecord{{5b1e0c u0 {top} t12}}\n"
        "  KeyguardController:\n"
        f"    mKeyguardShowing={locked}\n"
        "    mAodShowing=false\n"
        "    mKeyguardGoingAway=false\n"
    ).encode()


def _cmd(phone, args):
    if not args:
        return _result(err=b"cmd: No service specified; use -l to list all running services.\n", code=20)
    if args[0] == "-l":
        return b"Currently running services:\n  activity\n  input\n  package\n  power\n  settings\n  window\n"
    handler = {"input": _input, "activity": _am, "settings": _settings, "window": _wm}.get(args[0])
    if handler is None:
        return _result(err=f"cmd: Can't find service: {args[0]}\n".encode(), code=20)
    return handler(phone, args[1:])


def _content(phone, args):
    from .mediastore import QueryError, format_rows
    usage = _result(err=b"usage: adb shell content query --uri <URI> [--projection <PROJECTION>] "
                        b"[--where <WHERE>] [--sort <SORT_ORDER>]\n", code=1)
    if args[:1] != ["query"] or len(args) % 2 != 1:
        return usage
    options = dict(zip(args[1::2], args[2::2]))
    if "--uri" not in options or set(options) - {"--uri", "--projection", "--where", "--sort", "--user"}:
        return usage
    started = time.monotonic()
    try:
        rows = phone.media.query(options["--uri"], options.get("--projection", "").split(":") if "--projection" in options
                                 else None, options.get("--where"), options.get("--sort"))
    except QueryError as exc:
        return _result(err=f"Error while accessing provider:media\n{exc}\n".encode(), code=1)
    finally:
        phone.fs_wait(started, phone.profile.content_query_s)
    return format_rows(rows).encode()


def _screencap(phone, args):
    # Timed from the start: the phone's capture + PNG encode take the profile's 0.7-3 s, however fast
    # this desktop renders the frame.
    started = time.monotonic()
    if "-p" in args:
        data = phone.screen_png()
        target = phone.rng.uniform(phone.profile.screencap_min_s, phone.profile.screencap_max_s)
    else:
        data = phone.screen_raw()
        target = phone.profile.screencap_raw_s
    phone.fs_wait(started, target)
    return data


def _screenrecord(phone, args):
    from .screenrecord import parse_args, record
    if not phone.profile.screenrecord:
        return _result(err=b"/system/bin/sh: screenrecord: inaccessible or not found\n", code=127)
    options, error = parse_args(args, phone)
    if error:
        return _result(err=error.encode(), code=2)
    return record(phone, options)


COMMANDS = {
    "input": _input, "am": _am, "svc": _svc, "settings": _settings, "wm": _wm, "dumpsys": _dumpsys,
    "cmd": _cmd, "screencap": _screencap, "screenrecord": _screenrecord, "content": _content,
}
