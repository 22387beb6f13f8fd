"""Exposure in stops, applied in linear light: +1 EV doubles linear values."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import to_linear, to_srgb
from editor.core.params import param

NAME = "exposure"
LABEL = "Exposure"
VERSION = 1
KIND = "channel"


@dataclass(frozen=True)
class Params:
    exposure_ev: float = param(0.0, -5.0, 5.0, soft=(-3.0, 3.0), label="Exposure", unit="EV", step=0.05)


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    y = to_srgb(to_linear(x) * 2.0 ** p.exposure_ev)
    return np.stack([y, y, y])
