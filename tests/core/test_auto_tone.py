"""Auto tone sets exposure, contrast, highlights, shadows, whites and blacks from the histogram: a dull photo
is spread, a dark one brightened, a well-exposed one left nearly alone; checked through the real render."""
from __future__ import annotations

import numpy as np
import pyvips

from editor.core import auto_tone
from editor.core.edit import Edit
from editor.core.pipeline import render

RNG = np.random.default_rng(7)


def grey(values: np.ndarray) -> np.ndarray:
    return np.repeat(values[..., None], 3, axis=-1)


def well_exposed(shape=(160, 160)) -> np.ndarray:
    """Greys whose percentiles sit at the model's targets: full range, mid-tones at middle grey."""
    q = np.array([0, 0.5, 5, 25, 50, 75, 95, 99.5, 100]) / 100
    v = np.array([0, 0.02, 0.10, 0.26, 0.46, 0.66, 0.90, 0.98, 1.0])
    return grey(np.interp(RNG.uniform(0, 1, shape), q, v))


def developed(pixels: np.ndarray, settings: dict) -> np.ndarray:
    """`pixels` (sRGB 0..1) rendered by the real pipeline with `settings`, back as 0..1."""
    edit = Edit()
    for op, values in settings.items():
        edit = edit.update(op, **values)
    image = pyvips.Image.new_from_array(np.round(pixels * 255).astype(np.uint8)).copy(interpretation="srgb")
    return render(image, edit).numpy()[..., :3] / 255.0


def test_a_dull_low_contrast_photo_gets_more_contrast_and_its_ends_spread():
    dull = grey(RNG.uniform(0.35, 0.6, (160, 160)))
    settings = auto_tone.auto_tone(dull)
    assert settings["contrast"]["contrast"] > 20
    assert settings["whites_blacks"]["whites"] > 0 > settings["whites_blacks"]["blacks"]
    assert abs(settings["exposure"]["exposure_ev"]) <= 0.1  # its middle already sat at middle grey
    before, after = auto_tone.luminance_percentiles(dull), auto_tone.luminance_percentiles(developed(dull, settings))
    assert after["q3"] - after["q1"] > 1.8 * (before["q3"] - before["q1"])  # rendered: the mid-tones spread
    assert after["lo"] < before["lo"] - 0.05 and after["hi"] > before["hi"] + 0.08
    assert abs(after["median"] - before["median"]) < 0.05


def test_a_dark_photo_is_brightened_toward_middle_grey_without_clipping_its_whites():
    dark = grey(RNG.uniform(0.08, 0.4, (160, 160)))  # median ~2 stops under middle grey
    settings = auto_tone.auto_tone(dark)
    assert settings["exposure"]["exposure_ev"] >= 1.0
    after = auto_tone.luminance_percentiles(developed(dark, settings))
    low, high = auto_tone.MEDIAN_BAND
    assert low - 0.02 < after["median"] < high  # into the band of a well-exposed photo
    assert after["hi"] < 0.995  # the brightest detail is kept


def test_an_overexposed_photo_is_darkened():
    bright = grey(RNG.uniform(0.6, 1.0, (160, 160)))
    settings = auto_tone.auto_tone(bright)
    assert settings["exposure"]["exposure_ev"] < -0.5
    after = auto_tone.luminance_percentiles(developed(bright, settings))["median"]
    assert after < auto_tone.MEDIAN_BAND[1] + 0.02  # from 0.8 into the band of a well-exposed photo


def test_a_well_exposed_photo_changes_little():
    good = well_exposed()
    settings = auto_tone.auto_tone(good)
    assert settings["exposure"]["exposure_ev"] == 0.0
    assert all(abs(v) <= 10 for op, values in settings.items() if op != "exposure" for v in values.values())
    assert np.abs(developed(good, settings) - developed(good, {})).mean() < 0.01


def test_every_slider_stays_within_its_limits_and_its_operations_range():
    extreme = grey(np.where(RNG.uniform(0, 1, (100, 100)) < 0.5, 0.49, 0.51))  # almost flat
    settings = auto_tone.auto_tone(extreme)
    for rule in auto_tone.RULES:
        lo, hi = rule.limits
        assert lo <= settings[rule.slider][rule.field] <= hi
        assert -100 <= lo and hi <= 100
    (rule,) = [r for r in auto_tone.RULES if r.field == "contrast"]
    assert settings["contrast"]["contrast"] == rule.limits[1]  # as far as Auto goes


def test_the_model_matches_the_rendered_tone_curve_for_greys():
    x = np.linspace(0.02, 0.98, 25)
    settings = {"exposure": {"exposure_ev": 0.5}, "contrast": {"contrast": 30.0},
                "highlights_shadows": {"highlights": -40.0, "shadows": 30.0},
                "whites_blacks": {"whites": 20.0, "blacks": -20.0}}
    rendered = developed(grey(x[None, :]), settings)[0, :, 1]
    assert np.abs(auto_tone.tone(x, settings) - rendered).max() < 0.02
