"""Who the simulated phone says it is, and how its camera app names files.

Pixel: `PXL_YYYYMMDD_HHMMSSmmm.jpg` in UTC; with RAW on, a pair in DCIM/Camera:
`PXL_….RAW-01.COVER.jpg` + `PXL_….RAW-02.ORIGINAL.dng`.
Huawei (EMUI): `IMG_YYYYMMDD_HHMMSS.jpg` in local time, `_1`, `_2` … within one second (bursts);
Pro-mode RAW as `Camera/RAW/IMG_….dng`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    model: str
    product: str
    device: str
    manufacturer: str
    serial: str
    android_release: str
    display_id: str


IDENTITIES = {
    "huawei": Identity("ELS-NX9", "ELS-NX9EEA", "HWELS", "HUAWEI", "SIM0123456789", "10",
                       "ELS-NX9 10.1.0.150(C431E2R1P3)"),
    "pixel": Identity("Pixel 7", "panther", "panther", "Google", "2B021FDH2000SIM", "14",
                      "UQ1A.240205.004"),
}

SDK_LEVELS = {"9": "28", "10": "29", "11": "30", "12": "31", "13": "33", "14": "34"}


@dataclass(frozen=True)
class ShotNames:
    jpeg: str  # file name in DCIM/Camera
    raw: str | None  # file name of the DNG, relative to DCIM/Camera (may include RAW/)


def shot_names(style: str, shutter: float, index: int, with_raw: bool) -> ShotNames:
    """Names for the index-th shot taken within the same naming instant (0 = first)."""
    if style == "pixel":
        ms = int(round((shutter % 1) * 1000)) % 1000
        stem = "PXL_" + time.strftime("%Y%m%d_%H%M%S", time.gmtime(shutter)) + f"{ms:03d}"
        stem += f"_{index}" if index else ""
        if with_raw:
            return ShotNames(f"{stem}.RAW-01.COVER.jpg", f"{stem}.RAW-02.ORIGINAL.dng")
        return ShotNames(f"{stem}.jpg", None)
    stem = "IMG_" + time.strftime("%Y%m%d_%H%M%S", time.localtime(shutter)) + (f"_{index}" if index else "")
    return ShotNames(f"{stem}.jpg", f"RAW/{stem}.dng" if with_raw else None)


def roll_name(style: str, when: float, kind: str) -> str:
    """A name for an old file in the roll; kind is "jpg", "mp4", "raw-pair" (returns the JPEG) or "mp"."""
    if style == "pixel":
        ms = int((when % 1) * 1000)
        stem = "PXL_" + time.strftime("%Y%m%d_%H%M%S", time.gmtime(when)) + f"{ms:03d}"
        return {"jpg": f"{stem}.jpg", "mp4": f"{stem}.mp4", "mp": f"{stem}.MP.jpg",
                "raw-pair": f"{stem}.RAW-01.COVER.jpg"}[kind]
    stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(when))
    return {"jpg": f"IMG_{stamp}.jpg", "mp4": f"VID_{stamp}.mp4", "mp": f"IMG_{stamp}.jpg",
            "raw-pair": f"IMG_{stamp}.jpg"}[kind]
