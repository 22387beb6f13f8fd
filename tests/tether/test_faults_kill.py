"""kill -9 at random instants and at every step of landing a capture: each shot lands exactly once, whole,
with its look sidecar and preview, and no temporary file survives (session, previews or backup folder)."""
from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from editor.core import sidecar
from tether.journal import Journal
from tether_helpers import md5_of

CHILD = Path(__file__).with_name("fault_child.py")
# The steps of landing (tether.journal.WriteSeam); "renamed" is between the rename and the journal record.
STEPS = ["renamed", "record", "intent", "rename", "backup", "develop", "developed", "fsync", "pull", "seq"]


def _start_child(phone, key, session, backup, kill_at=None) -> subprocess.Popen:
    args = [sys.executable, str(CHILD), str(phone.port), str(key), str(session), str(backup)]
    proc = subprocess.Popen(args + ([kill_at] if kill_at else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    return proc


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".jpg" and not p.name.startswith("."))


def check_exactly_once(session_dir: Path, backup: Path, shots) -> None:
    """0 lost, 0 duplicated, 0 corrupt, 0 temps, every capture developed."""
    expected = Counter(s.md5 for s in shots)
    landed = _images(session_dir)
    assert Counter(md5_of(p) for p in landed) == expected, "each shot exactly once, byte for byte"
    assert Counter(md5_of(p) for p in _images(backup)) == expected, "and once in the backup folder"
    temps = [p for folder in (session_dir, session_dir / ".previews", backup) for p in folder.glob("*.tmp")]
    assert temps == []
    for photo in landed:
        assert sidecar.path_for(photo).exists(), f"{photo.name} has its look sidecar"
        assert sidecar.load(photo).history.steps[-1].label.startswith("Look: "), photo.name
        assert (session_dir / ".previews" / f"{photo.name}.jpg").stat().st_size > 0, f"{photo.name} has a preview"
    journal = Journal(session_dir)
    try:
        assert journal.count() == len(shots) and journal.intents() == [] and journal.undeveloped() == []
    finally:
        journal.close()


@pytest.mark.slow
def test_kill_9_at_every_step_and_at_random_instants(make_phone, host_key, tmp_path):
    rng = random.Random(1234)
    phone = make_phone(trusted_keys=[host_key], write_duration=0.02, write_steps=2)
    session, backup = tmp_path / "session", tmp_path / "backup"
    shooting = threading.Event()
    shooting.set()

    def shutter() -> None:  # the photographer keeps shooting while the desktop crashes
        while shooting.is_set():
            phone.shoot()
            time.sleep(rng.uniform(0.2, 0.6))
    shooter = threading.Thread(target=shutter, daemon=True)
    shooter.start()
    kills = 0
    try:
        plan = [f"{step}:{rng.randint(1, 2)}" for step in STEPS] + [f"renamed:{n}" for n in (1, 2, 3)]
        plan += [None] * 9  # random instants
        rng.shuffle(plan)
        for kill_at in plan:
            child = _start_child(phone, host_key, session, backup, kill_at)
            if kill_at is None:
                assert child.stdout.readline().strip() == "ready"
                time.sleep(rng.uniform(0.0, 0.6))
                child.kill()
            try:
                rc = child.wait(timeout=15)
            except subprocess.TimeoutExpired:  # the seam was not reached in time: kill it here instead
                child.kill()
                rc = child.wait()
            output = child.stdout.read()
            assert "Traceback" not in output and "internal error" not in output, output
            assert rc == -9, output
            kills += 1
    finally:
        shooting.clear()
        shooter.join()
    for shot in phone.camera.shots:
        assert shot.done.wait(15), "every shot written on the phone"
    time.sleep(1.1)  # older than a sidecar write in progress: the restart may clean its temp
    assert kills >= 20
    # The last start finishes what the kills left and ingests the rest.
    final = _start_child(phone, host_key, session, backup)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(_images(session)) >= len(phone.camera.shots) and not list(session.glob("*.tmp")):
                journal = Journal(session)
                done = journal.undeveloped() == [] and journal.count() == len(phone.camera.shots)
                journal.close()
                if done:
                    break
            time.sleep(0.2)
    finally:
        final.terminate()
        final.wait(10)
    check_exactly_once(session, backup, phone.camera.shots)
