"""`darkslide export PHOTO... --out DIR`: batch export from the command line (no GUI, no Qt).

Each photo is developed with its own sidecar edit, or with the edit of `--edit SIDECAR` for all of
them, optionally with a look applied on top (`--preset NAME --amount 80`). Progress goes to stderr,
a summary follows; the exit code is 0 when every photo was exported or skipped, 1 when any failed,
2 for bad arguments, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from editor.core.export import FORMATS, SHARPENING, BatchResult, ExportSettings, export_batch


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("photos", nargs="+", type=Path, metavar="PHOTO",
                        help="photos or folders (their photos) to export; '-' reads paths from stdin "
                             "(e.g. `darkslide library list`)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder (created)")
    parser.add_argument("--format", default="jpeg", choices=list(FORMATS), help="file format (jpeg)")
    parser.add_argument("--quality", type=int, default=92, help="JPEG/WebP/AVIF quality 1..100 (92)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--long-edge", type=int, metavar="PX", help="fit the long edge to PX pixels")
    size.add_argument("--short-edge", type=int, metavar="PX", help="fit the short edge to PX pixels")
    size.add_argument("--megapixels", type=float, metavar="MP", help="scale to about MP million pixels")
    parser.add_argument("--sharpen", default="off", choices=list(SHARPENING), help="output sharpening")
    parser.add_argument("--bit-depth", type=int, default=8, choices=(8, 16), help="16 for TIFF/PNG")
    parser.add_argument("--template", default="{name}",
                        help="file name: {name} {seq} (4 digits; {seq:d} unpadded) {date} {preset}, "
                             "e.g. '{date}_{seq}' ({name})")
    parser.add_argument("--edit", type=Path, metavar="SIDECAR",
                        help="use this .darkslide sidecar's edit for every photo instead of their own")
    parser.add_argument("--preset", metavar="NAME", help="apply this look on top of the edit")
    parser.add_argument("--amount", type=float, default=100.0, help="look amount in %% (100)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    parser.add_argument("--strip-gps", action="store_true", help="remove GPS position from EXIF")
    parser.add_argument("--no-exif", action="store_true", help="write no EXIF at all")
    parser.add_argument("--workers", type=int, default=1, help="photos exported side by side (1)")


def settings_from(args: argparse.Namespace) -> ExportSettings:
    resize, value = "none", 0.0
    for mode in ("long_edge", "short_edge", "megapixels"):
        if getattr(args, mode, None) is not None:
            resize, value = mode, float(getattr(args, mode))
    return ExportSettings(format=args.format, quality=args.quality, resize=resize, resize_value=value,
                          output_sharpening=args.sharpen, template=args.template, strip_gps=args.strip_gps,
                          keep_exif=not args.no_exif, overwrite=args.overwrite, bit_depth=args.bit_depth)


def run(args: argparse.Namespace) -> int:
    if Path("-") in args.photos:  # one path per line, as `darkslide library list` prints them
        stdin = [Path(line.rstrip("\n")) for line in sys.stdin if line.strip()]
        args.photos = [p for photo in args.photos for p in (stdin if photo == Path("-") else [photo])]
    try:
        settings = settings_from(args)
        shared = _shared_edit(args.edit) if args.edit else None
        look = _look_function(args.preset, args.amount) if args.preset else None
    except (ValueError, OSError, ImportError) as exc:
        print(f"darkslide export: {exc}", file=sys.stderr)
        return 2
    args.photos = expand_folders(args.photos)
    if not args.photos:
        print("darkslide export: no photos to export", file=sys.stderr)
        return 2
    jobs, failed = [], []
    for photo in args.photos:
        try:
            edit = shared if shared is not None else _own_edit(photo)
            if look is not None:
                edit = look(edit, args.preset, amount=args.amount)
            jobs.append((photo, edit))
        except Exception as exc:  # a bad sidecar or unknown look fails this photo only
            failed.append((photo, str(exc)))
    result = _run_batch(jobs, settings, args.out, max(1, args.workers))
    result.failed[:0] = failed
    _summary(result, len(args.photos))
    if result.cancelled:
        return 130
    return 1 if result.failed else 0


def expand_folders(paths: list[Path]) -> list[Path]:
    """Each folder replaced by the photos directly inside it, sorted by name; files stay as given. A FIFO
    or device named like a photo is kept so that the export reports it as refused, never skips it silently."""
    from editor.core.library import list_photos
    out = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(list_photos(path, special_files=True), key=lambda p: p.name.casefold()))
        else:
            out.append(path)
    return out


def _shared_edit(path: Path):
    from editor.core import sidecar
    try:
        return sidecar.read(path).edit  # bounded, regular files only; raises only SidecarError
    except sidecar.SidecarError as exc:
        raise ValueError(str(exc)) from exc


def _own_edit(photo: Path):
    from editor.core import sidecar
    try:
        return sidecar.load(photo).edit
    except sidecar.SidecarError as exc:  # not exported with a default edit: that would lose the user's work
        raise ValueError(f"sidecar unreadable ({exc.path}): {exc.reason}") from exc


def _look_function(name: str, amount: float):
    """presets.apply_look, after checking once that the look exists (a typo is a usage error)."""
    try:
        from presets import apply_look
    except ImportError as exc:
        raise ImportError(f"--preset needs the presets package, which cannot be imported ({exc})") from exc
    from editor.core.edit import Edit
    try:
        apply_look(Edit(), name, amount=amount)
    except Exception as exc:  # the presets package reports unknown names and bad amounts its own way
        raise ValueError(str(exc)) from exc
    return apply_look


def _run_batch(jobs, settings: ExportSettings, out_dir: Path, workers: int) -> BatchResult:
    """The batch on a worker thread so that Ctrl-C can cancel it cleanly from the main thread."""
    cancel, done, box = threading.Event(), threading.Event(), {}
    bar = _Bar(len(jobs))

    def work() -> None:
        try:
            box["result"] = export_batch(jobs, settings, out_dir, progress=bar.update, cancel=cancel,
                                         workers=workers)
        finally:
            done.set()

    worker = threading.Thread(target=work)
    worker.start()
    _terminate_as_interrupt()
    # Wait on an Event, not on join(): CPython 3.11's Thread.join interrupted by Ctrl-C marks a running
    # thread as stopped (bpo-45274's fix), so a second join returned at once and the process exited
    # mid-write, leaving the temporary file behind.
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        cancel.set()
        print("\ncancelling...", file=sys.stderr)
        done.wait()
    worker.join()
    bar.close()
    return box.get("result", BatchResult(cancelled=True))


def _terminate_as_interrupt() -> None:
    """SIGTERM (and SIGHUP) cancel like Ctrl-C, so the temporary file of the photo being written is removed."""
    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), interrupt)


class _Bar:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total, self.tty, self.shown = total, sys.stderr.isatty(), -1
        self.lock = threading.Lock()

    def update(self, index: int, total: int, fraction: float) -> None:
        percent = int(fraction * 100)
        with self.lock:
            if not self.tty or percent == self.shown:
                return
            self.shown = percent
            filled = int(fraction * self.WIDTH)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {percent:3d}%  "
                             f"photo {min(index + 1, total)}/{total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.shown >= 0:
            sys.stderr.write("\n")


def _summary(result: BatchResult, total: int) -> None:
    err = sys.stderr
    print(f"exported {len(result.done)}, skipped {len(result.skipped)}, failed {len(result.failed)} "
          f"of {total}" + (" (cancelled)" if result.cancelled else ""), file=err)
    for path in result.done:
        print(f"  wrote   {path}", file=err)
    for path, reason in result.skipped:
        print(f"  skipped {path}: {_reason(path, reason)}", file=err)
    for path, reason in result.failed:
        print(f"  FAILED  {path}: {_reason(path, reason)}", file=err)


def _reason(path: Path, reason: str) -> str:
    return reason.removeprefix(f"{path}: ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="darkslide export", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
