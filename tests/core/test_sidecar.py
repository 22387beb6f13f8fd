import json
import os

import pytest

from editor.core import sidecar
from editor.core.atomic import write_atomic
from editor.core.edit import Edit, History


def test_missing_sidecar_gives_a_fresh_edit(tmp_path):
    loaded = sidecar.load(tmp_path / "IMG_0001.jpg")
    assert loaded.edit == Edit() and loaded.rating == 0 and loaded.flag is None


def test_sidecar_round_trips_edit_history_rating_and_flag(tmp_path):
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(b"original")
    history = History()
    history.commit("Exposure", history.current.update("exposure", exposure_ev=0.7))
    path = sidecar.save(photo, sidecar.Sidecar(history, rating=4, flag="pick"))
    assert path.name == "IMG_0001.jpg.darkslide"
    data = json.loads(path.read_text())
    assert data["format"] == "darkslide-sidecar" and data["version"] == 1
    assert data["edit"]["operations"]["exposure"]["params"] == {"exposure_ev": 0.7}
    loaded = sidecar.load(photo)
    assert loaded.edit == history.current and loaded.rating == 4 and loaded.flag == "pick"
    assert [s.label for s in loaded.history.steps] == ["Open", "Exposure"]
    assert photo.read_bytes() == b"original"


@pytest.mark.parametrize("content, message", [
    ("{not json", "Expecting property name"),
    ('{"format": "darkslide-sidecar", "version": 7, "edit": {}}', "written by a newer Darkslide"),
    ('{"format": "something-else"}', "not a Darkslide sidecar"),
    ('{"format": "darkslide-sidecar", "version": 1, "edit": {"operations": {"exposure": '
     '{"version": 1, "params": {"exposure_ev": 40}}}}}', "outside"),
])
def test_broken_or_future_sidecars_name_the_file(tmp_path, content, message):
    photo = tmp_path / "a.jpg"
    sidecar.path_for(photo).write_text(content)
    with pytest.raises(sidecar.SidecarError) as err:
        sidecar.load(photo)
    assert "a.jpg.darkslide" in str(err.value) and message in str(err.value)


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.darkslide"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(target, "new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.darkslide"]  # no temp file left behind


def test_sidecar_writes_a_bounded_history_whatever_the_session_length(tmp_path):
    photo = tmp_path / "IMG_0002.jpg"
    history = History()
    sizes = {}
    for i in range(1, 501):
        history.commit(f"Step {i % 2}", history.current.update("exposure", exposure_ev=round(-2 + i / 200, 3))
                       .update("vignette", amount=float(-(i % 90))))
        if i in (150, 500):
            path = sidecar.save(photo, sidecar.Sidecar(history))
            sizes[i] = path.stat().st_size
            data = json.loads(path.read_text())
            assert len(data["history"]["steps"]) == sidecar.SAVED_STEPS
    assert abs(sizes[500] - sizes[150]) < 0.02 * sizes[150]  # the file stops growing with the session
    loaded = sidecar.load(photo)
    assert loaded.edit == history.current
    for _ in range(sidecar.SAVED_STEPS - 2):
        loaded.history.undo()
        history.undo()
        assert loaded.edit == history.current  # the same steps, back SAVED_STEPS - 1 of them
    loaded.history.undo()
    assert loaded.edit == Edit() and not loaded.history.can_undo  # then the original


def _killed_save(folder, name):
    """Run a sidecar-style atomic write in a child that dies (as kill -9 would) just before its rename."""
    import subprocess
    import sys
    code = ("import os, sys; from pathlib import Path; from editor.core import atomic; "
            "os.replace = lambda *a: os._exit(9); atomic.write_atomic(Path(sys.argv[1]), '{}')")
    assert subprocess.run([sys.executable, "-c", code, str(folder / name)]).returncode == 9
    (left,) = [p for p in folder.iterdir() if p.name.startswith(f".{name}.")]
    return left


def test_saves_cut_short_by_a_kill_are_cleared_from_a_folder_once_abandoned(tmp_path):
    import time
    from editor.core.catalog.scan import walk
    from editor.core.library import Library
    old, young = _killed_save(tmp_path, "a.jpg.darkslide.json"), _killed_save(tmp_path, "b.jpg.darkslide.json")
    decoy = tmp_path / ".notes.darkslide.tmp"  # not write_atomic's pattern: never ours to delete
    decoy.write_text("x")
    hours_ago = time.time() - 2 * 3600
    for path in (old, decoy):
        os.utime(path, (hours_ago, hours_ago))
    Library.scan(tmp_path)
    assert not old.exists() and young.exists() and decoy.exists()
    os.utime(young, (hours_ago, hours_ago))
    walk(tmp_path, set())  # the catalog's scan clears them too
    assert not young.exists() and decoy.exists()
