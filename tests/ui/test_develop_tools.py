"""Develop tools photographers reach for first: slider tracks that show their effect, quarter turns and
the crop aspect on its side."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt

from ui_helpers import wait_preview


def open_first(qtbot, make_window, folder):
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    return window


def stops(style: str) -> list[tuple[int, int, int]]:
    return [tuple(map(int, m)) for m in re.findall(r"rgb\((\d+),(\d+),(\d+)\)", style)]


def test_white_balance_and_hsl_tracks_show_what_the_slider_does(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    temperature = stops(window.develop.row("white_balance", "temperature").slider.styleSheet())
    assert temperature[0][2] > temperature[0][0] and temperature[-1][0] > temperature[-1][2]  # blue -> amber
    tint = stops(window.develop.row("white_balance", "tint").slider.styleSheet())
    assert tint[0][1] > tint[0][0] and tint[-1][0] > tint[-1][1]  # green -> magenta
    saturation = stops(window.develop.row("hsl", "blue_saturation").slider.styleSheet())
    grey, full = saturation[0], saturation[-1]
    assert max(grey) - min(grey) < 10 and full[2] > full[0] + 40  # grey -> blue
    assert window.develop.row("exposure", "exposure_ev").slider.styleSheet() == ""


def test_quarter_turn_buttons_and_the_aspect_key(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    window.develop.sections["crop"].header.setChecked(False)  # expanded
    window.develop.turn_buttons["right"].click()
    assert window.doc.edit["crop"].rotate90 == 1
    window.develop.turn_buttons["left"].click()
    window.develop.turn_buttons["left"].click()
    assert window.doc.edit["crop"].rotate90 == 3
    window.develop.row("crop", "aspect").combo.setCurrentText("3:2")
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert window.doc.edit["crop"].aspect == "2:3"
    window.develop.row("crop", "aspect").combo.setCurrentText("free")
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert window.doc.edit["crop"].aspect == "free"


def test_the_photo_info_panel_shows_the_camera_and_exposure(qtbot, make_window, tmp_path):
    import shutil
    from pathlib import Path
    folder = tmp_path / "camera"
    folder.mkdir()
    sample = Path(__file__).resolve().parents[2] / "resources" / "samples" / "DSCN0012.jpg"
    shutil.copy(sample, folder / sample.name)
    window = open_first(qtbot, make_window, folder)
    panel = window.exif
    assert not panel.body.isVisible()  # collapsed until asked
    panel.header.setChecked(False)
    qtbot.waitUntil(lambda: "ISO 64" in panel.body.text(), timeout=10000)
    assert "COOLPIX P6000" in panel.body.text() and "43.46716° N" in panel.body.text()


def test_library_badges_edited_photos_and_the_grid_thumbnails_resize(qtbot, make_window, photo_folder):
    from editor.ui.library_view import is_edited
    window = open_first(qtbot, make_window, photo_folder)
    assert not is_edited(window.model.entry(0))
    window.develop.row("exposure", "exposure_ev").slider.setValue(70)
    window._refresh_thumb()  # the library notes the edit (a timer does this shortly after a change)
    assert is_edited(window.model.entry(0)) and not is_edited(window.model.entry(1))
    window.show_grid()
    before = window.grid.visualRect(window.model.index(0)).width()
    window.thumb_size.setValue(300)
    assert window.grid.visualRect(window.model.index(0)).width() == 300 > before
    assert int(window.settings.value("thumb_size")) == 300


def test_the_tone_curve_editor_is_larger_and_shows_the_histogram_behind_the_curve(qtbot, make_window,
                                                                                  photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    curve = window.develop.sections["tone_curve"].curve
    assert curve.minimumHeight() >= 240
    qtbot.waitUntil(lambda: curve.histogram is window.last_result.histogram, timeout=10000)
    area = curve._area()
    shape = curve._histogram_path(area)
    assert shape is not None and shape.boundingRect().height() > area.height() * 0.5
