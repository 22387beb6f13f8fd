"""Crop tool geometry: resizing, moving, staying inside the frame, and the aspect lock."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from editor.ui.crop_tool import MIN_SIZE, CropBox, CropTool

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
