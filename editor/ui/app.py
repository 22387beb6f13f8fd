"""Entry point of the desktop app: `run(argv)` opens the main window and runs the event loop."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from editor.ui import theme


def run(argv: list[str]) -> int:
    """Start Darkslide. `argv` may name a folder or a photo to open (else the last folder, else the samples)."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "darkslide"])
    app.setApplicationName("Darkslide")
    app.setOrganizationName("Darkslide")
    app.setDesktopFileName("io.github.darkslide.Darkslide")  # the menu entry `darkslide install-desktop` writes
    from PySide6.QtGui import QIcon
    app.setWindowIcon(QIcon(str(theme.ROOT / "resources" / "icons" / "darkslide.svg")))
    theme.apply(app)
    from editor.ui.main_window import MainWindow
    named = [Path(a) for a in argv if not a.startswith("-")]
    for missing in (p for p in named if not p.exists()):
        print(f"darkslide: {missing}: no such photo or folder; opening the last folder", file=sys.stderr)
    paths = [p for p in named if p.exists()]
    folder = select = None
    if paths:
        folder, select = (paths[0], None) if paths[0].is_dir() else (paths[0].parent, paths[0])
    window = MainWindow(folder, select=select)
    window.show()
    return app.exec()
