"""Post-crop vignette: darkens (or lightens) towards the frame's edges with a smooth falloff."""
from dataclasses import dataclass
from functools import lru_cache

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


_MASK_SAMPLES = 384  # the smooth mask is computed on at most this many points per side, then enlarged


def mask(width: int, height: int, p: Params) -> pyvips.Image:
    """A one-band float mask, 1 in the centre falling to 0 at the corners (shape from p).

    It is smooth, so it is evaluated on a coarse grid (at least 16 points across its falloff) and
    enlarged (linear): at 12 MP that is several times faster than evaluating it per pixel, and within
    1 % of it.
    """
    falloff_px = _falloff(p) * min(width, height) / 2
    step = max(1.0, min(max(width, height) / _MASK_SAMPLES, falloff_px / 16))
    gw, gh = max(2, round(width / step)), max(2, round(height / step))
    if gw >= width or gh >= height:
        return _mask(width, height, pyvips.Image.xyz(width, height).cast("float"), p)
    grid = pyvips.Image.xyz(gw, gh).cast("float")
    # full-frame pixel coordinates of the grid points, so the enlarged mask lines up with the frame
    xy = (grid + 0.5) * [width / gw, height / gh] - 0.5
    return _mask(width, height, xy, p).resize(width / gw, vscale=height / gh, kernel="linear")


def _mask(width: int, height: int, xy: pyvips.Image, p: Params) -> pyvips.Image:
    # Normalise so the corners sit at distance 1. Roundness 100 is a circle; 0 follows the frame's
    # aspect (an ellipse); negative values push towards a rounded rectangle.
    aspect = width / height
    circle = p.roundness / 100.0
    sx = 1.0 + max(circle, 0.0) * (aspect - 1.0) if aspect >= 1 else 1.0
    sy = 1.0 + max(circle, 0.0) * (1.0 / aspect - 1.0) if aspect < 1 else 1.0
    nx = (xy[0] + (0.5 - width / 2)) / (width / 2) * sx  # pixel centres: symmetric at any size
    ny = (xy[1] + (0.5 - height / 2)) / (height / 2) * sy
    power = 2.0 + max(-circle, 0.0) * 6.0
    dist = ((nx.abs() ** power + ny.abs() ** power) ** (1.0 / power)) / (2.0 ** (1.0 / power))
    inner = _inner(p)
    t = ((dist - inner) / _falloff(p)).maxpair(0.0).minpair(1.0)
    return 1.0 - t * t * (3.0 - 2.0 * t)


def _inner(p: Params) -> float:
    """Normalised distance where the falloff starts (corners are at 1)."""
    return 0.05 + 0.9 * p.midpoint / 100.0


def _falloff(p: Params) -> float:
    """Normalised width of the falloff."""
    return max(0.02, (1.0 - _inner(p)) * (0.1 + 0.9 * p.feather / 100.0))


_CACHE_PIXELS = 4_000_000  # previews: keep the mask in memory so other sliders do not recompute it


@lru_cache(maxsize=4)
def _cached_mask(width: int, height: int, midpoint: float, feather: float, roundness: float) -> pyvips.Image:
    p = Params(amount=-1.0, midpoint=midpoint, feather=feather, roundness=roundness)
    return mask(width, height, p).copy_memory()


def build(image: pyvips.Image, p: Params, ctx) -> pyvips.Image:
    if image.width * image.height <= _CACHE_PIXELS:
        m = _cached_mask(image.width, image.height, p.midpoint, p.feather, p.roundness)
    else:
        m = mask(image.width, image.height, p)
    strength = p.amount / 100.0
    top = spatial.white(image, ctx)
    if strength < 0:  # darken: multiply towards black at the edges
        gain = 1.0 + strength * (1.0 - m)
        out = image * gain
    else:  # lighten: blend towards white at the edges
        out = image + (top - image) * (strength * (1.0 - m))
    return spatial.keep_format(out, image)
