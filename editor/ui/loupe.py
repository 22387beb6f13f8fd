"""The loupe: one photo, fit or zoomed (1:1 from full resolution), before/after and clipping overlay.

It only paints images the render worker produced. Positions are kept in full-resolution output pixels
(`full_size`), so the preview, the 1:1 detail tile and the 'before' image all line up.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_ZOOM = 4.0
COMPARE_MODES = ("after", "before", "split", "side")  # side: before and after next to each other
SIDE_GAP = 4  # px between the two images side by side
BLIT_SLACK = 2  # device px: an image this close to its rectangle's size is painted unscaled (a copy)


class Loupe(QWidget):
    detail_needed = Signal(tuple)  # (x, y, w, h) region in full-resolution output pixels
    zoom_changed = Signal(float)  # display pixels per full-resolution pixel
    picked = Signal(float, float)  # the white-balance picker's click, in full-resolution output pixels

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("loupe")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self.setMouseTracking(True)
        # paintEvent covers every pixel itself: Qt need not paint the parent's background underneath first
        # (a whole-view fill, ~5 ms at 4K on the GUI thread).
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None  # developed preview
        self.before: QImage | None = None
        self.overlay: QImage | None = None
        self.detail: tuple[tuple[int, int, int, int], QImage] | None = None
        self.detail_before: QImage | None = None  # the detail's region unedited (before/after views)
        self.full_size = (1, 1)
        self.message = ""
        self.fit = True
        self.zoom = 1.0
        self.center = QPointF(0.5, 0.5)  # fraction of the full image at the view centre
        self.compare = "after"
        self.split = 0.5
        self.show_clipping = False
        self.draft = False  # the image is an interim one: painted fast, replaced by the settled one
        self.hover_image: QImage | None = None  # a look previewed while the pointer is over it
        self._drag: QPointF | None = None
        self.crop_tool = None  # editor.ui.crop_tool.CropTool while cropping
        self.picking = False  # the white-balance picker is on: a click picks instead of panning
        self._cropping = False
        self._detail_timer = QTimer(self, singleShot=True, interval=60, timeout=self._ask_detail)

    # -- content ---------------------------------------------------------------------------------
    def set_preview(self, image: QImage, before: QImage, full_size, overlay: QImage | None, *,
                    same_edit: bool, draft: bool = False) -> None:
        self.message = ""
        self.draft = draft
        if not same_edit or tuple(full_size) != self.full_size:
            self.detail = self.detail_before = None
        self.image, self.before, self.overlay = image, before, overlay
        self.full_size = tuple(full_size)
        self.update()
        if not self.fit:
            self._detail_timer.start()

    def set_detail(self, region, image: QImage, before: QImage | None = None) -> None:
        self.detail = (tuple(region), image)
        self.detail_before = before
        self.update()

    def show_message(self, text: str) -> None:
        """Shown in place of the image, e.g. why a photo cannot be opened."""
        self.message = text
        self.image = self.before = self.overlay = self.detail = self.detail_before = None
        self.update()

    def clear(self) -> None:
        self.show_message("")

    # -- view state ------------------------------------------------------------------------------
    def view_size(self) -> tuple[float, float]:
        """The size of one view of the photo: the widget, or side by side each half of it (both halves
        show the same zoom and centre, so zooming or panning one moves the other like Lightroom's)."""
        if self.compare == "side":
            return (self.width() - SIDE_GAP) / 2, self.height()
        return self.width(), self.height()

    def fit_zoom(self) -> float:
        fw, fh = self.full_size
        vw, vh = self.view_size()
        return min(vw / max(fw, 1), vh / max(fh, 1))

    def current_zoom(self) -> float:
        return self.fit_zoom() if self.fit else self.zoom

    def screen_scale(self, full_size, fit: bool | None = None) -> float:
        """Device pixels per full-resolution pixel for an output of `full_size` at the current zoom (or,
        with `fit`, when the whole photo is fitted into the view)."""
        fw, fh = full_size
        fit = self.fit if fit is None else fit
        vw, vh = self.view_size()
        zoom = min(vw / max(fw, 1), vh / max(fh, 1)) if fit else self.zoom
        return zoom * self.devicePixelRatioF()

    def set_fit(self) -> None:
        self.fit, self.center = True, QPointF(0.5, 0.5)
        self.zoom_changed.emit(self.current_zoom())
        self.update()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to `zoom` display px per full px, keeping the image point under `anchor` in place."""
        zoom = max(self.fit_zoom(), min(MAX_ZOOM, zoom))
        if zoom <= self.fit_zoom() * 1.001:
            self.set_fit()
            return
        if anchor is not None:
            anchor = self._in_view(anchor)
            before = self._to_image(anchor)
            self.fit, self.zoom = False, zoom
            after = self._to_image(anchor)
            fw, fh = self.full_size
            self.center += QPointF((before.x() - after.x()) / fw, (before.y() - after.y()) / fh)
        self.fit, self.zoom = False, zoom
        self._clamp()
        self.zoom_changed.emit(zoom)
        self._detail_timer.start()
        self.update()

    def toggle_zoom(self, anchor: QPointF | None = None) -> None:
        """Fit <-> 100 %."""
        if self.fit:
            self.set_zoom(1.0, anchor)
        else:
            self.set_fit()

    def set_compare(self, mode: str) -> None:
        if mode not in COMPARE_MODES:
            raise ValueError(mode)
        was, self.compare = self.compare, mode
        if (was == "side") != (mode == "side"):  # the view is half or whole: a new fit, a new visible region
            if self.fit:
                self.zoom_changed.emit(self.current_zoom())
            else:
                self._clamp()
                self._detail_timer.start()
        elif not self.fit and mode != "after" and self.detail_before is None:
            self._detail_timer.start()  # the 1:1 tile of the before photo too
        self.update()

    def visible_region(self) -> tuple[int, int, int, int]:
        """The part of the full-resolution image the view shows, in full pixels."""
        rect = self._image_rect()
        z = self.current_zoom()
        fw, fh = self.full_size
        x0 = max(0.0, -rect.x() / z)
        y0 = max(0.0, -rect.y() / z)
        vw, vh = self.view_size()
        x1 = min(fw, (vw - rect.x()) / z)
        y1 = min(fh, (vh - rect.y()) / z)
        return int(x0), int(y0), max(1, int(x1 - x0 + 1)), max(1, int(y1 - y0 + 1))

    # -- geometry --------------------------------------------------------------------------------
    def _image_rect(self) -> QRectF:
        """Where the photo is painted in the view (side by side: in each half, from its left edge)."""
        z = self.current_zoom()
        fw, fh = self.full_size
        vw, vh = self.view_size()
        cx, cy = self.center.x() * fw, self.center.y() * fh
        return QRectF(vw / 2 - cx * z, vh / 2 - cy * z, fw * z, fh * z)

    def _in_view(self, p: QPointF) -> QPointF:
        """A widget point in view coordinates: side by side, a point in the right half maps onto the left's."""
        half = self.view_size()[0] + SIDE_GAP
        if self.compare == "side" and p.x() >= half:
            return QPointF(p.x() - half, p.y())
        return QPointF(p)

    def _to_image(self, p: QPointF) -> QPointF:
        rect, z = self._image_rect(), self.current_zoom()
        return QPointF((p.x() - rect.x()) / z, (p.y() - rect.y()) / z)

    def _clamp(self) -> None:
        """Keep the image covering the view when it is larger than the view, centred when smaller."""
        z = self.current_zoom()
        fw, fh = self.full_size
        vw, vh = self.view_size()
        hx = min(0.5, vw / (2 * fw * z))
        hy = min(0.5, vh / (2 * fh * z))
        self.center = QPointF(min(max(self.center.x(), hx), 1 - hx), min(max(self.center.y(), hy), 1 - hy))

    def _ask_detail(self) -> None:
        if not self.fit and self.image is not None:
            self.detail_needed.emit(self.visible_region())

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        if self.image is None:
            p.fillRect(self.rect(), self.palette().window())
            self._paint_message(p)
            return
        # Smooth scaling of a large view costs tens of ms in software: drafts (a slider moving) are painted
        # with the fast transform, the settled preview smoothly (when it is not simply copied: `_draw`).
        smooth = (self.fit or self.current_zoom() < 1.0) and not self.draft
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        rect = self._image_rect()
        after = self.hover_image or self.image
        if self.compare == "side":
            p.fillRect(self.rect(), self.palette().window())
            self._paint_side_by_side(p, after)
            return
        self._fill_around(p, rect)
        if self.compare == "before":
            self._draw(p, rect, self.before)
            self._paint_tile(p, rect, self.detail_before)
        else:
            self._draw(p, rect, after)
            if self.detail is not None and self.hover_image is None:
                (x, y, w, h), tile = self.detail
                z = self.current_zoom()
                p.drawImage(QRectF(rect.x() + x * z, rect.y() + y * z, w * z, h * z), tile)
            if self.show_clipping and self.overlay is not None:
                self._draw(p, rect, self.overlay)
            if self.crop_tool is not None:
                self.crop_tool.paint(p, rect)
            if self.compare == "split":
                cut = int(self.width() * self.split)
                p.save()
                p.setClipRect(QRect(0, 0, cut, self.height()))
                self._draw(p, rect, self.before)
                self._paint_tile(p, rect, self.detail_before)
                p.restore()
                p.setPen(QPen(QColor(230, 230, 230, 200), 1))
                p.drawLine(cut, 0, cut, self.height())
                left = max(0, int(rect.left())) + 12
                self._label(p, left, "Before")
                self._label(p, max(cut, left + 80) + 12, "After")
        if self.compare == "before":
            self._label(p, max(0, int(rect.left())) + 12, "Before")

    def _fill_around(self, p: QPainter, rect: QRectF) -> None:
        """The background where the (opaque) image will not cover the view: at 4K a whole-view fill under
        the image costs as much as painting the image."""
        inner = rect.toAlignedRect().adjusted(1, 1, -1, -1).intersected(self.rect())  # edges: antialiased
        brush = self.palette().window()
        if inner.isEmpty():
            p.fillRect(self.rect(), brush)
            return
        w, h = self.width(), self.height()
        p.fillRect(QRect(0, 0, w, inner.top()), brush)
        p.fillRect(QRect(0, inner.bottom() + 1, w, h - inner.bottom() - 1), brush)
        p.fillRect(QRect(0, inner.top(), inner.left(), inner.height()), brush)
        p.fillRect(QRect(inner.right() + 1, inner.top(), w - inner.right() - 1, inner.height()), brush)

    def device_rect(self, image: QImage, rect: QRectF) -> QRectF | None:
        """Where `image` is painted one image pixel per device pixel (a copy, no scaling), when its size is
        that of `rect` in device pixels to within BLIT_SLACK: centred on `rect`, on whole device pixels.
        None when it must be scaled. The settled preview is rendered at the view's device size for this."""
        dpr = self.devicePixelRatioF()
        iw, ih = image.width(), image.height()
        if abs(iw - rect.width() * dpr) > BLIT_SLACK or abs(ih - rect.height() * dpr) > BLIT_SLACK:
            return None
        x = round(rect.center().x() * dpr - iw / 2)
        y = round(rect.center().y() * dpr - ih / 2)
        return QRectF(x / dpr, y / dpr, iw / dpr, ih / dpr)

    def _draw(self, p: QPainter, rect: QRectF, image: QImage) -> None:
        """`image` fitted into `rect`: copied when it has the rectangle's device size, else scaled (the
        smooth scaling of a 3000 px image takes ~10-90 ms on the GUI thread; the copy 1-2 ms)."""
        exact = self.device_rect(image, rect)
        p.drawImage(exact if exact is not None else rect, image)

    def side_rects(self) -> tuple[QRectF, QRectF]:
        """Where the before and the after photo are painted side by side, in widget pixels (at the zoom and
        centre of the view; a zoomed photo extends past its half, which clips it)."""
        rect = self._image_rect()
        return rect, rect.translated(self.view_size()[0] + SIDE_GAP, 0)

    def _paint_side_by_side(self, p: QPainter, after: QImage) -> None:
        vw, vh = self.view_size()
        rect = self._image_rect()
        for left, image, label in ((0.0, self.before, "Before"), (vw + SIDE_GAP, after, "After")):
            p.save()
            p.setClipRect(QRectF(left, 0, vw, vh))
            p.translate(left, 0)
            self._draw(p, rect, image)
            if image is self.before:
                self._paint_tile(p, rect, self.detail_before)
            elif self.hover_image is None:
                self._paint_extras(p, rect)
            p.restore()
            self._label(p, int(left + max(0.0, rect.left())) + 12, label)

    def _paint_extras(self, p: QPainter, rect: QRectF) -> None:
        """The 1:1 tile and the clipping overlay over the edited photo."""
        if self.detail is not None:
            self._paint_tile(p, rect, self.detail[1])
        if self.show_clipping and self.overlay is not None:
            self._draw(p, rect, self.overlay)

    def _paint_tile(self, p: QPainter, rect: QRectF, tile: QImage | None) -> None:
        """`tile` (the detail's region, edited or not) over the photo painted at `rect`."""
        if self.detail is not None and tile is not None:
            x, y, w, h = self.detail[0]
            z = self.current_zoom()
            p.drawImage(QRectF(rect.x() + x * z, rect.y() + y * z, w * z, h * z), tile)

    def _label(self, p: QPainter, x: int, text: str) -> None:
        """A small caption on a dark pill, readable over bright skies."""
        box = p.fontMetrics().boundingRect(text).adjusted(-8, -3, 8, 3)
        box.moveTopLeft(QPoint(x, 10))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(20, 20, 22, 190))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QColor(235, 235, 235))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_message(self, p: QPainter) -> None:
        if not self.message:
            return
        p.setPen(QColor(200, 200, 200))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        p.setFont(font)
        p.drawText(self.rect().adjusted(40, 40, -40, -40),
                   Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)

    # -- interaction -----------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        if self.image is None:
            return
        steps = event.angleDelta().y() / 120
        self.set_zoom(self.current_zoom() * (1.25 ** steps), event.position())

    def mouseDoubleClickEvent(self, event) -> None:
        if self.image is not None and self.crop_tool is None:
            self.toggle_zoom(event.position())

    def set_picking(self, on: bool) -> None:
        self.picking = on
        if on and self.compare != "after":
            self.set_compare("after")  # pick on the photo itself, not on a before/after view
        self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)

    def mousePressEvent(self, event) -> None:
        if self.picking and event.button() == Qt.MouseButton.LeftButton and self.image is not None:
            point = self._to_image(self._in_view(event.position()))
            self.picked.emit(point.x(), point.y())
            return
        if (event.button() == Qt.MouseButton.LeftButton and self.crop_tool is not None and self.image is not None
                and self.crop_tool.press(event.position(), self._image_rect())):
            self._cropping = True
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.position()
            if self.compare == "split":
                self.split = min(max(event.position().x() / max(self.width(), 1), 0.02), 0.98)
                self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._cropping:
            self.crop_tool.move(event.position(), self._image_rect())
            self.update()
            return
        if self.crop_tool is not None:  # hovering: the pointer says what a press would do
            self.setCursor(self.crop_tool.cursor_at(event.position(), self._image_rect()))
        elif self.cursor().shape() != Qt.CursorShape.ArrowCursor:
            self.unsetCursor()
        if self._drag is None:
            return
        if self.compare == "split" and self.fit:
            self.split = min(max(event.position().x() / max(self.width(), 1), 0.02), 0.98)
            self.update()
            return
        if not self.fit:
            delta = event.position() - self._drag
            self._drag = event.position()
            z = self.current_zoom()
            fw, fh = self.full_size
            self.center -= QPointF(delta.x() / (fw * z), delta.y() / (fh * z))
            self._clamp()
            self._detail_timer.start()
            self.update()

    def mouseReleaseEvent(self, _event) -> None:
        self._drag = None
        if self._cropping:
            self._cropping = False
            self.crop_tool.release()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit:
            self.zoom_changed.emit(self.current_zoom())  # fitting a new size is a new zoom
        else:
            self._clamp()
            self._detail_timer.start()
