"""Vibrance: a saturation change that favours muted colours and spares skin tones (OkLab chroma)."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import fit_gamut, hue_of_srgb, oklab_to_srgb, srgb_to_oklab
from editor.core.params import param

NAME = "vibrance"
LABEL = "Vibrance"
VERSION = 1
KIND = "colour"

_FULL_CHROMA = 0.25  # OkLCh chroma at which a colour counts as fully saturated (no boost)
SKIN_HUE = hue_of_srgb((0.85, 0.64, 0.52))  # ≈ 60°, typical skin across complexions
_SKIN_WIDTH = 25.0  # degrees either side where the protection fades out
_SKIN_PROTECTION = 0.6  # share of the boost withheld at the centre of the skin hue
_SKIN_DIR = (np.cos(np.radians(SKIN_HUE)), np.sin(np.radians(SKIN_HUE)))
_SKIN_COS = np.cos(np.radians(_SKIN_WIDTH))


@dataclass(frozen=True)
class Params:
    vibrance: float = param(0.0, -100.0, 100.0, label="Vibrance")


def weights(lab: np.ndarray, vibrance: float) -> np.ndarray:
    """Per-pixel share (0..1) of the vibrance applied: more for muted colours, less for skin."""
    a, b = lab[..., 1], lab[..., 2]
    c = np.sqrt(a * a + b * b)
    muted = np.clip(1.0 - c * (1.0 / _FULL_CHROMA), 0.0, 1.0) ** 2
    if vibrance < 0:  # reducing: muted colours go first, but strong ones fade too
        return 0.5 + 0.5 * muted
    # Closeness to the skin hue from the cosine of the hue difference (no arctan needed).
    cos_d = (a * _SKIN_DIR[0] + b * _SKIN_DIR[1]) / np.maximum(c, 1e-12)
    t = np.clip((cos_d - _SKIN_COS) * (1.0 / (1.0 - _SKIN_COS)), 0.0, 1.0)
    skin = t * t * (3.0 - 2.0 * t)
    return muted * (1.0 - _SKIN_PROTECTION * skin)


def transform_lab(lab: np.ndarray, p: Params) -> np.ndarray:
    v = p.vibrance / 100.0
    out = np.array(lab, dtype=np.float64)
    out[..., 1:] *= np.maximum(1.0 + v * weights(out, v), 0.0)[..., None]
    return out


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    return oklab_to_srgb(fit_gamut(transform_lab(srgb_to_oklab(rgb), p)))
