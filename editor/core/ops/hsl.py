"""HSL mixer: hue, saturation and luminance of eight colour bands, in OkLCh with smooth band weights.

Hue ±100 turns a band up to ±30° towards its neighbours; saturation scales its chroma (−100 = grey);
luminance moves its OkLab lightness up to ±0.25, scaled by how colourful the pixel is so greys stay put.
"""
from dataclasses import dataclass, fields, make_dataclass

import numpy as np

from editor.core.colour import BAND_HUES, BAND_NAMES, hue_weights, in_gamut_chroma, oklch_to_srgb, srgb_to_oklch
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


def transform(rgb: np.ndarray, p) -> np.ndarray:
    lch = srgb_to_oklch(rgb)
    vals = band_values(p)
    active = np.flatnonzero(np.any(vals != 0, axis=1))
    w = hue_weights(lch[..., 2], BAND_HUES)[..., active]
    dh, ds, dl = (w @ vals[active, i] for i in range(3))
    colourful = np.clip(lch[..., 1] / _CHROMA_FULL, 0.0, 1.0)
    lch[..., 0] = lch[..., 0] + dl * _LUM * colourful * np.where(dl > 0, 1.0 - lch[..., 0], lch[..., 0]) * 2
    lch[..., 1] = lch[..., 1] * np.maximum(1.0 + ds, 0.0)
    lch[..., 2] = lch[..., 2] + dh * _HUE_DEG
    return oklch_to_srgb(in_gamut_chroma(lch))
