"""Post-crop vignette: darkens (or lightens) towards the frame's edges with a smooth falloff."""
from dataclasses import dataclass

import pyvips

from editor.core.params import param

NAME = "vignette"
LABEL = "Vignette"
VERSION = 1
KIND = "spatial"


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, -100.0, 100.0, label="Amount", unit="%")
    midpoint: float = param(50.0, 0.0, 100.0, label="Midpoint", unit="%")
    feather: float = param(50.0, 0.0, 100.0, label="Feather", unit="%")
    roundness: float = param(0.0, -100.0, 100.0, label="Roundness", unit="%")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def mask(width: int, height: int, p: Params) -> pyvips.Image:
    """A one-band float mask, 1 in the centre falling to 0 at the corners (shape from p)."""
    xy = pyvips.Image.xyz(width, height).cast("float")
    # Normalise so the corners sit at distance 1. Roundness 100 is a circle; 0 follows the frame's
    # aspect (an ellipse); negative values push towards a rounded rectangle.
    aspect = width / height
    circle = p.roundness / 100.0
    sx = 1.0 + max(circle, 0.0) * (aspect - 1.0) if aspect >= 1 else 1.0
    sy = 1.0 + max(circle, 0.0) * (1.0 / aspect - 1.0) if aspect < 1 else 1.0
    nx = (xy[0] + (0.5 - width / 2)) / (width / 2) * sx  # pixel centres: symmetric at any size
    ny = (xy[1] + (0.5 - height / 2)) / (height / 2) * sy
    power = 2.0 + max(-circle, 0.0) * 6.0
    dist = ((nx.abs() ** power + ny.abs() ** power) ** (1.0 / power)) / (2.0 ** (1.0 / power))
    inner = 0.05 + 0.9 * p.midpoint / 100.0
    width_ = max(0.02, (1.0 - inner) * (0.1 + 0.9 * p.feather / 100.0))
    t = ((dist - inner) / width_).maxpair(0.0).minpair(1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    m = mask(image.width, image.height, p)
    strength = p.amount / 100.0
    top = 65535.0 if image.format == "ushort" else 255.0
    if strength < 0:  # darken: multiply towards black at the edges
        gain = 1.0 + strength * (1.0 - m)
        out = image * gain
    else:  # lighten: blend towards white at the edges
        out = image + (top - image) * (strength * (1.0 - m))
    return out.rint().cast(image.format).copy(interpretation=image.interpretation)
