"""A `screenrecord --output-format=h264 -` service for a SimulatedPhone, with numbered frames.

Each frame carries its number as 16 black/white blocks along the top edge, and the time it was drawn is kept
in `sent[number]`, so a test can tell which frame it decoded and how long after it was "on the phone's
screen" (same process, same monotonic clock). Encoded with PyAV's libx264 (zerolatency: no B-frames, like
the phone's MediaCodec encoder that screenrecord drives).
"""
from __future__ import annotations

import shlex
import threading
import time

import numpy as np

BITS, BLOCK = 16, 32


def mark(frame: np.ndarray, number: int) -> None:
    for bit in range(BITS):
        value = 255 if number >> bit & 1 else 0
        frame[:BLOCK, bit * BLOCK:(bit + 1) * BLOCK] = value


def read_mark(rgb: np.ndarray) -> int:
    """The frame number drawn by mark(), from a decoded frame scaled to any width."""
    scale = rgb.shape[1] / ScreenRecorder.width_drawn
    number = 0
    for bit in range(BITS):
        y, x = int(BLOCK * scale / 2), int((bit + 0.5) * BLOCK * scale)
        if rgb[y, x].mean() > 127:
            number |= 1 << bit
    return number


class ScreenRecorder:
    width_drawn = 720

    def __init__(self, phone, fps: float = 30.0, size=(720, 1560), time_limit_cap: float | None = None,
                 present: bool = True):
        self.phone, self.fps, self.size = phone, fps, size
        self.time_limit_cap = time_limit_cap  # shorter than asked, to test the restart
        self.present = present  # False: a phone without screenrecord
        self.sent: dict[int, float] = {}
        self.commands: list[str] = []
        self.streams = 0
        self._number = 0
        self._lock = threading.Lock()
        ScreenRecorder.width_drawn = size[0]
        original = phone.service_handler

        def handler(service: str):
            if service.startswith("exec:screenrecord") and self.present:
                return lambda stream, c=service[5:]: self.serve(stream, c)
            if service.startswith("shell:wm size") or service.startswith("exec:wm size"):
                return lambda stream: (stream.write(f"Physical size: {size[0]}x{size[1]}\n".encode()),
                                       stream.close())
            return original(service)
        phone.service_handler = handler

    def serve(self, stream, command: str) -> None:
        import av
        self.commands.append(command)
        self.streams += 1
        argv = shlex.split(command)
        limit = float(argv[argv.index("--time-limit") + 1]) if "--time-limit" in argv else 180.0
        if self.time_limit_cap:
            limit = min(limit, self.time_limit_cap)
        w, h = self.size
        enc = av.CodecContext.create("libx264", "w")
        enc.width, enc.height, enc.pix_fmt = w, h, "yuv420p"
        enc.framerate = int(self.fps)
        enc.options = {"tune": "zerolatency", "preset": "ultrafast"}
        base = np.zeros((h, w, 3), np.uint8)
        base[..., 2] = np.linspace(40, 200, h, dtype=np.uint8)[:, None]
        began = time.monotonic()
        tick = began
        try:
            while time.monotonic() - began < limit and not stream.closed.is_set():
                with self._lock:
                    self._number += 1
                    number = self._number
                frame = base.copy()
                y = (number * 7) % (h - 80) + 40
                frame[y:y + 40, 100:w - 100] = (240, 220, 180)
                mark(frame, number)
                self.sent[number] = time.monotonic()
                for packet in enc.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                    stream.write(bytes(packet))
                stream.flush()
                tick += 1.0 / self.fps
                time.sleep(max(0.0, tick - time.monotonic()))
        except Exception:  # the host went away: a real screenrecord dies of SIGPIPE
            return
        stream.close()
