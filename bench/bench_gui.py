"""GUI responsiveness benchmark: the real main window, offscreen, on a 24 MP photo.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--changes 100] [--no-tether] [--dpr 1 2]

Measures, from the moment a slider's value changes until the new preview is painted in the loupe:
  * drag   : slider held down (reduced preview, at most 800 px)
  * settled: a click/keyboard change (the preview at the loupe's size in device pixels, up to 3840 px)
in the window sizes of CONFIGS: 1600x1000 and 3840x2160 at devicePixelRatio 1, 1600x1000 and 1920x1080 at
devicePixelRatio 2 (a HiDPI screen at 200 %; each ratio runs in a child process, as QT_SCALE_FACTOR must
be set before Qt starts). Each row has a reference interleaved with it in the same run: the engine
rendering the edit's colour operations alone at the same size, without the GUI (the ratio is what the GUI
and the spatial operations add), and the issue's goal.
With the simulated phone, also from a capture being verified on disk to its thumbnail in the filmstrip.
Prints a table of median / p95 / max in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def slider_latencies(app, window, changes: int, drag: bool, first: list | None = None,
                     reference: "Reference | None" = None) -> tuple[list[float], list[float]]:
    """ms from each change until its preview is painted: the draft while dragging, else the settled one
    (a big settled preview may be preceded by a draft: each first paint's (ms, was a draft) go to `first`).
    With `reference`, each change is followed by one reference render (interleaved, so that both see the
    same machine load): returns (the window's times, the reference's)."""
    row = window.develop.row("exposure", "exposure_ev")
    slider = row.slider
    lo, hi = slider.minimum(), slider.maximum()
    out, ref = [], []
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
            if first is not None:  # (ms, whether that first paint was a draft)
                first.append(((time.perf_counter() - start) * 1000, window.shown_draft))
            wait(app, lambda: window.shown_gen >= gen and not window.shown_draft)
            window.loupe.repaint()
        out.append((time.perf_counter() - start) * 1000)
        # Its histogram follows on the render thread: let it finish before the next measurement starts.
        wait(app, lambda: window.last_result.histogram is not None, 5)
        if reference is not None:
            ref.append(reference(i))
    if drag:
        slider.setSliderDown(False)
        settled(app, window)
    return out, ref


class Reference:
    """The same exposure changes rendered by the engine alone at `edge` px, into 8-bit pixels
    (`imaging.to_rgb8`, the engine's plain output): the edit's colour operations (no spatial ones, no GUI),
    and with `whole` the whole edit (colour and spatial operations; what the window adds to this is the
    GUI's own cost). `__call__` returns ms."""

    def __init__(self, window, edge: int, draft: bool = False, whole: bool = False):
        from editor.core.pipeline import RenderContext
        doc = window.doc
        self.base = doc.photo.preview(edge)
        self.edit = doc.edit if whole else doc.edit.reset([op for op in ("sharpening", "grain", "vignette")])
        self.ctx = RenderContext(scale=self.base.width / doc.photo.width, seed=doc.photo.seed, draft=draft)
        self.whole = Reference(window, edge, draft, True) if not whole else None
        self.whole_ms: list[float] = []

    def __call__(self, i: int) -> float:
        from editor.core.pipeline import render
        from editor.ui import imaging
        # Exposures of their own (whole: 0.025 EV off), so that no colour table comes from a cache.
        offset = -1.0 if self.whole is not None else -0.975
        edit = self.edit.update("exposure", exposure_ev=round(offset + (i * 7 % 40) / 20, 3))
        start = time.perf_counter()
        imaging.to_rgb8(render(self.base, edit, self.ctx))
        ms = (time.perf_counter() - start) * 1000
        if self.whole is not None:
            self.whole_ms.append(self.whole(i))
        return ms


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


# (device pixel ratio, window width, height, goal for click -> settled in ms). At devicePixelRatio 2 a
# 1600x1000 window has 3200x2000 device pixels and a 1920x1080 one is a 4K screen at 200 %: the 4K goal.
CONFIGS = ((1.0, 1600, 1000, 50.0), (1.0, 3840, 2160, 100.0), (2.0, 1600, 1000, 100.0), (2.0, 1920, 1080, 100.0))
DRAG_GOAL = 40.0  # ms, drag -> draft painted, at every size


def measure_window(app, window, size: tuple[int, int], changes: int, goal: float) -> list[dict]:
    """Drag and click rows (each with its interleaved reference) for `window` resized to `size`."""
    from editor.ui.workers import DRAG_EDGE
    window.resize(*size)
    app.processEvents()
    window.request_preview()
    settled(app, window)
    edge = window.preview_edge()
    dpr = window.loupe.devicePixelRatioF()
    w, h = round(window.loupe.width() * dpr), round(window.loupe.height() * dpr)
    where = f"{size[0]}x{size[1]} @{dpr:g}x (loupe {w}x{h} device px)"
    draft_edge = min(DRAG_EDGE, edge)
    drag_ref, click_ref = Reference(window, draft_edge, True), Reference(window, edge)
    drag, drag_colour = slider_latencies(app, window, changes, True, reference=drag_ref)
    first: list[float] = []
    click, click_colour = slider_latencies(app, window, changes, False, first, click_ref)
    rows = [dict(name=f"drag → draft painted, {where}, {draft_edge} px", samples=drag, ref=drag_colour,
                 whole=drag_ref.whole_ms, goal=DRAG_GOAL),
            dict(name=f"click → settled painted, {where}, {edge} px", samples=click, ref=click_colour,
                 whole=click_ref.whole_ms, goal=goal)]
    drafts = sum(1 for _ms, draft in first if draft)
    if drafts:  # the worker paints a draft first when it expects the settled preview to take long
        rows.append(dict(name=f"  … its first paint ({DRAG_EDGE} px draft first in {drafts} of {len(first)})",
                         samples=[ms for ms, _draft in first]))
    return rows


def run_child(args) -> list[dict]:
    """One devicePixelRatio (fixed when Qt starts): every configured window size, plus the extras at 1x."""
    app = QApplication.instance() or QApplication([])
    from editor.ui import theme
    from editor.ui.main_window import MainWindow
    theme.apply(app)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="darkslide-bench-") as tmpdir:
        tmp = Path(tmpdir)
        os.environ["DARKSLIDE_DATA_DIR"] = str(tmp / "data")
        folder = tmp / "photos"
        folder.mkdir()
        t = time.perf_counter()
        make_photo(folder / "big_24mp.jpg")
        print(f"generated a 6000x4000 JPEG in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
        start = time.perf_counter()
        window = MainWindow(folder, settings=settings, cache_dir=tmp / "cache")
        window.resize(1600, 1000)
        window.show()
        wait(app, lambda: window.shown_gen > 0, 60)
        draft = (time.perf_counter() - start) * 1000
        settled(app, window, 60)
        first = (time.perf_counter() - start) * 1000
        if args.extras:
            rows += [dict(name="start → first paint of a 24 MP photo (draft)", samples=[draft]),
                     dict(name=f"start → {window.shown_edge} px preview of a 24 MP photo", samples=[first])]
        # The slider moves on top of the engine benchmark's typical look (12 operations incl. HSL and colour
        # grading), so every change rebuilds the fused colour transform, as it does for a real edit.
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_engine import typical_look
        window.documents.apply_edit("Typical look", typical_look())
        wait(app, lambda: window.last_result is not None and window.last_result.edit == window.doc.edit, 60)
        slider_latencies(app, window, 5, drag=False)  # warm-up: ICC/LUT caches, numpy
        for dpr, width, height, goal in CONFIGS:
            if dpr == args.dpr:
                print(f"measuring {width}x{height} @{dpr:g}x", file=sys.stderr)
                rows += measure_window(app, window, (width, height), args.changes, goal)
        if args.extras:
            window.resize(1600, 1000)
            # The same on a built-in look as a photographer would use it (it fuses differently from the above).
            from presets.apply import apply_preset
            from presets.looks import builtin
            from editor.core.edit import Edit
            window.documents.apply_edit("Chrome", apply_preset(Edit(), builtin("Chrome")))
            settled(app, window)
            rows.append(dict(name=f"click on the built-in look Chrome, 1600x1000, {window.preview_edge()} px",
                             samples=slider_latencies(app, window, args.changes, False)[0]))
            rows.append(dict(name="zoom to 100 % → 1:1 tile painted", samples=zoom_latencies(app, window)))
        if args.extras and not args.no_tether and window.tether is not None:
            shots = tether_latency(app, window, args.shots, tmp)
            rows.append(dict(name="tether file complete on phone → thumbnail", samples=[s[0] for s in shots]))
            rows.append(dict(name="tether capture ready → thumbnail visible", samples=[s[1] for s in shots]))
            rows.append(dict(name="tether shutter → thumbnail visible", samples=[s[2] for s in shots]))
        window.close()
    return rows


def print_table(rows: list[dict]) -> None:
    """Median, p95 and max in ms; beside each, its reference's median, the ratio, and the issue's goal."""
    print(f"\n{'measure':78} {'n':>4} {'median':>7} {'p95':>7} {'max':>7} {'p95/med':>7} {'colour':>7} {'ratio':>6}"
          f" {'whole':>7} {'ratio':>6}  goal   (ms; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    for row in rows:
        med, p95, worst = stats(row["samples"])
        refs = ""
        for key in ("ref", "whole"):
            ref = statistics.median(row[key]) if row.get(key) else None
            refs += f" {ref:7.1f} {med / ref:5.2f}x" if ref else " " * 15
        goal = row.get("goal")
        verdict = ""
        if goal:
            met = med <= goal and p95 <= 2 * med
            verdict = f"≤ {goal:.0f}, p95 ≤ 2× median: {'met' if met else 'missed'}"
        print(f"{row['name']:78} {len(row['samples']):4d} {med:7.1f} {p95:7.1f} {worst:7.1f} {p95 / med:7.2f}"
              f"{refs}  {verdict}")
    print("References, interleaved with the window's changes (ratio = window / reference): the engine alone at the"
          " same size rendering\n  colour: the edit's colour operations; whole: the whole edit (colour and spatial"
          " operations), so whole's ratio is what the GUI adds.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--shots", type=int, default=5)
    parser.add_argument("--no-tether", action="store_true")
    parser.add_argument("--dpr", type=float, nargs="*", default=[1.0, 2.0],
                        help="device pixel ratios to measure (each in its own process: QT_SCALE_FACTOR)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extras", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.dpr = args.dpr[0]
        print(json.dumps(run_child(args)))
        return 0
    rows: list[dict] = []
    for n, dpr in enumerate(args.dpr):
        command = [sys.executable, __file__, "--child", "--dpr", str(dpr), "--changes", str(args.changes),
                   "--shots", str(args.shots)] + (["--no-tether"] if args.no_tether else []) \
            + (["--extras"] if n == 0 else [])
        env = dict(os.environ, QT_SCALE_FACTOR=f"{dpr:g}")
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        rows += json.loads(done.stdout.strip().splitlines()[-1])
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
