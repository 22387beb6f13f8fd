"""Export from the real window: progress, the open photo's newest edit, failures listed, cancel."""
from __future__ import annotations

import threading

import pyvips
from PySide6.QtCore import Qt

from ui_helpers import wait_preview, write_photo


def open_all(qtbot, make_window, folder):
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    wait_preview(qtbot, window)
    return window


def test_export_writes_every_photo_and_lists_the_one_that_failed(qtbot, make_window, photo_folder, tmp_path):
    (photo_folder / "zz_broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    window = open_all(qtbot, make_window, photo_folder)
    window.develop.row("exposure", "exposure_ev").slider.setValue(80)  # +1 EV on the open photo
    window.grid.selectAll()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.export_dialog
    out = tmp_path / "out"
    dialog.destination.setText(str(out))
    dialog.template.setText("{seq:02d}_{name}")
    dialog.format.setCurrentText("jpeg")
    assert dialog.name_preview.text().startswith("e.g. 01_")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=15000)
    assert dialog.progress.value() == 1000
    assert len(dialog.result.done) == 3 and len(dialog.result.failed) == 1
    assert "zz_broken.jpg" in dialog.summary.toPlainText()
    first = window.model.entry(0).path
    written = next(p for p in dialog.result.done if p.name.endswith(first.stem + ".jpg"))
    original = pyvips.Image.new_from_file(str(first)).avg()
    assert pyvips.Image.new_from_file(str(written)).avg() > original + 20  # the edit was applied


def test_bad_template_disables_export_and_says_why(qtbot, make_window, photo_folder):
    window = open_all(qtbot, make_window, photo_folder)
    window.export_selected()
    dialog = window.export_dialog
    dialog.template.setText("{camera}")
    assert not dialog.export_button.isEnabled()
    assert "camera" in dialog.name_preview.text()


def test_cancel_stops_the_batch(qtbot, make_window, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):
        write_photo(folder / f"p{i}.jpg", 1200, 900, seed=i)
    window = open_all(qtbot, make_window, folder)
    window.grid.selectAll()
    window.export_selected()
    dialog = window.export_dialog
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.format.setCurrentText("png")
    dialog.export_button.click()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=20000)
    assert dialog.result.cancelled
    assert len(dialog.result.done) < 10
    out = tmp_path / "out"
    leftovers = list(out.glob(".*")) if out.exists() else []
    assert leftovers == []  # no half-written temporary files


def test_closing_the_window_joins_a_running_export_and_render_and_leaves_no_thread(qtbot, make_window, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(8):
        write_photo(folder / f"p{i}.jpg", 1200, 900, seed=i)
    window = open_all(qtbot, make_window, folder)
    window.grid.selectAll()
    window.export_selected()
    dialog = window.export_dialog
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.format.setCurrentText("png")
    dialog.export_button.click()
    future = dialog._future
    assert future is not None and future.running()
    window.request_preview()  # and a render in flight
    assert any(t.name.startswith("darkslide-render") for t in threading.enumerate())
    window.close()
    assert future.done()  # joined on close, not left running
    assert len(list((tmp_path / "out").glob("*.png"))) < 8
    assert not [t.name for t in threading.enumerate() if t.name.startswith("darkslide-")]
    assert list((tmp_path / "out").glob(".*")) == []  # the cancelled photo's temporary file is removed


def test_an_export_that_breaks_says_why_in_the_dialog_the_status_bar_and_the_log(qtbot, make_window, photo_folder,
                                                                                 tmp_path, monkeypatch, caplog):
    from editor.ui import export_dialog

    def broken(*_args, **_kwargs):
        raise OSError("No space left on device")
    monkeypatch.setattr(export_dialog, "export_batch", broken)
    window = open_all(qtbot, make_window, photo_folder)
    window.grid.selectAll()
    window.export_selected()
    dialog = window.export_dialog
    dialog.destination.setText(str(tmp_path / "out"))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.summary.isVisible(), timeout=10000)
    assert "No space left on device" in dialog.summary.toPlainText()
    assert "No space left on device" in window.statusBar().currentMessage()
    assert any("No space left on device" in r.getMessage() for r in caplog.records)
    assert dialog._future is None and dialog.cancel_button.text() == "Close"  # ready to close or retry
