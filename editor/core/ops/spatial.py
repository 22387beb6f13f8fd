"""Helpers shared by the spatial operations.

Every spatial operation provides `affine(lum, params, ctx) -> (gain, offset)`: one-band images,
`Lookup`s (an index image and its table) or None, such that it maps each pixel to rgb * gain + offset,
the same for R, G and B. The pipeline feeds them one luminance image and applies their composition once
(see `compose`, `apply`); `build` (each op's `build`) applies one operation on its own to an 8/16-bit or
float image, keeping that format.
"""
import dataclasses
import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pyvips

from editor.core.ops import contract


def white(image: pyvips.Image, ctx) -> float:
    """The value of full white in `image`: 255 or 65535 (for float images, the pipeline's ctx.white)."""
    if image.format == "ushort":
        return 65535.0
    if image.format == "uchar":
        return 255.0
    return ctx.white


def keep_format(out: pyvips.Image, like: pyvips.Image) -> pyvips.Image:
    """`out` in the format and interpretation of the operation's input `like` (float stays float)."""
    if like.format in ("float", "double"):
        return out.copy(interpretation=like.interpretation)
    return out.rint().cast(like.format).copy(interpretation=like.interpretation)


PREVIEW_PIXELS = 4_000_000  # up to this size (previews) spatial work is held in memory between renders
LUMA = (0.2126, 0.7152, 0.0722)  # Rec. 709 luminance weights of the working space's R, G, B
_LUMA_64 = (13, 46, 5)  # the same in 64ths (each within 0.01), which libvips' uchar convolution keeps exactly


def luminance(rgb: pyvips.Image, exact: bool = True) -> pyvips.Image:
    """One-band luminance of the 3-band `rgb`: float, or with exact=False for 8-bit `rgb` rounded to
    8 bits with the weights in 64ths, twice as fast: greys exact, colours within 3 levels of the float
    one (on a photo: max 1.75, mean 0.35).

    That one is a 1x3 convolution of the pixels laid out as R, G, B, R, ... along each row, read at
    every G: libvips runs uchar convolutions in fixed-point SIMD, where recomb is a float loop."""
    if exact or rgb.format != "uchar" or rgb.bands != 3:
        return rgb.recomb(pyvips.Image.new_from_array([list(LUMA)]))
    kernel = pyvips.Image.new_from_array([list(_LUMA_64)], scale=sum(_LUMA_64), offset=0)
    return rgb.bandunfold().conv(kernel, precision="integer").bandfold(factor=3)[1]


def lut(values, bands: int = 1) -> pyvips.Image:
    """A lookup table for `Image.maplut` from the 1-D float array `values` (at most 65536 entries).

    With bands=3 a one-band index maps straight to a 3-band image: libvips broadcasts a one-band
    image to three bands (for `rgb + detail`) with a band join that costs more than the arithmetic,
    while maplut writes the three bands at the price of a lookup.
    """
    table = np.asarray(values, dtype=np.float32).reshape(1, -1, 1)
    return pyvips.Image.new_from_array(np.repeat(table, bands, axis=2) if bands > 1 else table[..., 0])


@dataclass(frozen=True)
class Lookup:
    """A one-band float image given as an integer `index` image and `table(bands, bias)`, which returns
    (cached) the `lut` of the values plus `bias`, for one or three bands. Kept in this form while it
    can be, so that `apply` looks up three bands straight from the index (one pass, no float index).

    With `block` > 1 the index has one entry per block x block pixels of an image of `size`: the values
    are looked up on it and then enlarged, which costs less than looking them up at every pixel."""
    index: pyvips.Image
    table: Callable[[int, float], pyvips.Image]
    block: int = 1
    size: tuple[int, int] = (0, 0)

    def bands(self, bands: int, bias: float = 0.0) -> pyvips.Image:
        """The values plus `bias` as a float image of `bands` (1 or 3) bands."""
        out = self.index.maplut(self.table(bands, bias))
        return out if self.block == 1 else out.zoom(self.block, self.block).crop(0, 0, *self.size)

    def image(self) -> pyvips.Image:
        return self.bands(1)

    def blocks(self) -> "Blocks":
        """The values as a `Blocks` (one per block, not yet enlarged); only for block > 1."""
        return Blocks(self.index.maplut(self.table(1, 0.0)), self.block, self.size)


@dataclass(frozen=True)
class Blocks:
    """A one-band float image given at one value per block x block pixels of an image of `size`, kept so
    while it can be: two of them multiply at that size (dehaze's gain by the vignette's costs 1/16 of a
    full-size product), and it is enlarged once, when applied."""
    small: pyvips.Image
    block: int
    size: tuple[int, int]

    def at(self, block: int) -> pyvips.Image:
        """The values at a finer `block` (a divisor of self.block)."""
        step = self.block // block
        small = self.small if step == 1 else self.small.zoom(step, step)
        return small.crop(0, 0, -(-self.size[0] // block), -(-self.size[1] // block))

    def bands(self, bands: int, bias: float = 0.0) -> pyvips.Image:
        out = self.small if bias == 0 else self.small.linear(1.0, bias)
        if bands == 3:
            out = out.bandjoin([out, out])
        return out.zoom(self.block, self.block).crop(0, 0, *self.size)

    def image(self) -> pyvips.Image:
        return self.bands(1)


def blocky(part):
    """`part` as `Blocks` if it is given per block (a block `Lookup` or `Blocks`), else None."""
    if isinstance(part, Blocks):
        return part
    if isinstance(part, Lookup) and part.block > 1:
        return part.blocks()
    return None


def product(first, second):
    """first * second (gains: images, `Lookup`s or `Blocks`, neither None); at block size when both are
    given per block."""
    a, b = blocky(first), blocky(second)
    if a is None or b is None:
        return image_of(first) * image_of(second)
    block = math.gcd(a.block, b.block)
    return Blocks(a.at(block) * b.at(block), block, a.size)


def wants_exact(params, ctx) -> bool:
    """Whether any of the spatial operations' `params` reads the luminance finer than 8 bits (the
    modules that may define `exact_luminance(params, ctx)`)."""
    for p in params:
        check = contract.hook(sys.modules[type(p).__module__], "exact_luminance")
        if check is not None and check(p, ctx):
            return True
    return False


def image_of(part):
    """A gain or offset (image, Lookup, Blocks or None) as an image (or None)."""
    return part.image() if isinstance(part, (Lookup, Blocks)) else part


# The spatial operations change every band of a pixel alike: each maps rgb to rgb * gain + offset with
# a one-band gain and offset (see each op's `affine(lum, p, ctx)`, which returns (gain, offset), either
# None for "no change"). Because R, G and B change alike, the luminance changes the same way, so one
# luminance image serves all of them, and the pipeline applies their composition in one step at the end.

_HALF_STEPS = 32767  # offset index: ±full white in this many steps each way (1/128 of an 8-bit level)
_GAIN_STEPS = 32767.5  # gain index: 0..2 in 65536 steps


def compose(first, second):
    """(gain, offset) of applying `first` then `second` (each a (gain, offset) pair, parts may be None)."""
    g1, o1 = first
    g2, o2 = second
    gain = g1 if g2 is None else g2 if g1 is None else product(g1, g2)
    offset = o1 if g2 is None or o1 is None else image_of(o1) * image_of(g2)
    offset = o2 if offset is None else offset if o2 is None else image_of(offset) + image_of(o2)
    return gain, offset


def transform(lum: pyvips.Image, gain, offset) -> pyvips.Image:
    """The one-band `lum` (or any band) mapped by `gain` and `offset`; a uchar `lum` whose gain and
    offset are looked up from one uchar index (dehaze) stays uchar, rounded (see `_transform8`)."""
    if lum.format == "uchar" and _shared_index8(gain, offset):
        return _transform8(lum, gain, offset)
    out = lum if gain is None else lum * image_of(gain)
    return out if offset is None else out + image_of(offset)


def _shared_index8(gain, offset) -> bool:
    parts = [p for p in (gain, offset) if p is not None]
    return (bool(parts) and all(isinstance(p, Lookup) and p.index.format == "uchar" for p in parts)
            and all((p.index, p.block, p.size) == (parts[0].index, parts[0].block, parts[0].size)
                    for p in parts))


def _transform8(lum: pyvips.Image, gain, offset) -> pyvips.Image:
    """`lum * gain + offset` as one lookup of (lum, index) into a uchar table, rounded and clipped.

    The later operations read the luminance as uchar anyway; in float it was two zooms, a multiply and
    an add over every pixel, computed again by each of them (sharpening's blur with its margins, grain)."""
    part = gain if gain is not None else offset
    index = part.index
    if part.block > 1:
        index = index.zoom(part.block, part.block).crop(0, 0, *part.size)
    values = lambda p, none: (none if p is None else p.table(1, 0.0).numpy()).astype(np.float64).tobytes()  # noqa: E731
    # keyed by the values (the tables' own cache gives no stable key): built once per setting
    return pair_index(lum, index).maplut(_transform8_table(values(gain, np.ones(1)), values(offset, np.zeros(1))))


@lru_cache(maxsize=8)
def _transform8_table(gains: bytes, offsets: bytes) -> pyvips.Image:
    """uchar table for `pair_index(lum, index)`: lum * gain[index] + offset[index], rounded, clipped
    (a single gain or offset stands for all indexes)."""
    g, o = np.frombuffer(gains), np.frombuffer(offsets)
    level, row = pair_values()
    table = np.clip(np.rint(level * g[np.minimum(row, len(g) - 1)] + o[np.minimum(row, len(o) - 1)]), 0, 255)
    return pyvips.Image.new_from_array(table.astype(np.uint8).reshape(1, -1))


def apply(rgb: pyvips.Image, gain, offset, top: float, bias: float = 0.0) -> pyvips.Image:
    """Float `rgb * gain + offset + bias` for the 3-band `rgb` and one-band gain and offset (images or
    `Lookup`s, whose tables give the three bands directly).

    libvips broadcasts a one-band image to three bands with a band join that costs more than the
    arithmetic, so gain and offset are quantised to an index and looked up as three bands instead.
    Offsets are clipped to ±top (the result clips there anyway: rgb * gain lies in 0..top), in steps
    of top / 32767; gains to 0..2 in steps of 1 / 32767.5.
    """
    out = rgb
    if isinstance(gain, (Lookup, Blocks)):
        out = out * gain.bands(3)
    elif gain is not None:
        index = gain.linear(_GAIN_STEPS, 0.5).cast("ushort")
        out = out * index.maplut(_gain_table())
    if isinstance(offset, (Lookup, Blocks)):
        return out + offset.bands(3, bias)
    if offset is not None:
        index = offset.linear(_HALF_STEPS / top, _HALF_STEPS + 0.5).cast("ushort")
        return out + index.maplut(_offset_table(top, bias))
    return out.linear(1.0, bias) if bias else out.cast("float") if out is rgb else out


@lru_cache(maxsize=1)
def _gain_table() -> pyvips.Image:
    return lut(np.arange(65536) / _GAIN_STEPS, 3)


@lru_cache(maxsize=4)
def _offset_table(top: float, bias: float) -> pyvips.Image:
    return lut((np.arange(65536) - _HALF_STEPS) * (top / _HALF_STEPS) + bias, 3)


def build(affine, image: pyvips.Image, p, ctx) -> pyvips.Image:
    """An operation's `build` from its `affine` function: `image` (uchar, ushort or float) changed by it,
    reading the luminance as the pipeline would (`exact`, see `luminance`)."""
    top = white(image, ctx)
    ctx = dataclasses.replace(ctx, white=top)
    gain, offset = affine(luminance(image, exact=wants_exact((p,), ctx)), p, ctx)
    if gain is None and offset is None:
        return image
    return keep_format(apply(image, gain, offset, top), image)


# Large radii (clarity, dehaze) are computed on a shrunk copy of the luminance and enlarged back
# bilinearly: a Gaussian of sigma 70 px at full size costs ~400 taps per pixel, on a copy shrunk 20x
# it costs ~20, and the result is smooth at that scale anyway (measured on a photo: within 0.4 % of
# white of the full-size blur, mean 0.05 %).
_BOX_SIGMA = 3.0  # shrink so that the blur left on the shrunk copy is about this many pixels


def shrink_factor(sigma: float) -> int:
    """The integer shrink at which a blur of `sigma` px is done (1: at full size); from 8 on a multiple
    of 4, so that `zoomed` can enlarge in two steps."""
    return block_factor(sigma / _BOX_SIGMA)


def block_factor(size: float) -> int:
    """`size` as a whole shrink factor, a multiple of 4 from 8 on (see `zoomed`)."""
    factor = max(1, int(size))
    return factor - factor % 4 if factor >= 8 else factor


def shrunk(image: pyvips.Image, factor: int) -> pyvips.Image:
    """`image` box-averaged `factor` times smaller, its edges extended to a whole number of boxes."""
    if factor == 1:
        return image
    width, height = -(-image.width // factor) * factor, -(-image.height // factor) * factor
    if (width, height) != (image.width, image.height):
        image = image.embed(0, 0, width, height, extend="copy")
    small = image.shrink(factor, factor)
    # What reads the shrunk copy (a blur, a minimum, the enlargement) asks for margins of several of its
    # rows, each `factor` full rows: cached whole (it is small), every full row is shrunk once.
    return small.tilecache(tile_width=small.width, tile_height=4, max_tiles=small.height // 4 + 2,
                           threaded=True)


def enlarged(small: pyvips.Image, factor: int, like: pyvips.Image) -> pyvips.Image:
    """`small` (made by `shrunk(like, factor)`) enlarged bilinearly back to the size of `like`."""
    if factor == 1:
        return small
    return small.resize(factor, kernel="linear").crop(0, 0, like.width, like.height)


def smooth(image: pyvips.Image, sigma: float) -> pyvips.Image:
    """A Gaussian blur (float) of the one-band `image` with `sigma` px, large ones on a shrunk copy."""
    factor = shrink_factor(sigma)
    if factor == 1:
        return image.gaussblur(max(sigma, 0.3), precision="float")
    # a box of `factor` already spreads by factor / sqrt(12): only the rest is left to the Gaussian
    rest = (sigma * sigma - factor * factor / 12.0) ** 0.5 / factor
    return enlarged(shrunk(image, factor).gaussblur(rest, precision="float"), factor, image)


DETAIL_STEPS = 32768  # detail lookups: index units per full white, so ±white spans 65536 entries


def detail_index(detail: pyvips.Image, top: float) -> pyvips.Image:
    """The float `detail` (±top) as an unsigned index for a table of DETAIL_STEPS per white."""
    return detail.linear(DETAIL_STEPS / top, DETAIL_STEPS + 0.5).cast("ushort")


def detail_values(top: float) -> np.ndarray:
    """The detail (levels, full white = top) that each entry of a `detail_index` table stands for."""
    return (np.arange(65536) - DETAIL_STEPS) * (top / DETAIL_STEPS)


TONE_STEPS = 16383  # tone lookups: index units per full white (a 65536-entry table reaches 4x white)


def tone_index(lum: pyvips.Image, top: float) -> pyvips.Image:
    """The luminance (full white = top) as an unsigned index for a table of TONE_STEPS per white
    (negative values clip to 0)."""
    return lum.linear(TONE_STEPS / top, 0.5).cast("ushort")


def tone_values() -> np.ndarray:
    """The luminance (0..1 of white) that each entry of a `tone_index` table stands for."""
    return np.arange(65536) / TONE_STEPS


# The 8-bit path of the large-radius operations. On an 8-bit image their inputs (luminance, its blur, its
# local minimum) are 8-bit too, computed by libvips' integer (SIMD) convolutions, and a pair of them forms
# one 16-bit index into a table of the finished offset: a 12 MP photo's clarity costs ~0.15 s this way
# against ~0.9 s in float (measured here under load).

def luma8(lum: pyvips.Image, top: float) -> pyvips.Image:
    """The one-band luminance as uchar levels (rounded) of full white `top`."""
    if lum.format == "uchar":
        return lum
    return lum.linear(255.0 / top, 0.5).cast("uchar")


@lru_cache(maxsize=32)
def _int_kernel(sigma: float) -> pyvips.Image:
    """A 1-D Gaussian in integers summing to a power of two with no entry over 63: libvips' integer
    convolution then keeps it exactly, so flat areas stay exactly flat (its own `gaussblur` in integer
    precision shifts them by up to 2 levels) and rounding is unbiased (mean error < 0.02 level)."""
    radius = max(1, math.ceil(2.5 * sigma))
    x = np.arange(-radius, radius + 1)
    g = np.exp(-0.5 * (x / sigma) ** 2)
    g /= g.sum()
    total = 2 ** int(math.floor(math.log2(63 / g.max())))
    ints = np.rint(g * total)
    ints[radius] += total - ints.sum()
    return pyvips.Image.new_from_array([ints.astype(int).tolist()], scale=total, offset=0)


def blur8(image: pyvips.Image, sigma: float) -> pyvips.Image:
    """A Gaussian blur of a uchar image by libvips' integer (SIMD) convolution, kept uchar."""
    return image.convsep(_int_kernel(round(max(sigma, 0.3), 3)), precision="integer")


def zoomed(small: pyvips.Image, factor: int, like: pyvips.Image) -> pyvips.Image:
    """An 8-bit shrunk copy back at the size of `like`: repeated `factor` times, then smoothed by a
    Gaussian of half a block (far cheaper than a bilinear enlargement, and as smooth)."""
    if factor == 1:
        return small
    if factor >= 8 and factor % 4 == 0:
        # in two steps: the wide smoothing at a quarter of the size, at full size only a 4-pixel one
        # (a Gaussian of half a block over 50 MP would cost ~100 taps a pixel)
        small = held(blur8(small.zoom(factor // 4, factor // 4), factor / 8))
        factor = 4
    big = small.zoom(factor, factor).crop(0, 0, like.width, like.height)
    return blur8(big, 0.5 * factor)


def preview_held(image: pyvips.Image, like: pyvips.Image) -> pyvips.Image:
    """`image` computed into memory if `like` (what it was made from) is preview-sized, else as it is:
    an operation's analysis (see contract.Spatial.analyse) that the loupe keeps between renders."""
    return image.copy_memory() if like.width * like.height <= PREVIEW_PIXELS else image


def held(small: pyvips.Image) -> pyvips.Image:
    """A small (quarter-size, or preview-size) intermediate of a large-radius operation, computed into
    memory (3 MB for a 50 MP photo). Read lazily, every small tile an enlargement asks for recomputed its
    wide blur with margins several times its own size (0.25-0.5 s of a 50 MP export), and every reader
    of it computed it again. Only operations that read far (READS_FAR) use it, whose input the pipeline
    already holds in memory."""
    return small.copy_memory()


def smooth8(lum8: pyvips.Image, sigma: float) -> pyvips.Image:
    """A Gaussian-like blur (uchar) of the uchar `lum8` with `sigma` px, large ones on a shrunk copy."""
    factor = shrink_factor(sigma)
    if factor <= 2:  # (previews up to ~1100 px) one direct blur costs less than the shrink, the blur on
        # the shrunk copy and the enlargement's blur, whose set-up dominates at this size (2.7 against
        # 6.5 ms for clarity's at 800 px)
        return blur8(lum8, sigma)
    # the shrink's box, the zoom's blocks and their smoothing each spread by about this much already
    spread = factor * factor * (1 / 12 + 1 / 12 + 0.25)
    rest = max(sigma * sigma - spread, 0.25 * factor * factor) ** 0.5 / factor
    return zoomed(blur8(shrunk(lum8, factor), rest), factor, lum8)


def pair_index(low: pyvips.Image, high: pyvips.Image) -> pyvips.Image:
    """One ushort index low + 256 * high from two uchar images: their band join read as 16-bit pixels
    (no arithmetic pass). Tables for it are built with `pair_values`."""
    first, second = (low, high) if sys.byteorder == "little" else (high, low)
    return first.bandjoin(second).copy(format="ushort", bands=1)


def pair_values() -> tuple[np.ndarray, np.ndarray]:
    """(low, high) levels that each of the 65536 entries of a `pair_index` table stands for."""
    index = np.arange(65536)
    return index % 256, index // 256
