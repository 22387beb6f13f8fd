"""SQLite journal in the session folder: what was ingested, and the counter behind {seq}.

A capture is identified by (device serial, device path, size, mtime). It is recorded only after the
local file was verified and renamed into place, so a crash mid-pull leaves nothing recorded and the
capture is pulled again from scratch.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


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


class Journal:
    def __init__(self, session_dir: Path):
        self.path = Path(session_dir) / JOURNAL_NAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def is_ingested(self, serial: str, device_path: str, size: int, mtime: int) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM captures WHERE device_serial=? AND device_path=? AND size=? AND mtime=?",
                                   (serial, device_path, size, mtime)).fetchone()
        return row is not None

    def peek_next_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
        return int(row[0]) if row else 1

    def seq_for_shot(self, serial: str, shot_key: str) -> int:
        """The JPEG and DNG of one shot share a number; a new shot takes the next one (atomically)."""
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
                self._db.execute("ROLLBACK")
                raise
        return seq

    def record(self, serial: str, device_path: str, size: int, mtime: int, md5: str, local_path: str, seq: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO captures (device_serial, device_path, size, mtime, md5, local_path, "
                             "seq, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (serial, device_path, size, mtime, md5, local_path, seq, time.time()))

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def entries(self) -> list[JournalEntry]:
        with self._lock:
            rows = self._db.execute("SELECT device_serial, device_path, size, mtime, md5, local_path, seq, ingested_at "
                                    "FROM captures ORDER BY id").fetchall()
        return [JournalEntry(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
