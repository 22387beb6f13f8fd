"""Filters and sort orders over the catalog, turned into SQL that the indexes answer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FLAGS = ("pick", "reject", "none")
# sort name -> ORDER BY; each ends with id so equal keys keep a stable order, and each runs in one
# direction so that an index is read forwards or backwards instead of sorting (rating: best and newest
# first; edit time: latest first, never-edited photos (NULL) last)
SORTS = {
    "time": "p.captured, p.id",
    "name": "p.name COLLATE NOCASE, p.id",
    "rating": "p.rating DESC, p.captured DESC, p.id DESC",
    "edited": "p.edited DESC, p.id DESC",
}
COLUMNS = ("id, path, folder_id, name, ext, size, mtime_ns, captured, camera, lens, exposure, fnumber, focal, iso, "
           "width, height, rating, flag, look, edit_hash, edited, thumb_key, problem")


def parse_date(text: str, end: bool = False) -> float:
    """'2024-05-06' or '2024-05-06T07:08' (local time) -> seconds; with `end`, a bare date means its last second."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date (write it as 2024-05-06 or 2024-05-06T18:30)") from exc
    if end and len(text) <= 10:
        return when.timestamp() + 86400 - 1e-3
    return when.timestamp()


@dataclass(frozen=True)
class Filter:
    """Which photos, in which order. Empty fields do not filter. Times are seconds since the epoch."""

    folder_id: int | None = None
    under: str | None = None  # a folder's path: the photos in it and in its sub-folders
    rating: int | None = None  # at least this many stars
    flag: str | None = None  # pick, reject or none (unflagged)
    look: str | None = None  # exact look name
    camera: str | None = None  # part of the camera name, any case
    since: float | None = None
    until: float | None = None
    types: tuple[str, ...] = ()  # file suffixes without the dot: ("jpg", "dng")
    text: str | None = None  # part of the file name, any case
    sort: str = "time"
    descending: bool = False

    def __post_init__(self):
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {self.sort!r}")
        if self.flag is not None and self.flag not in FLAGS:
            raise ValueError(f"flag must be one of {', '.join(FLAGS)}, not {self.flag!r}")
        if self.rating is not None and self.rating not in range(6):
            raise ValueError(f"rating must be 0..5, not {self.rating!r}")

    def where(self) -> tuple[str, list]:
        """The WHERE clause (with ? placeholders) and its values."""
        terms: list[tuple[str, list]] = []
        if self.folder_id is not None:
            terms.append(("p.folder_id = ?", [self.folder_id]))
        if self.under:  # an index range: the folder itself, then every path that starts with "<folder>/"
            root = self.under.rstrip("/")
            terms.append(("(p.dir = ? OR (p.dir >= ? AND p.dir < ?))", [root, root + "/", root + "0"]))
        if self.rating:
            terms.append(("p.rating >= ?", [self.rating]))
        if self.flag == "none":
            terms.append(("p.flag IS NULL", []))
        elif self.flag:
            terms.append(("p.flag = ?", [self.flag]))
        if self.look:
            terms.append(("p.look = ?", [self.look]))
        if self.camera:
            terms.append(("p.camera LIKE ? ESCAPE '\\'", [f"%{_like(self.camera)}%"]))
        if self.since is not None:
            terms.append(("p.captured >= ?", [self.since]))
        if self.until is not None:
            terms.append(("p.captured <= ?", [self.until]))
        if self.types:
            exts = sorted({t.lower().lstrip(".") for t in self.types})
            terms.append((f"p.ext IN ({', '.join('?' * len(exts))})", exts))
        if self.text:
            terms.append(("p.name LIKE ? ESCAPE '\\'", [f"%{_like(self.text)}%"]))
        if not terms:
            return "", []
        return " WHERE " + " AND ".join(t for t, _ in terms), [v for _, vs in terms for v in vs]

    def order(self) -> str:
        order = SORTS[self.sort]
        if self.descending:
            order = ", ".join(_flip(term) for term in order.split(", "))
        return " ORDER BY " + order


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _flip(term: str) -> str:
    if term.endswith(" DESC"):
        return term[:-5]
    return term + " DESC"
