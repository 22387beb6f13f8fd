"""How fast (and how awkward) the simulated phone is: one frozen dataclass of named timings.

`realistic` follows published measurements and AOSP defaults (docs/tether-phone-model.md cites each);
`fast` keeps the old instant phone for unit tests. Pick one by name and override single fields:

    profile = get_profile("realistic", roll=10_000, screencap_min_s=0.7)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class PhoneProfile:
    name: str
    style: str  # "pixel" or "huawei": device identity and how the camera names its files
    roll: int  # photos already in DCIM/Camera when the phone starts (sparse files: sizes real, bytes not)
    # `screencap -p` wall time per call, drawn uniformly from [min, max]. Measured on Android 15:
    # median 2.1 s, p10 0.66 s, p90 3.0 s (raw RGBA without -p: a steady ~0.68 s).
    screencap_min_s: float
    screencap_max_s: float
    screencap_raw_s: float
    # FUSE (Android 11+): every sync LIST/LIS2 costs a fixed round trip to MediaProvider plus a
    # per-entry getattr; STAT/STA2/LST2 and each shell stat pay stat_s.
    list_request_s: float
    list_entry_s: float
    stat_s: float
    delete_s: float  # per file removed through FUSE (`rm`): MediaProvider updates its database each time
    # Phone -> host bytes per second over the link (None: as fast as loopback). USB 2.0 with Google's adb
    # measured 38 MB/s (Mi 11, Android 13); every stream shares it, as they share the cable.
    link_mb_s: float | None
    # `content query` (MediaStore): the `content` tool starts a Java process (app_process) per call.
    content_query_s: float
    # Camera app: shutter -> first byte (ISP + HDR merge), then the JPEG grows in write_steps chunks
    # over write_duration_s; with pending_names it grows as ".pending-<expiry>-NAME" and is renamed.
    processing_s: float
    write_steps: int
    write_duration_s: float
    pending_names: bool
    image_size: str  # "small" 640x480, "medium" 2000x1500, "12mp" 4000x3000
    # Screen: sleeps after screen_timeout_s without input (None: never) and then shows the lock screen
    # (lock "none" | "swipe" | "pin"; swipe is dismissed by KEYCODE_MENU or `wm dismiss-keyguard`).
    screen_timeout_s: float | None
    lock: str
    screen_size: tuple[int, int]
    screenrecord: bool  # False: `screenrecord` is not found, as on phones whose vendor removed it
    screenrecord_fps: float
    # toybox `inotifyd` (Android 6+) reports folder changes as they happen (simphone/inotifyd.py); False: the
    # command is missing, as on a phone whose kernel or vendor build lacks it, and hosts must list.
    inotifyd: bool
    reboot_s: float  # a simulated restart: the phone is unreachable this long
    # `shell:CMD` under a PTY ("\n" -> "\r\n") as before Android 7; current adbd runs it raw.
    legacy_shell_pty: bool

    def with_overrides(self, **changes) -> "PhoneProfile":
        """A copy with some fields replaced; None values mean "keep the profile's"."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def fields(self) -> dict:
        return dataclasses.asdict(self)


REALISTIC = PhoneProfile(
    name="realistic", style="pixel", roll=3000,
    screencap_min_s=0.7, screencap_max_s=2.5, screencap_raw_s=0.68,
    list_request_s=0.015, list_entry_s=40e-6, stat_s=0.002, delete_s=0.05, link_mb_s=38.0, content_query_s=0.3,
    processing_s=0.25, write_steps=4, write_duration_s=0.3, pending_names=True, image_size="medium",
    screen_timeout_s=60.0, lock="swipe", screen_size=(1080, 2400), screenrecord=True, screenrecord_fps=30.0, inotifyd=True,
    reboot_s=3.0,
    legacy_shell_pty=False,
)

FAST = PhoneProfile(
    name="fast", style="huawei", roll=0,
    screencap_min_s=0.02, screencap_max_s=0.02, screencap_raw_s=0.0,
    list_request_s=0.0, list_entry_s=0.0, stat_s=0.0, delete_s=0.0, link_mb_s=None, content_query_s=0.0,
    processing_s=0.0, write_steps=4, write_duration_s=0.3, pending_names=False, image_size="small",
    screen_timeout_s=None, lock="none", screen_size=(540, 1170), screenrecord=False, screenrecord_fps=30.0, inotifyd=False,
    reboot_s=0.2,
    legacy_shell_pty=True,
)

PROFILES = {p.name: p for p in (REALISTIC, FAST)}


def get_profile(profile: "str | PhoneProfile", **overrides) -> PhoneProfile:
    """A profile by name (or as given) with the non-None overrides applied."""
    if isinstance(profile, str):
        try:
            profile = PROFILES[profile]
        except KeyError:
            raise ValueError(f"unknown phone profile {profile!r}; choose one of {', '.join(PROFILES)}") from None
    return profile.with_overrides(**overrides)
