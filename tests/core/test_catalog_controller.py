"""The library controller over a real catalog (Qt-free): lazy pages, filters, marks, captures, scans."""
from __future__ import annotations

import pytest

from editor.app.library import PAGE, LibraryController
from editor.core import sidecar as sidecars
from editor.core.catalog import Catalog
from test_catalog import jpeg_bytes, photo


@pytest.fixture
def library(tmp_path):
    blob = jpeg_bytes()
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for i in range(PAGE * 2 + 10):
        (shoot / f"IMG_{i:04d}.jpg").write_bytes(blob)
    sidecars.save(shoot / "IMG_0007.jpg", sidecars.Sidecar(rating=4, flag="pick"))
    catalog = Catalog(tmp_path / "data" / "catalog.sqlite3")
    catalog.add_folder(shoot)
    catalog.scan()
    controller = LibraryController(catalog)
    controller.set_filter(sort="name")
    yield controller, shoot
    catalog.close()


def events(controller):
    seen = []
    for name in ("changed", "rows_changed", "folders_changed", "scanned"):
        getattr(controller, name).subscribe(lambda *a, name=name: seen.append((name, *a)))
    return seen


def test_rows_are_fetched_a_page_at_a_time_when_first_asked_for(library):
    controller, _ = library
    assert len(controller) == PAGE * 2 + 10 and list(controller._pages) == [0]  # the first screen only
    assert controller.photo(PAGE + 3).name == f"IMG_{PAGE + 3:04d}.jpg"
    assert list(controller._pages) == [0, 1]  # only the page holding that row was read
    assert controller.photo(len(controller)) is None


class Deferred:
    """A runner that holds the jobs until told to run them (as a worker thread would, later)."""

    def __init__(self):
        self.jobs = []

    def run(self, fn, *args, done=None, error=None):
        self.jobs.append((fn, args, done))

    def finish(self):
        jobs, self.jobs = self.jobs, []
        for fn, args, done in jobs:
            done(fn(*args))


def test_pages_are_read_by_offset_until_the_ids_arrive_and_stale_ids_are_dropped(library):
    controller, _ = library
    runner = controller.runner = Deferred()
    controller.set_filter(sort="name", descending=True)
    assert controller.ids is None and controller.photo(PAGE * 2).name == f"IMG_{9:04d}.jpg"  # 522 photos, reversed
    controller.set_filter(descending=False)  # the first filter's ids arrive after this one's: ignored
    runner.finish()
    assert controller.ids is not None and len(controller.ids) == len(controller)
    assert controller.photo(PAGE * 2).name == f"IMG_{PAGE * 2:04d}.jpg"
    assert controller.row_of(controller.photo(5).id) == 5


def test_a_filter_change_replaces_the_list_and_says_so(library):
    controller, _ = library
    seen = events(controller)
    controller.set_filter(flag="pick")
    assert len(controller) == 1 and controller.photo(0).rating == 4
    assert seen == [("changed",)]
    controller.set_filter(flag="pick")  # no change, no event
    assert seen == [("changed",)]


def test_marks_from_the_view_reach_sidecar_and_catalog_and_the_row(library):
    controller, shoot = library
    seen = events(controller)
    controller.photo(3)
    controller.set_marks([3, 5], rating=2, flag="reject")
    assert sidecars.load(shoot / "IMG_0003.jpg").rating == 2
    assert controller.catalog.photo(shoot / "IMG_0005.jpg").flag == "reject"
    assert controller.photo(3).rating == 2  # the cached page was updated in place
    assert ("rows_changed", [3]) in seen and ("rows_changed", [5]) in seen


def test_a_tether_capture_registers_its_session_and_appears(library, tmp_path):
    controller, _ = library
    session = tmp_path / "sessions" / "Shoot"
    shot = photo(session / "Shoot_0001.jpg")
    seen = events(controller)
    controller.add_capture(shot, session)
    assert [(f.kind, f.count) for f in controller.folders()][-1] == ("session", 1)
    assert controller.row_of_path(shot) >= 0 and ("folders_changed",) in seen


def test_a_background_scan_finds_new_photos_and_refreshes(library):
    controller, shoot = library
    seen = events(controller)
    photo(shoot / "later" / "new.jpg")
    controller.scan()
    assert controller.row_of_path(shoot / "later" / "new.jpg") >= 0
    assert any(e[0] == "scanned" and e[1].added == 1 for e in seen)


def test_a_damaged_catalog_is_said_and_rebuilt_from_the_view(library):
    controller, shoot = library
    said = []
    controller.message.subscribe(said.append)
    path = controller.catalog.path
    controller.catalog.close()
    data = bytearray(path.read_bytes())
    data[16 * 4096:] = b"\x5a" * (len(data) - 16 * 4096)
    path.write_bytes(bytes(data))
    controller.catalog.reopen()
    controller.refresh()
    assert len(controller) == 0 and "library rebuild" in said[-1]
    controller.rebuild()
    assert len(controller) == PAGE * 2 + 10 and controller.photo(7).rating == 4
    assert any("damaged" in text for text in said)


def test_sub_folders_form_a_tree_with_counts_of_everything_below(library):
    controller, shoot = library
    for sub in ("2024/05-06", "2024/05-07", "2023/12-24"):
        photo(shoot / sub / "x.jpg")
    controller.scan()
    folder = controller.folders()[0]
    tree = [(str(p.relative_to(shoot)), depth, count) for p, depth, count in controller.subfolders(folder)]
    assert tree == [("2023", 0, 1), ("2023/12-24", 1, 1), ("2024", 0, 2), ("2024/05-06", 1, 1),
                    ("2024/05-07", 1, 1)]
    controller.show_subfolder(shoot / "2024")
    assert len(controller) == 2
    controller.show_folder(folder)
    assert len(controller) == PAGE * 2 + 10 + 3


def test_a_photo_that_cannot_be_marked_is_named_and_the_others_are_marked(library):
    controller, shoot = library
    said = []
    controller.message.subscribe(said.append)
    sidecars.path_for(shoot / "IMG_0001.jpg").write_text("{broken")
    controller.set_marks([0, 1, 2], flag="pick")
    assert [controller.photo(r).flag for r in (0, 1, 2)] == ["pick", None, "pick"]
    assert len(said) == 1 and "IMG_0001.jpg" in said[0]
