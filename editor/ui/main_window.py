"""The main window: library grid / loupe in the centre, filmstrip below, histogram and develop on the right,
looks and tether on the left. It assembles the panels and wires them to the Qt-free controllers
(editor.app: the open document and its commands, preview scheduling, looks) and the background workers.
"""
from __future__ import annotations

import math
from pathlib import Path

import platformdirs
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QFileDialog, QLabel, QMainWindow, QScrollArea, QSizePolicy, QSlider,
                               QSplitter,
                               QStackedWidget, QTabWidget, QToolBar, QVBoxLayout, QWidget)

from editor.app.document import DocumentController, uncropped
from editor.app.preview import PreviewScheduler
from editor.app.samples import user_samples
from editor.core import sidecar as sidecars
from editor.core.document import Document
from editor.core.edit import Edit
from editor.core.exif import summary as exif_summary
from editor.core.library import Library, read_entry, write_marks
from editor.core.ops import crop as crop_op
from editor.core.sources import PhotoError
from editor.ui import theme
from editor.ui.actions import FILTERS, SORTS, build_actions, build_menus_and_toolbar
from editor.ui.crop_tool import CropBox, CropTool
from editor.ui.develop import DevelopPanel
from editor.ui.exif_panel import ExifPanel
from editor.ui.histogram import HistogramView
from editor.ui.library_view import EntryRole, LibraryModel, ThumbList
from editor.ui.loupe import Loupe
from editor.ui.shortcuts import ShortcutsDialog
from editor.ui.workers import (DRAG_EDGE, MIN_PREVIEW_EDGE, PREVIEW_EDGE, ZOOMED_EDGE, AsyncSaver,
                               DetailJob,
                               PreviewJob, RenderWorker, Tasks, ThumbnailService, Workers)

REFINE_MS = 180  # after the last change of a drag, render the full-size preview
STARTUP_SCAN_MS = 1500  # the catalog's background scan waits for the first paint of the window
THUMB_REFRESH_MS = 600  # the filmstrip thumbnail of the open photo follows its edit this long after a change


def _open_document(path: Path, saver) -> Document:
    """The document with its photo's header read (off the GUI thread); a photo that cannot be opened is
    reported by the render worker when it tries again."""
    doc = Document(path, saver=saver)
    try:
        doc.photo
    except (PhotoError, OSError):  # shown in the loupe by the render worker's failure message
        pass
    return doc


class MainWindow(QMainWindow):
    preview_shown = Signal(int)  # generation of the preview now on screen
    document_opened = Signal(object)
    library_loaded = Signal(object)
    worker_message = Signal(str)  # status-bar text from a worker thread (queued to the GUI thread)
    sidecar_saved = Signal(object)  # a sidecar written on the saver thread: the catalog re-reads it
    tether_seen = Signal(str, object)  # tether events for the catalog, queued to the GUI thread

    # The open photo and the preview on screen belong to the controllers; these read them.
    doc = property(lambda self: self.documents.doc)
    gen = property(lambda self: self.previews.gen)
    shown_gen = property(lambda self: self.previews.shown_gen)
    shown_edge = property(lambda self: self.previews.shown_edge)
    shown_draft = property(lambda self: self.previews.shown_draft)
    last_result = property(lambda self: self.previews.last_result)

    def __init__(self, folder: Path | None = None, settings: QSettings | None = None,
                 cache_dir: Path | None = None, select: Path | None = None):
        super().__init__()
        self.setWindowTitle("Darkslide")
        self.settings = settings or QSettings("Darkslide", "Darkslide")
        cache = Path(cache_dir or platformdirs.user_cache_dir("darkslide")) / "thumbs"
        self.workers = Workers()  # every thread pool below; shutdown stops them in one place
        self.tasks = Tasks(parent=self, executor=self.workers.pool("task", 2))
        self.saver = AsyncSaver(executor=self.workers.pool("save", 1))
        self.thumbs = ThumbnailService(cache, parent=self, executor=self.workers.pool("thumb", 2))
        self.render = RenderWorker(self, workers=self.workers)
        self.export_pool = self.workers.pool("export", 1)  # the export dialog's batch runs here
        self.saver.busy = self.render.busy  # sidecar writes wait for a pause in preview renders
        self.model = LibraryModel(self.thumbs, self)
        self.documents = DocumentController(self.tasks)
        self.previews = PreviewScheduler()
        self._select = Path(select) if select else None
        self._build()
        self._wire()
        self.setAcceptDrops(True)
        self._restore()
        self.open_folder(self._start_folder(folder))

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.grid = ThumbList(self.model, strip=False)
        self.filmstrip = ThumbList(self.model, strip=True)
        self.filmstrip.setSelectionModel(self.grid.selectionModel())
        self.loupe = Loupe()
        self.center = QStackedWidget()
        self.center.addWidget(self.grid)
        self.center.addWidget(self.loupe)
        self.catalog_panel = self._make_catalog_panel()
        self.center.addWidget(self.catalog_panel)

        self.histogram = HistogramView()
        self.info = QLabel("")
        self.info.setObjectName("photoInfo")
        # One line, as tall as its text needs and never squeezed by the develop panel below it (a long name
        # is cut at the panel's width and shown whole in the tooltip).
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.info.setMinimumHeight(self.info.sizeHint().height())
        self.develop = DevelopPanel()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.histogram)
        rl.addWidget(self.info)
        self.exif = ExifPanel()
        rl.addWidget(self.exif)
        rl.addWidget(self.develop, 1)
        right.setMinimumWidth(260)
        self.right = right

        self.left = QTabWidget()
        self.left.setObjectName("leftPanel")
        self.left.setMinimumWidth(270)
        self._add_side_panels()

        self.hsplit = QSplitter(Qt.Orientation.Horizontal)
        self.hsplit.addWidget(self.left)
        self.hsplit.addWidget(self.center)
        self.hsplit.addWidget(right)
        self.hsplit.setStretchFactor(1, 1)
        self.hsplit.setSizes([290, 900, 330])
        self.hsplit.setChildrenCollapsible(False)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(2)
        cl.addWidget(self.hsplit, 1)
        cl.addWidget(self.filmstrip)
        self.setCentralWidget(central)

        self.zoom_label = QLabel("")
        self.render_label = QLabel("")
        self.statusBar().addPermanentWidget(self.render_label)
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.actions_by_id = build_actions(self)
        self.sort_box, self.filter_box = build_menus_and_toolbar(self, self.actions_by_id)
        self.thumb_size = QSlider(Qt.Orientation.Horizontal)
        self.thumb_size.setObjectName("thumbSize")
        self.thumb_size.setRange(120, 360)
        self.thumb_size.setValue(int(self.settings.value("thumb_size", 196)))
        self.thumb_size.setFixedWidth(90)
        self.thumb_size.setToolTip("Size of the thumbnails in the grid")
        self.thumb_size.valueChanged.connect(self._thumb_size_changed)
        toolbar = self.findChild(QToolBar, "mainToolbar")
        toolbar.addWidget(QLabel("  Size "))
        toolbar.addWidget(self.thumb_size)
        self.grid.set_cell_width(self.thumb_size.value())

    def _add_side_panels(self) -> None:
        """Looks and tether panels; each is optional so a missing package never stops the editor."""
        self.looks = None
        self.tether = None
        try:
            from editor.app.looks import LooksController
            from editor.ui.looks_panel import LooksPanel
            self.looks_controller = LooksController(self.documents, self.tasks)
            self.looks_controller.message.subscribe(lambda text: self.status(text, 12000))
            self.looks = LooksPanel(self.looks_controller, executor=self.workers.pool("looks", 1))
            self.left.addTab(self.looks, theme.icon("mdi6.palette"), "Looks")
        except ImportError as exc:
            self.left.addTab(QLabel(f"Looks unavailable: {exc}"), "Looks")
        try:
            self.tether = self._make_tether_panel()
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(self.tether)
            self.left.addTab(scroll, theme.icon("mdi6.cellphone-link"), "Tether")
        except ImportError as exc:
            self.left.addTab(QLabel(f"Tether unavailable: {exc}"), "Tether")
        if self.looks is not None and self.tether is not None:
            self.looks.changed.connect(lambda: self.tether.refresh_looks(list(self.looks.presets)))

    def _make_tether_panel(self):
        """The tether panel on its Qt-free controller; it gets callbacks, not the window."""
        from editor.ui.tether_panel import LookDeveloper, PanelHost, TetherPanel, default_sessions_dir
        from tether.controller import TetherController
        developer = LookDeveloper(self.looks.store if self.looks is not None else None)
        sessions = Path(self.settings.value("tether/sessions_dir", str(default_sessions_dir())))
        controller = TetherController(sessions, develop=developer)
        controller.observe(lambda kind, data: kind in ("connected", "capture") and self.tether_seen.emit(kind, data))
        host = PanelHost(status=self.status, show_capture=self.add_capture, open_folder=self.open_folder,
                         shown_folder=lambda: self.model.library.folder,
                         run_task=lambda fn, done: self.tasks.run(fn, done=done))
        panel = TetherPanel(controller, self.settings, host, developer)
        if self.looks is not None:
            panel.refresh_looks(list(self.looks.presets))
        return panel

    _down = False

    def _make_catalog_panel(self):
        """The library of every catalogued folder and session; a catalog that cannot be opened (e.g. one
        from a newer Darkslide) leaves a message in its place and the rest of the editor working."""
        from editor.app.library import LibraryController
        from editor.core.catalog import Catalog, CatalogError
        from editor.ui.catalog_view import LibraryPanel
        self.catalog = self.library_ctl = None
        try:
            self.catalog = Catalog()
        except CatalogError as exc:
            label = QLabel(f"The library catalog cannot be opened:\n{exc}")
            label.setWordWrap(True)
            return label
        self.library_ctl = LibraryController(self.catalog, self.tasks)
        self.library_ctl.message.subscribe(self.status)
        panel = LibraryPanel(self.library_ctl, self.thumbs, keys=False)  # 0-5/P/X/U are window actions
        panel.opened.connect(self._open_from_catalog)
        # (queued from worker threads; dropped once closing: the next start's scan catches up)
        self.sidecar_saved.connect(lambda path: self._down or self.library_ctl.note_sidecar(path))
        self.tether_seen.connect(lambda kind, data: self._down or self.library_ctl.tether_event(kind, data))
        self.saver.on_saved = self.sidecar_saved.emit
        if self.catalog.notice:
            QTimer.singleShot(0, lambda: self.status(self.catalog.notice, 20000))
        # Its rows show at once; the scan (which walks every folder, holding the GIL for much of it) starts
        # once the window has painted, and updates them in place.
        QTimer.singleShot(STARTUP_SCAN_MS, lambda: self._down or self.library_ctl.scan())
        return panel

    def _open_from_catalog(self, path: Path) -> None:
        self._select = Path(path)
        self.open_folder(Path(path).parent)
        self.show_develop()

    def show_catalog(self) -> None:
        self._view = "catalog"
        self.center.setCurrentWidget(self.catalog_panel)
        self.filmstrip.hide()
        self.right.hide()

    def _wire(self) -> None:
        self.worker_message.connect(lambda msg: self.status(msg, 10000))
        self.saver.on_error = self.worker_message.emit
        self.tasks.failed.connect(lambda text: self.status(text, 10000))  # a task with no error callback
        self.documents.message.subscribe(self.status)
        self.documents.edited.subscribe(self._doc_changed)
        self.documents.preview.subscribe(lambda edit, draft: self.request_preview(edit, draft))
        self.documents.pasted.subscribe(
            lambda results: [self.model.library.note_edit(path, edit) for path, edit in results])
        self.render.preview_ready.connect(self._preview_ready)
        self.render.histogram_ready.connect(self._histogram_ready)
        self.render.detail_ready.connect(self._detail_ready)
        self.render.failed.connect(self._render_failed)
        self.loupe.detail_needed.connect(self._request_detail)
        self.loupe.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self.loupe.zoom_changed.connect(lambda _z: self.refine_timer.start())  # a bigger view may need more pixels
        self.develop.changed.connect(self.documents.set_params)
        self.develop.note.connect(lambda text: self.status(text, 8000))
        self.develop.auto_requested.connect(
            lambda key: self.documents.auto_white_balance() if key == "white_balance" else self.documents.auto_tone())
        self.develop.picking.connect(self._set_picking)
        self.loupe.picked.connect(self._picked)
        self.develop.setEnabled(False)  # until a photo that decodes is open
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.grid.activated_entry.connect(lambda _e: self.show_develop())
        self.sort_box.currentIndexChanged.connect(lambda _i: self.sort_library(SORTS[self.sort_box.currentText()]))
        self.filter_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.model.layoutChanged.connect(self.apply_filter)  # marks, sorting and new captures
        self.model.modelReset.connect(self.apply_filter)
        self.refine_timer = QTimer(self, singleShot=True, interval=REFINE_MS, timeout=self._refine)
        self.thumb_timer = QTimer(self, singleShot=True, interval=THUMB_REFRESH_MS, timeout=self._refresh_thumb)

    # -- settings --------------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # first start: use most of the screen
            screen = self.screen().availableGeometry()
            self.setGeometry(screen.adjusted(0, 0, -max(0, screen.width() - 2400), -max(0, screen.height() - 1500)))
        state = self.settings.value("hsplit")
        if state is not None:
            self.hsplit.restoreState(state)
        view = self.settings.value("view", "develop")
        {"grid": self.show_grid, "loupe": self.show_loupe, "catalog": self.show_catalog}.get(view, self.show_develop)()

    def _start_folder(self, folder: Path | None) -> Path | None:
        if folder is not None:
            return Path(folder)
        last = self.settings.value("last_folder")
        if last and Path(last).is_dir():
            return Path(last)
        try:  # first start: the samples, as the user's own copy (their sidecars must not land in the program)
            return user_samples(theme.SAMPLES)
        except OSError as exc:
            self.status(f"Could not copy the sample photos into your data folder: {exc}", 15000)
            return None

    def closeEvent(self, event) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("hsplit", self.hsplit.saveState())
        self.settings.setValue("view", self._view)
        if self.model.library.folder:
            self.settings.setValue("last_folder", str(self.model.library.folder))
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop workers and write pending sidecars (also used by tests)."""
        if getattr(self, "_down", False):
            return
        self._down = True
        self.refine_timer.stop()
        self.thumb_timer.stop()
        dialog = getattr(self, "export_dialog", None)
        if dialog is not None and not dialog.shutdown():  # an export stops at the next photo or tile
            self.status("The export did not stop in time; its last file may be incomplete")
        for panel in (self.tether, self.looks):
            if panel is not None:
                panel.shutdown()
        self.render.stop()
        self.thumbs.shutdown()
        self.saver.flush()
        self.saver.shutdown()
        self.tasks.shutdown()
        self.workers.shutdown()  # whatever is left in any pool (each was closed to new work above)
        if self.catalog is not None:
            self.catalog_panel.shutdown()
            self.catalog.close()

    # -- library ---------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A dropped folder opens; a dropped photo opens its folder with it selected."""
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            folder = paths[0] if paths[0].is_dir() else paths[0].parent
            self._select = None if paths[0].is_dir() else paths[0]
            self.open_folder(folder)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos",
                                                  str(self.model.library.folder or Path.home()))
        if folder:
            self.open_folder(Path(folder))

    def open_folder(self, folder: Path | None) -> None:
        if folder is None:
            self.loupe.show_message("Open a folder of photos (Ctrl+O).")
            return
        self.status(f"Reading {folder} …")
        key = SORTS[self.sort_box.currentText()]
        library = self._catalogued_library(Path(folder), key)
        if library is not None:  # no header read again: delivered like a scan's result, on the next turn
            QTimer.singleShot(0, lambda: self._down or self._library_ready(library))
            return
        self.tasks.run(Library.scan, Path(folder), key, done=self._library_ready,
                       error=lambda exc: self.status(f"Cannot read {folder}: {exc}"))

    def _catalogued_library(self, folder: Path, key: str) -> Library | None:
        """A folder of the catalog (online) opens from its rows, kept current by the catalog's scans."""
        held = self.catalog.folder(folder) if self.catalog is not None else None
        if held is None or not held.online:
            return None
        library = Library(folder, [p.to_entry() for p in self.catalog.photos_in(folder)])
        library.sort(key)
        return library

    def _library_ready(self, library: Library) -> None:
        self.close_document()
        library.writer = lambda path, values: self.saver.submit(self._write_marks, path, values)  # off the GUI thread
        self.model.set_library(library)
        self.setWindowTitle(f"Darkslide — {library.folder.name}")
        self.settings.setValue("last_folder", str(library.folder))
        n = len(library.entries)
        self.status(f"{n} photo{'s' if n != 1 else ''} in {library.folder}")
        if n:
            row = library.index_of(self._select) if self._select else 0
            self.select_row(max(row, 0))
        else:
            self.loupe.show_message(f"No photos in {library.folder}")
        self.library_loaded.emit(library)

    def sort_library(self, key: str) -> None:
        """Re-sort, keeping the selection on the same photo."""
        current = self.grid.currentIndex().data(EntryRole)
        self.model.library.sort(key)
        if current is not None:
            self.select_row(max(0, self.model.library.index_of(current.path)))

    def select_row(self, row: int) -> None:
        index = self.model.index(row)
        self.grid.selectionModel().setCurrentIndex(
            index, self.grid.selectionModel().SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(index)
        self.filmstrip.scrollTo(index)

    def apply_filter(self) -> None:
        """Hide the photos the Show filter leaves out (rows stay in place, so selections keep working)."""
        keep = FILTERS[self.filter_box.currentText()]
        for row in range(self.model.rowCount()):
            hidden = not keep(self.model.entry(row))
            self.grid.setRowHidden(row, hidden)
            self.filmstrip.setRowHidden(row, hidden)

    def step(self, delta: int) -> None:
        """Move to the next (delta 1) or previous (-1) photo the filter shows."""
        row = self.grid.currentIndex().row() + delta
        while 0 <= row < self.model.rowCount() and self.grid.isRowHidden(row):
            row += delta
        if 0 <= row < self.model.rowCount():
            self.select_row(row)

    def selected_entries(self):
        if self._view == "catalog" and self.library_ctl is not None:  # e.g. export from the library view
            return [p.to_entry() for p in self.catalog_panel.selected_photos()]
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        entries = [self.model.entry(r) for r in rows]
        if not entries and self.grid.currentIndex().isValid():
            entries = [self.model.entry(self.grid.currentIndex().row())]
        return [e for e in entries if e is not None]

    def _write_marks(self, path: Path, values: dict) -> None:
        write_marks(path, values)
        self.sidecar_saved.emit(path)

    def set_rating(self, n: int) -> None:
        if self._view == "catalog" and self.library_ctl is not None:
            return self.catalog_panel.mark(rating=n)
        self._mark(lambda e: self.model.library.set_rating(e.path, n), f"Rated {n}★")

    def set_flag(self, flag) -> None:
        if self._view == "catalog" and self.library_ctl is not None:
            return self.catalog_panel.mark(flag=flag)
        self._mark(lambda e: self.model.library.set_flag(e.path, flag), {"pick": "Picked", "reject": "Rejected",
                                                                           None: "Unflagged"}[flag])

    def _mark(self, fn, text: str) -> None:
        entries = self.selected_entries()
        for e in entries:
            try:
                fn(e)
            except (OSError, sidecars.SidecarError, KeyError) as exc:
                self.status(f"Could not mark {e.name}: {exc}")
                return
        if entries:
            self.status(f"{text}: {len(entries)} photo{'s' if len(entries) > 1 else ''}")

    # -- the open photo --------------------------------------------------------------------------
    def _current_changed(self, current, _previous) -> None:
        entry = current.data(EntryRole) if current.isValid() else None
        if entry is None or (self.doc is not None and self.doc.path == entry.path):
            return
        self.close_document()
        self.statusBar().clearMessage()  # an error about the last photo is not about this one
        thumb = current.data(Qt.ItemDataRole.DecorationRole)
        if thumb is not None and not thumb.isNull():  # the filmstrip thumbnail until the preview arrives
            self.loupe.set_fit()
            self.loupe.set_preview(thumb, thumb, (thumb.width(), thumb.height()), None, same_edit=False)
        else:
            self.loupe.show_message("")
        self.info.setText(entry.name)
        path = entry.path
        self.tasks.run(lambda: _open_document(path, self.saver), done=self._document_ready,
                       error=lambda exc: self.loupe.show_message(f"Cannot open {path.name}:\n{exc}"))

    def close_document(self) -> None:
        if self.doc is not None:
            self._refresh_thumb()
        if self.loupe.crop_tool is not None:  # a crop not applied is dropped with its photo
            self.loupe.crop_tool = None
            self.actions_by_id["crop"].setChecked(False)
        self.documents.close()
        self.develop.setEnabled(False)  # no photo (or an empty folder): nothing to edit
        self.model.library.document = None
        self.model.current_edit = None
        self.previews.forget()

    def _document_ready(self, doc: Document) -> None:
        current = self.grid.currentIndex().data(EntryRole)
        if current is None or current.path != doc.path:
            return  # the user moved on while it was loading
        self.model.library.document = doc
        self.documents.open(doc)
        self.develop.set_edit(doc.edit)
        self.develop.setEnabled(self.documents.editable)
        photo = doc.opened_photo
        self.exif.show_summary([])
        if photo is not None:
            self.tasks.run(exif_summary, photo.exif, done=lambda rows: self.doc is doc and self.exif.show_summary(rows),
                           error=lambda exc: self.exif.show_summary([]))
        self._update_history_actions()
        self.loupe.set_fit()
        self.request_preview()
        self._looks_pending = True  # look thumbnails wait for the first full preview: that comes first
        self.document_opened.emit(doc)

    def _doc_changed(self, doc: Document) -> None:
        if not self.documents.from_panel:
            self.develop.set_edit(doc.edit)
        else:  # the panel already shows the values; only the section titles may change
            for name, section in self.develop.sections.items():
                section.update_header(doc.edit[name])
            self.develop.update_basic_header(doc.edit)
        self.model.current_edit = (doc.path, doc.edit)
        self._update_history_actions()
        if self.loupe.crop_tool is not None:
            self._follow_crop_settings(doc.edit)
        self.request_preview(draft=bool(self.documents.dragging))
        self.thumb_timer.start()

    def _update_history_actions(self) -> None:
        history = self.doc.history if self.doc is not None else None
        self.actions_by_id["undo"].setEnabled(bool(history and history.can_undo))
        self.actions_by_id["redo"].setEnabled(bool(history and history.can_redo))
        if history is not None:
            self.actions_by_id["undo"].setText(f"Undo {history.steps[history.index].label}"
                                               if history.can_undo else "Undo")
            self.actions_by_id["redo"].setText(f"Redo {history.steps[history.index + 1].label}"
                                               if history.can_redo else "Redo")

    def _refresh_thumb(self) -> None:
        if self.doc is not None:
            self.model.library.note_edit(self.doc.path, self.doc.edit)

    # The Edit menu's commands are the document controller's.
    def undo(self) -> None:
        self.documents.undo()

    def redo(self) -> None:
        self.documents.redo()

    def reset_all(self) -> None:
        self.documents.reset_all()

    def copy_settings(self) -> None:
        self.documents.copy_settings()

    def paste_settings(self) -> None:
        """Paste the copied settings into every selected photo (the open one as an undoable step)."""
        self.documents.paste_settings([e.path for e in self.selected_entries()])

    # -- rendering -------------------------------------------------------------------------------
    def preview_edge(self, edit: Edit | None = None) -> int:
        """Long edge (px) of the uncropped preview that the loupe shows at one screen pixel per preview pixel.

        Screen pixels are device pixels (a HiDPI screen at 200 % needs twice the logical size). Rendering
        more pixels than the screen shows only costs time (darktable sizes its centre view's pipe the same
        way), and a preview of exactly the view's size is painted as a copy, without scaling (the loupe's
        `device_rect`); capped at PREVIEW_EDGE (a 4K screen). Zoomed in, the 1:1 detail tiles show the pixels: the preview is then at most the fit
        view's size or ZOOMED_EDGE, whichever is larger."""
        photo = self.doc.opened_photo
        if photo is None:  # it could not be opened: the worker reports why
            return ZOOMED_EDGE
        full = crop_op.output_size(photo.width, photo.height, (edit or self.doc.edit)["crop"])
        longest = max(photo.width, photo.height)
        edge = longest * self.loupe.screen_scale(full)
        if not self.loupe.fit:
            edge = min(edge, max(ZOOMED_EDGE, longest * self.loupe.screen_scale(full, fit=True)))
        edge = math.ceil(edge - 1e-6)  # rounding noise must not add a pixel
        return max(MIN_PREVIEW_EDGE, min(PREVIEW_EDGE, edge))

    def request_preview(self, edit: Edit | None = None, draft: bool = False) -> int:
        """Render the open photo: the settled preview, or with `draft` the reduced one shown while a slider
        moves (refined by `_refine` once it rests)."""
        if self.doc is None:
            return self.gen
        edit = edit or self.doc.edit
        shown = self._shown_form(edit)
        job = self.previews.request(self.doc, edit, self.preview_edge(shown), draft, DRAG_EDGE)
        self.render.request(PreviewJob(job.gen, self.doc, shown, job.edge, self.loupe.show_clipping, draft))
        if draft:
            self.refine_timer.start()
        return job.gen

    def _refine(self) -> None:
        """Idle for a moment (released, holding the slider still, or the view grew): the settled preview."""
        if self.doc is None:
            return
        edit = self.previews.settled_edit(self.doc)
        if self.previews.needs_settling(self.preview_edge(self._shown_form(edit))):
            self.request_preview(edit)

    def _shown_form(self, edit: Edit) -> Edit:
        """`edit` as the loupe renders it: the crop tool works on the whole (rotated, straightened) frame."""
        return uncropped(edit) if self.loupe.crop_tool is not None else edit

    def _preview_ready(self, res) -> None:
        previous = self.last_result
        if not self.previews.accept(res, self.doc):
            return  # an older request (a draft may precede its preview), or a photo no longer open
        same = previous is not None and previous.edit == res.edit
        self.loupe.set_preview(res.image, res.before, res.full_size, res.overlay, same_edit=same, draft=res.draft)
        photo = self.doc.photo
        self.info.setText(f"{self.doc.path.name}   {photo.width} × {photo.height}")
        self.info.setToolTip(self.info.text())
        self.develop.setEnabled(True)  # decoded after all (a photo opened before its first render)
        self.render_label.setText(f"render {res.millis:.0f} ms")
        self.zoom_label.setText(f"{self.loupe.current_zoom() * 100:.0f} %")
        if not res.draft and getattr(self, "_looks_pending", False) and self.looks is not None:
            self._looks_pending = False
            self.looks.document_changed(self.doc)
        self.preview_shown.emit(res.gen)

    def _histogram_ready(self, gen: int, doc, long_edge: int, histogram) -> None:
        """Follows its preview (queued in order); dropped with it when stale."""
        if doc is self.doc and self.previews.is_current(gen, long_edge):
            self.last_result.histogram = histogram
            self.histogram.set_histogram(histogram)
            curve = self.develop.sections["tone_curve"].curve
            if curve is not None:
                curve.set_histogram(histogram)

    def _request_detail(self, region) -> None:
        if self.doc is not None and self.last_result is not None:
            self.render.request(DetailJob(self.shown_gen, self.doc, self.last_result.edit, region,
                                          with_before=self.loupe.compare != "after"))

    def _detail_ready(self, res) -> None:
        if res.doc is self.doc and self.last_result is not None and res.gen == self.shown_gen:
            self.loupe.set_detail(res.region, res.image, res.before)

    def _render_failed(self, gen: int, doc, message: str) -> None:
        if doc is self.doc:
            self.develop.setEnabled(self.documents.editable)
            self.loupe.show_message(f"Cannot show {doc.path.name}:\n{message}")
            self.histogram.set_histogram(None)
            self.status(message)

    # -- views -----------------------------------------------------------------------------------
    _view = "develop"

    def show_grid(self) -> None:
        self._view = "grid"
        self.center.setCurrentWidget(self.grid)
        self.filmstrip.hide()
        self.right.show()

    def show_loupe(self) -> None:
        """Just the photo (and the filmstrip): the develop panel steps aside."""
        self._view = "loupe"
        self.center.setCurrentWidget(self.loupe)
        self.filmstrip.show()
        self.right.hide()

    def show_develop(self) -> None:
        self.show_loupe()
        self._view = "develop"
        self.right.show()

    def toggle_crop(self) -> None:
        """Enter the crop tool, or apply the drawn crop as one step and leave it."""
        if self.doc is None or self.last_result is None:
            return
        tool = self.loupe.crop_tool
        if tool is None:
            self.show_develop()
            params = self.doc.edit["crop"]
            frame, ratio = self._crop_frame(self.doc.edit)
            self.loupe.crop_tool = CropTool(CropBox(params.left, params.top, params.width, params.height),
                                            frame, ratio)
            self.loupe.crop_tool.bind_angle(lambda: self.doc.edit["crop"].angle,
                                            lambda a, dragging: self.documents.set_params("crop", {"angle": a},
                                                                                          dragging))
            self.loupe.set_fit()
            self.actions_by_id["crop"].setChecked(True)
            self.status("Crop: drag the corners, edges or the middle; drag just outside a corner to straighten; "
                        "R applies, Esc cancels")
            self.request_preview()
            return
        self.loupe.crop_tool = None
        self.actions_by_id["crop"].setChecked(False)
        b = tool.box
        self.documents.apply_edit("Crop", self.doc.edit.update("crop", left=round(b.left, 4), top=round(b.top, 4),
                                                      width=round(min(b.width, 1.0), 4),
                                                      height=round(min(b.height, 1.0), 4)))
        self.request_preview()

    def _crop_frame(self, edit: Edit) -> tuple[tuple[int, int], float | None]:
        """The uncropped (rotated, straightened) frame size of the open photo and the aspect lock of `edit`."""
        photo = self.doc.photo  # already decoded by the render worker
        params = edit["crop"]
        frame = crop_op.output_size(photo.width, photo.height, uncropped(edit)["crop"])
        ratio = frame[0] / frame[1] if params.aspect == "original" else crop_op.ASPECTS.get(params.aspect)
        return frame, ratio

    def _follow_crop_settings(self, edit: Edit) -> None:
        """An aspect (or a quarter turn) chosen in the panel while cropping applies to the frame at once."""
        tool = self.loupe.crop_tool
        frame, ratio = self._crop_frame(edit)
        if (frame, ratio) != (tool.frame_size, tool.ratio):
            tool.frame_size, tool.ratio = frame, ratio
            tool.box = tool._constrained(tool.box)
            self.loupe.update()

    def _thumb_size_changed(self, width: int) -> None:
        self.grid.set_cell_width(width)
        self.settings.setValue("thumb_size", width)

    def _set_picking(self, on: bool) -> None:
        self.loupe.set_picking(on)
        if on:
            self.show_develop()
            self.status("Click something that should be neutral grey or white (Esc: stop picking)", 10000)

    def _picked(self, x: float, y: float) -> None:
        """The picker's click, in output pixels: white balance from the colour there, then the picker is off."""
        if self.doc is not None:
            self.documents.pick_white_balance(x, y, crop=self._shown_form(self.doc.edit)["crop"])
        self.develop.picker.setChecked(False)

    def cancel_crop(self) -> None:
        """Esc: leave the crop tool (or the white-balance picker) without changing anything."""
        if self.develop.picker.isChecked():
            self.develop.picker.setChecked(False)
        if self.loupe.crop_tool is not None:
            self.loupe.crop_tool = None
            self.actions_by_id["crop"].setChecked(False)
            self.request_preview()

    COMPARE_ACTIONS = {"before": "before_after", "split": "split", "side": "side_by_side"}

    def toggle_compare(self, mode: str) -> None:
        """Show `mode` (before, split, side by side), or the edited photo again if it is already shown."""
        mode = "after" if self.loupe.compare == mode else mode
        for shown, action in self.COMPARE_ACTIONS.items():
            self.actions_by_id[action].setChecked(shown == mode)
        self.loupe.set_compare(mode)

    def toggle_before_after(self) -> None:
        self.toggle_compare("before")

    def toggle_split(self) -> None:
        self.toggle_compare("split")

    def toggle_clipping(self) -> None:
        self.loupe.show_clipping = not self.loupe.show_clipping
        self.actions_by_id["clipping"].setChecked(self.loupe.show_clipping)
        self.request_preview()

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def status(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    # -- hooks for panels added below ---------------------------------------------------------------
    def export_selected(self) -> None:
        try:
            from editor.ui.export_dialog import ExportDialog
        except ImportError as exc:
            self.status(f"Export is unavailable: {exc}")
            return
        entries = self.selected_entries()
        if not entries:
            self.status("Select photos to export")
            return
        self.export_dialog = ExportDialog(entries, self.settings, folder=self.model.library.folder,
                                          current=lambda: self.doc, status=self.status,
                                          executor=self.export_pool, parent=self)
        self.workers.on_shutdown(self.export_dialog.cancel_event.set)  # an earlier dialog's export too
        self.export_dialog.show()  # not modal: editing goes on while it exports

    def shutter(self) -> None:
        if self.tether is not None:
            self.tether.shoot()
        else:
            self.status("Tethering is unavailable")

    def add_capture(self, path: Path) -> None:
        """A new tethered capture: read it off the GUI thread, then append it to the filmstrip."""
        if self.model.library.folder != Path(path).parent:  # another folder is open: don't mix them
            self.status(f"Captured {Path(path).name} into {Path(path).parent}", 10000)
            return

        def added(entry):
            row = self.model.library.add(entry)
            self.select_row(row)  # like a camera's review: the newest capture is shown at once
        self.tasks.run(read_entry, Path(path), done=added,
                       error=lambda exc: self.status(f"Capture {Path(path).name}: {exc}"))

