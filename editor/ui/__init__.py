"""The PySide6 desktop app. Views observe the Qt-free core (editor.core); no decoding, rendering or file I/O
happens on the GUI thread: workers in editor.ui.workers do it and hand back QImages."""
