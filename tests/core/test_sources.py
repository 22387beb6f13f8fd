"""Opening photos: sizes, orientation, bit depth, alpha/grey, HEIC, caching."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import pyvips
from conftest import SAMPLES, photo_like, pixel

from editor.core.sources import PhotoError, open_photo, thumbnail


def _oriented_test_array(width=240, height=160) -> np.ndarray:
    """Grey with a red block in the stored top-left corner (a quarter of each side)."""
    a = np.full((height, width, 3), 128, np.uint8)
    a[: height // 4, : width // 4] = (230, 20, 20)
    return a


def _is_red(p) -> bool:
    return p[0] > 180 and p[1] < 80 and p[2] < 80


def _no_orientation_left(image: pyvips.Image) -> bool:
    return not image.get_typeof("orientation") or image.get("orientation") == 1


def test_orientation_6_is_applied_once_everywhere(make_photo):
    # Orientation 6: the stored image must be turned 90 degrees clockwise, so its top-left corner
    # ends up at the top-right of the upright photo, which is 160 wide and 240 tall.
    path = make_photo("rot.jpg", _oriented_test_array(), orientation=6, Q=95)
    photo = open_photo(path)
    assert (photo.width, photo.height) == (160, 240)
    full = photo.full()
    assert (full.width, full.height) == (160, 240)
    assert _is_red(pixel(full, 150, 20)) and not _is_red(pixel(full, 10, 20))
    preview = photo.preview(120)
    assert (preview.width, preview.height) == (80, 120)
    assert _is_red(pixel(preview, 75, 10)) and not _is_red(pixel(preview, 5, 10))
    draft = photo.draft()
    assert (draft.width, draft.height) == (20, 30)
    assert _is_red(pixel(draft, 18, 3)) and not _is_red(pixel(draft, 2, 3))
    thumb = thumbnail(path, 60)
    assert (thumb.width, thumb.height) == (40, 60)
    for image in (full, preview, draft, thumb):
        assert _no_orientation_left(image)


def test_upright_photo_keeps_its_layout(make_photo):
    photo = open_photo(make_photo("up.jpg", _oriented_test_array(), Q=95))
    assert (photo.width, photo.height) == (240, 160)
    assert _is_red(pixel(photo.full(), 10, 10)) and _is_red(pixel(photo.preview(120), 5, 5))


def test_working_space_is_three_band_srgb_uchar(make_photo):
    photo = open_photo(make_photo("a.png"))
    for image in (photo.full(), photo.preview(50), photo.draft()):
        assert (image.bands, image.format, image.interpretation) == (3, "uchar", "srgb")
        assert image.get_typeof("icc-profile-data")


def test_sixteen_bit_tiff_stays_sixteen_bit_and_exact(make_photo):
    a = np.zeros((32, 48, 3), np.uint16)
    a[..., 0] = np.linspace(1000, 60000, 48, dtype=np.uint16)[None, :]
    a[..., 1] = 1001
    a[..., 2] = 65535
    photo = open_photo(make_photo("deep.tif", a))
    assert photo.format == "tiff"
    full = photo.full()
    assert (full.format, full.interpretation, full.bands) == ("ushort", "rgb16", 3)
    assert np.array_equal(full.numpy(), a)
    assert photo.preview(24).format == "ushort"


def test_sixteen_bit_png_stays_sixteen_bit(make_photo):
    a = np.full((20, 30, 3), 12345, np.uint16)
    full = open_photo(make_photo("deep.png", a)).full()
    assert full.format == "ushort" and pixel(full, 3, 3) == [12345, 12345, 12345]


def test_alpha_is_flattened_onto_white(make_photo):
    a = np.zeros((10, 10, 4), np.uint8)
    a[..., 0] = 200
    a[:, 5:, 3] = 255  # left half transparent
    full = open_photo(make_photo("alpha.png", a)).full()
    assert full.bands == 3
    assert pixel(full, 1, 1) == [255, 255, 255]
    assert pixel(full, 8, 1) == [200, 0, 0]


def test_grey_becomes_rgb(make_photo):
    a = np.full((10, 12), 77, np.uint8)
    full = open_photo(make_photo("grey.png", a)).full()
    assert full.bands == 3 and pixel(full, 2, 2) == [77, 77, 77]


def test_formats_are_sniffed_by_content_not_name(make_photo, tmp_path):
    png = make_photo("x.png")
    disguised = tmp_path / "really_png.jpg"
    shutil.copy(png, disguised)
    assert open_photo(disguised).format == "png"
    assert open_photo(make_photo("w.webp")).format == "webp"
    assert open_photo(make_photo("j.jpg")).format == "jpeg"


def test_preview_is_cached_per_size_and_never_upscaled(make_photo):
    photo = open_photo(make_photo("c.jpg", size=(200, 100)))
    first = photo.preview(80)
    assert photo.preview(80) is first
    assert (first.width, first.height) == (80, 40)
    big = photo.preview(5000)
    assert (big.width, big.height) == (200, 100)
    assert photo.scale_of(first) == pytest.approx(0.4)


def test_seed_is_stable_per_file_name(make_photo):
    a, b = make_photo("a.jpg"), make_photo("b.jpg")
    assert open_photo(a).seed == open_photo(a).seed
    assert open_photo(a).seed != open_photo(b).seed


def test_exif_is_read_from_the_header():
    photo = open_photo(SAMPLES / "DSCN0012.jpg")
    assert photo.exif is not None and photo.exif.startswith(b"Exif")
    assert (photo.width, photo.height) == (640, 480)


def test_real_phone_photo_with_orientation_opens_upright():
    photo = open_photo(SAMPLES / "canon_hdr_NO.jpg")  # stored 2048x1536 with orientation 6
    assert (photo.width, photo.height) == (1536, 2048)
    preview = photo.preview(400)
    assert (preview.width, preview.height) == (300, 400)


def test_sample_heic_decodes_through_pillow_heif():
    import pillow_heif
    path = SAMPLES / "samplefilehub.heif"
    photo = open_photo(path)
    assert (photo.format, photo.width, photo.height) == ("heic", 640, 426)
    full = photo.full()
    assert (full.width, full.height, full.bands, full.format) == (640, 426, 3, "uchar")
    reference = np.asarray(pillow_heif.open_heif(str(path)).to_pillow().convert("RGB"), dtype=np.float32)
    assert np.abs(full.numpy().astype(np.float32) - reference).mean() < 0.5  # no lossy round trip
    preview = photo.preview(320)
    assert (preview.width, preview.height) == (320, 213)
    assert photo.draft().width <= 640


def test_ten_bit_heic_opens_as_sixteen_bit(tmp_path):
    import pillow_heif
    ramp = np.linspace(4000, 60000, 64)[None, :, None]  # smooth: HEVC's 4:2:0 chroma would eat noise
    a = np.broadcast_to(ramp * np.array([1.0, 0.8, 0.6]), (48, 64, 3)).astype(np.uint16)
    path = tmp_path / "deep.heic"
    pillow_heif.from_bytes("RGB;16", (64, 48), a.tobytes()).save(str(path), quality=-1)
    photo = open_photo(path)
    assert (photo.format, photo.width, photo.height) == ("heic", 64, 48)
    full = photo.full()
    assert full.format == "ushort" and full.bands == 3
    assert np.abs(full.numpy().astype(np.float64) - a).mean() < 257 * 3  # near lossless, in 16-bit units


def test_heic_with_icc_profile_is_colour_managed(tmp_path):
    import pillow_heif
    from editor.core.icc import display_p3_profile
    a = np.zeros((16, 16, 3), np.uint8)
    a[...] = (255, 0, 0)
    path = tmp_path / "p3.heic"
    heif = pillow_heif.from_bytes("RGB", (16, 16), a.tobytes())
    heif.info["icc_profile"] = display_p3_profile()
    heif.save(str(path), quality=-1)
    photo = open_photo(path)
    assert photo.icc == display_p3_profile()
    p = pixel(photo.full(), 8, 8)
    assert p[0] > 245 and p[1] < 25 and p[2] < 25  # P3 red clips to sRGB red


def test_library_thumbnail_has_requested_long_edge(make_photo):
    thumb = thumbnail(make_photo("t.jpg", size=(300, 200)), 150)
    assert (thumb.width, thumb.height) == (150, 100)
    assert thumb.bands == 3


def test_truncated_jpeg_preview_raises_photo_error(make_photo, tmp_path):
    good = make_photo("full.jpg", size=(400, 300))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(PhotoError, match="cut.jpg"):
        open_photo(cut).preview(100)
