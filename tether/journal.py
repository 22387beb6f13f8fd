"""SQLite journal in the session folder: what was ingested, what is being renamed, and the {seq} counter.

A capture is identified by (device serial, device path, size, mtime). Landing one is a recoverable step:

1. the verified temporary file is fsynced, then an *intent* row (final name, md5, backup name) is committed;
2. the temporary file is renamed to its final name (and copied to the backup folder);
3. one transaction turns the intent into a `captures` row (developed = 0);
4. once the look hook has written the sidecar and preview, the row is marked developed.

A kill, a power cut or a full disk between any two steps leaves an intent (or an undeveloped capture) that
`ingest.reconcile()` and the session finish on the next start, by size and md5 of what is on disk. An intent
counts as ingested, so the phone's file is never pulled a second time while it is being finished.
Commits are synchronous=FULL: an intent must be on disk before the rename it announces.
"""
from __future__ import annotations

import errno
import functools
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import LocalStorageError

JOURNAL_NAME = ".darkslide-journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    device_serial TEXT NOT NULL, device_path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
    md5 TEXT NOT NULL, local_path TEXT NOT NULL, seq INTEGER NOT NULL, ingested_at REAL NOT NULL,
    UNIQUE (device_serial, device_path, size, mtime)
);
CREATE TABLE IF NOT EXISTS shots (
    device_serial TEXT NOT NULL, shot_key TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (device_serial, shot_key)
);
CREATE TABLE IF NOT EXISTS intents (
    device_serial TEXT NOT NULL, device_path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
    md5 TEXT NOT NULL, local_path TEXT NOT NULL, backup_path TEXT, seq INTEGER NOT NULL,
    PRIMARY KEY (device_serial, device_path, size, mtime)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# 0 = landed, look not yet applied; 1 = developed (or no hook); 2 = the hook refused the file (reported once)
DEVELOPED_PENDING, DEVELOPED_DONE, DEVELOPED_FAILED = 0, 1, 2
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


class WriteSeam:
    """Fault-injection seam around every local write of the ingest path (tests set `action`).

    `hit(step)` is called just before each write: "seq", "pull", "fsync", "intent", "rename", "renamed",
    "backup", "record", "develop", "developed". The action may raise OSError(ENOSPC) or kill the process.
    """

    def __init__(self):
        self.action = None

    def hit(self, step: str) -> None:
        if self.action is not None:
            self.action(step)


WRITES = WriteSeam()


def storage_message(where: Path, exc: BaseException) -> str:
    """A local write failure in words; a full disk is named as such, with what to do."""
    text = str(getattr(exc, "strerror", None) or exc)
    full = getattr(exc, "errno", None) in _NO_SPACE or "full" in text.lower()
    if full:
        return (f"The disk holding {where} is full. Free some space there; tethering resumes by itself "
                "(nothing is lost: the photos stay on the phone until they are saved).")
    return f"Cannot write to {where}: {text}."


@dataclass(frozen=True)
class JournalEntry:
    device_serial: str
    device_path: str
    size: int
    mtime: int
    md5: str
    local_path: str
    seq: int
    ingested_at: float


@dataclass(frozen=True)
class Intent:
    device_serial: str
    device_path: str
    size: int
    mtime: int
    md5: str
    local_path: str
    backup_path: str | None
    seq: int

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.device_serial, self.device_path, self.size, self.mtime)


def _guarded(method):
    """sqlite3 errors (full disk, read-only folder) leave as LocalStorageError with a message in words."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise LocalStorageError(storage_message(self.path.parent, exc)) from exc
    return wrapper


class Journal:
    def __init__(self, session_dir: Path):
        self.path = Path(session_dir) / JOURNAL_NAME
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(captures)")}
            if "developed" not in columns:  # journals written before the look was tracked count as developed
                self._db.execute("ALTER TABLE captures ADD COLUMN developed INTEGER NOT NULL DEFAULT 1")
        except sqlite3.Error as exc:
            raise LocalStorageError(storage_message(self.path.parent, exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self, statements) -> None:
        """Run (sql, params) pairs atomically."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    @_guarded
    def is_ingested(self, serial: str, device_path: str, size: int, mtime: int) -> bool:
        """Recorded, or announced by an intent that a restart will finish (never pulled twice)."""
        key = (serial, device_path, size, mtime)
        where = "WHERE device_serial=? AND device_path=? AND size=? AND mtime=?"
        with self._lock:
            row = (self._db.execute(f"SELECT 1 FROM captures {where}", key).fetchone()
                   or self._db.execute(f"SELECT 1 FROM intents {where}", key).fetchone())
        return row is not None

    @_guarded
    def peek_next_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
        return int(row[0]) if row else 1

    @_guarded
    def seq_for_shot(self, serial: str, shot_key: str) -> int:
        """The JPEG and DNG of one shot share a number; a new shot takes the next one (atomically)."""
        WRITES.hit("seq")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT seq FROM shots WHERE device_serial=? AND shot_key=?",
                                       (serial, shot_key)).fetchone()
                if row:
                    seq = row[0]
                else:
                    got = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
                    seq = int(got[0]) if got else 1
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('next_seq', ?)", (str(seq + 1),))
                    self._db.execute("INSERT INTO shots VALUES (?, ?, ?)", (serial, shot_key, seq))
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return seq

    # ---- the recoverable landing step ------------------------------------
    @_guarded
    def intend(self, intent: Intent) -> None:
        WRITES.hit("intent")
        self._transaction([("INSERT OR REPLACE INTO intents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (*intent.key, intent.md5, intent.local_path, intent.backup_path, intent.seq))])

    @_guarded
    def intents(self) -> list[Intent]:
        with self._lock:
            rows = self._db.execute("SELECT device_serial, device_path, size, mtime, md5, local_path, backup_path, "
                                    "seq FROM intents").fetchall()
        return [Intent(*row) for row in rows]

    @_guarded
    def commit_intent(self, intent: Intent, developed: int = DEVELOPED_PENDING) -> None:
        """The file is under its final name: record it and drop the intent in one transaction."""
        WRITES.hit("record")
        self._transaction([
            ("INSERT OR IGNORE INTO captures (device_serial, device_path, size, mtime, md5, local_path, seq, "
             "ingested_at, developed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
             (*intent.key, intent.md5, intent.local_path, intent.seq, time.time(), developed)),
            ("DELETE FROM intents WHERE device_serial=? AND device_path=? AND size=? AND mtime=?", intent.key)])

    @_guarded
    def drop_intent(self, intent: Intent) -> None:
        """The announced file never landed (its temporary copy was lost): the capture is pulled again."""
        self._transaction([("DELETE FROM intents WHERE device_serial=? AND device_path=? AND size=? AND mtime=?",
                            intent.key)])

    @_guarded
    def record(self, serial: str, device_path: str, size: int, mtime: int, md5: str, local_path: str, seq: int,
               developed: int = DEVELOPED_DONE) -> None:
        """Record a capture directly (imports of existing files whose step is already complete)."""
        self._transaction([("INSERT OR IGNORE INTO captures (device_serial, device_path, size, mtime, md5, "
                            "local_path, seq, ingested_at, developed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (serial, device_path, size, mtime, md5, local_path, seq, time.time(), developed))])

    @_guarded
    def mark_developed(self, local_path: str, state: int = DEVELOPED_DONE) -> None:
        WRITES.hit("developed")
        self._transaction([("UPDATE captures SET developed=? WHERE local_path=?", (state, local_path))])

    @_guarded
    def undeveloped(self) -> list[JournalEntry]:
        """Captures that landed but whose look sidecar and preview were not finished (a crash, a full disk)."""
        with self._lock:
            rows = self._db.execute("SELECT device_serial, device_path, size, mtime, md5, local_path, seq, ingested_at "
                                    "FROM captures WHERE developed=? ORDER BY id", (DEVELOPED_PENDING,)).fetchall()
        return [JournalEntry(*row) for row in rows]

    @_guarded
    def local_paths(self) -> set[str]:
        with self._lock:
            rows = self._db.execute("SELECT local_path FROM captures UNION SELECT local_path FROM intents").fetchall()
        return {row[0] for row in rows}

    # ---- meta --------------------------------------------------------------
    @_guarded
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @_guarded
    def set_meta(self, key: str, value: str) -> None:
        self._transaction([("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))])

    @_guarded
    def entries(self) -> list[JournalEntry]:
        with self._lock:
            rows = self._db.execute("SELECT device_serial, device_path, size, mtime, md5, local_path, seq, ingested_at "
                                    "FROM captures ORDER BY id").fetchall()
        return [JournalEntry(*row) for row in rows]

    @_guarded
    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
