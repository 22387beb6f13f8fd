"""The crop tool in the loupe: a rectangle over the uncropped (but rotated and straightened) frame.

The rectangle is kept in fractions of that frame, exactly as the crop operation's left/top/width/height
params are, so entering the tool, dragging and applying are plain conversions. Qt-only drawing and mouse
handling live here; the loupe forwards its events while the tool is active.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

MIN_SIZE = 0.02  # smallest crop, as a fraction of the frame
GRAB = 10  # px: how close to an edge a press grabs it


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
    """Drag corners or edges to resize, inside to move. `ratio` (pixel width / height) locks the aspect."""

    def __init__(self, box: CropBox, frame_size: tuple[int, int], ratio: float | None = None):
        self.box = box
        self.frame_size = frame_size
        self.ratio = ratio
        self._grab: str | None = None
        self._start: tuple[QPointF, CropBox] | None = None

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
        if inside_y and near(pos.y(), r.top()):
            edges += "t"
        if inside_y and near(pos.y(), r.bottom()):
            edges += "b"
        if inside_x and near(pos.x(), r.left()):
            edges += "l"
        if inside_x and near(pos.x(), r.right()):
            edges += "r"
        if edges:
            return edges
        return "move" if r.contains(pos) else None

    # -- interaction -----------------------------------------------------------------------------
    def press(self, pos: QPointF, image_rect: QRectF) -> bool:
        self._grab = self._hit(pos, image_rect)
        self._start = (QPointF(pos), CropBox(**vars(self.box)))
        return self._grab is not None

    def move(self, pos: QPointF, image_rect: QRectF) -> None:
        if self._grab is None or self._start is None:
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
        self._grab = self._start = None

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
        for i in (1, 2):  # rule of thirds
            x = r.left() + r.width() * i / 3
            y = r.top() + r.height() * i / 3
            p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        p.setPen(QPen(QColor(250, 250, 250), 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(r)
        p.setBrush(QColor(250, 250, 250))
        for corner in (r.topLeft(), r.topRight(), r.bottomLeft(), r.bottomRight()):
            p.drawRect(QRectF(corner.x() - 4, corner.y() - 4, 8, 8))
