"""The fused colour transform: precision of the libvips/lcms path and of the colour maths behind it."""
from __future__ import annotations

import time

import numpy as np
import pyvips
import pytest

from editor.core import colour, fused
from editor.core.edit import Edit


def gradient(depth: int, h: int = 64, w: int = 192) -> np.ndarray:
    """Smooth colour gradients covering darks, lights and saturated colours, as uint8 or uint16."""
    x = np.linspace(0.0, 1.0, w)[None, :].repeat(h, 0)
    y = np.linspace(0.0, 1.0, h)[:, None].repeat(w, 1)
    rgb = np.stack([x, 0.5 * x + 0.5 * y, 1.0 - x * y], axis=-1)
    top = 255 if depth == 8 else 65535
    return np.round(rgb * top).astype(np.uint8 if depth == 8 else np.uint16)


def image(arr: np.ndarray) -> pyvips.Image:
    return pyvips.Image.new_from_array(arr).copy(interpretation="rgb16" if arr.dtype == np.uint16 else "srgb")


def look() -> Edit:
    """A typical look: ten point-wise operations including HSL and colour grading."""
    return (Edit().update("white_balance", temperature=25.0, tint=5.0).update("exposure", exposure_ev=0.3)
            .update("contrast", contrast=25.0).update("highlights_shadows", highlights=-40.0, shadows=30.0)
            .update("whites_blacks", whites=10.0, blacks=-10.0)
            .update("tone_curve", master=((0.0, 0.03), (0.5, 0.53), (1.0, 0.97)))
            .update("vibrance", vibrance=25.0).update("saturation", saturation=-10.0)
            .update("hsl", red_hue=15.0, blue_saturation=-30.0, green_luminance=20.0)
            .update("color_grading", shadows_hue=220.0, shadows_sat=35.0, highlights_hue=50.0,
                    highlights_sat=25.0))


def steps_of(edit: Edit) -> tuple[fused.Step, ...]:
    return tuple(fused.Step(op, p) for op, p in edit.active() if op.kind in ("channel", "colour"))


def errors(depth: int, steps) -> np.ndarray:
    arr = gradient(depth)
    top = 255.0 if depth == 8 else 65535.0
    out = fused.apply(image(arr), steps).numpy().astype(np.float64) / top
    return np.abs(out - fused.evaluate(arr / top, steps)) * 255.0  # in 8-bit levels


def test_icc_path_matches_float_reference_on_8_bit_gradients():
    err = errors(8, steps_of(look()))
    assert err.mean() < 0.5  # measured ≈ 0.28, of which ≈ 0.25 is the 8-bit rounding itself
    assert np.percentile(err, 99) < 2.0


def test_icc_path_matches_float_reference_on_16_bit_gradients():
    err = errors(16, steps_of(look()))
    assert err.mean() < 0.25  # measured ≈ 0.10
    assert np.percentile(err, 99) < 2.0


@pytest.mark.parametrize("depth", [8, 16])
def test_curve_only_edits_are_exact_at_the_images_bit_depth(depth):
    edit = (Edit().update("exposure", exposure_ev=0.7).update("contrast", contrast=40.0)
            .update("tone_curve", red=((0.0, 0.0), (0.2, 0.35), (1.0, 1.0))))
    err = errors(depth, steps_of(edit))
    assert err.max() <= (0.5 + 1e-6 if depth == 8 else 0.01)


def test_apply_keeps_format_and_interpretation():
    for arr in (gradient(8, 8, 8), gradient(16, 8, 8)):
        src = image(arr)
        for edit in (look(), Edit().update("exposure", exposure_ev=1.0)):
            out = fused.apply(src, steps_of(edit))
            assert (out.format, out.interpretation, out.bands) == (src.format, src.interpretation, 3)


def test_colour_table_is_fast_enough_for_interactive_editing():
    steps = steps_of(look())
    assert len(steps) == 10
    fused.composite(steps)  # warm imports and caches of helpers
    best = float("inf")
    for i in range(3):
        variant = steps_of(look().update("exposure", exposure_ev=0.31 + i / 100))  # defeat the cache
        start = time.process_time()
        fused.composite(variant)
        best = min(best, time.process_time() - start)
    assert best < 0.06  # ≈ 15 ms on a quiet machine; generous for loaded CI


def test_lab_chain_equals_running_each_colour_operation_in_srgb():
    rng = np.random.default_rng(1)
    rgb = rng.random((500, 3)) * 0.6 + 0.2  # mid-range colours: nothing leaves the gamut
    edit = (Edit().update("saturation", saturation=-20.0).update("hsl", orange_hue=30.0, aqua_luminance=20.0)
            .update("color_grading", midtones_hue=30.0, midtones_sat=20.0))
    steps = steps_of(edit)
    ref = rgb
    for step in steps:
        ref = np.clip(step.op.module.transform(ref, step.params), 0.0, 1.0)
    assert np.abs(fused.evaluate(rgb, steps) - ref).max() < 1e-6


# --- colour maths ----------------------------------------------------------------------------------

def test_transfer_curves_are_inverse_and_accept_scalars():
    x = np.linspace(-0.2, 1.2, 1401)
    assert np.allclose(colour.to_srgb(colour.to_linear(x)), x, atol=1e-12)
    assert float(colour.to_srgb(0.18)) == pytest.approx(0.4614, abs=1e-4)
    assert float(colour.to_linear(0.5)) == pytest.approx(0.2140, abs=1e-4)


def test_oklab_keeps_greys_exactly_neutral():
    greys = np.linspace(0.0, 1.0, 11)[:, None].repeat(3, axis=1)
    lab = colour.srgb_to_oklab(greys)
    assert np.abs(lab[:, 1:]).max() < 1e-12
    back = colour.oklab_to_srgb(lab)
    assert np.abs(back - greys).max() < 1e-12


def test_fit_gamut_keeps_lightness_and_hue_and_lands_on_the_gamut_boundary():
    rng = np.random.default_rng(2)
    lch = np.stack([rng.uniform(0.05, 0.95, 4000), rng.uniform(0.0, 0.4, 4000), rng.uniform(0, 360, 4000)], -1)
    fitted = colour.in_gamut_chroma(lch)
    lin = colour.oklab_to_linear(colour.oklch_to_oklab(fitted))
    # dark blues near the blue primary's hue get the mean fit of their neighbours in hue (continuity)
    notch = colour._near_notch_hue(colour.oklch_to_oklab(lch))
    assert 10 < notch.sum() < 400
    assert lin[~notch].min() > -1e-5 and lin[~notch].max() < 1 + 1e-5
    assert lin[notch].min() > -1e-3 and lin[notch].max() < 1 + 1e-3
    assert np.allclose(fitted[:, 0], lch[:, 0])
    reduced = fitted[:, 1] < lch[:, 1] - 1e-9
    hue_diff = (fitted[reduced, 2] - lch[reduced, 2] + 180) % 360 - 180
    assert np.abs(hue_diff).max() < 1e-6
    inside = ~reduced & ~notch
    assert np.allclose(fitted[inside], lch[inside], rtol=0, atol=1e-9)  # in-gamut colours are untouched
    # maximal: 1 % more chroma would leave the gamut
    more = fitted[reduced & ~notch] * np.array([1.0, 1.01, 1.0])
    lin_more = colour.oklab_to_linear(colour.oklch_to_oklab(more))
    assert np.all((lin_more < 0.0).any(-1) | (lin_more > 1.0).any(-1))


def test_fit_gamut_has_no_jump_for_dark_blues_near_the_blue_primary():
    """Lines of constant L and hue there can leave the gamut by a hair and come back, so the largest chroma
    in gamut jumps (by 0.01-0.03 in OkLab chroma here). Fitting is the mean over 8 neighbouring hues: the
    jump becomes 8 steps of an eighth (0.004 at most here, about ΔE00 0.4)."""
    hue = np.linspace(263.6, 264.6, 2001)  # 0.0005° apart
    for lightness, chroma in ((0.12, 0.11), (0.2, 0.15), (0.28, 0.25), (0.35, 0.3), (0.45, 0.34)):
        lch = np.stack([np.full_like(hue, lightness), np.full_like(hue, chroma), hue], -1)
        fitted = colour.in_gamut_chroma(lch)[:, 1]
        steps = np.abs(np.diff(fitted))
        assert steps.max() < 0.004, (lightness, chroma)
        assert steps.max() < 0.2 * np.ptp(fitted), (lightness, chroma)  # smaller than the whole change


def test_monotone_curve_never_overshoots_between_rising_points():
    rng = np.random.default_rng(3)
    for _ in range(20):
        xs = np.sort(rng.choice(np.linspace(0, 1, 101), size=6, replace=False))
        ys = np.sort(rng.random(6))
        x = np.linspace(xs[0], xs[-1], 2001)
        y = colour.monotone_curve(list(zip(xs, ys)), x)
        assert np.all(np.diff(y) >= -1e-12)
        assert y.min() >= ys[0] - 1e-12 and y.max() <= ys[-1] + 1e-12
        assert np.allclose(colour.monotone_curve(list(zip(xs, ys)), xs), ys)


def test_hue_interp_equals_hue_weights_times_values():
    rng = np.random.default_rng(4)
    hue = rng.uniform(-360, 720, 5000)
    values = rng.normal(size=(8, 3))
    direct = colour.hue_weights(hue % 360, colour.BAND_HUES) @ values
    # a 0.25° table: linear interpolation of the raised cosines errs by < 1e-4 of the value range
    assert np.abs(colour.hue_interp(hue, colour.BAND_HUES, values) - direct).max() < 1e-4 * np.ptp(values)
    assert np.allclose(colour.hue_weights(hue % 360, colour.BAND_HUES).sum(-1), 1.0)


def test_planckian_white_balance_reference_is_warmer_at_lower_kelvin():
    warm, cool = colour.cct_to_linear_rgb(3200), colour.cct_to_linear_rgb(9000)
    assert warm[0] / warm[2] > 2.0 > 1.0 > cool[0] / cool[2]


def test_apply_reuses_the_transform_for_the_same_source_and_colours_only():
    src = image(gradient(8, 8, 8))
    steps = steps_of(look())
    first = fused.apply(src, steps)
    assert fused.apply(src, steps) is first
    assert fused.apply(image(gradient(8, 8, 8)), steps) is not first  # another source
    other = fused.apply(src, steps_of(look().update("saturation", saturation=-50.0)))
    assert other is not first
    assert not np.array_equal(other.numpy(), first.numpy())


def test_passthrough_profile_file_is_private_and_comes_back_if_a_temp_cleaner_removes_it():
    import os
    import stat
    from pathlib import Path

    from editor.core import icc
    before = fused.apply(image(gradient(8, 8, 8)), steps_of(look())).numpy()
    path = Path(icc.passthrough_path())
    assert path.read_bytes() == icc.passthrough_profile()
    assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0  # mkstemp: readable by this user only
    path.unlink()
    again = Path(icc.passthrough_path())
    assert again.read_bytes() == icc.passthrough_profile()
    after = fused.apply(image(gradient(8, 8, 8)), steps_of(look())).numpy()  # a new source: a new transform
    assert np.array_equal(before, after) and not np.array_equal(after, gradient(8, 8, 8))


@pytest.mark.parametrize("depth", [8, 16])
def test_an_identity_colour_table_gives_back_every_level_through_the_icc_path(depth):
    from editor.core import icc
    g = np.linspace(0.0, 1.0, fused.GRID)
    table = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1)
    top = 255 if depth == 8 else 65535
    levels = np.arange(0, top + 1, 1 if depth == 8 else 257)
    arr = np.stack([levels, levels[::-1], levels], axis=-1)[None].astype(np.uint8 if depth == 8 else np.uint16)
    src = image(arr)
    tagged = src.copy()
    tagged.set_type(pyvips.GValue.blob_type, "icc-profile-data", icc.look_profile(table))
    out = tagged.icc_transform(icc.passthrough_path(), embedded=True, intent="relative", depth=depth).numpy()
    assert np.abs(out.astype(np.int64) - arr).max() <= (0 if depth == 8 else 2)  # white and black exact
