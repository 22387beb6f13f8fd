"""The crop tool in the loupe: a rectangle over the uncropped (but rotated and straightened) frame.

The rectangle is kept in fractions of that frame, exactly as the crop operation's left/top/width/height
params are, so entering the tool, dragging and applying are plain conversions. Qt-only drawing and mouse
handling live here; the loupe forwards its events while the tool is active.

Dragging just outside a corner rotates, as in Lightroom: the photo turns under the (upright) rectangle by
the angle the pointer sweeps around the rectangle's centre, written to the crop op's `angle` (straighten)
param through the same command the straighten slider uses, so one drag is one undoable step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QCursor, QPainter, QPainterPath, QPen

from editor.core import ops
from editor.ui import theme

MIN_SIZE = 0.02  # smallest crop, as a fraction of the frame
GRAB = 10  # px: how close to an edge a press grabs it
ROTATE_REACH = 48  # px: a press outside the rectangle this close to a corner rotates
CURSORS = {"move": Qt.CursorShape.SizeAllCursor, "t": Qt.CursorShape.SizeVerCursor,
           "b": Qt.CursorShape.SizeVerCursor, "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
           "tl": Qt.CursorShape.SizeFDiagCursor, "br": Qt.CursorShape.SizeFDiagCursor,
           "tr": Qt.CursorShape.SizeBDiagCursor, "bl": Qt.CursorShape.SizeBDiagCursor}
ANGLE = ops.get("crop").spec("angle")  # the straighten param: range and step (degrees, + turns the photo CCW)


@dataclass
class CropBox:
    left: float = 0.0
    top: float = 0.0
    width: float = 1.0
    height: float = 1.0

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


class CropTool:
    """Drag corners or edges to resize, inside to move, just outside a corner to rotate (once
    `bind_angle` is called). `ratio` (pixel width / height) locks the aspect."""

    def __init__(self, box: CropBox, frame_size: tuple[int, int], ratio: float | None = None):
        self.box = box
        self.frame_size = frame_size
        self.ratio = ratio
        self._grab: str | None = None
        self._start: tuple[QPointF, CropBox] | None = None
        self._get_angle: Callable[[], float] | None = None
        self._set_angle: Callable[[float, bool], None] | None = None
        # while rotating: (angle at the press, last pointer bearing, degrees swept since, current angle)
        self._rotation: tuple[float, float, float, float] | None = None

    def bind_angle(self, get: Callable[[], float], set_: Callable[[float, bool], None]) -> None:
        """Enable rotating: `get()` reads the current straighten angle (degrees); `set_(angle, dragging)`
        records a new one (dragging=True while the pointer moves, False once on release), e.g. the
        window's slider command `on_param("crop", {"angle": a}, dragging)`."""
        self._get_angle, self._set_angle = get, set_

    @property
    def rotating(self) -> bool:
        return self._grab == "rotate"

    # -- geometry --------------------------------------------------------------------------------
    def view_rect(self, image_rect: QRectF) -> QRectF:
        b = self.box
        return QRectF(image_rect.x() + b.left * image_rect.width(), image_rect.y() + b.top * image_rect.height(),
                      b.width * image_rect.width(), b.height * image_rect.height())

    def _hit(self, pos: QPointF, image_rect: QRectF) -> str | None:
        r = self.view_rect(image_rect)
        near = lambda a, b: abs(a - b) <= GRAB  # noqa: E731
        inside_x = r.left() - GRAB <= pos.x() <= r.right() + GRAB
        inside_y = r.top() - GRAB <= pos.y() <= r.bottom() + GRAB
        edges = ""
        if inside_x and near(pos.y(), r.top()):  # an edge grabs only along its own span
            edges += "t"
        if inside_x and near(pos.y(), r.bottom()):
            edges += "b"
        if inside_y and near(pos.x(), r.left()):
            edges += "l"
        if inside_y and near(pos.x(), r.right()):
            edges += "r"
        if edges:
            return edges
        if r.contains(pos):
            return "move"
        corners = (r.topLeft(), r.topRight(), r.bottomLeft(), r.bottomRight())
        if self._set_angle is not None and min(math.dist((pos.x(), pos.y()), (c.x(), c.y()))
                                               for c in corners) <= ROTATE_REACH:
            return "rotate"
        return None

    def cursor_at(self, pos: QPointF, image_rect: QRectF) -> QCursor:
        """The pointer over `pos` (for the loupe to show while hovering): what a press there would do."""
        grab = self._hit(pos, image_rect)
        if grab == "rotate":
            return _rotate_cursor()
        return QCursor(CURSORS.get(grab, Qt.CursorShape.ArrowCursor))

    # -- interaction -----------------------------------------------------------------------------
    def press(self, pos: QPointF, image_rect: QRectF) -> bool:
        self._grab = self._hit(pos, image_rect)
        self._start = (QPointF(pos), CropBox(**vars(self.box)))
        if self._grab == "rotate":
            angle = self._get_angle()
            self._rotation = (angle, self._bearing(pos, image_rect), 0.0, angle)
        return self._grab is not None

    def _bearing(self, pos: QPointF, image_rect: QRectF) -> float:
        """Degrees of `pos` around the rectangle's centre, clockwise on screen (y points down)."""
        c = self.view_rect(image_rect).center()
        return math.degrees(math.atan2(pos.y() - c.y(), pos.x() - c.x()))

    def _rotate(self, pos: QPointF, image_rect: QRectF) -> None:
        """The photo follows the pointer: a clockwise sweep of d degrees turns it clockwise, angle - d.
        The sweep is summed move by move, so circling past the far side does not jump."""
        angle0, bearing, swept, last = self._rotation
        now = self._bearing(pos, image_rect)
        swept += (now - bearing + 180.0) % 360.0 - 180.0
        angle = min(max(angle0 - swept, ANGLE.min), ANGLE.max)
        angle = round(round(angle / ANGLE.step) * ANGLE.step, 6)
        self._rotation = (angle0, now, swept, angle)
        if angle != last:
            self._set_angle(angle, True)

    def move(self, pos: QPointF, image_rect: QRectF) -> None:
        if self._grab is None or self._start is None:
            return
        if self._grab == "rotate":
            self._rotate(pos, image_rect)
            return
        origin, b0 = self._start
        dx = (pos.x() - origin.x()) / max(image_rect.width(), 1)
        dy = (pos.y() - origin.y()) / max(image_rect.height(), 1)
        if self._grab == "move":
            left = min(max(b0.left + dx, 0.0), 1.0 - b0.width)
            top = min(max(b0.top + dy, 0.0), 1.0 - b0.height)
            self.box = CropBox(left, top, b0.width, b0.height)
            return
        left, top, right, bottom = b0.left, b0.top, b0.right, b0.bottom
        if "l" in self._grab:
            left = min(max(left + dx, 0.0), right - MIN_SIZE)
        if "r" in self._grab:
            right = max(min(right + dx, 1.0), left + MIN_SIZE)
        if "t" in self._grab:
            top = min(max(top + dy, 0.0), bottom - MIN_SIZE)
        if "b" in self._grab:
            bottom = max(min(bottom + dy, 1.0), top + MIN_SIZE)
        self.box = self._constrained(CropBox(left, top, right - left, bottom - top))

    def release(self) -> None:
        if self._grab == "rotate":
            self._set_angle(self._rotation[3], False)  # the end of the drag: one step, refined preview
        self._grab = self._start = self._rotation = None

    def _constrained(self, b: CropBox) -> CropBox:
        """Apply the aspect lock by adjusting the height (or the width when the height would not fit)."""
        if not self.ratio:
            return b
        fw, fh = self.frame_size
        height = b.width * fw / (fh * self.ratio)
        top = b.top if "t" not in (self._grab or "") else b.bottom - height
        if height > 1.0 or top < 0.0 or top + height > 1.0:
            height = min(b.height, 1.0)
            width = height * fh * self.ratio / fw
            left = b.left if "l" not in (self._grab or "") else b.right - width
            return CropBox(max(0.0, left), b.top, min(width, 1.0), height)
        return CropBox(b.left, top, b.width, height)

    # -- painting --------------------------------------------------------------------------------
    def paint(self, p: QPainter, image_rect: QRectF) -> None:
        r = self.view_rect(image_rect)
        shade = QPainterPath()
        shade.addRect(image_rect)
        hole = QPainterPath()
        hole.addRect(r)
        p.fillPath(shade.subtracted(hole), QColor(0, 0, 0, 150))
        p.setPen(QPen(QColor(240, 240, 240, 110), 1))
        lines = 8 if self.rotating else 3  # while rotating, a finer grid to line up the horizon
        for i in range(1, lines):  # rule of thirds (eighths while rotating)
            x = r.left() + r.width() * i / lines
            y = r.top() + r.height() * i / lines
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        p.setPen(QPen(QColor(250, 250, 250), 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(r)
        p.setBrush(QColor(250, 250, 250))
        for corner in (r.topLeft(), r.topRight(), r.bottomLeft(), r.bottomRight()):
            p.drawRect(QRectF(corner.x() - 4, corner.y() - 4, 8, 8))
        if self.rotating:
            p.setPen(QColor(250, 250, 250))
            p.drawText(r.topLeft() + QPointF(8, 20), f"{self._rotation[3]:+.1f}°")  # inside: always on screen


@lru_cache(maxsize=1)
def _rotate_cursor() -> QCursor:
    """The rotate pointer, drawn once from the icon set (the loupe asks on every mouse move)."""
    pixmap = theme.icon("mdi6.rotate-right").pixmap(22, 22)
    return QCursor(pixmap) if not pixmap.isNull() else QCursor(Qt.CursorShape.CrossCursor)
