"""Pixels between pyvips and Qt: 8-bit arrays, QImages, histograms and clipping overlays.

Everything here except `to_pixmap` may run on a worker thread (QImage is safe off the GUI thread).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pyvips
from PySide6.QtGui import QImage

# Overlay colours as little-endian RGBA8888 words: R | G << 8 | B << 16 | A << 24.
BLOWN = np.uint32(255 | 40 << 8 | 40 << 16 | 255 << 24)
CRUSHED = np.uint32(40 | 90 << 8 | 255 << 16 | 255 << 24)


# Where red, green and blue sit in a pixel of QImage.Format_RGB32 (one 0xffRRGGBB word in native byte order).
RGB32_CHANNELS = (2, 1, 0) if sys.byteorder == "little" else (1, 2, 3)


def _rgb_uchar(image: pyvips.Image) -> pyvips.Image:
    """`image` (1..4 bands, uchar or ushort) as 3-band uchar, lazily."""
    if image.bands == 4 or image.bands == 2:
        image = image.extract_band(0, n=image.bands - 1)
    if image.bands == 1:
        image = image.bandjoin([image, image])
    if image.format == "ushort":
        image = (image >> 8).cast("uchar")
    elif image.format != "uchar":
        image = image.cast("uchar")
    return image


def to_rgb8(image: pyvips.Image) -> np.ndarray:
    """A (h, w, 3) uint8 array of `image` (1..4 bands, uchar or ushort). Pulls the pixels: slow, use a worker."""
    image = _rgb_uchar(image)
    data = image.write_to_memory()
    return np.frombuffer(data, dtype=np.uint8).reshape(image.height, image.width, 3)


def to_rgb32(image: pyvips.Image) -> tuple[QImage, np.ndarray]:
    """`image` (1..4 bands, uchar or ushort) as a QImage in Qt's native 32-bit layout, and a (h, w, 4) uint8
    view of the same bytes (red, green, blue at RGB32_CHANNELS) for the histogram and clipping overlay.

    libvips writes the pixels in that layout as the last step of the render (bands reordered, 255 padded),
    and the QImage wraps its buffer (PySide keeps the buffer alive): no per-pixel conversion in Qt, which
    holds the interpreter lock while it converts (~6 ms at 2944 px, the GUI thread waiting), and no copy.
    Pulls the pixels: slow, use a worker."""
    rgb = _rgb_uchar(image)
    r, g, b = rgb[0], rgb[1], rgb[2]
    if sys.byteorder == "little":  # bytes B, G, R, 255
        padded = b.bandjoin([g, r, 255]).cast("uchar")
    else:  # bytes 255, R, G, B
        padded = b.new_from_image(255).bandjoin([r, g, b])
    data = padded.write_to_memory()
    w, h = padded.width, padded.height
    qimage = QImage(data, w, h, 4 * w, QImage.Format.Format_RGB32)
    return qimage, np.frombuffer(data, dtype=np.uint8).reshape(h, w, 4)


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of the (h, w, 3) uint8 pixels, in Qt's native 32-bit RGB format.

    Converting here (a fraction of a ms, on the worker) rather than keeping RGB888 matters: the raster
    engine converts RGB888 on every scaled paint (~4 ms for a 1600 px preview, on the GUI thread) but
    paints RGB32 directly (~1 ms). Previews use `to_rgb32`, which has libvips write this layout.
    """
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).convertToFormat(QImage.Format.Format_RGB32)


@dataclass(frozen=True)
class Histogram:
    """256-bin counts of red, green, blue and luminance, and the fraction of clipped pixels."""

    red: np.ndarray
    green: np.ndarray
    blue: np.ndarray
    luma: np.ndarray
    clipped_high: float  # fraction of pixels with any channel at 255
    clipped_low: float  # fraction with every channel at 0


HISTOGRAM_SAMPLES = 250_000  # pixels read at most: a 4K preview's histogram costs what a 1600 px one does


def histogram(rgb: np.ndarray, step: int = 3, channels: tuple[int, int, int] = (0, 1, 2)) -> Histogram:
    """Histogram of an 8-bit (h, w, bands) image whose red, green and blue are at `channels` (RGB32_CHANNELS
    for `to_rgb32`'s pixels), sampling every `step`-th pixel in each direction (plenty for 256 bins),
    or sparser so that at most about HISTOGRAM_SAMPLES pixels are read.

    Integer arithmetic throughout: it runs after every preview render, so it must stay a few ms.
    """
    step = max(step, int((rgb.shape[0] * rgb.shape[1] / HISTOGRAM_SAMPLES) ** 0.5))
    sample = np.ascontiguousarray(rgb[::step, ::step][..., list(channels)]).reshape(-1, 3)
    if sample.size == 0:
        zero = np.zeros(256, np.int64)
        return Histogram(zero, zero, zero, zero, 0.0, 0.0)
    wide = sample.astype(np.uint16)
    r, g, b = wide[:, 0], wide[:, 1], wide[:, 2]
    luma = ((54 * r + 183 * g + 19 * b + 128) >> 8).astype(np.uint8)  # Rec. 709 weights in 1/256ths
    brightest = np.maximum(np.maximum(r, g), b)
    n = len(sample)
    counts = [np.bincount(sample[:, c], minlength=256) for c in range(3)]
    high = float(np.count_nonzero(brightest == 255)) / n
    low = float(np.count_nonzero(brightest == 0)) / n
    return Histogram(*counts, np.bincount(luma, minlength=256), high, low)


def clipping_overlay(rgb: np.ndarray, channels: tuple[int, int, int] = (0, 1, 2)) -> QImage:
    """Transparent image marking blown pixels (any channel 255) red and crushed ones (all 0) blue; red,
    green and blue of `rgb` are at `channels`."""
    h, w = rgb.shape[:2]
    r, g, b = (rgb[..., c] for c in channels)
    brightest = np.maximum(np.maximum(r, g), b)
    out = np.zeros((h, w), np.uint32)
    out[brightest == 255] = BLOWN
    out[brightest == 0] = CRUSHED
    # Premultiplied ARGB32 paints without a per-paint conversion; exact here (alpha is 0 or 255).
    image = QImage(out.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)

