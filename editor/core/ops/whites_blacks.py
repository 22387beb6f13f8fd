"""Whites and blacks: move the ends of the tonal range, leaving the mid-tones nearly untouched.

Whites + pushes the brightest tones towards clipping, - pulls white down to 0.75; blacks - crushes the
darkest tones to black, + lifts black up to 0.2. Per channel on sRGB-encoded values.
"""
from dataclasses import dataclass

import numpy as np

from editor.core.params import param

NAME = "whites_blacks"
LABEL = "Whites & Blacks"
VERSION = 1
KIND = "channel"

_WHITE_RANGE = 0.25
_BLACK_RANGE = 0.2
_POWER = 4  # how tightly the effect hugs the ends (derivative 1 ± x^3 stays >= 0, so monotone)


@dataclass(frozen=True)
class Params:
    whites: float = param(0.0, -100.0, 100.0, label="Whites")
    blacks: float = param(0.0, -100.0, 100.0, label="Blacks")


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    w, b = p.whites / 100.0, p.blacks / 100.0
    y = x + w * _WHITE_RANGE * x ** _POWER + b * _BLACK_RANGE * (1 - x) ** _POWER
    return np.stack([y, y, y])
