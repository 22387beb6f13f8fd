"""Work around a PySide6 6.12 defect on CPython 3.11: every call of a C++ method that returns void drops one
reference to None. From Python 3.12 None is immortal (PEP 683) and nothing happens; on 3.11 the count reaches
zero after some thousands of calls (a few seconds of slider dragging) and the interpreter aborts with
"none_dealloc: deallocating None".

`guard_none_refcount()` probes for the defect and, only when it is present, gives None a reference count
so large that it can never reach zero (in effect what 3.12 does). Remove this once the project requires
Python >= 3.12 or a PySide6 without the defect.
"""
from __future__ import annotations

import ctypes
import sys

PIN = 1 << 40  # references added to None: ~10^12 void calls before it could matter


def leaks_none() -> bool:
    """True if calling a void Qt method lowers None's reference count."""
    from PySide6.QtCore import QObject
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def guard_none_refcount() -> bool:
    """Pin None's reference count if this PySide6 leaks it; returns whether the pin was applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not leaks_none():
        return False
    ctypes.c_ssize_t.from_address(id(None)).value += PIN  # ob_refcnt is the first field of every object
    return True


GUARDED = guard_none_refcount()
