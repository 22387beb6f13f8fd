"""Colour maths on numpy arrays for the point-wise operations.

The working space is sRGB (IEC 61966-2-1): values are sRGB-encoded, 0..1, D65. Operations that need
light-linear values (exposure, white balance) convert with `to_linear` / `to_srgb`; hue-aware
operations use OkLab / OkLCh, which keeps hue stable when lightness or chroma change.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

# Rec.709 / sRGB luminance weights, for linear values.
LUMA = np.array([0.2126, 0.7152, 0.0722])


def to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values to linear light (the inverse of `to_srgb`); odd-symmetric beyond 0."""
    v = np.asarray(v, dtype=np.float64)
    a = np.abs(v)
    out = np.add(a, 0.055, out=np.empty_like(a))  # an array even for scalars, for the in-place steps
    out *= 1 / 1.055
    np.power(out, 2.4, out=out)
    np.copyto(out, a * (1 / 12.92), where=a <= 0.04045)
    return np.copysign(out, v, out=out)


def to_srgb(v: np.ndarray) -> np.ndarray:
    """Linear light to sRGB-encoded values."""
    v = np.asarray(v, dtype=np.float64)
    a = np.abs(v)
    out = np.power(a, 1 / 2.4, out=np.empty_like(a))
    out *= 1.055
    out -= 0.055
    np.copyto(out, a * 12.92, where=a <= 0.0031308)
    return np.copysign(out, v, out=out)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance (0..1) of sRGB-encoded pixels, shape (..., 3) -> (...)."""
    lin = to_linear(rgb)
    return (lin.reshape(-1, 3) @ LUMA).reshape(lin.shape[:-1])


_LMS = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                 [0.2119034982, 0.6806995451, 0.1073969566],
                 [0.0883024619, 0.2817188376, 0.6299787005]])
_LAB = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                 [1.9779984951, -2.4285922050, 0.4505937099],
                 [0.0259040371, 0.7827717662, -0.8086757660]])


# Tiny corrections (~1e-8) so that neutral greys map exactly to a = b = 0 and back to R = G = B.
_LMS = _LMS / _LMS.sum(axis=1, keepdims=True)
_LAB = _LAB - np.array([[0.0], [1.0], [1.0]]) * (_LAB.sum(axis=1) / 3)[:, None]
_LAB[0] /= _LAB[0].sum()
_LMS_INV = np.linalg.inv(_LMS)
_LAB_INV = np.linalg.inv(_LAB)


def linear_to_oklab(lin: np.ndarray) -> np.ndarray:
    """Linear sRGB (..., 3) to OkLab (L 0..1, a, b)."""
    return mat3(np.cbrt(mat3(lin, _LMS)), _LAB)


def oklab_to_linear(lab: np.ndarray) -> np.ndarray:
    """OkLab to linear sRGB; out-of-gamut colours give values outside 0..1 (not clipped)."""
    lms = mat3(lab, _LAB_INV)
    return mat3(lms * lms * lms, _LMS_INV)


def mat3(v: np.ndarray, m: np.ndarray) -> np.ndarray:
    """`m` applied to every colour of `v` (..., 3); flattened first, as numpy's batched matmul is slow."""
    v = np.asarray(v, dtype=np.float64)
    return (v.reshape(-1, 3) @ m.T).reshape(v.shape)


def srgb_to_oklab(rgb: np.ndarray) -> np.ndarray:
    return linear_to_oklab(to_linear(rgb))


def oklab_to_srgb(lab: np.ndarray) -> np.ndarray:
    return to_srgb(oklab_to_linear(lab))


def oklab_to_oklch(lab: np.ndarray) -> np.ndarray:
    """OkLab to (L, C, h in degrees 0..360)."""
    c = np.sqrt(lab[..., 1] ** 2 + lab[..., 2] ** 2)
    h = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360
    return np.stack([lab[..., 0], c, h], axis=-1)


def oklch_to_oklab(lch: np.ndarray) -> np.ndarray:
    h = np.radians(lch[..., 2])
    return np.stack([lch[..., 0], lch[..., 1] * np.cos(h), lch[..., 1] * np.sin(h)], axis=-1)


def srgb_to_oklch(rgb: np.ndarray) -> np.ndarray:
    """(L 0..1, C ~0..0.33, h in degrees 0..360) of sRGB-encoded pixels."""
    return oklab_to_oklch(srgb_to_oklab(rgb))


def oklch_to_srgb(lch: np.ndarray) -> np.ndarray:
    return oklab_to_srgb(oklch_to_oklab(lch))


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


def in_gamut_chroma(lch: np.ndarray, steps: int = 13) -> np.ndarray:
    """`lch` with chroma reduced (keeping L and h) just enough that the colour fits the sRGB gamut."""
    lch = np.asarray(lch, dtype=np.float64)
    return oklab_to_oklch(fit_gamut(oklch_to_oklab(lch), steps))


def fit_gamut(lab: np.ndarray, steps: int = 13) -> np.ndarray:
    """OkLab colours with (a, b) scaled down, keeping L and hue, just enough to fit the sRGB gamut.

    Used after operations that raise chroma, so that saturated colours keep their hue instead of being
    clipped per channel. Along a line of constant L and hue, linear RGB is a cubic in the chroma factor,
    so bisection steps on that factor, finished by one linear (regula falsi) step for a smooth result,
    only evaluate polynomials, and only for the colours that are out of gamut (13 steps: within
    0.05/255 of the exact boundary after sRGB encoding). Colours with L outside 0..1 are left alone.

    Dark colours near the hue of the blue primary, where that boundary jumps, get the mean of the fits of
    8 neighbours in hue instead (see `_smoothed_exit`): the jump becomes 8 steps of an eighth, and the
    colour may lie outside by up to 1e-3 (linear), which the sRGB clip that follows removes.
    """
    lab = np.asarray(lab, dtype=np.float64)
    return _fit(lab.reshape(-1, 3), oklab_to_linear(lab).reshape(-1, 3), steps)[0].reshape(lab.shape)


def oklab_to_srgb_in_gamut(lab: np.ndarray) -> np.ndarray:
    """`oklab_to_srgb(fit_gamut(lab))` clipped to 0..1, converting each colour to linear RGB once."""
    lab = np.asarray(lab, dtype=np.float64)
    _, lin = _fit(lab.reshape(-1, 3), oklab_to_linear(lab).reshape(-1, 3), 13)
    return np.clip(to_srgb(lin.reshape(lab.shape)), 0.0, 1.0)


def _fit(flat: np.ndarray, lin: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(fitted lab, its linear RGB) for (n, 3) lab and the matching linear RGB."""
    cols = lin.T
    worst = np.maximum(np.maximum(np.maximum(cols[0], cols[1]), cols[2]) - 1.0,
                       -np.minimum(np.minimum(cols[0], cols[1]), cols[2]))
    valid = (flat[:, 0] > 0) & (flat[:, 0] < 1)
    near_blue = valid & _near_notch_hue(flat)
    out = np.flatnonzero((worst > 1e-9) & valid & ~near_blue)
    blue = np.flatnonzero(near_blue)
    if not out.size and not blue.size:
        return flat, lin
    flat, lin = flat.copy(), lin.copy()
    if out.size:
        base, dirs = _line(flat[out])
        flat[out, 1:] *= _exit(base, dirs, np.zeros(out.size), np.ones(out.size), steps, worst[out])[:, None]
        lin[out] = oklab_to_linear(flat[out])
    if blue.size:
        factor = _smoothed_exit(flat[blue], steps)
        changed = blue[factor < 1.0]
        flat[changed, 1:] *= factor[factor < 1.0, None]
        lin[changed] = oklab_to_linear(flat[changed])
    return flat, lin


def _line(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lms_ at zero chroma, d lms_ / d chroma factor), each (3, n), for (n, 3) OkLab colours: lms_ is
    linear in the factor along a line of constant L and hue."""
    sub = lab.T  # (3, n): row-wise arithmetic is faster than on (n, 3)
    return _LAB_INV[:, :1] * sub[0], _LAB_INV[:, 1:] @ sub[1:]


# Near the blue primary's OkLCh hue (264.05°) the red = 0 face of the gamut is nearly tangent to dark
# lines of constant L and hue: such a line can leave the gamut by a hair (red below 0 by at most 7e-4,
# linear), come back in and leave for good further out, or run along the face. There the largest chroma
# in gamut jumps as L or hue move a little (ramps of dark blues through Vivid or Chrome stepped by ΔE00
# 3-4.7 between neighbouring 8-bit levels), so it is averaged over hues around the colour's own: the
# jump becomes as many small steps. A scan of 150 000 lines at hues 256-272° found such lines only at
# hues 264.05-264.21° and L below 0.46; the window adds the jitter and a margin to that.
_NOTCH_HUES = (263.2, 265.1)  # degrees
_NOTCH_L = 0.55
_JITTER = np.linspace(-0.6, 0.6, 8)  # hue offsets (degrees) averaged over
_SAMPLES = 24  # points along each line to find its first exit


def _near_notch_hue(lab: np.ndarray) -> np.ndarray:
    """Whether each (n, 3) OkLab colour lies in the window of hue and lightness described above."""
    near = (lab[:, 0] < _NOTCH_L) & (lab[:, 2] < 0) & (lab[:, 1] < 0)  # cheap: hues 180-270° only
    candidates = np.flatnonzero(near)
    hue = np.degrees(np.arctan2(lab[candidates, 2], lab[candidates, 1])) % 360
    near[candidates] = (hue > _NOTCH_HUES[0]) & (hue < _NOTCH_HUES[1])
    return near


def _smoothed_exit(lab: np.ndarray, steps: int) -> np.ndarray:
    """The chroma factor (1: unchanged) of (n, 3) OkLab colours: the mean over lines at hues _JITTER
    around each colour's own of 1 where the colour so turned is in gamut, else of the line's first exit."""
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    hue = np.arctan2(lab[:, 2], lab[:, 1])[None, :] + np.radians(_JITTER)[:, None]  # (jitter, n)
    turned = np.stack([np.broadcast_to(lab[:, 0], hue.shape), chroma * np.cos(hue), chroma * np.sin(hue)],
                      axis=-1).reshape(-1, 3)
    base, dirs = _line(turned)
    factor = np.ones(len(turned))
    outside = np.flatnonzero(_excess(base, dirs, np.ones(len(turned))) > 0)
    if outside.size:
        factor[outside] = _first_exit(base[:, outside], dirs[:, outside], steps)
    return factor.reshape(hue.shape).mean(axis=0)


def _first_exit(base: np.ndarray, dirs: np.ndarray, steps: int) -> np.ndarray:
    """The smallest chroma factor in 0..1 at which each line (which ends outside) leaves the gamut,
    found between samples along the line, so that a later exit is never taken for it."""
    grid = np.linspace(0.0, 1.0, _SAMPLES + 1)
    out = _excess(base[:, None, :], dirs[:, None, :], grid[1:, None]) > 0  # (samples, n)
    k = out.argmax(axis=0)  # the first sample outside (index into grid[1:]); the last one always is
    return _exit(base, dirs, grid[k], grid[k + 1], steps)


def _exit(base: np.ndarray, dirs: np.ndarray, lo: np.ndarray, hi: np.ndarray, steps: int,
          excess_hi: np.ndarray | None = None) -> np.ndarray:
    """The factor in [lo, hi] where the excess turns positive (inside at lo, outside at hi): bisection
    steps, finished by one linear (regula falsi) step for a smooth result."""
    lo, hi = lo.astype(np.float64), hi.astype(np.float64)
    excess_lo = _excess(base, dirs, lo)
    excess_hi = _excess(base, dirs, hi) if excess_hi is None else excess_hi
    for _ in range(steps):
        mid = (lo + hi) * 0.5
        excess = _excess(base, dirs, mid)
        inside = excess <= 0
        lo, excess_lo = np.where(inside, mid, lo), np.where(inside, excess, excess_lo)
        hi, excess_hi = np.where(inside, hi, mid), np.where(inside, excess_hi, excess)
    return lo + (hi - lo) * np.clip(-excess_lo / np.maximum(excess_hi - excess_lo, 1e-12), 0.0, 1.0)


def _excess(base: np.ndarray, dirs: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """How far (linear RGB units) the most offending channel is outside 0..1 at `factor`; <= 0 inside."""
    lms = base + dirs * factor
    lms = lms * lms * lms
    m = _LMS_INV
    r = m[0, 0] * lms[0] + m[0, 1] * lms[1] + m[0, 2] * lms[2]
    g = m[1, 0] * lms[0] + m[1, 1] * lms[1] + m[1, 2] * lms[2]
    b = m[2, 0] * lms[0] + m[2, 1] * lms[1] + m[2, 2] * lms[2]
    return np.maximum(np.maximum(np.maximum(r, g), b) - 1.0, -np.minimum(np.minimum(r, g), b))


def hue_interp(hue: np.ndarray, centres: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`hue_weights(hue, centres) @ values` for hue in degrees (any range), from a 0.25° table (faster).

    `values` is (len(centres), k); returns (..., k). The table is exact at its nodes and linear in
    between, which for the smooth raised-cosine bands errs by less than 1e-4 of the value range.
    """
    columns = hue_interp_columns(hue, centres, values)
    return np.stack([np.zeros(np.shape(hue)) if c is None else c for c in columns], axis=-1)


def hue_interp_columns(hue: np.ndarray, centres: np.ndarray, values: np.ndarray) -> list:
    """Like `hue_interp`, as one array per column of `values`; None for an all-zero column (skipped)."""
    values = np.asarray(values, dtype=np.float64)
    table = band_table(tuple(np.asarray(centres, dtype=np.float64)), tuple(map(tuple, values)))
    index = hue_index(hue)
    return [hue_lookup(table[j], index) if values[:, j].any() else None for j in range(values.shape[1])]


def hue_index(hue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(node, fraction) of each hue (degrees, any range) in a `band_table` row."""
    n = 360 * _HUE_STEPS_PER_DEG
    pos = np.asarray(hue, dtype=np.float64) * _HUE_STEPS_PER_DEG
    if pos.size and (pos.min() < 0 or pos.max() >= n):
        pos = pos % n
    i = pos.astype(np.intp)  # floor, as pos >= 0
    return i, pos - i


def hue_lookup(row: np.ndarray, index: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """A periodic table row (360 * 4 + 1 nodes, see `band_table`) linearly interpolated at `index`."""
    i, frac = index
    return np.take(row, i) + np.take(np.diff(row), i) * frac


_HUE_STEPS_PER_DEG = 4


HUE_NODES = np.arange(360 * _HUE_STEPS_PER_DEG + 1) / _HUE_STEPS_PER_DEG  # the hues of a table row's nodes


@lru_cache(maxsize=32)
def band_table(centres: tuple, values: tuple) -> np.ndarray:
    """(k, len(HUE_NODES)) table of `hue_weights(HUE_NODES, centres) @ values`, one row per column."""
    nodes = HUE_NODES
    table = np.ascontiguousarray((hue_weights(nodes % 360, np.array(centres)) @ np.array(values)).T)
    table.setflags(write=False)
    return table


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
