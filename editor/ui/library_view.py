"""Library views: a Qt list model over editor.core.library.Library, the filmstrip and the grid.

Thumbnails come from the ThumbnailService (worker threads + disk cache); until one arrives a cell shows
a placeholder, and a photo that cannot be decoded shows a warning mark instead of breaking the view.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate

from editor.core.library import Entry, Library
from editor.ui import theme
from editor.ui.workers import ThumbnailService

EntryRole = Qt.ItemDataRole.UserRole + 1
FLAG_COLOURS = {"pick": QColor(235, 235, 235), "reject": QColor(230, 70, 60)}


class LibraryModel(QAbstractListModel):
    """Rows are the library's entries in its current sort order."""

    def __init__(self, thumbs: ThumbnailService, parent=None):
        super().__init__(parent)
        self.library = Library()
        self.thumbs = thumbs
        self.broken: dict[Path, str] = {}
        self.current_edit = None  # (path, edit): the open photo's edit, newer than its sidecar on disk
        thumbs.ready.connect(self._thumb_ready)
        thumbs.failed.connect(self._thumb_failed)

    def set_library(self, library: Library) -> None:
        self.beginResetModel()
        self.library = library
        self.broken.clear()
        self.endResetModel()
        library.subscribe(self._library_changed)

    def _library_changed(self, _lib) -> None:
        # Sorting, appending or new marks: cheap enough to reset the (small) model.
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()
        self.dataChanged.emit(self.index(0), self.index(max(0, self.rowCount() - 1)))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.library.entries)

    def entry(self, row: int) -> Entry | None:
        return self.library.entries[row] if 0 <= row < len(self.library.entries) else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        entry = self.entry(index.row())
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.name
        if role == EntryRole:
            return entry
        if role == Qt.ItemDataRole.DecorationRole:
            if entry.path in self.broken:
                return None
            edit = None
            if self.current_edit and self.current_edit[0] == entry.path:
                edit = self.current_edit[1]
            return self.thumbs.get(entry.path, entry.stat_key, entry.edit_hash, edit)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = f"{entry.name}\n{'★' * entry.rating or 'no rating'}  {entry.flag or ''}"
            problem = self.broken.get(entry.path) or entry.problem
            return text + (f"\n⚠ {problem}" if problem else "")
        return None

    def _row_of(self, path) -> int:
        return self.library.index_of(path)

    def _thumb_ready(self, path, _key, _image) -> None:
        row = self._row_of(path)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row))

    def _thumb_failed(self, path, message) -> None:
        self.broken[Path(path)] = message
        self._thumb_ready(path, "", None)


_UNEDITED: str | None = None


def is_edited(entry) -> bool:
    """Whether the photo's sidecar holds an edit that changes it (the grid marks those with a badge)."""
    global _UNEDITED
    if _UNEDITED is None:
        from editor.core.edit import Edit
        from editor.core.library import edit_hash
        _UNEDITED = edit_hash(Edit())
    return bool(entry.edit_hash) and entry.edit_hash != _UNEDITED


class ThumbDelegate(QStyledItemDelegate):
    """Paints a thumbnail cell: image fitted in the cell, stars, flag, and the name in the grid."""

    def __init__(self, cell: QSize, show_name: bool, parent=None):
        super().__init__(parent)
        self.cell = cell
        self.show_name = show_name

    def sizeHint(self, _option, _index) -> QSize:
        return self.cell

    def paint(self, p: QPainter, option, index) -> None:
        entry: Entry = index.data(EntryRole)
        image = index.data(Qt.ItemDataRole.DecorationRole)
        r = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        p.save()
        p.fillRect(r, QColor(58, 58, 62) if selected else QColor(38, 38, 41))
        name_h = 16 if self.show_name else 0
        box = r.adjusted(5, 5, -5, -5 - 14 - name_h)
        if image is not None and not image.isNull():
            size = image.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(box.center())
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, image)
            if entry.flag == "reject":
                p.fillRect(target, QColor(0, 0, 0, 140))
            if is_edited(entry):  # a small badge in the corner: this photo has been developed
                badge = QRect(target.left() + 3, target.top() + 3, 16, 16)
                p.fillRect(badge, QColor(0, 0, 0, 170))
                theme.icon("mdi6.tune-variant").paint(p, badge.adjusted(2, 2, -2, -2))
        else:
            p.setPen(QColor(120, 120, 120))
            broken = index.model().broken.get(entry.path) if hasattr(index.model(), "broken") else None
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "⚠ cannot open" if broken else "…")
        p.setPen(QColor(225, 190, 80))
        if entry.problem:  # "sidecar unreadable: ...": a visible mark; the tooltip gives the reason
            mark = QRect(r.right() - 21, r.top() + 2, 19, 18)
            p.fillRect(mark, QColor(0, 0, 0, 190))
            p.drawText(mark, Qt.AlignmentFlag.AlignCenter, "⚠")
        p.drawText(QRect(r.left() + 6, r.bottom() - 16 - name_h, r.width() - 30, 14),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "★" * entry.rating)
        if entry.flag:
            p.setPen(QPen(FLAG_COLOURS[entry.flag], 2))
            p.setBrush(FLAG_COLOURS[entry.flag] if entry.flag == "pick" else QColor(0, 0, 0, 0))
            flag = QRectF(r.right() - 16, r.bottom() - 15 - name_h, 9, 11)
            p.drawRect(flag)
            if entry.flag == "reject":
                p.drawLine(flag.topLeft(), flag.bottomRight())
        if self.show_name:
            p.setPen(QColor(180, 180, 180))
            font = QFont(p.font())
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            p.setFont(font)
            p.drawText(QRect(r.left() + 4, r.bottom() - name_h, r.width() - 8, name_h),
                       Qt.AlignmentFlag.AlignCenter, p.fontMetrics().elidedText(entry.name, Qt.TextElideMode.ElideMiddle,
                                                                             r.width() - 8))
        if selected:
            p.setPen(QPen(QColor(200, 200, 200), 1))
            p.setBrush(QColor(0, 0, 0, 0))
            p.drawRect(r.adjusted(0, 0, -1, -1))
        p.restore()


class ThumbList(QListView):
    """Filmstrip (one row, horizontal) or grid, sharing the model and selection."""

    activated_entry = Signal(object)  # Entry (double-click / Enter)

    def __init__(self, model: LibraryModel, *, strip: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("filmstrip" if strip else "grid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        if strip:
            self.setFlow(QListView.Flow.LeftToRight)
            self.setWrapping(False)
            self.setItemDelegate(ThumbDelegate(QSize(112, 96), False, self))
            self.setFixedHeight(118)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        else:
            self.setItemDelegate(ThumbDelegate(QSize(196, 180), True, self))
        self.strip = strip
        self.setModel(model)  # last: each mode set above would lay out every row again (0.2 s for 50k rows)
        self.doubleClicked.connect(lambda i: self.activated_entry.emit(i.data(EntryRole)))

    def set_cell_width(self, width: int) -> None:
        """Grid thumbnail size: cells `width` px wide (the name line below the image keeps its height)."""
        self.itemDelegate().cell = QSize(width, width - 16)
        self.doItemsLayout()
        self.viewport().update()
