"""Relative white balance for already-developed (JPEG/HEIF) photos: channel gains in linear light.

Temperature moves the white along the Planckian locus (±100 = ±100 mired from 6500 K), tint along the
green-magenta axis. The gains are normalised to keep the luminance of neutral grey, so a neutral
mid-grey only changes hue, not brightness.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from editor.core.colour import LUMA, cct_to_linear_rgb, to_linear, to_srgb
from editor.core.params import param

NAME = "white_balance"
LABEL = "White Balance"
VERSION = 1
KIND = "channel"

_REFERENCE_K = 6504.0
_MIRED_PER_UNIT = 1.0  # temperature ±100 -> ±100 mired (about 4000 K .. 18500 K relative to 6500 K)
_TINT_STOPS = 0.35  # tint ±100 -> green gain ∓0.35 stops


@dataclass(frozen=True)
class Params:
    temperature: float = param(0.0, -100.0, 100.0, label="Temperature")
    tint: float = param(0.0, -100.0, 100.0, label="Tint")


def gains(p: Params) -> np.ndarray:
    """Linear-light (R, G, B) multipliers; + temperature warms (R up, B down), + tint adds magenta."""
    return _gains(p.temperature, p.tint)


@lru_cache(maxsize=64)
def _gains(temperature: float, tint: float) -> np.ndarray:
    mired = 1e6 / _REFERENCE_K + temperature * _MIRED_PER_UNIT
    # Warming means the scene is shown as if lit by a lower colour temperature.
    g = cct_to_linear_rgb(1e6 / mired) / cct_to_linear_rgb(_REFERENCE_K)
    g = g * 2.0 ** (np.array([0.5, -1.0, 0.5]) * _TINT_STOPS * tint / 100.0)
    return g / (g @ LUMA)


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    lin = to_linear(x)
    return np.stack([to_srgb(lin * g) for g in gains(p)])
