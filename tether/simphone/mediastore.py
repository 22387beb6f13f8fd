"""MediaStore as `content query` shows it: one row per published photo or video in DCIM/Camera.

The camera app inserts its row when the shot starts (IS_PENDING=1, `date_added` = that moment) and
publishes it when the file is complete; pending rows are left out of queries, as MediaStore does by
default (QUERY_ARG_MATCH_PENDING = MATCH_EXCLUDE). So a row can appear *after* rows with a later
`date_added` — a host polling `date_added > last` must allow for the write time. Files that appear any
other way (adb push, a test) are picked up by the next query with `date_added` = that moment, like the
media scanner; files already there when the phone starts keep their mtime.

Command (AOSP frameworks/base/cmds/content):
    content query --uri content://media/external/images/media [--projection a:b] [--where "..."] [--sort "col DESC"]
Output: `Row: N col=value, col=value` per row, or `No result found.`
"""
from __future__ import annotations

import mimetypes
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("_id", "_display_name", "relative_path", "_data", "_size", "mime_type", "date_added",
           "date_modified", "datetaken", "is_pending", "volume_name")
_URIS = {"content://media/external/images/media": "image", "content://media/external_primary/images/media": "image",
         "content://media/external/video/media": "video", "content://media/external/file": "",
         "content://media/external_primary/file": ""}
_MIME = {".dng": "image/x-adobe-dng", ".heic": "image/heif", ".jpg": "image/jpeg", ".mp4": "video/mp4"}
_CLAUSE = re.compile(r"\s*(\w+)\s*(>=|<=|!=|<>|=|>|<|\bLIKE\b)\s*('(?:[^']|'')*'|-?\d+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Volume:
    """A storage volume's camera folder: internal storage ("external_primary" at /storage/emulated/0) or an
    SD card (its lower-case id, at /storage/XXXX-XXXX)."""
    folder: Path
    name: str = "external_primary"
    root: str = "/storage/emulated/0"
    relative_path: str = "DCIM/Camera/"


@dataclass
class Row:
    id: int
    path: Path
    date_added: int
    volume: Volume
    pending: bool = False


class QueryError(ValueError):
    pass


class MediaStore:
    def __init__(self, *volumes: Volume):
        self.volumes = list(volumes)
        self._lock = threading.Lock()
        self._rows: dict[Path, Row] = {}
        self._next_id = 1000
        self._scanned = False

    # ---- the camera app --------------------------------------------------
    def insert_pending(self, path: Path, when: float) -> None:
        with self._lock:
            self._scan_locked()
            self._add(path, int(when), pending=True)

    def publish(self, path: Path) -> None:
        with self._lock:
            row = self._rows.get(path)
            if row is not None:
                row.pending = False

    def _volume_of(self, path: Path) -> Volume:
        return next((v for v in self.volumes if path.parent in (v.folder, v.folder / "RAW")), self.volumes[0])

    def _add(self, path: Path, date_added: int, pending: bool = False) -> Row:
        row = self._rows.get(path)
        if row is None:
            row = self._rows[path] = Row(self._next_id, path, date_added, self._volume_of(path), pending)
            self._next_id += 1
        return row

    # ---- the media scanner --------------------------------------------------
    def _scan_locked(self) -> None:
        found = []
        for directory in [d for v in self.volumes for d in (v.folder, v.folder / "RAW")]:
            try:
                with os.scandir(directory) as it:
                    found += [Path(e.path) for e in it if e.is_file(follow_symlinks=False) and not e.name.startswith(".")]
            except OSError:
                continue
        present = set(found)
        for path in [p for p, row in self._rows.items() if p not in present and not row.pending]:
            del self._rows[path]  # deleted on the phone
        new = [p for p in found if p not in self._rows]
        if not self._scanned:  # the first scan: what the phone had before, in the order it was taken
            new.sort(key=lambda p: (p.stat().st_mtime, p.name))
        for path in new:
            self._add(path, int(path.stat().st_mtime) if not self._scanned else int(time.time()))
        self._scanned = True

    # ---- queries ----------------------------------------------------------------
    def _cheap_values(self, row: Row) -> dict:
        """The columns MediaStore keeps in its table (no file access needed)."""
        volume = row.volume
        rel = volume.relative_path + ("RAW/" if row.path.parent.name == "RAW" else "")
        mime = _MIME.get(row.path.suffix.lower()) or mimetypes.guess_type(row.path.name)[0] or "application/octet-stream"
        return {"_id": row.id, "_display_name": row.path.name, "relative_path": rel,
                "_data": f"{volume.root}/{rel}{row.path.name}", "mime_type": mime,
                "date_added": row.date_added, "is_pending": int(row.pending), "volume_name": volume.name}

    @staticmethod
    def _add_file_values(values: dict, path: Path) -> dict | None:
        try:
            st = path.stat()
        except OSError:
            return None  # deleted since the scan
        values.update(_size=st.st_size, date_modified=int(st.st_mtime), datetaken=int(st.st_mtime * 1000))
        return values

    def query(self, uri: str, projection: list[str] | None = None, where: str | None = None,
              sort: str | None = None) -> list[dict]:
        if uri not in _URIS:
            raise QueryError(f"Unsupported or unknown URI {uri}")
        kind = _URIS[uri]
        columns = projection or list(COLUMNS)
        unknown = [c for c in columns if c not in COLUMNS]
        if unknown:
            raise QueryError(f"no such column: {unknown[0]}")
        clauses = _parse_where(where) if where else []
        cheap = [c for c in clauses if c[0] not in _FILE_COLUMNS]
        costly = [c for c in clauses if c[0] in _FILE_COLUMNS]
        with self._lock:
            self._scan_locked()
            rows = [r for r in self._rows.values() if not r.pending]
        values = []
        for row in rows:  # the table's own columns first, so a `date_added > N` poll stats only new files
            v = self._cheap_values(row)
            if v["mime_type"].startswith(kind) and _matches(v, cheap):
                v = self._add_file_values(v, row.path)
                if v is not None and _matches(v, costly):
                    values.append(v)
        key, descending = _parse_sort(sort)
        values.sort(key=lambda v: v[key], reverse=descending)
        return [{c: v[c] for c in columns} for v in values]


_FILE_COLUMNS = {"_size", "date_modified", "datetaken"}


def _matches(values: dict, clauses) -> bool:
    return all(_compare(values[c], op, v) for c, op, v in clauses)


def _parse_where(where: str) -> list[tuple[str, str, object]]:
    clauses = []
    for part in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
        m = _CLAUSE.fullmatch(part)
        if not m or m.group(1) not in COLUMNS:
            raise QueryError(f"near \"{part.strip()}\": syntax error (the simulated MediaStore understands "
                             "COLUMN OP VALUE joined by AND)")
        column, op, raw = m.group(1), m.group(2).upper(), m.group(3)
        value = raw[1:-1].replace("''", "'") if raw.startswith("'") else int(raw)
        clauses.append((column, op, value))
    return clauses


def _compare(actual, op: str, expected) -> bool:
    if op == "LIKE":
        pattern = re.escape(str(expected)).replace("%", ".*").replace("_", ".")
        return re.fullmatch(pattern, str(actual), re.IGNORECASE) is not None
    if isinstance(expected, str):
        actual = str(actual)
    return {"=": actual == expected, "!=": actual != expected, "<>": actual != expected, ">": actual > expected,
            "<": actual < expected, ">=": actual >= expected, "<=": actual <= expected}[op]


def _parse_sort(sort: str | None) -> tuple[str, bool]:
    if not sort:
        return "_id", False
    parts = sort.split()
    if parts[0] not in COLUMNS or len(parts) > 2 or (len(parts) == 2 and parts[1].upper() not in ("ASC", "DESC")):
        raise QueryError(f"bad sort order {sort!r}")
    return parts[0], len(parts) == 2 and parts[1].upper() == "DESC"


def format_rows(rows: list[dict]) -> str:
    if not rows:
        return "No result found.\n"
    return "".join(f"Row: {i} " + ", ".join(f"{k}={v}" for k, v in row.items()) + "\n" for i, row in enumerate(rows))
