"""One reader for adb-shell's single connection, so long-running streams can share it (USB phones reached
directly, where a second connection cannot claim the same USB interface).

adb-shell multiplexes streams, but its reader holds the transport lock while it waits for the next packet:
an idle stream (screenrecord of a still screen, inotifyd between captures) then stalls every other command
(a 1.5 MB pull took 30x longer; docs/tether-connect.md). DemuxTransport sits between adb-shell and its
transport: a thread of its own reads whole ADB messages; those addressed to a side stream opened here go to
that stream, everything else is handed to adb-shell unchanged through bulk_read, so adb-shell never waits on
a side stream's silence. Side streams use local ids from SIDE_IDS up (adb-shell counts its own from 1), and
acknowledge each WRTE when it is read, so the phone sends at most one message ahead per stream and the
reader never blocks on a slow consumer. Writes are serialised per message: adb-shell writes a header and its
payload in two calls, and a side stream's message never comes between them.
"""
from __future__ import annotations

import itertools
import queue
import threading
import time

from adb_shell import exceptions as adb_exc
from adb_shell.transport.base_transport import BaseTransport

from . import adbproto as p
from .adbstream import StreamClosed

SIDE_IDS = 0x7F000001
_POLL_S = 0.5  # the reader's wait per transport read: only a wait, never a cut (it keeps partial messages)


def _timed_out(exc: Exception) -> bytes | None:
    """For a read that only timed out, the bytes it got before (libusb keeps them in the error's `received`;
    adb-shell's own reader drops them); None for any other error."""
    if isinstance(exc, adb_exc.TcpTimeoutException):
        return b""
    cause = getattr(exc, "usb_error", None)  # UsbReadFailedError(msg, usb1.USBErrorTimeout)
    if isinstance(exc, adb_exc.UsbReadFailedError) and type(cause).__name__ == "USBErrorTimeout":
        return bytes(getattr(cause, "received", b"") or b"")
    return None


class DemuxTransport(BaseTransport):
    """Wraps an adb-shell transport (UsbTransport, or TCP in tests); adb-shell uses it like the transport."""

    def __init__(self, inner):
        self.inner = inner
        self._buffer = bytearray()
        self._arrived = threading.Condition()
        self._error: BaseException | None = None
        self._write_lock = threading.Lock()
        self._payload_due = 0  # adb-shell wrote a header whose payload comes in its next write
        self._streams: dict[int, SideStream] = {}
        self._ids = itertools.count(SIDE_IDS)
        self._generation = 0  # one per connect(): a reader of an earlier connection must not fail this one
        self._closed = threading.Event()

    # ---- adb-shell's transport interface -----------------------------------
    def connect(self, transport_timeout_s=None) -> None:
        """adb-shell closes and connects again on every connect(): each run gets a reader of its own."""
        self.inner.connect(transport_timeout_s)
        with self._arrived:
            self._generation += 1
            self._buffer.clear()
            self._error = None
            self._closed = threading.Event()
            generation, closed = self._generation, self._closed
        threading.Thread(target=self._read_loop, args=(generation, closed), name="adb-demux", daemon=True).start()

    def close(self) -> None:
        with self._arrived:
            closed, generation = self._closed, self._generation
        closed.set()
        try:
            self.inner.close()
        finally:
            self._fail(generation, ConnectionResetError("the connection was closed"))

    def bulk_read(self, numbytes: int, transport_timeout_s=None) -> bytes:
        deadline = time.monotonic() + (transport_timeout_s if transport_timeout_s is not None else 3600.0)
        with self._arrived:
            while not self._buffer:
                if self._error is not None:
                    raise ConnectionResetError(f"the link to the phone failed: {self._error}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise adb_exc.TcpTimeoutException(f"nothing from the phone in {transport_timeout_s} s")
                self._arrived.wait(remaining)
            data = bytes(self._buffer[:numbytes])
            del self._buffer[:numbytes]
            return data

    def bulk_write(self, data, transport_timeout_s=None):
        if self._payload_due:  # the payload of the header adb-shell just wrote; the lock is still held
            self._payload_due = 0
            try:
                return self.inner.bulk_write(data, transport_timeout_s)
            finally:
                self._write_lock.release()
        self._write_lock.acquire()
        try:
            written = self.inner.bulk_write(data, transport_timeout_s)
        except BaseException:
            self._write_lock.release()
            raise
        length = p.HEADER.unpack(bytes(data))[3] if len(data) == p.HEADER.size else 0
        if length:
            self._payload_due = length  # keep the lock: nothing may come between header and payload
        else:
            self._write_lock.release()
        return written

    # ---- side streams ------------------------------------------------------------
    def open_stream(self, service: str, timeout: float) -> "SideStream":
        """OPEN `service` (e.g. "exec:inotifyd - …") on a side stream; its output comes through read()."""
        stream = SideStream(self, next(self._ids))
        with self._arrived:
            if self._error is not None:
                raise ConnectionResetError(f"the link to the phone failed: {self._error}")
            self._streams[stream.local] = stream
        stream.open(service, timeout)
        return stream

    def send(self, command: int, arg0: int, arg1: int, data: bytes = b"") -> None:
        message = p.pack_message(command, arg0, arg1, data, with_checksum=True)
        with self._write_lock:
            self.inner.bulk_write(message[:p.HEADER.size], 5.0)
            if data:  # header and payload as two transfers, like adb and adb-shell
                self.inner.bulk_write(message[p.HEADER.size:], 5.0)

    def forget(self, local: int) -> None:
        with self._arrived:
            self._streams.pop(local, None)  # late messages for it are dropped (local ids are never reused)

    # ---- the reader ----------------------------------------------------------------
    def _read_loop(self, generation: int, closed: threading.Event) -> None:
        try:
            while not closed.is_set():
                header = self._read_exact(p.HEADER.size, closed)
                command, arg0, arg1, length, _, _ = p.HEADER.unpack(header)
                payload = self._read_exact(length, closed) if length else b""
                with self._arrived:
                    if generation != self._generation:
                        return
                    stream = self._streams.get(arg1)
                    if stream is None and arg1 >= SIDE_IDS:
                        continue  # for a side stream already closed
                    if stream is None:
                        self._buffer += header + payload
                        self._arrived.notify_all()
                        continue
                stream.deliver(command, arg0, payload)
        except BaseException as exc:  # the link is gone (or closed): everyone waiting hears of it
            self._fail(generation, exc)

    def _read_exact(self, size: int, closed: threading.Event) -> bytes:
        data = bytearray()
        while len(data) < size:
            if closed.is_set():
                raise ConnectionResetError("closed")
            try:
                data += self.inner.bulk_read(size - len(data), _POLL_S)
            except Exception as exc:
                got = _timed_out(exc)
                if got is None:
                    raise
                data += got
        return bytes(data)

    def _fail(self, generation: int, exc: BaseException) -> None:
        with self._arrived:
            if generation != self._generation:
                return
            if self._error is None:
                self._error = exc
            streams = list(self._streams.values())
            self._arrived.notify_all()
        for stream in streams:
            stream.deliver(None, 0, b"")


class SideStream:
    """A stream of its own on the shared connection: read(timeout) like adbstream.ExecStream, and close()."""

    def __init__(self, demux: DemuxTransport, local: int):
        self._demux, self.local = demux, local
        self.remote: int | None = None
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False

    def deliver(self, command, arg0: int, payload: bytes) -> None:
        self._inbox.put((command, arg0, payload))

    def open(self, service: str, timeout: float) -> None:
        self._demux.send(p.OPEN, self.local, 0, service.encode("utf-8") + b"\0")
        try:
            command, arg0, _ = self._inbox.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise TimeoutError(f"the phone did not answer OPEN {service!r} within {timeout} s") from None
        if command != p.OKAY:
            self._closed = True
            self._demux.forget(self.local)
            raise StreamClosed(f"the phone refused {service!r}")
        self.remote = arg0

    def read(self, timeout: float = 0.5) -> bytes:
        """The next chunk of output; b"" when nothing arrived within `timeout` seconds."""
        if self._closed:
            raise StreamClosed("stream closed")
        try:
            command, _, payload = self._inbox.get(timeout=timeout)
        except queue.Empty:
            return b""
        if command == p.WRTE:
            self._demux.send(p.OKAY, self.local, self.remote)  # the phone may send the next one
            return payload
        if command == p.CLSE or command is None:
            self._closed = True
            self._demux.forget(self.local)
            raise StreamClosed("the command ended" if command else "the connection to the phone ended")
        return b""  # OKAY for something we sent

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.remote is not None:
            try:
                self._demux.send(p.CLSE, self.local, self.remote)
            except Exception:  # the link is gone: nothing to tell the phone
                pass
        self._demux.forget(self.local)
