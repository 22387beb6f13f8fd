"""GUI responsiveness benchmark: the real main window, offscreen, on a 24 MP photo.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--changes 100] [--no-tether] [--dpr 2]

Measures, from the moment a slider's value changes until the new preview is painted in the loupe:
  * drag   : slider held down (reduced preview, at most 800 px)
  * settled: a click/keyboard change (the preview at the loupe's size in device pixels), in a 1600x1000
             window and in a 3840x2160 one (4K: the preview is up to 3840 px)
each beside a reference measured in the same run: the engine rendering the edit's colour operations
alone at the same size, without the GUI (the ratio is what the GUI and the spatial operations add).
`--dpr 2` runs the window at devicePixelRatio 2 (QT_SCALE_FACTOR=2: a HiDPI screen at 200 %).
With the simulated phone, also from a capture being verified on disk to its thumbnail in the filmstrip.
Prints a table of median / p95 / max in milliseconds.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if "--dpr" in sys.argv:  # must be set before Qt starts
    os.environ["QT_SCALE_FACTOR"] = sys.argv[sys.argv.index("--dpr") + 1]

import pyvips  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def make_photo(path: Path, width: int = 6000, height: int = 4000) -> None:
    """A 24 MP photo-like JPEG (gradients, shapes, noise), generated with libvips."""
    x = pyvips.Image.xyz(width, height)
    xs, ys = x[0], x[1]
    r = xs * (200.0 / width) + 30
    g = ys * (160.0 / height) + 50
    b = ((xs / 37.0).sin() * (ys / 53.0).cos()) * 60 + 120
    noise = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0)
    image = (r.bandjoin([g, b]) + noise).cast("uchar").copy(interpretation="srgb")
    image.write_to_file(str(path), Q=90)


def wait(app, predicate, timeout: float = 30.0) -> None:
    """Run the event loop until `predicate()`. It sleeps until an event comes, as the app's own loop does:
    polling (processEvents and a short sleep in a loop) took CPU and the interpreter lock from the render
    thread on these 2 cores and added ~10-30 % to every figure."""
    end = time.perf_counter() + timeout
    tick = QTimer(interval=20)  # wakes the loop to check the timeout
    tick.start()
    try:
        while not predicate():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if time.perf_counter() > end:
                raise TimeoutError("the window did not respond in time")
    finally:
        tick.stop()


def stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95, ordered[-1]


def slider_latencies(app, window, changes: int, drag: bool, first: list | None = None) -> list[float]:
    """ms from each change until its preview is painted: the draft while dragging, else the settled one
    (a big settled preview is preceded by a draft: its time goes to `first` when given)."""
    row = window.develop.row("exposure", "exposure_ev")
    slider = row.slider
    lo, hi = slider.minimum(), slider.maximum()
    out = []
    if drag:
        slider.setSliderDown(True)
    for i in range(changes):
        target = lo + (hi - lo) // 4 + (i * 7) % ((hi - lo) // 2)
        if target == slider.value():
            target += 1
        before = window.gen
        start = time.perf_counter()
        slider.setValue(target)
        gen = window.gen
        assert gen > before, "the change did not request a render"
        wait(app, lambda: window.shown_gen >= gen)
        window.loupe.repaint()  # the new pixels on screen, painted synchronously
        if not drag:
            if first is not None:
                first.append((time.perf_counter() - start) * 1000)
            wait(app, lambda: window.shown_gen >= gen and not window.shown_draft)
            window.loupe.repaint()
        out.append((time.perf_counter() - start) * 1000)
    if drag:
        slider.setSliderDown(False)
        settled(app, window)
    return out


def reference_latencies(window, edge: int, changes: int, draft: bool = False) -> list[float]:
    """The same exposure changes rendered by the engine alone at `edge` px: the edit's colour operations
    (no spatial ones, no GUI), into 8-bit pixels, as the render worker does."""
    from editor.core.pipeline import RenderContext, render
    from editor.ui import imaging
    doc = window.doc
    base = doc.photo.preview(edge)
    colour_only = doc.edit.reset([op for op in ("sharpening", "grain", "vignette")])
    out = []
    for i in range(changes):
        edit = colour_only.update("exposure", exposure_ev=round(-1.0 + (i * 7 % 40) / 20, 2))
        start = time.perf_counter()
        imaging.to_rgb8(render(base, edit, RenderContext(scale=base.width / doc.photo.width, draft=draft)))
        out.append((time.perf_counter() - start) * 1000)
    return out


def settled(app, window, timeout: float = 30.0) -> None:
    wait(app, lambda: window.shown_gen == window.gen and not window.shown_draft, timeout)


def zoom_latencies(app, window, times: int = 5) -> list[float]:
    """Fit -> 100 % at the centre: ms until the full-resolution tile of the visible region is painted."""
    out = []
    loupe = window.loupe
    for _ in range(times):
        loupe.set_fit()
        app.processEvents()
        loupe.detail = None
        start = time.perf_counter()
        loupe.set_zoom(1.0, loupe.rect().center().toPointF())
        wait(app, lambda: loupe.detail is not None)
        loupe.repaint()
        out.append((time.perf_counter() - start) * 1000)
    loupe.set_fit()
    return out


def tether_latency(app, window, shots: int, tmp: Path) -> list[tuple[float, float, float]]:
    """(complete on the phone, ready on disk, shutter press) -> thumbnail visible, in ms, for each shot."""
    panel = window.tether
    panel.key_path = tmp / "adbkey"
    panel.sessions_dir = tmp / "sessions"
    panel.sim_options = {"image_size": "12mp"}
    panel.sim_button.click()
    wait(app, lambda: panel.state == "connected", 60)
    wait(app, lambda: window.model.library.folder == panel.session.session_dir, 10)
    role = Qt.ItemDataRole.DecorationRole
    ready_at: dict[Path, tuple[float, float]] = {}  # capture -> (ready on disk, complete on the phone), wall time

    def on_event(kind: str, data: dict) -> None:  # the controller's own event, on its session thread
        if kind == "capture":
            ready_at[Path(data["path"])] = (data["ready"], data["capture"].complete_time)
    stop_observing = panel.controller.observe(on_event)
    out = []
    for n in range(shots):
        pressed = time.time()
        panel.shoot()
        wait(app, lambda: window.model.rowCount() == n + 1, 30)
        entry = window.model.entry(n)
        wait(app, lambda: window.model.data(window.model.index(n), role) is not None, 30)
        window.filmstrip.viewport().repaint()
        visible = time.time()
        ready, complete = ready_at.get(entry.path, (visible, None))
        complete = complete or ready
        out.append(((visible - complete) * 1000, (visible - ready) * 1000, (visible - pressed) * 1000))
    stop_observing()
    panel.disconnect()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--shots", type=int, default=5)
    parser.add_argument("--no-tether", action="store_true")
    parser.add_argument("--dpr", type=float, default=1.0, help="device pixel ratio (QT_SCALE_FACTOR)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from editor.ui import theme
    from editor.ui.main_window import MainWindow
    theme.apply(app)
    with tempfile.TemporaryDirectory(prefix="darkslide-bench-") as tmpdir:
        tmp = Path(tmpdir)
        os.environ["DARKSLIDE_DATA_DIR"] = str(tmp / "data")
        folder = tmp / "photos"
        folder.mkdir()
        t = time.perf_counter()
        make_photo(folder / "big_24mp.jpg")
        print(f"generated a 6000x4000 JPEG in {time.perf_counter() - t:.1f} s")
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        start = time.perf_counter()
        window = MainWindow(folder, settings=settings, cache_dir=tmp / "cache")
        window.resize(1600, 1000)
        window.show()
        wait(app, lambda: window.shown_gen > 0, 60)
        draft = (time.perf_counter() - start) * 1000
        settled(app, window, 60)
        first = (time.perf_counter() - start) * 1000
        rows = [("start → first paint of a 24 MP photo (draft)", [draft]),
                (f"start → {window.shown_edge} px preview of a 24 MP photo", [first])]
        # The slider moves on top of the engine benchmark's typical look (12 operations incl. HSL and colour
        # grading), so every change rebuilds the fused colour transform, as it does for a real edit.
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_engine import typical_look
        window.documents.apply_edit("Typical look", typical_look())
        wait(app, lambda: window.last_result is not None and window.last_result.edit == window.doc.edit, 60)
        slider_latencies(app, window, 5, drag=False)  # warm-up: ICC/LUT caches, numpy
        from editor.ui.workers import DRAG_EDGE
        dpr = window.loupe.devicePixelRatioF()
        for size in ((1600, 1000), (3840, 2160)):
            window.resize(*size)
            app.processEvents()
            window.request_preview()
            settled(app, window)
            edge = window.preview_edge()
            w, h = window.loupe.width(), window.loupe.height()
            where = f"loupe {w}x{h} @{dpr:g}x"
            draft_edge = min(DRAG_EDGE, edge)
            rows.append((f"slider drag → draft shown ({draft_edge} px; {where})",
                         slider_latencies(app, window, args.changes, True)))
            rows.append((f"  reference: colour operations alone at {draft_edge} px",
                         reference_latencies(window, draft_edge, args.changes, draft=True)))
            first = []
            rows.append((f"slider change → settled shown ({edge} px; {where})",
                         slider_latencies(app, window, args.changes, False, first)))
            rows.append(("  … its first paint (a draft above 1600 px)", first))
            rows.append((f"  reference: colour operations alone at {edge} px",
                         reference_latencies(window, edge, args.changes)))
        window.resize(1600, 1000)
        # The same on a built-in look as a photographer would use it (it fuses differently from the above).
        from presets.apply import apply_preset
        from presets.looks import builtin
        from editor.core.edit import Edit
        window.documents.apply_edit("Chrome", apply_preset(Edit(), builtin("Chrome")))
        settled(app, window)
        rows.append((f"  same on the built-in look Chrome ({window.preview_edge()} px)",
                     slider_latencies(app, window, args.changes, False)))
        rows.append(("zoom to 100 % → 1:1 tile painted", zoom_latencies(app, window)))
        if not args.no_tether and window.tether is not None:
            shots = tether_latency(app, window, args.shots, tmp)
            rows.append(("tether file complete on phone → thumbnail", [s[0] for s in shots]))
            rows.append(("tether capture ready → thumbnail visible", [s[1] for s in shots]))
            rows.append(("tether shutter → thumbnail visible", [s[2] for s in shots]))
        window.close()
        print(f"\n{'measure':56} {'n':>4} {'median':>9} {'p95':>9} {'max':>9}   (ms, {os.cpu_count()} cores)")
        for name, samples in rows:
            med, p95, worst = stats(samples)
            print(f"{name:56} {len(samples):4d} {med:9.1f} {p95:9.1f} {worst:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
