"""Export: formats parse back, resize, metadata, no overwrite, templates, batches, cancel."""
from __future__ import annotations

import os
import threading

import numpy as np
import pytest
import pyvips
from test_helpers import SAMPLES, pixel
from PIL import Image

from editor.core import sidecar
from editor.core.edit import Edit, History
from editor.core.export import (BatchResult, ExportCancelled, ExportError, ExportSettings, ExportSkipped, export_batch,
                                export_photo)
from editor.core.sources import srgb_profile

GPS_IFD = 0x8825
ORIENTATION = 274


def _load(path) -> pyvips.Image:
    """Read back without libvips' open-file cache (tests write the same names again)."""
    return pyvips.Image.new_from_buffer(path.read_bytes(), "")


def _mean(path) -> float:
    return _load(path).avg()


def _no_leftovers(folder) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fmt, loader", [("jpeg", "jpegload"), ("png", "pngload"), ("tiff", "tiffload"),
                                         ("webp", "webpload"), ("avif", "heifload")])
def test_every_format_parses_back_with_size_and_srgb_profile(make_photo, tmp_path, fmt, loader):
    src = make_photo("p.jpg", size=(120, 80))
    out = export_photo(src, Edit(), ExportSettings(format=fmt), tmp_path / "out")
    image = _load(out)
    assert image.get("vips-loader").startswith(loader)
    assert (image.width, image.height, image.bands) == (120, 80, 3)
    assert bytes(image.get("icc-profile-data")) == srgb_profile()
    assert abs(image.avg() - pyvips.Image.new_from_file(str(src)).avg()) < 3  # same picture
    assert _no_leftovers(tmp_path / "out")


def test_jpeg_quality_is_honoured(make_photo, tmp_path):
    src = make_photo("q.jpg", size=(200, 150))
    low = export_photo(src, Edit(), ExportSettings(quality=40, template="low"), tmp_path)
    high = export_photo(src, Edit(), ExportSettings(quality=92, template="high"), tmp_path)
    # libjpeg scales the standard luminance table (DC entry 16) by 5000/q or 200 - 2q percent.
    assert Image.open(low).quantization[0][0] == 20
    assert Image.open(high).quantization[0][0] == 3
    assert low.stat().st_size < high.stat().st_size


def test_sixteen_bit_tiff_export_keeps_sixteen_bits(make_photo, tmp_path):
    a = np.full((20, 30, 3), 40000, np.uint16)
    a[:, :, 1] = 1234
    src = make_photo("deep.tif", a)
    deep = _load(export_photo(src, Edit(), ExportSettings(format="tiff", bit_depth=16), tmp_path / "o"))
    assert deep.format == "ushort" and pixel(deep, 5, 5) == [40000, 1234, 40000]
    flat = _load(export_photo(src, Edit(), ExportSettings(format="tiff", template="8bit"), tmp_path / "o"))
    assert flat.format == "uchar" and pixel(flat, 5, 5) == [156, 5, 156]


def test_the_original_is_never_overwritten(make_photo):
    src = make_photo("orig.jpg")
    before = src.read_bytes()
    with pytest.raises(ExportSkipped):
        export_photo(src, Edit(), ExportSettings(), src.parent)
    with pytest.raises(ExportError, match="original"):
        export_photo(src, Edit(), ExportSettings(overwrite=True), src.parent)
    assert src.read_bytes() == before


def test_orientation_is_baked_into_pixels_and_exif_says_1(make_photo, tmp_path):
    a = np.full((160, 240, 3), 128, np.uint8)
    a[:40, :60] = (230, 20, 20)  # stored top-left -> upright top-right with orientation 6
    src = make_photo("rot.jpg", a, orientation=6, Q=95)
    out = export_photo(src, Edit(), ExportSettings(), tmp_path / "o")
    image = _load(out)
    assert (image.width, image.height) == (160, 240)
    r, g, _ = pixel(image, 150, 20)
    assert r > 180 and g < 80
    assert Image.open(out).getexif()[ORIENTATION] == 1
    resized = _load(export_photo(src, Edit(), ExportSettings(resize="long_edge", resize_value=120,
                                                              template="small"), tmp_path / "o"))
    assert (resized.width, resized.height) == (80, 120)


def test_exif_is_kept_and_gps_stripped_only_when_asked(tmp_path):
    src = SAMPLES / "DSCN0012.jpg"
    with_gps = export_photo(src, Edit(), ExportSettings(template="gps"), tmp_path)
    without = export_photo(src, Edit(), ExportSettings(template="nogps", strip_gps=True), tmp_path)
    kept, stripped = Image.open(with_gps).getexif(), Image.open(without).getexif()
    assert kept[271] == stripped[271] == "NIKON"  # Make
    assert kept.get_ifd(GPS_IFD).get(2)  # GPSLatitude
    assert not stripped.get_ifd(GPS_IFD).get(2) and not stripped.get_ifd(GPS_IFD).get(4)
    assert stripped.get_ifd(0x8769)[36867].startswith("2008:10:22")  # DateTimeOriginal survives


def test_exif_can_be_dropped(tmp_path):
    out = export_photo(SAMPLES / "DSCN0012.jpg", Edit(), ExportSettings(keep_exif=False), tmp_path)
    image = _load(out)
    assert not image.get_typeof("exif-data") or 271 not in Image.open(out).getexif()
    assert image.get_typeof("icc-profile-data")


def test_existing_output_is_not_overwritten_unless_asked(make_photo, tmp_path):
    src = make_photo("n.jpg")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "n.jpg").write_bytes(b"precious")
    with pytest.raises(ExportSkipped, match="already exists"):
        export_photo(src, Edit(), ExportSettings(), out_dir)
    assert (out_dir / "n.jpg").read_bytes() == b"precious"
    out = export_photo(src, Edit(), ExportSettings(overwrite=True), out_dir)
    assert _load(out).width == 96
    assert _no_leftovers(out_dir)


def test_templates_name_seq_date_and_preset(tmp_path):
    src = SAMPLES / "DSCN0012.jpg"
    edit = Edit().with_look({"name": "Noir"})
    s = ExportSettings(template="{date}_{name}_{seq:03d}_{preset}", format="png")
    out = export_photo(src, edit, s, tmp_path, seq=7)
    assert out.name == "2008-10-22_DSCN0012_007_Noir.png"


@pytest.mark.parametrize("template", ["{nope}", "{name", ""])
def test_bad_templates_are_rejected(template):
    with pytest.raises(ValueError, match="template"):
        ExportSettings(template=template)


def test_invalid_settings_list_every_problem():
    with pytest.raises(ValueError) as err:
        ExportSettings(format="bmp", quality=0, resize="long_edge")
    assert "format" in str(err.value) and "quality" in str(err.value) and "positive" in str(err.value)


@pytest.mark.parametrize("mode, value, size", [("long_edge", 150, (150, 100)), ("short_edge", 50, (75, 50)),
                                               ("megapixels", 0.0096, (120, 80)), ("long_edge", 9000, (300, 200))])
def test_resize_modes(make_photo, tmp_path, mode, value, size):
    src = make_photo("r.jpg", size=(300, 200))
    out = export_photo(src, Edit(), ExportSettings(resize=mode, resize_value=value), tmp_path / "out")
    image = _load(out)
    assert (image.width, image.height) == size


def test_resize_applies_after_crop(make_photo, tmp_path):
    src = make_photo("c.jpg", size=(400, 200))
    edit = Edit().update("crop", left=0.0, top=0.0, width=0.5, height=1.0)
    full = _load(export_photo(src, edit, ExportSettings(template="full"), tmp_path))
    small = _load(export_photo(src, edit, ExportSettings(resize="long_edge", resize_value=100), tmp_path / "o"))
    assert (full.width, full.height) == (200, 200)
    assert (small.width, small.height) == (100, 100)


def test_output_sharpening_changes_detail_not_size(make_photo, tmp_path):
    src = make_photo("s.png", size=(120, 80))
    off = _load(export_photo(src, Edit(), ExportSettings(format="png", template="off"), tmp_path))
    high = _load(export_photo(src, Edit(), ExportSettings(format="png", template="hi",
                                                          output_sharpening="high"), tmp_path))
    assert (high.width, high.height, high.bands, high.format) == (120, 80, 3, "uchar")
    assert high.deviate() > off.deviate()  # more local contrast
    assert abs(high.avg() - off.avg()) < 2


def test_edit_is_applied_and_sidecar_used_when_no_edit_given(make_photo, tmp_path):
    src = make_photo("e.png", size=(64, 48))
    plain = export_photo(src, Edit(), ExportSettings(format="png", template="plain"), tmp_path)
    brighter = Edit().update("exposure", exposure_ev=1.0)
    sidecar.save(src, sidecar.Sidecar(History(brighter)))
    from_sidecar = export_photo(src, None, ExportSettings(format="png", template="sc"), tmp_path)
    assert _mean(from_sidecar) > _mean(plain) + 20


def test_batch_with_a_bad_file_exports_the_others_and_reports_it(make_photo, tmp_path):
    good = [make_photo(f"g{i}.jpg") for i in range(3)]
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    seen = []
    result = export_batch([(good[0], Edit()), (bad, Edit()), (good[1], None), good[2]], ExportSettings(),
                          tmp_path / "out", progress=lambda i, n, f: seen.append(f))
    assert isinstance(result, BatchResult)
    assert sorted(p.name for p in result.done) == ["g0.jpg", "g1.jpg", "g2.jpg"]
    assert len(result.failed) == 1 and result.failed[0][0] == bad and "broken.jpg" in result.failed[0][1]
    assert seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    again = export_batch([good[0]], ExportSettings(), tmp_path / "out")
    assert again.skipped and "already exists" in again.skipped[0][1] and not again.done


def test_batch_with_two_workers_exports_everything(make_photo, tmp_path):
    photos = [make_photo(f"w{i}.jpg") for i in range(4)]
    result = export_batch(photos, ExportSettings(template="{seq}"), tmp_path / "out", workers=2)
    assert sorted(p.name for p in result.done) == ["0001.jpg", "0002.jpg", "0003.jpg", "0004.jpg"]  # {seq}: 4 digits, as tether


def test_cancel_before_start_writes_nothing(make_photo, tmp_path):
    cancel = threading.Event()
    cancel.set()
    result = export_batch([make_photo("a.jpg"), make_photo("b.jpg")], ExportSettings(), tmp_path / "out",
                          cancel=cancel)
    assert result.cancelled and not result.done
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_cancel_during_export_leaves_no_file(make_photo, tmp_path):
    src = make_photo("big.png", size=(1600, 1200))
    cancel = threading.Event()
    out_dir = tmp_path / "out"
    with pytest.raises(ExportCancelled):
        export_photo(src, Edit(), ExportSettings(), out_dir, progress=lambda f: cancel.set(), cancel=cancel)
    assert not list(out_dir.iterdir())


def test_progress_reaches_one(make_photo, tmp_path):
    seen = []
    export_photo(make_photo("p.jpg", size=(400, 300)), Edit(), ExportSettings(), tmp_path / "o", progress=seen.append)
    assert seen and seen[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in seen)


def test_cli_exports_reports_and_fails_on_bad_photo(make_photo, tmp_path, capsys):
    from editor.cli import export as export_cli
    good = make_photo("cli.jpg", size=(300, 200))
    bad = tmp_path / "bad.jpg"
    bad.write_text("nope")
    code = export_cli.main([str(good), str(bad), "--out", str(tmp_path / "out"), "--format", "png",
                            "--long-edge", "150", "--template", "{name}_{seq}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "exported 1, skipped 0, failed 1 of 2" in err and "bad.jpg" in err
    image = _load(tmp_path / "out" / "cli_0001.png")
    assert (image.width, image.height) == (150, 100)
    assert export_cli.main([str(good), "--out", str(tmp_path / "out"), "--format", "png",
                            "--long-edge", "150", "--template", "{name}_{seq}"]) == 0
    assert "skipped 1" in capsys.readouterr().err


def test_cli_edit_sidecar_is_used_for_every_photo(make_photo, tmp_path):
    from editor.cli import export as export_cli
    a, b = make_photo("a.png"), make_photo("b.png")
    shared = sidecar.save(tmp_path / "look.jpg", sidecar.Sidecar(History(Edit().update("exposure",
                                                                                          exposure_ev=1.5))))
    assert export_cli.main([str(a), str(b), "--out", str(tmp_path / "plain"), "--format", "png"]) == 0
    assert export_cli.main([str(a), str(b), "--out", str(tmp_path / "lit"), "--format", "png",
                            "--edit", str(shared)]) == 0
    for name in ("a.png", "b.png"):
        assert _mean(tmp_path / "lit" / name) > _mean(tmp_path / "plain" / name) + 20


def test_cli_bad_arguments_exit_2(make_photo, tmp_path, capsys):
    from editor.cli import export as export_cli
    src = make_photo("x.jpg")
    assert export_cli.main([str(src), "--out", str(tmp_path), "--template", "{bogus}"]) == 2
    assert "bogus" in capsys.readouterr().err
    not_sidecar = tmp_path / "edit.darkslide"
    not_sidecar.write_text("{}")
    assert export_cli.main([str(src), "--out", str(tmp_path / "o"), "--edit", str(not_sidecar)]) == 2


@pytest.mark.parametrize("crop", [{"rotate90": 1}, {"angle": 4.0}])
def test_rotation_edits_export_at_full_size(make_photo, tmp_path, crop):
    # 1600x1200 is larger than libvips' sequential read-behind: a streamed source would fail here.
    src = make_photo("big.jpg", size=(1600, 1200))
    out = export_photo(src, Edit().update("crop", **crop), ExportSettings(), tmp_path / "out")
    image = _load(out)
    assert (image.width, image.height) == ((1200, 1600) if "rotate90" in crop else (image.width, image.height))
    assert image.width * image.height > 1_000_000 and image.avg() > 20


def test_cancel_mid_batch_stops_the_rest(make_photo, tmp_path):
    photos = [make_photo(f"m{i}.jpg") for i in range(4)]
    cancel = threading.Event()

    def progress(index, total, overall):
        if index == 1:
            cancel.set()  # while the second photo renders
    result = export_batch(photos, ExportSettings(), tmp_path / "out", progress=progress, cancel=cancel)
    assert result.cancelled
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written[0] == "m0.jpg" and written in (["m0.jpg"], ["m0.jpg", "m1.jpg"])  # m1 may finish first
    assert sorted(p.name for p in result.done) == written


def test_missing_lut_fails_that_photo_with_its_name(make_photo, tmp_path):
    src = make_photo("lut.jpg")
    edit = Edit().update("lut3d", lut=str(tmp_path / "nowhere.cube"))
    result = export_batch([(src, edit), make_photo("fine.jpg")], ExportSettings(), tmp_path / "out")
    assert [p.name for p in result.done] == ["fine.jpg"]
    assert len(result.failed) == 1 and "lut.jpg" in result.failed[0][1]


def test_cli_exports_the_photos_of_a_folder(make_photo, tmp_path, monkeypatch):
    from editor.cli import export as export_cli
    a, b = make_photo("a.png"), make_photo("b.png")
    assert a.parent == b.parent
    monkeypatch.chdir(a.parent)  # `darkslide export . --out ...` from inside the folder
    assert export_cli.main([".", "--out", str(tmp_path / "fromfolder"), "--format", "png",
                            "--template", "{seq}_{name}"]) == 0
    assert sorted(p.name for p in (tmp_path / "fromfolder").iterdir()) == ["0001_a.png", "0002_b.png"]


def test_an_empty_field_takes_its_separator_along_and_seq_has_four_digits():
    from editor.core.export import format_name
    assert format_name("{name}_{preset}_{seq}", "IMG", 7, "2026-01-02", "") == "IMG_0007"
    assert format_name("{name}_{preset}_{seq:d}", "IMG", 7, "2026-01-02", "Chrome") == "IMG_Chrome_7"
    assert format_name("{preset}-{name}", "IMG", 1, "d", "") == "IMG"


def test_a_folder_export_names_a_fifo_among_its_photos_as_refused(make_photo, tmp_path, capsys):
    from editor.cli import export as export_cli
    a = make_photo("a.png")
    os.mkfifo(a.parent / "pipe.jpg")  # would hang a reader; must be reported, not opened nor skipped silently
    assert export_cli.main([str(a.parent), "--out", str(tmp_path / "out"), "--format", "png"]) == 1
    report = capsys.readouterr()
    text = report.out + report.err
    assert "pipe.jpg" in text and "not a regular file" in text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png"]
