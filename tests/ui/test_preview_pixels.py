"""The preview's pixels from libvips to the screen: Qt's native layout without a conversion, and a settled
preview of the view's device size painted as a copy (no scaling, no smoothing)."""
from __future__ import annotations

import numpy as np
import pyvips
from PySide6.QtGui import QImage

from editor.ui import imaging
from editor.ui.loupe import Loupe
from ui_helpers import photo_like, qimage_array


def _noise(w: int, h: int, seed: int = 3) -> np.ndarray:
    """Pixel-scale noise: any resampling (even by 0.3 %) changes it visibly."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _vips(rgb: np.ndarray) -> pyvips.Image:
    return pyvips.Image.new_from_array(rgb).copy(interpretation="srgb")


def test_to_rgb32_is_qts_native_layout_wrapping_the_pixels_libvips_wrote():
    rgb = photo_like(37, 23)  # odd width: no row padding assumptions
    image, pixels = imaging.to_rgb32(_vips(rgb))
    assert image.format() == QImage.Format.Format_RGB32
    assert (image.width(), image.height(), image.bytesPerLine()) == (37, 23, 37 * 4)
    assert np.array_equal(qimage_array(image), rgb.astype(np.float32))
    # The QImage reads the very bytes of the numpy view: no conversion or copy was made for Qt.
    shared = np.frombuffer(image.constBits(), np.uint8)
    assert shared.ctypes.data == pixels.ctypes.data
    assert np.array_equal(pixels[..., list(imaging.RGB32_CHANNELS)], rgb)


def test_to_rgb32_takes_16_bit_and_grey_images():
    grey = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    image, pixels = imaging.to_rgb32(pyvips.Image.new_from_array(grey))
    expected = (grey >> 8).astype(np.float32)
    assert np.array_equal(qimage_array(image), np.stack([expected] * 3, axis=-1))


def test_histogram_and_clipping_of_rgb32_pixels_equal_those_of_the_rgb_ones():
    rgb = photo_like(64, 48)
    rgb[0, :6] = 255  # rows and columns the histogram samples (every third)
    rgb[3, :6] = 0
    _image, pixels = imaging.to_rgb32(_vips(rgb))
    ours, reference = imaging.histogram(pixels, channels=imaging.RGB32_CHANNELS), imaging.histogram(rgb)
    for channel in ("red", "green", "blue", "luma"):
        assert np.array_equal(getattr(ours, channel), getattr(reference, channel))
    assert ours.clipped_high == reference.clipped_high > 0 and ours.clipped_low == reference.clipped_low > 0
    overlay = imaging.clipping_overlay(pixels, imaging.RGB32_CHANNELS)
    assert overlay == imaging.clipping_overlay(rgb)


def _loupe(qtbot, w: int = 400, h: int = 300) -> Loupe:
    loupe = Loupe()
    qtbot.addWidget(loupe)
    loupe.resize(w, h)
    loupe.show()
    qtbot.waitExposed(loupe)
    return loupe


def _painted(loupe: Loupe, rect) -> np.ndarray:
    shot = loupe.grab().toImage()
    x, y, w, h = (round(v) for v in (rect.x(), rect.y(), rect.width(), rect.height()))
    return qimage_array(shot.copy(x, y, w, h))


def test_loupe_copies_a_preview_of_its_device_size_pixel_for_pixel(qtbot):
    loupe = _loupe(qtbot)  # a 1200 x 800 photo fitted into 400 x 300: 400 x 266.7 px on screen
    rgb = _noise(400, 267)
    image = imaging.to_rgb32(_vips(rgb))[0]
    loupe.set_preview(image, image, (1200, 800), None, same_edit=False)
    target = loupe.device_rect(image, loupe._image_rect())
    assert target is not None and (target.width(), target.height()) == (400, 267)
    assert target.x() == int(target.x()) and target.y() == int(target.y())  # on whole pixels
    assert np.array_equal(_painted(loupe, target), rgb.astype(np.float32))


def test_loupe_scales_a_preview_of_another_size(qtbot):
    loupe = _loupe(qtbot)
    rgb = _noise(390, 260)  # 10 px short of the view's size: scaled (and smoothed) into place
    image = imaging.to_rgb32(_vips(rgb))[0]
    loupe.set_preview(image, image, (1200, 800), None, same_edit=False)
    assert loupe.device_rect(image, loupe._image_rect()) is None
    painted = _painted(loupe, loupe._image_rect())
    assert painted.shape[:2] != rgb.shape[:2] or not np.array_equal(painted, rgb.astype(np.float32))


def test_device_rect_counts_device_pixels_on_a_hidpi_screen(qtbot, monkeypatch):
    loupe = _loupe(qtbot)
    sharp, soft = QImage(800, 533, QImage.Format.Format_RGB32), QImage(400, 267, QImage.Format.Format_RGB32)
    loupe.set_preview(sharp, sharp, (1200, 800), None, same_edit=False)
    monkeypatch.setattr(loupe, "devicePixelRatioF", lambda: 2.0)
    rect = loupe._image_rect()  # 400 x 266.7 logical px: 800 x 533.3 device px
    target = loupe.device_rect(sharp, rect)
    assert target is not None and (target.width(), target.height()) == (400, 266.5)
    assert (target.x() * 2) == int(target.x() * 2) and (target.y() * 2) == int(target.y() * 2)
    assert loupe.device_rect(soft, rect) is None  # a logical-size preview on a 2x screen: scaled up


def test_settled_preview_follows_the_view_down_as_well_as_up(qtbot, make_window, tmp_path):
    """A preview larger than the view is re-rendered at the view's size (copied on paint, not scaled)."""
    from ui_helpers import wait_preview, write_photo
    folder = tmp_path / "big"
    folder.mkdir()
    write_photo(folder / "b.jpg", 2400, 1600)
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None, timeout=10000)
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.shown_edge == window.preview_edge() and not window.shown_draft, timeout=10000)
    large = window.last_result.image.width()
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.shown_edge == window.preview_edge() and not window.shown_draft
                    and window.last_result.image.width() < large, timeout=10000)
    loupe = window.loupe
    assert loupe.device_rect(window.last_result.image, loupe._image_rect()) is not None


def test_a_draft_comes_first_only_when_the_settled_preview_is_expected_to_be_slow(qtbot):
    from editor.core.edit import Edit
    from editor.ui import workers
    worker = workers.RenderWorker()
    try:
        def job(edge: int, draft: bool = False):
            return workers.PreviewJob(1, None, Edit(), edge, draft=draft)
        # Nothing timed yet: by size alone.
        assert worker._draft_first(job(2944)) and not worker._draft_first(job(1200))
        worker._ms_per_edge2 = 60.0 / 1000 ** 2  # the last settled preview: 60 ms at 1000 px
        assert not worker._draft_first(job(1200))  # ~86 ms expected: no draft to delay it
        assert worker._draft_first(job(1400))  # ~118 ms: a draft first
        assert not worker._draft_first(job(2944, draft=True)) and not worker._draft_first(job(workers.DRAG_EDGE))
    finally:
        worker.stop()


def test_histogram_view_fills_the_area_under_the_counts(qtbot):
    from editor.ui.histogram import HistogramView
    view = HistogramView()
    qtbot.addWidget(view)
    view.resize(300, 120)
    view.show()
    qtbot.waitExposed(view)
    low = np.zeros(256, np.int64)
    low[:128] = 1000  # every pixel in the darker half: the left half of the plot is filled, the right empty
    view.set_histogram(imaging.Histogram(low, low, low, low, 0.0, 0.0))
    shot = view.grab().toImage()
    left, right = shot.pixelColor(75, 40), shot.pixelColor(225, 40)  # high up: under the full bars only
    assert (right.red(), right.green(), right.blue()) == (24, 24, 26)  # the plot's background
    assert min(left.red(), left.green(), left.blue()) > 100  # the three channels added up: near white
