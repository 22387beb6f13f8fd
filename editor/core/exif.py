"""A photographer's summary of a photo's EXIF: camera, lens, exposure, focal length, date and place."""
from __future__ import annotations

import re
from fractions import Fraction

import pyvips


def fields(exif: bytes) -> dict[str, str]:
    """libvips' parsed view of an EXIF block: {'exif-ifd2-FNumber': '45/10 (f/4.5, Rational, ...)', ...}."""
    carrier = pyvips.Image.black(1, 1).copy()  # black() is cached and shared: never mutate it
    carrier.set_type(pyvips.GValue.blob_type, "exif-data", exif)
    return {n: carrier.get(n) for n in carrier.get_fields() if n.startswith("exif-ifd")}


def _pretty(value: str | None) -> str:
    """The readable part libvips puts in the first parentheses ('45/10 (f/4.5, Rational, ...)' -> 'f/4.5')."""
    if not value:
        return ""
    match = re.search(r"\((.*?), [A-Z][A-Za-z]+, \d+ components", value)
    return (match.group(1) if match else value).strip()


def _raw(value: str | None) -> str:
    return value.split(" (", 1)[0].strip() if value else ""


def _degrees(value: str | None, ref: str | None) -> float | None:
    parts = _raw(value).split()
    if len(parts) != 3:
        return None
    try:
        d, m, s = (float(Fraction(p)) for p in parts)
    except (ValueError, ZeroDivisionError):
        return None
    sign = -1.0 if _pretty(ref).upper().startswith(("S", "W")) else 1.0
    return sign * (d + m / 60.0 + s / 3600.0)


def summary(exif: bytes | None) -> list[tuple[str, str]]:
    """[(label, value)] for the fields present: Camera, Lens, Exposure, Focal length, Taken, Location."""
    if not exif:
        return []
    try:
        f = fields(exif)
    except pyvips.Error:
        return []
    get = lambda key: _pretty(f.get(key))  # noqa: E731
    out = []
    make, model = get("exif-ifd0-Make"), get("exif-ifd0-Model")
    camera = model if make and model.upper().startswith(make.split()[0].upper()) else f"{make} {model}".strip()
    if camera:
        out.append(("Camera", camera))
    lens = get("exif-ifd2-LensModel")
    if lens:
        out.append(("Lens", lens))
    shutter, aperture, iso = get("exif-ifd2-ExposureTime"), get("exif-ifd2-FNumber"), get("exif-ifd2-ISOSpeedRatings")
    exposure = ", ".join(p for p in (shutter.replace(" sec.", " s"), aperture, f"ISO {iso}" if iso else "") if p)
    if exposure:
        out.append(("Exposure", exposure))
    focal, equiv = get("exif-ifd2-FocalLength"), get("exif-ifd2-FocalLengthIn35mmFilm")
    if focal:
        out.append(("Focal length", focal + (f" ({equiv} mm in 35 mm)" if equiv and equiv != "0" else "")))
    taken = get("exif-ifd2-DateTimeOriginal") or get("exif-ifd0-DateTime")
    if len(taken) >= 19:
        out.append(("Taken", taken[:10].replace(":", "-") + taken[10:19]))
    lat = _degrees(f.get("exif-ifd3-GPSLatitude"), f.get("exif-ifd3-GPSLatitudeRef"))
    lon = _degrees(f.get("exif-ifd3-GPSLongitude"), f.get("exif-ifd3-GPSLongitudeRef"))
    if lat is not None and lon is not None:
        out.append(("Location", f"{abs(lat):.5f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.5f}° {'E' if lon >= 0 else 'W'}"))
    return out
