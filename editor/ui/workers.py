"""Background work for the GUI: rendering previews, thumbnails, sidecar saves and one-off tasks.

Results cross back to the GUI thread through Qt signals (queued connections, since they are emitted from
worker threads). The render worker always renders the newest request: older pending ones are replaced,
and every result carries the generation number of its request so the view can drop stale ones.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from editor.core import sidecar as sidecars
from editor.core.edit import Edit
from editor.ui import imaging

MEMORY_THUMBS = 800  # thumbnails kept in memory (~150 kB each); the rest come back from the disk cache
PREVIEW_EDGE = 3840  # largest settled preview (long edge of the uncropped photo, device px): a 4K screen
BASE_TIERS = (1600, 2560, PREVIEW_EDGE)  # decoded preview sizes; a view between two uses the larger, reduced
ZOOMED_EDGE = 1600  # zoomed in, the preview only fills the view until the 1:1 tiles come: no more than this
PROGRESSIVE_MS = 100.0  # a settled preview expected to take longer than this is preceded by a draft (DRAG_EDGE px)
PROGRESSIVE_EDGE = 1600  # ... and one larger than this, before any settled render has been timed
MIN_PREVIEW_EDGE = 512  # smallest settled preview, px (the view asks for its own size, rounded up)
DRAG_EDGE = 800  # largest preview while a slider is being dragged, px
BASE_SIZES = 4  # decoded preview sizes kept in memory for the open photo


# -- the one source of threads ---------------------------------------------------------------------
log = logging.getLogger("darkslide")


class _Pool(cf.ThreadPoolExecutor):
    """A thread pool whose tasks never fail silently: an exception nobody collected from its future is logged
    (tasks that report their own errors, like Tasks.run, catch them first and never reach this)."""

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: cf.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        exc = future.exception()
        log.error("A background task failed: %s", exc, exc_info=exc)


class Workers:
    """Every thread of the window comes from here (stdlib executors, one mechanism), so stopping them is one
    call: `shutdown` first asks long-running tasks to stop (the render loop, an export; see `on_shutdown`),
    then drops queued work and waits for running work, newest pools first."""

    def __init__(self) -> None:
        self._pools: list[cf.ThreadPoolExecutor] = []
        self._stops: list[Callable[[], None]] = []
        self.closed = False

    def pool(self, name: str, threads: int = 1) -> cf.ThreadPoolExecutor:
        executor = _Pool(threads, thread_name_prefix=f"darkslide-{name}")
        self._pools.append(executor)
        return executor

    def on_shutdown(self, stop: Callable[[], None]) -> None:
        """`stop()` is called at shutdown before the pools are joined: a long task (a loop, an export) must
        end soon after it, or shutdown would wait for it forever."""
        self._stops.append(stop)

    def shutdown(self) -> None:
        if self.closed:
            return
        self.closed = True
        for stop in self._stops:
            try:
                stop()
            except Exception as exc:  # one stop failing must not leave the other threads running
                log.error("Stopping a background task failed: %s", exc, exc_info=exc)
        for executor in reversed(self._pools):
            executor.shutdown(wait=True, cancel_futures=True)


# -- one-off tasks ---------------------------------------------------------------------------------


class Tasks(QObject):
    """Run functions on a small thread pool; `done`/`error` callbacks run on the GUI thread.

    A task without an `error` callback that fails is logged and reported through `failed` (the window
    shows it in the status bar): a worker's exception is never dropped. Implements editor.app.events.Runner."""

    _finished = Signal(object, object, object)  # callback, value, error-callback-or-None
    failed = Signal(str)  # "what failed: why", for a task run without an error callback

    def __init__(self, workers: int = 2, parent=None, executor: cf.ThreadPoolExecutor | None = None):
        super().__init__(parent)
        self._pool = executor or cf.ThreadPoolExecutor(workers, thread_name_prefix="darkslide-task")
        self._finished.connect(self._deliver)
        self.pending = 0
        self.closed = False

    def run(self, fn: Callable, *args, done: Callable | None = None, error: Callable | None = None):
        if self.closed:
            return None  # the window is closing: late callbacks must not start new work
        self.pending += 1

        def job():
            try:
                value = fn(*args)
            except Exception as exc:  # reported to the caller's error callback, else logged and shown
                self._finished.emit(error or (lambda e: self._unhandled(fn, e)), exc, None)
                return
            self._finished.emit(done, value, None)
        return self._pool.submit(job)

    def _unhandled(self, fn, exc: Exception) -> None:
        name = getattr(fn, "__name__", "a background task")
        log.error("%s failed: %s", name, exc, exc_info=exc)
        self.failed.emit(f"{name.strip('<>')} failed: {exc}")

    def _deliver(self, callback, value, _unused):
        self.pending -= 1
        if callback is not None and not self.closed:
            callback(value)

    def shutdown(self):
        self.closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


# -- sidecar saves ---------------------------------------------------------------------------------
SAVE_DEBOUNCE_S = 0.15  # a slider drag commits many steps: write the sidecar a few times a second, not each
SAVE_MAX_DEFER_S = 1.0  # while previews keep rendering, a write waits for a pause, but never longer than this


class AsyncSaver:
    """Writes sidecars on one background thread, in order; rapid saves of one photo collapse to the last
    (a write waits SAVE_DEBOUNCE_S for newer snapshots first; `flush` and closing write at once).

    `busy` (optional, e.g. RenderWorker.busy) defers a write while it returns True, up to SAVE_MAX_DEFER_S:
    serialising a long history costs the GIL ~10 ms, which would otherwise land inside the next preview
    render of a run of edits and delay it.
    """

    def __init__(self, executor: cf.ThreadPoolExecutor | None = None):
        """`executor` must run one job at a time: saves are written in order."""
        self._pool = executor or cf.ThreadPoolExecutor(1, thread_name_prefix="darkslide-save")
        self._latest: dict[Path, sidecars.Sidecar] = {}
        self._lock = threading.Lock()
        self.errors: list[str] = []
        self.on_error: Callable[[str], None] | None = None
        self.on_saved: Callable[[Path], None] | None = None  # after each sidecar write (the catalog follows)
        self._hurry = threading.Event()  # set by flush/shutdown: skip the debounce wait
        self.busy: Callable[[], bool] | None = None

    def __call__(self, path: Path, car: sidecars.Sidecar) -> None:
        with self._lock:
            first = path not in self._latest
            self._latest[path] = car
        if first:
            self._pool.submit(self._write, path)

    def _write(self, path: Path) -> None:
        self._hurry.wait(SAVE_DEBOUNCE_S)
        give_up = time.monotonic() + SAVE_MAX_DEFER_S - SAVE_DEBOUNCE_S
        while self.busy is not None and self.busy() and time.monotonic() < give_up and not self._hurry.is_set():
            self._hurry.wait(0.02)
        with self._lock:
            car = self._latest.pop(path, None)
        if car is None:
            return
        try:
            sidecars.save(path, car)
            if self.on_saved is not None:
                self.on_saved(path)
        except OSError as exc:
            msg = f"Could not save the edit of {path.name}: {exc.strerror or exc}"
            self.errors.append(msg)
            if self.on_error:
                self.on_error(msg)

    def submit(self, fn: Callable, *args) -> None:
        """Run another sidecar write (e.g. a rating) on the same thread, after the saves queued before it."""
        def job():
            try:
                fn(*args)
            except (OSError, ValueError) as exc:  # SidecarError is a ValueError
                msg = f"Could not save: {exc}"
                self.errors.append(msg)
                if self.on_error:
                    self.on_error(msg)
        self._pool.submit(job)

    def flush(self) -> None:
        """Block until every queued save is on disk."""
        self._hurry.set()
        try:
            self._pool.submit(lambda: None).result()
        finally:
            self._hurry.clear()

    def shutdown(self) -> None:
        self._hurry.set()
        self._pool.shutdown(wait=True)


# -- previews ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewJob:
    gen: int
    doc: Any  # editor.core.document.Document
    edit: Edit
    long_edge: int = PREVIEW_EDGE
    clipping: bool = False
    draft: bool = False  # an interim preview while a slider moves: coarser colour table, refined after


@dataclass(frozen=True)
class DetailJob:
    """A region of the full-resolution render, in output pixels (after crop)."""

    gen: int
    doc: Any
    edit: Edit
    region: tuple[int, int, int, int]
    with_before: bool = False  # also the unedited photo's region (framed alike), for a before/after view


@dataclass
class PreviewResult:
    gen: int
    doc: Any
    edit: Edit
    image: QImage
    before: QImage
    full_size: tuple[int, int]
    histogram: imaging.Histogram | None  # set on the GUI thread when histogram_ready follows
    overlay: QImage | None = None
    long_edge: int = PREVIEW_EDGE
    millis: float = 0.0
    draft: bool = False  # a first paint or slider-drag preview, to be replaced by the settled one


@dataclass
class DetailResult:
    gen: int
    doc: Any
    region: tuple[int, int, int, int]
    image: QImage
    overlay: QImage | None = None
    before: QImage | None = None  # the same region unedited, when the job asked for it


@dataclass
class _Bases:
    """Per-photo sources kept in memory: the preview at each size and its unedited 'before' QImage."""

    doc: Any
    images: dict[int, Any] = field(default_factory=dict)
    befores: dict[int, QImage] = field(default_factory=dict)


class RenderWorker(QObject):
    """One thread that renders the newest preview request, then the newest 1:1 detail request."""

    preview_ready = Signal(object)  # PreviewResult
    histogram_ready = Signal(int, object, int, object)  # gen, doc, long_edge, Histogram; right after its preview
    detail_ready = Signal(object)  # DetailResult
    failed = Signal(int, object, str)  # gen, doc, message

    def __init__(self, parent=None, workers: Workers | None = None):
        """The loop runs as one long task on a `workers` pool (its shutdown stops it); without `workers`
        (tests) on a pool of its own, stopped by `stop`."""
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: dict[str, Any] = {}
        self._stop = False
        self._running = False
        self._last_done = 0.0  # time.monotonic() when the last job finished
        self._bases: _Bases | None = None
        self._ms_per_edge2: float | None = None  # the last settled render: ms per (long edge, px)²
        self._before_memo: tuple | None = None  # (base, geometry-only Edit, framed 'before' QImage)
        self._own = workers is None
        self._pool = workers.pool("render", 1) if workers else _Pool(1, thread_name_prefix="darkslide-render")
        if workers is not None:
            workers.on_shutdown(self._ask_stop)
        self._future = self._pool.submit(self._loop)

    def request(self, job: PreviewJob | DetailJob) -> None:
        if self._stop:
            return
        kind = "preview" if isinstance(job, PreviewJob) else "detail"
        with self._cond:
            self._pending[kind] = job  # a newer request replaces one not yet started
            self._cond.notify()

    def busy(self, calm: float = 0.25) -> bool:
        """True while a render is queued or running, or finished less than `calm` s ago (edits in a row)."""
        return bool(self._pending) or self._running or time.monotonic() - self._last_done < calm

    def _ask_stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop after the render in progress and wait for it (up to `timeout` s)."""
        self._ask_stop()
        try:
            self._future.result(timeout)
        except cf.TimeoutError:
            log.warning("The preview renderer did not stop within %.0f s", timeout)
        except Exception:  # the loop itself died: the pool has logged why
            pass
        if self._own:
            self._pool.shutdown(wait=False)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                job = self._pending.pop("preview", None) or self._pending.pop("detail")
                self._running = True
            try:
                if isinstance(job, PreviewJob):
                    if self._needs_draft(job):
                        self._publish(*self._draft(job))  # first paint while the preview decodes
                    elif self._draft_first(job):
                        # A big settled preview (4K, HiDPI) can take a few hundred ms: paint a draft first.
                        self._publish(*self._preview(replace(job, long_edge=DRAG_EDGE, draft=True)))
                        if self._superseded():
                            continue  # a newer change came in meanwhile: render that instead
                    res, pixels = self._preview(job)
                    if not job.draft:
                        self._ms_per_edge2 = res.millis / job.long_edge ** 2
                    self._publish(res, pixels)
                else:
                    self.detail_ready.emit(self._detail(job))
            except Exception as exc:  # a photo that cannot be decoded or rendered: show why
                self.failed.emit(job.gen, job.doc, str(exc) or type(exc).__name__)
            finally:
                self._running = False
                self._last_done = time.monotonic()

    def _superseded(self) -> bool:
        with self._cond:
            return "preview" in self._pending

    def _publish(self, res: PreviewResult, pixels) -> None:
        """The image first, then its histogram (~3 ms of numpy the loupe need not wait for)."""
        self.preview_ready.emit(res)
        histogram = imaging.histogram(pixels, channels=imaging.RGB32_CHANNELS)
        self.histogram_ready.emit(res.gen, res.doc, res.long_edge, histogram)

    def _base(self, doc, long_edge: int):
        """The source for a `long_edge` preview: decoded once at the smallest tier that covers it (a 4K
        view decodes more than a laptop's, a laptop's no more than it needs), reduced in memory from there."""
        if self._bases is None or self._bases.doc is not doc:
            self._bases = _Bases(doc)
            self._before_memo = None  # another photo: let the last one's memory go
        bases = self._bases
        if long_edge not in bases.images:
            tier = next((t for t in BASE_TIERS if t >= long_edge), BASE_TIERS[-1])
            decoded = [t for t in BASE_TIERS if t in bases.images and t >= long_edge]
            if not decoded:
                bases.images[tier] = doc.photo.preview(tier)  # decoded, in memory
                decoded = [tier]
            big = bases.images[decoded[0]]
            if long_edge not in BASE_TIERS:
                factor = long_edge / max(big.width, big.height)
                bases.images[long_edge] = big.resize(factor).copy_memory() if factor < 1 else big
                extra = [e for e in bases.images if e not in BASE_TIERS and e != long_edge]
                for old in extra[:-(BASE_SIZES - 2)]:
                    del bases.images[old]  # sizes of earlier window sizes (dicts keep insertion order)
                    bases.befores.pop(old, None)
        base = bases.images[long_edge]
        if long_edge not in bases.befores:
            bases.befores[long_edge] = imaging.to_rgb32(base)[0]
        return base, bases.befores[long_edge]

    def _draft_first(self, job: PreviewJob) -> bool:
        """Whether a settled preview is worth a draft before it: when it is expected to take longer than
        PROGRESSIVE_MS, from the time of the last settled render scaled by the pixels (a look's cost grows
        with them). The draft itself costs ~30-50 ms here, which would otherwise only delay a preview that
        comes soon anyway (at devicePixelRatio 2 in a 1600x1000 window: ~90 ms instead of ~130)."""
        if job.draft or job.long_edge <= DRAG_EDGE:
            return False
        if self._ms_per_edge2 is None:
            return job.long_edge > PROGRESSIVE_EDGE
        return self._ms_per_edge2 * job.long_edge ** 2 > PROGRESSIVE_MS

    def _needs_draft(self, job: PreviewJob) -> bool:
        """A big photo opened for the first time: decoding its preview takes long enough to paint a draft."""
        fresh = (self._bases is None or self._bases.doc is not job.doc
                 or not any(t in self._bases.images for t in BASE_TIERS))
        photo = job.doc.photo
        return fresh and max(photo.width, photo.height) > 3 * BASE_TIERS[0]

    def _draft(self, job: PreviewJob):
        draft = job.doc.photo.draft()
        before = imaging.to_rgb32(draft)[0]
        return self._develop(job, draft, before, max(draft.width, draft.height), draft=True)

    def _preview(self, job: PreviewJob):
        base, before = self._base(job.doc, job.long_edge)
        return self._develop(job, base, before, job.long_edge, job.draft)

    def _develop(self, job: PreviewJob, base, before: QImage, long_edge: int, draft: bool):
        """(PreviewResult without its histogram, its pixels to compute that from: see imaging.to_rgb32)."""
        from editor.core.ops import crop
        from editor.core.pipeline import RenderContext, render
        start = time.perf_counter()
        photo = job.doc.photo
        scale = base.width / photo.width if photo.width else 1.0
        # Interim previews (slider moving, first paint) use the engine's coarser, faster colour table.
        ctx = RenderContext(scale=scale, seed=photo.seed, draft=draft, interactive=True)
        image, pixels = imaging.to_rgb32(render(base, job.edit, ctx))
        overlay = imaging.clipping_overlay(pixels, imaging.RGB32_CHANNELS) if job.clipping else None
        full = crop.output_size(photo.width, photo.height, job.edit["crop"])
        before = self._framed_before(base, before, job.edit, ctx)
        return PreviewResult(job.gen, job.doc, job.edit, image, before, full,
                             None, overlay, long_edge, (time.perf_counter() - start) * 1000, draft), pixels

    def _framed_before(self, base, before: QImage, edit: Edit, ctx) -> QImage:
        """The unedited photo framed as the edited one: its crop and quarter turns applied, nothing else (a
        cropped or turned photo's 'before' would otherwise be stretched into the after's frame). The last
        one is kept: a slider moving keeps the frame."""
        from editor.core.pipeline import render
        geometry = _geometry(edit)
        if not geometry.active():
            return before
        memo = self._before_memo
        if memo is None or memo[0] is not base or memo[1] != geometry:
            framed = imaging.to_rgb32(render(base, geometry, replace(ctx, draft=False)))[0]
            self._before_memo = memo = (base, geometry, framed)
        return memo[2]

    def _detail(self, job: DetailJob) -> DetailResult:
        from editor.core.pipeline import RenderContext, render
        photo = job.doc.photo
        out = render(photo.full(keep_profile=True), job.edit, RenderContext(scale=1.0, seed=photo.seed))
        x, y, w, h = job.region
        x, y = max(0, min(x, out.width - 1)), max(0, min(y, out.height - 1))
        w, h = max(1, min(w, out.width - x)), max(1, min(h, out.height - y))
        before = None
        if job.with_before:
            plain = render(photo.full(keep_profile=True), _geometry(job.edit), RenderContext(scale=1.0))
            before = imaging.to_rgb32(plain.crop(x, y, w, h))[0]
        return DetailResult(job.gen, job.doc, (x, y, w, h), imaging.to_rgb32(out.crop(x, y, w, h))[0], None, before)


def _geometry(edit: Edit) -> Edit:
    """Only `edit`'s geometry (crop, straightening, quarter turns): how the unedited 'before' is framed."""
    geometry = Edit()
    for op, params in edit.active():
        if op.kind == "geometry":
            geometry = geometry.set(op.name, params)
    return geometry


# -- thumbnails ------------------------------------------------------------------------------------
def cache_key(path: Path, stat_key: tuple[int, int], edit_hash: str, size: int) -> str:
    """Thumbnails are valid while the file (mtime, size), its edit and the thumbnail size are unchanged."""
    text = f"{Path(path).resolve()}|{stat_key[0]}|{stat_key[1]}|{edit_hash}|{size}"
    return hashlib.sha1(text.encode()).hexdigest()


def render_thumbnail(path: Path, edit: Edit | None, size: int):
    """The developed thumbnail of `path` as an 8-bit array (decodes: call off the GUI thread)."""
    from editor.core.pipeline import RenderContext, render
    from editor.core.sources import open_photo
    photo = open_photo(path)
    small = photo.small(size)
    if edit is not None and edit.active():
        scale = small.width / photo.width if photo.width else 1.0
        small = render(small, edit, RenderContext(scale=scale, seed=photo.seed))
    return imaging.to_rgb8(small)


class ThumbnailService(QObject):
    """Thumbnails rendered on worker threads, cached in memory and on disk (JPEG files named by cache_key)."""

    ready = Signal(object, str, QImage)  # path, key, image
    failed = Signal(object, str)  # path, message

    def __init__(self, cache_dir: Path, size: int = 256, workers: int = 2, parent=None,
                 executor: cf.ThreadPoolExecutor | None = None):
        super().__init__(parent)
        self.cache_dir = Path(cache_dir)
        self.size = size
        self._pool = executor or cf.ThreadPoolExecutor(workers, thread_name_prefix="darkslide-thumb")
        self._memory: OrderedDict[Path, tuple[str, QImage]] = OrderedDict()  # least recently used first
        self._inflight: set[str] = set()  # touched by the GUI thread and the workers: under _lock
        self._lock = threading.Lock()
        self._closed = False
        self.ready.connect(self._remember)

    def get(self, path: Path, stat_key, edit_hash: str, edit: Edit | None = None) -> QImage | None:
        """The cached thumbnail (possibly of an older edit while the new one renders), scheduling work."""
        key = cache_key(path, stat_key, edit_hash, self.size)
        held = self._memory.get(Path(path))
        if held is not None:
            self._memory.move_to_end(Path(path))
        if (held is None or held[0] != key) and not self._closed:
            with self._lock:
                start = key not in self._inflight
                self._inflight.add(key)
            if start:
                self._pool.submit(self._work, Path(path), key, edit)
        return held[1] if held else None

    def _remember(self, path, key, image):
        with self._lock:
            self._inflight.discard(key)
        self._memory[path] = (key, image)
        self._memory.move_to_end(path)
        while len(self._memory) > MEMORY_THUMBS:
            self._memory.popitem(last=False)

    def _work(self, path: Path, key: str, edit: Edit | None) -> None:
        file = self.cache_dir / f"{key}.jpg"
        try:
            image = QImage(str(file)) if file.exists() else QImage()
            if image.isNull():
                if edit is None:
                    try:
                        edit = sidecars.load(path).edit
                    except sidecars.SidecarError:
                        edit = None
                image = imaging.to_qimage(render_thumbnail(path, edit, self.size))
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = file.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.jpg")
                if image.save(str(tmp), "JPG", 85):
                    os.replace(tmp, file)
            self.ready.emit(path, key, image)
        except Exception as exc:  # unreadable photo: the library shows a placeholder and keeps working
            with self._lock:
                self._inflight.discard(key)
            self.failed.emit(path, str(exc) or type(exc).__name__)

    def shutdown(self) -> None:
        """Drop queued thumbnails and wait for the ones in progress, so none reports to a deleted view."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
