"""Point curves: a master curve, then one per channel, each a smooth monotone spline through its points."""
from dataclasses import dataclass

import numpy as np

from editor.core.colour import monotone_curve
from editor.core.params import param

NAME = "tone_curve"
LABEL = "Tone Curve"
VERSION = 1
KIND = "channel"

LINEAR = ((0.0, 0.0), (1.0, 1.0))


@dataclass(frozen=True)
class Params:
    master: tuple = param(LINEAR, label="Curve", kind="curve")
    red: tuple = param(LINEAR, label="Red", kind="curve")
    green: tuple = param(LINEAR, label="Green", kind="curve")
    blue: tuple = param(LINEAR, label="Blue", kind="curve")


def _is_linear(points) -> bool:
    return (points[0][0] == 0.0 and points[-1][0] == 1.0
            and all(abs(x - y) < 1e-9 for x, y in points))


def is_identity(p: Params) -> bool:
    return all(_is_linear(c) for c in (p.master, p.red, p.green, p.blue))


def curve(points, x: np.ndarray) -> np.ndarray:
    """One curve evaluated at x (0..1); flat beyond the first and last point."""
    return np.clip(monotone_curve(points, x), 0.0, 1.0)


def curves(x: np.ndarray, p: Params) -> np.ndarray:
    m = curve(p.master, x)
    return np.stack([curve(c, m) for c in (p.red, p.green, p.blue)])
