"""The simulated camera: renders photo-like JPEGs (and optional DNG-named companions) and writes them
the way a camera app does — in several chunks over a few hundred milliseconds, so the file visibly grows.

Images are not flat colour: a lit gradient, sensor-like noise and a few random shapes, so JPEG sizes and
decode work are realistic. Frames are rendered ahead of time on a worker thread so shutter-to-file
latency models a phone's pipeline rather than this machine's numpy speed.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .styles import ShotNames, shot_names

SIZES = {"small": (640, 480), "medium": (2000, 1500), "12mp": (4000, 3000)}
PENDING_EXPIRY_S = 7 * 86400  # MediaProvider's DEFAULT_DURATION_PENDING


def render_photo(width: int, height: int, seed: int, quality: int = 95) -> bytes:
    rng = np.random.default_rng(seed)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    hue = rng.random(3).astype(np.float32)
    img = np.empty((height, width, 3), dtype=np.float32)
    for c in range(3):
        img[..., c] = 40 + 160 * (hue[c] * y + (1 - hue[c]) * x)  # soft directional light
    for _ in range(6):  # shapes: rectangles and discs of varied tone
        cx, cy = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(max(4, width // 40), max(8, width // 6)))
        colour = rng.integers(0, 255, 3).astype(np.float32)
        y0, y1, x0, x1 = max(0, cy - r), min(height, cy + r), max(0, cx - r), min(width, cx + r)
        patch = img[y0:y1, x0:x1]
        if rng.random() < 0.5:
            patch[:] = 0.3 * patch + 0.7 * colour
        else:
            yy, xx = np.arange(y0, y1)[:, None], np.arange(x0, x1)[None, :]
            patch[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = colour
    # Luma plus a little chroma noise, like a small sensor at base ISO; it also gives phone-like JPEG sizes.
    noise = rng.integers(-7, 8, size=(height, width, 1), dtype=np.int16) + rng.integers(-2, 3, size=(height, width, 3), dtype=np.int16)
    out = np.clip(img + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(out, "RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def fake_dng(jpeg: bytes, seed: int) -> bytes:
    """A DNG-named companion: TIFF little-endian header plus pseudo-raw payload (about 2x the JPEG)."""
    rng = np.random.default_rng(seed + 7)
    return b"II*\x00\x08\x00\x00\x00" + rng.integers(0, 4096, size=len(jpeg), dtype=np.uint16).tobytes()


def stamp_exif(jpeg: bytes, when: float, make: str, model: str, counter: int) -> bytes:
    """The frame with an EXIF block (APP1 right after SOI) like a phone writes: make, model, capture
    time to the millisecond with its UTC offset, and a unique image id, so every file's bytes differ."""
    exif = Image.Exif()
    local = time.localtime(when)
    exif[0x010F], exif[0x0110] = make, model
    exif[0x0132] = time.strftime("%Y:%m:%d %H:%M:%S", local)
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = sub[0x9004] = time.strftime("%Y:%m:%d %H:%M:%S", local)
    sub[0x9291] = f"{int((when % 1) * 1000):03d}"
    offset = local.tm_gmtoff // 60
    sub[0x9011] = f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    sub[0xA420] = f"{counter:08d}{int(when * 1000):016x}"
    payload = exif.tobytes()
    if not payload.startswith(b"Exif"):
        payload = b"Exif\x00\x00" + payload
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


class _Stopped(Exception):
    """The camera was stopped while a shot waited for its frame."""


@dataclass
class Shot:
    device_path: str
    local_path: Path
    shutter_time: float  # time.time() at the "shutter"
    done: threading.Event
    size: int = 0
    md5: str = ""
    companion: Path | None = None


class Camera:
    """style: "huawei" or "pixel" naming (see styles.py). processing_s: shutter -> first byte.
    pending_names: MediaStore IS_PENDING style, written as ".pending-<expiry>-NAME" then renamed."""

    def __init__(self, folder: Path, size="small", with_dng=False, write_steps=4, write_duration=0.3,
                 pending_names=False, device_dir="/sdcard/DCIM/Camera", frame_pool: int = 0,
                 style: str = "huawei", processing_s: float = 0.0, make: str = "HUAWEI", model: str = "ELS-NX9",
                 media=None):
        self.folder = Path(folder)
        self.size = SIZES.get(size, size) if isinstance(size, str) else tuple(size)
        self.with_dng = with_dng
        self.write_steps = max(1, write_steps)
        self.write_duration = write_duration
        self.pending_names = pending_names
        self.device_dir = device_dir
        self.style, self.processing_s, self.make, self.model = style, processing_s, make, model
        self.media = media  # a MediaStore: pending rows are inserted at the shutter, published when complete
        self._seed = int.from_bytes(os.urandom(4), "little")
        self._frames: queue.Queue[bytes] = queue.Queue(maxsize=3)
        self._jobs: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._name_lock = threading.Lock()
        self._shot_counter = 0
        # frame_pool > 0: render that many frames up front and cycle through them (benchmarks at 12 MP,
        # where rendering on the desktop would be slower than a phone's ISP). Each file still gets its own
        # EXIF block, so no two shots have the same bytes.
        self.frame_pool = frame_pool
        self.pool_ready = threading.Event()
        self._pool: list[bytes] = []
        self._pool_index = 0
        self._render_thread = threading.Thread(target=self._render_ahead, daemon=True, name="simcam-render")
        self._write_thread = threading.Thread(target=self._write_loop, daemon=True, name="simcam-write")
        self._write_thread.start()
        if frame_pool:
            self.warm_up()
        self.shots: list[Shot] = []
        self._reserved: set[str] = set()

    def warm_up(self) -> None:
        """Start rendering frames ahead (done by the first shot otherwise, so an idle phone costs no CPU)."""
        with self._name_lock:
            if not self._render_thread.is_alive() and not self._stop.is_set():
                try:
                    self._render_thread.start()
                except RuntimeError:
                    pass  # already started once and finished (a frame pool)

    def _next_seed(self) -> int:
        self._seed += 1
        return self._seed

    def _render_ahead(self) -> None:
        if self.frame_pool:
            self._pool = [render_photo(*self.size, seed=self._next_seed()) for _ in range(self.frame_pool)]
            self.pool_ready.set()
            return
        while not self._stop.is_set():
            frame = render_photo(*self.size, seed=self._next_seed())
            while not self._stop.is_set():
                try:
                    self._frames.put(frame, timeout=0.2)
                    break
                except queue.Full:
                    continue

    def _take_frame(self) -> bytes:
        if self.frame_pool:
            self.pool_ready.wait(60)
            self._pool_index += 1
            return self._pool[self._pool_index % len(self._pool)]
        # Poll so that a shutdown (which stops the render thread) never leaves this waiting for a frame.
        deadline = time.monotonic() + 10
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                return self._frames.get(timeout=0.2)
            except queue.Empty:
                continue
        if self._stop.is_set():
            raise _Stopped
        return render_photo(*self.size, seed=self._next_seed())

    def _free(self, names: ShotNames) -> bool:
        for name in filter(None, (names.jpeg, names.raw)):
            if (self.folder / name).exists() or name in self._reserved:
                return False
        return True

    def _unique_names(self, shutter: float) -> ShotNames:
        # Huawei names by the second and appends _1, _2 ... within it (bursts); Pixel by the millisecond.
        n = 0
        while True:
            names = shot_names(self.style, shutter, n, self.with_dng)
            if self._free(names):
                self._reserved.update(filter(None, (names.jpeg, names.raw)))
                return names
            n += 1

    def shoot(self, write_steps=None, write_duration=None, name=None) -> Shot:
        """Press the shutter now; the file appears asynchronously. Returns at once.
        name: a stem to use instead of the camera's own naming (JPEG only)."""
        shutter = time.time()
        self.warm_up()
        with self._name_lock:
            names = ShotNames(f"{name}.jpg", None) if name else self._unique_names(shutter)
        shot = Shot(f"{self.device_dir}/{names.jpeg}", self.folder / names.jpeg, shutter, threading.Event())
        if names.raw and self.with_dng:
            shot.companion = self.folder / names.raw
        self.shots.append(shot)
        self._jobs.put((shot, write_steps or self.write_steps,
                        self.write_duration if write_duration is None else write_duration))
        return shot

    def _write_loop(self) -> None:
        while not self._stop.is_set():
            try:
                shot, steps, duration = self._jobs.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self._write_shot(shot, steps, duration)
            except (OSError, _Stopped):
                pass  # shutting down, or the folder was removed under us
            finally:
                shot.done.set()

    def _write_shot(self, shot: Shot, steps: int, duration: float) -> None:
        # The ISP/HDR pipeline runs before the app writes anything.
        if self.processing_s and self._stop.wait(max(0.0, shot.shutter_time + self.processing_s - time.time())):
            raise _Stopped
        if self.pending_names and self.media is not None:
            for path in filter(None, (shot.local_path, shot.companion)):
                self.media.insert_pending(path, shot.shutter_time)
        self._shot_counter += 1
        jpeg = stamp_exif(self._take_frame(), shot.shutter_time, self.make, self.model, self._shot_counter)
        shot.size, shot.md5 = len(jpeg), hashlib.md5(jpeg).hexdigest()
        self._write_growing(shot.local_path, jpeg, steps, duration)
        if shot.companion is not None:  # the RAW lands just after the JPEG
            shot.companion.parent.mkdir(parents=True, exist_ok=True)
            self._write_growing(shot.companion, fake_dng(jpeg, self._seed), steps, duration)

    def _write_growing(self, path: Path, data: bytes, steps: int, duration: float) -> None:
        # MediaProvider names a pending item ".pending-<expiry seconds>-NAME", expiring 7 days on.
        expiry = int(time.time()) + PENDING_EXPIRY_S
        target = path.with_name(f".pending-{expiry}-{path.name}") if self.pending_names else path
        step = -(-len(data) // steps)
        with open(target, "wb") as fh:
            for i in range(steps):
                fh.write(data[i * step:(i + 1) * step])
                fh.flush()
                if i < steps - 1 and duration > 0:
                    if self._stop.wait(duration / max(1, steps - 1)):
                        return  # stopped mid-write: a pending file stays pending, as after a crash
        if self.pending_names:
            os.replace(target, path)
            if self.media is not None:
                self.media.publish(path)

    def stop(self) -> None:
        self._stop.set()
        if self._render_thread.is_alive():
            self._render_thread.join(timeout=5)
        self._write_thread.join(timeout=5)


@functools.lru_cache(maxsize=4)
def _screen_background(width: int, height: int) -> np.ndarray:
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    frame = np.empty((height, width, 3), dtype=np.uint8)
    frame[..., 0] = (0.6 * y + 0.4 * x).astype(np.uint8)
    frame[..., 1] = (0.3 * y + 0.2 * x + 40).astype(np.uint8)
    frame[..., 2] = (200 - 0.5 * y).clip(0, 255).astype(np.uint8)
    frame.flags.writeable = False
    return frame


def render_screen(width: int, height: int, t: float) -> np.ndarray:
    """A viewfinder frame: the "scene" with a moving highlight so successive frames differ. The static
    part is cached per size, so a frame costs one copy (screenrecord needs 30 of them a second)."""
    frame = _screen_background(width, height).copy()
    cx = int((np.sin(t) * 0.4 + 0.5) * width)
    cy = height // 2
    r = max(4, width // 10)
    frame[max(0, cy - r):cy + r, max(0, cx - r):cx + r] = (250, 240, 210)
    return frame
