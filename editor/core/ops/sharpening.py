"""Capture sharpening: an unsharp mask on luminance, with halo limiting and an edge mask.

`radius` is in full-resolution pixels (scaled by ctx.scale, so the preview looks like the export
downsized); `detail` lets fine texture through (low values keep only larger structures and limit
halos); `masking` confines sharpening to edges so flat areas such as sky stay clean.
The luminance detail is added equally to R, G and B, which sharpens without colour fringes.
"""
from dataclasses import dataclass

import pyvips

from editor.core.ops import spatial
from editor.core.params import param

NAME = "sharpening"
LABEL = "Sharpening"
VERSION = 1
KIND = "spatial"

_MIN_SIGMA = 0.25  # below this the blur is (near) identity: sharpening at this scale does nothing visible


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, 0.0, 150.0, label="Amount")
    radius: float = param(1.0, 0.5, 3.0, label="Radius", unit="px", step=0.1)
    detail: float = param(25.0, 0.0, 100.0, label="Detail")
    masking: float = param(0.0, 0.0, 100.0, label="Masking")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    sigma = p.radius * ctx.scale
    if sigma < _MIN_SIGMA:
        return image
    top = spatial.white(image, ctx)
    rgb = image.cast("float")
    luma = rgb.recomb(pyvips.Image.new_from_array([[0.2126, 0.7152, 0.0722]]))
    blurred = luma.gaussblur(sigma, precision="float")
    detail = luma - blurred
    # Halo limit: high-pass values beyond ±limit are compressed (soft clip); detail 100 barely limits.
    limit = top * (0.03 + 0.27 * (p.detail / 100.0) ** 2)
    detail = detail / (1.0 + detail.abs() / limit)
    # Noise threshold: the faintest detail (film grain, sensor noise) is not amplified.
    noise = top * 0.004 * (1.0 - p.detail / 100.0)
    if noise > 0:
        a = detail.abs()
        detail = detail * (a / (a + noise))
    gain = 2.0 * p.amount / 100.0
    if p.masking > 0:
        smooth = blurred if sigma >= 1.0 else luma.gaussblur(1.0, precision="float")
        detail = detail * _edge_mask(smooth, p.masking, top)
    out = rgb + detail * gain
    return spatial.keep_format(out, image)


def _edge_mask(smooth: pyvips.Image, masking: float, top: float) -> pyvips.Image:
    """1 on edges, falling to 0 in flat areas of the blurred luminance `smooth`; `masking` (0..100)
    raises the edge threshold."""
    grad = _gradient(smooth)
    threshold = top * 0.08 * masking / 100.0
    t = ((grad - 0.5 * threshold) / max(threshold, 1e-6)).maxpair(0.0).minpair(1.0)
    return t * t * (3.0 - 2.0 * t)


def _gradient(img: pyvips.Image) -> pyvips.Image:
    """Gradient magnitude per pixel (central differences), in the image's units per pixel."""
    kx = pyvips.Image.new_from_array([[-0.5, 0.0, 0.5]])
    ky = pyvips.Image.new_from_array([[-0.5], [0.0], [0.5]])
    gx = img.conv(kx, precision="float")
    gy = img.conv(ky, precision="float")
    return (gx * gx + gy * gy) ** 0.5
