"""The singleton guard: applied when (and only when) this PySide6 leaks references, and then it holds."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from editor.ui import qtcompat


class Emitter(QObject):
    flag = Signal(bool)


def test_void_calls_and_bool_signals_can_no_longer_exhaust_the_singletons():
    obj = Emitter()
    obj.flag.connect(lambda _v: None)
    before = [sys.getrefcount(s) for s in qtcompat.SINGLETONS]
    for _ in range(20000):
        obj.setObjectName("x")
        obj.flag.emit(True)
        obj.flag.emit(False)
    after = [sys.getrefcount(s) for s in qtcompat.SINGLETONS]
    if qtcompat.GUARDED:
        assert all(a > qtcompat.PIN // 2 for a in after)  # 20000 lost references are harmless now
    else:
        assert sys.version_info >= (3, 12) or all(a >= b - 100 for a, b in zip(after, before))
