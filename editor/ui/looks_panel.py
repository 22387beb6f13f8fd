"""The looks panel: built-in, user and imported looks, each shown as a live thumbnail of the open photo.

Thumbnails are rendered on a worker (the current edit with the look applied, exactly what a click gives),
lazily: only the looks on screen, then those that scrolling or expanding a group reveals.
Hovering a look previews it in the loupe; clicking applies it as one undoable step; the amount slider
re-blends the applied look (presets.set_amount). What happens is the LooksController's (editor.app.looks):
this panel shows it and never touches the window. A bad file gives a clear message and changes nothing.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QSlider, QToolButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from editor.app.looks import LooksController
from editor.ui import imaging, theme
from presets import apply_preset

log = logging.getLogger("darkslide")
NameRole = Qt.ItemDataRole.UserRole + 1
THUMB_EDGE = 120  # px, long edge of a look thumbnail
ICON = QSize(72, 54)  # px, a thumbnail as the list shows it
AMOUNT_LABEL_PX = 110  # widest the look's name beside the amount slider may get
HOVER_MS = 140  # wait this long on a look before previewing it in the loupe
VISIBLE_MS = 60  # after a scroll, expand or resize settles this long, render the newly shown looks
EXPORT_FILTERS = {"Darkslide preset (*.json)": ".json", "Lightroom / Camera Raw preset (*.xmp)": ".xmp",
                  "3D LUT, 33 points (*.cube)": ".cube"}
IMPORT_FILTER = "Presets and LUTs (*.json *.xmp *.cube *.png *.tif *.tiff);;All files (*)"


class LooksPanel(QWidget):
    thumbs_ready = Signal(int, object)  # generation, {name: QImage}
    thumb_failed = Signal(int, str, str)  # generation, look, why
    changed = Signal()  # the list of looks was rebuilt

    def __init__(self, looks: LooksController, parent=None, executor: cf.ThreadPoolExecutor | None = None):
        """`executor` renders the thumbnails, one batch at a time (the window's Workers give it)."""
        super().__init__(parent)
        self.looks = looks
        self.documents = looks.documents
        self._pool = executor or cf.ThreadPoolExecutor(1, thread_name_prefix="darkslide-looks")
        self._gen = 0
        self._key = None  # (document, edit) of the current generation
        self._requested: set[str] = set()  # looks queued in this generation
        self._futures: list[cf.Future] = []
        self.on_rendered: Callable[[int, str], None] | None = None  # opt-in probe for tests and benchmarks
        self._hovered: str | None = None
        self._amount_drag = False
        self._closed = False
        self._build()
        self.thumbs_ready.connect(self._thumbs_ready)
        self.thumb_failed.connect(self._thumb_failed)
        self.hover_timer = QTimer(self, singleShot=True, interval=HOVER_MS, timeout=self._hover_preview)
        self.refresh_timer = QTimer(self, singleShot=True, interval=700, timeout=self.render_thumbnails)
        # scrolling, expanding and resizing show new rows: render them once things settle for a moment
        self.visible_timer = QTimer(self, singleShot=True, interval=VISIBLE_MS, timeout=self.render_visible)
        self.tree.verticalScrollBar().valueChanged.connect(self.visible_timer.start)
        self.tree.itemExpanded.connect(self.visible_timer.start)
        self.tree.itemCollapsed.connect(self.visible_timer.start)  # rows below move up into view
        looks.listed.subscribe(self._populate)
        looks.failed.subscribe(self._error)
        self.documents.edited.subscribe(self.edit_changed)
        self.reload()

    @property
    def store(self):
        return self.looks.store

    @property
    def presets(self) -> dict[str, object]:
        return self.looks.presets

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 0)
        self.buttons = {}
        for key, icon, tip, slot in (
                ("create", "mdi6.plus", "New look from the current settings", self.create_from_current),
                ("rename", "mdi6.pencil", "Rename the selected look", self.rename_selected),
                ("duplicate", "mdi6.content-duplicate", "Duplicate the selected look", self.duplicate_selected),
                ("delete", "mdi6.delete", "Delete the selected look (moved to the trash folder)",
                 self.delete_selected),
                ("import", "mdi6.import", "Import a preset or LUT (.json, .xmp, .cube, Hald)", self.import_file),
                ("export", "mdi6.export", "Export the selected look (.json, .xmp, .cube)", self.export_selected)):
            b = QToolButton()
            b.setIcon(theme.icon(icon))
            b.setToolTip(tip)
            b.setObjectName(f"look_{key}")
            b.clicked.connect(slot)
            bar.addWidget(b)
            self.buttons[key] = b
        bar.addStretch(1)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setObjectName("looksList")
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(ICON)
        self.tree.setMouseTracking(True)
        self.tree.setIndentation(10)
        self.tree.itemEntered.connect(self._entered)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.viewport().installEventFilter(self)
        layout.addWidget(self.tree, 1)
        amount = QHBoxLayout()
        amount.setContentsMargins(8, 0, 8, 6)
        self.amount_label = QLabel("Amount")
        self.amount_label.setMaximumWidth(AMOUNT_LABEL_PX)
        self.amount = QSlider(Qt.Orientation.Horizontal)
        self.amount.setObjectName("lookAmount")
        self.amount.setRange(0, 200)
        self.amount.setValue(100)
        self.amount.setEnabled(False)
        self.amount_value = QLabel("100 %")
        self.amount_value.setFixedWidth(44)
        self.amount.valueChanged.connect(self._amount_changed)
        self.amount.sliderReleased.connect(lambda: self._amount_changed(self.amount.value(), release=True))
        amount.addWidget(self.amount_label)
        amount.addWidget(self.amount, 1)
        amount.addWidget(self.amount_value)
        layout.addLayout(amount)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.visible_timer.start()  # e.g. the Looks tab chosen again: render what it now shows

    def eventFilter(self, obj, event) -> bool:
        shown = event.type() in (event.Type.Resize, event.Type.Show)
        if obj is self.tree.viewport() and shown and hasattr(self, "visible_timer"):
            self.visible_timer.start()
        if obj is self.tree.viewport() and event.type() == event.Type.Leave:
            self._hovered = None
            self.hover_timer.stop()
            self.looks.hover(None)
        return False

    # -- contents --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the looks (built-in + the user store, on a worker) and rebuild the tree."""
        self.looks.reload()

    def _populate(self, looks) -> None:
        """Rebuild the tree from [(group, preset)], keeping the thumbnails already rendered."""
        old_icons = {self._name(i): i.icon(0) for i in self._items()}
        current = self.selected_name()
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for group, preset in looks:
            parent = groups.get(group)
            if parent is None:
                parent = groups[group] = QTreeWidgetItem(self.tree, [group])
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                parent.setExpanded(True)
            item = QTreeWidgetItem(parent, [preset.name])
            item.setData(0, NameRole, preset.name)
            item.setToolTip(0, preset.description or preset.name)
            item.setIcon(0, old_icons.get(preset.name, QIcon()))
            item.setSizeHint(0, QSize(ICON.width() + 100, ICON.height() + 4))  # as tall before its thumbnail
        if current is not None and self.item(current) is not None:
            self.tree.setCurrentItem(self.item(current))
        self.render_thumbnails(force=True)
        self.changed.emit()

    def _items(self):
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for c in range(group.childCount()):
                yield group.child(c)

    def item(self, name: str) -> QTreeWidgetItem | None:
        return next((i for i in self._items() if self._name(i) == name), None)

    @staticmethod
    def _name(item) -> str | None:
        return item.data(0, NameRole) if item is not None else None

    def selected_name(self) -> str | None:
        return self._name(self.tree.currentItem())

    # -- live thumbnails -------------------------------------------------------------------------
    # Lazy: only looks whose rows are on screen are rendered, newly shown rows (scroll, expand, resize)
    # follow, and a new photo or edit starts a new generation that drops every queued request.
    def document_changed(self, doc) -> None:
        self._sync_amount(doc)
        self.render_thumbnails()

    def edit_changed(self, doc) -> None:
        self._sync_amount(doc)
        self._sync_selection(doc)
        if not self._amount_drag:
            self.refresh_timer.start()

    def render_thumbnails(self, force: bool = False) -> None:
        """Start a new generation when the photo or its edit changed (or `force`: the looks changed),
        dropping the queued requests of the old one, and render the visible looks."""
        doc = self.documents.doc
        key = (doc, doc.edit if doc is not None else None)
        if not force and self._key is not None and key[0] is self._key[0] and key[1] == self._key[1]:
            self.render_visible()
            return
        if self._key is not None and key[0] is not self._key[0]:
            self._clear_icons()  # another photo: no thumbnails of the last one once a row scrolls in
        self._key = key
        self._gen += 1
        self._requested = set()
        for future in self._futures:
            future.cancel()  # queued batches of the old generation never start
        self._futures = []
        self.render_visible()

    def _clear_icons(self) -> None:
        visible = set(self.visible_names())
        for item in self._items():
            if self._name(item) not in visible:
                item.setIcon(0, QIcon())

    def visible_names(self) -> list[str]:
        """Looks whose rows intersect the tree's viewport (collapsed groups' rows have no rect)."""
        view = self.tree.viewport().rect()
        names = []
        for item in self._items():
            rect = self.tree.visualItemRect(item)
            if rect.isValid() and rect.intersects(view):
                names.append(self._name(item))
        return names

    def render_visible(self) -> None:
        """Queue the visible looks not yet requested in this generation (one batch on the worker)."""
        doc = self.documents.doc
        if doc is None or not self.presets or self._closed or not self.tree.isVisible():
            return
        if self._key is None or doc is not self._key[0]:
            self.render_thumbnails()  # another photo is open: its own generation
            return
        todo = [n for n in self.visible_names() if n not in self._requested]
        if not todo:
            return
        self._requested.update(todo)
        batch = [(n, self.presets[n]) for n in todo]
        self._futures = [f for f in self._futures if not f.done()]
        self._futures.append(self._pool.submit(self._render_batch, self._gen, doc, self._key[1], batch))

    def _render_batch(self, gen, doc, edit, batch) -> None:
        """Worker: render `batch` [(name, preset)] on a THUMB_EDGE preview; stops once `gen` is stale."""
        from editor.core.pipeline import RenderContext, render
        try:
            photo = doc.photo
            base = photo.preview(THUMB_EDGE)  # cached by the photo
        except Exception:  # the loupe already explains a photo that cannot be opened
            return
        ctx = RenderContext(scale=base.width / max(photo.width, 1), seed=photo.seed)
        out = {}
        for name, preset in batch:
            if gen != self._gen:
                return  # a newer photo or edit: these thumbnails are stale
            if self.on_rendered is not None:
                self.on_rendered(gen, name)
            try:
                rgb = imaging.to_rgb8(render(base, apply_preset(edit, preset), ctx))
                out[name] = imaging.to_qimage(rgb)
            except Exception as exc:  # one bad look (e.g. a LUT file gone missing) must not stop the others
                log.warning("look %s could not be rendered: %s", name, exc)
                self.thumb_failed.emit(gen, name, str(exc) or type(exc).__name__)
                continue
            if len(out) % 4 == 0:
                self.thumbs_ready.emit(gen, dict(out))
        self.thumbs_ready.emit(gen, out)

    def _thumb_failed(self, gen: int, name: str, message: str) -> None:
        """A look whose thumbnail cannot be rendered says why on its row (it would fail on a click too)."""
        item = self.item(name) if gen == self._gen else None
        if item is not None:
            item.setIcon(0, theme.icon("mdi6.alert"))
            item.setToolTip(0, f"Cannot show {name}: {message}")

    def _thumbs_ready(self, gen: int, images: dict) -> None:
        if gen != self._gen:
            return
        for name, image in images.items():
            item = self.item(name)
            if item is not None:
                item.setIcon(0, QIcon(QPixmap.fromImage(image)))

    # -- hover, click, amount --------------------------------------------------------------------
    def _entered(self, item, _col) -> None:
        self._hovered = self._name(item)
        self.hover_timer.start()

    def _hover_preview(self) -> None:
        self.looks.hover(self._hovered)

    def _clicked(self, item, _col) -> None:
        name = self._name(item)
        if name is not None:
            self.apply(name)

    def apply(self, name: str, amount: float = 100.0) -> None:
        """Apply the look called `name` to the open photo as one step."""
        self.looks.apply(name, amount)

    def _sync_selection(self, doc) -> None:
        """The highlighted look is the one the photo has; none when it has none (e.g. after Reset all)."""
        look = self.looks.applied(doc.edit if doc is not None else None)
        item = self.item(look.get("name", "")) if look else None
        if item is None:
            self.tree.clearSelection()
            self.tree.setCurrentItem(None)
        elif self.tree.currentItem() is not item:
            self.tree.setCurrentItem(item)

    def _sync_amount(self, doc) -> None:
        look = doc.edit.look if doc is not None else None
        self.amount.setEnabled(bool(look and "base" in look))
        if look and not self._amount_drag and "amount" in look:
            self.amount.blockSignals(True)
            self.amount.setValue(round(look["amount"]))
            self.amount.blockSignals(False)
            self.amount_value.setText(f"{look['amount']:.0f} %")
            name = str(look.get("name", "Amount"))  # a long name is cut so the slider keeps its room
            self.amount_label.setText(self.amount_label.fontMetrics().elidedText(
                name, Qt.TextElideMode.ElideRight, AMOUNT_LABEL_PX))
            self.amount_label.setToolTip(name)
        elif not look:
            self.amount_label.setText("Amount")
            self.amount_label.setToolTip("")

    def set_amount(self, value: float) -> None:
        """Re-blend the applied look at `value` % (one step)."""
        self.amount.setValue(int(value))
        self._amount_changed(int(value), release=True)

    def _amount_changed(self, value: int, release: bool = False) -> None:
        self.amount_value.setText(f"{value} %")
        dragging = self.amount.isSliderDown() and not release
        merge = self._amount_drag
        self._amount_drag = dragging
        if not self.looks.set_amount(value, merge=merge, dragging=dragging):
            self._amount_drag = False
            return
        if not dragging:
            self.refresh_timer.start()

    # -- store actions (the dialogs here, the work in the controller) -----------------------------
    def create_from_current(self) -> None:
        if self.documents.doc is None:
            return
        name, ok = QInputDialog.getText(self, "New look", "Name of the new look:")
        if ok:
            self.looks.create(name)

    def rename_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        new, ok = QInputDialog.getText(self, "Rename look", "New name:", text=name)
        if ok:
            self.looks.rename(name, new)

    def duplicate_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.looks.duplicate(name)

    def delete_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.looks.delete(name)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a look", str(Path.home()), IMPORT_FILTER)
        if path:
            self.looks.import_file(Path(path))

    def export_selected(self) -> None:
        name = self.selected_name()
        if name is None:
            self.looks.message.emit("Select a look to export")
            return
        path, chosen = QFileDialog.getSaveFileName(self, f"Export {name}", str(Path.home() / name),
                                                   ";;".join(EXPORT_FILTERS))
        if not path:
            return
        suffix = Path(path).suffix.lower()
        if suffix not in EXPORT_FILTERS.values():
            suffix = EXPORT_FILTERS.get(chosen, ".json")
            path += suffix
        self.looks.export(name, Path(path), suffix)

    def _error(self, title: str, text: str) -> None:
        """A non-blocking message box (the user must read it); the controller's message reaches the status bar."""
        self.looks.message.emit(f"{title}: {text}")
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()
        self.last_error = text

    def shutdown(self) -> None:
        self._closed = True
        self.refresh_timer.stop()
        self.visible_timer.stop()
        self._gen += 1
        self._pool.shutdown(wait=True, cancel_futures=True)

