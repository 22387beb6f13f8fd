"""Fault injection for the simulated phone: cable pulls and stalls in the middle of a transfer."""
from __future__ import annotations

import threading


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self.drop_after_bytes: int | None = None  # next RECV: cut the connection after this many bytes
        self.stall_after_bytes: int | None = None  # next RECV: freeze for stall_seconds at this point
        self.stall_seconds = 0.0
        self.drops = 0

    def drop_next_recv(self, after_bytes: int) -> None:
        with self._lock:
            self.drop_after_bytes = after_bytes

    def stall_next_recv(self, after_bytes: int, seconds: float) -> None:
        with self._lock:
            self.stall_after_bytes, self.stall_seconds = after_bytes, seconds

    def during_recv(self, connection, sent: int) -> None:
        """Called by RECV after each chunk is read; one-shot faults disarm themselves."""
        from .streams import StreamClosed
        with self._lock:
            drop = self.drop_after_bytes is not None and sent >= self.drop_after_bytes
            if drop:
                self.drop_after_bytes = None
                self.drops += 1
            stall = self.stall_after_bytes is not None and sent >= self.stall_after_bytes
            if stall:
                self.stall_after_bytes = None
        if drop:
            connection.drop()
            raise StreamClosed("fault: cable pulled mid-RECV")
        if stall:
            connection.phone.stopping.wait(self.stall_seconds)
