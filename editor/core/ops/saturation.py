"""Global saturation: scales OkLab chroma, keeping lightness and hue (−100 gives grey)."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import fit_gamut, oklab_to_srgb, srgb_to_oklab
from editor.core.params import param

NAME = "saturation"
LABEL = "Saturation"
VERSION = 1
KIND = "colour"


@dataclass(frozen=True)
class Params:
    saturation: float = param(0.0, -100.0, 100.0, label="Saturation", unit="%")


def transform_lab(lab: np.ndarray, p: Params) -> np.ndarray:
    """OkLab in, OkLab out (may leave the sRGB gamut; callers fit it with colour.fit_gamut)."""
    out = np.array(lab, dtype=np.float64)
    out[..., 1:] *= 1.0 + p.saturation / 100.0
    return out


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    return oklab_to_srgb(fit_gamut(transform_lab(srgb_to_oklab(rgb), p)))
