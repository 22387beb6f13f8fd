"""Texture: contrast of fine detail (skin, foliage, fabric), leaving edges and flat areas alone.

A band of the luminance between a blur of 0.7 px (which keeps pixel noise out) and one of 4 px, both in
full-resolution pixels and scaled by ctx.scale (so a small preview, where such detail is below a pixel,
shows little, as the export downsized would), is added to R, G and B alike: + brings out texture,
− smooths it (skin). Weighted gently towards the mid-tones.
"""
from dataclasses import dataclass
from functools import lru_cache

import pyvips

from editor.core.ops import spatial
from editor.core.ops.clarity import detail_offset, float_indexes, midtone_weight
from editor.core.params import param

NAME = "texture"
LABEL = "Texture"
VERSION = 1
KIND = "local"  # on the photo, before the colour transform (see contract.Local)
READS_NEIGHBOURS = True
DETAIL = True

FINE = 0.7  # px at full resolution: finer than this is noise, not texture
COARSE = 4.0  # px at full resolution: coarser than this is structure (clarity's business)
_MIN_SIGMA = 0.35  # below this a blur does nothing visible
_LIMIT = 0.1


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, -100.0, 100.0, label="Amount")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def analyse(lum: pyvips.Image, ctx):
    """What the offset is looked up from, whatever the amount (None where the band is below a pixel): the
    (fine, coarse) blurs as one 8-bit pair index, or for 16-bit images (tone index, band index)."""
    coarse = COARSE * ctx.scale
    if coarse < 2 * _MIN_SIGMA:
        return None
    fine = FINE * ctx.scale
    if ctx.white == 255.0:  # 8-bit: one lookup of (fine, coarse) blurs, see clarity
        lum8 = spatial.luma8(lum, ctx.white)
        top = lum8 if fine < _MIN_SIGMA else spatial.blur8(lum8, fine)
        return spatial.preview_held(spatial.pair_index(top, spatial.smooth8(lum8, coarse)), lum)
    lum = lum if lum.format == "float" else lum.cast("float")
    top = lum if fine < _MIN_SIGMA else lum.gaussblur(fine, precision="float")
    return float_indexes(lum, top - spatial.smooth(lum, coarse), ctx)


def affine(lum: pyvips.Image, p: Params, ctx, analysis=None):
    """(None, offset): the weighted band of fine detail, added equally to R, G and B."""
    if p.amount == 0:
        return None, None
    analysis = analyse(lum, ctx) if analysis is None else analysis
    if analysis is None:  # the band is below a pixel here
        return None, None
    return detail_offset(analysis, p.amount, ctx.white, _LIMIT, 0.3, _weight_table())


@lru_cache(maxsize=1)
def _weight_table() -> pyvips.Image:
    return spatial.lut(midtone_weight(spatial.tone_values(), 0.3))
