"""Bad files give a PhotoError that names the file, never a crash or a grey image."""
from __future__ import annotations

import os
import struct
import zlib

import pytest
import pyvips

from editor.core import sources
from editor.core.sources import PhotoError, open_photo, thumbnail


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height, with one tiny (wrong-sized) IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
            + chunk(b"IEND", b""))


def _open_and_decode(path):
    photo = open_photo(path)
    photo.preview(64)
    return photo


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoError, match=r"empty\.jpg.*empty"):
        open_photo(path)


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("these are not the pixels you are looking for\n" * 20)
    with pytest.raises(PhotoError, match=r"notes\.jpg.*not a supported image"):
        open_photo(path)


def test_missing_file(tmp_path):
    with pytest.raises(PhotoError, match=r"gone\.jpg.*no such file"):
        open_photo(tmp_path / "gone.jpg")


def test_folder_is_not_a_photo(tmp_path):
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    with pytest.raises(PhotoError, match=r"album\.jpg.*folder"):
        open_photo(folder)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a mode-000 file")
def test_unreadable_file(make_photo):
    path = make_photo("locked.jpg")
    path.chmod(0)
    try:
        with pytest.raises(PhotoError, match=r"locked\.jpg.*cannot read"):
            open_photo(path)
    finally:
        path.chmod(0o644)


def test_unsupported_format(make_photo):
    path = make_photo("anim.gif")
    with pytest.raises(PhotoError, match=r"anim\.gif.*not a supported image"):
        open_photo(path)


@pytest.mark.parametrize("name", ["cut.jpg", "cut.png", "cut.webp", "cut.tif"])
def test_truncated_files(make_photo, tmp_path, name):
    good = make_photo("good" + name[3:], size=(300, 200))
    cut = tmp_path / name
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(PhotoError, match=name.replace(".", r"\.")):
        _open_and_decode(cut)


def test_truncated_jpeg_errors_in_full_resolution_too(make_photo, tmp_path):
    good = make_photo("good.jpg", size=(300, 200))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    with pytest.raises(pyvips.Error):
        open_photo(cut).full().avg()  # lazy full: the error surfaces when pixels flow (export reports it)


def test_corrupt_header(make_photo, tmp_path):
    data = bytearray(make_photo("ok.png").read_bytes())
    data[16:24] = b"\xff" * 8  # IHDR width/height garbage, CRC now wrong
    bad = tmp_path / "bad.png"
    bad.write_bytes(bytes(data))
    with pytest.raises(PhotoError, match=r"bad\.png"):
        _open_and_decode(bad)


def test_absurd_dimensions_are_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(100_000, 100_000))
    with pytest.raises(PhotoError, match=r"bomb\.png.*10000 MP.*limit"):
        open_photo(path)


def test_pixel_limit_is_configurable(make_photo, monkeypatch):
    path = make_photo("small.jpg", size=(100, 100))
    monkeypatch.setattr(sources, "MAX_PIXELS", 5_000)
    with pytest.raises(PhotoError, match=r"small\.jpg"):
        open_photo(path)


def test_garbage_dng(tmp_path):
    path = tmp_path / "raw.dng"
    path.write_bytes(b"II*\0" + os.urandom(2000))
    with pytest.raises(PhotoError, match=r"raw\.dng"):
        open_photo(path)


def test_garbage_heic(tmp_path, make_photo):
    real = (make_photo("x.jpg").parent / "x.jpg").read_bytes()
    path = tmp_path / "broken.heic"
    path.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + real[:500])
    with pytest.raises(PhotoError, match=r"broken\.heic"):
        _open_and_decode(path)


def test_library_thumbnail_of_bad_file_raises_photo_error(tmp_path):
    path = tmp_path / "junk.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    with pytest.raises(PhotoError, match=r"junk\.png"):
        thumbnail(path, 100)
