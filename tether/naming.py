"""Local file names for captures: templates, and sanitising untrusted device names.

Template fields: {session} {date} {time} {seq} {model} {orig}. {seq} is zero-padded (4 digits, or
{seq:06} style) and comes from the journal so it survives restarts. The extension is always the
original's, lower-cased, so a JPEG/DNG pair shares one name.
"""
from __future__ import annotations

import posixpath
import re
import string
import time
import unicodedata

DEFAULT_TEMPLATE = "{session}_{seq}"
_UNSAFE = re.compile(r"[^\w\-. +()]+", re.UNICODE)
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".heic", ".heif", ".dng", ".png"}
# Lower sorts first: what the editor can show quickly comes before the slow RAW.
PRIORITY = {".jpg": 0, ".jpeg": 0, ".heic": 0, ".heif": 0, ".png": 1, ".dng": 2}


def is_safe_device_name(name: str) -> bool:
    """A single path component that cannot climb out of a folder or smuggle control characters."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return False
    # Control characters, and bytes that are not UTF-8 (decoded as surrogates): Android storage only
    # holds valid UTF-8 names, so such an entry is forged or corrupt.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        return False
    return len(name.encode("utf-8", "surrogateescape")) <= 255


def is_capture_candidate(name: str) -> bool:
    """An image the camera has finished naming: not hidden, not pending, not a temp file."""
    if not is_safe_device_name(name) or name.startswith("."):
        return False
    lower = name.lower()
    if lower.endswith((".tmp", ".temp", ".part")) or lower.startswith(("pending-", "trashed-")):
        return False
    return posixpath.splitext(lower)[1] in IMAGE_EXTENSIONS


def sanitise_component(text: str, fallback: str = "x") -> str:
    """Reduce arbitrary text to a portable single file-name component."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub("_", text).strip(" .")
    text = re.sub(r"\.{2,}", ".", text)
    return text[:80] or fallback


# Pixel RAW+JPEG: PXL_20231010_101010123.RAW-01.COVER.jpg + PXL_20231010_101010123.RAW-02.ORIGINAL.dng;
# Huawei / Samsung keep one stem for both (IMG_20231010_101010.jpg + RAW/IMG_20231010_101010.dng).
_PAIR_SUFFIX = re.compile(r"\.raw-\d+\.[a-z]+$")


def shot_key(device_name: str) -> str:
    """What the JPEG and the RAW of one shot have in common, so they share one {seq}."""
    stem = posixpath.splitext(device_name)[0].lower()
    return _PAIR_SUFFIX.sub("", stem)


def stem_and_ext(device_name: str) -> tuple[str, str]:
    stem, ext = posixpath.splitext(device_name)
    return stem, ext.lower()


class Namer:
    def __init__(self, template: str = DEFAULT_TEMPLATE, session: str = "session", model: str = ""):
        self.template = template
        self.session = sanitise_component(session, "session")
        self.model = sanitise_component(model, "phone") if model else "phone"
        self._check(template)

    @staticmethod
    def _check(template: str) -> None:
        allowed = {"session", "date", "time", "seq", "model", "orig"}
        for _, field, _, _ in string.Formatter().parse(template):
            if field is not None and field not in allowed:
                raise ValueError(f"unknown field {{{field}}} in naming template; use {sorted(allowed)}")

    def name(self, seq: int, device_name: str, when: float | None = None) -> str:
        """`when`: the capture time (the phone's mtime, seconds since the epoch) for {date} and {time};
        the desktop's clock only when the phone gave none."""
        when = time.time() if when is None else when
        stem, ext = stem_and_ext(device_name)
        values = {"session": self.session, "date": time.strftime("%Y%m%d", time.localtime(when)),
                  "time": time.strftime("%H%M%S", time.localtime(when)), "seq": _Seq(seq), "model": self.model,
                  "orig": sanitise_component(stem, "capture")}
        base = sanitise_component(self.template.format(**values), "capture")
        return base + (ext if ext in IMAGE_EXTENSIONS else ".bin")


class _Seq(int):
    """Formats as 4-digit zero padding by default, while {seq:06} still works."""

    def __format__(self, spec: str) -> str:
        return format(int(self), spec or "04d")


def parse_folders(value) -> list[str] | None:
    """Camera folders the user typed ("A, B" or a list) -> normalised phone paths; None when empty (found on
    the phone). Raises ValueError in words for a path that is not absolute, has a '..' or a control character:
    the phone would be asked for something else than the user meant."""
    parts = value.split(",") if isinstance(value, str) else list(value or ())
    folders: list[str] = []
    for part in (str(p).strip() for p in parts):
        if not part:
            continue
        if not part.startswith("/"):
            raise ValueError(f"Camera folder '{part}' is not an absolute phone path (like /sdcard/DCIM/Camera)")
        if ".." in part.split("/"):
            raise ValueError(f"Camera folder '{part}' contains '..': give the folder's own path")
        if any(ord(c) < 32 for c in part):
            raise ValueError(f"Camera folder {part!r} contains a control character")
        folder = posixpath.normpath(part)
        if folder not in folders:
            folders.append(folder)
    return folders or None
