"""Writes small ICC v2 profiles so that libvips' lcms-backed `icc_transform` can run our transforms.

`look_profile` turns the fused point-wise operations (a 3D colour table on sRGB-encoded values) into an
RGB input profile whose A2B0 lut16 tag is that table, its results carried through the XYZ connection
space *unchanged* as numbers; the matching output profile (`passthrough_path`) has identity colorants
and linear curves, so lcms maps those numbers straight back to RGB. lcms then evaluates the whole look
as one optimised table (no colorimetry on either side: it builds ~2 ms faster than pairing the look
with a real sRGB profile, and the encoded values are spread evenly in the darks), which is far faster
than chaining float operations per pixel.

It also answers what a photo's own profile means for the working space: whether pixels in it need
converting into sRGB at all (`needs_conversion`), and converts them (`convert_to_srgb`, `to_srgb16`).
"""
from __future__ import annotations

import atexit
import os
import struct
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from editor.core.colour import to_linear

# sRGB (linear) -> XYZ relative to D50, Bradford-adapted, as ICC's PCS expects.
SRGB_TO_XYZ_D50 = np.array([[0.4360747, 0.3850649, 0.1430804],
                            [0.2225045, 0.7168786, 0.0606169],
                            [0.0139322, 0.0971045, 0.7141733]])
# Display P3 (linear) -> XYZ D50, Bradford-adapted.
P3_TO_XYZ_D50 = np.array([[0.5151187, 0.2919778, 0.1571035],
                          [0.2411892, 0.6922441, 0.0665668],
                          [-0.0010505, 0.0418791, 0.7840713]])
D50 = (0.9642, 1.0, 0.8249)
_XYZ_ONE = 32768 / 65535  # lut16 encodes XYZ 1.0 as 0x8000
# Device white of the pass-through output profile, in its linear units: its curves stop rising there, so
# lcms sees a saturating ("degenerated") last stage and skips the 8-bit pre-linearisation it would
# otherwise try, whose curve inversions cost 20-50 ms per transform for most looks (measured on the
# built-in looks: profile + transform 14-63 ms before, 12-23 ms after; the pixels are the same).
_TOP = 0.9375
# The intent `fused.apply` asks for. lcms forces white to white after resampling a transform ("white-on-
# white fix-up", cmsopt.c FixWhiteMisalignment) for every intent but absolute colorimetric, and libvips'
# icc_transform cannot pass cmsFLAGS_NOWHITEONWHITEFIXUP. Our two profiles carry the same white point
# (D50) and the same table in A2B0 and A2B1, so absolute intent changes nothing else: the look renders
# as its own maths and its exported .cube say (Classic's clipped white stays cream, not 255,255,255).
LOOK_INTENT = "absolute"


def look_profile(clut: np.ndarray, description: str = "Darkslide look") -> bytes:
    """An RGB input profile whose A2B0 is `clut` (n, n, n, 3 in 0..1), to pair with `passthrough_path()`.

    `clut[r, g, b]` is the sRGB-encoded result for the grid point (r, g, b) / (n - 1).
    """
    n = clut.shape[0]
    ends = np.tile([0.0, 1.0], 3)  # two-entry identity input and output curves
    lut = (b"mft2" + bytes(4) + bytes([3, 3, n, 0]) + _matrix(np.eye(3)) + struct.pack(">HH", 2, 2)
           + _u16(ends) + _u16(clut.reshape(-1, 3) * (_XYZ_ONE * _TOP)) + _u16(ends))
    return _profile(b"mntr", [(b"desc", _desc(description)), (b"wtpt", _xyz(D50)),
                              (b"cprt", _text("No copyright, use freely")), (b"A2B0", lut),
                              (b"A2B1", lut)])  # same table for the colorimetric intents: lcms needs no fallback


def passthrough_profile() -> bytes:
    """An RGB output profile that maps XYZ numbers to RGB numbers (identity colorants, linear curves
    reaching device white at `_TOP`, where `look_profile` puts white)."""
    linear = b"curv" + bytes(4) + struct.pack(">I", 2) + _u16(np.array([0.0, _TOP]))
    tags = [(b"desc", _desc("Darkslide pass-through")), (b"wtpt", _xyz(D50)),
            (b"cprt", _text("No copyright, use freely")), (b"rXYZ", _xyz((1.0, 0.0, 0.0))),
            (b"gXYZ", _xyz((0.0, 1.0, 0.0))), (b"bXYZ", _xyz((0.0, 0.0, 1.0))),
            (b"rTRC", linear), (b"gTRC", linear), (b"bTRC", linear)]
    return _profile(b"mntr", tags)


_passthrough_lock = threading.Lock()
_passthrough_file: Path | None = None


def passthrough_path() -> str:
    """`passthrough_profile()` as a file (libvips takes output profiles by name): a private temporary
    file of this process (no shared name another user could hold), removed at exit."""
    global _passthrough_file
    with _passthrough_lock:
        if _passthrough_file is None or not _passthrough_file.is_file():  # first use, or a temp cleaner
            fd, name = tempfile.mkstemp(prefix="darkslide-passthrough-", suffix=".icc")
            with os.fdopen(fd, "wb") as file:
                file.write(passthrough_profile())
            _passthrough_file = Path(name)
            atexit.register(_passthrough_file.unlink, missing_ok=True)
        return str(_passthrough_file)


_srgb: bytes | None = None


def srgb_profile() -> bytes:
    """libvips' built-in sRGB profile, the one every working image carries."""
    global _srgb
    if _srgb is None:
        import pyvips
        _srgb = bytes(pyvips.Image.profile_load("srgb"))
    return _srgb


_SRGB_TOLERANCE = 257  # 16-bit units: one 8-bit level (makers' sRGB profiles differ by up to 0.8 at a primary)


@lru_cache(maxsize=16)
def needs_conversion(profile: bytes) -> bool:
    """Whether RGB pixels in `profile` change on the way into sRGB: False for an sRGB profile (converting
    with it into libvips' sRGB moves no value by more than one 8-bit level, tested on every 8-bit level of
    grey and of each primary, the tone curves, and a 9^3 grid, the primaries' colours), and for a profile
    libvips or lcms cannot use for RGB, which libvips then ignores. Converting an sRGB-tagged 50 MP photo
    would cost a pass over every pixel (~0.07 s) to change next to nothing."""
    import pyvips
    levels = np.arange(256) * 257
    zeros = np.zeros_like(levels)
    ramps = [np.stack(c, -1) for c in ((levels, levels, levels), (levels, zeros, zeros),
                                       (zeros, levels, zeros), (zeros, zeros, levels))]
    grid = np.stack(np.meshgrid(*[np.linspace(0, 65535, 9)] * 3, indexing="ij"), -1).reshape(-1, 3)
    values = np.concatenate([*ramps, grid]).astype(np.uint16)
    try:
        out = to_srgb16(values, profile)
    except pyvips.Error:
        return False
    return int(np.abs(out.astype(np.int64) - values).max()) > _SRGB_TOLERANCE


def convert_to_srgb(image, profile: bytes):
    """The uchar/ushort `image` (RGB, or grey with a grey profile: lcms makes it RGB) converted from
    `profile` into sRGB, lazily. An sRGB profile (makers embed their own copies) needs no conversion,
    and one lcms rejects is ignored: the image is taken as sRGB."""
    import pyvips
    if image.bands >= 3 and not needs_conversion(profile):
        return image
    sixteen = image.format == "ushort"
    try:
        image = image.copy()
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
        if image.bands < 3:
            image = image.copy(interpretation="grey16" if sixteen else "b-w")
        else:
            image = image.copy(interpretation="rgb16" if sixteen else "srgb")
        return image.icc_transform("srgb", embedded=True, intent="relative", depth=16 if sixteen else 8)
    except pyvips.Error:
        return image


def to_srgb16(values: np.ndarray, profile: bytes) -> np.ndarray:
    """16-bit RGB values (..., 3) encoded in `profile`, converted by lcms into 16-bit sRGB (relative
    intent), as `sources.to_working` converts photos. Raises pyvips.Error if the profile is unusable."""
    import pyvips
    image = pyvips.Image.new_from_array(values.reshape(1, -1, 3).astype(np.uint16)).copy(interpretation="rgb16")
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", profile)
    out = image.icc_transform("srgb", embedded=True, intent="relative", depth=16).numpy()
    if out.shape[-1] != 3:
        raise pyvips.Error("not an RGB profile")
    return out.reshape(values.shape)


def matrix_profile(to_xyz_d50: np.ndarray, description: str) -> bytes:
    """A matrix/shaper RGB display profile with the sRGB transfer curve (e.g. Display P3)."""
    x = np.linspace(0.0, 1.0, 1024)
    trc = _u16(to_linear(x))
    curve = b"curv" + bytes(4) + struct.pack(">I", x.size) + trc
    cols = [tuple(to_xyz_d50[:, i]) for i in range(3)]
    tags = [(b"desc", _desc(description)), (b"wtpt", _xyz(D50)), (b"cprt", _text("No copyright, use freely")),
            (b"rXYZ", _xyz(cols[0])), (b"gXYZ", _xyz(cols[1])), (b"bXYZ", _xyz(cols[2])),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    return _profile(b"mntr", tags)


def display_p3_profile() -> bytes:
    return matrix_profile(P3_TO_XYZ_D50, "Display P3 (Darkslide)")


def _u16(values: np.ndarray) -> bytes:
    return np.round(np.clip(values, 0.0, 1.0) * 65535).astype(">u2").tobytes()


def _s15(v: float) -> bytes:
    return struct.pack(">i", int(round(v * 65536)))


def _matrix(m: np.ndarray) -> bytes:
    return b"".join(_s15(v) for v in m.reshape(-1))


def _xyz(v) -> bytes:
    return b"XYZ " + bytes(4) + b"".join(_s15(c) for c in v)


def _text(t: str) -> bytes:
    return b"text" + bytes(4) + t.encode("ascii") + b"\0"


def _desc(t: str) -> bytes:
    ascii_ = t.encode("ascii", "replace") + b"\0"
    return b"desc" + bytes(4) + struct.pack(">I", len(ascii_)) + ascii_ + bytes(8) + bytes(3) + bytes(67)


def _profile(device_class: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    offset = 128 + 4 + 12 * len(tags)
    table, body, placed = b"", b"", {}
    for sig, data in tags:
        if data not in placed:  # tags with identical data share one copy, as ICC allows
            body += bytes(-(offset + len(body)) % 4)
            placed[data] = offset + len(body)
            body += data
        table += sig + struct.pack(">II", placed[data], len(data))
    size = offset + len(body)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000) + device_class + b"RGB "
              + b"XYZ " + bytes(12) + b"acsp" + bytes(24) + struct.pack(">I", 0) + b"".join(_s15(c) for c in D50)
              + bytes(48))
    return header + struct.pack(">I", len(tags)) + table + body
