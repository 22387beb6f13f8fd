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


# The eight colour bands of the HSL and B&W mixers, centred on the OkLCh hue of a typical colour each.
BAND_NAMES = ("red", "orange", "yellow", "green", "aqua", "blue", "purple", "magenta")
_BAND_COLOURS = ((1.0, 0.0, 0.0), (1.0, 0.5, 0.0), (1.0, 1.0, 0.0), (0.0, 1.0, 0.0), (0.0, 1.0, 1.0),
                 (0.0, 0.0, 1.0), (0.5, 0.0, 1.0), (1.0, 0.0, 1.0))
BAND_HUES = np.array([hue_of_srgb(c) for c in _BAND_COLOURS])


def monotone_curve(points, x: np.ndarray) -> np.ndarray:
    """A smooth monotone (Fritsch-Carlson / PCHIP) spline through `points` [(x, y), ...], evaluated at `x`.

    The curve never overshoots between points (a rising set of points gives a rising curve) and is
    flat beyond the first and last point. Two points give a straight line.
    """
    px = np.asarray([p[0] for p in points], dtype=np.float64)
    py = np.asarray([p[1] for p in points], dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if len(px) < 2:
        return np.full_like(x, py[0] if len(py) else 0.0)
    h = np.diff(px)
    delta = np.diff(py) / h
    m = np.empty_like(px)
    m[0], m[-1] = delta[0], delta[-1]
    if len(px) > 2:
        # Weighted harmonic mean of neighbouring slopes (Fritsch-Butland), 0 at local extrema.
        w1 = 2 * h[1:] + h[:-1]
        w2 = h[1:] + 2 * h[:-1]
        same = delta[:-1] * delta[1:] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            hm = (w1 + w2) / (w1 / delta[:-1] + w2 / delta[1:])
        m[1:-1] = np.where(same, hm, 0.0)
        if len(px) > 2:  # one-sided three-point end slopes, limited so the ends stay monotone
            m[0] = _end_slope(h[0], h[1], delta[0], delta[1])
            m[-1] = _end_slope(h[-1], h[-2], delta[-1], delta[-2])
    xc = np.clip(x, px[0], px[-1])
    i = np.clip(np.searchsorted(px, xc, side="right") - 1, 0, len(px) - 2)
    t = (xc - px[i]) / h[i]
    t2, t3 = t * t, t * t * t
    return ((2 * t3 - 3 * t2 + 1) * py[i] + (t3 - 2 * t2 + t) * h[i] * m[i]
            + (-2 * t3 + 3 * t2) * py[i + 1] + (t3 - t2) * h[i] * m[i + 1])


def _end_slope(h0: float, h1: float, d0: float, d1: float) -> float:
    m = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
    if np.sign(m) != np.sign(d0):
        return 0.0
    if np.sign(d0) != np.sign(d1) and abs(m) > abs(3 * d0):
        return 3 * d0
    return m


def in_gamut_chroma(lch: np.ndarray, steps: int = 7) -> np.ndarray:
    """`lch` with chroma reduced (keeping L and h) just enough that the colour fits the sRGB gamut.

    A bisection on chroma; only colours that are out of gamut are searched. Used by operations that
    raise chroma, so that saturated colours keep their hue instead of being clipped per channel.
    """
    rgb = oklch_to_srgb(lch)
    out = (rgb < -1e-6).any(axis=-1) | (rgb > 1 + 1e-6).any(axis=-1)
    if not out.any():
        return lch
    sub = lch[out]
    lo, hi = np.zeros(len(sub)), sub[:, 1].copy()
    for _ in range(steps):
        mid = (lo + hi) / 2
        test = oklch_to_srgb(np.stack([sub[:, 0], mid, sub[:, 2]], axis=-1))
        ok = ((test >= -1e-6) & (test <= 1 + 1e-6)).all(axis=-1)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    result = lch.copy()
    result[out, 1] = lo
    return result


def cct_to_linear_rgb(kelvin: float) -> np.ndarray:
    """Linear sRGB of a Planckian light at `kelvin` (1667..25000 K), normalised to luminance 1.

    Uses the Kim et al. (2002) cubic fit of the Planckian locus in CIE 1931 xy.
    """
    t = float(np.clip(kelvin, 1667.0, 25000.0))
    if t <= 4000:
        x = -0.2661239e9 / t**3 - 0.2343589e6 / t**2 + 0.8776956e3 / t + 0.179910
    else:
        x = -3.0258469e9 / t**3 + 2.1070379e6 / t**2 + 0.2226347e3 / t + 0.240390
    if t <= 2222:
        y = -1.1063814 * x**3 - 1.34811020 * x**2 + 2.18555832 * x - 0.20219683
    elif t <= 4000:
        y = -0.9549476 * x**3 - 1.37418593 * x**2 + 2.09137015 * x - 0.16748867
    else:
        y = 3.0817580 * x**3 - 5.87338670 * x**2 + 3.75112997 * x - 0.37001483
    xyz = np.array([x / y, 1.0, (1 - x - y) / y])
    return _XYZ_TO_SRGB @ xyz


# XYZ (D65) -> linear sRGB.
_XYZ_TO_SRGB = np.array([[3.2404542, -1.5371385, -0.4985314],
                         [-0.9692660, 1.8760108, 0.0415560],
                         [0.0556434, -0.2040259, 1.0572252]])
