"""Work around a PySide6 6.12 defect on CPython 3.11: it treats None, True and False as immortal (as they are
from Python 3.12, PEP 683) and hands them out without taking a reference. Each call of a void C++ method
drops one reference to None; each signal emission with a bool argument drops one to True or False. On 3.11
the counts reach zero after some thousands of calls (seconds of slider dragging) and the interpreter aborts
with "none_dealloc" / "bool_dealloc".

`guard_singletons()` probes for the defect and, only when it is present, gives these singletons reference
counts so large that they can never reach zero (in effect what 3.12 does). Remove this module once the
project requires Python >= 3.12 or a PySide6 without the defect.
"""
from __future__ import annotations

import ctypes
import sys

PIN = 1 << 40  # references added to each singleton: ~10^12 calls before it could matter
SINGLETONS = (None, True, False)


def leaks() -> bool:
    """True if void Qt calls or bool signal emissions lower the singletons' reference counts."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        flag = Signal(bool)

    probe = Probe()
    probe.flag.connect(lambda _value: None)
    before = [sys.getrefcount(s) for s in SINGLETONS]
    for _ in range(64):
        probe.setObjectName("probe")
        probe.flag.emit(True)
        probe.flag.emit(False)
    after = [sys.getrefcount(s) for s in SINGLETONS]
    return any(a < b - 32 for a, b in zip(after, before))


def guard_singletons() -> bool:
    """Pin None/True/False if this PySide6 leaks them; returns whether the pin was applied."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not leaks():
        return False
    for obj in SINGLETONS:
        ctypes.c_ssize_t.from_address(id(obj)).value += PIN  # ob_refcnt is the first field of every object
    return True


GUARDED = guard_singletons()
