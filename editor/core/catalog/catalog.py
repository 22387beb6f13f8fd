"""The catalog: every folder and tether session the photographer added, and their photos, in SQLite.

It is a cache. The truth is on disk: the photos, their .darkslide sidecars (edits, ratings, flags, looks),
and `library-folders.json` beside the catalog (which folders were added). A deleted or damaged catalog is
rebuilt from those with nothing lost; a catalog written by a newer Darkslide is refused, never overwritten.

Writes use short `BEGIN IMMEDIATE` transactions (one writer at a time, across processes too, with a busy
timeout), reads see a consistent snapshot thanks to WAL. One Catalog object may be shared by threads (a
lock serialises its connection); a background scan should open its own Catalog on the same file.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from editor.core.atomic import write_atomic
from editor.core.datadir import data_dir
from editor.core.catalog.model import Folder, Photo, ScanReport
from editor.core.catalog.query import COLUMNS, Filter
from editor.core.catalog.schema import CatalogCorrupt, CatalogError, connect

FILE = "catalog.sqlite3"
FOLDERS_FILE = "library-folders.json"
FOLDERS_FORMAT = "darkslide-library-folders"
KINDS = ("folder", "session")
SIDECAR_SUFFIX = ".darkslide"  # editor.core.sidecar.SUFFIX, not imported here: it brings numpy


def _scan():
    """The scanning module, imported on first use: it brings the sidecar and edit model (numpy), which a
    command that only lists photos does not need (~0.3 s)."""
    from editor.core.catalog import scan

    return scan


def default_path() -> Path:
    """<data>/catalog.sqlite3, where <data> is $DARKSLIDE_DATA_DIR or the platform's user data folder."""
    return data_dir() / FILE


class Catalog:
    """Open (creating, migrating or recovering) the catalog at `path` (default: the user's data folder)."""

    def __init__(self, path: Path | None = None, *, recover: bool = True):
        self.path = Path(path) if path is not None else default_path()
        self.folders_file = self.path.with_name(FOLDERS_FILE)
        self.notice = ""  # what opening had to do, for the user (e.g. "rebuilt from ... after damage")
        self._lock = threading.RLock()
        try:
            self._con = connect(self.path)
            self._execute("SELECT count(*) FROM folders")
        except CatalogCorrupt as exc:
            if not recover:
                raise
            self._replace_damaged(exc)
        self.needs_scan = self._adopt_folder_list()

    def _replace_damaged(self, exc: Exception) -> None:
        """Keep the damaged file aside and start a new, empty catalog (the caller scans the folders)."""
        kept = _move_aside(self.path)
        self._con = connect(self.path)
        self.notice = (f"The catalog was damaged ({exc}); it was moved to {kept.name} and a new one is "
                       "being built from your folders and sidecars.")

    # -- plumbing ---------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def reopen(self) -> None:
        """A new connection to the file at `path` (after another connection replaced a damaged catalog)."""
        with self._lock:
            self._con.close()
            self._con = connect(self.path)

    def _execute(self, sql: str, values: Iterable = ()) -> list[tuple]:
        with self._lock, _damage_named(self.path):
            return self._con.execute(sql, tuple(values)).fetchall()

    def _write_many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self._lock, self._transaction():
                self._con.executemany(sql, rows)

    def _transaction(self):
        return _Transaction(self._con, self.path)

    # -- folders ----------------------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        """Folders and sessions in the order added, with their photo counts."""
        rows = self._execute(
            "SELECT f.id, f.path, f.kind, f.online, (SELECT count(*) FROM photos p WHERE p.folder_id = f.id), "
            "f.scanned FROM folders f ORDER BY f.id")
        return [Folder(r[0], Path(r[1]), r[2], bool(r[3]), r[4], r[5]) for r in rows]

    def folder(self, path: Path) -> Folder | None:
        """The catalogued folder that holds `path` (the folder itself or one above it), if any."""
        path = _absolute(path)
        for r in self._execute("SELECT id, path, kind, online, scanned FROM folders ORDER BY id"):
            root = Path(r[1])
            if path == root or root in path.parents:  # (no photo counts: this runs for every capture)
                return Folder(r[0], root, r[2], bool(r[3]), -1, r[4])
        return None

    def subfolders(self, folder: Folder) -> dict[Path, int]:
        """{folder holding photos: its own photo count} under a catalogued folder (itself included)."""
        return {Path(d): n for d, n in self._execute(
            "SELECT dir, count(*) FROM photos WHERE folder_id = ? GROUP BY dir", (folder.id,))}

    def add_folder(self, path: Path, kind: str = "folder") -> Folder:
        """Catalog a folder (recursively) or a tether session; returns it without scanning (call scan).

        A folder inside one already catalogued is that one; the photos are not listed twice.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        path = _absolute(path)
        if not path.is_dir():
            raise CatalogError(f"{path}: not a folder (it does not exist or is a file)")
        holder = self.folder(path)
        if holder is not None:
            return holder
        with self._lock, self._transaction():  # the folder list file is rewritten under the same write lock
            self._con.execute("INSERT OR IGNORE INTO folders (path, kind, added) VALUES (?, ?, ?)",
                              (str(path), kind, time.time()))
            self._save_folder_list()
        return self.folder(path)

    def remove_folder(self, path: Path) -> bool:
        """Forget a folder and its photos' rows (the photos and sidecars are not touched)."""
        with self._lock, self._transaction():
            gone = self._con.execute("DELETE FROM folders WHERE path = ?", (str(_absolute(path)),)).rowcount
            self._save_folder_list()
        return bool(gone)

    def _set_online(self, folder_id: int, online: bool, scanned: float | None = None) -> None:
        with self._lock, self._transaction():
            self._con.execute("UPDATE folders SET online = ?, scanned = coalesce(?, scanned) WHERE id = ?",
                              (int(online), scanned, folder_id))

    def _save_folder_list(self) -> None:
        rows = self._con.execute("SELECT path, kind FROM folders ORDER BY id").fetchall()
        data = {"format": FOLDERS_FORMAT, "version": 1, "note": "the folders in Darkslide's library",
                "folders": [{"path": p, "kind": k} for p, k in rows]}
        write_atomic(self.folders_file, json.dumps(data, indent=1, ensure_ascii=False) + "\n")

    def _adopt_folder_list(self) -> bool:
        """Add the folders listed in library-folders.json that the catalog lacks (after a rebuild, or
        another process's add); True when some were added and a scan is due."""
        try:
            data = json.loads(self.folders_file.read_text(encoding="utf-8"))
            listed = [(str(f["path"]), f.get("kind", "folder")) for f in data["folders"]]
        except FileNotFoundError:
            return False
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.notice += f" {self.folders_file} cannot be read ({exc}); the catalog's own folder list is used."
            return False
        known = {r[0] for r in self._execute("SELECT path FROM folders")}
        missing = [(p, k if k in KINDS else "folder") for p, k in listed if p not in known]
        if missing:
            with self._lock, self._transaction():
                self._con.executemany("INSERT OR IGNORE INTO folders (path, kind, added) VALUES (?, ?, ?)",
                                      [(p, k, time.time()) for p, k in missing])
        return bool(missing)

    # -- scanning ---------------------------------------------------------------------------------
    def scan(self, folders: Iterable[Folder] | None = None,
             progress: Callable[[Folder, int, int], None] | None = None) -> ScanReport:
        """Update the rows of these folders (default: all) from the disk; see editor.core.catalog.scan."""
        every = self.folders()
        roots = {str(f.path) for f in every}
        report = ScanReport(offline=[], problems=[])
        for folder in (every if folders is None else list(folders)):
            tick = (lambda done, total, f=folder: progress(f, done, total)) if progress else None
            report.merge(_scan().scan_folder(self, folder.id, folder.path, roots - {str(folder.path)}, tick))
        return report

    def rebuild(self, progress: Callable[[Folder, int, int], None] | None = None) -> ScanReport:
        """Forget every photo row and read them all again from the folders and sidecars; a damaged catalog
        (SQLite's quick_check finds a fault) is first kept aside and replaced by a new one."""
        with self._lock:
            try:
                fault = self._execute("PRAGMA quick_check(1)")[0][0]
                if fault != "ok":
                    raise CatalogCorrupt(f"{self.path}: {fault}")
                with self._transaction():
                    self._con.execute("DELETE FROM photos")
            except CatalogCorrupt as exc:
                self._con.close()
                self._replace_damaged(exc)
        self._adopt_folder_list()
        return self.scan(progress=progress)

    def add_photo(self, path: Path) -> Photo | None:
        """Catalog (or refresh) one photo of a catalogued folder, e.g. a tether capture just written."""
        path = _absolute(path)
        folder = self.folder(path)
        if folder is None:
            return None
        st = path.stat()
        car = Path(f"{path}{SIDECAR_SUFFIX}")
        car_mtime = car.stat().st_mtime_ns if car.exists() else 0
        scan = _scan()
        self._write_many(scan.INSERT, [scan.photo_row(str(path), folder.id, st.st_size, st.st_mtime_ns, car_mtime)])
        return self.photo(path)

    # -- marks (sidecar first: it is the truth; a crash in between is healed by the next scan) -----------
    def set_marks(self, path: Path, **values) -> Photo:
        """Set rating and/or flag: written to the sidecar, then to the catalog row. Returns the new row."""
        from editor.core.library import write_marks

        path = _absolute(path)
        write_marks(path, values)
        return self.note_sidecar(path)

    def note_sidecar(self, path: Path) -> Photo | None:
        """Re-read a photo's sidecar into its row (after an edit, rating or look was saved to it)."""
        path = _absolute(path)
        row = self._execute("SELECT size, mtime_ns FROM photos WHERE path = ?", (str(path),))
        if not row:
            return self.add_photo(path)
        car = Path(f"{path}{SIDECAR_SUFFIX}")
        car_mtime = car.stat().st_mtime_ns if car.exists() else 0
        scan = _scan()
        self._write_many(scan.MARKS, [scan.marks_row(str(path), row[0][0], row[0][1], car_mtime)])
        return self.photo(path)

    # -- queries ----------------------------------------------------------------------------------
    def ids(self, where: Filter = Filter()) -> list[int]:
        """Ids of the matching photos in the filter's order (cheap: ~50k ints for a whole library)."""
        return [r[0] for r in self._execute(*_ids_query(where))]

    def count(self, where: Filter = Filter()) -> int:
        clause, values = where.where()
        return self._execute(f"SELECT count(*) FROM photos p{clause}", values)[0][0]

    def photos(self, where: Filter = Filter(), limit: int | None = None, offset: int = 0) -> list[Photo]:
        clause, values = where.where()
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        rows = self._execute(f"SELECT {_prefixed(COLUMNS)} FROM photos p{clause}{where.order()}{page}", values)
        return [Photo.from_row(r) for r in rows]

    def by_ids(self, ids: list[int]) -> list[Photo]:
        """The rows of these ids, in the given order (missing ids are skipped)."""
        found: dict[int, Photo] = {}
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start:start + 500]
            rows = self._execute(f"SELECT {COLUMNS} FROM photos WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update((r[0], Photo.from_row(r)) for r in rows)
        return [found[i] for i in ids if i in found]

    def photos_in(self, folder: Path) -> list[Photo]:
        """The photos directly in `folder` (not its sub-folders), by capture time."""
        return [Photo.from_row(r) for r in self._execute(
            f"SELECT {COLUMNS} FROM photos WHERE dir = ? ORDER BY captured, id", (str(_absolute(folder)),))]

    def photo(self, path: Path) -> Photo | None:
        rows = self._execute(f"SELECT {COLUMNS} FROM photos WHERE path = ?", (str(_absolute(path)),))
        return Photo.from_row(rows[0]) if rows else None

    def values(self, column: str) -> list[str]:
        """The distinct looks or cameras in the catalog, for filter menus."""
        if column not in ("look", "camera", "ext"):
            raise ValueError(f"no menu of {column!r}")
        return [r[0] for r in self._execute(
            f"SELECT DISTINCT {column} FROM photos WHERE {column} IS NOT NULL ORDER BY {column} COLLATE NOCASE")]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error (the connection is in autocommit mode)."""

    def __init__(self, con: sqlite3.Connection, path: Path):
        self.con, self.path = con, path

    def __enter__(self):
        with _damage_named(self.path):
            self.con.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, _tb):
        with _damage_named(self.path):
            if kind is None:
                self.con.execute("COMMIT")
                return
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            if _is_damage(value):
                raise CatalogCorrupt(_damage_message(self.path, value)) from value


def _is_damage(exc) -> bool:
    """SQLite's own words for a damaged file (not 'database is locked', which is a wait that ran out)."""
    return isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorname", "") in (
        "SQLITE_CORRUPT", "SQLITE_NOTADB") or type(exc) is sqlite3.DatabaseError


def _damage_message(path: Path, exc) -> str:
    return (f"{path}: the catalog is damaged ({exc}); `darkslide library rebuild` (or Rebuild in the "
            "library's folder menu) builds it again from your folders and sidecars, with nothing lost")


class _damage_named:
    """Turns SQLite's 'malformed' errors into CatalogCorrupt with a message saying what to do."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, kind, value, _tb):
        if kind is not None and _is_damage(value):
            raise CatalogCorrupt(_damage_message(self.path, value)) from value


def _ids_query(where: Filter) -> tuple[str, list]:
    clause, values = where.where()
    return f"SELECT p.id FROM photos p{clause}{where.order()}", values


def _absolute(path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))


def _prefixed(columns: str) -> str:
    return ", ".join(f"p.{c.strip()}" for c in columns.split(","))


def _move_aside(path: Path) -> Path:
    """Keep a damaged catalog (and its WAL) under a dated name instead of deleting it."""
    kept = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.replace(part, Path(f"{kept}{suffix}"))
    return kept


def ordered_ids(path: Path, where: Filter) -> list[int]:
    """Every matching id in order, read with a read-only connection of its own (for a worker thread)."""
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=15)
    try:
        return [r[0] for r in con.execute(*_ids_query(where))]
    finally:
        con.close()
