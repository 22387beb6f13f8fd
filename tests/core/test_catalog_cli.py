"""The catalog from the command line, and two processes writing to one catalog at once."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from editor.core import sidecar as sidecars
from editor.core.catalog import Catalog
from test_catalog import jpeg_bytes, photo

ROOT = Path(__file__).resolve().parents[2]


def darkslide(*args, data: Path, stdin: str | None = None, timeout: float = 60):
    env = dict(os.environ, DARKSLIDE_DATA_DIR=str(data))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], input=stdin, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_library_add_list_and_rebuild_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    for name, when in (("a.jpg", "2024:05:01 10:00:00"), ("b.jpg", "2024:05:03 10:00:00")):
        photo(tmp_path / "shoot" / name, when=when)
    photo(tmp_path / "shoot" / "deeper" / "c.jpg", when="2024:04:01 10:00:00")
    sidecars.save(tmp_path / "shoot" / "b.jpg", sidecars.Sidecar(rating=4, flag="pick"))
    added = darkslide("library", "add", tmp_path / "shoot", data=data)
    assert added.returncode == 0 and "3 added" in added.stderr
    picks = darkslide("library", "list", "--flag", "pick", "--rating", "3", "--since", "2024-05-02", data=data)
    assert picks.stdout.splitlines() == [str(tmp_path / "shoot" / "b.jpg")]
    (data / "catalog.sqlite3").write_bytes(b"garbage" * 100)
    rebuilt = darkslide("library", "rebuild", data=data)
    assert rebuilt.returncode == 0 and "damaged" in rebuilt.stderr
    assert darkslide("library", "list", "--flag", "pick", data=data).stdout.splitlines() == picks.stdout.splitlines()
    sub = darkslide("library", "list", "--folder", tmp_path / "shoot" / "deeper", data=data)
    assert sub.returncode == 0 and sub.stdout.splitlines() == [str(tmp_path / "shoot" / "deeper" / "c.jpg")]
    folders = darkslide("library", "folders", data=data).stdout
    assert "3  folder   online" in folders
    bad = darkslide("library", "list", "--since", "last week", data=data)
    assert bad.returncode == 2 and "not a date" in bad.stderr


@pytest.mark.slow
def test_library_list_pipes_into_export(tmp_path):
    data = tmp_path / "data"
    photo(tmp_path / "shoot" / "keep.jpg")
    photo(tmp_path / "shoot" / "skip.jpg")
    sidecars.save(tmp_path / "shoot" / "keep.jpg", sidecars.Sidecar(flag="pick"))
    darkslide("library", "add", tmp_path / "shoot", data=data)
    paths = darkslide("library", "list", "--flag", "pick", data=data).stdout
    out = darkslide("export", "--out", tmp_path / "out", "-", data=data, stdin=paths)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["keep.jpg"]


def test_a_cli_scan_and_this_process_write_the_same_catalog_at_once(tmp_path):
    """The CLI's `library add` of 1,500 photos runs while this process rates photos: nobody loses."""
    data = tmp_path / "data"
    blob = jpeg_bytes()
    big = tmp_path / "big"
    for d in range(3):
        (big / str(d)).mkdir(parents=True)
        for i in range(500):
            (big / str(d) / f"{i}.jpg").write_bytes(blob)
    mine = [photo(tmp_path / "mine" / f"{i}.jpg") for i in range(40)]
    with Catalog(data / "catalog.sqlite3") as cat:
        cat.add_folder(tmp_path / "mine")
        cat.scan()
        env = dict(os.environ, DARKSLIDE_DATA_DIR=str(data))
        child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "library", "add", str(big)], env=env,
                                 stderr=subprocess.PIPE, text=True)
        rated, deadline = 0, time.monotonic() + 30
        while (child.poll() is None or rated < len(mine)) and time.monotonic() < deadline:
            cat.set_marks(mine[rated % len(mine)], rating=rated % 5 + 1)
            rated += 1
        assert child.wait(30) == 0, child.stderr.read()
        overlapped = cat.count()  # both sets of rows are there
        assert overlapped == 1540
        for i, path in enumerate(mine):
            last = max(r for r in range(rated) if r % len(mine) == i)
            assert cat.photo(path).rating == sidecars.load(path).rating == last % 5 + 1
        assert rated > len(mine)  # we were still writing while the child scanned


def test_a_terminal_tether_session_joins_the_catalog_and_a_bad_catalog_never_stops_it(tmp_path):
    from editor.cli.library import SessionRecorder
    session = tmp_path / "sessions" / "Shoot"
    said = []
    record = SessionRecorder(said.append, tmp_path / "data" / "catalog.sqlite3")
    for i in range(3):
        record(photo(session / f"Shoot_{i}.jpg"))
    record.close()
    with Catalog(tmp_path / "data" / "catalog.sqlite3") as cat:
        assert [(f.kind, f.count) for f in cat.folders()] == [("session", 3)]
    (tmp_path / "newer.sqlite3").write_bytes((tmp_path / "data" / "catalog.sqlite3").read_bytes())
    import sqlite3
    con = sqlite3.connect(tmp_path / "newer.sqlite3")
    con.execute("PRAGMA user_version = 7")
    con.commit()
    con.close()
    refused = SessionRecorder(said.append, tmp_path / "newer.sqlite3")
    refused(session / "Shoot_0.jpg")
    refused(session / "Shoot_1.jpg")
    assert len(said) == 1 and "newer Darkslide" in said[0] and "library add" in said[0]
