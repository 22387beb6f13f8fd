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
    full = open_photo(path).full()
    assert (full.bands, full.interpretation) == (3, "srgb")
    assert abs(full.avg() - rgb.avg()) < 8  # round trip through the print profile, not inverted channels


def test_srgb_profiles_are_recognised_and_others_are_not():
    from editor.core.icc import matrix_profile
    from editor.core.sources import is_srgb
    assert is_srgb(srgb_profile())
    assert is_srgb(matrix_profile(SRGB_TO_XYZ_D50, "another maker's sRGB"))  # within 0.3 level of libvips'
    assert not is_srgb(display_p3_profile())
    wider = SRGB_TO_XYZ_D50 * [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.02]]  # blue's colorant moved 2 %
    assert not is_srgb(matrix_profile(wider, "not quite sRGB"))
    assert is_srgb(b"not a profile")  # libvips ignores a profile it cannot read: the photo is taken as sRGB


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
