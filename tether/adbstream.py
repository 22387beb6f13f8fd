"""A long-running `exec:` stream on its own ADB connection (TCP phones), for live view's screenrecord.

Its own socket, so a stream that runs for minutes never holds the connection that ingest uses, and stopping
it is closing a socket. The handshake is fast-sync's (same trusted key, no prompt). Reads wait at most
`timeout` seconds, so the reader can check for stop and restart deadlines even while the phone sends nothing
(screenrecord sends no frame while the screen does not change).
"""
from __future__ import annotations

import socket

from . import adbproto as p
from .fastsync import FastSync, FastSyncError


class StreamClosed(EOFError):
    """The phone ended the stream (the command exited, or the connection went away)."""


class ExecStream(FastSync):
    """`ExecStream(host, port, signer).open("screenrecord ... -")`, then `read(timeout)` until StreamClosed."""

    def open(self, command: str) -> "ExecStream":
        """Run `command`; connects first unless already connected (a caller may STAT over sync before)."""
        if self.sock is None:
            self.connect()
        self._local, self._remote = self._open_stream(b"exec:" + command.encode())
        if self._remote is None:
            self.close()
            raise FastSyncError(f"the phone refused `{command}`")
        return self

    def read(self, timeout: float = 0.5) -> bytes:
        """The next chunk of output; b"" when nothing arrived within `timeout` seconds."""
        if self.sock is None:
            raise StreamClosed("stream closed")
        self.sock.settimeout(timeout)
        try:
            self._recv_into(memoryview(self._header)[:1])  # wait for a message to start, bounded
        except (socket.timeout, TimeoutError):
            return b""
        except OSError as exc:
            self.close()
            raise StreamClosed(str(exc)) from exc
        self.sock.settimeout(max(self.timeout, 5.0))  # the rest of a started message comes promptly
        try:
            cmd, _, _, data = self._read_rest()
        except (OSError, FastSyncError) as exc:
            self.close()
            raise StreamClosed(str(exc)) from exc
        if cmd == p.WRTE:
            self._send(p.OKAY, self._local, self._remote)
            return bytes(data)
        if cmd == p.CLSE:
            self.close()
            raise StreamClosed("the command ended")
        return b""  # OKAY and others carry no output
