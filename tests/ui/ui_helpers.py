"""Helpers for the UI tests: synthetic photos, waiting for previews, reading QImage pixels."""
from __future__ import annotations

import numpy as np


def photo_like(width: int, height: int, seed: int = 1) -> np.ndarray:
    """(height, width, 3) uint8: gradients, a disc and noise, mid-toned so edits move pixels both ways."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([40 + 160 * x / max(1, width - 1), 60 + 120 * y / max(1, height - 1),
                    128 + 60 * np.sin(x / 13.0) * np.cos(y / 17.0)], axis=-1)
    disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 4) ** 2
    rgb[disc] = rgb[disc] * 0.5 + np.array([200, 180, 40]) * 0.5
    rgb += rng.normal(0, 4, rgb.shape) + seed * 5
    return np.clip(rgb, 0, 255).astype(np.uint8)


def write_photo(path, width: int, height: int, seed: int = 1, quality: int = 75):
    """`photo_like` saved as a JPEG at `path` (str or Path); returns the path."""
    import pyvips
    pyvips.Image.new_from_array(photo_like(width, height, seed)).copy(interpretation="srgb").write_to_file(
        str(path), Q=quality)
    return path


def wait_preview(qtbot, window, after_gen: int = 0, timeout: int = 10000):
    """Wait until the newest requested preview (newer than `after_gen`) is on screen at full size, with
    its histogram (which follows the image); return it as a float array (h, w, 3)."""
    qtbot.waitUntil(lambda: window.shown_gen > after_gen and window.shown_gen == window.gen
                    and not window.shown_draft and window.last_result.histogram is not None
                    and window.histogram.data is window.last_result.histogram,
                    timeout=timeout)
    return qimage_array(window.last_result.image)


def qimage_array(image) -> np.ndarray:
    from PySide6.QtGui import QImage
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, bpl = image.height(), image.width(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)[:, : w * 3]
    return data.reshape(h, w, 3).astype(np.float32)


def looks_idle(qtbot, looks, timeout: int = 10000):
    """Wait until the looks panel has nothing left to do: no timer pending that would request thumbnails, and its
    worker has run (or dropped) every batch queued so far. The positive control of a test that checks some look
    is NOT rendered: on a loaded machine a batch may still sit in the queue after a fixed wait."""
    qtbot.waitUntil(lambda: not looks.visible_timer.isActive() and not looks.refresh_timer.isActive(),
                    timeout=timeout)
    drained = looks._pool.submit(lambda: None)  # one worker, first in first out: behind every queued batch
    qtbot.waitUntil(drained.done, timeout=timeout)
