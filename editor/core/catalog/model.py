"""The rows the catalog hands out: a folder (or tether session) and a photo."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Folder:
    id: int
    path: Path
    kind: str  # 'folder' (added by the user) or 'session' (a tether session)
    online: bool  # False while its disk is unplugged: its photos stay listed
    count: int = 0  # photos in it; -1 where it was not counted (Catalog.folder)
    scanned: float | None = None

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


@dataclass(frozen=True)
class Photo:
    """One catalogued photo. Times are seconds since the epoch; exposure in seconds, focal length in mm."""

    id: int
    path: Path
    folder_id: int
    name: str
    ext: str
    size: int
    mtime_ns: int
    captured: float
    camera: str | None = None
    lens: str | None = None
    exposure: float | None = None
    fnumber: float | None = None
    focal: float | None = None
    iso: int | None = None
    width: int | None = None
    height: int | None = None
    rating: int = 0
    flag: str | None = None
    look: str | None = None
    edit_hash: str = ""
    edited: float | None = None
    thumb_key: str = ""
    problem: str = ""

    @classmethod
    def from_row(cls, row: tuple) -> Photo:
        return cls(row[0], Path(row[1]), *row[2:])

    @property
    def stat_key(self) -> tuple[int, int]:
        """(mtime_ns, size) of the original, as editor.core.library.Entry has it (thumbnail caching)."""
        return (self.mtime_ns, self.size)

    def to_entry(self):
        """The library's Entry for this photo (what the grid and the loupe already know how to show)."""
        from editor.core.library import Entry

        return Entry(self.path, self.captured, self.rating, self.flag, self.edit_hash, self.problem, self.stat_key,
                     edited=self.edited or 0.0)


@dataclass
class ScanReport:
    """What one scan found. `offline` lists folders whose disk is missing (their photos were kept)."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    moved: int = 0
    unchanged: int = 0
    offline: list[Path] | None = None
    problems: list[str] | None = None
    seconds: float = 0.0

    def merge(self, other: ScanReport) -> None:
        for name in ("added", "changed", "removed", "moved", "unchanged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.offline = (self.offline or []) + (other.offline or [])
        self.problems = (self.problems or []) + (other.problems or [])
        self.seconds += other.seconds

    def summary(self) -> str:
        text = (f"{self.added} added, {self.changed} changed, {self.moved} moved, {self.removed} removed, "
                f"{self.unchanged} unchanged in {self.seconds:.1f} s")
        if self.offline:
            text += f"; offline (kept): {', '.join(str(p) for p in self.offline)}"
        return text
