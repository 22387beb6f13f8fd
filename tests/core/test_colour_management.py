"""Embedded ICC profiles are honoured (relative colorimetric into sRGB); untagged means sRGB."""
from __future__ import annotations

import numpy as np
import pytest
from test_helpers import pixel

from editor.core.colour import to_linear, to_srgb
from editor.core.icc import P3_TO_XYZ_D50, SRGB_TO_XYZ_D50, display_p3_profile
from editor.core.sources import open_photo, srgb_profile

MID_P3 = (128, 100, 60)


def _p3_to_srgb(rgb8) -> np.ndarray:
    """Analytic Display P3 -> sRGB (both D50-adapted matrices), clipped, in 0..255."""
    linear = to_linear(np.asarray(rgb8, dtype=np.float64) / 255.0)
    srgb_linear = np.linalg.solve(SRGB_TO_XYZ_D50, P3_TO_XYZ_D50 @ linear)
    return to_srgb(np.clip(srgb_linear, 0.0, 1.0)) * 255.0


def _two_colour_image(a, b, dtype=np.uint8) -> np.ndarray:
    image = np.zeros((32, 64, 3), dtype)
    image[:, :32], image[:, 32:] = a, b
    return image


def test_display_p3_red_becomes_clipped_srgb_red(make_photo):
    photo = open_photo(make_photo("p3.png", _two_colour_image((255, 0, 0), MID_P3), icc=display_p3_profile()))
    assert photo.icc == display_p3_profile()
    red = pixel(photo.full(), 2, 2)
    assert red[0] >= 250 and red[1] <= 5 and red[2] <= 5


def test_display_p3_mid_colour_matches_analytic_conversion(make_photo):
    photo = open_photo(make_photo("p3.png", _two_colour_image((255, 0, 0), MID_P3), icc=display_p3_profile()))
    expected = _p3_to_srgb(MID_P3)
    assert not np.allclose(expected, MID_P3, atol=3)  # the conversion really moves this colour
    for image in (photo.full(), photo.preview(16), photo.draft()):
        assert np.allclose(pixel(image, image.width - 1, image.height - 1), expected, atol=2.5)


def test_sixteen_bit_p3_converts_in_sixteen_bit(make_photo):
    mid16 = tuple(v * 257 for v in MID_P3)
    photo = open_photo(make_photo("p3.tif", _two_colour_image((0, 0, 0), mid16, np.uint16),
                                  icc=display_p3_profile()))
    full = photo.full()
    assert full.format == "ushort"
    assert np.allclose(np.array(pixel(full, 60, 4)) / 257, _p3_to_srgb(MID_P3), atol=1.0)


def test_untagged_image_is_treated_as_srgb(make_photo):
    photo = open_photo(make_photo("plain.png", _two_colour_image((10, 20, 30), MID_P3)))
    assert photo.icc is None
    assert pixel(photo.full(), 60, 4) == list(MID_P3)
    assert pixel(photo.full(), 1, 1) == [10, 20, 30]


def test_working_image_carries_srgb_profile_not_the_source_one(make_photo):
    photo = open_photo(make_photo("p3.png", _two_colour_image((1, 2, 3), MID_P3), icc=display_p3_profile()))
    for image in (photo.full(), photo.preview(16), photo.draft()):
        assert bytes(image.get("icc-profile-data")) == srgb_profile()


@pytest.mark.parametrize("name", ["p3.jpg", "p3.webp"])
def test_lossy_p3_files_are_converted_too(make_photo, name):
    flat = np.zeros((32, 32, 3), np.uint8)
    flat[...] = MID_P3
    photo = open_photo(make_photo(name, flat, icc=display_p3_profile(), Q=100))
    assert np.allclose(pixel(photo.full(), 16, 16), _p3_to_srgb(MID_P3), atol=4)


def test_cmyk_jpeg_becomes_srgb(tmp_path):
    from test_helpers import SAMPLES
    import pyvips
    rgb = pyvips.Image.new_from_file(str(SAMPLES / "DSCN0012.jpg"))
    path = tmp_path / "print.jpg"
    rgb.icc_transform("cmyk", intent="relative").jpegsave(str(path))
    photo = open_photo(path)
    full, thumb = photo.full(), photo.small(200)  # the library thumbnail decodes the JPEG itself
    for image in (full, thumb):
        assert (image.bands, image.interpretation) == (3, "srgb")
        assert abs(image.avg() - rgb.avg()) < 8  # round trip through the print profile, not inverted channels


def test_srgb_profiles_need_no_conversion_and_others_do():
    from editor.core.icc import matrix_profile, needs_conversion
    assert not needs_conversion(srgb_profile())
    assert not needs_conversion(matrix_profile(SRGB_TO_XYZ_D50, "another maker's sRGB"))  # within 0.3 level
    assert needs_conversion(display_p3_profile())
    wider = SRGB_TO_XYZ_D50 * [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.02]]  # blue's colorant moved 2 %
    assert needs_conversion(matrix_profile(wider, "not quite sRGB"))
    assert not needs_conversion(b"not a profile")  # libvips ignores a profile it cannot read: sRGB it is


def test_srgb_tagged_photo_is_not_converted(make_photo, monkeypatch):
    import pyvips
    photo = open_photo(make_photo("srgb.png", _two_colour_image((10, 20, 30), MID_P3), icc=srgb_profile()))
    assert photo.icc == srgb_profile()
    calls = []
    transform = pyvips.Image.icc_transform
    monkeypatch.setattr(pyvips.Image, "icc_transform",
                        lambda self, *a, **k: calls.append(a) or transform(self, *a, **k))
    full = photo.full()
    assert calls == []  # no pass over the pixels to change nothing
    assert pixel(full, 60, 4) == list(MID_P3) and pixel(full, 1, 1) == [10, 20, 30]
    assert bytes(full.get("icc-profile-data")) == srgb_profile()


def _p3_photo(make_photo):
    """A Display P3 photo with smooth gradients and saturated colours (many outside sRGB)."""
    y, x = np.mgrid[0:96, 0:128]
    rgb = np.stack([x * 2, y * 2.6, 255 - x * 2], axis=-1)
    rgb[:48, :64] = (250, 30, 20)  # a P3 red beyond sRGB's
    return open_photo(make_photo("p3.png", rgb.clip(0, 255).astype(np.uint8), icc=display_p3_profile()))


def _look():
    from editor.core.edit import Edit
    return (Edit().update("exposure", exposure_ev=0.3).update("contrast", contrast=20.0)
            .update("saturation", saturation=-10.0).update("hsl", orange_saturation=-15.0))


def test_kept_profile_is_converted_within_the_look_in_one_pass(make_photo, monkeypatch):
    import pyvips
    from editor.core.pipeline import RenderContext, render
    photo = _p3_photo(make_photo)
    kept = photo.full(keep_profile=True)
    assert bytes(kept.get("icc-profile-data")) == display_p3_profile()  # values still P3
    assert pixel(kept, 10, 10) == [250, 30, 20]
    two_pass = render(photo.full(), _look(), RenderContext()).numpy().astype(int)
    passes = []
    transform = pyvips.Image.icc_transform
    monkeypatch.setattr(pyvips.Image, "icc_transform",
                        lambda self, *a, **k: passes.append(self.width) or transform(self, *a, **k))
    one_pass = render(kept, _look(), RenderContext()).numpy().astype(int)
    assert passes.count(photo.width) == 1  # the look's transform, which also converts
    error = np.abs(one_pass - two_pass)
    assert error.max() <= 3 and error.mean() < 0.5
    assert not np.array_equal(one_pass, render(kept, _look().reset(), RenderContext()).numpy())


def test_kept_profile_without_colour_operations_is_converted_first(make_photo):
    from editor.core.edit import Edit
    from editor.core.pipeline import RenderContext, render
    photo = _p3_photo(make_photo)
    for edit in (Edit(), Edit().update("exposure", exposure_ev=0.5)):  # tone curves stay exact
        out = render(photo.full(keep_profile=True), edit, RenderContext())
        assert bytes(out.get("icc-profile-data")) == srgb_profile()
        np.testing.assert_array_equal(out.numpy(), render(photo.full(), edit, RenderContext()).numpy())


def test_export_of_a_p3_photo_matches_the_converted_render(make_photo, tmp_path):
    from editor.core.export import ExportSettings, export_photo
    from editor.core.pipeline import RenderContext, render
    photo = _p3_photo(make_photo)
    out = export_photo(photo.path, _look(), ExportSettings(format="png"), tmp_path / "out")
    import pyvips
    written = pyvips.Image.new_from_file(str(out))
    assert bytes(written.get("icc-profile-data")) == srgb_profile()
    expected = render(photo.full(), _look(), RenderContext(seed=photo.seed)).numpy().astype(int)
    assert np.abs(written.numpy().astype(int) - expected).max() <= 3
