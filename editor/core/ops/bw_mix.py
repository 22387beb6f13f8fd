"""Black & white: converts to grey with a per-colour-band brightness mix, then optional toning.

Like Lightroom's B&W mixer: each band (−100..100) makes its colours darker or lighter in the grey, by
up to ±0.3 OkLab lightness scaled by how colourful the pixel was. Toning then tints the grey with
`tone_hue` (OkLab hue angle) at `tone_amount`, strongest in the mid-tones. `amount` mixes the colour
image toward that (toned) grey in OkLab, so a look's amount can fade its conversion smoothly instead of
switching it at 50 % (presets.apply): what is left of the colour falls as (1 − amount)², because colour
differences near grey are seen (and ΔE00 counts them) far more than the same change in a vivid colour
— a linear mix moves a magenta by ΔE00 1.4 in its last 1 %, the eased one by < 0.1. Colour grading comes after this operation, as in Lightroom, so
split toning tints the grey.
"""
from dataclasses import make_dataclass

import numpy as np

from editor.core.colour import BAND_HUES, BAND_NAMES, fit_gamut, hue_interp_columns, oklab_to_srgb, srgb_to_oklab
from editor.core.params import param

NAME = "bw_mix"
LABEL = "Black & White"
VERSION = 2  # 2 added `amount` (version 1 params mean amount 100)
KIND = "colour"

_MIX = 0.3
_CHROMA_FULL = 0.12
_TONE = 0.06  # OkLab chroma of the tint at amount 100 in the mid-tones


Params = make_dataclass("Params", [("enabled", bool, param(False, label="Black & White"))]
                        + [(b, float, param(0.0, -100.0, 100.0, label=b.capitalize())) for b in BAND_NAMES]
                        + [("tone_hue", float, param(0.0, 0.0, 360.0, label="Tone Hue", unit="°")),
                           ("tone_amount", float, param(0.0, 0.0, 100.0, label="Tone Amount")),
                           ("amount", float, param(100.0, 0.0, 100.0, label="Amount", unit="%"))],
                        frozen=True)
Params.__module__ = __name__
Params.__doc__ = "Enable, per-band grey mix (−100..100), toning, and how far to mix toward the grey."


def migrate(version: int, data: dict) -> dict:
    return data  # version 1 had no `amount`: its default (100, full conversion) is what it meant


def is_identity(p) -> bool:
    return not p.enabled or p.amount == 0


def transform_lab(lab: np.ndarray, p) -> np.ndarray:
    """OkLab in, OkLab out: a neutral grey (a = b = 0) unless toned."""
    lab = np.asarray(lab, dtype=np.float64)
    if is_identity(p):
        return lab.copy()
    mix = np.array([getattr(p, b) for b in BAND_NAMES]) / 100.0
    lightness = lab[..., 0]
    if mix.any():
        chroma = np.hypot(lab[..., 1], lab[..., 2])
        hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1]))
        # Smooth (quadratic) start from grey: hue is meaningless there, and a cone-shaped response
        # would interpolate poorly on the fused 33³ grid.
        t = np.minimum(chroma * (1.0 / _CHROMA_FULL), 1.0)
        colourful = t * t * (3.0 - 2.0 * t)
        lightness = lightness + hue_interp_columns(hue, BAND_HUES, mix[:, None])[0] * _MIX * colourful
    lightness = np.clip(lightness, 0.0, 1.0)
    out = np.zeros_like(lab)
    out[..., 0] = lightness
    if p.tone_amount:
        t = p.tone_amount / 100.0 * _TONE * 4 * lightness * (1 - lightness)
        out[..., 1] = t * np.cos(np.radians(p.tone_hue))
        out[..., 2] = t * np.sin(np.radians(p.tone_hue))
    if p.amount < 100.0:
        out += (lab - out) * (1.0 - p.amount / 100.0) ** 2
    return out


def transform(rgb: np.ndarray, p) -> np.ndarray:
    if is_identity(p):
        return np.asarray(rgb, dtype=np.float64)
    return oklab_to_srgb(fit_gamut(transform_lab(srgb_to_oklab(rgb), p)))
