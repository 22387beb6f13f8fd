"""Naming templates, device-name safety and the journal's counter."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tether.journal import Journal
from tether.naming import Namer, is_capture_candidate, is_safe_device_name, sanitise_component


def test_template_fields_and_default_padding():
    namer = Namer("{session}-{date}-{seq}-{model}-{orig}", session="Studio A", model="ELS-NX9")
    when = 1795600000.0  # fixed instant
    name = namer.name(7, "IMG_20261125_101500.JPG", when)
    assert name.startswith("Studio A-2026") and "-0007-ELS-NX9-IMG_20261125_101500" in name
    assert name.endswith(".jpg")
    assert Namer("{seq:06}").name(7, "a.dng") == "000007.dng"
    with pytest.raises(ValueError):
        Namer("{nope}")


@pytest.mark.parametrize("name", ["..", ".", "a/b.jpg", "x\0.jpg", "tab\t.jpg", "", "a\\b.jpg", "x" * 300 + ".jpg"])
def test_unsafe_names(name):
    assert not is_safe_device_name(name)


def test_candidates():
    assert is_capture_candidate("IMG_1.jpg") and is_capture_candidate("IMG_1.HEIC") and is_capture_candidate("r.dng")
    for name in (".pending-1-IMG.jpg", ".hidden.jpg", "IMG.jpg.tmp", "video.mp4", "thumb.txt"):
        assert not is_capture_candidate(name)


def test_sanitise_never_yields_path_parts():
    for text in ("../../etc/passwd", "a/b", "..", "$(rm -rf ~)", "\x1b[31mred"):
        clean = sanitise_component(text)
        assert "/" not in clean and clean not in ("", ".", "..") and "\x1b" not in clean


def test_journal_counter_survives_reopen_and_pairs_share_seq(tmp_path):
    j = Journal(tmp_path)
    assert j.seq_for_shot("S", "img_1") == 1
    assert j.seq_for_shot("S", "img_1") == 1, "the DNG of the same shot"
    assert j.seq_for_shot("S", "img_2") == 2
    j.record("S", "/sdcard/DCIM/Camera/IMG_1.jpg", 10, 5, "m", str(tmp_path / "a.jpg"), 1)
    j.close()
    j = Journal(tmp_path)
    assert j.peek_next_seq() == 3 and j.is_ingested("S", "/sdcard/DCIM/Camera/IMG_1.jpg", 10, 5)
    assert not j.is_ingested("S", "/sdcard/DCIM/Camera/IMG_1.jpg", 11, 5)
    j.close()


def test_preview_next_name(phone, connect, tmp_path):
    from tether.session import Session
    session = Session(connect(phone), tmp_path / "s", "shoot").start()
    try:
        assert session.preview_next_name() == "shoot_0001.jpg"
    finally:
        session.stop()


def test_tether_imports_no_qt():
    code = ("import sys, tether.cli, tether.session, tether.simphone, tether.liveview, tether.trigger, "
            "tether.usb_devices; assert not [m for m in sys.modules if m.startswith('PySide6')]")
    subprocess.run([sys.executable, "-c", code], check=True)
