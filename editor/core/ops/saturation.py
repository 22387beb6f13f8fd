"""Global saturation: scales OkLCh chroma, keeping lightness and hue."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import oklch_to_srgb, srgb_to_oklch
from editor.core.params import param

NAME = "saturation"
LABEL = "Saturation"
VERSION = 1
KIND = "colour"


@dataclass(frozen=True)
class Params:
    saturation: float = param(0.0, -100.0, 100.0, label="Saturation", unit="%")


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    lch = srgb_to_oklch(rgb)
    lch[..., 1] *= 1.0 + p.saturation / 100.0
    return oklch_to_srgb(lch)
