"""A look's amount is continuous: every built-in look from 0 to 200 % in 1 % steps moves the picture by
at most ΔE00 1.0 per step (B&W looks fade toward grey instead of switching at 50 %), the hover preview
is the applied look, and toned B&W keeps its tone (colour grading comes after the B&W mix)."""
from __future__ import annotations

import numpy as np
import pytest

from editor.core import ops
from editor.core.edit import Edit
from presets import Preset, apply_preset, builtin_looks
from presets.apply import set_amount
from preset_helpers import delta_e2000, exact, make_chart, render_array

LOOKS = builtin_looks()
MAX_STEP = 1.0


def sample_pixels() -> np.ndarray:
    """The chart's hues, greys and skins at every other pixel: (24, 32, 3) uint8."""
    return make_chart()[::2, ::2]


@pytest.mark.slow
def test_every_look_moves_smoothly_from_0_to_200_percent():
    pixels = sample_pixels()
    worst = {}
    for look in LOOKS:
        edit = apply_preset(Edit(), look, amount=0)
        previous = exact(pixels, edit)
        assert delta_e2000(previous, pixels / 255.0).max() < 1e-6, look.name  # 0 % is the photo
        steps = []
        for amount in range(1, 201):
            edit = set_amount(edit, float(amount))
            current = exact(pixels, edit)
            steps.append(delta_e2000(previous, current).max())
            previous = current
        worst[look.name] = (max(steps), int(np.argmax(steps)) + 1)
    jumps = {name: step for name, step in worst.items() if step[0] > MAX_STEP}
    assert not jumps, f"largest ΔE00 per 1 % step (and where): {jumps}"


def test_a_black_and_white_look_below_half_amount_is_partly_grey():
    pixels = sample_pixels()
    mono = next(l for l in LOOKS if l.name == "Monochrome")
    chroma = lambda rgb: np.ptp(rgb, axis=-1).mean()
    full, half = (exact(pixels, apply_preset(Edit(), mono, amount=a)) for a in (100, 49))
    assert chroma(full) < 0.005  # grey
    assert 0.15 < chroma(half) / chroma(pixels / 255.0) < 0.4  # (1 - 0.49)^2 = 0.26 of the colour left
    assert apply_preset(Edit(), mono, amount=49)["bw_mix"].enabled  # no switch at 50 %


def test_black_and_white_params_saved_before_the_amount_existed_mean_full_conversion():
    params = ops.get("bw_mix").load({"enabled": True, "red": 10.0}, version=1)
    assert params.amount == 100.0 and params.red == 10.0


def test_toned_black_and_white_keeps_the_split_toning():
    """As in Lightroom, split toning (colour grading) tints the grey instead of being erased by it."""
    toned = Preset(name="Cyanotype-like", params={
        "bw_mix": {"enabled": True},
        "color_grading": {"shadows_hue": 230.0, "shadows_sat": 60.0, "highlights_hue": 220.0,
                          "highlights_sat": 30.0}})
    out = render_array(make_chart(), apply_preset(Edit(), toned)).astype(int)
    grey_ramp = out[32:40, 8:56]
    assert (grey_ramp[..., 2] - grey_ramp[..., 0]).mean() > 6  # blue above red: toned, not neutral
    assert ops.OPERATIONS.index(ops.get("color_grading")) > ops.OPERATIONS.index(ops.get("bw_mix"))
