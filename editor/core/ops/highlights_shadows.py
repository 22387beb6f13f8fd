"""Highlights and shadows: per-channel tone curves that act on the upper or lower part of the range.

Highlights − pulls the upper tones down (recovers skies), + brightens them; shadows + opens up the
darks, − deepens them. Black (0) and white (1) stay put and the curve stays monotone (PCHIP through
a few anchor points), so nothing inverts or bands.
"""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import monotone_curve
from editor.core.params import param

NAME = "highlights_shadows"
LABEL = "Highlights & Shadows"
VERSION = 1
KIND = "channel"

# Anchor x positions (sRGB-encoded) and how far each anchor moves at ±100.
_XS = (0.0, 0.125, 0.25, 0.5, 0.75, 0.875, 1.0)
_SHADOWS = (0.0, 0.07, 0.1, 0.025, 0.0, 0.0, 0.0)
_HIGHLIGHTS = (0.0, 0.0, 0.0, 0.025, 0.1, 0.07, 0.0)


@dataclass(frozen=True)
class Params:
    highlights: float = param(0.0, -100.0, 100.0, label="Highlights")
    shadows: float = param(0.0, -100.0, 100.0, label="Shadows")


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    s, h = p.shadows / 100.0, p.highlights / 100.0
    ys = [xa + s * da + h * db for xa, da, db in zip(_XS, _SHADOWS, _HIGHLIGHTS)]
    y = monotone_curve(list(zip(_XS, ys)), x)
    return np.stack([y, y, y])
