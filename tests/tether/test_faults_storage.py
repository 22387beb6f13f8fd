"""A full disk at each write of the ingest path (through the write seam), and on a real small filesystem:
the photographer is told in words, nothing is lost or doubled, and tethering resumes once space is freed."""
from __future__ import annotations

import errno
import sqlite3
import subprocess
import uuid

import pytest

from presets.autolook import AutoLook
from presets.store import PresetStore
from tether.ingest import IngestOptions
from tether.journal import WRITES
from tether.session import Session
from test_faults_kill import STEPS, check_exactly_once
from test_helpers import wait_for

JOURNAL_STEPS = {"intent", "record", "developed", "seq"}


def _full(step: str):
    """What a full disk raises at that step: sqlite's own error for the journal, ENOSPC for files."""
    if step in JOURNAL_STEPS:
        return sqlite3.OperationalError("database or disk is full")
    return OSError(errno.ENOSPC, "No space left on device")


def _session(connect, phone, tmp_path, events, **kw):
    develop = AutoLook("Chrome", store=PresetStore(tmp_path / "presets"), preview_size=240)
    return Session(connect(phone), tmp_path / "s", "full", poll_interval=0.03, stable_seconds=0.05,
                   options=IngestOptions(backup_dir=tmp_path / "backup"), on_capture=lambda c: develop(c.local_path),
                   on_event=lambda kind, **d: events.append((kind, d.get("message", ""))), storage_retry=(0.05, 0.2),
                   **kw)


@pytest.mark.parametrize("step", STEPS)
def test_disk_full_at_each_write_is_reported_and_resumes(phone, connect, tmp_path, step):
    failures = {"left": 2}

    def disk_full(reached: str) -> None:
        if reached == step and failures["left"] > 0:
            failures["left"] -= 1
            raise _full(step)
    events = []
    session = _session(connect, phone, tmp_path, events).start()
    WRITES.action = disk_full
    try:
        shots = [phone.shoot() for _ in range(2)]
        assert session.wait_for_captures(2, 20)
        wait_for(lambda: not session.journal.undeveloped(), "every capture to be developed")
    finally:
        WRITES.action = None
        session.stop()
    assert failures["left"] == 0, "the fault was hit"
    errors = [message for kind, message in events if kind == "error"]
    assert errors and all("is full. Free some space" in m for m in errors), errors
    assert not any("internal error" in m or "OperationalError" in m for m in errors)
    check_exactly_once(tmp_path / "s", tmp_path / "backup", shots)


@pytest.fixture
def small_disk(tmp_path):
    """A real 1.5 MB filesystem (tmpfs), grown later to free space; needs root, skipped otherwise."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_says_so_and_resumes_when_space_is_freed(make_phone, host_key, connect, small_disk):
    phone = make_phone(trusted_keys=[host_key], image_size="small")
    events = []
    develop = AutoLook("Chrome", store=PresetStore(small_disk.parent / "presets"), preview_size=240)
    session = Session(connect(phone), small_disk / "s", "full", poll_interval=0.03, stable_seconds=0.05,
                      options=IngestOptions(backup_dir=small_disk / "backup"),
                      on_capture=lambda c: develop(c.local_path),
                      on_event=lambda kind, **d: events.append((kind, d.get("message", ""))),
                      storage_retry=(0.1, 0.5)).start()
    try:
        shots = [phone.shoot() for _ in range(10)]  # ~100 kB each, twice (backup) plus previews: > 1.5 MB
        wait_for(lambda: any(kind == "error" for kind, _ in events), "the disk to fill up (an error reported)", 20)
        errors = [message for kind, message in events if kind == "error"]
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)  # space freed
        assert session.wait_for_captures(10, 30), f"{len(session.captures)} of 10 after space was freed"
        wait_for(lambda: not session.journal.undeveloped(), "every capture to be developed")
    finally:
        session.stop()
    assert all("is full. Free some space" in m for m in errors), errors
    check_exactly_once(small_disk / "s", small_disk / "backup", shots)
