"""Helpers for the preset tests: a deterministic synthetic test chart, rendering, and CIE ΔE2000."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyvips

from editor.core import fused
from editor.core.edit import Edit
from editor.core.pipeline import RenderContext, render

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"


def make_chart(width: int = 64, height: int = 48) -> np.ndarray:
    """(height, width, 3) uint8: a hue sweep (top two thirds, light to dark), a grey ramp and skin patches."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    hue = x / width
    rows = int(height * 2 / 3)
    value = 1.0 - 0.7 * (y / max(1, rows - 1))
    sat = np.full_like(hue, 0.75)
    i = np.floor(hue * 6) % 6
    f = hue * 6 - np.floor(hue * 6)
    p, q, t = value * (1 - sat), value * (1 - sat * f), value * (1 - sat * (1 - f))
    table = [(value, t, p), (q, value, p), (p, value, t), (p, q, value), (t, p, value), (value, p, q)]
    rgb = np.zeros((height, width, 3))
    for k, channels in enumerate(table):
        mask = i == k
        for c in range(3):
            rgb[..., c] = np.where(mask, channels[c], rgb[..., c])
    grey_rows = slice(rows, rows + (height - rows) // 2)
    rgb[grey_rows] = (x[grey_rows] / (width - 1))[..., None]
    skins = np.array([[0.96, 0.80, 0.69], [0.87, 0.67, 0.53], [0.71, 0.51, 0.38], [0.45, 0.30, 0.22]])
    skin_rows = slice(rows + (height - rows) // 2, height)
    rgb[skin_rows] = skins[(x[skin_rows] * len(skins) // width).astype(int)]
    return np.round(rgb * 255).astype(np.uint8)


def to_vips(array: np.ndarray) -> pyvips.Image:
    return pyvips.Image.new_from_array(np.ascontiguousarray(array)).copy(interpretation="srgb")


def to_array(image: pyvips.Image) -> np.ndarray:
    image = image.cast("uchar") if image.format != "uchar" else image
    return np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8, shape=(image.height, image.width, image.bands))


def render_array(array: np.ndarray, edit: Edit, *, pointwise_only: bool = False) -> np.ndarray:
    """`array` developed with `edit` through the real pipeline (optionally without spatial operations)."""
    if pointwise_only:
        for op, _ in edit.active():
            if op.kind == "spatial":
                edit = edit.reset([op.name])
    return to_array(render(to_vips(array), edit, RenderContext(scale=1.0, seed=7)))


def exact(array: np.ndarray, edit: Edit) -> np.ndarray:
    """The float reference of the point-wise part of `edit` on uint8 `array` (0..1 result)."""
    steps = tuple(fused.Step(op, p) for op, p in edit.active() if op.kind in ("channel", "colour"))
    return fused.evaluate(array / 255.0, steps)


# --------------------------------------------------------------------------------------------- colour

def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB values; uint8 arrays are scaled from 0..255."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if rgb.max() > 1.0:
        rgb = rgb / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e2000(rgb1: np.ndarray, rgb2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference per pixel between two sRGB images (same shape)."""
    return delta_e2000_lab(srgb_to_lab(rgb1), srgb_to_lab(rgb2))


def delta_e2000_lab(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 (Sharma, Wu & Dalal 2005) between L*a*b* arrays (..., 3)."""
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    cm = (c1 + c2) / 2
    g = 0.5 * (1 - np.sqrt(cm ** 7 / (cm ** 7 + 25.0 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dhh = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lm, cmp_ = (l1 + l2) / 2, (c1p + c2p) / 2
    hsum = h1p + h2p
    hm = np.where(np.abs(h1p - h2p) > 180, (hsum + 360) / 2, hsum / 2)
    hm = np.where(c1p * c2p == 0, hsum, hm) % 360
    t = (1 - 0.17 * np.cos(np.radians(hm - 30)) + 0.24 * np.cos(np.radians(2 * hm))
         + 0.32 * np.cos(np.radians(3 * hm + 6)) - 0.20 * np.cos(np.radians(4 * hm - 63)))
    sl = 1 + 0.015 * (lm - 50) ** 2 / np.sqrt(20 + (lm - 50) ** 2)
    sc = 1 + 0.045 * cmp_
    sh = 1 + 0.015 * cmp_ * t
    rt = (-2 * np.sqrt(cmp_ ** 7 / (cmp_ ** 7 + 25.0 ** 7))
          * np.sin(np.radians(60 * np.exp(-(((hm - 275) / 25) ** 2)))))
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))
