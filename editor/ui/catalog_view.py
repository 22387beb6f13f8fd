"""The library panel over the catalog: folders and sessions with counts, a filter bar, and a grid that
fetches its rows lazily from editor.app.library.LibraryController (a windowed model: the view asks only
for the rows it paints, and the controller reads them a page at a time).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QLineEdit, QListView, QMenu,
                               QPushButton, QSplitter, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from editor.app.library import LibraryController
from editor.core.catalog import Folder, Photo
from editor.ui.library_view import EntryRole, ThumbList
from editor.ui.workers import ThumbnailService

FolderRole = Qt.ItemDataRole.UserRole + 2
SORT_LABELS = {"time": "Capture time", "name": "Name", "rating": "Rating", "edited": "Edit time"}
FLAG_LABELS = {None: "Any flag", "pick": "Picks", "reject": "Rejects", "none": "Unflagged"}
LAYOUT_BATCH = 2000  # grid cells laid out between two paints
MENU_DELAY_MS = 500  # the look/camera menus follow changed rows after a pause
TEXT_DELAY_MS = 150  # typing in the name box filters after a short pause, not on every key
# Thumbnails are asked for once scrolling pauses this long, for at most the last THUMB_BATCH photos painted:
# a fling through 50,000 photos must not queue 50,000 renders ahead of the ones on screen.
THUMB_DELAY_MS = 120
THUMB_BATCH = 96
IMAGES_KEPT = 1500


class CatalogModel(QAbstractListModel):
    """Rows are the controller's matching photos; each row's Photo is read only when a view asks for it."""

    def __init__(self, controller: LibraryController, thumbs: ThumbnailService, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.thumbs = thumbs
        self.broken: dict[Path, str] = {}
        self._images: OrderedDict[Path, QImage] = OrderedDict()  # thumbnails at hand, least recent first
        self._wanted: OrderedDict[Path, Photo] = OrderedDict()  # painted without one, newest last
        self._asked: set[str] = set()  # thumb keys requested from the service
        self._timer = QTimer(self, singleShot=True, interval=THUMB_DELAY_MS, timeout=self._ask)
        controller.changed.subscribe(self._reset)
        controller.rows_changed.subscribe(self._rows_changed)
        thumbs.ready.connect(self._thumb_ready)
        thumbs.failed.connect(self._thumb_failed)

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _rows_changed(self, rows: list[int]) -> None:
        for row in rows:
            self.dataChanged.emit(self.index(row), self.index(row))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.controller)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        photo = self.controller.photo(index.row())
        if photo is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return photo.name
        if role == EntryRole:
            return photo  # has what ThumbDelegate reads: path, name, rating, flag
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(photo)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(photo, self.broken.get(photo.path))
        return None

    def _thumbnail(self, photo: Photo):
        image = self._images.get(photo.path)
        if image is not None:
            self._images.move_to_end(photo.path)
        if photo.path not in self.broken and photo.thumb_key not in self._asked:
            self._wanted[photo.path] = photo
            self._wanted.move_to_end(photo.path)
            self._timer.start()
        return image

    def _ask(self) -> None:
        """Request the thumbnails of the photos painted last (the ones on screen when scrolling paused)."""
        wanted = list(self._wanted.values())[-THUMB_BATCH:]
        self._wanted.clear()
        for photo in wanted:
            self._asked.add(photo.thumb_key)
            image = self.thumbs.get(photo.path, photo.stat_key, photo.edit_hash)
            if image is not None:
                self._keep(photo.path, image)

    def _keep(self, path: Path, image: QImage) -> None:
        self._images[path] = image
        self._images.move_to_end(path)
        while len(self._images) > IMAGES_KEPT:
            self._images.popitem(last=False)

    def _thumb_ready(self, path, _key, image) -> None:
        if image is not None:
            self._keep(Path(path), image)
        row = self.controller.held_row(path)  # a photo not held was not painted: nothing to update
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row), [Qt.ItemDataRole.DecorationRole])

    def _thumb_failed(self, path, message) -> None:
        self.broken[Path(path)] = message
        self._thumb_ready(path, "", None)


def _tooltip(photo, broken: str | None) -> str:
    lines = [str(photo.path), time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(photo.captured))]
    exposure = []
    if photo.exposure:
        exposure.append(f"1/{round(1 / photo.exposure)} s" if photo.exposure < 1 else f"{photo.exposure:g} s")
    if photo.fnumber:
        exposure.append(f"f/{photo.fnumber:g}")
    if photo.iso:
        exposure.append(f"ISO {photo.iso}")
    lines.append("  ".join(filter(None, [photo.camera, photo.lens, *exposure])))
    lines.append(f"{'★' * photo.rating or 'no rating'}  {photo.flag or ''}  {photo.look or ''}".rstrip())
    problem = broken or photo.problem
    return "\n".join(line for line in lines if line) + (f"\n⚠ {problem}" if problem else "")


class FolderList(QWidget):
    """"All photographs", then every folder and tether session with its sub-folders, each with its photo
    count (sub-folders count the photos below them too); offline folders are greyed, their photos kept."""

    def __init__(self, controller: LibraryController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.tree = QTreeWidget()
        self.tree.setObjectName("libraryFolders")
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(12)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.add_button = QPushButton("Add folder…")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.add_button)
        self.add_button.clicked.connect(self.choose_folder)
        self.tree.currentItemChanged.connect(self._chosen)
        self.tree.customContextMenuRequested.connect(self._menu)
        controller.folders_changed.subscribe(self.reload)
        self.reload()

    def reload(self) -> None:
        """Rebuild the tree, keeping what was chosen and which folders were open."""
        shown = self.controller.filter
        opened = {_key(it) for it in self._items() if it.isExpanded()}
        self.tree.blockSignals(True)
        self.tree.clear()
        folders = self.controller.folders()
        everything = QTreeWidgetItem([f"All photographs   {sum(f.count for f in folders)}"])
        everything.setData(0, FolderRole, None)
        self.tree.addTopLevelItem(everything)
        current = everything
        for folder in folders:
            item = self._folder_item(folder)
            self.tree.addTopLevelItem(item)
            if folder.id == shown.folder_id:
                current = item
            parents = {folder.path: item}
            for path, depth, count in self.controller.subfolders(folder):
                child = QTreeWidgetItem([f"{path.name}   {count}"])
                child.setData(0, FolderRole, path)
                child.setToolTip(0, str(path))
                parents.get(path.parent, item).addChild(child)
                parents[path] = child
                if shown.under is not None and Path(shown.under) == path:
                    current = child
        for it in self._items():
            it.setExpanded(_key(it) in opened)
        self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)

    def _folder_item(self, folder: Folder) -> QTreeWidgetItem:
        mark = "◉ " if folder.kind == "session" else ""
        item = QTreeWidgetItem([f"{mark}{folder.name}   {folder.count}" + ("" if folder.online else "  (offline)")])
        item.setData(0, FolderRole, folder)
        item.setToolTip(0, f"{folder.path}\n{'tether session' if folder.kind == 'session' else 'folder'}"
                        + ("" if folder.online else "\noffline: its disk is not connected; photos kept"))
        if not folder.online:
            item.setForeground(0, QColor(130, 130, 130))
        return item

    def _items(self) -> list[QTreeWidgetItem]:
        out, stack = [], [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return out

    def labels(self) -> list[str]:
        """The text of every row, depth first (tests and accessibility)."""
        out = []

        def walk(item, depth):
            out.append("  " * depth + item.text(0))
            for i in range(item.childCount()):
                walk(item.child(i), depth + 1)
        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i), 0)
        return out

    def _chosen(self, item, _previous) -> None:
        if item is None:
            return
        data = item.data(0, FolderRole)
        if isinstance(data, Path):
            self.controller.show_subfolder(data)
        else:
            self.controller.show_folder(data)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder to the library", str(Path.home()))
        if folder:
            self.controller.add_folder(Path(folder))

    def _menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        data = item.data(0, FolderRole) if item is not None else None
        folder: Folder | None = data if isinstance(data, Folder) else None
        menu = QMenu(self)
        menu.addAction("Rescan", lambda: self.controller.scan(None if folder is None else [folder.path]))
        if folder is not None:
            menu.addAction("Remove from library (files stay)", lambda: self.controller.remove_folder(folder))
        menu.addSeparator()
        menu.addAction("Rebuild the whole library (from folders and sidecars)", self.controller.rebuild)
        menu.exec(self.tree.viewport().mapToGlobal(pos))


def _key(item: QTreeWidgetItem):
    data = item.data(0, FolderRole)
    return data.path if isinstance(data, Folder) else data


class FilterBar(QWidget):
    """Rating ≥, flag, look, camera, date range, file type, text in the name, and the sort order."""

    def __init__(self, controller: LibraryController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.rating = _combo([("Any rating", None)] + [("★" * n + " or more", n) for n in range(1, 6)])
        self.flag = _combo([(label, key) for key, label in FLAG_LABELS.items()])
        self.look, self.camera, self.type = QComboBox(), QComboBox(), QComboBox()
        self.since, self.until = _date_edit("from"), _date_edit("to")
        self.text = QLineEdit()
        self.text.setPlaceholderText("Name contains…")
        self.text.setClearButtonEnabled(True)
        self.sort = _combo([(label, key) for key, label in SORT_LABELS.items()])
        self.reverse = QToolButton()
        self.reverse.setCheckable(True)
        self.reverse.setText("↓")
        self.reverse.setToolTip("Reverse the order")
        layout = QVBoxLayout(self)  # two rows, so that the grid beside the develop panel stays narrow enough
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        rows = QHBoxLayout(), QHBoxLayout()
        for widget in (self.rating, self.flag, self.look, self.camera, self.type):
            rows[0].addWidget(widget)
        rows[0].addStretch(1)
        for widget in (self.since, self.until):
            rows[1].addWidget(widget)
        rows[1].addWidget(self.text, 1)
        rows[1].addWidget(self.sort)
        rows[1].addWidget(self.reverse)
        for r in rows:
            layout.addLayout(r)
        self.text_timer = QTimer(self, singleShot=True, interval=TEXT_DELAY_MS, timeout=self.apply)
        for box in (self.rating, self.flag, self.look, self.camera, self.type, self.sort):
            box.currentIndexChanged.connect(self.apply)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.apply)
        self.reverse.toggled.connect(self.apply)
        self.text.textChanged.connect(lambda _t: self.text_timer.start())
        self.menu_timer = QTimer(self, singleShot=True, interval=MENU_DELAY_MS, timeout=self.reload_menus)
        controller.folders_changed.subscribe(self.reload_menus)
        controller.rows_changed.subscribe(lambda _rows: self.menu_timer.start())  # e.g. a new look applied
        self.reload_menus()

    def reload_menus(self) -> None:
        """The looks, cameras and file types present in the catalog."""
        for box, column, anything in ((self.look, "look", "Any look"), (self.camera, "camera", "Any camera"),
                                      (self.type, "ext", "Any type")):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(anything, None)
            for value in self.controller.catalog.values(column):
                box.addItem(value.upper() if column == "ext" else value, value)
            box.setCurrentIndex(max(0, box.findData(current)))
            box.blockSignals(False)

    def apply(self) -> None:
        since, until = _day(self.since), _day(self.until, end=True)
        self.controller.set_filter(
            rating=self.rating.currentData(), flag=self.flag.currentData(), look=self.look.currentData(),
            camera=self.camera.currentData(), types=(self.type.currentData(),) if self.type.currentData() else (),
            since=since, until=until, text=self.text.text().strip() or None, sort=self.sort.currentData(),
            descending=self.reverse.isChecked())


def _combo(items) -> QComboBox:
    box = QComboBox()
    for label, data in items:
        box.addItem(label, data)
    return box


def _date_edit(empty: str) -> QDateEdit:
    """A date box whose lowest value means "no limit" (shown as `empty`)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(1900, 1, 1))
    edit.setSpecialValueText(empty)
    edit.setDate(edit.minimumDate())
    return edit


def _day(edit: QDateEdit, end: bool = False) -> float | None:
    if edit.date() == edit.minimumDate():
        return None
    date = edit.date().addDays(1) if end else edit.date()
    return date.startOfDay().toSecsSinceEpoch() - (1e-3 if end else 0)


class LibraryPanel(QWidget):
    """Folders on the left, the filter bar over the grid on the right. With `keys`, 0-5 rate and P/X/U flag
    the selected photos (a window with its own actions for those keys calls `mark` instead)."""

    opened = Signal(object)  # Path of a photo double-clicked (or Enter)

    def __init__(self, controller: LibraryController, thumbs: ThumbnailService, parent=None, *, keys: bool = True):
        super().__init__(parent)
        self.controller = controller
        self.model = CatalogModel(controller, thumbs, self)
        self.folders = FolderList(controller)
        self.filters = FilterBar(controller)
        self.grid = ThumbList(self.model, strip=False)
        self.grid.setObjectName("catalogGrid")
        # Lay out 50k cells in batches between paints: the first screen shows at once (~10 ms instead of
        # ~0.4 s, most of it Qt asking the Python model its row count 4 times per cell).
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(LAYOUT_BATCH)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.filters)
        rl.addWidget(self.grid, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.folders)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.setMinimumSize(240, 200)  # a narrow window clips the filter bar rather than squeezing its neighbours
        self.grid.activated_entry.connect(lambda photo: photo is not None and self.opened.emit(photo.path))
        if keys:
            self._keys()

    def _keys(self) -> None:
        marks = {**{str(n): {"rating": n} for n in range(6)},
                 "P": {"flag": "pick"}, "X": {"flag": "reject"}, "U": {"flag": None}}
        for key, values in marks.items():
            shortcut = QShortcut(QKeySequence(key), self.grid, context=Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda values=values: self.mark(**values))

    def shutdown(self) -> None:
        """Stop the panel's timers (they query the catalog) before the catalog is closed."""
        for timer in (self.model._timer, self.filters.text_timer, self.filters.menu_timer):
            timer.stop()
        self.setEnabled(False)

    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        if not rows and self.grid.currentIndex().isValid():
            rows = [self.grid.currentIndex().row()]
        return rows

    def selected_photos(self) -> list:
        return [p for p in map(self.controller.photo, self.selected_rows()) if p is not None]

    def mark(self, **values) -> None:
        rows = self.selected_rows()
        if rows:
            self.controller.set_marks(rows, **values)
