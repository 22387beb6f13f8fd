"""Parsing what the phone says about itself: banner, getprop, dumpsys battery, df."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_GETPROP_LINE = re.compile(r"^\[(?P<key>[^\]]+)\]: \[(?P<value>.*)\]$")


@dataclass
class DeviceInfo:
    serial: str = ""
    model: str = ""
    manufacturer: str = ""
    android_version: str = ""
    sdk: int | None = None
    battery_level: int | None = None
    charging: bool | None = None
    free_bytes: int | None = None
    total_bytes: int | None = None
    features: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.manufacturer} {self.model}".strip() or "Unknown phone", f"serial {self.serial or '?'}"]
        if self.android_version:
            parts.append(f"Android {self.android_version}")
        if self.battery_level is not None:
            parts.append(f"battery {self.battery_level}%" + (" (charging)" if self.charging else ""))
        if self.free_bytes is not None:
            parts.append(f"{self.free_bytes / 1e9:.1f} GB free")
        return ", ".join(parts)


def parse_getprop(text: str) -> dict[str, str]:
    props = {}
    for line in text.replace("\r", "").splitlines():
        m = _GETPROP_LINE.match(line.strip())
        if m:
            props[m["key"]] = m["value"]
    return props


def parse_battery(text: str) -> tuple[int | None, bool | None]:
    """Level in percent (level/scale) and whether any charger is connected."""
    values = {}
    for line in text.replace("\r", "").splitlines():
        key, sep, value = line.strip().partition(":")
        if sep:
            values[key.strip().lower()] = value.strip()
    level = None
    if values.get("level", "").isdigit():
        scale = int(values["scale"]) if values.get("scale", "").isdigit() and int(values["scale"]) else 100
        level = round(100 * int(values["level"]) / scale)
    powered = [values.get(k) for k in ("ac powered", "usb powered", "wireless powered") if k in values]
    charging = any(v == "true" for v in powered) if powered else None
    if values.get("status") == "2":  # BATTERY_STATUS_CHARGING
        charging = True
    return level, charging


def parse_df(text: str) -> tuple[int | None, int | None]:
    """(total, free) bytes from toybox `df` (1K blocks); the last data line wins."""
    total = free = None
    for line in text.replace("\r", "").splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 4 and cols[1].isdigit() and cols[3].isdigit():
            total, free = int(cols[1]) * 1024, int(cols[3]) * 1024
    return total, free


def info_from(banner_props: dict[str, str], getprop: dict[str, str], battery: str, df: str,
              fallback_serial: str = "") -> DeviceInfo:
    level, charging = parse_battery(battery)
    total, free = parse_df(df)
    sdk = getprop.get("ro.build.version.sdk", "")
    return DeviceInfo(
        serial=getprop.get("ro.serialno") or fallback_serial,
        model=getprop.get("ro.product.model") or banner_props.get("ro.product.model", ""),
        manufacturer=getprop.get("ro.product.manufacturer", ""),
        android_version=getprop.get("ro.build.version.release", ""),
        sdk=int(sdk) if sdk.isdigit() else None,
        battery_level=level, charging=charging, free_bytes=free, total_bytes=total,
        features=[f for f in banner_props.get("features", "").split(",") if f],
    )
