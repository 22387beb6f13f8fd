"""Colour maths on numpy arrays for the point-wise operations.

The working space is sRGB (IEC 61966-2-1): values are sRGB-encoded, 0..1, D65. Operations that need
light-linear values (exposure, white balance) convert with `to_linear` / `to_srgb`; hue-aware
operations use OkLab / OkLCh, which keeps hue stable when lightness or chroma change.
"""
from __future__ import annotations

import numpy as np

# Rec.709 / sRGB luminance weights, for linear values.
LUMA = np.array([0.2126, 0.7152, 0.0722])


def to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values to linear light (the inverse of `to_srgb`)."""
    v = np.asarray(v, dtype=np.float64)
    a = np.abs(v)
    return np.sign(v) * np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)


def to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light to sRGB-encoded values."""
    v = np.asarray(v, dtype=np.float64)
    a = np.abs(v)
    return np.sign(v) * np.where(a <= 0.0031308, a * 12.92, 1.055 * a ** (1 / 2.4) - 0.055)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance (0..1) of sRGB-encoded pixels, shape (..., 3) -> (...)."""
    return to_linear(rgb) @ LUMA


_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                 [0.2119034982, 0.6806995451, 0.1073969566],
                 [0.0883024619, 0.2817188376, 0.6299787005]])
_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                 [1.9779984951, -2.4285922050, 0.4505937099],
                 [0.0259040371, 0.7827717662, -0.8086757660]])


def srgb_to_oklab(rgb: np.ndarray) -> np.ndarray:
    lms = to_linear(rgb) @ _LMS.T
    return np.cbrt(lms) @ _LAB.T


def oklab_to_srgb(lab: np.ndarray) -> np.ndarray:
    lms = (lab @ np.linalg.inv(_LAB).T) ** 3
    return to_srgb(lms @ np.linalg.inv(_LMS).T)


def srgb_to_oklch(rgb: np.ndarray) -> np.ndarray:
    """(L 0..1, C ~0..0.33, h in degrees 0..360) of sRGB-encoded pixels."""
    lab = srgb_to_oklab(rgb)
    c = np.hypot(lab[..., 1], lab[..., 2])
    h = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
    return np.stack([lab[..., 0], c, h], axis=-1)


def oklch_to_srgb(lch: np.ndarray) -> np.ndarray:
    h = np.radians(lch[..., 2])
    lab = np.stack([lch[..., 0], lch[..., 1] * np.cos(h), lch[..., 1] * np.sin(h)], axis=-1)
    return oklab_to_srgb(lab)


def hue_of_srgb(rgb) -> float:
    """OkLCh hue in degrees of one sRGB colour, for placing colour bands."""
    return float(srgb_to_oklch(np.asarray(rgb, dtype=np.float64))[..., 2])


def hue_weights(hue: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Smooth weights (..., len(centres)) of how much each hue belongs to each band.

    Neighbouring bands overlap with a raised-cosine falloff so that adjusting one band never leaves a
    hard edge; weights at any hue sum to 1.
    """
    centres = np.asarray(centres, dtype=np.float64)
    order = np.argsort(centres)
    c = centres[order]
    n = len(c)
    h = np.asarray(hue, dtype=np.float64)[..., None]
    w = np.zeros(h.shape[:-1] + (n,))
    for i in range(n):
        lo, hi = c[i - 1], c[(i + 1) % n]
        left = (c[i] - lo) % 360 or 360
        right = (hi - c[i]) % 360 or 360
        d = (h[..., 0] - c[i] + 180) % 360 - 180
        t = np.where(d < 0, -d / left, d / right)
        w[..., i] = np.where(t < 1, 0.5 + 0.5 * np.cos(np.pi * np.clip(t, 0, 1)), 0.0)
    w /= np.maximum(w.sum(axis=-1, keepdims=True), 1e-12)
    out = np.empty_like(w)
    out[..., order] = w
    return out


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((np.asarray(x) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)
