"""The photo's EXIF summary (camera, lens, exposure, focal length, date, place) under a collapsible header."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget


class ExifPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = QToolButton()
        self.header.setObjectName("sectionHeader")
        self.header.setText("Photo info")
        self.header.setCheckable(True)
        self.header.setChecked(True)  # collapsed: the develop controls keep the room until asked
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.toggled.connect(self._collapse)
        self.body = QLabel("")
        self.body.setObjectName("photoExif")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setContentsMargins(10, 4, 10, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self._collapse(True)

    def _collapse(self, collapsed: bool) -> None:
        self.body.setVisible(not collapsed)
        self.header.setArrowType(Qt.ArrowType.RightArrow if collapsed else Qt.ArrowType.DownArrow)

    def show_summary(self, rows: list[tuple[str, str]]) -> None:
        """[(label, value)] from editor.core.exif.summary; an empty list says there is none."""
        if not rows:
            self.body.setText("<i>No camera information in this file</i>")
            return
        lines = "".join(f"<tr><td style='color:#8c8c92;padding-right:8px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                        for k, v in rows)
        self.body.setText(f"<table>{lines}</table>")
