"""Dehaze: removes (or adds) haze with a simplified dark-channel model.

He, Sun & Tang's dark-channel prior models a hazy pixel as I = J·t + A·(1 − t) (J the clear scene,
A the airlight, t the transmission) and estimates haze from the darkest values in a neighbourhood.
Darkslide simplifies it, so that it stays one gain and offset per pixel alike in R, G and B:
- the dark channel is the minimum of the *luminance* (not of R, G, B) over a window of 1.5 % of the
  image's long side, smoothed by a Gaussian of the same size (no halos at depth edges, no
  guided filter); computed on a shrunk copy, so its cost does not grow with the radius;
- the airlight A is white (haze is bright and neutral), so white stays white;
- + removes haze: t = 1 − 0.5·amount/100·dark, J = (I − A·(1 − t)) / t, which deepens the tones and
  raises the colour of hazy (bright, flat) regions most and leaves dark, contrasty ones alone;
- − adds haze: t = 1 − 0.4·|amount|/100·(0.5 + 0.5·dark), J = I·t + A·(1 − t).
The window is a share of the image, so the preview looks like the export downsized.
"""
import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pyvips

from editor.core.ops import spatial
from editor.core.params import param

NAME = "dehaze"
LABEL = "Dehaze"
VERSION = 1
KIND = "local"  # on the photo, before the colour transform (see contract.Local)
READS_NEIGHBOURS = True
READS_FAR = True  # its shrunk copy reads hundreds of rows ahead: the pipeline holds its input in memory

WINDOW = 0.015  # half-width of the dark-channel window as a share of the image's long side
_REMOVE = 0.5  # largest share of haze removed at +100 (gain up to 2, the pipeline's limit)
_ADD = 0.4


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, -100.0, 100.0, label="Amount")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def dark_channel(lum: pyvips.Image) -> pyvips.Image:
    """The smoothed local minimum of the one-band `lum` (same units), the size of `lum`."""
    radius = WINDOW * max(lum.width, lum.height)
    factor = max(1, int(radius // 2))
    small = spatial.shrunk(lum if lum.format == "float" else lum.cast("float"), factor)
    half = max(1, math.ceil(radius / factor))
    size = min(2 * half + 1, small.width, small.height) | 1
    dark = small.rank(size, size, 0) if size > 1 else small
    return spatial.enlarged(dark.gaussblur(max(radius / factor, 0.5), precision="float"), factor, lum)


def dark_channel8(lum8: pyvips.Image) -> tuple[pyvips.Image, int]:
    """`dark_channel` of a uchar luminance by integer convolutions (the 8-bit path), as (index, block):
    uchar, one value per block x block pixels of `lum8` (block 4 from ~530 px on, else 1), in memory.

    The gain and offset are looked up on the blocks and then enlarged (see spatial.Lookup): both, and
    the luminance the following operations read, use the index, so at full size it would be built three
    or four times over (libvips keeps no copy), and it is smooth at far more than 4 px anyway (one index
    level between neighbouring blocks at most)."""
    radius = WINDOW * max(lum8.width, lum8.height)
    factor = spatial.block_factor(radius / 2)
    if factor >= 4:
        factor -= factor % 4  # whole blocks of 4 (block_factor does so from 8 on)
    small = spatial.shrunk(lum8, factor)
    half = max(1, math.ceil(radius / factor))
    size = min(2 * half + 1, small.width, small.height) | 1
    dark = small.rank(size, size, 0) if size > 1 else small
    sigma = max(radius / factor, 0.5)
    if factor == 4:  # (previews) the two blurs follow each other: one of both widths (a convolution's
        # set-up costs ~2 ms here, more than its pixels)
        return spatial.held(spatial.blur8(dark, math.hypot(sigma, 0.5))), 4
    dark = spatial.blur8(dark, sigma)
    if factor > 4:  # as spatial.zoomed, without its last (full-size) step
        dark = dark.zoom(factor // 4, factor // 4)
        return spatial.held(spatial.blur8(dark, factor / 8)), 4
    return spatial.held(spatial.zoomed(dark, factor, lum8)), 1


def analyse(lum: pyvips.Image, ctx):
    """The dark channel, whatever the amount: (uchar index, block) from `dark_channel8` for 8-bit images,
    else (its tone index, 1)."""
    if ctx.white == 255.0:
        return dark_channel8(spatial.luma8(lum, ctx.white))
    return spatial.preview_held(spatial.tone_index(dark_channel(lum), ctx.white), lum), 1


def affine(lum: pyvips.Image, p: Params, ctx, analysis=None):
    """(gain, offset) per pixel from the dark channel of `lum`, both looked up from one index."""
    if p.amount == 0:
        return None, None
    index, block = analyse(lum, ctx) if analysis is None else analysis
    size = (lum.width, lum.height)
    table = _table8 if ctx.white == 255.0 else _table
    gain = spatial.Lookup(index, partial(table, p.amount, 0.0), block, size)
    return gain, spatial.Lookup(index, partial(table, p.amount, ctx.white), block, size)


def transmission(dark: np.ndarray, amount: float) -> np.ndarray:
    """t for the dark channel `dark` (0..1 of white) at `amount` (−100..100)."""
    dark = np.clip(dark, 0.0, 1.0)
    if amount >= 0:
        return 1.0 - _REMOVE * amount / 100.0 * dark
    return 1.0 - _ADD * -amount / 100.0 * (0.5 + 0.5 * dark)


@lru_cache(maxsize=8)
def _table(amount: float, top: float, bands: int, bias: float) -> pyvips.Image:
    """With top == 0 the gain table, else the offset table (full white = top): rgb * gain + offset."""
    t = transmission(spatial.tone_values(), amount)
    gain = 1.0 / t if amount >= 0 else t
    return spatial.lut((gain if top == 0 else top * (1.0 - gain)) + bias, bands)


@lru_cache(maxsize=8)
def _table8(amount: float, top: float, bands: int, bias: float) -> pyvips.Image:
    """`_table` for an 8-bit dark channel index (256 entries)."""
    t = transmission(np.arange(256) / 255.0, amount)
    gain = 1.0 / t if amount >= 0 else t
    return spatial.lut((gain if top == 0 else top * (1.0 - gain)) + bias, bands)
