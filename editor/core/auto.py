"""Automatic settings from a photo's pixels: white balance that makes a colour neutral (the picker, and
grey-world Auto) and an exposure that puts the middle tones at middle grey (Auto tone).

Pure functions of sRGB-encoded pixels (0..1, shape (..., 3)) taken before any edit: white balance is the
first colour operation of the pipeline, so the source's colours are what it acts on.
"""
from __future__ import annotations

import numpy as np

from editor.core.colour import LUMA, to_linear
from editor.core.ops import white_balance

_COARSE = np.linspace(-100.0, 100.0, 41)
MIDDLE_GREY = 0.18  # linear luminance a well-exposed photo's median tone sits near
MAX_AUTO_EV = 2.0


def neutral_white_balance(rgb) -> tuple[float, float]:
    """(temperature, tint) within ±100 that turn the sRGB colour `rgb` (0..1) grey, as nearly as the
    white-balance operation can (its gains move along the Planckian locus and the green-magenta axis)."""
    linear = np.maximum(to_linear(np.asarray(rgb, dtype=np.float64).reshape(3)), 1e-4)

    def spread(t: float, u: float) -> float:
        logs = np.log(linear * white_balance._gains(float(t), float(u)))
        return float(np.var(logs))

    best = min(((t, u) for t in _COARSE for u in _COARSE), key=lambda tu: spread(*tu))
    fine = [(round(best[0] + dt, 1), round(best[1] + du, 1)) for dt in np.arange(-5, 5.5, 0.5)
            for du in np.arange(-5, 5.5, 0.5)]
    t, u = min(((t, u) for t, u in fine if -100 <= t <= 100 and -100 <= u <= 100), key=lambda tu: spread(*tu))
    return float(t), float(u)


def grey_world(pixels) -> np.ndarray:
    """The mean colour of `pixels` (..., 3), leaving out near-black and clipped ones (they carry no cast)."""
    flat = np.asarray(pixels, dtype=np.float64).reshape(-1, 3)
    keep = (flat.max(axis=1) < 0.98) & (flat.min(axis=1) > 0.03)
    chosen = flat[keep] if keep.sum() >= 16 else flat
    return to_srgb_mean(chosen)


def to_srgb_mean(pixels: np.ndarray) -> np.ndarray:
    """Mean in linear light, returned sRGB-encoded (averaging encoded values would bias toward the darks)."""
    from editor.core.colour import to_srgb
    return to_srgb(to_linear(pixels).mean(axis=0))


def auto_white_balance(pixels) -> tuple[float, float]:
    """Grey-world Auto: the (temperature, tint) that makes the photo's average colour neutral."""
    return neutral_white_balance(grey_world(pixels))


def auto_exposure(pixels) -> float:
    """Exposure (EV, within ±MAX_AUTO_EV, 0.05 steps) that brings the median luminance to middle grey."""
    lum = to_linear(np.asarray(pixels, dtype=np.float64).reshape(-1, 3)) @ LUMA
    median = float(np.median(lum))
    if median <= 1e-4:
        return MAX_AUTO_EV
    ev = float(np.clip(np.log2(MIDDLE_GREY / median), -MAX_AUTO_EV, MAX_AUTO_EV))
    return round(ev * 20) / 20


def source_point(width: int, height: int, crop, x: float, y: float) -> tuple[float, float]:
    """The source pixel (x, y) under output pixel (`x`, `y`) of a `width` x `height` photo developed with
    the crop params `crop` (quarter turns, straightening and the crop window; see editor.core.ops.crop)."""
    import math

    from editor.core.ops import crop as crop_op
    w, h = (height, width) if crop.rotate90 % 2 else (width, height)
    x0, y0, _, _ = crop_op._frame(w, h, crop)
    fx, fy = x0 + x, y0 + y  # in the straightened frame, centre at (0, 0)
    a = math.radians(crop.angle)
    rx, ry = math.cos(a) * fx - math.sin(a) * fy + w / 2, math.sin(a) * fx + math.cos(a) * fy + h / 2
    turns = crop.rotate90 % 4  # libvips rot d90 (clockwise): source (sx, sy) -> (H - 1 - sy, sx)
    if turns == 1:
        return ry, height - rx
    if turns == 2:
        return width - rx, height - ry
    if turns == 3:
        return width - ry, rx
    return rx, ry


def patch_mean(pixels: np.ndarray, fx: float, fy: float, radius: int = 3) -> np.ndarray:
    """The mean colour of the (2 radius + 1)² pixels of `pixels` (h, w, 3; 0..1) around the point at
    fractions (`fx`, `fy`) of its width and height (clamped to the image)."""
    h, w = pixels.shape[:2]
    cx, cy = min(max(int(fx * w), 0), w - 1), min(max(int(fy * h), 0), h - 1)
    patch = pixels[max(cy - radius, 0):cy + radius + 1, max(cx - radius, 0):cx + radius + 1]
    return to_srgb_mean(patch.reshape(-1, 3))
