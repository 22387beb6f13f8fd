"""The PySide6 desktop app. Views observe the Qt-free core (editor.core); no decoding, rendering or file I/O
happens on the GUI thread: workers in editor.ui.workers do it and hand back QImages."""

from editor.ui import qtcompat  # noqa: E402,F401  (pins None/True/False before any widget is used; see there)
