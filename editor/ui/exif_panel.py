"""The photo's EXIF summary (camera, lens, exposure, focal length, date, place) under a collapsible header."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from editor.ui.collapsible import Collapsible


class ExifPanel(Collapsible):
    def __init__(self, parent=None):
        body = QLabel("")
        body.setObjectName("photoExif")
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.setContentsMargins(10, 4, 10, 6)
        # collapsed: the develop controls keep the room until asked
        super().__init__("Photo info", body, collapsed=True, parent=parent)

    def show_summary(self, rows: list[tuple[str, str]]) -> None:
        """[(label, value)] from editor.core.exif.summary; an empty list says there is none."""
        if not rows:
            self.body.setText("<i>No camera information in this file</i>")
            return
        lines = "".join(f"<tr><td style='color:#8c8c92;padding-right:8px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                        for k, v in rows)
        self.body.setText(f"<table>{lines}</table>")
