"""Automatic white balance and exposure: a picked colour becomes grey, a cast photo is neutralised."""
from __future__ import annotations

import numpy as np

from editor.core import auto
from editor.core.colour import to_linear, to_srgb
from editor.core.ops import white_balance


def balanced(rgb, temperature, tint):
    """One sRGB colour through the white-balance operation."""
    rgb = np.asarray(rgb, dtype=np.float64)
    p = white_balance.Params(temperature, tint)
    return np.array([white_balance.curves(rgb[i:i + 1], p)[i, 0] for i in range(3)])


def test_a_picked_warm_grey_becomes_neutral():
    warm = balanced([0.5, 0.5, 0.5], 40.0, 10.0)  # a grey seen under warmer light with a magenta cast
    t, u = auto.neutral_white_balance(warm)
    out = balanced(warm, t, u)
    assert np.ptp(out) < 0.01 and t < -20  # cooled down to remove the warmth
    assert np.ptp(warm) > 0.05  # it really was coloured


def test_grey_world_auto_removes_a_blue_cast_and_leaves_a_neutral_photo_alone():
    rng = np.random.default_rng(3)
    scene = rng.uniform(0.1, 0.9, (40, 40, 3))
    scene = to_srgb(to_linear(scene) * (to_linear(np.array([0.5, 0.5, 0.5])) / to_linear(scene).mean(axis=(0, 1))))
    blue = to_srgb(np.clip(to_linear(scene) * np.array([0.8, 1.0, 1.3]), 0, 1))
    t, u = auto.auto_white_balance(blue)
    assert t > 10  # warmed
    mean = auto.grey_world(blue)
    assert np.ptp(balanced(mean, t, u)) < np.ptp(mean) / 3
    assert max(abs(v) for v in auto.auto_white_balance(scene)) <= 3


def test_auto_exposure_brings_the_median_to_middle_grey_within_limits():
    dark = np.full((10, 10, 3), to_srgb(np.array(0.045)))  # two stops under middle grey
    assert auto.auto_exposure(dark) == 2.0
    assert auto.auto_exposure(np.full((4, 4, 3), to_srgb(np.array(0.18)))) == 0.0
    assert auto.auto_exposure(np.zeros((4, 4, 3))) == auto.MAX_AUTO_EV


def test_source_point_finds_the_pixel_under_an_output_pixel_through_turns_crops_and_straightening():
    import pyvips

    from editor.core.ops import crop
    from editor.core.pipeline import RenderContext
    w, h = 64, 48
    y, x = np.mgrid[0:h, 0:w]
    coords = np.stack([x * 4, y * 5, np.zeros_like(x)], axis=-1).astype(np.uint8)  # each pixel names its place
    src = pyvips.Image.new_from_array(coords).copy(interpretation="srgb")
    for params in (crop.Params(), crop.Params(rotate90=1, left=0.2, width=0.5),
                   crop.Params(rotate90=2, top=0.25, height=0.5), crop.Params(rotate90=3),
                   crop.Params(angle=10.0, left=0.1, width=0.8)):
        out = crop.build(src, params, RenderContext()).numpy()
        oy, ox = out.shape[0] // 2, out.shape[1] // 2
        sx, sy = auto.source_point(w, h, params, ox + 0.5, oy + 0.5)
        assert abs(out[oy, ox, 0] / 4 - sx + 0.5) <= 1.5 and abs(out[oy, ox, 1] / 5 - sy + 0.5) <= 1.5, params
