"""Fixtures for driving the real main window offscreen: a folder of small JPEGs and an isolated window."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ui_helpers import write_photo

pytest.importorskip("pytestqt")


@pytest.fixture
def photo_folder(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        write_photo(folder / f"img_{i}.jpg", 320, 240, seed=i, quality=92)
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """make_window(folder) -> the real MainWindow, with its settings and thumbnail cache under tmp_path."""
    windows = []
    monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path / "data"))  # the looks store, isolated

    def make(folder: Path, **kwargs):
        from editor.ui.main_window import MainWindow
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(folder, settings=settings, cache_dir=tmp_path / "cache", **kwargs)
        qtbot.addWidget(window)
        if window.looks is not None:  # the panel's opt-in probe: (generation, look) as rendered
            window.looks.render_log = []
            window.looks.on_rendered = lambda gen, name, log=window.looks.render_log: log.append((gen, name))
        window.resize(1280, 800)
        window.show()
        windows.append(window)
        return window
    yield make
    for w in windows:
        w.shutdown()
