"""Vibrance: a saturation change that favours muted colours and spares skin tones (OkLCh chroma)."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import hue_of_srgb, in_gamut_chroma, oklch_to_srgb, srgb_to_oklch
from editor.core.params import param

NAME = "vibrance"
LABEL = "Vibrance"
VERSION = 1
KIND = "colour"

_FULL_CHROMA = 0.25  # OkLCh chroma at which a colour counts as fully saturated (no boost)
SKIN_HUE = hue_of_srgb((0.85, 0.64, 0.52))  # ≈ 55°, typical skin across complexions
_SKIN_WIDTH = 25.0  # degrees either side where the boost fades out
_SKIN_PROTECTION = 0.6  # share of the boost withheld at the centre of the skin hue


@dataclass(frozen=True)
class Params:
    vibrance: float = param(0.0, -100.0, 100.0, label="Vibrance")


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    lch = srgb_to_oklch(rgb)
    c, h = lch[..., 1], lch[..., 2]
    v = p.vibrance / 100.0
    muted = np.clip(1.0 - c / _FULL_CHROMA, 0.0, 1.0) ** 2
    d = np.abs((h - SKIN_HUE + 180) % 360 - 180)
    skin = np.where(d < _SKIN_WIDTH, 0.5 + 0.5 * np.cos(np.pi * d / _SKIN_WIDTH), 0.0)
    weight = muted * (1.0 - _SKIN_PROTECTION * skin) if v > 0 else 0.5 + 0.5 * muted
    lch[..., 1] = c * np.maximum(1.0 + v * weight, 0.0)
    return oklch_to_srgb(in_gamut_chroma(lch) if v > 0 else lch)
