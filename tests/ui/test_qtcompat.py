"""The None-refcount guard: applied when (and only when) this PySide6 leaks, and then it holds."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject

from editor.ui import qtcompat


def test_void_qt_calls_can_no_longer_exhaust_none():
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(20000):
        obj.setObjectName("x")
    after = sys.getrefcount(None)
    if qtcompat.GUARDED:
        assert after > qtcompat.PIN // 2  # the pin is in place; 20000 drops are harmless
    else:
        assert after >= before - 100 or sys.version_info >= (3, 12)
