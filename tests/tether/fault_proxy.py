"""A loopback TCP proxy between the tether and the simulated phone that can freeze or cut the link.

Faults the phone itself cannot model: a phone that stops answering altogether (frozen UI thread, Wi-Fi
power save) while its sockets stay open, and cuts that hit every connection at once.
"""
from __future__ import annotations

import socket
import threading


class FaultProxy:
    def __init__(self, target_port: int, host: str = "127.0.0.1"):
        self.target = (host, target_port)
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self._frozen = threading.Event()
        self._thawed = threading.Event()
        self._thawed.set()
        self._stop = threading.Event()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self._thawed.wait()  # frozen: bytes stop flowing both ways, sockets stay open
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def freeze(self, seconds: float) -> None:
        """The phone stops answering for `seconds` (non-blocking)."""
        self._thawed.clear()
        threading.Timer(seconds, self._thawed.set).start()

    def cut_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self) -> None:
        self._stop.set()
        self._thawed.set()
        self.cut_all()
        self._listener.close()
