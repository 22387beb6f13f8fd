"""One ADB stream on the simulated phone: inbound bytes from the host, outbound WRTEs with flow control.

adbd sends one WRTE per stream and waits for the host's OKAY before the next one; hosts (adb, adb-shell)
rely on that, so the simulator does too.
"""
from __future__ import annotations

import threading
from collections import deque

from .. import adbproto


class StreamClosed(Exception):
    pass


class Stream:
    def __init__(self, connection, local_id: int, remote_id: int, service: str):
        self.connection = connection
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self.closed = threading.Event()
        self._okay = threading.Event()
        self._okay.set()
        self._inbound = deque()
        self._inbound_ready = threading.Condition()
        self._pending = bytearray()
        self._out = bytearray()

    # ---- host -> phone -------------------------------------------------
    def feed(self, data: bytes) -> None:
        with self._inbound_ready:
            self._inbound.append(data)
            self._inbound_ready.notify()

    def read_exact(self, size: int, timeout: float = 60.0) -> bytes:
        """Block until `size` bytes from the host are available; StreamClosed when the host hangs up."""
        with self._inbound_ready:
            while len(self._pending) < size:
                if self._inbound:
                    self._pending += self._inbound.popleft()
                    continue
                if self.closed.is_set():
                    raise StreamClosed(self.service)
                if not self._inbound_ready.wait(timeout):
                    raise StreamClosed(f"{self.service}: host sent nothing for {timeout}s")
            data = bytes(self._pending[:size])
            del self._pending[:size]
            return data

    # ---- phone -> host -------------------------------------------------
    def write(self, data: bytes) -> None:
        """Queue output; whole WRTE payloads go out as soon as they fill up."""
        self._out += data
        limit = self.connection.max_payload
        while len(self._out) >= limit:
            self._send_wrte(bytes(self._out[:limit]))
            del self._out[:limit]

    def flush(self) -> None:
        if self._out:
            self._send_wrte(bytes(self._out))
            self._out.clear()

    def _send_wrte(self, payload: bytes) -> None:
        if not self._okay.wait(self.connection.okay_timeout):
            raise StreamClosed(f"{self.service}: host never acknowledged a WRTE")
        if self.closed.is_set():
            raise StreamClosed(self.service)
        self._okay.clear()
        self.connection.send(adbproto.WRTE, self.local_id, self.remote_id, payload)

    def on_okay(self) -> None:
        self._okay.set()

    def mark_closed(self) -> None:
        self.closed.set()
        self._okay.set()
        with self._inbound_ready:
            self._inbound_ready.notify_all()

    def close(self) -> None:
        """Service finished: flush and tell the host (once)."""
        if self.closed.is_set():
            return
        try:
            self.flush()
            self._okay.wait(self.connection.okay_timeout)
        except StreamClosed:
            pass
        self.connection.close_stream(self, notify_host=True)
