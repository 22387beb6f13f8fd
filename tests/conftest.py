"""Shared fixtures: small synthetic photos written at test time, and the bundled sample folder.

Test modules import the plain helpers as `from test_helpers import ...`: several folders have a
conftest.py, so `import conftest` would find whichever was loaded first.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import pyvips

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"


def photo_like(width: int, height: int, seed: int = 1) -> np.ndarray:
    """(height, width, 3) uint8 with gradients, a few shapes and noise: compresses like a photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 40 + 160 * x / max(1, width - 1)
    g = 60 + 120 * y / max(1, height - 1)
    b = 128 + 90 * np.sin(x / 13.0) * np.cos(y / 17.0)
    rgb = np.stack([r, g, b], axis=-1)
    cy, cx = height / 2, width / 2
    disc = (x - cx) ** 2 + (y - cy) ** 2 < (min(width, height) / 4) ** 2
    rgb[disc] = rgb[disc] * 0.5 + np.array([200, 180, 40]) * 0.5
    rgb += rng.normal(0, 6, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def vips_image(array: np.ndarray) -> pyvips.Image:
    image = pyvips.Image.new_from_array(np.ascontiguousarray(array))
    if array.ndim == 3 and array.shape[2] >= 3:
        return image.copy(interpretation="rgb16" if array.dtype == np.uint16 else "srgb")
    return image.copy(interpretation="grey16" if array.dtype == np.uint16 else "b-w")


@pytest.fixture
def make_photo(tmp_path):
    """make_photo(name, array=None, size=(w, h), **save_options) -> Path of a file written with libvips.

    The suffix of `name` picks the format; `orientation`, `icc` (bytes) and `exif` go into metadata.
    """
    def make(name: str, array: np.ndarray | None = None, size=(96, 64), *, orientation: int | None = None,
             icc: bytes | None = None, **options) -> Path:
        if array is None:
            array = photo_like(*size)
        image = vips_image(array)
        if orientation is not None:
            image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
        if icc is not None:
            image.set_type(pyvips.GValue.blob_type, "icc-profile-data", icc)
        path = tmp_path / name
        image.write_to_file(str(path), **options)
        return path
    return make


def pixel(image: pyvips.Image, x: int, y: int) -> list[float]:
    return list(image.crop(x, y, 1, 1).getpoint(0, 0))


sys.modules.setdefault("test_helpers", sys.modules[__name__])


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    """No test writes the user's real data folder (presets, LUTs, the library catalog the app opens on
    start); a test that wants a particular one sets DARKSLIDE_DATA_DIR itself."""
    import os
    if not os.environ.get("DARKSLIDE_DATA_DIR"):
        monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path_factory.mktemp("data")))


def wait_for(condition, what: str, timeout: float = 15.0, interval: float = 0.02):
    """Poll `condition()` until it returns something true and return that; fail naming `what` after `timeout`
    seconds. For tests that wait for something to happen: a slow, loaded machine only takes longer, where a
    fixed sleep or read window would make the test fail (or pass) by accident."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        time.sleep(interval)
