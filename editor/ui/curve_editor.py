"""Tone-curve editor: draggable points on a 0..1 square, drawn with the same spline the pipeline uses.

Click adds a point, drag moves it (between its neighbours), double-click on a point removes it,
double-click on empty space resets the curve to a straight line. The preview's histogram of the channel
being edited is drawn behind the curve, so a point can be put where the tones are.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

LINEAR = ((0.0, 0.0), (1.0, 1.0))
COLOURS = {"master": QColor(225, 225, 225), "red": QColor(235, 80, 80), "green": QColor(90, 200, 110),
           "blue": QColor(90, 140, 245)}
HIT = 9  # px: how close a click must be to grab a point
MIN_GAP = 0.01  # curve x values must stay strictly increasing


def evaluate(points, xs: np.ndarray) -> np.ndarray:
    """The curve through `points` at `xs`, as the pipeline computes it."""
    from editor.core.ops.tone_curve import curve
    return curve(tuple(points), xs)


class CurveEditor(QWidget):
    changed = Signal(tuple, bool)  # points, dragging
    released = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("curveEditor")
        self.setMinimumSize(180, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.points: list[tuple[float, float]] = list(LINEAR)
        self.channel = "master"
        self._grab: int | None = None
        self.histogram = None  # editor.ui.imaging.Histogram of the preview, drawn behind the curve

    def sizeHint(self):
        from PySide6.QtCore import QSize
        return QSize(300, 290)

    def set_histogram(self, histogram) -> None:
        self.histogram = histogram
        self.update()

    def _histogram_path(self, a: QRectF) -> QPainterPath | None:
        """The histogram of the edited channel (luminance for the master curve) as a filled shape in `a`."""
        if self.histogram is None:
            return None
        counts = np.asarray(getattr(self.histogram, {"master": "luma"}.get(self.channel, self.channel)), float)
        if counts.sum() <= 0:
            return None
        heights = np.sqrt(counts) / max(np.sqrt(counts).max(), 1e-9)  # square root: dim tones stay visible
        path = QPainterPath(QPointF(a.left(), a.bottom()))
        for i, h in enumerate(heights):
            path.lineTo(QPointF(a.left() + a.width() * i / 255, a.bottom() - h * a.height() * 0.9))
        path.lineTo(QPointF(a.right(), a.bottom()))
        path.closeSubpath()
        return path

    def heightForWidth(self, w: int) -> int:
        return w

    def set_points(self, points, channel: str | None = None) -> None:
        self.points = [tuple(map(float, p)) for p in points]
        if channel:
            self.channel = channel
        self.update()

    def _area(self) -> QRectF:
        side = min(self.width(), self.height()) - 12
        return QRectF((self.width() - side) / 2, 6, side, side)

    def _to_view(self, x: float, y: float) -> QPointF:
        a = self._area()
        return QPointF(a.left() + x * a.width(), a.bottom() - y * a.height())

    def _to_curve(self, p: QPointF) -> tuple[float, float]:
        a = self._area()
        return (min(max((p.x() - a.left()) / a.width(), 0.0), 1.0),
                min(max((a.bottom() - p.y()) / a.height(), 0.0), 1.0))

    def _hit(self, p: QPointF) -> int | None:
        for i, (x, y) in enumerate(self.points):
            q = self._to_view(x, y)
            if abs(q.x() - p.x()) <= HIT and abs(q.y() - p.y()) <= HIT:
                return i
        return None

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        a = self._area()
        p.fillRect(a, QColor(30, 30, 32))
        shape = self._histogram_path(a)
        if shape is not None:
            tint = QColor(COLOURS.get(self.channel, COLOURS["master"]))
            tint.setAlpha(45)
            p.fillPath(shape, tint)
        p.setPen(QPen(QColor(60, 60, 64), 1))
        for i in range(1, 4):
            p.drawLine(QPointF(a.left() + a.width() * i / 4, a.top()), QPointF(a.left() + a.width() * i / 4, a.bottom()))
            p.drawLine(QPointF(a.left(), a.top() + a.height() * i / 4), QPointF(a.right(), a.top() + a.height() * i / 4))
        p.drawLine(a.bottomLeft(), a.topRight())
        xs = np.linspace(0.0, 1.0, 128)
        ys = evaluate(self.points, xs)
        path = QPainterPath(self._to_view(xs[0], ys[0]))
        for x, y in zip(xs[1:], ys[1:]):
            path.lineTo(self._to_view(float(x), float(y)))
        colour = COLOURS.get(self.channel, COLOURS["master"])
        p.setPen(QPen(colour, 2))
        p.drawPath(path)
        p.setBrush(colour)
        for x, y in self.points:
            p.drawEllipse(self._to_view(x, y), 4, 4)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self._hit(event.position())
        if hit is None:
            x, y = self._to_curve(event.position())
            if any(abs(x - px) < MIN_GAP for px, _ in self.points) or len(self.points) >= 32:
                return
            self.points.append((x, y))
            self.points.sort()
            hit = self.points.index((x, y))
            self.changed.emit(tuple(self.points), True)
        self._grab = hit
        self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._grab is None:
            return
        i = self._grab
        x, y = self._to_curve(event.position())
        lo = self.points[i - 1][0] + MIN_GAP if i > 0 else 0.0
        hi = self.points[i + 1][0] - MIN_GAP if i < len(self.points) - 1 else 1.0
        self.points[i] = (round(min(max(x, lo), hi), 4), round(y, 4))
        self.changed.emit(tuple(self.points), True)
        self.update()

    def mouseReleaseEvent(self, _event) -> None:
        if self._grab is not None:
            self._grab = None
            self.changed.emit(tuple(self.points), False)
            self.released.emit()

    def mouseDoubleClickEvent(self, event) -> None:
        hit = self._hit(event.position())
        if hit is not None and 0 < hit < len(self.points) - 1:
            del self.points[hit]
        elif hit is None:
            self.points = list(LINEAR)
        else:
            return
        self._grab = None
        self.changed.emit(tuple(self.points), False)
        self.update()
