"""Live view by screen capture: `exec:screencap -p` returns one PNG of the phone's screen.

`exec:` rather than `shell:` because the legacy shell runs under a PTY that rewrites "\\n" as "\\r\\n"
and corrupts binary output.
"""
from __future__ import annotations

import io
import threading
import time

from .errors import TetherError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class LiveViewError(TetherError):
    pass


def grab_frame(connection) -> bytes:
    data = connection.exec_out("screencap -p", timeout=10)
    if not data.startswith(PNG_SIGNATURE):
        raise LiveViewError(f"screencap did not return a PNG ({data[:40]!r})")
    return data


class LiveView:
    """Pulls frames in a loop on its own thread; `on_frame(png_bytes)` gets each one; `fps` is measured."""

    def __init__(self, connection, on_frame, max_fps: float = 30.0):
        self.connection = connection
        self.on_frame = on_frame
        self.min_interval = 1.0 / max_fps
        self.frames = 0
        self.started = 0.0
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tether-liveview", daemon=True)

    @property
    def fps(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.frames / elapsed if self.frames and elapsed > 0 else 0.0

    def start(self) -> "LiveView":
        self.started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                frame = grab_frame(self.connection)
            except TetherError as exc:
                self.error = exc
                return
            self.frames += 1
            self.on_frame(frame)
            self._stop.wait(max(0.0, self.min_interval - (time.monotonic() - began)))


def decode_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG frame (decoded with Pillow to prove it is intact)."""
    from PIL import Image
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        return img.size
