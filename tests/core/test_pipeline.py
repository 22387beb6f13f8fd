"""The render pipeline: point-wise ops match the float reference; a preview looks like the export downsized."""
from __future__ import annotations

import numpy as np
import pytest
import pyvips

from editor.core import colour, fused, ops
from editor.core.ops import spatial
from editor.core.edit import Edit
from editor.core.pipeline import RenderContext, render


def image(arr: np.ndarray) -> pyvips.Image:
    return pyvips.Image.new_from_array(arr).copy(interpretation="rgb16" if arr.dtype == np.uint16 else "srgb")


def scene(h: int = 192, w: int = 256) -> np.ndarray:
    """A synthetic photo: a sky-to-ground gradient, a warm disc and a dark bar with soft (lens-like)
    edges, uint8."""
    y, x = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    rgb = np.stack([0.3 + 0.4 * y, 0.45 + 0.2 * y, 0.85 - 0.5 * y], axis=-1)
    disc = (x - 0.65) ** 2 + (y - 0.45) ** 2 < 0.04
    rgb[disc] = (0.85, 0.6, 0.45)
    rgb[(y > 0.75) & (y < 0.85) & (x > 0.1) & (x < 0.5)] = (0.12, 0.1, 0.08)
    sharp = pyvips.Image.new_from_array(np.round(rgb * 255).astype(np.uint8))
    return sharp.gaussblur(h / 80).numpy()


def colour_edit() -> Edit:
    return (Edit().update("white_balance", temperature=-15.0).update("exposure", exposure_ev=0.4)
            .update("contrast", contrast=30.0).update("highlights_shadows", highlights=-30.0, shadows=25.0)
            .update("vibrance", vibrance=30.0).update("hsl", orange_saturation=-20.0, blue_hue=-20.0)
            .update("color_grading", shadows_hue=200.0, shadows_sat=30.0, highlights_hue=45.0,
                    highlights_sat=20.0))


def test_render_of_a_gradient_matches_the_float_reference():
    arr = scene()
    edit = colour_edit()
    out = render(image(arr), edit).numpy().astype(np.float64)
    steps = tuple(fused.Step(op, p) for op, p in edit.active())
    ref = fused.evaluate(arr / 255.0, steps) * 255.0
    err = np.abs(out - ref)
    assert err.mean() < 0.5 and np.percentile(err, 99.9) < 2.0


def test_render_of_a_16_bit_gradient_matches_the_float_reference():
    arr = (scene().astype(np.uint16) * 257)
    edit = colour_edit().update("bw_mix", enabled=True, orange=40.0, tone_hue=50.0, tone_amount=30.0)
    out = render(image(arr), edit).numpy().astype(np.float64) / 65535.0
    steps = tuple(fused.Step(op, p) for op, p in edit.active())
    err = np.abs(out - fused.evaluate(arr / 65535.0, steps)) * 255.0
    assert err.mean() < 0.3 and np.percentile(err, 99.9) < 2.5  # measured ≈ 0.18 and 1.7 (max ≈ 2.8)


def delta_e_ok(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """OkLab distance ×100 (≈ a just noticeable difference per unit) between sRGB 0..255 images."""
    return np.linalg.norm(colour.srgb_to_oklab(a / 255.0) - colour.srgb_to_oklab(b / 255.0), axis=-1) * 100


def test_preview_matches_export_downsized():
    arr = scene(384, 512)
    full_src = image(arr)
    factor = 4
    small_src = full_src.resize(1 / factor)  # what shrink-on-load gives the preview
    edit = (colour_edit().update("crop", angle=4.0, left=0.05, top=0.05, width=0.9, height=0.9)
            .update("sharpening", amount=80.0, radius=1.5).update("vignette", amount=-50.0))
    export = render(full_src, edit, RenderContext(scale=1.0, seed=7))
    preview = render(small_src, edit, RenderContext(scale=1 / factor, seed=7))
    assert abs(preview.width - export.width / factor) <= 1 and abs(preview.height - export.height / factor) <= 1
    assert preview.height < arr.shape[0] * 0.9 / factor  # cropped and straightened like the export
    export_small = export.resize(1 / factor)  # same pixel grid as the preview, sizes may differ by one
    h, w = min(preview.height, export_small.height), min(preview.width, export_small.width)
    a = export_small.numpy().astype(np.float64)[2:h - 2, 2:w - 2]  # resampling differs at the very border
    b = preview.numpy().astype(np.float64)[2:h - 2, 2:w - 2]
    de = delta_e_ok(a, b)
    assert np.abs(a - b).mean() < 1.0  # measured ≈ 0.6
    assert de.mean() < 0.5 and np.percentile(de, 99) < 3.0  # measured ≈ 0.26 and 1.9
    # vignette and colour are in the same places: compare corner and centre brightness
    for part in (np.s_[:8, :8], np.s_[-8:, -8:], np.s_[40:50, 60:70]):
        assert abs(a[part].mean() - b[part].mean()) < 3.0


def test_preview_grain_is_as_strong_as_the_export_grain_downsized():
    src = image(np.full((256, 256, 3), 128, dtype=np.uint8))
    small = src.shrink(4, 4)
    for size, roughness in ((30.0, 0.0), (80.0, 50.0), (10.0, 100.0)):
        edit = Edit().update("grain", amount=30.0, size=size, roughness=roughness)
        export = render(src, edit, RenderContext(1.0, seed=7)).cast("float").shrink(4, 4).numpy() - 128.0
        preview = render(small, edit, RenderContext(0.25, seed=7)).numpy().astype(np.float64) - 128.0
        assert preview.std() > 1.0
        assert abs(preview.std() / export.std() - 1.0) < 0.15
        assert abs(preview.mean()) < 0.3


def test_render_is_lazy_and_reproducible():
    src = image(scene(64, 96))
    edit = colour_edit().update("grain", amount=50.0)
    first = render(src, edit, RenderContext(seed=3))
    assert isinstance(first, pyvips.Image)
    again = render(src, edit, RenderContext(seed=3)).numpy()
    assert np.array_equal(first.numpy(), again)


def test_draft_render_is_close_to_the_final_render():
    from editor.core.pipeline import RenderContext, render
    ramp = np.linspace(0, 255, 64)
    r, g = np.meshgrid(ramp, ramp)
    arr = np.stack([r, g, np.flipud(r)], axis=-1).astype(np.uint8)
    source = pyvips.Image.new_from_array(arr).copy(interpretation="srgb")
    edit = Edit().update("saturation", saturation=40.0).update("hsl", blue_hue=30.0, red_saturation=-40.0)
    final = render(source, edit, RenderContext()).numpy().astype(float)
    draft = render(source, edit, RenderContext(draft=True)).numpy().astype(float)
    assert np.abs(final - draft).mean() < 1.5  # 8-bit levels
    assert not np.array_equal(final, draft)  # it really is the coarser table


@pytest.mark.parametrize("radius", [1.5, 1.0])  # sharpening's float path and its 8-bit integer path
def test_spatial_stage_in_one_step_matches_the_operations_applied_one_after_another(radius):
    arr = scene()
    src = image(arr)
    ctx = RenderContext(scale=1.0, seed=4)
    one = RenderContext(1.0, 4, white=255.0)
    module = {name: ops.BY_NAME[name].module for name in ("sharpening", "grain", "vignette")}
    for vignette in (-40.0, 60.0):  # darkening: a gain; lightening: a gain and an offset
        edit = (Edit().update("sharpening", amount=80.0, radius=radius).update("vignette", amount=vignette)
                .update("grain", amount=60.0))
        out = render(src, edit, ctx).numpy().astype(np.float64)
        # the operations one after another, in float, from the luminance the pipeline reads
        lum = spatial.luminance(src, exact=spatial.wants_exact([edit[name] for name in module], one))
        plane = lambda part: spatial.image_of(part).numpy().astype(np.float64)[..., None]  # noqa: E731
        _, detail = module["sharpening"].affine(lum, edit["sharpening"], one)
        # Grain's mid-tone weight reads the luminance without sharpening's local detail (see DETAIL).
        _, grain = module["grain"].affine(lum, edit["grain"], one)
        gain, lift = module["vignette"].affine(lum, edit["vignette"], one)
        step = (arr + plane(detail) + plane(grain)) * plane(gain) + (0.0 if lift is None else plane(lift))
        ref = np.clip(np.rint(step), 0, 255)
        err = np.abs(out - ref)
        assert np.abs(out - arr).mean() > 10.0  # the operations do change the image (≈ 25 levels)
        assert err.max() <= 1.0 and err.mean() < 0.01, (vignette, err.max(), err.mean())  # ≈ 1, 0.0025
