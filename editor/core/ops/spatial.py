"""Helpers shared by the spatial operations.

The pipeline hands spatial operations one float image and rounds back to 8 or 16 bits once after the
last of them (saving a round-and-cast per operation); called on their own with an 8/16-bit image they
return that format, so each is still usable and testable alone.
"""
import numpy as np
import pyvips


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


LUMA = (0.2126, 0.7152, 0.0722)  # Rec. 709 luminance weights of the working space's R, G, B


def luminance(rgb: pyvips.Image, scale: float = 1.0) -> pyvips.Image:
    """One-band float luminance of the 3-band `rgb`, times `scale`."""
    return rgb.recomb(pyvips.Image.new_from_array([[w * scale for w in LUMA]]))


def lut(values, bands: int = 1) -> pyvips.Image:
    """A lookup table for `Image.maplut` from the 1-D float array `values` (at most 65536 entries).

    With bands=3 a one-band index maps straight to a 3-band image: libvips broadcasts a one-band
    image to three bands (for `rgb + detail`) with a band join that costs more than the arithmetic,
    while maplut writes the three bands at the price of a lookup.
    """
    table = np.asarray(values, dtype=np.float32).reshape(1, -1, 1)
    return pyvips.Image.new_from_array(np.repeat(table, bands, axis=2) if bands > 1 else table[..., 0])
