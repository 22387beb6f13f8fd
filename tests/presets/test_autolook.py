import numpy as np
import pytest
import pyvips

from editor.core import sidecar
from presets import PresetError
from presets.autolook import PREVIEW_DIR, SAME_AS_PREVIOUS, AutoLook
from presets.store import PresetStore


def _photo(path, level=(170, 120, 90)):
    image = (pyvips.Image.black(96, 64, bands=3) + list(level)).cast("uchar").copy(interpretation="srgb")
    image.jpegsave(str(path), Q=95)
    return path


def test_capture_gets_the_look_in_its_sidecar_and_a_developed_preview(tmp_path):
    photo = _photo(tmp_path / "IMG_1.jpg")
    preview = AutoLook("Monochrome", store=PresetStore(tmp_path / "data"))(photo)
    car = sidecar.load(photo)
    assert car.edit["bw_mix"].enabled and car.history.steps[-1].label == "Look: Monochrome"
    pixels = pyvips.Image.new_from_file(str(preview)).numpy().astype(float)
    assert preview.parent.name == PREVIEW_DIR and pixels.shape[:2] == (64, 96)
    assert np.abs(pixels[..., 0] - pixels[..., 2]).max() < 4  # rendered black and white


def test_same_as_previous_copies_the_last_captures_edit_with_its_tweaks(tmp_path):
    first, second = _photo(tmp_path / "A.jpg"), _photo(tmp_path / "B.jpg")
    hook = AutoLook(SAME_AS_PREVIOUS, store=PresetStore(tmp_path / "data"))
    hook(first)
    assert not sidecar.path_for(first).exists()  # nothing before it to copy
    car = sidecar.load(first)
    car.history.commit("Exposure", car.edit.update("exposure", exposure_ev=0.5))  # tweaked in the app
    sidecar.save(first, car)
    hook(second)
    assert sidecar.load(second).edit["exposure"].exposure_ev == 0.5


def test_unknown_look_is_refused_before_any_capture(tmp_path):
    with pytest.raises(PresetError):
        AutoLook("No Such Look", store=PresetStore(tmp_path / "data"))
