"""The Basic section, Auto white balance and tone, and the white-balance picker in the loupe."""
from __future__ import annotations

import numpy as np
import pyvips
from PySide6.QtCore import QPoint, Qt

from ui_helpers import wait_preview


def cast_photo(path, width=320, height=240):
    """A neutral grey card (left half) and a colourful right half, all under a strong blue cast."""
    rgb = np.empty((height, width, 3), np.float64)
    rgb[:, : width // 2] = 0.5
    y, x = np.mgrid[0:height, 0:width - width // 2]
    rgb[:, width // 2:] = np.stack([0.3 + 0.4 * x / x.max(), 0.6 - 0.3 * y / y.max(), 0.4 + 0.0 * x], -1)
    rgb = np.clip(rgb ** 2.2 * np.array([0.75, 1.0, 1.35]), 0, 1) ** (1 / 2.2)
    pyvips.Image.new_from_array((rgb * 255).astype(np.uint8)).copy(interpretation="srgb").write_to_file(str(path))
    return path


def test_the_basic_section_groups_the_first_controls_above_the_others(qtbot, make_window, photo_folder):
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    develop = window.develop
    inner = develop.widget().layout()
    order = [inner.itemAt(i).widget() for i in range(inner.count()) if inner.itemAt(i).widget()]
    assert order.index(develop.basic) < order.index(develop.sections["tone_curve"])
    assert develop.sections["exposure"].parent() is develop.basic.body
    assert not develop.sections["exposure"].header.isVisibleTo(develop)
    wait_preview(qtbot, window)
    develop.row("exposure", "exposure_ev").slider.setValue(70)
    assert develop.basic.header.text().endswith("•")


def test_auto_white_balance_and_the_picker_neutralise_the_cast(qtbot, make_window, tmp_path):
    folder = tmp_path / "cast"
    folder.mkdir()
    cast_photo(folder / "blue.jpg")
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    window.develop.auto_buttons["white_balance"].click()
    qtbot.waitUntil(lambda: window.doc.edit["white_balance"].temperature > 10, timeout=10000)
    steps = len(window.doc.history.steps)
    window.documents.reset_all()
    gen = window.shown_gen
    window.develop.picker.setChecked(True)
    loupe = window.loupe
    assert loupe.picking
    wait_preview(qtbot, window, gen)
    rect = loupe._image_rect()
    grey = QPoint(int(rect.left() + rect.width() * 0.25), int(rect.center().y()))
    qtbot.mouseClick(loupe, Qt.MouseButton.LeftButton, pos=grey)
    qtbot.waitUntil(lambda: window.doc.history.steps[-1].label == "White balance: picked", timeout=10000)
    assert not window.develop.picker.isChecked() and not loupe.picking
    gen = window.shown_gen
    shown = wait_preview(qtbot, window, gen - 1)
    h, w = shown.shape[:2]
    card = shown[h // 2 - 5:h // 2 + 5, w // 4 - 5:w // 4 + 5].reshape(-1, 3).mean(axis=0)
    assert np.ptp(card) < 6, card  # the grey card is grey again
    assert len(window.doc.history.steps) == steps + 2  # reset, then the pick: one step each


def test_auto_tone_brightens_a_dark_photo(qtbot, make_window, tmp_path):
    folder = tmp_path / "dark"
    folder.mkdir()
    dark = (np.random.default_rng(1).uniform(0.05, 0.25, (120, 160, 3)) * 255).astype(np.uint8)
    pyvips.Image.new_from_array(dark).copy(interpretation="srgb").write_to_file(str(folder / "dark.png"))
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    window.develop.auto_buttons["tone"].click()
    qtbot.waitUntil(lambda: window.doc.edit["exposure"].exposure_ev > 1.0, timeout=10000)
    assert "Auto tone" in window.statusBar().currentMessage()
    # a flat photo (random greys in a narrow band): Auto spreads it too, in the same single step
    assert window.doc.edit["contrast"].contrast > 0 and window.doc.edit["whites_blacks"].whites > 0
    assert window.doc.history.steps[-1].label == "Auto tone"
