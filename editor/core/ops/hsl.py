"""HSL mixer: hue, saturation and luminance of eight colour bands, in OkLCh with smooth band weights.

Hue ±100 turns a band up to ±30° towards its neighbours; saturation scales its chroma (−100 = grey);
luminance moves its OkLab lightness up to ±0.25, scaled by how colourful the pixel is so greys stay put.
"""
from dataclasses import make_dataclass
from functools import lru_cache

import numpy as np

from editor.core.colour import (BAND_HUES, BAND_NAMES, band_table, fit_gamut, hue_index, hue_lookup, oklab_to_srgb,
                                srgb_to_oklab)
from editor.core.params import param

NAME = "hsl"
LABEL = "HSL"
VERSION = 1
KIND = "colour"

_HUE_DEG = 30.0
_LUM = 0.25
_CHROMA_FULL = 0.08  # chroma from which a pixel gets the full luminance change


def _fields():
    out = []
    for band in BAND_NAMES:
        title = band.capitalize()
        out += [(f"{band}_hue", float, param(0.0, -100.0, 100.0, label=f"{title} Hue")),
                (f"{band}_saturation", float, param(0.0, -100.0, 100.0, label=f"{title} Saturation")),
                (f"{band}_luminance", float, param(0.0, -100.0, 100.0, label=f"{title} Luminance"))]
    return out


Params = make_dataclass("Params", _fields(), frozen=True)
Params.__module__ = __name__
Params.__doc__ = "Hue, saturation and luminance per band (" + ", ".join(BAND_NAMES) + "), −100..100 each."


def band_values(p) -> np.ndarray:
    """(8, 3) array of (hue, saturation, luminance) / 100 per band, in BAND_NAMES order."""
    return np.array([[getattr(p, f"{b}_{k}") for k in ("hue", "saturation", "luminance")]
                     for b in BAND_NAMES]) / 100.0


@lru_cache(maxsize=16)
def _tables(p) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Per-hue tables of the (a, b) matrix (cos, sin parts, chroma scale folded in) and the lightness
    shift; None where the params leave that part alone."""
    vals = band_values(p)
    dh, ds, dl = band_table(tuple(BAND_HUES), tuple(map(tuple, vals)))
    scale = np.maximum(1.0 + ds, 0.0)
    turn = np.radians(dh * _HUE_DEG)
    turns, scales = vals[:, 0].any(), vals[:, 1].any()
    cos = np.cos(turn) * scale if turns or scales else None
    sin = np.sin(turn) * scale if turns else None
    return cos, sin, (dl if vals[:, 2].any() else None)


def transform_lab(lab: np.ndarray, p) -> np.ndarray:
    """OkLab in, OkLab out (may leave the sRGB gamut; callers fit it with colour.fit_gamut)."""
    out = np.array(lab, dtype=np.float64)
    cos, sin, dl = _tables(p)
    L, a, b = out[..., 0], out[..., 1], out[..., 2]
    hue = np.arctan2(b, a)
    hue *= 180.0 / np.pi
    index = hue_index(hue)
    if dl is not None:
        # Smooth (quadratic) start from grey: hue is meaningless there, and a cone-shaped response
        # would interpolate poorly on the fused 33³ grid.
        t = np.minimum(np.sqrt(a * a + b * b) * (1.0 / _CHROMA_FULL), 1.0)
        colourful = t * t * (3.0 - 2.0 * t)
        shift = hue_lookup(dl, index) * (_LUM * 2.0) * colourful
        # Lightness moves towards white or black by a share of the remaining room: it never overshoots.
        out[..., 0] = L + shift * np.where(shift > 0, 1.0 - L, L)
    if sin is not None:  # rotate (a, b) by the hue shift while scaling chroma
        c, s = hue_lookup(cos, index), hue_lookup(sin, index)
        out[..., 1], out[..., 2] = a * c - b * s, a * s + b * c
    elif cos is not None:
        c = hue_lookup(cos, index)
        out[..., 1] *= c
        out[..., 2] *= c
    return out


def transform(rgb: np.ndarray, p) -> np.ndarray:
    return oklab_to_srgb(fit_gamut(transform_lab(srgb_to_oklab(rgb), p)))
