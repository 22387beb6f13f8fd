"""Export temporary files: removed on every exit a run survives; after kill -9 the next run removes them,
and only them (files whose name and writer prove they are Darkslide's own and abandoned)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from editor.core import export
from test_helpers import photo_like, vips_image

ROOT = Path(__file__).resolve().parents[2]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # reaped: no process has this id now (reuse within the test is vanishingly rare)


def _temp(folder: Path, stem: str, pid: int, host: str = export._HOST, suffix: str = ".jpg") -> Path:
    path = folder / f".{stem}.{pid}-{host}-0123abcd.part{suffix}"
    path.write_bytes(b"half a photo")
    return path


def test_stale_files_of_dead_writers_go_and_everything_else_stays(tmp_path):
    dead = _temp(tmp_path, "IMG_1", _dead_pid())
    mine = _temp(tmp_path, "IMG_2", os.getpid())  # this process may be exporting into the folder now
    parent = _temp(tmp_path, "IMG_3", os.getppid())  # alive
    elsewhere = _temp(tmp_path, "IMG_4", _dead_pid(), host="abcdef" if export._HOST != "abcdef" else "fedcba")
    legacy = tmp_path / ".IMG_5.89abcdef.part.jpg"  # an older version's name: age alone decides
    legacy.write_bytes(b"x")
    others = [tmp_path / n for n in (".IMG_6.1234-abcdef-0123abcd.part.txt", "IMG_7.part.jpg", ".IMG_8.jpg",
                                     "notes.1-abcdef-0123abcd.part.jpg")]
    for p in others:
        p.write_bytes(b"not ours")
    folder_named_like_one = tmp_path / f".IMG_9.{_dead_pid()}-{export._HOST}-0123abcd.part.jpg"
    folder_named_like_one.mkdir()

    assert export.remove_stale_temp_files(tmp_path) == [dead]
    assert all(p.exists() for p in [mine, parent, elsewhere, legacy, folder_named_like_one, *others])

    later = time.time() + export.STALE_AFTER + 60  # a day on: what cannot be checked goes by age
    assert set(export.remove_stale_temp_files(tmp_path, now=later)) == {mine, parent, elsewhere, legacy}
    assert all(p.exists() for p in [folder_named_like_one, *others])


def test_a_failed_or_cancelled_export_leaves_no_temporary_file(tmp_path, make_photo, monkeypatch):
    import threading
    photo = make_photo("a.jpg", size=(400, 300))
    cancel = threading.Event()

    def cancelled_while_writing(_image, path, _settings):
        path.write_bytes(b"half a photo")
        cancel.set()

    monkeypatch.setattr(export, "_save", cancelled_while_writing)
    with pytest.raises(export.ExportCancelled):
        export.export_photo(photo, None, export.ExportSettings(), tmp_path / "out", cancel=cancel)
    monkeypatch.undo()

    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_place", full_disk)
    with pytest.raises(export.ExportError, match="No space left"):
        export.export_photo(photo, None, export.ExportSettings(), tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def _batch(tmp_path: Path, count: int) -> list[Path]:
    folder = tmp_path / "photos"
    folder.mkdir()
    image = vips_image(photo_like(1600, 1200))
    paths = []
    for i in range(count):
        path = folder / f"IMG_{i:02d}.jpg"
        image.write_to_file(str(path), Q=90)
        paths.append(path)
    return paths


def _export(photos, out: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "export", *map(str, photos), "--out", str(out),
                             "--format", "tiff", "--overwrite", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _parts(out: Path, ignore: Path | None = None) -> list[Path]:
    return [p for p in out.iterdir() if ".part." in p.name and p != ignore] if out.exists() else []


def _wait_for_part(out: Path, child: subprocess.Popen, ignore: Path | None = None, limit: float = 30.0) -> bool:
    """Poll until the child has a temporary file open (it is writing), or it ends."""
    end = time.monotonic() + limit
    seen = set(_parts(out, ignore))
    while time.monotonic() < end and child.poll() is None:
        if set(_parts(out, ignore)) - seen:
            return True
        time.sleep(0.005)
    return False


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_ten_kill_9_during_a_batch_then_one_normal_run_leave_nothing(tmp_path):
    photos, out = _batch(tmp_path, 4), tmp_path / "out"
    out.mkdir()
    decoy = out / ".IMG_00.89abcdef.part.tif"  # an older version's name, fresh: not provably abandoned
    decoy.write_bytes(b"someone else's")
    rng, left_behind = random.Random(16), 0
    for _ in range(10):
        child = _export(photos, out)
        writing = _wait_for_part(out, child, ignore=decoy)
        time.sleep(rng.uniform(0, 0.05))  # a random instant while a photo is being written
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        left_behind = max(left_behind, len(_parts(out, ignore=decoy)))
        assert writing or child.returncode == 0
    assert left_behind > 0  # the kills did land mid-write, so the normal run has something to clean
    child = _export(photos, out)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert _parts(out) == [decoy]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [p.stem + ".tif" for p in photos]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sigterm_cancels_and_removes_the_file_being_written(tmp_path):
    photos, out = _batch(tmp_path, 3), tmp_path / "out"
    child = _export(photos, out)
    assert _wait_for_part(out, child)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert _parts(out) == []
