"""Opening photos: sizes, orientation, bit depth, alpha/grey, HEIC, caching."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import pyvips
from test_helpers import SAMPLES, pixel, vips_image

from editor.core.sources import PhotoError, open_photo, resize_to, thumbnail


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


def test_library_thumbnail_of_a_large_jpeg_matches_a_full_decode(tmp_path):
    # A 2400 px photo. At 200 px it is shrunk on load by 8 (300 px: 1.5x left for the lanczos reduce,
    # the least allowed) where libvips' thumbnail stops at 4; at 300 px by 4. Each must look like the
    # full decode reduced to the same size (libvips' thumbnail measures 51 dB at 200 px).
    big = pyvips.Image.new_from_file(str(SAMPLES / "canon_hdr_NO.jpg"), autorotate=True)
    big = big.resize(2400 / max(big.width, big.height), kernel="lanczos3")
    path = tmp_path / "big.jpg"
    big.jpegsave(str(path), Q=95, keep="none")
    full = pyvips.Image.new_from_file(str(path))
    for size, least in ((200, 44.0), (300, 48.0)):  # measured 45.7 and 52.8; at 300 px decoding at 1/8: 41
        thumb = thumbnail(path, size)
        assert max(thumb.width, thumb.height) == size
        reference = resize_to(full, thumb.width, thumb.height).numpy().astype(float)
        psnr = 10 * np.log10(255**2 / np.mean((thumb.numpy().astype(float) - reference) ** 2))
        assert psnr > least, (size, psnr)


def test_truncated_jpeg_preview_raises_photo_error(make_photo, tmp_path):
    good = make_photo("full.jpg", size=(400, 300))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(PhotoError, match="cut.jpg"):
        open_photo(cut).preview(100)


# ---------------------------------------------------------------------------------------------- DNG
# No camera DNG ships with the project, so the tests write a minimal valid one: an uncompressed 16-bit
# RGGB Bayer mosaic with DNG tags whose colour matrix makes camera RGB = linear sRGB.

def _ifd(entries, at: int, strip: bytes, sub_ifd: int = 0) -> bytes:
    """A little-endian TIFF IFD placed at file offset `at`: table, overflow values, then its strip.

    entries: (tag, type, values); StripOffsets (273) and SubIFDs (330) are filled in here.
    """
    import struct
    fmt = {1: "B", 3: "H", 4: "I", 13: "I"}
    entries = sorted(entries)
    encoded = []
    for tag, kind, values in entries:
        if kind == 2:
            raw = values
        elif kind in (5, 10):
            raw = b"".join(struct.pack("<ii" if kind == 10 else "<II", *v) for v in values)
        else:
            raw = struct.pack("<" + fmt[kind] * len(values), *values)
        encoded.append([tag, kind, len(values), raw])
    table_end = at + 2 + 12 * len(entries) + 4
    overflow = sum(len(r) + len(r) % 2 for *_, r in encoded if len(r) > 4)
    strip_at = table_end + overflow
    table, blobs = b"", b""
    for tag, kind, count, raw in encoded:
        if tag == 273:
            raw = struct.pack("<I", strip_at)
        elif tag == 330:
            raw = struct.pack("<I", sub_ifd)
        if len(raw) > 4:
            field = struct.pack("<I", table_end + len(blobs))
            blobs += raw + b"\0" * (len(raw) % 2)
        else:
            field = raw.ljust(4, b"\0")
        table += struct.pack("<HHI", tag, kind, count) + field
    return struct.pack("<H", len(entries)) + table + struct.pack("<I", 0) + blobs + strip


def write_dng(path, rgb: np.ndarray, orientation: int = 1, preview: np.ndarray | None = None) -> None:
    """`rgb` (H, W, 3) linear 0..1 sampled into an RGGB mosaic and written as a tiny DNG; with
    `preview` (uint8 RGB, stored unrotated like the mosaic) IFD0 holds it as the embedded JPEG preview
    and the mosaic moves to a SubIFD, as cameras write them."""
    import struct
    h, w, _ = rgb.shape
    mosaic = np.empty((h, w), np.float64)
    mosaic[0::2, 0::2] = rgb[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = rgb[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = rgb[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = rgb[1::2, 1::2, 2]
    pixels = np.round(np.clip(mosaic, 0, 1) * 65535).astype("<u2").tobytes()
    xyz_to_srgb = [3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570]
    camera = [(271, 2, b"Darkslide\0"), (272, 2, b"Synthetic\0"), (274, 3, [orientation]),
              (50706, 1, [1, 4, 0, 0]), (50708, 2, b"Darkslide Synthetic\0"),
              (50721, 10, [(round(v * 10000), 10000) for v in xyz_to_srgb]), (50728, 5, [(1, 1)] * 3),
              (50778, 3, [21])]
    raw_ifd = [(254, 4, [0]), (256, 4, [w]), (257, 4, [h]), (258, 3, [16]), (259, 3, [1]), (262, 3, [32803]),
               (273, 4, [0]), (277, 3, [1]), (278, 4, [h]), (279, 4, [len(pixels)]), (284, 3, [1]),
               (33421, 3, [2, 2]), (33422, 1, [0, 1, 1, 2]), (50714, 4, [0]), (50717, 4, [65535])]
    if preview is None:
        body = _ifd(raw_ifd + camera, 8, pixels)
    else:
        jpeg = vips_image(preview).jpegsave_buffer(Q=95)
        ph, pw, _ = preview.shape
        ifd0 = [(254, 4, [1]), (256, 4, [pw]), (257, 4, [ph]), (258, 3, [8, 8, 8]), (259, 3, [7]),
                (262, 3, [6]), (273, 4, [0]), (277, 3, [3]), (278, 4, [ph]), (279, 4, [len(jpeg)]),
                (330, 13, [0])] + camera
        first = _ifd(ifd0, 8, jpeg)
        body = _ifd(ifd0, 8, jpeg, sub_ifd=8 + len(first)) + _ifd(raw_ifd, 8 + len(first), pixels)
    path.write_bytes(b"II*\0" + struct.pack("<I", 8) + body)


def _dng_scene(w=64, h=48) -> np.ndarray:
    rgb = np.full((h, w, 3), 0.18)
    rgb[: h // 4, : w // 4] = (0.6, 0.05, 0.05)  # red block top-left
    return rgb


def test_dng_is_demosaiced_to_sixteen_bit_srgb(tmp_path):
    path = tmp_path / "shot.dng"
    write_dng(path, _dng_scene())
    photo = open_photo(path)
    assert (photo.format, photo.width, photo.height) == ("dng", 64, 48)
    full = photo.full()
    assert (full.width, full.height, full.bands, full.format) == (64, 48, 3, "ushort")
    grey = np.array(pixel(full, 48, 36)) / 65535
    assert np.ptp(grey) < 0.06 and 0.3 < grey.mean() < 0.6  # neutral mid grey (0.18 linear ~ 0.46 sRGB)
    red = np.array(pixel(full, 6, 4)) / 65535
    assert red[0] > red[1] + 0.3 and red[0] > red[2] + 0.3
    preview = photo.preview(32)
    assert (preview.width, preview.height, preview.format) == (32, 24, "ushort")
    assert photo.draft().width <= 64  # no embedded preview here: falls back to a half-size demosaic


def test_dng_orientation_is_applied(tmp_path):
    path = tmp_path / "portrait.dng"
    write_dng(path, _dng_scene(), orientation=6)
    photo = open_photo(path)
    assert (photo.width, photo.height) == (48, 64)
    full = photo.full()
    assert (full.width, full.height) == (48, 64)
    red = np.array(pixel(full, 44, 6)) / 65535  # stored top-left -> upright top-right
    assert red[0] > red[1] + 0.3


def test_many_thumbnails_come_back_in_order_with_errors_in_place(make_photo, tmp_path):
    from editor.core.sources import thumbnails
    bad = tmp_path / "bad.jpg"
    bad.write_text("x")
    paths = [make_photo(f"t{i}.jpg", size=(120 + i, 80)) for i in range(5)]
    paths.insert(2, bad)
    out = list(thumbnails(paths, 60, workers=2))
    assert [p for p, _ in out] == paths
    assert isinstance(out[2][1], PhotoError) and "bad.jpg" in str(out[2][1])
    assert [im.width for p, im in out if p != bad] == [60] * 5


def test_avif_is_decoded_by_libvips(make_photo):
    photo = open_photo(make_photo("a.avif", size=(80, 60), Q=90))
    assert (photo.format, photo.width, photo.height) == ("avif", 80, 60)
    full = photo.full()
    assert (full.width, full.height, full.bands) == (80, 60, 3) and 40 < full.avg() < 220



def test_dng_draft_is_the_embedded_preview_turned_upright(tmp_path):
    green = np.full((24, 32, 3), 40, np.uint8)
    green[:6, :8] = (20, 220, 20)  # stored top-left, like the mosaic's red block
    path = tmp_path / "preview.dng"
    write_dng(path, _dng_scene(), orientation=6, preview=green)
    photo = open_photo(path)
    assert (photo.width, photo.height) == (48, 64)
    draft = photo.draft()
    assert (draft.width, draft.height) == (24, 32)  # the preview's size, turned like the photo
    g = pixel(draft, 21, 2)  # upright top-right
    assert g[1] > 150 and g[0] < 100  # green: it is the embedded preview, not a demosaic (red)
    assert pixel(draft, 2, 2)[1] < 100
    full = photo.full()  # the mosaic in the SubIFD still develops
    assert (full.width, full.height, full.format) == (48, 64, "ushort")
