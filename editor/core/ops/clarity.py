"""Clarity: local contrast at a large radius, weighted to the mid-tones.

The luminance minus its Gaussian blur at a radius proportional to the image (0.8 % of the long side:
about 70 px on a 50 MP photo, 13 px on a 1600 px preview, so the preview looks like the export
downsized) is added back to R, G and B alike: + deepens local contrast (with a soft limit against
halos), − softens it towards the blurred luminance. A weight 4·L·(1 − L) on the luminance keeps black
and white where they are, as Lightroom's Clarity spares the extremes.
"""
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pyvips

from editor.core.ops import spatial
from editor.core.params import param

NAME = "clarity"
LABEL = "Clarity"
VERSION = 1
KIND = "local"  # on the photo, before the colour transform (see contract.Local)
READS_NEIGHBOURS = True
READS_FAR = True  # its shrunk copy reads hundreds of rows ahead: the pipeline holds its input in memory
DETAIL = True  # its offset is local detail: later operations read the luminance without it

RADIUS = 0.008  # blur sigma as a share of the image's long side
_GAIN = 1.0  # detail added at +100 (before the halo limit); −100 takes away this share of it
_SOFTEN = 0.9
_LIMIT = 0.2  # halo limit: detail beyond about this share of white is compressed


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, -100.0, 100.0, label="Amount")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def sigma(width: int, height: int) -> float:
    """The blur radius (px) for a rendered image of this size."""
    return RADIUS * max(width, height)


def analyse(lum: pyvips.Image, ctx):
    """What the offset is looked up from, whatever the amount: (luminance, its blur) as one 8-bit pair
    index, or for 16-bit images the (tone index, detail index) pair of the float path."""
    if ctx.white == 255.0:  # 8-bit: one lookup of (luminance, its blur)
        lum8 = spatial.luma8(lum, ctx.white)
        base = spatial.smooth8(lum8, sigma(lum.width, lum.height))
        return spatial.preview_held(spatial.pair_index(lum8, base), lum)
    lum = lum if lum.format == "float" else lum.cast("float")
    return float_indexes(lum, lum - spatial.smooth(lum, sigma(lum.width, lum.height)), ctx)


def float_indexes(lum: pyvips.Image, detail: pyvips.Image, ctx) -> tuple[pyvips.Image, pyvips.Image]:
    """(tone index of `lum`, detail index of `detail`): the analysis of the 16-bit (float) path."""
    return (spatial.preview_held(spatial.tone_index(lum, ctx.white), lum),
            spatial.preview_held(spatial.detail_index(detail, ctx.white), lum))


def affine(lum: pyvips.Image, p: Params, ctx, analysis=None):
    """(None, offset): the weighted local detail, added equally to R, G and B."""
    if p.amount == 0:
        return None, None
    return detail_offset(analyse(lum, ctx) if analysis is None else analysis, p.amount, ctx.white, _LIMIT, 1.0,
                         _weight_table())


def detail_offset(analysis, amount: float, top: float, limit: float, power: float, weight: pyvips.Image):
    """(None, offset) for clarity or texture from their analysis: on 8-bit images one lookup of the pair
    index; else the detail adjusted by `adjust`, times a tone `weight` table (mid-tone `power`)."""
    if top == 255.0:
        return None, spatial.Lookup(analysis, partial(pair_table, amount, limit, power))
    tone, detail = analysis
    return None, detail.maplut(_detail_table(amount, top, limit)) * tone.maplut(weight)


@lru_cache(maxsize=8)
def _detail_table(amount: float, top: float, limit: float) -> pyvips.Image:
    return spatial.lut(adjust(spatial.detail_values(top), amount, top, limit))


def adjust(d: np.ndarray, amount: float, top: float, limit: float = _LIMIT) -> np.ndarray:
    """What is added for local detail `d` (levels, white = top) at `amount` (−100..100)."""
    if amount < 0:
        return d * (_SOFTEN * amount / 100.0)
    d = d / (1.0 + np.abs(d) / (limit * top))
    return d * (_GAIN * amount / 100.0)


@lru_cache(maxsize=8)
def pair_table(amount: float, limit: float, power: float, bands: int, bias: float) -> pyvips.Image:
    """Table for `spatial.pair_index(lum8, blurred8)`: the detail adjusted, times the tone weight."""
    level, base = spatial.pair_values()
    values = adjust((level - base).astype(np.float64), amount, 255.0, limit) * midtone_weight(level / 255.0, power)
    return spatial.lut(values + bias, bands)


@lru_cache(maxsize=1)
def _weight_table() -> pyvips.Image:
    return spatial.lut(midtone_weight(spatial.tone_values()))


def midtone_weight(t: np.ndarray, power: float = 1.0) -> np.ndarray:
    """1 at mid-grey falling to 0 at black and white (t: luminance, 0..1 of white)."""
    t = np.clip(t, 0.0, 1.0)
    return (4.0 * t * (1.0 - t)) ** power
