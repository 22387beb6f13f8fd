"""The catalog as the library views see it: folders and sessions with counts, the filter and sort, and the
matching photos in order. Qt-free; the library panel shows it.

A filter or sort change costs a count and the first page of rows (SQL with LIMIT, answered from an index):
the grid repaints at once. The ordered ids of every matching photo (50,000 ints) are then read on the
runner, and later pages are fetched by id; until they arrive a page is read with LIMIT/OFFSET. Rows are
fetched a page of PAGE at a time when a view first asks for them, so 50k photos cost nothing until
scrolled to. Scans run on the runner with their own connection, so the views keep reading (WAL).
"""
from __future__ import annotations

import dataclasses
from collections import OrderedDict
from pathlib import Path

from editor.app.events import Event, Immediate, Runner
from editor.core.catalog import Catalog, CatalogCorrupt, Filter, Folder, Photo, ScanReport
from editor.core.catalog.catalog import ordered_ids

PAGE = 128  # rows read together: a first screen of the grid is ~30-60
PAGES_KEPT = 128  # ~16k rows in memory at most


def scan_catalog(path: Path, folders: list[Path] | None = None) -> ScanReport:
    """Scan (some of) the catalog's folders with a connection of its own (runs on a worker)."""
    with Catalog(path) as catalog:
        chosen = None if folders is None else [f for f in catalog.folders() if f.path in set(folders)]
        return catalog.scan(chosen)


def rebuild_catalog(path: Path) -> tuple[ScanReport, str]:
    """Rebuild the catalog (replacing it if damaged) with its own connection; (report, notice)."""
    with Catalog(path) as catalog:
        return catalog.rebuild(), catalog.notice


def write_marks(path: Path, photos: list[Path], values: dict) -> tuple[list[Photo], list[str]]:
    """For each photo, sidecar first (the truth), then its catalog row, with a connection of its own (runs
    on a worker). Returns the new rows and a message per photo that could not be marked."""
    done, failed = [], []
    with Catalog(path) as catalog:
        for photo in photos:
            try:
                done.append(catalog.set_marks(photo, **values))
            except (OSError, ValueError) as exc:  # SidecarError is a ValueError; the other photos go on
                failed.append(f"{photo.name}: not saved ({exc})")
    return done, failed


class LibraryController:
    """Events: `changed()` when the list of photos was replaced (filter, sort, scan); `rows_changed(rows)`
    when some rows' data changed; `folders_changed()`; `scanned(report)`; `message(text)`."""

    def __init__(self, catalog: Catalog, runner: Runner | None = None):
        self.catalog = catalog
        self.runner = runner or Immediate()
        self.filter = Filter()
        self.count = 0
        self.ids: list[int] | None = None  # every matching id in order, once read on the runner
        self._generation = 0  # drops the ids of a superseded filter
        self._pages: OrderedDict[int, list[Photo]] = OrderedDict()
        self._rows: dict[int, int] | None = None  # id -> row, built on first use
        self._paths: dict[Path, int] = {}  # path -> row of the photos in the pages held
        self.scanning = False
        self.changed, self.rows_changed, self.folders_changed = Event(), Event(), Event()
        self.scanned, self.message = Event(), Event()
        self.refresh()

    # -- the list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Count the matching photos and read their first page, then their ids in the background."""
        self._generation += 1
        self.ids = None
        self._pages.clear()
        self._paths.clear()
        self._rows = None
        try:
            self.count = self.catalog.count(self.filter)
            self._fetch(0)
        except CatalogCorrupt as exc:  # show an empty library and say how to get it back
            self.count = 0
            self._pages.clear()
            self.message.emit(str(exc))
        self.changed.emit()
        generation = self._generation
        self.runner.run(ordered_ids, self.catalog.path, self.filter,
                        done=lambda ids: self._got_ids(generation, ids),
                        error=lambda _exc: None)  # without the ids, pages keep coming by LIMIT/OFFSET

    def _got_ids(self, generation: int, ids: list[int]) -> None:
        if generation == self._generation:
            self.ids = ids
            self._rows = None

    def set_filter(self, **changes) -> None:
        """Change some of the filter's fields (see editor.core.catalog.Filter), e.g. rating=3, sort='name'."""
        new = dataclasses.replace(self.filter, **changes)
        if new != self.filter:
            self.filter = new
            self.refresh()

    def __len__(self) -> int:
        return self.count

    def photo(self, row: int) -> Photo | None:
        """The photo at `row`, fetching its page of rows on first use."""
        if not 0 <= row < self.count:
            return None
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            try:
                rows = self._fetch(page)
            except CatalogCorrupt as exc:  # damage met while scrolling: say it once, show empty cells
                self._pages[page] = rows = []
                self.message.emit(str(exc))
        else:
            self._pages.move_to_end(page)
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def _fetch(self, page: int) -> list[Photo]:
        if self.ids is None:  # the ids are still being read: an index-ordered LIMIT/OFFSET query
            rows = self.catalog.photos(self.filter, PAGE, page * PAGE)
        else:
            wanted = self.ids[page * PAGE:(page + 1) * PAGE]
            found = {p.id: p for p in self.catalog.by_ids(wanted)}
            rows = [found.get(i) for i in wanted]  # a row deleted meanwhile stays None until the next refresh
        self._pages[page] = rows
        self._paths.update((p.path, page * PAGE + i) for i, p in enumerate(rows) if p is not None)
        while len(self._pages) > PAGES_KEPT:
            gone, old = self._pages.popitem(last=False)
            for photo in old:
                if photo is not None and self._paths.get(photo.path, -1) // PAGE == gone:
                    del self._paths[photo.path]
        return rows

    def held_row(self, path: Path) -> int:
        """The row of a photo whose page is held (-1 otherwise): what a view painted, without a query."""
        return self._paths.get(Path(path), -1)

    def row_of(self, photo_id: int) -> int:
        """The row of a photo: from the ids once read, else among the pages read so far (-1: not known)."""
        if self.ids is None:
            for page, rows in self._pages.items():
                for offset, photo in enumerate(rows):
                    if photo is not None and photo.id == photo_id:
                        return page * PAGE + offset
            return -1
        if self._rows is None:
            self._rows = {pid: row for row, pid in enumerate(self.ids)}
        return self._rows.get(photo_id, -1)

    def row_of_path(self, path: Path) -> int:
        photo = self.catalog.photo(path)
        return -1 if photo is None else self.row_of(photo.id)

    def _replace(self, photo: Photo | None) -> None:
        """Put a changed row into its cached page and say so."""
        if photo is None:
            return
        row = self.row_of(photo.id)
        if row < 0:
            return
        page = self._pages.get(row // PAGE)
        if page is not None:
            page[row % PAGE] = photo
        self.rows_changed.emit([row])

    # -- folders ----------------------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        return self.catalog.folders()

    def subfolders(self, folder: Folder) -> list[tuple[Path, int, int]]:
        """(path, depth below `folder`, photos in it and below) for each sub-folder, as a tree in name order
        (folders that hold only folders are included, so that the tree has no gaps)."""
        totals: dict[Path, int] = {}
        for path, count in self.catalog.subfolders(folder).items():
            if path == folder.path or folder.path not in path.parents:
                continue
            for level in (path, *path.parents):
                if level == folder.path:
                    break
                totals[level] = totals.get(level, 0) + count
        ordered = sorted(totals, key=lambda p: [part.lower() for part in p.relative_to(folder.path).parts])
        return [(p, len(p.relative_to(folder.path).parts) - 1, totals[p]) for p in ordered]

    def show_subfolder(self, path: Path) -> None:
        """Show the photos of one sub-folder and the folders below it."""
        self.set_filter(folder_id=None, under=str(path))

    def total(self) -> int:
        return self.catalog.count()

    def show_folder(self, folder: Folder | None) -> None:
        """Show one folder or session, or None for all photographs."""
        self.set_filter(folder_id=None if folder is None else folder.id, under=None)

    def add_folder(self, path: Path, kind: str = "folder") -> Folder:
        """Catalog a folder (or a tether session) and scan it in the background."""
        folder = self.catalog.add_folder(path, kind)
        self.folders_changed.emit()
        self.scan([folder.path])
        return folder

    def remove_folder(self, folder: Folder) -> None:
        self.catalog.remove_folder(folder.path)
        if self.filter.folder_id == folder.id:
            self.filter = dataclasses.replace(self.filter, folder_id=None)
        self.folders_changed.emit()
        self.refresh()

    def scan(self, folders: list[Path] | None = None) -> None:
        """Bring the catalog up to date with the disk in the background; the views update when it is done."""
        self.scanning = True
        self.message.emit("Reading the library's folders…")
        self.runner.run(scan_catalog, self.catalog.path, folders, done=self._scanned, error=self._scan_failed)

    def rebuild(self) -> None:
        """Read every photo again (a damaged catalog is kept aside and replaced) in the background."""
        self.scanning = True
        self.message.emit("Rebuilding the library from its folders and sidecars…")
        self.runner.run(rebuild_catalog, self.catalog.path, done=self._rebuilt, error=self._scan_failed)

    def _rebuilt(self, result: tuple[ScanReport, str]) -> None:
        report, notice = result
        self.catalog.reopen()  # the file may be a new one
        self._scanned(report)
        self.folders_changed.emit()
        self.refresh()
        if notice:
            self.message.emit(notice)

    def _scanned(self, report: ScanReport) -> None:
        self.scanning = False
        if report.added or report.changed or report.removed or report.moved or report.offline:
            self.folders_changed.emit()
            self.refresh()
        self.scanned.emit(report)
        self.message.emit(f"Library: {report.summary()}")

    def _scan_failed(self, exc: Exception) -> None:
        self.scanning = False
        self.message.emit(f"The library could not be read: {exc}")

    # -- marks and captures -------------------------------------------------------------------------
    def set_marks(self, rows: list[int], **values) -> None:
        """Rate or flag photos: sidecar and catalog are written on the runner; the rows update when done."""
        photos = [p.path for p in map(self.photo, rows) if p is not None]
        if photos:
            self.runner.run(write_marks, self.catalog.path, photos, dict(values), done=self._marked,
                            error=lambda exc: self.message.emit(f"Marks not saved: {exc}"))

    def _marked(self, result: tuple[list[Photo], list[str]]) -> None:
        done, failed = result
        for photo in done:
            self._replace(photo)
        for text in failed[:3]:
            self.message.emit(text)

    def note_sidecar(self, path: Path) -> None:
        """A photo's sidecar was written elsewhere (the editor saved an edit): read it into its row."""
        self._replace(self.catalog.note_sidecar(path))

    def tether_event(self, kind: str, data: dict) -> None:
        """tether.controller events (delivered on this thread): a session is catalogued when it starts,
        each capture when it is ready (after its look was written to the sidecar)."""
        if kind == "connected" and data.get("session_dir") is not None:
            self.add_session(Path(data["session_dir"]))
        elif kind == "capture":
            self.add_capture(Path(data["path"]), data.get("session_dir"))

    def add_session(self, session: Path) -> None:
        if self.catalog.folder(session) is None:
            self.catalog.add_folder(session, "session")
            self.folders_changed.emit()

    def add_capture(self, path: Path, session: Path | None = None) -> None:
        """A tether capture arrived: catalog its session (once) and the photo, and show it."""
        if session is not None:
            self.add_session(Path(session))
        if self.catalog.add_photo(path) is not None:
            self.folders_changed.emit()
            self.refresh()
