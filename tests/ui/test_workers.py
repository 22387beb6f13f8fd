"""GUI-side speed measures that must not change results: native QImage format, sidecar writes yielding
to preview renders."""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtGui import QImage

from editor.core import sidecar as sidecars
from editor.core.edit import Edit, History
from editor.ui import imaging, workers
from test_helpers import wait_for
from ui_helpers import photo_like, qimage_array


def test_to_qimage_is_native_rgb32_with_the_same_pixels():
    rgb = photo_like(37, 23)  # odd width: no row padding assumptions
    image = imaging.to_qimage(rgb)
    assert image.format() == QImage.Format.Format_RGB32
    assert (image.width(), image.height()) == (37, 23)
    assert np.array_equal(qimage_array(image), rgb.astype(np.float32))


def test_clipping_overlay_is_premultiplied_and_marks_blown_and_crushed_pixels():
    rgb = np.full((4, 6, 3), 128, np.uint8)
    rgb[0, 0] = (255, 10, 10)  # one channel blown
    rgb[1, 1] = (0, 0, 0)  # crushed
    overlay = imaging.clipping_overlay(rgb)
    assert overlay.format() == QImage.Format.Format_ARGB32_Premultiplied
    blown, crushed, plain = overlay.pixelColor(0, 0), overlay.pixelColor(1, 1), overlay.pixelColor(2, 2)
    assert (blown.red(), blown.green(), blown.blue(), blown.alpha()) == (255, 40, 40, 255)
    assert (crushed.red(), crushed.green(), crushed.blue(), crushed.alpha()) == (40, 90, 255, 255)
    assert plain.alpha() == 0


def _car(exposure: float) -> sidecars.Sidecar:
    return sidecars.Sidecar(History(Edit().update("exposure", exposure_ev=exposure)))


def test_sidecar_write_waits_while_renders_are_busy_then_writes_the_latest(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "SAVE_MAX_DEFER_S", 5.0)
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"")
    saver = workers.AsyncSaver()
    busy, asked = [True], []
    saver.busy = lambda: asked.append(1) or busy[0]
    try:
        saver(photo, _car(0.5))
        # past its debounce, the writer asks whether renders are busy (every 20 ms while they are)
        wait_for(lambda: len(asked) >= 3, "the sidecar write to be deferred while renders are busy")
        assert not sidecars.path_for(photo).exists()  # deferred: previews are still rendering
        saver(photo, _car(1.0))
        busy[0] = False
        wait_for(sidecars.path_for(photo).exists, "the deferred sidecar write once renders pause")
        assert sidecars.load(photo).edit["exposure"].exposure_ev == 1.0
    finally:
        saver.shutdown()


def test_sidecar_write_is_deferred_no_longer_than_the_limit_and_flush_never_waits(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "SAVE_MAX_DEFER_S", 0.4)
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    saver = workers.AsyncSaver()
    saver.busy = lambda: True  # renders never pause
    try:
        start = time.monotonic()
        saver(first, _car(0.5))
        deadline = start + 3
        while not sidecars.path_for(first).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert 0.3 <= time.monotonic() - start < 2.0
        saver(second, _car(0.25))
        start = time.monotonic()
        saver.flush()
        assert time.monotonic() - start < 0.3
        assert sidecars.load(second).edit["exposure"].exposure_ev == 0.25
    finally:
        saver.shutdown()


def test_render_worker_reports_busy_while_rendering_and_calm_after(qtbot):
    worker = workers.RenderWorker()
    try:
        assert not worker.busy()
        worker._running = True
        assert worker.busy()
        worker._running = False
        worker._last_done = time.monotonic()
        assert worker.busy(calm=10.0) and not worker.busy(calm=0.0)
    finally:
        worker.stop()


def test_histogram_follows_its_preview_and_counts_the_shown_pixels(qtbot, make_window, photo_folder):
    from ui_helpers import wait_preview
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    shown = wait_preview(qtbot, window).astype(np.uint8)
    expected = imaging.histogram(shown)
    data = window.histogram.data
    assert data is window.last_result.histogram
    for channel in ("red", "green", "blue", "luma"):
        assert np.array_equal(getattr(data, channel), getattr(expected, channel))
    assert data.luma.sum() > 0


def test_every_window_thread_pool_stops_when_the_window_closes(qtbot, make_window, photo_folder):
    import threading
    window = make_window(photo_folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    pools = list(window.workers._pools)
    assert len(pools) >= 4  # tasks, saves, thumbnails, looks
    window.close()
    assert all(p._shutdown for p in pools)
    assert not [t for t in threading.enumerate() if t.name.startswith(("darkslide-task", "darkslide-save",
                                                                        "darkslide-thumb", "darkslide-looks",
                                                                        "darkslide-render"))]


def test_workers_shutdown_alone_stops_the_render_loop_and_logs_a_failed_task(qtbot, caplog):
    import threading
    pool_set = workers.Workers()
    worker = workers.RenderWorker(workers=pool_set)
    tasks = pool_set.pool("probe", 1)

    def broken():
        raise RuntimeError("disk on fire")
    tasks.submit(broken).exception(timeout=5)
    pool_set.shutdown()  # one call: asks the render loop to stop, then joins every pool
    assert worker._future.done()
    assert not [t for t in threading.enumerate() if t.name.startswith(("darkslide-render", "darkslide-probe"))]
    assert any("disk on fire" in r.getMessage() for r in caplog.records)  # never dropped silently


def test_a_render_that_fails_reports_the_reason(qtbot):
    class Photo:
        width = height = 100
        seed = 0

        def preview(self, edge):
            raise OSError("truncated JPEG data")

    class Doc:
        photo = Photo()

    worker = workers.RenderWorker()
    try:
        with qtbot.waitSignal(worker.failed, timeout=10000) as blocker:
            worker.request(workers.PreviewJob(7, Doc(), Edit(), long_edge=512))
        assert blocker.args[0] == 7 and "truncated JPEG data" in blocker.args[2]
    finally:
        worker.stop()
