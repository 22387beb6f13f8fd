"""Keyboard shortcuts (Lightroom-like), in one table used by the window, the Help dialog and the README."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout

# action id -> (key sequence, description). Ids are attributes the main window wires up.
SHORTCUTS: dict[str, tuple[str, str]] = {
    "open_folder": ("Ctrl+O", "Open a folder of photos"),
    "library": ("L", "Library: every folder and tether session"),
    "grid": ("G", "Library grid"),
    "loupe": ("E", "Loupe (one photo)"),
    "develop": ("D", "Develop (loupe with the develop panel)"),
    "before_after": ("\\", "Toggle before / after"),
    "side_by_side": ("Y", "Before and after side by side"),
    "split": ("Shift+Y", "Before / after split view (drag the dividing line)"),
    "clipping": ("J", "Show clipped highlights (red) and shadows (blue)"),
    "zoom": ("Z", "Zoom: fit / 100 %"),
    "crop": ("R", "Crop tool (drag the frame; R again applies it)"),
    "cancel": ("Esc", "Leave the crop tool without changing the crop"),
    "swap_aspect": ("O", "Crop aspect on its side (3:2 ↔ 2:3)"),
    "prev": ("Left", "Previous photo"),
    "next": ("Right", "Next photo"),
    "pick": ("P", "Flag as pick"),
    "reject": ("X", "Flag as rejected"),
    "unflag": ("U", "Remove flag"),
    **{f"rate{n}": (str(n), f"Rate {n} star{'s' if n != 1 else ''}" if n else "Remove rating") for n in range(6)},
    "undo": ("Ctrl+Z", "Undo"),
    "redo": ("Ctrl+Shift+Z", "Redo"),
    "copy_settings": ("Ctrl+Shift+C", "Copy develop settings"),
    "paste_settings": ("Ctrl+Shift+V", "Paste develop settings to the selected photos"),
    "reset": ("Ctrl+Shift+R", "Reset all develop settings"),
    "export": ("Ctrl+E", "Export the selected photos"),
    "shutter": ("F12", "Tether: take a picture"),
    "fullscreen": ("F", "Full screen"),
    "shortcuts": ("Ctrl+/", "This list of shortcuts"),
    "quit": ("Ctrl+Q", "Quit Darkslide"),
}


def markdown() -> str:
    lines = ["# Darkslide keyboard shortcuts", "", "| Key | Action |", "|---|---|"]
    for key, text in SHORTCUTS.values():
        lines.append(f"| `{key}` | {text} |")
    lines += ["", "Double-click a slider or its name to reset it; click a value to type a number.",
              "In the loupe: wheel zooms, drag pans, double-click toggles fit / 100 %.", ""]
    return "\n".join(lines)



class ShortcutsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(SHORTCUTS), 2)
        table.setHorizontalHeaderLabels(["Key", "Action"])
        for row, (key, text) in enumerate(SHORTCUTS.values()):
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.verticalHeader().hide()
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnToContents(0)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(460, 620)
