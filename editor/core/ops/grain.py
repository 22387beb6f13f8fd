"""Film grain: seeded luminance noise, strongest in the mid-tones, that leaves the mean brightness alone.

The noise depends only on ctx.seed and the pixel position, so every render of a photo at one size has
the same grain. `size` is the grain diameter in full-resolution pixels (scaled by ctx.scale: a preview
shows the grain as the export would look downsized, finer and weaker); `roughness` mixes in
pixel-fine noise for a grittier, less even texture.
"""
import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pyvips

from editor.core.ops import spatial
from editor.core.params import param

NAME = "grain"
LABEL = "Grain"
VERSION = 1
KIND = "spatial"

_SEEDS = 2**31 - 1
_STRENGTH = 0.08  # noise standard deviation at amount 100 in the mid-tones, as a share of full scale


@dataclass(frozen=True)
class Params:
    amount: float = param(0.0, 0.0, 100.0, label="Amount")
    size: float = param(25.0, 0.0, 100.0, label="Size")
    roughness: float = param(50.0, 0.0, 100.0, label="Roughness")


def is_identity(p: Params) -> bool:
    return p.amount == 0.0


def grain_diameter(p: Params) -> float:
    """Grain diameter in full-resolution pixels (1 .. 5)."""
    return 1.0 + 4.0 * p.size / 100.0


def noise(width: int, height: int, p: Params, scale: float, seed: int) -> pyvips.Image:
    """One-band float noise, zero mean; standard deviation 1 at full resolution, and at a smaller
    `scale` what averaging the full-resolution grain down to that size would leave."""
    r = p.roughness / 100.0
    seed = int(seed) % _SEEDS  # libvips takes a 32-bit signed seed
    sigma = grain_diameter(p) / 2.0  # full-resolution blob radius
    if r < 1.0:
        coarse = _blurred_noise(width, height, sigma * scale, seed) * _attenuation(sigma, scale)
    if r > 0.0:
        fine = _gaussian(width, height, min(1.0, scale), (seed + 7919) % _SEEDS)
    if r == 0.0:
        return coarse
    if r == 1.0:
        return fine
    return (coarse * (1.0 - r) + fine * r) / math.hypot(1.0 - r, r)


def _attenuation(sigma: float, scale: float) -> float:
    """Std of Gaussian-correlated unit noise (blob radius `sigma` px) box-averaged over 1/scale pixels.

    Per axis the variance of a length-n average of a process with correlation exp(-d²/a²), a = 2σ, is
    (2/n²)·[n·a·√π/2·erf(n/a) − a²/2·(1 − exp(−n²/a²))]; the 2-D std is that (separable) value.
    """
    n = 1.0 / scale
    if n <= 1.0:
        return 1.0
    a = 2.0 * sigma
    var = 2.0 / n**2 * (n * a * math.sqrt(math.pi) / 2.0 * math.erf(n / a)
                        - a * a / 2.0 * (1.0 - math.exp(-(n / a) ** 2)))
    return min(1.0, var)


def _gaussian(width: int, height: int, sigma: float, seed: int) -> pyvips.Image:
    """One-band float Gaussian noise from numpy's seeded PCG64 generator (about 3x faster than libvips'
    gaussnoise, which sums twelve uniform numbers per pixel), in memory that libvips owns."""
    values = np.random.Generator(np.random.PCG64(seed)).standard_normal((height, width), dtype=np.float32)
    foreign = pyvips.Image.new_from_memory(values.data, width, height, 1, "float")
    # Scaled by libvips into its own memory while `values` is alive: an image wrapping numpy's buffer
    # would dangle once this function's references to it are gone.
    return foreign.linear(sigma, 0.0).copy_memory()


def _blurred_noise(width: int, height: int, sigma: float, seed: int) -> pyvips.Image:
    """Unit-std noise with Gaussian-correlated blobs of radius `sigma` px (plain pixel noise below 0.3)."""
    if sigma < 0.3:
        return _gaussian(width, height, 1.0, seed)
    kernel = pyvips.Image.gaussmat(sigma, 0.05, separable=True, precision="float")
    k = kernel.numpy().astype(np.float64).ravel()
    k /= k.sum()
    gain = 1.0 / float(np.sum(k * k))  # unit std after the separable (2D) blur
    pad = len(k) // 2
    raw = _gaussian(width + 2 * pad, height + 2 * pad, gain, seed)
    kernel = pyvips.Image.new_from_array(k.reshape(1, -1).tolist())
    return raw.convsep(kernel, precision="float").crop(pad, pad, width, height)


_TILE = 1024  # export-sized grain repeats a noise plate of this many pixels, as film-grain plates do
_NOISE_STEPS = 32  # noise is stored in 1/32 of its standard deviation, clipped to ±4 (uchar bins)


def _noise_index(width: int, height: int, size: float, roughness: float, scale: float, seed: int):
    """`noise` for these params, quantised (see `_NOISE_STEPS`) and times 256, as ushort, held in memory
    (a few MB): for preview-sized images the whole frame, which makes a slider change elsewhere (or of
    the amount) cost no noise generation; for larger images one _TILE-square plate repeated across the
    frame, since generating Gaussian noise for every pixel of a 50 MP export took seconds while a repeat
    every 1024 px of random texture does not show. The plate is the same for every photo, which `seed`
    places at its own offset: a batch export makes it once, not once per photo (~40 ms each)."""
    if width * height <= spatial.PREVIEW_PIXELS:  # in memory, so other sliders do not regenerate it
        return _cached_noise(width, height, size, roughness, scale, seed)
    plate = _plate(min(width, _TILE), min(height, _TILE), size, roughness, scale)
    dx, dy = seed % plate.width, seed // plate.width % plate.height
    across, down = -(-(width + dx) // plate.width), -(-(height + dy) // plate.height)
    return plate.replicate(across, down).crop(dx, dy, width, height)


def _quantised(width: int, height: int, size: float, roughness: float, scale: float, seed: int):
    n = noise(width, height, Params(amount=1.0, size=size, roughness=roughness), scale, seed)
    bins = (n * _NOISE_STEPS + 128.5).cast("uchar")  # rounded, clipped to 0..255
    return (bins.cast("ushort") * 256).cast("ushort")


@lru_cache(maxsize=4)
def _cached_noise(width: int, height: int, size: float, roughness: float, scale: float, seed: int):
    return _quantised(width, height, size, roughness, scale, seed).copy_memory()


@lru_cache(maxsize=4)
def _plate(width: int, height: int, size: float, roughness: float, scale: float):
    """The export's noise plate, in memory (2 MB; ~40 ms to make): replicating it is a plain copy, about
    three times cheaper than reading a lazily computed one through a cache."""
    return _quantised(width, height, size, roughness, scale, 0).copy_memory()


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    return spatial.build(affine, image, p, ctx)


def affine(lum: pyvips.Image, p: Params, ctx):
    """(gain, offset) per pixel from the one-band luminance `lum` (8-bit or float, full white = ctx.white):
    the grain is an offset added equally to R, G and B."""
    top = ctx.white
    # Per pixel, noise bin * 256 + luminance bin (0..255) indexes a table of noise x mid-tone weight x
    # strength: a lookup where the weight and the product were float operations over every pixel.
    luma = lum if top == 255.0 else lum * (255.0 / top)
    luma = luma if luma.format == "uchar" else luma.cast("uchar")  # floor(255 y), clipped
    index = _noise_index(lum.width, lum.height, p.size, p.roughness, ctx.scale, ctx.seed) | luma
    return None, spatial.Lookup(index, partial(_table, p.amount, top))


@lru_cache(maxsize=8)
def _table(amount: float, top: float, bands: int = 1, bias: float = 0.0) -> pyvips.Image:
    """Lookup table for the index of `affine`: what grain adds to R, G and B (plus `bias`)."""
    n = (np.arange(256) - 128) / _NOISE_STEPS
    y = np.minimum((np.arange(256) + 0.5) / 255.0, 1.0)  # bin centres; 255 holds y >= 1
    y[255] = 1.0
    midtones = np.maximum(y * (1.0 - y) * 4.0, 0.0)
    return spatial.lut(np.outer(n, midtones).ravel() * (amount / 100.0 * _STRENGTH * top) + bias, bands)
