"""The main window end to end: library, develop sliders, undo/redo, sidecars, marks, loupe, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from editor.core import sidecar as sidecars
from ui_helpers import qimage_array, wait_preview


def open_first(qtbot, make_window, folder):
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    before = wait_preview(qtbot, window)
    return window, before


def test_opens_the_folder_and_shows_the_first_photo(qtbot, make_window, photo_folder):
    window, pixels = open_first(qtbot, make_window, photo_folder)
    assert window.model.rowCount() == 3
    assert window.doc.path.name == "img_0.jpg"
    assert pixels.shape == (240, 320, 3)
    assert window.histogram.data is not None and window.histogram.data.luma.sum() > 0


def test_exposure_slider_brightens_preview_and_undo_redo_restore_it(qtbot, make_window, photo_folder):
    window, original = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("exposure", "exposure_ev")
    gen = window.shown_gen
    row.slider.setValue(row.slider.value() + 20)  # +1 EV with a 0.05 EV step
    brighter = wait_preview(qtbot, window, gen)
    assert window.doc.edit["exposure"].exposure_ev == 1.0
    assert brighter.mean() > original.mean() + 20
    gen = window.shown_gen
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    undone = wait_preview(qtbot, window, gen)
    assert np.abs(undone - original).mean() < 0.5
    assert row.value == 0.0  # the panel follows the history
    gen = window.shown_gen
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    redone = wait_preview(qtbot, window, gen)
    assert np.abs(redone - brighter).mean() < 0.5
    window.saver.flush()
    data = json.loads(sidecars.path_for(photo_folder / "img_0.jpg").read_text())
    assert data["edit"]["operations"]["exposure"]["params"] == {"exposure_ev": 1.0}


def test_a_slider_drag_is_one_undo_step_and_refines_after_release(qtbot, make_window, photo_folder):
    window, original = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("contrast", "contrast")
    row.slider.setSliderDown(True)
    for pos in range(row.slider.value() + 5, row.slider.value() + 45, 5):
        row.slider.setValue(pos)
    row.slider.setSliderDown(False)  # emits sliderReleased
    assert [s.label for s in window.doc.history.steps] == ["Open", "Contrast: Contrast"]
    gen = window.shown_gen
    stronger = wait_preview(qtbot, window, gen)
    assert window.last_result.edit["contrast"].contrast == 40.0
    assert stronger.std() > original.std()


def test_typed_value_and_double_click_reset(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("exposure", "exposure_ev")
    row.text.setText("-0.5")
    row.text.editingFinished.emit()
    assert window.doc.edit["exposure"].exposure_ev == -0.5
    row.text.setText("99")  # out of range: clamped to the top of the range, and said (status bar)
    row.text.editingFinished.emit()
    assert window.doc.edit["exposure"].exposure_ev == row.spec.max and row.text.text() == f"+{row.spec.max:.2f}"
    qtbot.mouseDClick(row.slider, Qt.MouseButton.LeftButton)
    assert window.doc.edit["exposure"].exposure_ev == 0.0


def test_rating_and_flag_keys_write_the_sidecar(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_1.jpg", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_3)
    qtbot.keyClick(window, Qt.Key.Key_P)
    window.saver.flush()
    car = sidecars.load(photo_folder / "img_1.jpg")
    assert (car.rating, car.flag) == (3, "pick")
    assert window.model.entry(1).rating == 3


def test_a_photo_that_cannot_be_opened_shows_why_and_the_library_keeps_working(qtbot, make_window, photo_folder):
    (photo_folder / "zz_broken.jpg").write_bytes(b"\xff\xd8 this is not really a jpeg")
    window, _ = open_first(qtbot, make_window, photo_folder)
    window.sort_box.setCurrentIndex(1)  # by name: the broken file is last
    window.select_row(3)
    qtbot.waitUntil(lambda: "zz_broken.jpg" in window.loupe.message, timeout=10000)
    assert window.loupe.image is None
    gen = window.shown_gen
    window.select_row(0)
    wait_preview(qtbot, window, gen)
    assert window.loupe.message == ""


def test_thumbnails_render_off_thread_and_are_cached_on_disk(qtbot, make_window, photo_folder, tmp_path):
    window, _ = open_first(qtbot, make_window, photo_folder)
    role = Qt.ItemDataRole.DecorationRole
    qtbot.waitUntil(lambda: all(window.model.data(window.model.index(r), role) is not None for r in range(3)),
                    timeout=10000)
    image = window.model.data(window.model.index(0), role)
    assert max(image.width(), image.height()) == 256 or image.width() == 320 or image.width() <= 256
    assert len(list((tmp_path / "cache" / "thumbs").glob("*.jpg"))) >= 3


def test_clipping_overlay_and_one_to_one_detail(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("exposure", "exposure_ev")
    gen = window.shown_gen
    row.slider.setValue(row.slider.maximum())  # +3 EV: much of the frame clips
    wait_preview(qtbot, window, gen)
    gen = window.shown_gen
    qtbot.keyClick(window, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: window.shown_gen > gen and window.loupe.overlay is not None, timeout=10000)
    overlay = qimage_array(window.loupe.overlay)
    assert (overlay[..., 0] == 255).mean() > 0.05  # red marks on blown pixels
    window.loupe.set_zoom(window.loupe.fit_zoom() * 2)  # past fit: a 1:1-or-closer tile is rendered
    qtbot.waitUntil(lambda: window.loupe.detail is not None, timeout=10000)
    (x, y, w, h), tile = window.loupe.detail
    assert 0 < w <= 320 and 0 < h <= 240 and tile.width() == w


def test_paste_settings_into_another_photo(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    window.develop.row("exposure", "exposure_ev").slider.setValue(70)  # some positive EV
    window.documents.apply_edit("Crop", window.doc.edit.update("crop", width=0.5))
    ev = window.doc.edit["exposure"].exposure_ev
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.grid.selectionModel().select(window.model.index(2), window.grid.selectionModel().SelectionFlag.Select)
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: sidecars.path_for(photo_folder / "img_2.jpg").exists(), timeout=10000)
    pasted = sidecars.load(photo_folder / "img_2.jpg").edit
    assert pasted["exposure"].exposure_ev == ev
    assert pasted["crop"] == window.doc.edit["crop"].__class__()  # framing is not pasted


def test_readme_lists_the_shortcuts_the_window_uses():
    from pathlib import Path

    from editor.ui.shortcuts import SHORTCUTS, markdown
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = markdown().split("\n", 2)[2].strip()  # all but the title
    assert table in readme, "README's shortcut table is out of date: paste editor.ui.shortcuts.markdown()"
    assert SHORTCUTS["export"][0] == "Ctrl+E" and "| `\\` |" in table


def test_every_shortcut_is_bound_to_a_window_action(qtbot, make_window, photo_folder):
    from PySide6.QtGui import QKeySequence

    from editor.ui.shortcuts import SHORTCUTS
    window = make_window(photo_folder)
    bound = {a.shortcut().toString(QKeySequence.SequenceFormat.PortableText) for a in window.actions()}
    for key, _ in SHORTCUTS.values():
        assert QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText) in bound


def test_reopens_the_last_folder_with_its_geometry(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    window.resize(1100, 700)
    window.close()  # saves last folder, geometry and splitter sizes
    again = make_window(None)
    qtbot.waitUntil(lambda: again.model.rowCount() == 3, timeout=10000)
    assert again.model.library.folder == photo_folder
    assert again.settings.value("geometry") is not None and again.settings.value("hsplit") is not None


def test_before_after_toggle_and_split_show_the_unedited_photo(qtbot, make_window, photo_folder):
    window, original = open_first(qtbot, make_window, photo_folder)
    gen = window.shown_gen
    window.develop.row("exposure", "exposure_ev").slider.setValue(80)
    wait_preview(qtbot, window, gen)
    loupe = window.loupe
    centre = loupe.rect().center()
    after = loupe.grab().toImage().pixelColor(centre).lightness()
    qtbot.keyClick(window, Qt.Key.Key_Backslash)
    assert loupe.compare == "before"
    before = loupe.grab().toImage().pixelColor(centre).lightness()
    assert after > before + 15
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ShiftModifier)
    assert loupe.compare == "split"
    shot = loupe.grab().toImage()
    left = shot.pixelColor(centre.x() - 40, centre.y()).lightness()
    right = shot.pixelColor(centre.x() + 40, centre.y()).lightness()
    assert right > left  # after (brighter) on the right of the split line


def test_dragging_a_point_of_the_tone_curve_is_one_step(qtbot, make_window, photo_folder):
    window, original = open_first(qtbot, make_window, photo_folder)
    section = window.develop.sections["tone_curve"]
    section.header.setChecked(False)
    editor = section.curve
    window.develop.ensureWidgetVisible(editor)
    area = editor._area()
    start = editor._to_view(0.5, 0.5).toPoint()
    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=start)
    for dy in range(5, 45, 5):
        qtbot.mouseMove(editor, start - QPoint(0, dy))
    qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=start - QPoint(0, 40))
    master = window.doc.edit["tone_curve"].master
    assert len(master) == 3 and master[1][1] > 0.5 + 30 / area.height() - 0.01
    assert [s.label for s in window.doc.history.steps][-1] == "Tone Curve: Curve"
    assert len(window.doc.history.steps) == 2
    gen = window.shown_gen
    brighter = wait_preview(qtbot, window, gen)
    assert brighter.mean() > original.mean() + 5
    section._curve_pick.setCurrentIndex(1)  # the red curve is shown and still linear
    assert editor.channel == "red" and len(editor.points) == 2


def test_the_filmstrip_thumbnail_follows_the_edit(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    role = Qt.ItemDataRole.DecorationRole
    index = window.model.index(0)
    qtbot.waitUntil(lambda: window.model.data(index, role) is not None, timeout=10000)
    old = qimage_array(window.model.data(index, role)).mean()
    window.develop.row("exposure", "exposure_ev").slider.setValue(90)  # +1.5 EV
    qtbot.waitUntil(lambda: qimage_array(window.model.data(index, role)).mean() > old + 20, timeout=10000)


def test_sorting_keeps_the_selected_photo(qtbot, make_window, photo_folder):
    import os
    for i, name in enumerate(("img_0.jpg", "img_1.jpg", "img_2.jpg")):
        os.utime(photo_folder / name, (1_000_000 - i * 1000, 1_000_000 - i * 1000))  # newest name first
    window, _ = open_first(qtbot, make_window, photo_folder)
    assert window.model.entry(0).name == "img_2.jpg"  # capture time (file time: no EXIF)
    window.select_row(1)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_1.jpg", timeout=10000)
    window.sort_box.setCurrentIndex(1)  # by name
    assert [window.model.entry(r).name for r in range(3)] == ["img_0.jpg", "img_1.jpg", "img_2.jpg"]
    assert window.grid.currentIndex().data(Qt.ItemDataRole.DisplayRole) == "img_1.jpg"
    window.select_row(0)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_0.jpg", timeout=10000)


def test_view_keys_and_undo_action_state(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    assert not window.actions_by_id["undo"].isEnabled()
    window.develop.row("contrast", "contrast").slider.setValue(70)
    assert window.actions_by_id["undo"].isEnabled()
    assert window.actions_by_id["undo"].text() == "Undo Contrast: Contrast"
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert window.center.currentWidget() is window.grid and window.filmstrip.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert window.center.currentWidget() is window.loupe and window.right.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert not window.right.isHidden() and not window.filmstrip.isHidden()


def test_holding_a_dragged_slider_still_refines_the_preview(qtbot, make_window, tmp_path):
    from ui_helpers import write_photo
    folder = tmp_path / "big"
    folder.mkdir()
    write_photo(folder / "b.jpg", 2400, 1600)
    window = make_window(folder)
    window.resize(2400, 1500)  # a loupe wider than 1600 px: a settled preview well above the 800 px drafts
    qtbot.waitUntil(lambda: window.doc is not None and not window.shown_draft, timeout=10000)
    qtbot.waitUntil(lambda: window.shown_edge == window.preview_edge() and not window.shown_draft, timeout=10000)
    settled = window.shown_edge
    assert settled > 1000
    row = window.develop.row("exposure", "exposure_ev")
    row.slider.setSliderDown(True)
    row.slider.setValue(row.slider.value() + 10)
    qtbot.waitUntil(lambda: window.last_result.long_edge == 800, timeout=10000)  # reduced while dragging
    assert window.last_result.image.width() == 800 and window.shown_draft
    qtbot.waitUntil(lambda: window.shown_edge == settled, timeout=10000)  # still held: refined when idle
    assert window.last_result.long_edge == settled and not window.shown_draft
    row.slider.setSliderDown(False)


def test_settled_preview_has_the_loupes_screen_size_and_grows_with_it(qtbot, make_window, tmp_path):
    from ui_helpers import wait_preview, write_photo

    from editor.ui.workers import ZOOMED_EDGE
    folder = tmp_path / "big"
    folder.mkdir()
    write_photo(folder / "b.jpg", 3000, 2000)
    window = make_window(folder)  # 1280 x 800: the loupe shows the photo well under 1600 px wide
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    shown = window.loupe.screen_scale(window.loupe.full_size) * 3000
    small = window.last_result.image.width()
    assert shown <= small < shown + 1 and small < 1600  # the view's size: nothing rendered in vain
    assert window.loupe.device_rect(window.last_result.image, window.loupe._image_rect()) is not None  # a copy
    gen = window.gen
    window.loupe.set_zoom(1.0)  # 100 %: the preview fills the view meanwhile (ZOOMED_EDGE); 1:1 tiles add the rest
    qtbot.waitUntil(lambda: window.gen > gen and window.shown_gen == window.gen and not window.shown_draft,
                    timeout=10000)
    assert window.last_result.image.width() == ZOOMED_EDGE


@pytest.mark.slow  # a 15 MP photo rendered at 4K: several seconds on 2 cores
def test_a_4k_loupe_gets_a_settled_preview_in_device_pixels_up_to_4k(qtbot, make_window, tmp_path, monkeypatch):
    from ui_helpers import wait_preview, write_photo

    from editor.ui import workers
    from editor.ui.workers import PREVIEW_EDGE
    monkeypatch.setattr(workers, "PROGRESSIVE_MS", 0.0)  # a draft first whatever this machine's speed
    folder = tmp_path / "big"
    folder.mkdir()
    write_photo(folder / "b.jpg", 4800, 3200)
    window = make_window(folder)
    window.resize(3840, 2160)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    qtbot.waitUntil(lambda: window.loupe.width() > 2500, timeout=10000)
    results = []
    window.render.preview_ready.connect(lambda res: results.append((res.gen, res.draft, res.long_edge)))
    gen = window.request_preview()
    wait_preview(qtbot, window, gen - 1)
    assert [r for r in results if r[0] == gen][:1] == [(gen, True, 800)]  # progressive: a draft painted first
    shown = window.loupe.screen_scale(window.loupe.full_size) * 4800
    width = window.last_result.image.width()
    assert width > 1600 and min(shown, PREVIEW_EDGE) <= width < shown + 1


def test_crop_tool_draws_on_the_whole_frame_and_applies_as_one_step(qtbot, make_window, photo_folder):
    window, original = open_first(qtbot, make_window, photo_folder)
    qtbot.keyClick(window, Qt.Key.Key_R)
    loupe = window.loupe
    wait_preview(qtbot, window)
    assert loupe.crop_tool is not None and loupe.full_size == (320, 240)
    rect = loupe._image_rect()
    corner = rect.bottomRight().toPoint() - QPoint(1, 1)
    target = rect.center().toPoint()
    qtbot.mousePress(loupe, Qt.MouseButton.LeftButton, pos=corner)
    qtbot.mouseMove(loupe, (corner + target) / 2)
    qtbot.mouseMove(loupe, target)
    qtbot.mouseRelease(loupe, Qt.MouseButton.LeftButton, pos=target)
    box = loupe.crop_tool.box
    assert abs(box.width - 0.5) < 0.02 and abs(box.height - 0.5) < 0.02
    assert len(window.doc.history.steps) == 1  # nothing recorded while drawing
    gen = window.shown_gen
    qtbot.keyClick(window, Qt.Key.Key_R)  # apply
    cropped = wait_preview(qtbot, window, gen)
    assert loupe.crop_tool is None
    assert [s.label for s in window.doc.history.steps] == ["Open", "Crop"]
    assert abs(cropped.shape[1] - 160) <= 4 and abs(cropped.shape[0] - 120) <= 4
    assert np.abs(cropped - original[: cropped.shape[0], : cropped.shape[1]]).mean() < 2  # the top-left quarter
    qtbot.keyClick(window, Qt.Key.Key_R)  # enter again: the whole frame, the old crop drawn
    qtbot.waitUntil(lambda: loupe.full_size == (320, 240), timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # cancel: crop unchanged
    assert loupe.crop_tool is None and window.doc.edit["crop"].width == round(box.width, 4)


def test_section_title_marks_an_operation_in_use(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    header = window.develop.sections["vibrance"].header
    assert "•" not in header.text()
    window.develop.row("vibrance", "vibrance").slider.setValue(150)
    assert "•" in header.text()
    window.undo()
    assert "•" not in header.text()


def test_show_filter_hides_photos_and_navigation_skips_them(qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    window.select_row(2)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_2.jpg", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_P)
    window.select_row(0)
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_0.jpg", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_P)
    window.filter_box.setCurrentText("Picks")
    assert [window.grid.isRowHidden(r) for r in range(3)] == [False, True, False]
    qtbot.keyClick(window, Qt.Key.Key_Right)  # skips img_1
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path.name == "img_2.jpg", timeout=10000)
    qtbot.keyClick(window, Qt.Key.Key_U)  # unflag: it leaves the Picks view
    assert window.grid.isRowHidden(2)
    window.filter_box.setCurrentText("All photos")
    assert not any(window.grid.isRowHidden(r) for r in range(3))


def test_clarity_texture_dehaze_and_the_parametric_curve_get_sliders_from_their_declarations(
        qtbot, make_window, photo_folder):
    window, _ = open_first(qtbot, make_window, photo_folder)
    for name, param in (("clarity", "amount"), ("texture", "amount"), ("dehaze", "amount"),
                        ("parametric_curve", "shadows"), ("parametric_curve", "highlight_split")):
        assert window.develop.row(name, param).slider is not None
    window.develop.row("clarity", "amount").slider.setValue(window.develop.row("clarity", "amount").slider.maximum())
    assert window.doc.edit["clarity"].amount == 100.0 and "•" in window.develop.sections["clarity"].header.text()
