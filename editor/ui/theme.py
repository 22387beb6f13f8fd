"""The dark, quiet look: resources/style.qss, a matching palette and qtawesome icons."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QIcon, QPalette

ROOT = Path(__file__).resolve().parents[2]
STYLE = ROOT / "resources" / "style.qss"
SAMPLES = ROOT / "resources" / "samples"
ICON_COLOUR = "#c8c8c8"


def icon(name: str) -> QIcon:
    """A qtawesome icon (e.g. 'mdi6.undo'), or an empty icon if the font lacks it."""
    try:
        import qtawesome as qta
        return qta.icon(name, color=ICON_COLOUR, color_disabled="#5a5a5e")
    except Exception:  # a missing glyph must not stop the app
        return QIcon()


def apply(app) -> None:
    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#222224"), (QPalette.ColorRole.WindowText, "#d2d2d2"),
                         (QPalette.ColorRole.Base, "#1b1b1d"), (QPalette.ColorRole.AlternateBase, "#262629"),
                         (QPalette.ColorRole.Text, "#d2d2d2"), (QPalette.ColorRole.Button, "#2c2c2f"),
                         (QPalette.ColorRole.ButtonText, "#d2d2d2"), (QPalette.ColorRole.Highlight, "#5b6b7d"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#2c2c2f"),
                         (QPalette.ColorRole.ToolTipText, "#e0e0e0"), (QPalette.ColorRole.PlaceholderText, "#777")):
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#666"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#666"))
    app.setPalette(pal)
    try:
        # url()s in a style sheet resolve against the working folder: point them at the bundled icons
        icons = (ROOT / "resources" / "icons").as_posix()
        app.setStyleSheet(STYLE.read_text(encoding="utf-8").replace("@ICONS@", icons))
    except OSError:
        pass  # the palette alone still gives a usable dark theme
