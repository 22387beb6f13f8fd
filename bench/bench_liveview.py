"""Live view benchmark against the simulated phone's realistic profile, over loopback.

    .venv/bin/python bench/bench_liveview.py [--seconds 8] [--captures 15] [--roll 10000]

1. H.264 live view (screenrecord on its own ADB connection, decoded with PyAV at 720 px): frames decoded per
   second against the frames the phone encoded in the same window, latency from the moment the phone drew a
   frame to the moment it is decoded here, and to the moment the live-view window has painted it (the phone
   runs in this process, so both read one monotonic clock), and the CPU the decode takes.
2. Capture complete -> verified on disk with the look's sidecar and 1600 px preview, with live view running
   and without (same phone, same session, blocks interleaved), on a 10,000-file camera roll; the phone runs
   in its own process here, since a real phone's encoder is hardware and costs the desktop nothing.

In part 1 the phone shares this process (and its GIL) with the client, so its figures are pessimistic.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tether import adbkeys  # noqa: E402
from tether.connection import DeviceConnection  # noqa: E402
from tether.liveview import LiveView  # noqa: E402
from tether.session import Session  # noqa: E402
from tether.simphone import SimulatedPhone  # noqa: E402

from bench_tether import PhoneProcess, TimedLook  # noqa: E402  (bench/ is the script's own folder)


def _stats(values: list[float]) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"median": statistics.median(values), "p95": p95, "max": values[-1], "n": len(values)}


def bench_stream(work: Path, key: Path, seconds: float) -> dict:
    """Decoded fps, phone-draw -> decoded latency and decode CPU of the H.264 live view."""
    with SimulatedPhone(work / "lvphone", profile="realistic", roll=0, trusted_keys=[key]) as phone:
        conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, io_timeout=10).connect()
        conn.shell("svc power stayon usb")  # the tether's "keep the phone awake" (a dark screen records nothing)
        frames = []
        view = LiveView(conn, frames.append).start()
        time.sleep(seconds)
        wall_cpu = time.process_time()
        view.stop()
        conn.close()
        drawn = [t for rec, _, t in phone.frame_times if rec == max(r for r, _, _ in phone.frame_times)]
        assert view.mode == "h264" and view.error is None, (view.mode, view.error)
        # Every encoded frame is one decoded frame, in order (no B-frames, loopback drops nothing): the
        # k-th decoded frame is the k-th drawn one.
        latencies = [f.received - drawn[f.index - 1] for f in frames if f.index <= len(drawn)]
        elapsed = frames[-1].received - frames[0].received
        return {"fps": (len(frames) - 1) / elapsed, "phone_fps": (len(drawn) - 1) / (drawn[-1] - drawn[0]),
                "latency": _stats(latencies[10:]), "size": f"{frames[-1].rgb.shape[1]}x{frames[-1].rgb.shape[0]}",
                "decode_ms": 1000 * view.decode_seconds / len(frames),
                "decode_core": view.decode_seconds / (frames[-1].received - view.started),
                "thread_core": view.cpu_seconds / (frames[-1].received - view.started), "frames": len(frames),
                "process_cpu": wall_cpu}


def bench_onscreen(work: Path, key: Path, seconds: float) -> dict:
    """Phone draws a frame -> the live-view window has painted it (Qt, offscreen platform when headless)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication
    from editor.ui.tether_panel import LiveViewWindow

    class Bridge(QObject):
        frame = Signal(QImage, int)

    app = QApplication.instance() or QApplication([])
    window = LiveViewWindow()
    window.show()
    shown: list[tuple[int, float]] = []
    bridge = Bridge()

    def paint(image, index):
        window.show_frame(image, 0.0)
        window.image.repaint()  # paint now, as the event loop would before the next frame
        shown.append((index, time.monotonic()))
    bridge.frame.connect(paint)

    def on_frame(frame):  # live-view thread, as in the panel
        h, w, _ = frame.rgb.shape
        bridge.frame.emit(QImage(frame.rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy(), frame.index)

    with SimulatedPhone(work / "guiphone", profile="realistic", roll=0, trusted_keys=[key]) as phone:
        conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, io_timeout=10).connect()
        conn.shell("svc power stayon usb")
        view = LiveView(conn, on_frame).start()
        QTimer.singleShot(int(seconds * 1000), app.quit)
        app.exec()
        view.stop()
        app.processEvents()
        conn.close()
        recording = max(r for r, _, _ in phone.frame_times)
        drawn = [t for rec, _, t in phone.frame_times if rec == recording]
    window.close()
    latencies = [t - drawn[i - 1] for i, t in shown if i <= len(drawn)]
    return {"latency": _stats(latencies[10:]), "fps": (len(shown) - 1) / (shown[-1][1] - shown[0][1])}


def bench_ready(work: Path, key: Path, captures: int, roll: int) -> dict:
    """Capture complete -> verified + look sidecar + preview, blocks with and without live view interleaved.
    The shutter is Darkslide's (`input keyevent 27`), as in a real session."""
    hook = TimedLook(work)
    results = {"off": [], "on": []}
    lv_frames = []
    with PhoneProcess(work / "camphone", key, "--profile", "realistic", "--roll", str(roll), "--lock", "none") as phone:
        conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, io_timeout=10).connect()
        conn.shell("svc power stayon usb")  # the tether's "keep the phone awake" (a dark screen records nothing)
        session = Session(conn, work / "session", "bench", on_capture=hook).start(wait=120)
        try:
            index = 0
            for block in range(4):
                mode = "on" if block % 2 else "off"
                view = LiveView(conn, lv_frames.append).start() if mode == "on" else None
                time.sleep(1.0)
                for _ in range(captures // 4 + (block < captures % 4)):
                    conn.shell("input keyevent 27")
                    capture = session.wait_for_capture_after(index, 30)
                    index += 1
                    assert capture is not None, "capture lost"
                    # complete = the photo's rename on the phone (its ctime), as in bench_tether
                    renamed = os.stat(phone.folder / capture.device_path.rsplit("/", 1)[1]).st_ctime
                    results[mode].append(hook.done[capture.md5] - renamed)
                    time.sleep(0.5)
                if view is not None:
                    view.stop()
                    assert view.mode == "h264" and view.error is None, (view.mode, view.error)
        finally:
            session.stop()
            conn.close()
    return {"on": _stats(results["on"]), "off": _stats(results["off"]), "lv_frames": len(lv_frames),
            "hook": _stats(hook.seconds)}


def probe_same_connection(work: Path, key: Path, pulls: int = 4) -> dict:
    """Can live view share adb-shell's one connection (what a USB phone reached directly has)? screenrecord
    streams on a second ADB stream of the same AdbDevice (adb-shell multiplexes streams through its packet
    store) while a 1.5 MB file is pulled on another: pull time with the screen drawing (frames flowing) and
    with it off (the stream open, no frames), against the pull alone. TCP stands in for USB here: adb-shell's
    _AdbIOManager is the same over both transports."""
    import io
    import threading
    from adb_shell.adb_device import AdbDeviceTcp

    body = 1_500_000
    result: dict = {}
    with SimulatedPhone(work / "muxphone", profile="realistic", roll=0, lock="none", trusted_keys=[key],
                        link_mb_s=None) as phone:
        (phone.folder / "big.jpg").write_bytes(os.urandom(body))
        phone.screen.wake()
        dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=10)
        dev.connect(rsa_keys=[adbkeys.load_signer(key)], auth_timeout_s=5)

        def pull_median(n: int) -> float:
            times = []
            for _ in range(n):
                started, sink = time.perf_counter(), io.BytesIO()
                dev.pull("/sdcard/DCIM/Camera/big.jpg", sink, transport_timeout_s=10, read_timeout_s=30)
                assert len(sink.getvalue()) == body
                times.append(time.perf_counter() - started)
            return statistics.median(times)

        result["alone"] = pull_median(pulls)
        stream = {"chunks": 0, "error": ""}

        def record():
            try:
                for _ in dev.streaming_shell("screenrecord --output-format=h264 -", transport_timeout_s=10,
                                             read_timeout_s=60, decode=False):
                    stream["chunks"] += 1
            except Exception as exc:  # adb-shell ends the stream on a transport timeout
                stream["error"] = type(exc).__name__
        threading.Thread(target=record, daemon=True).start()
        time.sleep(1.0)
        result["frames"] = pull_median(pulls)
        phone.screen.sleep()  # no new frame: the streaming reader waits in recv, holding the transport lock
        time.sleep(0.5)
        result["idle"] = pull_median(2)
        result["stream_error"] = stream["error"]
        dev.close()
        result.update(_through_demux(phone, key, pull_median_of=pulls))
    return result


def _through_demux(phone, key: Path, pull_median_of: int) -> dict:
    """The same with Darkslide's adb_demux between adb-shell and the transport (what a USB phone reached
    directly now gets): screenrecord on a side stream, the screen on and then off."""
    from tether.connection import DeviceConnection
    phone.screen.wake()
    conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, fast_pull=False, shared_streams=True).connect()
    target = phone.folder.parent / "demux-pull.jpg"

    def pull_median(n: int) -> float:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            conn.pull("/sdcard/DCIM/Camera/big.jpg", target)
            times.append(time.perf_counter() - started)
        return statistics.median(times)
    try:
        alone = pull_median(pull_median_of)
        stream = conn.open_exec_stream("screenrecord --output-format=h264 -")
        import threading
        stop = threading.Event()

        def drain():
            while not stop.is_set():
                try:
                    stream.read(0.2)
                except EOFError:
                    return
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        time.sleep(1.0)
        frames = pull_median(pull_median_of)
        phone.screen.sleep()
        time.sleep(0.5)
        idle = pull_median(pull_median_of)
        stop.set()
        reader.join(2)
        stream.close()
    finally:
        conn.close()
        target.unlink(missing_ok=True)
    return {"demux_alone": alone, "demux_frames": frames, "demux_idle": idle}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--captures", type=int, default=24)
    parser.add_argument("--roll", type=int, default=10_000)
    parser.add_argument("--same-connection", action="store_true",
                        help="only probe screenrecord and a pull sharing one adb-shell connection (USB direct)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-liveview-"))
    if args.same_connection:
        try:
            key = work / "adbkey"
            adbkeys.generate_key_pair(key)
            m = probe_same_connection(work, key)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"pull of 1.5 MB on adb-shell alone: {1000 * m['alone']:.0f} ms; with screenrecord on a second stream "
              f"of the same connection: {1000 * m['frames']:.0f} ms while frames flow "
              f"({m['frames'] / m['alone']:.1f}x), {1000 * m['idle']:.0f} ms while the screen is off "
              f"({m['idle'] / m['alone']:.1f}x); the stream itself ended with {m['stream_error'] or 'nothing'}")
        print(f"through Darkslide's adb_demux (USB direct now): alone {1000 * m['demux_alone']:.0f} ms; with screenrecord "
              f"on a side stream {1000 * m['demux_frames']:.0f} ms while frames flow "
              f"({m['demux_frames'] / m['demux_alone']:.2f}x), {1000 * m['demux_idle']:.0f} ms while the screen is off "
              f"({m['demux_idle'] / m['demux_alone']:.2f}x)")
        return 0
    try:
        key = work / "adbkey"
        adbkeys.generate_key_pair(key)
        s = bench_stream(work, key, args.seconds)
        g = bench_onscreen(work, key, args.seconds)
        r = bench_ready(work, key, args.captures, args.roll)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lat = s["latency"]
    rows = [
        ("live view, decoded fps", f"{s['fps']:.1f}", f"goal >= 25; {s['size']} H.264; phone encoded "
         f"{s['phone_fps']:.1f} fps in the same run (ratio {s['fps'] / s['phone_fps']:.2f})"),
        ("live view latency, median", f"{1000 * lat['median']:.0f} ms",
         f"goal <= 150 ms; drawn on the phone -> decoded here; p95 {1000 * lat['p95']:.0f} ms, n={lat['n']} "
         f"(= {lat['median'] * s['phone_fps']:.1f} frame intervals)"),
        ("live view latency to the screen, median", f"{1000 * g['latency']['median']:.0f} ms",
         f"goal <= 150 ms; drawn on the phone -> painted in the live-view window (Qt); p95 "
         f"{1000 * g['latency']['p95']:.0f} ms, {g['fps']:.1f} fps painted"),
        ("live view decode CPU", f"{s['decode_ms']:.1f} ms/frame",
         f"{100 * s['decode_core']:.0f} % of one core decoding; {100 * s['thread_core']:.0f} % for the whole "
         "live-view thread (socket + decode + colour conversion)"),
        ("complete -> ready, live view on", f"{r['on']['median']:.2f} s",
         f"goal median <= 1.0 s; p95 {r['on']['p95']:.2f} s (goal <= 1.5 s), max {r['on']['max']:.2f} s, "
         f"n={r['on']['n']}, {args.roll:,}-file roll, realistic profile, {r['lv_frames']} frames shown meanwhile"),
        ("complete -> ready, live view off", f"{r['off']['median']:.2f} s",
         f"p95 {r['off']['p95']:.2f} s, max {r['off']['max']:.2f} s, n={r['off']['n']}; "
         f"on/off median ratio {r['on']['median'] / r['off']['median']:.2f}"),
        ("  of which look + preview (median)", f"{r['hook']['median']:.2f} s", "Chrome sidecar + 1600 px preview"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'value':>12}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
