"""Helpers shared by the spatial operations.

The pipeline hands spatial operations one float image and rounds back to 8 or 16 bits once after the
last of them (saving a round-and-cast per operation); called on their own with an 8/16-bit image they
return that format, so each is still usable and testable alone.
"""
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
