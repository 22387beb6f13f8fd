"""Colour grading: tint shadows, mid-tones and highlights separately (hue + saturation + luminance).

Regions are smooth weights of OkLab lightness: `balance` moves the split between shadows and highlights,
`blending` widens the overlap. A tint adds an OkLab (a, b) offset of up to 0.1 at saturation 100, which
leaves lightness alone; luminance moves L by up to ±0.15 within the region.
"""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import fit_gamut, oklab_to_srgb, srgb_to_oklab
from editor.core.params import param

NAME = "color_grading"
LABEL = "Color Grading"
VERSION = 1
KIND = "colour"

_TINT = 0.1
_LUM = 0.15
REGIONS = ("shadows", "midtones", "highlights")


@dataclass(frozen=True)
class Params:
    shadows_hue: float = param(0.0, 0.0, 360.0, label="Shadows Hue", unit="°")
    shadows_sat: float = param(0.0, 0.0, 100.0, label="Shadows Saturation")
    shadows_lum: float = param(0.0, -100.0, 100.0, label="Shadows Luminance")
    midtones_hue: float = param(0.0, 0.0, 360.0, label="Midtones Hue", unit="°")
    midtones_sat: float = param(0.0, 0.0, 100.0, label="Midtones Saturation")
    midtones_lum: float = param(0.0, -100.0, 100.0, label="Midtones Luminance")
    highlights_hue: float = param(0.0, 0.0, 360.0, label="Highlights Hue", unit="°")
    highlights_sat: float = param(0.0, 0.0, 100.0, label="Highlights Saturation")
    highlights_lum: float = param(0.0, -100.0, 100.0, label="Highlights Luminance")
    balance: float = param(0.0, -100.0, 100.0, label="Balance")
    blending: float = param(50.0, 0.0, 100.0, label="Blending")


def is_identity(p: Params) -> bool:
    return all(getattr(p, f"{r}_sat") == 0 and getattr(p, f"{r}_lum") == 0 for r in REGIONS)


def region_weights(lightness: np.ndarray, balance: float, blending: float) -> np.ndarray:
    """(..., 3) weights of shadows / midtones / highlights for OkLab lightness 0..1; they sum to 1.

    `balance` (−100..100) moves the split point; + favours the highlight tint.
    `blending` (0..100) widens the transitions between regions.
    """
    return np.stack(_weights(lightness, balance, blending), axis=-1)


def _weights(lightness, balance, blending):
    t = np.clip(lightness, 0.0, 1.0)
    if balance:  # a gamma that moves the split point (0.25 .. 0.75) to 0.5
        t = t ** (np.log(0.5) / np.log(0.5 - 0.25 * balance / 100.0))
    width = 0.15 + 0.35 * blending / 100.0  # half-width of each transition
    sh = 1.0 - _smooth((t - (1 / 3 - width)) * (0.5 / width))
    hi = _smooth((t - (2 / 3 - width)) * (0.5 / width))
    total = np.maximum(sh + hi, 1.0)  # wide blending lets the two overlap: renormalise
    mid = (total - sh - hi) / total
    return sh / total, mid, hi / total


def _smooth(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def transform_lab(lab: np.ndarray, p: Params) -> np.ndarray:
    out = np.array(lab, dtype=np.float64)
    weights = _weights(out[..., 0], p.balance, p.blending)
    for r, w in zip(REGIONS, weights):
        sat, lum = getattr(p, f"{r}_sat") / 100.0 * _TINT, getattr(p, f"{r}_lum") / 100.0 * _LUM
        hue = np.radians(getattr(p, f"{r}_hue"))
        for i, v in enumerate((lum, sat * np.cos(hue), sat * np.sin(hue))):
            if v:
                out[..., i] += w * v
    return out


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    return oklab_to_srgb(fit_gamut(transform_lab(srgb_to_oklab(rgb), p)))
