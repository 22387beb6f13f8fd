"""The defects found in use (issue 17), each driven through the real window."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from editor.core import sidecar as sidecars
from ui_helpers import wait_preview, write_photo


def open_first(qtbot, make_window, folder):
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    return window


def wheel(widget, steps: int = -1) -> bool:
    """Send a wheel turn to `widget`; True when it took it. (Qt hands a real, spontaneous wheel event that
    a widget ignores on to its parents, here the develop panel's scroll area; a synthetic one it does not.)"""
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_1_the_wheel_scrolls_the_develop_panel_and_moves_a_slider_only_once_focused(qtbot, make_window,
                                                                                       photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("vibrance", "vibrance")
    steps, value = len(window.doc.history.steps), row.slider.value()
    assert window.develop.verticalScrollBar().maximum() > 0  # there is something to scroll
    assert not wheel(row.slider)  # left for the panel to scroll
    assert row.slider.value() == value and len(window.doc.history.steps) == steps
    combo = window.develop.row("crop", "aspect").combo
    assert not wheel(combo) and combo.currentIndex() == 0
    row.slider.setFocus()
    qtbot.waitUntil(row.slider.hasFocus, timeout=10000)
    assert wheel(row.slider) and row.slider.value() != value


def test_2_an_aspect_chosen_while_cropping_applies_to_the_frame_at_once(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    window.toggle_crop()
    tool = window.loupe.crop_tool
    assert tool is not None and tool.ratio is None
    window.develop.row("crop", "aspect").combo.setCurrentText("1:1")
    qtbot.waitUntil(lambda: window.loupe.crop_tool.ratio == 1.0, timeout=10000)
    box, (fw, fh) = window.loupe.crop_tool.box, window.loupe.crop_tool.frame_size
    assert abs(box.width * fw - box.height * fh) < 1.0  # square in pixels already


def test_3_a_new_look_starts_at_full_amount_and_reset_all_removes_the_look(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    looks = window.looks
    qtbot.waitUntil(lambda: looks.item("Sepia") is not None, timeout=10000)
    looks.apply("Sepia")
    looks.set_amount(40)
    assert window.doc.edit.look["amount"] == 40
    looks.tree.setCurrentItem(looks.item("Chrome"))
    looks._clicked(looks.item("Chrome"), 0)
    assert window.doc.edit.look["name"] == "Chrome" and window.doc.edit.look["amount"] == 100
    assert looks.tree.currentItem() is looks.item("Chrome")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.doc.edit.look is None
    assert looks.tree.currentItem() is None  # no look highlighted for a photo without one
    window.saver.flush()
    assert sidecars.load(window.doc.path).edit.look is None


def test_4_no_edits_on_an_undecodable_photo_nor_after_opening_an_empty_folder(qtbot, make_window, photo_folder,
                                                                               tmp_path):
    broken = photo_folder / "zz_broken.jpg"
    broken.write_bytes(b"\xff\xd8 not a jpeg")
    window = open_first(qtbot, make_window, photo_folder)
    first = window.doc.path
    window.select_row(window.model.library.index_of(broken))
    qtbot.waitUntil(lambda: "Cannot" in window.loupe.message, timeout=10000)
    assert not window.develop.isEnabled()
    window.develop.row("exposure", "exposure_ev").slider.setValue(80)
    window.saver.flush()
    assert not sidecars.path_for(broken).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    window.open_folder(empty)
    qtbot.waitUntil(lambda: window.model.library.folder == empty, timeout=10000)
    window.develop.row("exposure", "exposure_ev").slider.setValue(60)
    window.saver.flush()
    assert window.doc is None and not window.develop.isEnabled()
    assert not sidecars.path_for(first).exists()


def test_5_a_status_bar_error_goes_when_another_photo_is_shown(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    window.develop.row("exposure", "exposure_ev").text.setText("abc")
    window.develop.row("exposure", "exposure_ev").text.editingFinished.emit()
    assert "not a number" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.statusBar().currentMessage() == ""


def test_6_the_samples_open_from_a_copy_in_the_user_data_folder(qtbot, make_window, tmp_path):
    from editor.ui import theme
    window = make_window(None)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=15000)
    copy = tmp_path / "data" / "samples"  # make_window points DARKSLIDE_DATA_DIR at tmp_path/data
    assert window.model.library.folder == copy
    assert {p.name for p in copy.glob("*.jpg")} == {p.name for p in theme.SAMPLES.glob("*.jpg")}
    wait_preview(qtbot, window)
    window.develop.row("exposure", "exposure_ev").slider.setValue(70)
    window.saver.flush()
    assert sidecars.path_for(window.doc.path).exists() and window.doc.path.parent == copy
    assert not list(theme.SAMPLES.glob("*.darkslide"))


def test_7_labels_keep_their_ampersand_size_and_room(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    box = window.develop.row("bw_mix", "enabled")
    assert box.text() == "Black && White"  # shown as "Black & White", not an accelerator
    assert window.info.height() >= window.info.sizeHint().height()
    looks = window.looks
    qtbot.waitUntil(lambda: looks.item("Monochrome High Contrast") is not None, timeout=10000)
    looks.apply("Monochrome High Contrast")
    qtbot.waitUntil(lambda: looks.amount_label.toolTip() == "Monochrome High Contrast", timeout=10000)
    qtbot.wait(50)  # and the layout it asked for is done
    assert looks.amount.width() >= 100 and looks.amount_label.width() <= 110


def test_8_the_export_dialog_names_as_the_export_does_and_counts_the_photos(qtbot, make_window, photo_folder,
                                                                            tmp_path):
    window = open_first(qtbot, make_window, photo_folder)
    window.grid.selectAll()
    window.export_selected()
    dialog = window.export_dialog
    dialog.template.setText("{name}_{preset}_{seq}")
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.format.setCurrentText("png")
    assert dialog.export_button.text() == "Export 3 photos"
    assert dialog.name_preview.text() == "e.g. img_0_0001.png"  # no look: no "Look", no double "_"
    i = dialog.resize_mode.findData("long_edge")
    dialog.resize_mode.setCurrentIndex(i)
    dialog.resize_value.setValue(1200)
    assert dialog.resize_value.text() == "1200 px"
    width = dialog.width()
    dialog.template.setText("{name}_" + "x" * 200)
    assert dialog.width() == width  # typing does not resize the dialog
    dialog.template.setText("{name}_{preset}_{seq}")
    dialog.resize_mode.setCurrentIndex(dialog.resize_mode.findData("none"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    assert sorted(p.name for p in dialog.result.done)[0] == "img_0_0001.png"


def test_9_ctrl_q_quits_and_a_typed_value_out_of_range_is_clamped_and_said(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    row = window.develop.row("exposure", "exposure_ev")
    row.text.setText("99")
    row.text.editingFinished.emit()
    top = row.spec.max
    assert window.doc.edit["exposure"].exposure_ev == top
    assert f"{top:g}" in window.statusBar().currentMessage() and "99" in window.statusBar().currentMessage()
    assert "quit" in [a.text().lower().split()[0] for a in window.menuBar().actions()[0].menu().actions()]
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)


def test_10_before_and_after_really_side_by_side(qtbot, make_window, photo_folder):
    window = open_first(qtbot, make_window, photo_folder)
    gen = window.shown_gen
    window.develop.row("exposure", "exposure_ev").slider.setValue(80)
    wait_preview(qtbot, window, gen)
    qtbot.keyClick(window, Qt.Key.Key_Y)
    loupe = window.loupe
    assert loupe.compare == "side" and window.actions_by_id["side_by_side"].isChecked()
    before_rect, after_rect = loupe.side_rects()
    assert before_rect.right() <= after_rect.left() and before_rect.width() == after_rect.width()
    shot = loupe.grab().toImage()
    before = shot.pixelColor(before_rect.center().toPoint()).lightness()
    after = shot.pixelColor(after_rect.center().toPoint()).lightness()
    assert after > before + 15  # the same point of the photo, unedited on the left, edited on the right
    qtbot.keyClick(window, Qt.Key.Key_Y)
    assert loupe.compare == "after"
