"""Contrast: an S-curve around mid-grey, per channel on sRGB-encoded values (0 and 1 stay put)."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import to_srgb
from editor.core.params import param

NAME = "contrast"
LABEL = "Contrast"
VERSION = 1
KIND = "channel"

PIVOT = float(to_srgb(0.18))  # 18 % grey, sRGB-encoded (≈ 0.46)
_K = 7.0  # logistic steepness: slope at the pivot ≈ 1.9 at +100, ≈ 0.54 at -100


@dataclass(frozen=True)
class Params:
    contrast: float = param(0.0, -100.0, 100.0, label="Contrast")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """A logistic S-curve through (0, 0), (PIVOT, ~PIVOT) and (1, 1)."""
    lo, hi = _logistic(-_K * PIVOT), _logistic(_K * (1 - PIVOT))
    return (_logistic(_K * (x - PIVOT)) - lo) / (hi - lo)


def _inverse_sigmoid(y: np.ndarray) -> np.ndarray:
    lo, hi = _logistic(-_K * PIVOT), _logistic(_K * (1 - PIVOT))
    s = np.clip(lo + y * (hi - lo), 1e-12, 1 - 1e-12)
    return PIVOT + np.log(s / (1 - s)) / _K


def _logistic(v):
    return 1.0 / (1.0 + np.exp(-v))


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    a = p.contrast / 100.0
    # Blending identity with a monotone curve keeps the result monotone; the inverse S flattens mids.
    target = _sigmoid(x) if a >= 0 else _inverse_sigmoid(x)
    y = x + abs(a) * (target - x)
    return np.stack([y, y, y])
