"""What the catalog keeps from a photo's header: size in pixels, capture time, camera, lens and exposure.

Only the header is read (Pillow opens lazily and parses EXIF without decoding pixels: ~0.25 ms for a JPEG
here); formats Pillow does not know fall back to libvips' header-only open, then to the file's mtime.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# EXIF tags (Exif 2.32): IFD0 and the Exif sub-IFD.
MAKE, MODEL, DATETIME, ORIENTATION, EXIF_IFD = 0x010F, 0x0110, 0x0132, 0x0112, 0x8769
EXPOSURE, FNUMBER, ISO, ORIGINAL, FOCAL, LENS = 0x829A, 0x829D, 0x8827, 0x9003, 0x920A, 0xA434
PILLOW_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"})


@dataclass
class Header:
    width: int | None = None
    height: int | None = None
    captured: float | None = None  # seconds since the epoch; EXIF local time read as this machine's
    camera: str | None = None
    lens: str | None = None
    exposure: float | None = None  # seconds
    fnumber: float | None = None
    focal: float | None = None  # mm
    iso: int | None = None
    problem: str = ""


def exif_time(text) -> float | None:
    """'2024:05:06 07:08:09' (as cameras write it) -> seconds since the epoch, or None."""
    try:
        return datetime.strptime(str(text).strip("\0 ")[:19], "%Y:%m:%d %H:%M:%S").timestamp()
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def camera_name(make, model) -> str | None:
    """'Canon' + 'Canon EOS 5D' -> 'Canon EOS 5D'; 'NIKON CORPORATION' + 'COOLPIX P6000' -> 'NIKON COOLPIX P6000'."""
    make = str(make or "").strip("\0 ")
    model = str(model or "").strip("\0 ")
    brand = make.split(" ")[0]
    if brand and not model.lower().startswith(brand.lower()):
        return f"{brand} {model}".strip()
    return model or None


def read_header(path: Path) -> Header:
    """The header of one photo; never raises for a bad file (the problem is recorded instead)."""
    from editor.core.files import check_regular
    try:
        check_regular(path)  # a FIFO named like a photo would block the reader for ever
    except OSError as exc:
        return Header(problem=f"{Path(path).name}: {exc.strerror or exc}")
    if Path(path).suffix.lower() in PILLOW_SUFFIXES:
        try:
            return _pillow(path)
        except Exception as exc:  # truncated file, not really a JPEG, odd EXIF: try libvips
            first = f"{Path(path).name}: cannot read the header ({exc})"
    else:
        first = ""
    try:
        return _vips(path)
    except Exception as exc:
        return Header(problem=first or f"{Path(path).name}: cannot read the header ({exc})")


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number == number and number >= 0 else None  # NaN from 0/0 rationals


def _pillow(path: Path) -> Header:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        exif = image.getexif()
        sub = exif.get_ifd(EXIF_IFD) if EXIF_IFD in exif else {}
    if exif.get(ORIENTATION) in (5, 6, 7, 8):  # shown turned a quarter: report the size as seen
        width, height = height, width
    iso = sub.get(ISO)
    if isinstance(iso, tuple):
        iso = iso[0] if iso else None
    lens = str(sub.get(LENS) or "").strip("\0 ") or None
    return Header(width, height, exif_time(sub.get(ORIGINAL) or exif.get(DATETIME)),
                  camera_name(exif.get(MAKE), exif.get(MODEL)), lens, _number(sub.get(EXPOSURE)),
                  _number(sub.get(FNUMBER)), _number(sub.get(FOCAL)), int(iso) if _number(iso) else None)


def _vips(path: Path) -> Header:
    import pyvips

    image = pyvips.Image.new_from_file(str(path))  # header only: libvips is lazy

    def field(name):
        return str(image.get(name)).split(" (")[0] if image.get_typeof(name) else None

    captured = exif_time(field("exif-ifd2-DateTimeOriginal") or field("exif-ifd0-DateTime"))
    return Header(image.width, image.height, captured,
                  camera_name(field("exif-ifd0-Make"), field("exif-ifd0-Model")), field("exif-ifd2-LensModel"))
