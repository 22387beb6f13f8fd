"""The library model: listing, sorting by capture time or name, ratings and flags in sidecars."""
from __future__ import annotations

import os

import pytest
from PIL import Image

from editor.core import sidecar as sidecars
from editor.core.document import Document
from editor.core.library import Library, edit_hash, read_entry
from editor.core.edit import Edit


def jpeg(path, when: str | None = None, colour=(120, 90, 60)):
    image = Image.new("RGB", (48, 32), colour)
    exif = Image.Exif()
    if when:
        exif.get_ifd(0x8769)[0x9003] = when  # DateTimeOriginal
    image.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture
def folder(tmp_path):
    jpeg(tmp_path / "a_late.jpg", "2024:05:01 12:00:00")
    jpeg(tmp_path / "b_early.jpg", "2023:01:01 08:30:00")
    jpeg(tmp_path / "c_middle.jpg", "2023:06:15 18:00:00")
    (tmp_path / "notes.txt").write_text("not a photo")
    (tmp_path / ".hidden.jpg").write_bytes(b"")
    return tmp_path


def names(lib):
    return [e.name for e in lib.entries]


def test_scan_lists_only_photos_sorted_by_exif_capture_time(folder):
    lib = Library.scan(folder)
    assert names(lib) == ["b_early.jpg", "c_middle.jpg", "a_late.jpg"]


def test_sort_by_name_then_back_to_time(folder):
    lib = Library.scan(folder)
    lib.sort("name")
    assert names(lib) == ["a_late.jpg", "b_early.jpg", "c_middle.jpg"]
    lib.sort("time")
    assert names(lib)[0] == "b_early.jpg"
    with pytest.raises(ValueError):
        lib.sort("size")


def test_photo_without_exif_time_sorts_by_file_mtime(tmp_path):
    old = jpeg(tmp_path / "z_old.jpg")
    new = jpeg(tmp_path / "a_new.jpg")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    assert names(Library.scan(tmp_path)) == ["z_old.jpg", "a_new.jpg"]


def test_rating_and_flag_are_saved_in_the_sidecar_and_read_back(folder):
    lib = Library.scan(folder)
    path = folder / "c_middle.jpg"
    lib.set_rating(path, 4)
    lib.set_flag(path, "reject")
    car = sidecars.load(path)
    assert (car.rating, car.flag) == (4, "reject")
    again = Library.scan(folder).entry(path)
    assert (again.rating, again.flag) == (4, "reject")
    with pytest.raises(ValueError):
        lib.set_rating(path, 6)
    with pytest.raises(ValueError):
        lib.set_flag(path, "maybe")


def test_marks_on_the_open_document_keep_its_history(folder):
    path = folder / "a_late.jpg"
    lib = Library.scan(folder)
    doc = Document(path)
    doc.update("exposure", exposure_ev=1.0)
    lib.document = doc
    lib.set_rating(path, 5)
    doc.update("exposure", exposure_ev=1.5)  # a later autosave must not lose the rating
    car = sidecars.load(path)
    assert car.rating == 5
    assert car.edit["exposure"].exposure_ev == 1.5
    assert len(car.history.steps) == 3


def test_unreadable_sidecar_is_listed_with_a_problem(folder):
    path = folder / "b_early.jpg"
    sidecars.path_for(path).write_text("{not json")
    entry = read_entry(path)
    assert entry.problem.startswith("sidecar unreadable: ") and "not valid JSON" in entry.problem
    assert entry.rating == 0


def test_add_appends_a_capture_at_the_end_and_notifies(folder, tmp_path):
    lib = Library.scan(folder)
    seen = []
    lib.subscribe(lambda l: seen.append(len(l.entries)))
    shot = jpeg(folder / "0_capture.jpg", "2020:01:01 00:00:00")
    assert lib.add(read_entry(shot)) == 3
    assert names(lib)[-1] == "0_capture.jpg"
    assert seen == [4]


def test_edit_hash_changes_with_the_edit():
    assert edit_hash(Edit()) == edit_hash(Edit())
    assert edit_hash(Edit()) != edit_hash(Edit().update("exposure", exposure_ev=0.5))


def test_marks_of_photos_not_open_go_through_the_writer(folder):
    lib = Library.scan(folder)
    calls = []
    lib.writer = lambda path, values: calls.append((path.name, values))
    lib.set_rating(folder / "a_late.jpg", 2)
    assert calls == [("a_late.jpg", {"rating": 2})]
    assert lib.entry(folder / "a_late.jpg").rating == 2
    assert not sidecars.path_for(folder / "a_late.jpg").exists()


def test_index_of_follows_sorting_appends_and_direct_changes(folder):
    from editor.core.library import Entry
    lib = Library.scan(folder)
    assert [lib.index_of(e.path) for e in lib.entries] == [0, 1, 2]
    lib.sort("name")
    assert lib.entries[lib.index_of(folder / "c_middle.jpg")].name == "c_middle.jpg"
    lib.entries.insert(0, Entry(folder / "new.jpg"))  # changed behind its back: still right
    assert lib.index_of(folder / "new.jpg") == 0 and lib.index_of(folder / "c_middle.jpg") == 3
    assert lib.index_of(folder / "gone.jpg") == -1


def test_sort_by_rating_puts_the_most_stars_first_and_by_last_edit_the_newest_first(tmp_path):
    import time as _time

    from editor.core import sidecar as sidecars
    from editor.core.edit import Edit
    from editor.core.library import Library
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        (tmp_path / name).write_bytes(b"\xff\xd8")
    car = sidecars.Sidecar()
    car.rating = 4
    sidecars.save(tmp_path / "b.jpg", car)
    library = Library.scan(tmp_path, "name")
    library.sort("rating")
    assert [e.name for e in library.entries][0] == "b.jpg"
    _time.sleep(0.01)
    library.note_edit(tmp_path / "c.jpg", Edit().update("exposure", exposure_ev=1.0))
    library.sort("edited")
    assert [e.name for e in library.entries][:2] == ["c.jpg", "b.jpg"]  # just edited, then the one with a sidecar
