"""Parametric tone curve: shadows, darks, lights and highlights, each bending its own zone of tones.

Three split points divide 0..1 into four zones (Lightroom's defaults: 25 / 50 / 75 %). Each slider moves
the middle of its zone up (+) or down (−) by up to 40 % of the zone's width at ±100, the curve passing
smoothly (monotone PCHIP) through those points and the split points, which move by half the mean of
their neighbours' shifts. Black and white stay put and the curve never turns back. Point-wise, so it is one
more curve in the fused colour transform; applied before the point curve, as in Lightroom.
"""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import monotone_curve
from editor.core.params import param

NAME = "parametric_curve"
LABEL = "Parametric Curve"
VERSION = 1
KIND = "channel"

ZONES = ("shadows", "darks", "lights", "highlights")
_SHIFT = 0.4  # a zone's middle moves by this share of the zone's width at ±100
_GAP = 0.05  # split points stay at least this far apart


@dataclass(frozen=True)
class Params:
    shadows: float = param(0.0, -100.0, 100.0, label="Shadows")
    darks: float = param(0.0, -100.0, 100.0, label="Darks")
    lights: float = param(0.0, -100.0, 100.0, label="Lights")
    highlights: float = param(0.0, -100.0, 100.0, label="Highlights")
    shadow_split: float = param(25.0, 10.0, 70.0, label="Shadow Split", unit="%")
    midtone_split: float = param(50.0, 20.0, 80.0, label="Midtone Split", unit="%")
    highlight_split: float = param(75.0, 30.0, 90.0, label="Highlight Split", unit="%")


def is_identity(p: Params) -> bool:
    return all(getattr(p, z) == 0 for z in ZONES)


def splits(p: Params) -> tuple[float, float, float]:
    """The three split points (0..1), kept in order and _GAP apart."""
    s1 = p.shadow_split / 100.0
    s2 = max(p.midtone_split / 100.0, s1 + _GAP)
    s3 = max(p.highlight_split / 100.0, s2 + _GAP)
    if s3 > 1.0 - _GAP:  # pushed past white: squeeze back from the top
        s3 = 1.0 - _GAP
        s2, s1 = min(s2, s3 - _GAP), min(s1, s3 - 2 * _GAP)
    return s1, s2, s3


def points(p: Params) -> list[tuple[float, float]]:
    edges = (0.0,) + splits(p) + (1.0,)
    shifts = [getattr(p, z) / 100.0 * _SHIFT * (b - a) for z, a, b in zip(ZONES, edges, edges[1:])]
    xs, ys = [0.0], [0.0]
    for i, (a, b) in enumerate(zip(edges, edges[1:])):
        xs.append((a + b) / 2)
        ys.append((a + b) / 2 + shifts[i])
        if i < 3:
            xs.append(b)
            ys.append(b + (shifts[i] + shifts[i + 1]) / 4)
    xs.append(1.0)
    ys.append(1.0)
    ys = np.clip(np.maximum.accumulate(ys), 0.0, 1.0)  # never turns back
    return list(zip(xs, ys))


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    y = np.clip(monotone_curve(points(p), x), 0.0, 1.0)
    return np.stack([y, y, y])
