"""Crop tool geometry: resizing, moving, staying inside the frame, the aspect lock, and rotating."""
from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt

from editor.core.ops import crop as crop_op
from editor.ui.crop_tool import MIN_SIZE, CropBox, CropTool
from ui_helpers import wait_preview

VIEW = QRectF(0, 0, 300, 200)  # the frame as shown: 1 view px = 1 frame px


def drag(tool, start, end):
    assert tool.press(QPointF(*start), VIEW)
    tool.move(QPointF(*end), VIEW)
    tool.release()


def test_dragging_a_corner_resizes_and_the_middle_moves_within_the_frame():
    tool = CropTool(CropBox(), (300, 200))
    drag(tool, (300, 200), (150, 100))
    assert (round(tool.box.width, 3), round(tool.box.height, 3)) == (0.5, 0.5)
    drag(tool, (75, 50), (375, 250))  # far past the frame: stops at its edge
    assert (round(tool.box.left, 3), round(tool.box.top, 3)) == (0.5, 0.5)
    drag(tool, (150, 100), (299, 199))  # the top-left corner cannot pass the bottom-right one
    assert tool.box.width >= MIN_SIZE and tool.box.height >= MIN_SIZE


def test_aspect_lock_keeps_the_pixel_ratio():
    tool = CropTool(CropBox(), (300, 200), ratio=1.0)
    drag(tool, (300, 100), (200, 100))  # the right edge in: a square crop in pixels
    box = tool.box
    assert abs(box.width * 300 - box.height * 200) < 1.0
    assert box.height <= 1.0 and box.top + box.height <= 1.0 + 1e-9


def test_a_press_outside_the_box_grabs_nothing():
    tool = CropTool(CropBox(0.25, 0.25, 0.5, 0.5), (300, 200))
    assert not tool.press(QPointF(10, 10), VIEW)
    tool.move(QPointF(100, 100), VIEW)
    assert tool.box == CropBox(0.25, 0.25, 0.5, 0.5)


def swept(center: QPointF, start: QPointF, degrees: float, scale: float = 1.0) -> QPointF:
    """`start` turned by `degrees` about `center`, clockwise on screen (y points down), its distance to
    the centre times `scale` (only the bearing matters to the tool)."""
    a = math.radians(degrees)
    d = (start - center) * scale
    return center + QPointF(d.x() * math.cos(a) - d.y() * math.sin(a), d.x() * math.sin(a) + d.y() * math.cos(a))


class Angle:
    """Stands in for the window's straighten command: records (angle, dragging) calls."""

    def __init__(self, value: float = 0.0):
        self.value, self.calls = value, []

    def set(self, angle: float, dragging: bool) -> None:
        self.value = angle
        self.calls.append((angle, dragging))


def test_dragging_outside_a_corner_rotates_by_the_swept_angle_without_moving_the_box():
    tool = CropTool(CropBox(0.25, 0.25, 0.5, 0.5), (300, 200))
    angle = Angle(2.0)
    tool.bind_angle(lambda: angle.value, angle.set)
    start = QPointF(225 + 20, 50 - 20)  # outside, just beyond the top-right corner
    center = tool.view_rect(VIEW).center()
    assert tool.press(start, VIEW) and tool.rotating
    tool.move(swept(center, start, 6.0), VIEW)
    tool.move(swept(center, start, 12.0), VIEW)  # clockwise: the photo turns clockwise, the angle drops
    tool.release()
    assert abs(angle.value - (2.0 - 12.0)) < 0.11 and round(angle.value, 1) == angle.value  # on the 0.1° step
    assert all(dragging for _, dragging in angle.calls[:-1]) and angle.calls[-1] == (angle.value, False)
    assert tool.box == CropBox(0.25, 0.25, 0.5, 0.5)
    assert tool.press(start, VIEW)
    for deg in range(-20, -200, -20):  # on round past the far side: stays at the declared maximum
        tool.move(swept(center, start, deg), VIEW)
        assert angle.value == min(-10.0 - deg, 45.0)
    tool.release()
    assert angle.value == 45.0


def test_rotating_needs_a_binding_and_a_press_near_a_corner():
    tool = CropTool(CropBox(0.25, 0.25, 0.5, 0.5), (300, 200))
    assert not tool.press(QPointF(245, 30), VIEW)  # not bound: nothing to rotate
    tool.bind_angle(lambda: 0.0, lambda a, d: None)
    assert not tool.press(QPointF(150, 10), VIEW)  # outside but far from every corner
    assert tool.press(QPointF(60, 170), VIEW) and tool.rotating  # beyond the bottom-left corner


def crop_mode(qtbot, make_window, photo_folder):
    """The real window on its first photo with the crop tool open (the window binds rotation to its
    straighten command): (window, tool, the preview shown in crop mode as an array)."""
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_R)
    tool = window.loupe.crop_tool
    assert tool._set_angle is not None
    return window, tool, wait_preview(qtbot, window)


def test_a_rotate_drag_in_the_loupe_straightens_as_one_undoable_step(qtbot, make_window, photo_folder):
    window, tool, upright = crop_mode(qtbot, make_window, photo_folder)
    loupe = window.loupe
    rect = tool.view_rect(loupe._image_rect())
    center = rect.center()
    start = rect.topRight() + QPointF(-5, -20)  # above the top-right corner, outside the rectangle
    qtbot.mousePress(loupe, Qt.MouseButton.LeftButton, pos=start.toPoint())
    for deg in (-3.0, -6.0, -8.0):  # counter-clockwise on screen: the photo turns CCW, the angle grows
        qtbot.mouseMove(loupe, swept(center, start, deg, 0.8).toPoint())  # (inwards: stay in the loupe)
    end = swept(center, start, -8.0, 0.8).toPoint()
    gen = window.shown_gen
    qtbot.mouseRelease(loupe, Qt.MouseButton.LeftButton, pos=end)
    assert 7.0 < window.doc.edit["crop"].angle < 9.0  # the swept angle, within the integer-pixel mouse error
    assert len(window.doc.history.steps) == 2  # the whole drag is one step
    assert "Straighten" in window.doc.history.steps[1].label
    rotated = wait_preview(qtbot, window, gen)  # the loupe shows the straightened (uncropped) frame
    frame = crop_op.output_size(320, 240, window.doc.edit["crop"])  # the largest upright 4:3 inside
    assert upright.shape[:2] == (240, 320) and rotated.shape[:2] == (frame[1], frame[0]) != (240, 320)
    assert loupe._image_rect().width() == rect.width()  # fitted again: the crop rectangle stays put
    assert window.develop.row("crop", "angle").slider.value() != 0  # the straighten slider follows
    window.undo()
    assert window.doc.edit["crop"].angle == 0.0 and len(window.doc.history.steps) == 2 and window.doc.history.index == 0


def test_the_pointer_shows_what_a_press_would_do(qtbot):
    tool = CropTool(CropBox(0.25, 0.25, 0.5, 0.5), (300, 200))
    tool.bind_angle(lambda: 0.0, lambda a, d: None)
    shape = lambda x, y: tool.cursor_at(QPointF(x, y), VIEW).shape()  # noqa: E731
    assert shape(150, 100) == Qt.CursorShape.SizeAllCursor
    assert shape(75, 50) == Qt.CursorShape.SizeFDiagCursor and shape(225, 50) == Qt.CursorShape.SizeBDiagCursor
    assert shape(150, 50) == Qt.CursorShape.SizeVerCursor and shape(225, 100) == Qt.CursorShape.SizeHorCursor
    assert shape(245, 30) not in (Qt.CursorShape.ArrowCursor, Qt.CursorShape.SizeBDiagCursor)  # rotate
    assert shape(150, 10) == Qt.CursorShape.ArrowCursor


def test_rotating_draws_a_finer_grid(qtbot):
    from PySide6.QtGui import QImage, QPainter
    tool = CropTool(CropBox(), (300, 200))
    tool.bind_angle(lambda: 0.0, lambda a, d: None)

    def vertical_lines() -> int:
        """Grid lines drawn inside the box: runs of bright columns (the frame's own edges excluded)."""
        image = QImage(300, 200, QImage.Format.Format_RGB32)
        image.fill(0)
        painter = QPainter(image)
        tool.paint(painter, VIEW)
        painter.end()
        bright = [sum(image.pixelColor(x, y).value() for y in range(20, 180)) / 160 > 30 for x in range(4, 296)]
        return sum(1 for i, b in enumerate(bright) if b and (i == 0 or not bright[i - 1]))
    assert vertical_lines() == 2  # the thirds
    assert tool.press(QPointF(300 + 20, 200 + 10), VIEW) and tool.rotating  # beyond the bottom-right corner
    assert vertical_lines() == 7  # eighths, to line up a horizon
    tool.release()


def test_hovering_outside_a_corner_in_crop_mode_shows_the_rotate_pointer(qtbot, make_window, photo_folder):
    window, tool, _ = crop_mode(qtbot, make_window, photo_folder)
    loupe = window.loupe
    rect = tool.view_rect(loupe._image_rect())
    qtbot.mouseMove(loupe, rect.center().toPoint())
    assert loupe.cursor().shape() == Qt.CursorShape.SizeAllCursor  # the middle moves the frame
    qtbot.mouseMove(loupe, (rect.topRight() + QPointF(-5, -20)).toPoint())
    assert loupe.cursor().shape() == Qt.CursorShape.BitmapCursor  # the rotate icon
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.mouseMove(loupe, rect.center().toPoint())
    assert loupe.cursor().shape() == Qt.CursorShape.ArrowCursor
