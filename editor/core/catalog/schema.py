"""The catalog's SQLite file: opening it safely, its schema version and the migrations between versions.

The schema version is SQLite's `user_version`. A file from a newer Darkslide is refused before anything is
written to it (it is opened read-only to look); an older one is migrated forward in one transaction.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 15_000  # another process (a CLI scan, a tether session) may hold the write lock this long
NOTE = ("A cache of the photos in the folders listed in library-folders.json and of their .darkslide "
        "sidecars, which stay the source of truth. Delete this file to rebuild it; nothing is lost.")


class CatalogError(Exception):
    """The catalog cannot be used; the message names the file and says what to do."""


class CatalogVersionError(CatalogError):
    """The catalog was written by a newer Darkslide; it is left untouched."""


class CatalogCorrupt(CatalogError):
    """The file is not a usable SQLite database (damaged, truncated, or something else entirely)."""


# Each entry brings the schema from version i to i + 1 (index 0: an empty file to version 1).
MIGRATIONS: list[str] = ["""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'folder' CHECK (kind IN ('folder', 'session')),
    added REAL NOT NULL,
    scanned REAL,
    online INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ext TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sidecar_mtime_ns INTEGER NOT NULL DEFAULT 0,
    captured REAL NOT NULL,
    camera TEXT,
    lens TEXT,
    exposure REAL,
    fnumber REAL,
    focal REAL,
    iso INTEGER,
    width INTEGER,
    height INTEGER,
    rating INTEGER NOT NULL DEFAULT 0,
    flag TEXT,
    look TEXT,
    edit_hash TEXT NOT NULL DEFAULT '',
    edited REAL,
    thumb_key TEXT NOT NULL DEFAULT '',
    problem TEXT NOT NULL DEFAULT ''
);
CREATE INDEX photos_folder_captured ON photos (folder_id, captured);
CREATE INDEX photos_captured ON photos (captured);
CREATE INDEX photos_name ON photos (name COLLATE NOCASE);
CREATE INDEX photos_rating ON photos (rating, captured);
CREATE INDEX photos_flag ON photos (flag, captured);
CREATE INDEX photos_look ON photos (look, captured);
CREATE INDEX photos_camera ON photos (camera COLLATE NOCASE);
CREATE INDEX photos_edited ON photos (edited);
CREATE INDEX photos_ext ON photos (ext);
""", """
ALTER TABLE photos ADD COLUMN dir TEXT NOT NULL DEFAULT '';
UPDATE photos SET dir = substr(path, 1, length(path) - length(name) - 1);
CREATE INDEX photos_dir ON photos (dir, captured);
""", """
CREATE INDEX photos_folder_dir ON photos (folder_id, dir);
"""]  # 2: each photo's own folder, for the sub-folders of a catalogued folder; 3: their counts from an index
assert len(MIGRATIONS) == SCHEMA_VERSION


def stored_version(path: Path) -> int:
    """The schema version of an existing catalog, read without writing (raises CatalogCorrupt)."""
    try:
        con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogCorrupt(f"{path}: not a usable catalog ({exc})") from exc
    return version


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating or migrating) the catalog at `path`. Autocommit mode: writers use `BEGIN IMMEDIATE`."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        version = stored_version(path)
        if version > SCHEMA_VERSION:
            raise CatalogVersionError(
                f"{path} was written by a newer Darkslide (catalog schema {version}; this one reads up to "
                f"{SCHEMA_VERSION}). It is left untouched: update Darkslide, or point DARKSLIDE_DATA_DIR at "
                "another folder to use a separate catalog.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                              check_same_thread=False)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes, fast commits
        con.execute("PRAGMA foreign_keys = ON")
        _migrate(con, path)
    except sqlite3.DatabaseError as exc:
        raise CatalogCorrupt(f"{path}: not a usable catalog ({exc})") from exc
    return con


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    con.execute("BEGIN IMMEDIATE")  # one migrator at a time when two processes open a new catalog at once
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # a newer Darkslide created it between our check and our lock
            raise CatalogVersionError(f"{path} was just written by a newer Darkslide (schema {version})")
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    con.execute(statement)
        if version < SCHEMA_VERSION:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('note', ?)", (NOTE,))
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
