"""The contact sheet renders every look as a labelled tile."""
from __future__ import annotations

import numpy as np
import pyvips

from presets import builtin_looks
from presets.contact_sheet import main, sheet
from preset_helpers import DATA, to_array


def test_sheet_has_one_labelled_tile_per_look_plus_the_original(tmp_path):
    image = sheet(DATA / "park_160.png", width=120, columns=5)
    tiles = len(builtin_looks()) + 1
    rows = -(-tiles // 5)
    assert image.width == 5 * 120 + 4 * 8
    tile_height = (image.height - (rows - 1) * 8) / rows
    assert tile_height > 90 + 15  # photo plus a caption strip
    pixels = to_array(image)
    caption = pixels[95:105, :120]
    assert (caption < 100).any() and (caption > 240).any()  # dark text on white


def test_main_writes_a_jpeg(tmp_path):
    out = tmp_path / "sheet.jpg"
    assert main([str(DATA / "park_160.png"), "--out", str(out), "--width", "80"]) == 0
    assert pyvips.Image.new_from_file(str(out)).width > 80 * 4
