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


@pytest.mark.parametrize("name", ["../../x", "../x", "/abs/olute", "a/b", "a\\b", "..", ".", ".hidden", "", "tab\tname"])
def test_a_session_name_that_would_leave_the_sessions_folder_is_refused(tmp_path, host_key, name):
    import argparse
    from tether import cli
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    out = tmp_path / "sessions"
    args = parser.parse_args(["--tcp", "127.0.0.1:1", "--session", name, "--out", str(out), "--key", str(host_key)])
    lines = []
    assert cli.run(args, out=lines.append) == 2
    assert lines and lines[-1].startswith("Error:") and ("plain folder name" in lines[-1] or "required" in lines[-1])
    assert list(tmp_path.iterdir()) == [], "nothing written anywhere (not even the sessions folder)"


def test_journal_intent_counts_as_ingested_until_reconciled(tmp_path):
    from tether.ingest import TMP_SUFFIX, reconcile
    from tether.journal import Intent
    import hashlib
    j = Journal(tmp_path)
    body = b"photo bytes"
    md5 = hashlib.md5(body).hexdigest()
    landed = Intent("S", "/sdcard/DCIM/Camera/A.jpg", len(body), 1, md5, str(tmp_path / "s_0001.jpg"), None, 1)
    lost = Intent("S", "/sdcard/DCIM/Camera/B.jpg", len(body), 1, md5, str(tmp_path / "s_0002.jpg"), None, 2)
    for intent in (landed, lost):
        j.intend(intent)
    (tmp_path / ("s_0001.jpg" + TMP_SUFFIX)).write_bytes(body)  # killed between the intent and the rename
    (tmp_path / ("s_0002.jpg" + TMP_SUFFIX)).write_bytes(body[:4])  # its temp copy is not whole
    assert j.is_ingested("S", landed.device_path, len(body), 1) and j.is_ingested("S", lost.device_path, len(body), 1)
    assert reconcile(j) == [landed]
    assert (tmp_path / "s_0001.jpg").read_bytes() == body and not list(tmp_path.glob("*" + TMP_SUFFIX))
    assert j.is_ingested("S", landed.device_path, len(body), 1), "landed: recorded"
    assert not j.is_ingested("S", lost.device_path, len(body), 1), "lost: pulled again"
    assert [e.local_path for e in j.undeveloped()] == [landed.local_path], "its look is still to be applied"
    j.close()
