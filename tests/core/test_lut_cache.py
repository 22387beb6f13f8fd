import os

import numpy as np
import pyvips

from editor.core import lutfiles
from editor.core.edit import Edit
from editor.core.pipeline import render


def _grey_image(level: int) -> pyvips.Image:
    return (pyvips.Image.black(8, 8, bands=3) + level).cast("uchar").copy(interpretation="srgb")


def test_rewriting_a_lut_file_in_place_changes_the_render(tmp_path):
    path = tmp_path / "look.cube"
    identity = lutfiles.identity_table(5)
    path.write_text(lutfiles.format_cube(identity))
    edit = Edit().update("lut3d", lut=str(path))
    before = render(_grey_image(128), edit).numpy()
    path.write_text(lutfiles.format_cube(np.full_like(identity, 0.25)))  # same name, new content
    stamp = os.stat(path).st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    after = render(_grey_image(128), edit).numpy()
    assert abs(float(before.mean()) - 128) < 2
    assert abs(float(after.mean()) - 0.25 * 255) < 3
