"""The EXIF summary the app shows, read from a real camera's photo (the bundled Nikon sample)."""
from __future__ import annotations

from pathlib import Path

from editor.core.exif import summary
from editor.core.sources import open_photo

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "DSCN0012.jpg"


def test_a_camera_photo_gives_camera_exposure_date_and_place():
    info = dict(summary(open_photo(SAMPLE).exif))
    assert info["Camera"] == "COOLPIX P6000" or info["Camera"].endswith("COOLPIX P6000")
    assert info["Exposure"] == "1/178 s, f/4.5, ISO 64"
    assert info["Focal length"] == "6.0 mm (28 mm in 35 mm)"
    assert info["Taken"] == "2008-10-22 16:29:49"
    assert info["Location"] == "43.46716° N, 11.88539° E"


def test_no_or_broken_exif_gives_nothing():
    assert summary(None) == [] and summary(b"not exif at all") == []
