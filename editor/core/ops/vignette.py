"""Post-crop vignette: darkens (or lightens) towards the frame's edges with a smooth falloff.

The mask is a function of |x|^power + |y|^power (normalised pixel-centre coordinates): a function of
the column plus one of the row. So it is applied as a lookup table indexed by that sum, built per pixel
from one row and one column repeated over the frame (an add, a lookup and the multiply), instead of a
dozen float operations per pixel or a coarse grid enlarged by a costly resize. The table gives the
gain for all three bands at once, which also spares libvips broadcasting a one-band gain to three.
"""
import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pyvips

from editor.core.ops import spatial
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
    """A one-band float mask, 1 in the centre falling to 0 at the corners (shape from p); within
    0.1 % of the exact `_mask`."""
    return _index(width, height, p).maplut(_table(width, height, p.midpoint, p.feather, p.roundness, 1.0, 1.0, 0.0,
                                                  1, 0.0))


@lru_cache(maxsize=4)
def _cached_index(width: int, height: int, midpoint: float, feather: float, roundness: float) -> pyvips.Image:
    p = Params(amount=-1.0, midpoint=midpoint, feather=feather, roundness=roundness)
    return _index(width, height, p).cast("ushort").copy_memory()


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def affine(lum: pyvips.Image, p: Params, ctx):
    """(gain, offset) per pixel for an image the size of `lum`: darkening multiplies by
    1 + amount * (1 - mask); lightening blends towards white by amount * (1 - mask), a gain with an offset."""
    width, height = lum.width, lum.height
    if width * height <= spatial.PREVIEW_PIXELS:  # the index in memory (2 bytes a pixel) while sliders move
        index = _cached_index(width, height, p.midpoint, p.feather, p.roundness)
        block = 1
    else:
        block = _block(width, height, abs(p.amount) / 100.0, p.midpoint, p.feather, p.roundness)
        index = _index(width, height, p, block)
    shape = (width, height, p.midpoint, p.feather, p.roundness, abs(p.amount) / 100.0)
    gain = spatial.Lookup(index, partial(_table, *shape, 1.0, 0.0), block, (width, height))
    if p.amount < 0:
        return gain, None
    lighten = partial(_table, *shape, -ctx.white, ctx.white)  # (x - top) * gain + top
    return gain, spatial.Lookup(index, lighten, block, (width, height))


_HALF = 32767  # sum index where the falloff ends; each term is clipped there, so sums fit 0..65534
_MAX_JUMP = 1e-3  # largest mask change between neighbouring table entries that the sum index may have


def _index(width: int, height: int, p: Params, block: int = 1) -> pyvips.Image:
    """One-band integer image indexing `_table`: the quantised |x|^power + |y|^power per pixel, or for
    high powers with a wide falloff (too coarse so) the quantised distance. With `block` > 1 (sum index
    only, see `_block`) the index of one pixel in each block x block square, one entry per square."""
    tx, ty, power = _terms(width, height, p.roundness)
    by_sum, step, _ = _plan(width, height, p.midpoint, p.feather, p.roundness)
    if by_sum:
        quantise = lambda t: np.minimum(np.rint(t / step), _HALF).astype(np.uint16)  # noqa: E731
        if block > 1:  # the pixel near each block's centre: spreading and summing shrink block^2 times
            tx, ty = (t[np.minimum(np.arange(-(-len(t) // block)) * block + block // 2, len(t) - 1)]
                      for t in (tx, ty))
        row, column = (pyvips.Image.new_from_array(quantise(t)) for t in (tx[None], ty[:, None]))
        return _spread(row, len(tx), len(ty)) + _spread(column, len(tx), len(ty))
    row, column = (pyvips.Image.new_from_array(t.astype(np.float32) / 2) for t in (tx[None], ty[:, None]))
    dist = (_spread(row, width, height) + _spread(column, width, height)) ** (1.0 / power)
    return dist.linear(1.0 / step, 0.5).cast("ushort")


def _spread(line: pyvips.Image, width: int, height: int) -> pyvips.Image:
    """A one-row (or one-column) image repeated over width x height; embed's edge copy sums about twice
    as fast in libvips as replicate / zoom do."""
    return line.embed(0, 0, width, height, extend="copy")


_BLOCKS = (4, 2)  # block sizes an export-sized index may use, largest first
_MAX_BLOCK_ERROR = 1.0 / 1024  # largest gain change a shared block index may cause (1/4 of an 8-bit level)


@lru_cache(maxsize=8)
def _block(width: int, height: int, strength: float, midpoint: float, feather: float, roundness: float) -> int:
    """The largest block size (1 if none) whose shared index moves the gain by at most _MAX_BLOCK_ERROR.

    A pixel lies at most block/2 pixels from the one whose index it shares along each axis. The normalised
    distance changes by at most 2^(-1/power) times the (Euclidean) change of the coordinates, and the
    smoothstep falloff by at most 1.5 / falloff width per unit of distance. Gentle vignettes on large
    exports so take 4x4 blocks; a hard-edged one keeps its index per pixel."""
    p = Params(amount=1.0, midpoint=midpoint, feather=feather, roundness=roundness)
    if not _plan(width, height, midpoint, feather, roundness)[0]:
        return 1
    sx, sy, power = _shape(width, height, roundness)
    pixel = math.hypot(2.0 * sx / width, 2.0 * sy / height)  # normalised length of a one-pixel diagonal step
    slope = 1.5 / _falloff(p) * 2.0 ** (-1.0 / power)
    return next((b for b in _BLOCKS if strength * slope * pixel * b / 2 <= _MAX_BLOCK_ERROR), 1)


@lru_cache(maxsize=8)
def _plan(width: int, height: int, midpoint: float, feather: float, roundness: float):
    """(by_sum, step, mask per index): index by the sum of the terms (step = sum per index unit) or,
    if that is too coarse, by the distance (step = distance per unit)."""
    p = Params(amount=1.0, midpoint=midpoint, feather=feather, roundness=roundness)
    tx, ty, power = _terms(width, height, roundness)
    total = tx.max() + ty.max()
    step = max(min(2.0 * (_inner(p) + _falloff(p)) ** power, total), 1e-9) / _HALF  # mask 0 beyond the falloff
    m = _falloff_curve(np.minimum(np.arange(2 * _HALF + 1), _HALF) * step / 2.0, power, p)
    if np.abs(np.diff(m)).max() <= _MAX_JUMP:
        return True, step, m
    step = max((total / 2.0) ** (1.0 / power), 1e-9) / 65535
    return False, step, _falloff_curve((np.arange(65536) * step) ** power, power, p)


@lru_cache(maxsize=16)
def _table(width: int, height: int, midpoint: float, feather: float, roundness: float, strength: float,
           scale: float, offset: float, bands: int, bias: float) -> pyvips.Image:
    """Lookup table for `_index`: the gain 1 - strength * (1 - mask), times scale, plus offset + bias
    (strength 1, scale 1: the mask)."""
    m = _plan(width, height, midpoint, feather, roundness)[2]
    return spatial.lut((1.0 - strength * (1.0 - m)) * scale + (offset + bias), bands)


def _terms(width: int, height: int, roundness: float) -> tuple[np.ndarray, np.ndarray, float]:
    """|x|^power per column and |y|^power per row, and the power.

    Normalised so the corners sit at distance 1. Roundness 100 is a circle; 0 follows the frame's
    aspect (an ellipse); negative values push towards a rounded rectangle.
    """
    sx, sy, power = _shape(width, height, roundness)
    nx = (np.arange(width) + (0.5 - width / 2)) / (width / 2) * sx  # pixel centres: symmetric at any size
    ny = (np.arange(height) + (0.5 - height / 2)) / (height / 2) * sy
    return np.abs(nx) ** power, np.abs(ny) ** power, power


def _shape(width: int, height: int, roundness: float) -> tuple[float, float, float]:
    """(sx, sy, power): the coordinate scales and the norm's power for this roundness (see `_terms`)."""
    aspect = width / height
    circle = roundness / 100.0
    sx = 1.0 + max(circle, 0.0) * (aspect - 1.0) if aspect >= 1 else 1.0
    sy = 1.0 + max(circle, 0.0) * (1.0 / aspect - 1.0) if aspect < 1 else 1.0
    return sx, sy, 2.0 + max(-circle, 0.0) * 6.0


def _falloff_curve(half_sum: np.ndarray, power: float, p: Params) -> np.ndarray:
    """The mask for (|x|^power + |y|^power) / 2."""
    dist = half_sum ** (1.0 / power)
    t = np.clip((dist - _inner(p)) / _falloff(p), 0.0, 1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def _mask(width: int, height: int, xy: pyvips.Image, p: Params) -> pyvips.Image:
    """The exact mask evaluated per pixel of the coordinate image `xy` (a reference for `mask`)."""
    sx, sy, power = _shape(width, height, p.roundness)
    nx = (xy[0] + (0.5 - width / 2)) / (width / 2) * sx
    ny = (xy[1] + (0.5 - height / 2)) / (height / 2) * sy
    dist = ((nx.abs() ** power + ny.abs() ** power) ** (1.0 / power)) / (2.0 ** (1.0 / power))
    t = ((dist - _inner(p)) / _falloff(p)).maxpair(0.0).minpair(1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def _inner(p: Params) -> float:
    """Normalised distance where the falloff starts (corners are at 1)."""
    return 0.05 + 0.9 * p.midpoint / 100.0


def _falloff(p: Params) -> float:
    """Normalised width of the falloff."""
    return max(0.02, (1.0 - _inner(p)) * (0.1 + 0.9 * p.feather / 100.0))
