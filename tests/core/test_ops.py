"""Develop operations: identity at defaults, direction and size of each effect on known pixels."""
from __future__ import annotations

import numpy as np
import pyvips
import pytest

from editor.core import colour, fused, ops
from editor.core.edit import Edit
from editor.core.ops import crop, grain, sharpening, tone_curve, vignette
from editor.core.pipeline import RenderContext, render

CTX = RenderContext(scale=1.0, seed=1)


def image(arr: np.ndarray) -> pyvips.Image:
    """A pyvips working-space image from an (h, w, 3) uint8 or uint16 array."""
    interpretation = "rgb16" if arr.dtype == np.uint16 else "srgb"
    return pyvips.Image.new_from_array(np.ascontiguousarray(arr)).copy(interpretation=interpretation)


def flat(rgb, size=(8, 8), dtype=np.uint8) -> pyvips.Image:
    return image(np.broadcast_to(np.asarray(rgb, dtype=dtype), size + (3,)).copy())


def pixels(img: pyvips.Image) -> np.ndarray:
    return img.numpy().astype(np.float64)


def rendered(edit: Edit, src: pyvips.Image, ctx: RenderContext = CTX) -> np.ndarray:
    return pixels(render(src, edit, ctx))


def colour_patch() -> np.ndarray:
    """A small table of sRGB colours (0..1): greys, primaries, skin, sky, foliage, random colours."""
    rng = np.random.default_rng(7)
    fixed = [(0.5, 0.5, 0.5), (0.1, 0.1, 0.1), (0.9, 0.9, 0.9), (0.8, 0.2, 0.2), (0.2, 0.7, 0.2),
             (0.2, 0.3, 0.8), (0.85, 0.64, 0.52), (0.4, 0.6, 0.9), (0.9, 0.8, 0.2)]
    return np.concatenate([np.array(fixed), rng.random((40, 3))])


# --- identity and activation ------------------------------------------------------------------------

@pytest.mark.parametrize("op", ops.OPERATIONS, ids=lambda op: op.name)
def test_every_operation_is_identity_at_defaults(op):
    assert op.is_identity(op.defaults())
    if op.kind == "channel":
        x = np.linspace(0.0, 1.0, 257)
        assert np.allclose(op.module.curves(x, op.defaults()), np.stack([x, x, x]), atol=1e-9)
    elif op.kind == "colour":
        rgb = colour_patch()
        assert np.allclose(op.module.transform(rgb, op.defaults()), rgb, atol=1e-6)
    else:
        src = image((np.random.default_rng(3).random((12, 16, 3)) * 255).astype(np.uint8))
        assert np.array_equal(pixels(op.module.build(src, op.defaults(), CTX)), pixels(src))


def test_default_edit_has_no_active_operations_and_renders_the_source_unchanged():
    src = image((np.random.default_rng(4).random((10, 12, 3)) * 255).astype(np.uint8))
    assert Edit().active() == []
    assert np.array_equal(rendered(Edit(), src), pixels(src))


CHANGES = {
    "crop": dict(angle=2.0), "white_balance": dict(temperature=20.0), "exposure": dict(exposure_ev=0.5),
    "contrast": dict(contrast=10.0), "highlights_shadows": dict(shadows=10.0), "whites_blacks": dict(blacks=5.0),
    "tone_curve": dict(master=((0.0, 0.1), (1.0, 1.0))), "vibrance": dict(vibrance=10.0),
    "saturation": dict(saturation=10.0), "hsl": dict(red_hue=10.0), "color_grading": dict(shadows_sat=10.0),
    "bw_mix": dict(enabled=True), "lut3d": dict(lut="look.cube"), "sharpening": dict(amount=40.0),
    "vignette": dict(amount=-20.0), "grain": dict(amount=20.0), "parametric_curve": dict(darks=10.0),
    "clarity": dict(amount=20.0), "texture": dict(amount=20.0), "dehaze": dict(amount=20.0),
}


@pytest.mark.parametrize("op", ops.OPERATIONS, ids=lambda op: op.name)
def test_a_changed_operation_becomes_active_in_pipeline_order(op):
    edit = Edit().update(op.name, **CHANGES[op.name])
    assert [o.name for o, _ in edit.active()] == [op.name]
    everything = Edit()
    for name, change in CHANGES.items():
        everything = everything.update(name, **change)
    assert [o.name for o, _ in everything.active()] == [o.name for o in ops.OPERATIONS]


@pytest.mark.parametrize("name", ["tone_curve", "color_grading", "bw_mix", "sharpening", "grain", "vignette",
                                  "parametric_curve"])
def test_params_that_do_nothing_keep_the_operation_inactive(name):
    inert = {"tone_curve": dict(master=((0.0, 0.0), (0.5, 0.5), (1.0, 1.0))),
             "color_grading": dict(shadows_hue=200.0, balance=30.0), "bw_mix": dict(red=40.0),
             "sharpening": dict(radius=2.0), "grain": dict(size=60.0), "vignette": dict(midpoint=20.0),
             "parametric_curve": dict(shadow_split=40.0, highlight_split=60.0)}[name]
    assert Edit().update(name, **inert).active() == []


# --- tone ------------------------------------------------------------------------------------------

def test_exposure_plus_one_ev_doubles_linear_values():
    levels = np.array([20, 40, 60, 80, 100, 120, 140, 160], dtype=np.uint8)
    src = image(np.stack([levels] * 3, axis=-1)[None].repeat(4, axis=0))
    out = rendered(Edit().update("exposure", exposure_ev=1.0), src)[0, :, 0]
    ratio = colour.to_linear(out / 255) / colour.to_linear(levels / 255)
    assert np.allclose(ratio, 2.0, atol=0.06)


def test_exposure_minus_one_ev_halves_linear_values_on_16_bit():
    levels = np.array([5000, 20000, 40000, 60000], dtype=np.uint16)
    src = image(np.stack([levels] * 3, axis=-1)[None].repeat(2, axis=0))
    out = pixels(render(src, Edit().update("exposure", exposure_ev=-1.0)))[0, :, 1]
    ratio = colour.to_linear(out / 65535) / colour.to_linear(levels / 65535)
    assert np.allclose(ratio, 0.5, atol=0.002)


def test_contrast_steepens_midtones_and_keeps_black_and_white():
    op = ops.get("contrast")
    x = np.linspace(0.0, 1.0, 4097)
    for amount, steeper in ((60.0, True), (-60.0, False)):
        y = op.module.curves(x, op.replace(op.defaults(), contrast=amount))[0]
        assert y[0] == pytest.approx(0.0, abs=1e-9) and y[-1] == pytest.approx(1.0, abs=1e-9)
        assert np.all(np.diff(y) >= 0)
        i = np.searchsorted(x, op.module.PIVOT)
        slope = (y[i + 40] - y[i - 40]) / (x[i + 40] - x[i - 40])
        assert (slope > 1.3) if steeper else (slope < 0.8)
    src = flat((60, 60, 60))
    dark = rendered(Edit().update("contrast", contrast=60.0), src)[0, 0, 0]
    assert dark < 55  # darks below the pivot get darker


def test_highlights_minus_darkens_bright_tones_and_shadows_plus_lifts_dark_tones():
    src = image(np.array([[[40] * 3, [128] * 3, [215] * 3]], dtype=np.uint8))
    hl = rendered(Edit().update("highlights_shadows", highlights=-100.0), src)[0, :, 0]
    sh = rendered(Edit().update("highlights_shadows", shadows=100.0), src)[0, :, 0]
    assert hl[2] < 215 - 15 and abs(hl[0] - 40) <= 1
    assert sh[0] > 40 + 15 and abs(sh[2] - 215) <= 1


def test_whites_and_blacks_move_the_ends_of_the_range_more_than_the_middle():
    op = ops.get("whites_blacks")
    x = np.linspace(0.0, 1.0, 1001)
    whites = op.module.curves(x, op.replace(op.defaults(), whites=-100.0))[0]
    blacks = op.module.curves(x, op.replace(op.defaults(), blacks=100.0))[0]
    assert whites[-1] == pytest.approx(0.75) and abs(whites[500] - 0.5) < 0.02
    assert blacks[0] == pytest.approx(0.2) and abs(blacks[500] - 0.5) < 0.02
    assert np.all(np.diff(whites) >= 0) and np.all(np.diff(blacks) >= 0)


def test_tone_curve_passes_through_its_points_and_is_monotone():
    points = ((0.0, 0.05), (0.2, 0.1), (0.45, 0.6), (0.5, 0.62), (0.8, 0.95), (1.0, 1.0))
    x = np.linspace(0.0, 1.0, 10001)
    y = tone_curve.curve(points, x)
    assert np.all(np.diff(y) >= -1e-12)
    for px, py in points:
        assert tone_curve.curve(points, np.array([px]))[0] == pytest.approx(py, abs=1e-9)


def test_tone_curve_is_flat_beyond_its_end_points_and_channels_follow_the_master():
    p = tone_curve.Params(master=((0.2, 0.0), (0.8, 1.0)), red=((0.0, 0.0), (1.0, 0.5)))
    x = np.array([0.0, 0.1, 0.2, 0.5, 0.8, 0.9, 1.0])
    r, g, b = tone_curve.curves(x, p)
    assert np.allclose(g[[0, 1, 2]], 0.0) and np.allclose(g[[4, 5, 6]], 1.0)
    assert g[3] == pytest.approx(0.5) and r[3] == pytest.approx(0.25) and np.array_equal(g, b)


# --- colour ----------------------------------------------------------------------------------------

def test_temperature_plus_warms_and_minus_cools_a_grey():
    src = flat((128, 128, 128))
    warm = rendered(Edit().update("white_balance", temperature=50.0), src)[0, 0]
    cool = rendered(Edit().update("white_balance", temperature=-50.0), src)[0, 0]
    assert warm[0] > 128 + 8 and warm[2] < 128 - 8
    assert cool[0] < 128 - 5 and cool[2] > 128 + 5


def test_tint_plus_adds_magenta_and_minus_adds_green():
    src = flat((128, 128, 128))
    magenta = rendered(Edit().update("white_balance", tint=60.0), src)[0, 0]
    green = rendered(Edit().update("white_balance", tint=-60.0), src)[0, 0]
    assert magenta[1] < magenta[0] - 8 and magenta[1] < magenta[2] - 8
    assert green[1] > green[0] + 8 and green[1] > green[2] + 8


def test_white_balance_gains_are_relative_and_keep_grey_luminance():
    from editor.core.ops import white_balance
    g = white_balance.gains(white_balance.Params(temperature=70.0, tint=-30.0))
    assert g @ colour.LUMA == pytest.approx(1.0)
    assert np.allclose(white_balance.gains(white_balance.Params()), 1.0)


def test_saturation_minus_100_gives_grey():
    rgb = colour_patch()
    src = image(np.round(rgb * 255).astype(np.uint8)[None])
    out = rendered(Edit().update("saturation", saturation=-100.0), src)[0]
    assert np.abs(out - out.mean(axis=-1, keepdims=True)).max() <= 1.0


def test_saturation_plus_raises_chroma_keeps_hue_and_stays_in_gamut():
    rgb = colour_patch()[3:9]
    op = ops.get("saturation")
    out = op.module.transform(rgb, op.replace(op.defaults(), saturation=60.0))
    before, after = colour.srgb_to_oklch(rgb), colour.srgb_to_oklch(out)
    assert np.all(after[:, 1] > before[:, 1])
    assert np.allclose(after[:, 2], before[:, 2], atol=1.0)
    assert out.min() >= -1e-6 and out.max() <= 1 + 1e-6


def test_vibrance_boosts_muted_colours_more_than_saturated_ones_and_spares_skin():
    op = ops.get("vibrance")
    p = op.replace(op.defaults(), vibrance=80.0)
    muted, vivid = np.array([0.55, 0.5, 0.45]), np.array([0.3, 0.35, 0.9])
    gain = [colour.srgb_to_oklch(op.module.transform(c, p))[1] / colour.srgb_to_oklch(c)[1]
            for c in (muted, vivid)]
    assert gain[0] > gain[1] > 1.0
    skin = np.array([0.85, 0.64, 0.52])
    leaf = colour.oklch_to_srgb(colour.srgb_to_oklch(skin) + np.array([0.0, 0.0, 120.0]))  # same L, C
    skin_gain = colour.srgb_to_oklch(op.module.transform(skin, p))[1] / colour.srgb_to_oklch(skin)[1]
    leaf_gain = colour.srgb_to_oklch(op.module.transform(leaf, p))[1] / colour.srgb_to_oklch(leaf)[1]
    assert 1.0 < skin_gain < leaf_gain


def test_hsl_red_hue_shift_moves_red_and_leaves_blue_alone():
    op = ops.get("hsl")
    p = op.replace(op.defaults(), red_hue=100.0)
    red, blue = np.array([0.8, 0.15, 0.15]), np.array([0.15, 0.2, 0.8])
    h_red = colour.srgb_to_oklch(op.module.transform(red, p))[2] - colour.srgb_to_oklch(red)[2]
    assert 10.0 < h_red < 35.0
    assert np.allclose(op.module.transform(blue, p), blue, atol=1e-9)


def test_hsl_saturation_and_luminance_act_on_their_band_only():
    op = ops.get("hsl")
    blue = colour.oklch_to_srgb(np.array([0.5, 0.15, colour.BAND_HUES[colour.BAND_NAMES.index("blue")]]))
    green = np.array([0.2, 0.7, 0.2])
    desat = op.module.transform(blue, op.replace(op.defaults(), blue_saturation=-100.0))
    assert np.ptp(desat) < 1e-4
    darker = op.module.transform(green, op.replace(op.defaults(), green_luminance=-100.0))
    assert colour.luminance(darker) < colour.luminance(green) * 0.8
    assert np.allclose(op.module.transform(blue, op.replace(op.defaults(), green_luminance=-100.0)), blue)


def test_hsl_leaves_greys_alone():
    op = ops.get("hsl")
    p = op.replace(op.defaults(), red_hue=100.0, red_saturation=100.0, red_luminance=100.0,
                   blue_luminance=-100.0)
    greys = np.linspace(0.0, 1.0, 11)[:, None].repeat(3, axis=1)
    assert np.allclose(op.module.transform(greys, p), greys, atol=1e-6)


def test_color_grading_shadows_tint_affects_darks_more_than_lights():
    op = ops.get("color_grading")
    p = op.replace(op.defaults(), shadows_hue=240.0, shadows_sat=80.0)
    dark, light = np.array([0.15, 0.15, 0.15]), np.array([0.85, 0.85, 0.85])
    shift = [np.linalg.norm(colour.srgb_to_oklab(op.module.transform(c, p))[1:]) for c in (dark, light)]
    assert shift[0] > 0.03 and shift[1] < shift[0] / 4
    toned = op.module.transform(dark, p)
    assert toned[2] > toned[0]  # hue 240° is blue


def test_color_grading_region_weights_sum_to_one_and_balance_moves_the_split():
    from editor.core.ops import color_grading
    L = np.linspace(0.0, 1.0, 101)
    for balance, blending in ((0.0, 50.0), (60.0, 0.0), (-60.0, 100.0)):
        w = color_grading.region_weights(L, balance, blending)
        assert np.allclose(w.sum(axis=-1), 1.0) and w.min() >= 0.0
    mid = np.array([0.5])
    assert (color_grading.region_weights(mid, 80.0, 50.0)[0, 2]
            > color_grading.region_weights(mid, -80.0, 50.0)[0, 2])


def test_bw_mix_enabled_gives_neutral_grey_and_band_mix_changes_brightness():
    rgb = colour_patch()
    src = image(np.round(rgb * 255).astype(np.uint8)[None])
    out = rendered(Edit().update("bw_mix", enabled=True, red=60.0), src)[0]
    assert np.abs(out - out.mean(axis=-1, keepdims=True)).max() <= 1.0
    op = ops.get("bw_mix")
    red = np.array([0.8, 0.15, 0.15])
    lighter = op.module.transform(red, op.replace(op.defaults(), enabled=True, red=100.0))
    darker = op.module.transform(red, op.replace(op.defaults(), enabled=True, red=-100.0))
    assert lighter[0] > darker[0] + 0.2


def test_bw_mix_toning_tints_the_midtones_with_the_tone_hue():
    op = ops.get("bw_mix")
    p = op.replace(op.defaults(), enabled=True, tone_hue=60.0, tone_amount=100.0)
    out = op.module.transform(np.array([0.5, 0.5, 0.5]), p)
    assert out[0] > out[2] + 0.03  # a warm (yellow-orange) tone
    black = op.module.transform(np.array([0.0, 0.0, 0.0]), p)
    assert np.ptp(black) < 1e-6


# --- spatial ---------------------------------------------------------------------------------------

def test_vignette_darkens_corners_not_centre():
    src = flat((160, 160, 160), size=(60, 90))
    out = rendered(Edit().update("vignette", amount=-80.0), src)
    assert abs(out[30, 45, 0] - 160) <= 1
    assert out[0, 0, 0] < 120 and out[-1, -1, 0] < 120
    light = rendered(Edit().update("vignette", amount=80.0), src)
    assert light[0, 0, 0] > 200 and abs(light[30, 45, 0] - 160) <= 1


def test_vignette_on_16_bit_keeps_format_and_interpretation():
    src = flat((30000, 30000, 30000), size=(20, 30), dtype=np.uint16)
    out = vignette.build(src, vignette.Params(amount=-50.0), CTX)
    assert (out.format, out.interpretation, out.bands) == ("ushort", "rgb16", 3)
    assert pixels(out)[0, 0, 0] < 25000


def _grain_source():
    ramp = np.linspace(30, 225, 96)
    return image(np.stack([ramp] * 3, axis=-1)[None].repeat(64, axis=0).round().astype(np.uint8))


def test_grain_is_reproducible_for_a_seed_and_differs_between_seeds():
    src = _grain_source()
    p = grain.Params(amount=60.0)
    a = pixels(grain.build(src, p, RenderContext(1.0, seed=11)))
    b = pixels(grain.build(src, p, RenderContext(1.0, seed=11)))
    c = pixels(grain.build(src, p, RenderContext(1.0, seed=12)))
    assert np.array_equal(a, b)
    assert np.abs(a - c).mean() > 2.0


def test_grain_preserves_mean_brightness_and_is_luminance_only():
    src = flat((128, 128, 128), size=(256, 256))
    base = pixels(src)
    # Pixel-fine grain: the mean of 65536 independent samples must stay within 0.3 levels (a
    # truncating cast would shift it by 0.5).
    fine = pixels(grain.build(src, grain.Params(amount=100.0, size=0.0, roughness=100.0), RenderContext(1.0, 3)))
    assert abs(fine.mean() - base.mean()) < 0.3
    assert (fine - base).std() > 10.0
    assert np.array_equal(fine[..., 0] - base[..., 0], fine[..., 2] - base[..., 2])
    coarse = pixels(grain.build(src, grain.Params(amount=100.0, size=50.0), RenderContext(1.0, 3)))
    assert abs(coarse.mean() - base.mean()) < 0.6


def test_grain_is_stronger_in_midtones_than_near_black():
    arr = np.zeros((64, 64, 3), dtype=np.uint8)
    arr[:, :32] = 10
    arr[:, 32:] = 128
    out = pixels(grain.build(image(arr), grain.Params(amount=80.0), RenderContext(1.0, seed=5)))
    assert out[:, 32:, 0].std() > 3 * out[:, :32, 0].std()


def test_grain_size_scales_with_render_scale():
    # Grain of the same size is finer and weaker in a smaller (preview) render.
    p = grain.Params(amount=100.0, size=100.0, roughness=0.0)
    full = grain.noise(200, 200, p, 1.0, 1).numpy()
    small = grain.noise(200, 200, p, 0.05, 1).numpy()
    assert full.std() == pytest.approx(1.0, abs=0.15)
    assert small.std() < 0.6
    lag = lambda n: np.corrcoef(n[:, :-2].ravel(), n[:, 2:].ravel())[0, 1]  # noqa: E731
    assert lag(full) > 0.5 > lag(small)


def _edge_source():
    arr = np.full((32, 32, 3), 80, dtype=np.uint8)
    arr[:, 16:] = 170
    return image(arr)


def test_sharpening_increases_edge_contrast():
    src = _edge_source()
    out = pixels(sharpening.build(src, sharpening.Params(amount=100.0, radius=1.5), CTX))
    assert out[16, 15, 0] < 80 - 5 and out[16, 16, 0] > 170 + 5  # overshoot on both sides
    assert np.array_equal(out[:, :10], pixels(src)[:, :10])  # far from the edge nothing changes


def test_sharpening_with_masking_leaves_fine_noise_alone():
    rng = np.random.default_rng(2)
    arr = np.clip(np.full((32, 32, 3), 120.0) + rng.normal(0, 1.0, (32, 32, 1)), 0, 255).astype(np.uint8)
    arr[:, 16:] += 60
    src = image(arr)
    plain = pixels(sharpening.build(src, sharpening.Params(amount=150.0, detail=100.0), CTX))
    masked = pixels(sharpening.build(src, sharpening.Params(amount=150.0, detail=100.0, masking=80.0), CTX))
    flat_area = np.s_[4:28, 2:10, 0]
    base = pixels(src)[flat_area]
    assert np.abs(masked[flat_area] - base).mean() < 0.5 * np.abs(plain[flat_area] - base).mean()
    assert masked[16, 16, 0] > base.mean() + 60 + 3  # the edge is still sharpened


@pytest.mark.parametrize("radius", [1.0, 2.5])  # a 3x3 high-pass kernel, and a separable blur
def test_sharpening_lookup_matches_the_float_formula(radius):
    arr = (np.random.default_rng(5).random((40, 48, 3)) * 255).astype(np.uint8)
    src = image(arr).cast("float")
    p = sharpening.Params(amount=120.0, radius=radius, detail=40.0)
    out = sharpening.build(src, p, CTX).numpy().astype(np.float64)
    luma = src.recomb(pyvips.Image.new_from_array([[0.2126, 0.7152, 0.0722]]))
    d = (luma - luma.gaussblur(radius, precision="float")).numpy().astype(np.float64)
    ref = arr + sharpening._adjust(d, p.amount, p.detail, 255.0)[..., None]
    assert np.abs(out - ref).max() < 0.05  # levels


def _photo_like(h: int = 64, w: int = 80) -> np.ndarray:
    """Soft gradients, hard edges and fine noise, uint8: what sharpening meets in a photo."""
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    rgb = np.stack([40 + 150 * x, 60 + 120 * y, 200 - 150 * x * y], axis=-1)
    rgb[(x > 0.5) & (y < 0.5)] = (230, 220, 200)  # a hard-edged bright block
    rgb[(x - 0.3) ** 2 + (y - 0.7) ** 2 < 0.02] = (20, 25, 30)  # a dark disc
    rgb += np.random.default_rng(8).normal(0, 3.0, (h, w, 1))
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("amount, detail, worst", [(40.0, 25.0, 1.0), (100.0, 25.0, 2.0), (60.0, 50.0, 2.0),
                                                   (150.0, 0.0, 2.0)])
def test_sharpening_of_8_bit_images_by_integer_convolution_is_within_a_level_of_the_float_path(amount, detail, worst):
    arr = _photo_like()
    p = sharpening.Params(amount=amount, radius=1.0, detail=detail)
    assert sharpening._integer_steps(amount, detail)[1] <= sharpening._MAX_INTEGER_ERROR  # the integer path
    fast = pixels(sharpening.build(image(arr), p, CTX))
    # the float path, as 16-bit images take it, scaled back to 8 bits
    wide = image(arr.astype(np.uint16) * 257)
    exact = sharpening.build(wide, p, CTX).numpy().astype(np.float64) / 257.0
    err = np.abs(fast - exact)
    assert np.abs(fast - arr).max() >= 7  # it does sharpen
    # measured: max 0.85 / 1.6 / 1.7 / 1.7, mean 0.26 / 0.40 / 0.52 / 0.44 (rounding to 8 bits alone: 0.24)
    assert err.max() <= worst and err.mean() < 0.6, (err.max(), err.mean())


def test_8_bit_luminance_by_integer_convolution_is_within_three_levels_of_the_float_one():
    from editor.core.ops import spatial
    arr = (np.random.default_rng(4).random((40, 56, 3)) * 256).astype(np.uint8)
    arr[0, :3] = [(255, 255, 255), (0, 0, 0), (255, 0, 0)]
    fast = spatial.luminance(image(arr), exact=False)
    exact = spatial.luminance(image(arr)).numpy().astype(np.float64)
    assert (fast.format, fast.width, fast.height, fast.bands) == ("uchar", 56, 40, 1)
    err = np.abs(fast.numpy() - exact)
    # weights within 0.01 (at most 2.4 levels for saturated colours) and rounded: random colours are
    # the worst case (measured max 2.5, mean 0.75; on a photo 1.75 and 0.35); greys are exact
    assert err.max() <= 3.0 and err.mean() < 1.0, (err.max(), err.mean())
    grey = np.repeat(arr[..., :1], 3, axis=2)
    assert np.array_equal(spatial.luminance(image(grey), exact=False).numpy(), grey[..., 0])
    assert list(fast.numpy()[0, :3]) == [255, 0, 52]  # white stays white; red weighs 13/64
    assert spatial.luminance(image(arr.astype(np.uint16) * 257), exact=False).format == "float"


def test_integer_sharpening_leaves_flat_areas_exactly_alone():
    arr = np.full((24, 24, 3), 97, dtype=np.uint8)
    arr[:, 12:] = (200, 180, 160)
    out = pixels(sharpening.build(image(arr), sharpening.Params(amount=80.0), CTX))
    assert np.array_equal(out[:, :9], arr[:, :9]) and np.array_equal(out[:, 15:], arr[:, 15:])
    assert out[5, 11, 0] < 97 - 3 and out[5, 12, 0] > 200 + 3


def test_strong_or_high_detail_sharpening_takes_the_float_path():
    # Those settings would lose more than the allowed error to 8-bit clipping or rounding.
    assert sharpening._integer_steps(150.0, 100.0)[1] > sharpening._MAX_INTEGER_ERROR
    arr = _photo_like()
    p = sharpening.Params(amount=150.0, detail=100.0)
    fast = pixels(sharpening.build(image(arr), p, CTX))
    luma = image(arr).recomb(pyvips.Image.new_from_array([[0.2126, 0.7152, 0.0722]]))
    d = (luma - luma.gaussblur(1.0, precision="float")).numpy().astype(np.float64)
    ref = np.clip(np.rint(arr + sharpening._adjust(d, p.amount, p.detail, 255.0)[..., None]), 0, 255)
    assert np.abs(fast - ref).max() <= 1.0


def test_sharpening_radius_below_a_pixel_in_a_small_preview_is_a_no_op():
    src = _edge_source()
    out = sharpening.build(src, sharpening.Params(amount=100.0, radius=1.0), RenderContext(scale=0.1))
    assert np.array_equal(pixels(out), pixels(src))


# --- geometry --------------------------------------------------------------------------------------

def test_crop_output_size_matches_params():
    src = flat((100, 100, 100), size=(40, 60))
    p = crop.Params(left=0.25, top=0.1, width=0.5, height=0.5)
    out = crop.build(src, p, CTX)
    assert (out.width, out.height) == (30, 20) == crop.output_size(60, 40, p)
    turned = crop.build(src, crop.Params(rotate90=1), CTX)
    assert (turned.width, turned.height) == (40, 60) == crop.output_size(60, 40, crop.Params(rotate90=1))


def test_crop_picks_the_right_region():
    arr = np.zeros((40, 60, 3), dtype=np.uint8)
    arr[20:, 30:] = 200
    out = pixels(crop.build(image(arr), crop.Params(left=0.5, top=0.5, width=0.5, height=0.5), CTX))
    assert out.shape == (20, 30, 3) and np.all(out == 200)


def test_straighten_rotates_content_and_crops_inside_the_frame():
    arr = np.full((80, 120, 3), 100, dtype=np.uint8)
    arr[38:42, :] = 250  # a horizontal line through the middle
    p = crop.Params(angle=10.0)
    out = pixels(crop.build(image(arr), p, CTX))
    w, h = crop.output_size(120, 80, p)
    assert abs(out.shape[1] - w) <= 1 and abs(out.shape[0] - h) <= 1
    assert out.shape[1] < 120 and out.shape[1] / out.shape[0] == pytest.approx(1.5, abs=0.05)
    assert min(out[0, 0, 0], out[0, -1, 0], out[-1, 0, 0], out[-1, -1, 0]) >= 95  # no black corners
    assert out.min() >= 80
    bright = np.argwhere(out[..., 0] > 200)
    slope = np.polyfit(bright[:, 1], bright[:, 0], 1)[0]
    assert abs(abs(np.degrees(np.arctan(slope))) - 10.0) < 1.5


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_full_edit_keeps_format_interpretation_and_bands(dtype):
    top = 255 if dtype == np.uint8 else 65535
    arr = (np.random.default_rng(9).random((24, 32, 3)) * top).astype(dtype)
    src = image(arr)
    edit = Edit()
    for name, change in CHANGES.items():
        if name != "lut3d":
            edit = edit.update(name, **change)
    out = render(src, edit, CTX)
    assert (out.format, out.interpretation, out.bands) == (src.format, src.interpretation, 3)
    assert out.numpy().shape[2] == 3


def test_fused_evaluate_matches_the_operations_run_one_by_one():
    rgb = colour_patch()
    edit = (Edit().update("exposure", exposure_ev=0.3).update("contrast", contrast=20.0)
            .update("saturation", saturation=-20.0).update("hsl", orange_hue=30.0))
    steps = tuple(fused.Step(op, p) for op, p in edit.active())
    x = np.linspace(0.0, 1.0, fused.CURVE_SIZE)
    ref = rgb
    for step in steps:
        if step.op.kind == "channel":
            c = step.op.module.curves(x, step.params)
            ref = np.stack([np.interp(ref[:, i], x, c[i]) for i in range(3)], axis=-1)
        else:
            ref = step.op.module.transform(ref, step.params)
        ref = np.clip(ref, 0.0, 1.0)
    assert np.abs(fused.evaluate(rgb, steps) - ref).max() < 1e-3


def test_vignette_mask_from_the_lookup_table_matches_the_exact_mask():
    for p in (vignette.Params(amount=-30.0), vignette.Params(amount=30.0, roundness=-80.0, feather=10.0),
              vignette.Params(amount=-100.0, midpoint=0.0, feather=100.0, roundness=-100.0),  # by distance
              vignette.Params(amount=-100.0, midpoint=100.0, feather=0.0, roundness=100.0)):
        fast = vignette.mask(1200, 800, p).numpy()
        exact = vignette._mask(1200, 800, pyvips.Image.xyz(1200, 800).cast("float"), p).numpy()
        assert fast.shape == exact.shape and np.abs(fast - exact).max() < 0.002
        assert np.abs(fast - exact).mean() < 1e-4


@pytest.mark.parametrize("amount, feather, block", [(-10.0, 50.0, 4), (-20.0, 50.0, 2), (-100.0, 0.0, 1)])
def test_export_sized_vignette_shares_its_index_in_blocks_only_where_the_gain_stays_put(amount, feather, block):
    width, height = 4800, 3200  # above the preview size, where the index is not held in memory
    p = vignette.Params(amount=amount, feather=feather)
    lum = pyvips.Image.black(width, height)
    gain = vignette.affine(lum, p, RenderContext(1.0, white=255.0))[0]
    assert vignette._block(width, height, abs(amount) / 100, p.midpoint, p.feather, p.roundness) == block
    per_pixel = vignette._index(width, height, p).maplut(gain.table(1, 0.0))
    error = (gain.image() - per_pixel).abs().max()
    assert error <= vignette._MAX_BLOCK_ERROR if block > 1 else error == 0.0
    corner, centre = gain.image().getpoint(0, 0)[0], gain.image().getpoint(width // 2, height // 2)[0]
    assert corner == pytest.approx(1.0 + amount / 100, abs=0.01) and centre == 1.0


def test_grain_accepts_any_photo_seed():
    src = _grain_source()
    for seed in (0, 2**31 - 1, 2**40 + 5, -3):
        out = grain.build(src, grain.Params(amount=50.0), RenderContext(1.0, seed=seed))
        assert pixels(out).shape == (64, 96, 3)


def test_export_sized_grain_repeats_one_cached_plate():
    p = grain.Params(amount=100.0, size=30.0)
    big = grain._noise_index(2500, 2000, p.size, p.roughness, 1.0, 9).numpy()
    tile = grain._TILE
    assert big.shape == (2000, 2500)
    np.testing.assert_array_equal(big[:900, :900], big[tile:tile + 900, tile:tile + 900])
    assert np.all(big % 256 == 0)  # the low byte is left for the luminance bin
    noise = (big // 256 - 128.0) / grain._NOISE_STEPS
    assert abs(float(noise.std()) - 1.0) < 0.1  # still unit-strength noise before the amount is applied
    assert abs(float(noise.mean())) < 0.02
    # Another photo (seed) gets the same plate at another offset: made once for a whole batch.
    other = grain._noise_index(2500, 2000, p.size, p.roughness, 1.0, 9 + 3 * tile + 5).numpy()
    assert not np.array_equal(big, other)
    np.testing.assert_array_equal(other[:1990, :2490], big[3:1993, 5:2495])


# --- clarity, texture, dehaze, parametric curve --------------------------------------------------------

def sine_image(width: int, period: float, base: float = 128.0, amplitude: float = 20.0, rows: int = 64):
    """A grey image whose value varies as a sine along x (8-bit working space)."""
    x = np.arange(width)
    row = base + amplitude * np.sin(2 * np.pi * x / period)
    return image(np.repeat(np.rint(row)[None, :, None], rows, axis=0).repeat(3, axis=2).astype(np.uint8))


def amplitude(arr: np.ndarray) -> float:
    """Half the peak-to-peak swing of the middle row and columns (edges excluded)."""
    row = arr[arr.shape[0] // 2, arr.shape[1] // 8: -arr.shape[1] // 8, 0]
    return (np.percentile(row, 99) - np.percentile(row, 1)) / 2


@pytest.mark.parametrize("name", ["clarity", "texture", "dehaze", "parametric_curve"])
def test_new_operations_at_zero_add_nothing_to_the_render(name):
    src = image((np.random.default_rng(5).random((20, 24, 3)) * 255).astype(np.uint8))
    edit = Edit().update(name, **{ops.get(name).specs[0].name: 0.0})
    assert edit.active() == [] and render(src, edit, CTX) is src


@pytest.mark.parametrize("amount, low, high", [(100.0, 1.3, 2.2), (50.0, 1.15, 1.6), (-100.0, 0.0, 0.5)])
def test_clarity_scales_large_scale_local_contrast_in_the_midtones(amount, low, high):
    # 640 px wide: clarity's blur sigma is 5 px, a 12 px period is local detail to it
    src = sine_image(640, 12.0)
    before = amplitude(pixels(src))
    after = amplitude(rendered(Edit().update("clarity", amount=amount), src))
    assert low <= after / before <= high


def test_clarity_leaves_black_white_and_flat_areas_alone_and_keeps_colour():
    arr = np.zeros((40, 200, 3), np.uint8)
    arr[:, 50:100] = 255
    arr[:, 100:150] = (200, 120, 60)
    out = rendered(Edit().update("clarity", amount=100.0), image(arr))
    assert np.array_equal(out[:, :30], arr[:, :30]) and np.array_equal(out[:, 60:90], arr[:, 60:90])
    middle = out[:, 118:132].reshape(-1, 3)
    assert np.abs(middle - (200, 120, 60)).max() <= 1  # flat inside a patch wider than the radius
    edge = out[20, 100:104] - arr[20, 100:104]  # a lightened or darkened rim: R, G, B move alike
    assert np.abs(edge - edge[:, :1]).max() <= 1


def test_texture_acts_on_fine_detail_and_leaves_broad_tones_alone():
    fine, broad = sine_image(400, 6.0), sine_image(400, 160.0)
    up = Edit().update("texture", amount=100.0)
    assert amplitude(rendered(up, fine)) / amplitude(pixels(fine)) >= 1.3
    assert amplitude(rendered(Edit().update("texture", amount=-100.0), fine)) / amplitude(pixels(fine)) <= 0.6
    assert np.abs(rendered(up, broad) - pixels(broad))[:, 20:-20].max() <= 1.5


def test_texture_in_a_small_preview_where_its_detail_is_below_a_pixel_is_a_no_op():
    src = sine_image(100, 6.0)
    out = render(src, Edit().update("texture", amount=100.0), RenderContext(scale=0.1))
    assert np.array_equal(pixels(out), pixels(src))


def hazy(width: int = 480, height: int = 240) -> np.ndarray:
    """Left: dark contrasty ground; right: a bright, flat, hazy region with faint texture."""
    rng = np.random.default_rng(11)
    arr = np.empty((height, width, 3))
    arr[:, : width // 2] = rng.uniform(10, 120, (height, width // 2, 1))
    x = np.arange(width - width // 2)
    arr[:, width // 2:] = 190 + 8 * np.sin(2 * np.pi * x / 10)[None, :, None] + np.array([0.0, 4.0, 10.0])
    return np.rint(arr).astype(np.uint8)


def test_dehaze_deepens_and_adds_contrast_to_hazy_regions_and_spares_dark_ones():
    arr = hazy()
    out = rendered(Edit().update("dehaze", amount=100.0), image(arr))
    haze, ground = (slice(None), slice(300, 460)), (slice(None), slice(20, 200))
    assert out[haze].mean() < arr[haze].mean() - 25  # the veil comes off
    assert out[haze][..., 0].std() > 1.4 * arr[haze][..., 0].std()  # its texture shows
    blue_minus_red = lambda a: (a[haze][..., 2] - a[haze][..., 0]).mean()  # noqa: E731
    assert blue_minus_red(out) > 1.4 * blue_minus_red(arr)  # and its colour
    # the dark, contrasty ground changes far less (the box-averaged dark channel still sees some haze)
    assert arr[ground].mean() - out[ground].mean() < 0.6 * (arr[haze].mean() - out[haze].mean())
    gain = lambda region: out[region][..., 0].std() / arr[region][..., 0].std()  # noqa: E731
    assert gain(ground) < gain(haze) - 0.3
    white = rendered(Edit().update("dehaze", amount=100.0), flat((255, 255, 255), (40, 40)))
    assert white.min() >= 254


def test_the_luminance_after_dehaze_stays_8_bit_and_is_its_gain_and_offset_rounded():
    # Later operations (sharpening, grain) read the luminance after dehaze: an 8-bit one is looked up from
    # (luminance, dark-channel index) in one table, not recomputed in float by each reader.
    from editor.core.ops import dehaze, spatial
    lum = spatial.luminance(image(np.repeat(np.repeat(hazy(400, 300), 4, axis=0), 4, axis=1)), exact=False)
    ctx = RenderContext(1.0, 1, white=255.0)
    for amount in (60.0, -80.0):
        gain, offset = dehaze.affine(lum, dehaze.Params(amount), ctx)
        assert gain.block == 4  # 1600 x 1200: per-block gains, enlarged in the lookup's index
        out = spatial.transform(lum, gain, offset)
        plane = lambda part: spatial.image_of(part).numpy().astype(np.float64)  # noqa: E731
        ref = np.clip(np.rint(plane(lum) * plane(gain) + plane(offset)), 0, 255)
        assert out.format == "uchar" and np.array_equal(plane(out), ref)
        assert np.abs(plane(out) - plane(lum)).mean() > 5  # it does change the luminance


def test_negative_dehaze_adds_a_bright_veil():
    arr = hazy()
    out = rendered(Edit().update("dehaze", amount=-100.0), image(arr))
    assert out.mean() > arr.mean() + 20 and out[:, 20:200].std() < 0.8 * arr[:, 20:200].std()


@pytest.mark.parametrize("name, change", [("clarity", dict(amount=80.0)), ("dehaze", dict(amount=80.0)),
                                          ("texture", dict(amount=80.0))])
def test_spatial_looks_the_same_in_a_preview_and_in_the_export_downsized(name, change):
    full = image(np.repeat(hazy(960, 480), 1, axis=0))
    edit = Edit().update(name, **change)
    exported = render(full, edit, RenderContext(scale=1.0)).resize(0.25, kernel="linear")
    preview = render(full.resize(0.25, kernel="linear").cast("uchar"), edit, RenderContext(scale=0.25))
    diff = np.abs(pixels(exported) - pixels(preview))[4:-4, 4:-4]
    assert diff.mean() < 2.0


def test_parametric_curve_moves_each_zone_by_its_slider():
    from editor.core.ops import parametric_curve as pc
    x = np.array([0.0, 0.125, 0.375, 0.625, 0.875, 1.0])
    for zone, i in zip(pc.ZONES, range(1, 5)):
        y = pc.curves(x, pc.Params(**{zone: 100.0}))[0]
        assert y[0] == 0.0 and y[-1] == pytest.approx(1.0)
        assert y[i] - x[i] == pytest.approx(0.1, abs=1e-9)  # 40 % of the 25 % zone at +100
        others = [j for j in range(1, 5) if j != i]
        assert all(y[j] - x[j] < y[i] - x[i] for j in others)
    down = pc.curves(x, pc.Params(highlights=-100.0))[0]
    assert down[4] == pytest.approx(0.775)


def test_parametric_curve_splits_move_the_zones_and_the_curve_stays_monotone():
    from editor.core.ops import parametric_curve as pc
    x = np.linspace(0.0, 1.0, 1001)
    wide = pc.curves(x, pc.Params(shadows=100.0, shadow_split=60.0))[0]
    narrow = pc.curves(x, pc.Params(shadows=100.0, shadow_split=20.0))[0]
    assert wide[400] - 0.4 > narrow[400] - 0.4 + 0.05
    for p in (pc.Params(shadows=100.0, darks=-100.0, lights=100.0, highlights=-100.0),
              pc.Params(shadows=-100.0, darks=100.0, lights=-100.0, highlights=100.0, shadow_split=70.0,
                        midtone_split=20.0, highlight_split=30.0)):
        y = pc.curves(x, p)[0]
        assert np.all(np.diff(y) >= -1e-12) and y[0] == 0.0 and y[-1] == pytest.approx(1.0)


def test_clarity_and_dehaze_stream_a_large_sequential_source(tmp_path):
    # Export reads the photo top to bottom once (access="sequential"); clarity and dehaze read hundreds of
    # rows ahead, so the colour result is held in memory instead of being read back from the file.
    path = tmp_path / "big.jpg"
    flat_rows = np.linspace(40, 220, 1800)[:, None, None] * np.ones((1, 2400, 3))
    image(np.rint(flat_rows).astype(np.uint8)).jpegsave(str(path), Q=90)
    source = pyvips.Image.new_from_file(str(path), access="sequential")
    edit = Edit().update("clarity", amount=50.0).update("dehaze", amount=40.0).update("saturation", saturation=5.0)
    out = render(source, edit, RenderContext(scale=1.0))
    assert out.width == 2400 and len(out.write_to_buffer(".jpg[Q=80]")) > 1000


@pytest.mark.parametrize("name", ["clarity", "texture", "dehaze"])
def test_the_8_bit_integer_path_matches_the_16_bit_float_path(name):
    arr8 = hazy(480, 240)
    arr8[:, 240:] = np.rint(190 + 12 * np.sin(2 * np.pi * np.arange(240) / 9))[None, :, None]
    out8 = rendered(Edit().update(name, amount=70.0), image(arr8))
    out16 = rendered(Edit().update(name, amount=70.0), image(arr8.astype(np.uint16) * 257)) / 257
    diff = np.abs(out8 - out16)[8:-8, 8:-8]
    assert diff.mean() < 1.0 and np.percentile(diff, 99) < 4.0


def test_dehaze_on_a_large_image_looks_up_4x4_blocks_and_matches_the_float_path():
    # from ~1100 px on the 8-bit dark channel stays at a quarter of the size (in memory) and its gain and
    # offset are looked up per 4x4 block: no blocks may show against the 16-bit float path
    from editor.core.ops import dehaze, spatial
    arr8 = np.repeat(np.repeat(hazy(760, 350), 4, axis=0), 4, axis=1)  # 3040 x 1400, above preview size
    index, block = dehaze.dark_channel8(image(arr8[..., :1].copy()))
    assert block == 4 and index.width == 760
    # with a vignette, whose gain is per block too: the two gains multiply per block (spatial.Blocks)
    edit = Edit().update("dehaze", amount=70.0).update("vignette", amount=-10.0)  # its blocks: 2 px
    assert isinstance(spatial.compose(*(ops.get(n).module.affine(
        spatial.luminance(image(arr8), exact=False), edit[n], CTX) for n in ("dehaze", "vignette")))[0], spatial.Blocks)
    out8 = rendered(edit, image(arr8))
    out16 = rendered(edit, image(arr8.astype(np.uint16) * 257)) / 257
    diff = np.abs(out8 - out16)[16:-16, 16:-16]
    assert diff.mean() < 1.0 and np.percentile(diff, 99) < 4.0
    rows = out8[600:800, 2000:2600, 0].astype(float).mean(axis=1)  # the flat hazy half, mid rows
    assert np.abs(np.diff(rows)).max() < 1.0  # no steps between block rows


def test_local_contrast_acts_on_the_photo_before_the_colour_transform():
    # Lightroom applies its Presence controls (clarity, texture, dehaze) to the scene before tone and
    # colour: a look's saturation or B&W mix then works on the clarified photo, not the other way round
    src = image(hazy(240, 120))
    local = Edit().update("clarity", amount=60.0).update("dehaze", amount=40.0)
    look = Edit().update("exposure", exposure_ev=0.5).update("saturation", saturation=-60.0)
    both = local.update("exposure", exposure_ev=0.5).update("saturation", saturation=-60.0)
    first_local = render(render(src, local, CTX).copy_memory(), look, CTX)
    assert np.array_equal(rendered(both, src), pixels(first_local))
    first_look = render(render(src, look, CTX).copy_memory(), local, CTX)
    assert np.abs(rendered(both, src) - pixels(first_look)).max() > 3


def test_a_colour_slider_change_reuses_the_previews_local_contrast(monkeypatch):
    from editor.core.ops import clarity
    calls = []
    real = clarity.affine
    monkeypatch.setattr(clarity, "affine", lambda *a: calls.append(1) or real(*a))
    src = image(hazy(240, 120))
    edit = Edit().update("clarity", amount=50.0)
    loupe = RenderContext(scale=1.0, seed=1, interactive=True)
    for ev in (0.1, 0.2, 0.3):  # dragging exposure: clarity's work is done once
        out = rendered(edit.update("exposure", exposure_ev=ev), src, loupe)
    assert len(calls) == 1
    assert np.array_equal(out, rendered(edit.update("exposure", exposure_ev=0.3), image(hazy(240, 120)), loupe))
    assert len(calls) == 2  # another photo (source) is rendered afresh
    rendered(edit.update("clarity", amount=51.0), src, loupe)  # and so is a change of clarity itself
    assert len(calls) == 3
    rendered(edit.update("clarity", amount=51.0), src)  # a render that is not the loupe's keeps nothing
    rendered(edit.update("clarity", amount=51.0), src)
    assert len(calls) == 5


@pytest.mark.parametrize("sixteen", [False, True])
def test_a_local_contrast_slider_moving_reuses_the_analyses_that_do_not_depend_on_it(monkeypatch, sixteen):
    # dragging clarity: its blur and dehaze's dark channel stay; dragging dehaze (which comes first and
    # changes the luminance clarity reads): clarity's blur is made again
    from editor.core.ops import clarity, dehaze
    made = []
    for module in (clarity, dehaze):
        monkeypatch.setattr(module, "analyse", lambda *a, m=module, real=module.analyse: made.append(m.NAME)
                            or real(*a))
    photo = (lambda: image(hazy(240, 120).astype(np.uint16) * 257)) if sixteen else (lambda: image(hazy(240, 120)))
    src = photo()
    loupe = RenderContext(scale=1.0, seed=1, interactive=True)
    edit = Edit().update("dehaze", amount=30.0).update("texture", amount=40.0)
    for amount in (20.0, 21.0, 22.0):
        out = rendered(edit.update("clarity", amount=amount), src, loupe)
    assert sorted(made) == ["clarity", "dehaze"]
    fresh = rendered(edit.update("clarity", amount=22.0), photo())
    assert np.array_equal(out, fresh)  # the kept analyses give the very same pixels
    made.clear()
    rendered(edit.update("clarity", amount=22.0).update("dehaze", amount=31.0), src, loupe)
    assert made == ["clarity"]  # dehaze's own analysis does not depend on its amount
