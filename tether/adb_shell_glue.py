"""Small adaptations of adb-shell 0.4.x that the connection relies on (no behaviour change to the protocol)."""
from __future__ import annotations

import hashlib
import io
import socket

from adb_shell.transport.tcp_transport import TcpTransport

from . import adbproto
from .errors import LocalStorageError


def write_local(fh, data) -> None:
    """Write to the session folder; a full or read-only disk must not look like a dropped phone."""
    try:
        fh.write(data)
    except OSError as exc:
        raise LocalStorageError(f"Cannot write {fh.name}: {exc.strerror or exc}. Free space or pick another "
                                "sessions folder.") from exc


class EofAwareTcpTransport(TcpTransport):
    """adb-shell's TCP transport, with two fixes: it spins until its read timeout when the peer closes
    (we fail fast instead), and it sends header and payload in separate writes, which Nagle plus
    delayed ACKs turn into a 40 ms stall per command (TCP_NODELAY removes it)."""

    def connect(self, transport_timeout_s):
        super().connect(transport_timeout_s)
        self._connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def bulk_read(self, numbytes, transport_timeout_s):
        data = super().bulk_read(numbytes, transport_timeout_s)
        if not data:
            raise ConnectionResetError("the phone closed the connection")
        return data


class HashingSink(io.BytesIO):
    """Passed to adb-shell's pull as a "BytesIO": writes through to a file, hashing and counting on the way."""

    def __init__(self, fh, progress=None):
        super().__init__()
        self._fh, self._progress = fh, progress
        self.md5 = hashlib.md5()
        self.count = 0

    def write(self, data) -> int:
        write_local(self._fh, data)
        self.md5.update(data)
        self.count += len(data)
        if self._progress:
            self._progress(self.count)
        return len(data)


def use_fast_checksum() -> None:
    """adb-shell verifies every payload's byte sum with Python's sum(): about half the CPU time of a pull.
    Swap in the identical sum computed by numpy (same result, ~50x faster). Only the module-level name
    that adb_device uses is replaced, and only if it is still there (adb-shell 0.4.x)."""
    import adb_shell.adb_device as adb_device_module
    if getattr(adb_device_module, "checksum", None) is not None:
        adb_device_module.checksum = adbproto.checksum
