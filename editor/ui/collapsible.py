"""A widget whose body folds away under a header button: the develop panel's sections and Photo info."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget


class Collapsible(QWidget):
    def __init__(self, title: str, body: QWidget, collapsed: bool = False, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = QToolButton()
        self.header.setObjectName("sectionHeader")
        self.header.setText(title.replace("&", "&&"))  # "Black & White", not an accelerator
        self.header.setCheckable(True)
        self.header.setChecked(collapsed)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.toggled.connect(self.set_collapsed)
        self.body = body
        layout.addWidget(self.header)
        layout.addWidget(body)
        self.set_collapsed(collapsed)

    def set_collapsed(self, collapsed: bool) -> None:
        self.body.setVisible(not collapsed)
        self.header.setArrowType(Qt.ArrowType.RightArrow if collapsed else Qt.ArrowType.DownArrow)
