"""`darkslide library ...`: the catalog from the command line (no GUI, no Qt).

    darkslide library add DIR...            catalog folders (recursively) and read their photos
    darkslide library list [filters]        one path per line (or --long), e.g. for `darkslide export -`
    darkslide library folders               folders and sessions with counts, online or offline
    darkslide library scan                  bring every folder up to date (only changed files are read)
    darkslide library rebuild               read every photo again from the folders and sidecars
    darkslide library remove DIR            forget a folder (its photos and sidecars are not touched)

Exit codes: 0 done, 1 some photos or folders had problems (listed on stderr), 2 unusable catalog or arguments.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

FLAGS = ("pick", "reject", "none")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, metavar="FILE",
                        help="catalog file (default: catalog.sqlite3 in Darkslide's data folder)")
    subs = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = subs.add_parser("add", help="catalog folders (with their sub-folders) and read their photos")
    add.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    add.add_argument("--session", action="store_true", help="these are tether sessions, not folders")
    listing = subs.add_parser("list", help="the matching photos, one path per line")
    add_filter_arguments(listing)
    listing.add_argument("--long", action="store_true", help="a table: time, stars, flag, look, camera, path")
    listing.add_argument("--limit", type=int, metavar="N", help="at most N photos")
    subs.add_parser("folders", help="folders and sessions with photo counts")
    subs.add_parser("scan", help="bring every folder up to date (reads only new or changed files)")
    subs.add_parser("rebuild", help="forget every photo row and read all again from folders and sidecars")
    remove = subs.add_parser("remove", help="forget a folder (photos and sidecars are not touched)")
    remove.add_argument("dirs", nargs="+", type=Path, metavar="DIR")


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filters shared by `library list` and `export --from-library`."""
    parser.add_argument("--rating", type=int, choices=range(6), metavar="N", help="at least N stars")
    parser.add_argument("--flag", choices=FLAGS, help="pick, reject or none (unflagged)")
    parser.add_argument("--look", metavar="NAME", help="photos developed with this look")
    parser.add_argument("--camera", metavar="TEXT", help="camera name contains TEXT (any case)")
    parser.add_argument("--since", metavar="DATE", help="captured on or after DATE (2024-05-06[T18:30])")
    parser.add_argument("--until", metavar="DATE", help="captured on or before DATE (a bare date: that whole day)")
    parser.add_argument("--type", action="append", default=[], metavar="EXT", help="file type, e.g. jpg (repeatable)")
    parser.add_argument("--name", metavar="TEXT", help="file name contains TEXT (any case)")
    parser.add_argument("--folder", type=Path, metavar="DIR",
                        help="only this catalogued folder or session, or a sub-folder of one (with its sub-folders)")
    parser.add_argument("--sort", default="time", choices=("time", "name", "rating", "edited"), help="order (time)")
    parser.add_argument("--reverse", action="store_true", help="reverse the order")


def filter_from(args: argparse.Namespace, catalog):
    """The Filter the arguments describe (raises ValueError with a message for the user)."""
    from editor.core.catalog import Filter, parse_date

    folder_id = under = None
    if args.folder is not None:
        folder = catalog.folder(args.folder)
        if folder is None:
            raise ValueError(f"{args.folder} is not in the library (add it with `darkslide library add`)")
        wanted = args.folder.expanduser().absolute()
        if wanted == folder.path:
            folder_id = folder.id
        else:  # a sub-folder of a catalogued folder: it and the folders below it
            under = str(wanted)
    return Filter(folder_id=folder_id, under=under, rating=args.rating, flag=args.flag, look=args.look, camera=args.camera,
                  since=parse_date(args.since) if args.since else None,
                  until=parse_date(args.until, end=True) if args.until else None,
                  types=tuple(args.type), text=args.name, sort=args.sort, descending=args.reverse)


def open_catalog(path: Path | None):
    from editor.core.catalog import Catalog

    catalog = Catalog(path)
    if catalog.notice:
        print(f"darkslide library: {catalog.notice.strip()}", file=sys.stderr)
    if catalog.needs_scan:
        _report(catalog.scan(progress=_progress()))
    return catalog


def run(args: argparse.Namespace) -> int:
    from editor.core.catalog import CatalogError

    try:
        catalog = open_catalog(args.catalog)
    except CatalogError as exc:
        print(f"darkslide library: {exc}", file=sys.stderr)
        return 2
    try:
        return ACTIONS[args.action](catalog, args)
    except (CatalogError, ValueError) as exc:
        print(f"darkslide library: {exc}", file=sys.stderr)
        return 2
    finally:
        catalog.close()


def _add(catalog, args) -> int:
    folders = [catalog.add_folder(d, "session" if args.session else "folder") for d in args.dirs]
    return _report(catalog.scan(folders, progress=_progress()))


def _list(catalog, args) -> int:
    where = filter_from(args, catalog)
    out = sys.stdout
    for photo in catalog.photos(where, limit=args.limit):
        if args.long:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(photo.captured))
            out.write(f"{when}  {'*' * photo.rating:5}  {photo.flag or '-':6}  {photo.look or '-':16.16}  "
                      f"{photo.camera or '-':20.20}  {photo.path}\n")
        else:
            out.write(f"{photo.path}\n")
    return 0


def _folders(catalog, _args) -> int:
    for folder in catalog.folders():
        state = "online" if folder.online else "OFFLINE"
        print(f"{folder.count:7d}  {folder.kind:7}  {state:7}  {folder.path}")
    return 0


def _scan(catalog, _args) -> int:
    return _report(catalog.scan(progress=_progress()))


def _rebuild(catalog, _args) -> int:
    report = catalog.rebuild(progress=_progress())
    if catalog.notice:
        print(f"darkslide library: {catalog.notice.strip()}", file=sys.stderr)
    return _report(report)


def _remove(catalog, args) -> int:
    missing = [d for d in args.dirs if not catalog.remove_folder(d)]
    for d in missing:
        print(f"darkslide library: {d} was not in the library", file=sys.stderr)
    return 1 if missing else 0


ACTIONS = {"add": _add, "list": _list, "folders": _folders, "scan": _scan, "rebuild": _rebuild, "remove": _remove}


def _report(report) -> int:
    print(report.summary(), file=sys.stderr)
    for problem in report.problems or []:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if report.problems or report.offline else 0


def _progress():
    """Progress on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(folder, done, total):
        sys.stderr.write(f"\r{folder.name}: {done}/{total} photos read")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


class SessionRecorder:
    """Catalogs a terminal tether session and each capture as it lands (called on the session thread, after
    the capture's look was written). A catalog problem is said once and never stops the session:
    `darkslide library add SESSION` catches up later."""

    def __init__(self, out=print, path: Path | None = None):
        import threading

        self.out, self.path = out, path
        self.catalog = None
        self.failed = False
        self._lock = threading.Lock()

    def __call__(self, photo: Path) -> None:
        import sqlite3

        from editor.core.catalog import Catalog, CatalogError
        if self.failed:
            return
        session = Path(photo).parent
        try:
            with self._lock:
                if self.catalog is None:
                    self.catalog = Catalog(self.path)
                if self.catalog.folder(session) is None:
                    self.catalog.add_folder(session, "session")
                self.catalog.add_photo(Path(photo))
        except (CatalogError, sqlite3.Error, OSError) as exc:
            self.failed = True
            self.out(f"Note: the library catalog is not updated ({exc}); `darkslide library add {session}` "
                     "adds this session later")

    def close(self) -> None:
        with self._lock:
            if self.catalog is not None:
                self.catalog.close()
                self.catalog = None
