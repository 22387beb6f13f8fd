"""Histogram view: red, green, blue and luminance of the rendered preview, with clipping indicators.

The counts are computed by the render worker (editor.ui.imaging.histogram); this only paints them.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from editor.ui.imaging import Histogram

CHANNELS = (("red", QColor(230, 60, 60, 150)), ("green", QColor(60, 200, 80, 150)),
            ("blue", QColor(70, 120, 240, 150)))
CLIP_ON = 0.001  # an indicator lights when more than 0.1 % of the pixels clip


class HistogramView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("histogram")
        self.setMinimumHeight(110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.data: Histogram | None = None
        self.setToolTip("Histogram of the developed preview. Corner triangles light up when shadows (left) "
                        "or highlights (right) clip; press J to show clipped pixels.")

    def sizeHint(self) -> QSize:
        return QSize(280, 120)

    def set_histogram(self, data: Histogram | None) -> None:
        self.data = data
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(4, 12, -4, -4)
        p.fillRect(area, QColor(24, 24, 26))
        if self.data is None:
            return
        top = max(1.0, float(np.percentile(np.concatenate([self.data.red, self.data.green, self.data.blue]), 99.5)))
        p.setPen(QColor(0, 0, 0, 0))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Plus)
        for name, colour in CHANNELS:
            p.setBrush(colour)
            p.drawPath(_area_path(getattr(self.data, name), top, area))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        p.setBrush(QColor(0, 0, 0, 0))
        p.setPen(QColor(220, 220, 220, 180))
        p.drawPath(_area_path(self.data.luma, top, area))
        self._clip_marker(p, area.left(), self.data.clipped_low > CLIP_ON, QColor(80, 140, 255), 1)
        self._clip_marker(p, area.right(), self.data.clipped_high > CLIP_ON, QColor(255, 70, 70), -1)

    def _clip_marker(self, p: QPainter, x: float, on: bool, colour: QColor, direction: int) -> None:
        p.setPen(QColor(0, 0, 0, 0))
        p.setBrush(colour if on else QColor(70, 70, 74))
        p.drawPolygon(QPolygonF([QPointF(x, 1), QPointF(x + 9 * direction, 1), QPointF(x, 10)]))


def _area_path(counts: np.ndarray, top: float, area: QRectF) -> QPainterPath:
    """The area under `counts` (scaled so `top` fills the height) as one polygon. The points are computed
    with numpy and handed over in one list: 256 `lineTo` calls with their QRectF reads cost ~0.4 ms per
    channel on the GUI thread, after every preview."""
    ys = area.bottom() - area.height() * np.minimum(counts / top, 1.0)
    xs = area.left() + area.width() * np.arange(len(ys)) / max(len(ys) - 1, 1)
    points = [QPointF(area.left(), area.bottom())]
    points += [QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist())]
    points.append(QPointF(area.right(), area.bottom()))
    path = QPainterPath()
    path.addPolygon(QPolygonF(points))
    path.closeSubpath()
    return path
