"""Live view: the phone's screen on the desktop, without slowing down ingest.

Preferred: `screenrecord --output-format=h264 ... -` (AOSP frameworks/av/cmds/screenrecord, Android 4.4+)
on its *own* ADB connection (TCP, the adb server), or on a side stream of a USB phone's one connection
(adb_demux: ingest's commands never wait on it), decoded with PyAV. ~30 fps at 720 px. screenrecord stops by
itself after 3 minutes (its --time-limit maximum), so the stream is reopened a little before that.

Fallback, only where screenrecord is missing or no stream of its own can be opened:
`exec:screencap -p` frames on the shared connection. A real phone needs 0.7-3 s per screencap, so
each grab waits until no ingest command is queued for the connection (DeviceConnection.background) and the
loop rests at least as long as the grab took.

`exec:` rather than `shell:` because the legacy shell runs under a PTY that rewrites "\\n" as "\\r\\n" and
corrupts binary output.

Every frame reaches `on_frame(LiveFrame)` on the live-view thread; when the view stops by itself (the phone
went away) `on_stopped(view, error)` says why.
"""
from __future__ import annotations

import io
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from .errors import TetherError

log = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ANNEX_B = (b"\x00\x00\x00\x01", b"\x00\x00\x01")
# An access-unit delimiter NAL: fed to the parser when the stream pauses, so it hands over the frame it holds
# instead of waiting for the next frame's first bytes (which never come while the screen does not change).
ACCESS_UNIT_DELIMITER = b"\x00\x00\x00\x01\x09\xf0"
SCREENRECORD_LIMIT = 180.0  # seconds; screenrecord's own maximum --time-limit
RESTART_AFTER = 170.0  # reopen before the phone ends the recording


class LiveViewError(TetherError):
    pass


@dataclass
class LiveFrame:
    rgb: np.ndarray  # height x width x 3, uint8
    received: float  # time.monotonic() when the frame was decoded
    index: int  # frames delivered so far by this view, from 1


def grab_frame(connection) -> bytes:
    data = connection.exec_out("screencap -p", timeout=10)
    if not data.startswith(PNG_SIGNATURE):
        raise LiveViewError(f"screencap did not return a PNG ({data[:40]!r})")
    return data


def decode_png(png: bytes) -> np.ndarray:
    from PIL import Image
    with Image.open(io.BytesIO(png)) as img:
        return np.asarray(img.convert("RGB"))


def decode_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG frame (decoded with Pillow to prove it is intact)."""
    from PIL import Image
    with Image.open(io.BytesIO(png)) as img:
        img.load()
        return img.size


def scaled_size(width: int, height: int, target_width: int) -> tuple[int, int]:
    """`target_width` wide (never wider than the screen), same aspect, both even as H.264 needs."""
    w = min(target_width, width)
    h = round(height * w / width)
    return w - w % 2, h - h % 2


def screen_size(connection) -> tuple[int, int] | None:
    """The phone's display size from `wm size` ("Physical size: 1080x2340", an override line may follow)."""
    try:
        out = connection.shell("wm size")
    except TetherError:
        return None
    size = None
    for line in out.splitlines():
        _, _, value = line.partition(":")
        w, x, h = value.strip().partition("x")
        if x and w.isdigit() and h.isdigit():
            size = int(w), int(h)  # "Override size" comes last and is what screenrecord records
    return size


def screenrecord_command(size: tuple[int, int] | None, bit_rate: int = 4_000_000) -> str:
    sized = f" --size {size[0]}x{size[1]}" if size else ""
    return (f"screenrecord --output-format=h264{sized} --bit-rate {bit_rate} "
            f"--time-limit {int(SCREENRECORD_LIMIT)} -")


class _View:
    """Thread, counters and stop/notify plumbing."""

    mode = ""

    def __init__(self, on_frame, on_stopped=None):
        self.on_frame = on_frame
        self.on_stopped = on_stopped
        self.frames = 0
        self.started = 0.0
        self.cpu_seconds = 0.0  # CPU time of this view's thread (reading + decoding)
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="tether-liveview", daemon=True)

    @property
    def fps(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.frames / elapsed if self.frames and elapsed > 0 else 0.0

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self):
        self.started = time.monotonic()
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._interrupt()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _interrupt(self) -> None:
        pass

    def _deliver(self, rgb: np.ndarray) -> None:
        self.frames += 1
        self.on_frame(LiveFrame(rgb, time.monotonic(), self.frames))

    def _main(self) -> None:
        cpu = time.thread_time()
        try:
            self._run()
        except Exception as exc:  # reported through .error and on_stopped, never lost
            if not self._stop.is_set():
                self.error = exc if isinstance(exc, TetherError) else LiveViewError(f"Live view stopped: {exc}")
        finally:
            self.cpu_seconds = time.thread_time() - cpu
        if self.on_stopped and not self._stop.is_set():
            self.on_stopped(self, self.error)


class LiveView(_View):
    """H.264 from screenrecord on a stream of its own when the connection can open one, decoded with PyAV to
    `width` px wide RGB frames; screencap frames on the shared connection otherwise. `mode` says which."""

    def __init__(self, connection, on_frame, on_stopped=None, *, width: int = 720, max_fps: float = 30.0,
                 prefer: str = "h264", restart_after: float = RESTART_AFTER, settle: float = 0.02):
        self.mode = "h264" if prefer == "h264" and _can_stream(connection) else "screencap"
        super().__init__(on_frame, on_stopped)
        self.connection, self.width, self.min_interval = connection, width, 1.0 / max_fps
        self.restart_after, self.settle = restart_after, settle
        self.restarts = 0
        self.decode_seconds = 0.0  # CPU seconds spent in the decoder and colour conversion
        self._stream = None

    def _interrupt(self) -> None:
        stream = self._stream
        if stream is not None:
            stream.close()

    def _run(self) -> None:
        if self.mode == "h264" and not self._run_h264():
            self.mode = "screencap"  # no screenrecord on this phone
        if self.mode == "screencap":
            self._run_screencap()

    # ---- H.264 ---------------------------------------------------------
    def _run_h264(self) -> bool:
        """Stream until stopped; False when the phone has no usable screenrecord (nothing was shown)."""
        size = screen_size(self.connection)
        command = screenrecord_command(scaled_size(*size, self.width) if size else None)
        while not self._stop.is_set():
            began = time.monotonic()
            self._stream = self.connection.open_exec_stream(command)
            try:
                outcome = self._pump(self._stream, began + self.restart_after)
            finally:
                self._stream.close()
            if outcome == "refused":
                return self.frames > 0
            if outcome == "ended" and time.monotonic() - began < 1.0:
                raise LiveViewError("screenrecord ended at once; the phone may not allow screen recording")
            self.restarts += not self._stop.is_set()
        return True

    def _pump(self, stream, restart_at: float) -> str:
        """Decode until stop or restart time ("restart"), the phone's end of stream ("ended"), or output that
        is not H.264 ("refused": e.g. "screenrecord: not found")."""
        import av
        codec = av.CodecContext.create("h264", "r")
        codec.flags |= av.codec.context.Flags.low_delay  # screenrecord has no B-frames: show each at once
        first, pending = True, False
        while not self._stop.is_set() and time.monotonic() < restart_at:
            try:
                data = stream.read(self.settle if pending else 0.25)
            except EOFError:
                return "refused" if first else "ended"
            if first and data:
                if not data.startswith(ANNEX_B):
                    log.info("live view: no H.264 from the phone (%r); using screencap", data[:80])
                    return "refused"
                first = False
            if not data:
                if pending:  # the stream paused: the frame the parser holds is complete
                    self._decode(codec, ACCESS_UNIT_DELIMITER)
                    pending = False
                continue
            self._decode(codec, data)
            pending = True
        return "restart"

    def _decode(self, codec, data: bytes) -> None:
        import av
        cpu = time.thread_time()
        frames = []
        try:
            for packet in codec.parse(data):
                for frame in codec.decode(packet):
                    w, h = scaled_size(frame.width, frame.height, self.width)
                    frames.append(frame.to_ndarray(width=w, height=h, format="rgb24"))
        except av.error.InvalidDataError as exc:  # one damaged frame: skip it, the next key frame repairs
            log.debug("live view: undecodable data skipped (%s)", exc)
        self.decode_seconds += time.thread_time() - cpu
        for rgb in frames:
            self._deliver(rgb)

    # ---- screencap -----------------------------------------------------
    def _run_screencap(self) -> None:
        """Frames on the shared connection, each taken only when ingest is not waiting for it."""
        background = getattr(self.connection, "background", None)
        while not self._stop.is_set():
            began = time.monotonic()
            if background is not None:
                with background():
                    png = grab_frame(self.connection)
            else:
                png = grab_frame(self.connection)
            took = time.monotonic() - began
            self._deliver(decode_png(png))
            # Rest at least as long as the grab took: the connection is free half the time or more.
            self._stop.wait(max(self.min_interval - took, took))


def _can_stream(connection) -> bool:
    return callable(getattr(connection, "open_exec_stream", None)) and getattr(connection, "can_stream", True)


def open_liveview(connection, on_frame, on_stopped=None, **options) -> LiveView:
    """The best live view this connection allows, started."""
    return LiveView(connection, on_frame, on_stopped, **options).start()
