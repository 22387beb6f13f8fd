"""Capture sharpening: an unsharp mask on luminance, with halo limiting and an edge mask.

`radius` is in full-resolution pixels (scaled by ctx.scale, so the preview looks like the export
downsized); `detail` lets fine texture through (low values keep only larger structures and limit
halos); `masking` confines sharpening to edges so flat areas such as sky stay clean.
The luminance detail is added equally to R, G and B, which sharpens without colour fringes.
"""
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pyvips

from editor.core.ops import spatial
from editor.core.params import param

NAME = "sharpening"
LABEL = "Sharpening"
VERSION = 1
KIND = "spatial"
READS_NEIGHBOURS = True  # the pipeline caches its input so a blur's margin does not recompute it
DETAIL = True  # its offset is local detail: later operations read the luminance without it

_MIN_SIGMA = 0.25  # below this the blur is (near) identity: sharpening at this scale does nothing visible


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, 0.0, 150.0, label="Amount")
    radius: float = param(1.0, 0.5, 3.0, label="Radius", unit="px", step=0.1)
    detail: float = param(25.0, 0.0, 100.0, label="Detail")
    masking: float = param(0.0, 0.0, 100.0, label="Masking")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


_STEPS = 32768  # detail lookup: index units per full white, so ±white spans the 65536 table entries


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def affine(lum: pyvips.Image, p: Params, ctx):
    """(gain, offset) per pixel from the one-band luminance `lum` (full white = ctx.white; 8-bit when
    `exact_luminance` says so, else float): the sharpening detail is an offset added equally to R, G and B."""
    sigma = p.radius * ctx.scale
    if sigma < _MIN_SIGMA or len(_taps(sigma)) == 1:  # a one-tap blur: no detail to add
        return None, None
    top = ctx.white
    if _integer(p, ctx):
        # 8-bit: the high-pass of the luminance rounded to 8 bits, by libvips' fixed-point (SIMD)
        # convolution, ~4x faster than the float one; see `_integer_kernel` for its precision.
        kernel, steps = _integer_kernel(sigma, p.amount, p.detail)
        luma = lum if lum.format == "uchar" else lum.cast("uchar")
        index = luma.conv(kernel, precision="integer")  # 128 + steps * detail, clipped
        return None, spatial.Lookup(index, partial(_integer_table, p.amount, p.detail, steps))
    luma = lum * (_STEPS / top)  # in lookup index units
    # The high-pass detail, rounded to 1/128 of an 8-bit level and offset to be unsigned, indexes a
    # table of the finished adjustment (halo limit, noise threshold, amount): one lookup instead of a
    # chain of float operations over every pixel.
    if p.masking > 0:
        blurred = luma.gaussblur(sigma, precision="float")
        index = (luma - blurred + (_STEPS + 0.5)).cast("ushort")
        smooth = blurred if sigma >= 1.0 else luma.gaussblur(1.0, precision="float")
        return None, index.maplut(_table(p.amount, p.detail, top, 1)) * _edge_mask(smooth, p.masking, _STEPS)
    index = _high_pass(luma, sigma, _STEPS + 0.5).cast("ushort")
    return None, index.maplut(_table(p.amount, p.detail, top, 1))


@lru_cache(maxsize=8)
def _taps(sigma: float) -> np.ndarray:
    """The normalised 1-D Gaussian that `gaussblur(sigma)` uses."""
    g = pyvips.Image.gaussmat(sigma, 0.2, separable=True, precision="float").numpy().astype(np.float64).ravel()
    return g / g.sum()


def _integer(p: Params, ctx) -> bool:
    """Whether sharpening takes the 8-bit integer path (8-bit image, 3x3 kernel, small enough error)."""
    sigma = p.radius * ctx.scale
    return (ctx.white == 255.0 and p.masking == 0 and len(_taps(sigma)) <= 3
            and _integer_steps(p.amount, p.detail)[1] <= _MAX_INTEGER_ERROR)


def exact_luminance(p: Params, ctx) -> bool:
    """The float path reads the float luminance; the integer one an 8-bit one (see spatial.luminance)."""
    sigma = p.radius * ctx.scale
    return not (sigma < _MIN_SIGMA or len(_taps(sigma)) == 1 or _integer(p, ctx))


def _high_pass(luma: pyvips.Image, sigma: float, offset: float) -> pyvips.Image:
    """`luma` minus its Gaussian blur (as `gaussblur` makes it), plus `offset`."""
    g = _taps(sigma)
    if len(g) > 3:  # larger kernels: a separable blur and a subtraction cost less than a 2-D kernel
        return luma - luma.gaussblur(sigma, precision="float") + offset
    # 3x3 (or less): identity minus the blur as one convolution, which also adds the offset
    kernel = -np.outer(g, g)
    kernel[len(g) // 2, len(g) // 2] += 1.0
    return luma.conv(pyvips.Image.new_from_array(kernel.tolist(), scale=1.0, offset=offset), precision="float")


_CENTRE = 63  # libvips' fixed-point convolution keeps 7-bit mantissas: the kernel's largest entry
_MAX_INTEGER_ERROR = 1.0  # levels: stronger settings (amount > ~100, high detail) take the float path


@lru_cache(maxsize=32)
def _integer_steps(amount: float, detail: float) -> tuple[float, float]:
    """(steps, error): the 8-bit high-pass resolution (steps per level) for these settings, and the
    worst change it makes to the sharpening, in levels.

    The high-pass is stored as 128 + steps * detail in 8 bits: more steps resolve it finer, fewer
    clip it later (beyond ±128/steps levels). The worst change is the larger of rounding (half a step
    times the steepest slope of `_adjust`) and clipping (the sharpening lost beyond the clip).
    """
    d = np.arange(0.0, 256.0, 1.0 / 64)
    sharpen = _adjust(d, amount, detail, 255.0)
    slope = np.abs(np.diff(sharpen)).max() * 64

    def worst(steps):
        return max(0.5 / steps * slope, sharpen[-1] - np.interp(127.0 / steps, d, sharpen))
    steps = min((0.5, 1.0, 2.0, 4.0), key=worst)
    return steps, float(worst(steps))


@lru_cache(maxsize=8)
def _integer_kernel(sigma: float, amount: float, detail: float) -> tuple[pyvips.Image, float]:
    """(kernel, steps): a 3x3 integer kernel for `conv(precision="integer")` on 8-bit luminance giving
    128 + steps * (luminance - blur), clipped to 0..255, and the steps per 8-bit level.

    libvips' uchar convolution turns a kernel into 7-bit mantissas with one exponent; integers of at
    most _CENTRE over a power-of-two scale pass through exactly, and summing to zero keeps flat areas
    exactly unsharpened. The blur's weights are so rounded to 1/64 (for radius 1: centre 0.19 for 0.20).
    """
    steps = _integer_steps(amount, detail)[0]
    g = _taps(sigma)
    high = -np.outer(g, g) * steps
    high[1, 1] += steps
    shift = int(np.floor(np.log2(_CENTRE / high[1, 1])))  # the largest power of two that keeps it
    ints = np.rint(high * 2.0 ** shift)
    ints[1, 1] = 0.0
    ints[1, 1] = -ints.sum()
    kernel = pyvips.Image.new_from_array(ints.astype(int).tolist(), scale=2.0 ** shift, offset=128)
    return kernel, steps


@lru_cache(maxsize=8)
def _integer_table(amount: float, detail: float, steps: float, bands: int, bias: float) -> pyvips.Image:
    """Lookup table for the integer high-pass of `_integer_kernel`: what to add to R, G and B."""
    d = (np.arange(256) - 128) / steps
    return spatial.lut(_adjust(d, amount, detail, 255.0) + bias, bands)


@lru_cache(maxsize=8)
def _table(amount: float, detail: float, top: float, bands: int) -> pyvips.Image:
    """Lookup table: luminance detail (index i stands for (i - _STEPS) / _STEPS of white) -> what to
    add to R, G and B."""
    d = (np.arange(65536) - _STEPS) * (top / _STEPS)
    return spatial.lut(_adjust(d, amount, detail, top), bands)


def _adjust(d: np.ndarray, amount: float, detail: float, top: float) -> np.ndarray:
    """The sharpening added for high-pass luminance detail `d` (levels, full white = `top`)."""
    # Halo limit: high-pass values beyond ±limit are compressed (soft clip); detail 100 barely limits.
    limit = top * (0.03 + 0.27 * (detail / 100.0) ** 2)
    d = d / (1.0 + np.abs(d) / limit)
    # Noise threshold: the faintest detail (film grain, sensor noise) is not amplified.
    noise = top * 0.004 * (1.0 - detail / 100.0)
    if noise > 0:
        a = np.abs(d)
        d = d * (a / (a + noise))
    return d * (2.0 * amount / 100.0)


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
