"""Incremental scanning of one folder: stat everything, read headers and sidecars only where they changed.

A folder is walked with os.scandir (its stat results come with the listing on most systems); a photo is
re-read when its (size, mtime) changed, its sidecar is re-read when the sidecar's mtime changed. Rows are
written in short batched transactions so another process (the GUI, a tether session) can write in between.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable, Iterator

from editor.core import sidecar as sidecars
from editor.core.atomic import TEMP_SUFFIX, remove_if_abandoned
from editor.core.catalog.headers import read_header
from editor.core.catalog.model import ScanReport
from editor.core.library import EXTENSIONS, edit_hash

BATCH = 1000  # rows per write transaction: ~10-30 ms of lock, so other writers wait little
SIDECAR = sidecars.SUFFIX

Progress = Callable[[int, int], None]  # (photos read so far, photos to read)


def walk(root: Path, skip: set[str]) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """{photo path: (size, mtime_ns)} and {photo path: its sidecar's mtime_ns} under `root`.

    Hidden files and folders are skipped, and so are the folders in `skip` (other catalogued roots, which
    are scanned as themselves). Raises OSError when `root` itself cannot be listed.
    """
    photos: dict[str, tuple[int, int]] = {}
    cars: dict[str, int] = {}
    stack = [str(root)]
    first = True
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            if first:
                raise
            continue  # an unreadable sub-folder: its photos are simply not listed this time
        first = False
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                if name.endswith(TEMP_SUFFIX):  # a sidecar save cut short by a kill: cleared once abandoned
                    remove_if_abandoned(entry.path)
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.path not in skip:
                        stack.append(entry.path)
                    continue
                if name.endswith(SIDECAR):
                    cars[entry.path[:-len(SIDECAR)]] = entry.stat().st_mtime_ns
                elif os.path.splitext(name)[1].lower() in EXTENSIONS and entry.is_file():  # a FIFO would hang
                    st = entry.stat()
                    photos[entry.path] = (st.st_size, st.st_mtime_ns)
            except OSError:
                continue  # vanished while we listed it
    return photos, cars


def read_marks(path: str) -> tuple[int, str | None, str | None, str, str]:
    """(rating, flag, look name, edit hash, problem) from a photo's sidecar; a bad sidecar is a problem."""
    try:
        car = sidecars.load(Path(path))
    except sidecars.SidecarError as exc:
        return 0, None, None, "", f"sidecar unreadable: {exc}"  # names the file: scan reports list it
    look = (car.edit.look or {}).get("name")
    return car.rating, car.flag, look, edit_hash(car.edit), ""


def thumb_key(path: str, size: int, mtime_ns: int, edit: str) -> str:
    """Names a photo's cached thumbnail: changes when the file or its edit changes."""
    return hashlib.sha1(f"{path}|{mtime_ns}|{size}|{edit}".encode()).hexdigest()[:20]


def photo_row(path: str, folder_id: int, size: int, mtime_ns: int, car_mtime: int) -> tuple:
    """Everything the catalog stores about one photo, in photos' column order from folder_id on."""
    header = read_header(Path(path))
    rating, flag, look, edit, problem = read_marks(path) if car_mtime else (0, None, None, "", "")
    captured = header.captured if header.captured is not None else mtime_ns / 1e9
    name = os.path.basename(path)
    return (folder_id, path, os.path.dirname(path), name, os.path.splitext(name)[1].lower().lstrip("."), size,
            mtime_ns, car_mtime,
            captured, header.camera, header.lens, header.exposure, header.fnumber, header.focal, header.iso,
            header.width, header.height, rating, flag, look, edit, car_mtime / 1e9 if car_mtime else None,
            thumb_key(path, size, mtime_ns, edit), problem or header.problem)


INSERT = ("INSERT INTO photos (folder_id, path, dir, name, ext, size, mtime_ns, sidecar_mtime_ns, captured, "
          "camera, lens, exposure, fnumber, focal, iso, width, height, rating, flag, look, edit_hash, edited, "
          "thumb_key, problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT(path) DO UPDATE SET folder_id=excluded.folder_id, dir=excluded.dir, size=excluded.size, "
          "mtime_ns=excluded.mtime_ns, sidecar_mtime_ns=excluded.sidecar_mtime_ns, captured=excluded.captured, "
          "camera=excluded.camera, lens=excluded.lens, exposure=excluded.exposure, fnumber=excluded.fnumber, "
          "focal=excluded.focal, iso=excluded.iso, width=excluded.width, height=excluded.height, "
          "rating=excluded.rating, flag=excluded.flag, look=excluded.look, edit_hash=excluded.edit_hash, "
          "edited=excluded.edited, thumb_key=excluded.thumb_key, problem=excluded.problem")
MARKS = ("UPDATE photos SET sidecar_mtime_ns=?, rating=?, flag=?, look=?, edit_hash=?, edited=?, "
         "thumb_key=?, problem=? WHERE path=?")


def marks_row(path: str, size: int, mtime_ns: int, car_mtime: int) -> tuple:
    rating, flag, look, edit, problem = read_marks(path) if car_mtime else (0, None, None, "", "")
    return (car_mtime, rating, flag, look, edit, car_mtime / 1e9 if car_mtime else None,
            thumb_key(path, size, mtime_ns, edit), problem, path)


def scan_folder(catalog, folder_id: int, root: Path, skip: set[str],
                progress: Progress | None = None) -> ScanReport:
    """Bring the rows of one catalogued folder up to date with the disk (see the module docstring)."""
    start = time.perf_counter()
    report = ScanReport(offline=[], problems=[])
    try:
        on_disk, cars = walk(root, skip)
    except OSError:
        catalog._set_online(folder_id, False)
        report.offline.append(root)
        report.seconds = time.perf_counter() - start
        return report
    known = {row[0]: row[1:] for row in catalog._execute(
        "SELECT path, size, mtime_ns, sidecar_mtime_ns FROM photos WHERE folder_id = ?", (folder_id,))}
    fresh, marks = [], []
    for path, (size, mtime) in on_disk.items():
        old = known.get(path)
        car = cars.get(path, 0)
        if old is None or old[0] != size or old[1] != mtime:
            fresh.append((path, size, mtime, car))
        elif old[2] != car:
            marks.append((path, size, mtime, car))
    gone = [p for p in known if p not in on_disk]
    new = [f for f in fresh if f[0] not in known]
    moved = _moved(new, gone, known)
    report.added, report.moved, report.removed = len(new) - moved, moved, len(gone) - moved
    report.changed = len(fresh) - len(new) + len(marks)
    report.unchanged = len(on_disk) - len(fresh) - len(marks)
    marked = [marks_row(*m) for m in marks]
    catalog._write_many(MARKS, marked)
    report.problems.extend(r[-2] for r in marked if r[-2])
    rows = _rows(fresh, folder_id, progress)
    for batch in _batches(rows, BATCH):
        catalog._write_many(INSERT, batch)
        report.problems.extend(r[-1] for r in batch if r[-1])
    catalog._write_many("DELETE FROM photos WHERE path = ?", [(p,) for p in gone])
    catalog._set_online(folder_id, True, scanned=time.time())
    report.seconds = time.perf_counter() - start
    return report


def _moved(new: list, gone: list[str], known: dict) -> int:
    """How many new photos are ones that vanished elsewhere in the folder (same name and size)."""
    gone_keys = {(os.path.basename(p), known[p][0]) for p in gone}
    return sum(1 for f in new if (os.path.basename(f[0]), f[1]) in gone_keys)


def _rows(fresh: list, folder_id: int, progress: Progress | None) -> Iterator[tuple]:
    total = len(fresh)
    for i, (path, size, mtime, car) in enumerate(fresh):
        yield photo_row(path, folder_id, size, mtime, car)
        if progress is not None and (i % 250 == 249 or i == total - 1):
            progress(i + 1, total)


def _batches(rows: Iterator[tuple], n: int) -> Iterator[list[tuple]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch
