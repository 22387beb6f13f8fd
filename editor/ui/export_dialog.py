"""The export dialog: format, quality, size, name template, destination and metadata; exports on a worker
with a progress bar and Cancel, then a summary that lists every skipped or failed photo and why.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QProgressBar, QPushButton,
                               QSizePolicy, QSpinBox, QVBoxLayout, QWidget)

from editor.core import sidecar as sidecars
from editor.core.export import FORMATS, RESIZE_MODES, SHARPENING, ExportSettings, export_batch, format_name

log = logging.getLogger("darkslide")

RESIZE_LABELS = {"none": "Full size", "long_edge": "Long edge (px)", "short_edge": "Short edge (px)",
                 "megapixels": "Megapixels"}


class ExportDialog(QDialog):
    progressed = Signal(int, int, float)  # index, total, overall fraction
    finished_batch = Signal(object)  # BatchResult
    crashed = Signal(str)

    def __init__(self, entries, settings: QSettings, *, folder: Path | None = None,
                 current: Callable[[], Any] = lambda: None, status: Callable[[str, int], None] = lambda t, ms: None,
                 executor: cf.ThreadPoolExecutor | None = None, parent=None):
        """`entries` to export; `folder` the open library folder (default destination); `current()` the
        open Document or None (its newest edit may not be in its sidecar yet); `status(text, ms)` shows a
        line in the window's status bar; `executor` runs the export (the window's Workers pool, so closing the
        window joins it; a pool of its own without)."""
        super().__init__(parent)
        self.setWindowTitle(f"Export {len(entries)} photo{'s' if len(entries) != 1 else ''}")
        self.entries = list(entries)
        self.qsettings = settings
        self.folder = folder
        self.current = current
        self.status = status
        self.cancel_event = threading.Event()
        self.result = None
        self._pool = executor or cf.ThreadPoolExecutor(1, thread_name_prefix="darkslide-export")
        self._future: cf.Future | None = None  # the running export
        self._build()
        self._restore()
        self.progressed.connect(self._progress)
        self.finished_batch.connect(self._finished)
        self.crashed.connect(self._crashed)

    def _build(self) -> None:
        form = QFormLayout()
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(92)
        self.bit_depth = QComboBox()
        self.bit_depth.addItems(["8", "16"])
        self.bit_depth.setToolTip("16 bits per channel for TIFF and PNG")
        self.resize_mode = QComboBox()
        for mode in RESIZE_MODES:
            self.resize_mode.addItem(RESIZE_LABELS.get(mode, mode), mode)
        self.resize_value = QDoubleSpinBox()
        self.resize_value.setRange(0, 100000)
        self.resize_value.setDecimals(0)  # pixels; one decimal for megapixels (_update_enabled)
        self.resize_value.setValue(2048)
        size = QWidget()
        sl = QHBoxLayout(size)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.resize_mode, 1)
        sl.addWidget(self.resize_value)
        self.sharpening = QComboBox()
        self.sharpening.addItems(list(SHARPENING))
        self.template = QLineEdit("{name}")
        self.template.setToolTip("Fields: {name} {seq} (4 digits; {seq:d} unpadded) {date} {preset} "
                                 "(the photo's look; an empty one takes the separator before it along)")
        self.name_preview = QLabel("")
        self.name_preview.setObjectName("photoInfo")
        # a long example must not widen the dialog while typing: it is cut, and shown whole in the tooltip
        self.name_preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.destination = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        dest = QWidget()
        dl = QHBoxLayout(dest)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.destination, 1)
        dl.addWidget(browse)
        self.keep_exif = QCheckBox("Keep EXIF (camera, date, lens)")
        self.keep_exif.setChecked(True)
        self.strip_gps = QCheckBox("Remove location (GPS)")
        self.overwrite = QCheckBox("Replace existing files")
        form.addRow("Format", self.format)
        form.addRow("Quality", self.quality)
        form.addRow("Bit depth", self.bit_depth)
        form.addRow("Size", size)
        form.addRow("Output sharpening", self.sharpening)
        form.addRow("File name", self.template)
        form.addRow("", self.name_preview)
        form.addRow("Destination", dest)
        form.addRow("Metadata", self.keep_exif)
        form.addRow("", self.strip_gps)
        form.addRow("", self.overwrite)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(120)
        self.summary.hide()
        n = len(self.entries)
        self.export_button = QPushButton(f"Export {n} photo{'s' if n != 1 else ''}")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        for w in (self.template,):
            w.textChanged.connect(self._update_preview)
        self.format.currentTextChanged.connect(self._update_enabled)
        self.resize_mode.currentIndexChanged.connect(self._update_enabled)
        self.resize(560, 0)
        self.setMinimumWidth(560)

    def _restore(self) -> None:
        s = self.qsettings
        self.format.setCurrentText(s.value("export/format", "jpeg"))
        self.quality.setValue(int(s.value("export/quality", 92)))
        self.bit_depth.setCurrentText(str(s.value("export/bit_depth", "8")))
        i = self.resize_mode.findData(s.value("export/resize", "none"))
        self.resize_mode.setCurrentIndex(max(0, i))
        self.resize_value.setValue(float(s.value("export/resize_value", 2048)))
        self.sharpening.setCurrentText(s.value("export/sharpening", "off"))
        self.template.setText(s.value("export/template", "{name}"))
        folder = self.folder
        default = str(folder / "Exports") if folder else str(Path.home() / "Pictures")
        self.destination.setText(s.value("export/destination", default))
        self.keep_exif.setChecked(s.value("export/keep_exif", "true") in (True, "true"))
        self.strip_gps.setChecked(s.value("export/strip_gps", "false") in (True, "true"))
        self._update_preview()
        self._update_enabled()

    def _save_settings(self) -> None:
        s = self.qsettings
        for key, value in (("format", self.format.currentText()), ("quality", self.quality.value()),
                           ("bit_depth", self.bit_depth.currentText()), ("resize", self.resize_mode.currentData()),
                           ("resize_value", self.resize_value.value()), ("sharpening", self.sharpening.currentText()),
                           ("template", self.template.text()), ("destination", self.destination.text()),
                           ("keep_exif", self.keep_exif.isChecked()), ("strip_gps", self.strip_gps.isChecked())):
            s.setValue(f"export/{key}", value)

    def _update_enabled(self) -> None:
        fmt = self.format.currentText()
        self.quality.setEnabled(fmt in ("jpeg", "webp", "avif"))
        self.bit_depth.setEnabled(fmt in ("tiff", "png"))
        mode = self.resize_mode.currentData()
        self.resize_value.setEnabled(mode != "none")
        self.resize_value.setDecimals(1 if mode == "megapixels" else 0)
        self.resize_value.setSuffix(" MP" if mode == "megapixels" else " px")
        self._update_preview()

    def _update_preview(self) -> None:
        try:
            settings = self.export_settings()
            first = self.entries[0].path if self.entries else Path("IMG_0001.jpg")
            name = format_name(settings.template, first.stem, 1, self._date_of(first), self._look_of(first))
            self.name_preview.setText(f"e.g. {name}{settings.suffix}")
            self.name_preview.setToolTip(self.name_preview.text())
            self.export_button.setEnabled(self._future is None)
        except (ValueError, KeyError, IndexError) as exc:
            self.name_preview.setText(f"⚠ {exc}")
            self.export_button.setEnabled(False)

    def _date_of(self, path: Path) -> str:
        """The capture date the export will use for `path` ({date}), read once from its header."""
        if getattr(self, "_first_date", None) is None:
            try:
                from editor.core.export import capture_date
                from editor.core.sources import open_photo
                self._first_date = capture_date(open_photo(path))
            except Exception:  # an unreadable photo: the export will report it; the example needs a date
                self._first_date = date.today().isoformat()
        return self._first_date

    def _look_of(self, path: Path) -> str:
        """The look name the export will use for `path` ({preset}): the open photo's newest edit, else its
        sidecar's."""
        doc = self.current()
        try:
            edit = doc.edit if doc is not None and doc.path == path else sidecars.load(path).edit
        except (sidecars.SidecarError, OSError):
            return ""
        return str(edit.look.get("name", "")) if edit.look else ""

    def export_settings(self) -> ExportSettings:
        """The settings as chosen; raises ValueError naming what is wrong."""
        return ExportSettings(format=self.format.currentText(), quality=self.quality.value(),
                              resize=self.resize_mode.currentData(), resize_value=self.resize_value.value(),
                              output_sharpening=self.sharpening.currentText(), template=self.template.text(),
                              strip_gps=self.strip_gps.isChecked(), keep_exif=self.keep_exif.isChecked(),
                              overwrite=self.overwrite.isChecked(), bit_depth=int(self.bit_depth.currentText()))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to", self.destination.text())
        if folder:
            self.destination.setText(folder)

    # -- running ---------------------------------------------------------------------------------
    def start(self) -> None:
        try:
            settings = self.export_settings()
        except ValueError as exc:
            self.name_preview.setText(f"⚠ {exc}")
            return
        out_dir = Path(self.destination.text()).expanduser()
        self._save_settings()
        doc = self.current()
        # The open photo's newest edit may still be on its way to the sidecar: pass it directly.
        jobs = [(e.path, doc.edit if doc is not None and doc.path == e.path else None) for e in self.entries]
        self.cancel_event.clear()
        self.progress.setValue(0)
        self.summary.hide()
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")

        def work():
            try:
                result = export_batch(jobs, settings, out_dir, progress=lambda i, n, f: self.progressed.emit(i, n, f),
                                      cancel=self.cancel_event, workers=1)
            except Exception as exc:  # never lose the reason: show it in the dialog and log it
                log.error("Export to %s stopped: %s", out_dir, exc, exc_info=exc)
                self.crashed.emit(str(exc) or type(exc).__name__)
                return
            self.finished_batch.emit(result)
        self._future = self._pool.submit(work)

    def cancel(self) -> None:
        if self._future is not None:
            self.cancel_event.set()
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def _progress(self, index: int, total: int, fraction: float) -> None:
        self.progress.setValue(round(fraction * 1000))
        self.progress.setFormat(f"{min(index + 1, total)} of {total} — %p%")

    def _finished(self, result) -> None:
        self._future = None
        self.result = result
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.export_button.setEnabled(True)
        lines = [f"Exported {len(result.done)} of {len(self.entries)}"
                 + (" (cancelled)" if result.cancelled else "")]
        lines += [f"Skipped {Path(p).name}: {why}" for p, why in result.skipped]
        lines += [f"Failed {Path(p).name}: {why}" for p, why in result.failed]
        self.summary.setPlainText("\n".join(lines))
        self.summary.show()
        if not result.cancelled:
            self.progress.setValue(1000)
        self.status(lines[0] + (f", {len(result.failed)} failed" if result.failed else ""), 10000)

    def _crashed(self, message: str) -> None:
        self._future = None
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Close")
        self.summary.setPlainText(f"Export stopped: {message}")
        self.summary.show()
        self.status(f"Export stopped: {message}", 10000)

    def closeEvent(self, event) -> None:
        self.cancel_event.set()
        super().closeEvent(event)

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel a running export and wait for it (it stops at the next photo or tile); True when stopped."""
        self.cancel_event.set()
        future = self._future
        if future is None:
            return True
        try:
            future.result(timeout)
        except cf.TimeoutError:
            return False
        return True
