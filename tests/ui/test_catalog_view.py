"""The library panel over a real catalog: folder list with counts, filter bar, lazy grid, marks by key."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from editor.app.library import LibraryController
from editor.core import sidecar as sidecars
from editor.core.catalog import Catalog

pytest.importorskip("pytestqt")


def jpeg_bytes(model: str) -> bytes:
    image = Image.new("RGB", (48, 32), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = model.split()[0], model  # Make, Model
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def panel(qtbot, tmp_path):
    from editor.ui.catalog_view import LibraryPanel
    from editor.ui.workers import ThumbnailService
    for folder, count, model in (("trip", 6, "NIKON Z6"), ("home", 4, "Canon EOS R5")):
        (tmp_path / folder).mkdir()
        for i in range(count):
            (tmp_path / folder / f"{folder}_{i}.jpg").write_bytes(jpeg_bytes(model=model))
    sidecars.save(tmp_path / "trip" / "trip_2.jpg", sidecars.Sidecar(rating=5, flag="pick"))
    catalog = Catalog(tmp_path / "data" / "catalog.sqlite3")
    for folder in ("trip", "home"):
        catalog.add_folder(tmp_path / folder)
    catalog.scan()
    thumbs = ThumbnailService(tmp_path / "thumbs")
    widget = LibraryPanel(LibraryController(catalog), thumbs)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    yield widget, tmp_path
    widget.shutdown()
    thumbs.shutdown()
    catalog.close()


def labels(widget):
    return widget.folders.labels()


def test_folder_list_counts_and_choosing_a_folder_filters_the_grid(panel):
    widget, _ = panel
    assert labels(widget) == ["All photographs   10", "trip   6", "home   4"]
    assert widget.model.rowCount() == 10
    widget.folders.tree.setCurrentItem(widget.folders.tree.topLevelItem(2))
    assert widget.model.rowCount() == 4
    assert widget.model.index(0).data(Qt.ItemDataRole.DisplayRole).startswith("home_")


def test_filter_bar_camera_and_flag_are_answered_by_the_catalog(panel):
    widget, _ = panel
    bar = widget.filters
    bar.camera.setCurrentIndex(bar.camera.findData("NIKON Z6"))
    assert widget.model.rowCount() == 6
    bar.flag.setCurrentIndex(bar.flag.findData("pick"))
    assert widget.model.rowCount() == 1
    bar.flag.setCurrentIndex(0)
    bar.sort.setCurrentIndex(bar.sort.findData("name"))
    bar.reverse.setChecked(True)
    assert widget.model.index(0).data(Qt.ItemDataRole.DisplayRole) == "trip_5.jpg"


def test_a_rating_key_on_the_grid_lands_in_sidecar_and_catalog(panel, qtbot):
    widget, tmp_path = panel
    widget.filters.sort.setCurrentIndex(widget.filters.sort.findData("name"))
    widget.grid.setCurrentIndex(widget.model.index(0))  # home_0.jpg
    widget.grid.setFocus()
    qtbot.keyClick(widget.grid, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: sidecars.load(tmp_path / "home" / "home_0.jpg").rating == 3, timeout=10000)
    assert widget.controller.catalog.photo(tmp_path / "home" / "home_0.jpg").rating == 3
    assert widget.model.index(0).data(Qt.UserRole + 1).rating == 3


def test_an_offline_folder_is_listed_greyed_with_its_photos(panel):
    widget, tmp_path = panel
    (tmp_path / "home").rename(tmp_path / "unplugged")
    report = widget.controller.catalog.scan()
    widget.controller._scanned(report)
    assert "home   4  (offline)" in labels(widget)
    assert widget.model.rowCount() == 10


def test_the_window_keeps_the_catalog_in_step_with_marks_and_captures(make_window, photo_folder, qtbot, tmp_path):
    from ui_helpers import write_photo
    window = make_window(photo_folder)
    ctl = window.library_ctl
    ctl.add_folder(photo_folder)
    qtbot.waitUntil(lambda: len(ctl) == 3, timeout=10000)
    # a rating in the folder view: sidecar first, then the catalog row
    qtbot.waitUntil(lambda: window.grid.currentIndex().isValid(), timeout=10000)
    window.show_grid()
    path = window.grid.currentIndex().data(Qt.UserRole + 1).path
    window.set_rating(4)
    qtbot.waitUntil(lambda: ctl.catalog.photo(path).rating == 4, timeout=10000)
    assert sidecars.load(path).rating == 4
    # the same keys in the library view mark the library's selection
    window.show_catalog()
    panel = window.catalog_panel
    panel.grid.setCurrentIndex(panel.model.index(2))
    chosen = panel.model.index(2).data(Qt.UserRole + 1).path
    window.set_flag("pick")
    # the runner writes the sidecar, then the catalog row: wait for the second
    qtbot.waitUntil(lambda: ctl.catalog.photo(chosen).flag == "pick", timeout=10000)
    assert sidecars.load(chosen).flag == "pick"
    # a tether session and its capture, as tether.controller announces them (from its own thread)
    session = tmp_path / "sessions" / "Shoot"
    session.mkdir(parents=True)
    window.tether_seen.emit("connected", {"session_dir": session})
    write_photo(session / "Shoot_0001.jpg", 64, 48, seed=5)
    window.tether_seen.emit("capture", {"path": session / "Shoot_0001.jpg", "session_dir": session})
    qtbot.waitUntil(lambda: any(f.kind == "session" and f.count == 1 for f in ctl.folders()), timeout=10000)
    assert "◉ Shoot   1" in labels(panel)


def test_export_from_the_library_view_takes_its_selection(make_window, photo_folder, qtbot):
    window = make_window(photo_folder)
    window.library_ctl.add_folder(photo_folder)
    qtbot.waitUntil(lambda: len(window.library_ctl) == 3, timeout=10000)
    window.show_catalog()
    panel = window.catalog_panel
    panel.grid.selectionModel().select(panel.model.index(1), panel.grid.selectionModel().SelectionFlag.Select)
    chosen = panel.model.index(1).data(Qt.UserRole + 1).path
    assert [e.path for e in window.selected_entries()] == [chosen]


def test_sub_folders_are_listed_under_their_folder_and_filter_when_chosen(panel):
    widget, tmp_path = panel
    (tmp_path / "trip" / "day2").mkdir()
    (tmp_path / "trip" / "trip_0.jpg").rename(tmp_path / "trip" / "day2" / "trip_0.jpg")
    widget.controller._scanned(widget.controller.catalog.scan())
    assert labels(widget)[1:3] == ["trip   6", "  day2   1"]
    trip = widget.folders.tree.topLevelItem(1)
    widget.folders.tree.setCurrentItem(trip.child(0))
    assert widget.model.rowCount() == 1
    assert widget.model.index(0).data(Qt.ItemDataRole.DisplayRole) == "trip_0.jpg"


def test_the_window_refuses_a_newer_catalog_in_words_and_keeps_working(make_window, photo_folder, tmp_path, qtbot):
    import hashlib
    import sqlite3
    data = tmp_path / "data"  # make_window's DARKSLIDE_DATA_DIR
    Catalog(data / "catalog.sqlite3").close()
    con = sqlite3.connect(data / "catalog.sqlite3")
    con.execute("PRAGMA user_version = 42")
    con.commit()
    con.close()
    before = hashlib.sha256((data / "catalog.sqlite3").read_bytes()).hexdigest()
    window = make_window(photo_folder)
    assert window.catalog is None and "newer Darkslide" in window.catalog_panel.text()
    window.show_catalog()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)  # the folder view still works
    window.show_grid()
    window.select_row(0)
    window.set_rating(2)
    window.shutdown()
    assert hashlib.sha256((data / "catalog.sqlite3").read_bytes()).hexdigest() == before


def test_a_catalogued_folder_opens_in_the_editor_from_its_rows(make_window, photo_folder, qtbot, monkeypatch):
    from editor.core.library import Library
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)
    window.library_ctl.add_folder(photo_folder)
    qtbot.waitUntil(lambda: len(window.library_ctl) == 3, timeout=10000)
    window.library_ctl.set_marks([1], rating=5)
    rated = window.library_ctl.photo(1).path
    qtbot.waitUntil(lambda: window.library_ctl.catalog.photo(rated).rating == 5, timeout=10000)

    def no_scan(*_args):
        raise AssertionError("a catalogued folder was read again")
    monkeypatch.setattr(Library, "scan", no_scan)
    with qtbot.waitSignal(window.library_loaded, timeout=10000) as loaded:
        window.open_folder(photo_folder)
    library = loaded.args[0]
    assert sorted(e.name for e in library.entries) == sorted(p.name for p in photo_folder.glob("*.jpg"))
    assert library.entry(rated).rating == 5 and library.entry(rated).edited > 0


def test_the_l_key_shows_the_library_and_g_the_folder_grid(make_window, photo_folder, qtbot):
    window = make_window(photo_folder)
    window.show_grid()
    qtbot.waitUntil(lambda: window.grid.currentIndex().isValid(), timeout=10000)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_L)  # a shortcut, not the grid's type-to-find
    assert window.center.currentWidget() is window.catalog_panel
    qtbot.keyClick(window.catalog_panel, Qt.Key.Key_G)
    assert window.center.currentWidget() is not window.catalog_panel
