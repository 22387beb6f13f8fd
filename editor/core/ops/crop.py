"""Crop, straighten and quarter-turn rotation. Applied first, so the vignette follows the crop."""
import math
from dataclasses import dataclass

import pyvips

from editor.core.params import param

NAME = "crop"
LABEL = "Crop & Straighten"
VERSION = 1
KIND = "geometry"

# Aspect presets for the crop tool; "original" keeps the photo's own ratio.
ASPECTS = {"free": None, "original": None, "1:1": 1.0, "4:5": 4 / 5, "5:4": 5 / 4, "3:2": 3 / 2, "2:3": 2 / 3,
           "4:3": 4 / 3, "3:4": 3 / 4, "16:9": 16 / 9, "9:16": 9 / 16, "65:24": 65 / 24}


@dataclass(frozen=True)
class Params:
    rotate90: int = param(0, 0, 3, label="Rotate", unit="× 90°")
    angle: float = param(0.0, -45.0, 45.0, soft=(-15.0, 15.0), label="Straighten", unit="°", step=0.1)
    aspect: str = param("free", label="Aspect", choices=tuple(ASPECTS))
    left: float = param(0.0, 0.0, 1.0, label="Left", step=0.001)
    top: float = param(0.0, 0.0, 1.0, label="Top", step=0.001)
    width: float = param(1.0, 0.01, 1.0, label="Width", step=0.001)
    height: float = param(1.0, 0.01, 1.0, label="Height", step=0.001)


def is_identity(p: Params) -> bool:
    return p == Params(aspect=p.aspect)


def output_size(width: int, height: int, p: Params) -> tuple[int, int]:
    """Pixel size of the result for a `width` x `height` input."""
    if p.rotate90 % 2:
        width, height = height, width
    s = _straighten_scale(width, height, p.angle)
    return max(1, round(width * s * p.width)), max(1, round(height * s * p.height))


def _straighten_scale(w: int, h: int, angle: float) -> float:
    """Scale of the largest centred rectangle of the frame's aspect inside the frame rotated by `angle`."""
    c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    return min(w / (w * c + h * s), h / (w * s + h * c))


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    if p.rotate90:
        image = image.rot(f"d{90 * p.rotate90}")
    w, h = image.width, image.height
    if p.angle:
        scale = _straighten_scale(w, h, p.angle)
        rotated = image.similarity(angle=-p.angle, interpolate=pyvips.Interpolate.new("bicubic"))
        iw, ih = w * scale, h * scale
        x0 = (rotated.width - iw) / 2
        y0 = (rotated.height - ih) / 2
        image = rotated.crop(round(x0), round(y0), max(1, math.floor(iw)), max(1, math.floor(ih)))
        w, h = image.width, image.height
    left = min(round(p.left * w), w - 1)
    top = min(round(p.top * h), h - 1)
    cw = max(1, min(round(p.width * w), w - left))
    ch = max(1, min(round(p.height * h), h - top))
    if (left, top, cw, ch) != (0, 0, w, h):
        image = image.crop(left, top, cw, ch)
    return image
