"""Darkslide's editor: the Qt-free core (editor.core) and its PySide6 views (editor.ui)."""
