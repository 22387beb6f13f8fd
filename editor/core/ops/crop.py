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
    return _frame(width, height, p)[2:]


def _straighten_scale(w: int, h: int, angle: float) -> float:
    """Scale of the largest centred rectangle of the frame's aspect inside the frame rotated by `angle`."""
    c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    return min(w / (w * c + h * s), h / (w * s + h * c))


def _frame(w: int, h: int, p: Params) -> tuple[float, float, int, int]:
    """(left, top, width, height) of the crop in the straightened frame, whose centre is (0, 0).

    The crop is in units of the largest upright rectangle inside the rotated photo, so it never shows
    the corners the rotation leaves empty; it is clamped to that rectangle.
    """
    scale = _straighten_scale(w, h, p.angle) if p.angle else 1.0
    iw, ih = w * scale, h * scale
    fw, fh = min(p.width, 1.0 - p.left), min(p.height, 1.0 - p.top)
    return -iw / 2 + p.left * iw, -ih / 2 + p.top * ih, max(1, round(iw * fw)), max(1, round(ih * fh))


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    if p.rotate90:
        image = image.rot(f"d{90 * p.rotate90}")
    w, h = image.width, image.height
    x0, y0, cw, ch = _frame(w, h, p)
    if not p.angle:  # a plain crop: whole pixels, no resampling
        left, top = min(round(x0 + w / 2), w - cw), min(round(y0 + h / 2), h - ch)
        return image if (left, top, cw, ch) == (0, 0, w, h) else image.crop(max(left, 0), max(top, 0), cw, ch)
    # Rotate about the photo's centre and cut the crop out in one resampling, at sub-pixel precision
    # (so a small preview frames exactly what the export does). Pixel centres sit on integer coordinates.
    a = math.radians(-p.angle)
    matrix = [math.cos(a), -math.sin(a), math.sin(a), math.cos(a)]
    return image.affine(matrix, oarea=[0, 0, cw, ch], idx=-(w - 1) / 2, idy=-(h - 1) / 2,
                        odx=-(x0 + 0.5), ody=-(y0 + 0.5), interpolate=pyvips.Interpolate.new("bicubic"),
                        extend="copy")
