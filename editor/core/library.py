"""The library: the photos of one folder (or a tether session), with capture times, ratings and flags.

Qt-free. Ratings and flags live in each photo's sidecar. While a photo is open as a Document, its rating
and flag are changed through the document so that the document's autosave never writes a stale value.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from editor.core import sidecar as sidecars
from editor.core.atomic import remove_abandoned
from editor.core.edit import Edit
from editor.core.files import check_regular

# Files the library lists; anything else in the folder (sidecars, exports, notes) is ignored.
EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".heic", ".heif", ".avif",
                        ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf"})
SORT_KEYS = ("time", "name", "rating", "edited")  # capture time, file name, stars (most first), last edit


@dataclass
class Entry:
    """One photo of the library. `captured` is seconds since the epoch (EXIF time, else file mtime)."""

    path: Path
    captured: float = 0.0
    rating: int = 0
    flag: str | None = None
    edit_hash: str = ""
    problem: str = ""  # "sidecar unreadable: REASON" (or a stat failure); the photo is still listed
    stat_key: tuple[int, int] = (0, 0)  # (mtime_ns, size) of the original, for thumbnail caching
    edited: float = 0.0  # when its edit last changed (the sidecar's mtime), seconds since the epoch; 0: never

    @property
    def name(self) -> str:
        return self.path.name


def edit_hash(edit: Edit) -> str:
    """A short stable digest of an edit, so caches of rendered thumbnails know when an edit changed."""
    text = json.dumps(edit.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def capture_time(path: Path) -> float:
    """EXIF DateTimeOriginal (local time, as the camera wrote it) or, lacking it, the file's mtime."""
    try:
        import pyvips
        check_regular(path)  # a FIFO named like a photo would block libvips for ever
        image = pyvips.Image.new_from_file(str(path))  # header only: libvips is lazy
        for name in ("exif-ifd2-DateTimeOriginal", "exif-ifd0-DateTime"):
            if image.get_typeof(name):
                text = str(image.get(name))[:19]
                return datetime.strptime(text, "%Y:%m:%d %H:%M:%S").timestamp()
    except Exception:  # unreadable header or odd EXIF text: fall back to the file time
        pass
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_entry(path: Path) -> Entry:
    """Everything the library shows about one photo, read from disk (call it off the GUI thread)."""
    path = Path(path)
    entry = Entry(path, capture_time(path))
    try:
        st = path.stat()
        entry.stat_key = (st.st_mtime_ns, st.st_size)
    except OSError as exc:
        entry.problem = f"{path.name}: {exc.strerror}"
    try:
        car = sidecars.load(path)
        entry.rating, entry.flag, entry.edit_hash = car.rating, car.flag, edit_hash(car.edit)
        try:
            entry.edited = sidecars.path_for(path).stat().st_mtime
        except OSError:
            entry.edited = 0.0  # no sidecar yet
    except sidecars.SidecarError as exc:  # the photo stays listed; its marks and edit start fresh
        entry.problem = f"sidecar unreadable: {exc.reason}"
    return entry


def write_marks(path: Path, values: dict) -> None:
    """Set rating/flag in `path`'s sidecar, keeping its edit and history (reads and writes the file)."""
    car = sidecars.load(path)
    for k, v in values.items():
        setattr(car, k, v)
    sidecars.save(path, car)


def list_photos(folder: Path, *, special_files: bool = False) -> list[Path]:
    """Photo files directly inside `folder` (not recursive), hidden files skipped. Entries named like
    photos that are not regular files (a FIFO, a device) are left out unless `special_files`, for a caller
    that reports them rather than open them (a folder export names each as refused)."""
    folder = Path(folder)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    named = [folder / n for n in names if not n.startswith(".") and Path(n).suffix.lower() in EXTENSIONS]
    return [p for p in named if special_files or p.is_file()]


@dataclass
class Library:
    """The photos of `folder`, sorted by capture time or name. Observers get called after every change."""

    folder: Path | None = None
    entries: list[Entry] = field(default_factory=list)
    sort_key: str = "time"
    document: object | None = None  # the open editor.core.document.Document, if any
    # How marks of photos that are not open reach their sidecars; a GUI passes one that writes off its thread.
    writer: Callable[[Path, dict], None] = write_marks
    _observers: list[Callable[[Library], None]] = field(default_factory=list)
    _rows: dict[Path, int] = field(default_factory=dict, repr=False)  # path -> index, rebuilt when stale

    @classmethod
    def scan(cls, folder: Path, sort_key: str = "time") -> Library:
        """Read a folder (I/O: run off the GUI thread); sidecar saves a kill cut short are cleared away."""
        remove_abandoned(folder)
        lib = cls(Path(folder), [read_entry(p) for p in list_photos(folder)], sort_key)
        lib.sort(sort_key)
        return lib

    def subscribe(self, callback: Callable[[Library], None]) -> None:
        self._observers.append(callback)

    def _notify(self) -> None:
        for callback in list(self._observers):
            callback(self)

    def sort(self, key: str) -> None:
        if key not in SORT_KEYS:
            raise ValueError(f"sort key must be one of {', '.join(SORT_KEYS)}, not {key!r}")
        self.sort_key = key
        if key == "time":
            self.entries.sort(key=lambda e: (e.captured, e.name.lower()))
        elif key == "rating":
            self.entries.sort(key=lambda e: (-e.rating, e.captured, e.name.lower()))
        elif key == "edited":
            self.entries.sort(key=lambda e: (-e.edited, e.captured, e.name.lower()))
        else:
            self.entries.sort(key=lambda e: e.name.lower())
        self._notify()

    def index_of(self, path: Path) -> int:
        """The row of `path` (-1 if absent): a dict look-up, checked against the list so that any change
        to `entries` (sorting, appending) only costs one rebuild of the dict (was a scan per call)."""
        path = Path(path)
        i = self._rows.get(path, -1)
        if 0 <= i < len(self.entries) and self.entries[i].path == path:
            return i
        self._rows = {e.path: i for i, e in enumerate(self.entries)}
        return self._rows.get(path, -1)

    def entry(self, path: Path) -> Entry | None:
        i = self.index_of(path)
        return self.entries[i] if i >= 0 else None

    def add(self, entry: Entry) -> int:
        """Append a new photo (e.g. a tether capture) at the end, whatever the sort; returns its index."""
        i = self.index_of(entry.path)
        if i >= 0:
            self.entries[i] = entry
        else:
            self.entries.append(entry)
            i = len(self.entries) - 1
        self._notify()
        return i

    def set_rating(self, path: Path, rating: int) -> None:
        """Rate 0..5 stars and save it in the sidecar."""
        if rating not in range(6):
            raise ValueError(f"rating must be 0..5, not {rating!r}")
        self._update(path, rating=rating)

    def set_flag(self, path: Path, flag: str | None) -> None:
        """Flag as 'pick', 'reject' or None and save it in the sidecar."""
        if flag not in sidecars.FLAGS:
            raise ValueError(f"flag must be pick, reject or None, not {flag!r}")
        self._update(path, flag=flag)

    def _update(self, path: Path, **values) -> None:
        entry = self.entry(path)
        if entry is None:
            raise KeyError(f"{path} is not in the library")
        doc = self.document
        if doc is not None and Path(doc.path) == entry.path:
            doc.set_marks(**values)
        else:
            self.writer(entry.path, dict(values))
        for k, v in values.items():
            setattr(entry, k, v)
        self._notify()

    def note_edit(self, path: Path, edit: Edit) -> None:
        """Record that a photo's edit changed (its thumbnail needs re-rendering)."""
        entry = self.entry(path)
        if entry is not None:
            entry.edit_hash = edit_hash(edit)
            entry.edited = time.time()
            self._notify()
