"""Opens the app in the state one of the README's screenshots shows (docs/screenshots/MODE.png).

    /work/shared/tools/screenshot docs/screenshots/develop.png --size 1280x800 -- \\
        .venv/bin/python tools/screenshot_app.py develop

MODE: library (the grid), develop (a look applied, the Basic section), looks (the looks panel after a
click), compare (before and after side by side), tether (the tether panel), export (the dialog). Uses a throw-away data folder
and settings so your own are not touched.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(mode: str) -> int:
    home = Path(tempfile.mkdtemp(prefix="darkslide-shot-"))
    os.environ["DARKSLIDE_DATA_DIR"] = str(home / "data")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from editor.ui import theme
    from editor.ui.main_window import MainWindow
    app = QApplication([sys.argv[0]])
    theme.apply(app)
    settings = QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(None, settings=settings, cache_dir=home / "cache")
    window.resize(1280, 800)
    window.show()

    def arrange():
        if window.doc is None or window.looks is None or window.looks.item("Chrome") is None:
            QTimer.singleShot(200, arrange)
            return
        if mode == "library":
            window.show_grid()
        elif mode == "tether":
            window.left.setCurrentIndex(1)
        elif mode == "export":
            window.grid.selectAll()
            window.export_selected()
        else:
            window.looks.tree.setCurrentItem(window.looks.item("Chrome"))
            window.looks.apply("Chrome")
            if mode == "compare":
                window.toggle_compare("side")
    QTimer.singleShot(500, arrange)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "develop"))
