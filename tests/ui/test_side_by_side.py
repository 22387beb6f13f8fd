"""Side-by-side before/after zooms and pans both halves together (same zoom, same centre), like Lightroom."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from ui_helpers import qimage_array, wait_preview


def wheel_at(widget, pos: QPointF, steps: int) -> None:
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def halves(loupe) -> tuple[np.ndarray, np.ndarray]:
    """The two halves of the loupe as painted (the right one starting past the gap), without the labels."""
    from editor.ui.loupe import SIDE_GAP
    shot = qimage_array(loupe.grab().toImage())
    half = int(loupe.view_size()[0])
    left, right = shot[40:, :half], shot[40:, half + SIDE_GAP: 2 * half + SIDE_GAP]
    return left, right


def test_side_by_side_zooms_and_pans_both_halves_together(qtbot, make_window, photo_folder):
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)  # no edit: the before and the after photo are the same picture
    loupe = window.loupe
    window.toggle_compare("side")
    half = loupe.view_size()[0]
    assert half < loupe.width() / 2 and loupe.fit
    fit_left, _ = halves(loupe)

    # The wheel over the right half zooms both, keeping the photo point under the pointer in place.
    pointer = QPointF(half + 4 + half * 0.3, loupe.height() / 2)  # mid-height: the clamp keeps it too
    under = loupe._to_image(loupe._in_view(pointer))
    wheel_at(loupe, pointer, 4)
    assert not loupe.fit and loupe.zoom > 2 * loupe.fit_zoom()
    moved = loupe._to_image(loupe._in_view(pointer))
    assert abs(moved.x() - under.x()) < 1 and abs(moved.y() - under.y()) < 1
    before_rect, after_rect = loupe.side_rects()
    assert before_rect.size() == after_rect.size() and before_rect.width() > half  # zoomed past the half
    assert after_rect.left() - before_rect.left() == half + 4

    # Dragging the left half pans both.
    centre = QPointF(loupe.center)
    qtbot.mousePress(loupe, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(loupe, QPoint(160, 130))
    qtbot.mouseRelease(loupe, Qt.MouseButton.LeftButton, pos=QPoint(160, 130))
    assert loupe.center.x() < centre.x()  # (a photo shorter than the view stays centred vertically)

    # The 1:1 tiles of this view (after and before halves; the region is clipped to the photo) arrive:
    # the same region, only sharper
    qtbot.waitUntil(lambda: loupe.detail is not None and loupe.detail[0][:2] == loupe.visible_region()[:2]
                    and loupe.detail_before is not None, timeout=10000)
    left, right = halves(loupe)
    assert np.abs(left - right).mean() < 6  # both halves show the same part of the photo
    assert np.abs(left - fit_left).mean() > 10  # and it is not the fitted photo any more
    shifted = np.abs(left[:, 30:] - right[:, :-30]).mean()
    assert shifted > np.abs(left - right).mean() + 3  # the comparison could tell them apart

    window.toggle_compare("after")  # one view again: the zoom stays, the view is the whole loupe
    assert loupe.view_size() == (loupe.width(), loupe.height()) and not loupe.fit


def test_the_before_photo_is_framed_like_the_edited_one_after_a_crop_and_a_turn(qtbot, make_window, photo_folder):
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    gen = window.shown_gen
    edit = window.doc.edit.update("crop", rotate90=1, left=0.0, width=0.5)
    window.documents.apply_edit("Crop", edit.update("exposure", exposure_ev=1.0))
    wait_preview(qtbot, window, gen)
    res = window.last_result
    assert (res.before.width(), res.before.height()) == (res.image.width(), res.image.height())  # portrait too
    before, after = qimage_array(res.before), qimage_array(res.image)
    # The same scene, only brighter: the unedited frame correlates with the edited one pixel for pixel.
    corr = np.corrcoef(before[..., 1].ravel(), after[..., 1].ravel())[0, 1]
    assert corr > 0.9 and after.mean() > before.mean() + 20


def test_zoomed_side_by_side_shows_the_before_photo_at_full_resolution_too(qtbot, make_window, tmp_path):
    import pyvips

    from ui_helpers import write_photo
    folder = tmp_path / "big"
    folder.mkdir()
    write_photo(folder / "big.jpg", 2400, 1800, seed=3, quality=95)  # larger than the half's preview
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    loupe = window.loupe
    window.toggle_compare("side")
    loupe.set_zoom(1.0, QPointF(loupe.width() * 0.25, loupe.height() / 2))
    qtbot.waitUntil(lambda: loupe.detail is not None and loupe.detail_before is not None, timeout=15000)
    (x, y, w, h), _ = loupe.detail
    tile = qimage_array(loupe.detail_before)
    source = pyvips.Image.new_from_file(str(folder / "big.jpg")).crop(x, y, w, h).numpy()[..., :3]
    assert tile.shape[:2] == (h, w) and np.abs(tile - source).mean() < 3  # the unedited pixels, 1:1

    def sharpness() -> float:  # mean gradient of the painted before half
        left = halves(loupe)[0][..., 1]
        return float(np.abs(np.diff(left, axis=1)).mean())
    with_tile = sharpness()
    loupe.detail_before = None  # what the half showed before: the preview, enlarged
    assert with_tile > 1.5 * sharpness()
