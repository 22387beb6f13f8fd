"""A tether session in its own process, for kill -9 tests: `python fault_child.py PORT KEY SESSION BACKUP [STEP:N]`.

With STEP:N the process kills itself (SIGKILL) at the N-th time the ingest path reaches STEP (see
tether.journal.WriteSeam), e.g. `renamed:1` = after the rename, before the journal records it.
Prints "ready" once the session watches the phone, then one line per capture.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from presets.autolook import AutoLook  # noqa: E402
from presets.store import PresetStore  # noqa: E402
from tether.connection import DeviceConnection  # noqa: E402
from tether.ingest import IngestOptions  # noqa: E402
from tether.journal import WRITES  # noqa: E402
from tether.session import Session  # noqa: E402

LOOK = "Chrome"
PREVIEW_SIZE = 320


def main() -> None:
    port, key, session_dir, backup = sys.argv[1:5]
    if len(sys.argv) > 5:
        step, _, nth = sys.argv[5].partition(":")
        hits = Counter()

        def kill_at(reached: str) -> None:
            hits[reached] += 1
            if reached == step and hits[reached] == int(nth):
                os.kill(os.getpid(), signal.SIGKILL)
        WRITES.action = kill_at
    develop = AutoLook(LOOK, store=PresetStore(Path(session_dir).parent / "presets"), preview_size=PREVIEW_SIZE)
    conn = DeviceConnection(f"127.0.0.1:{port}", key_path=Path(key), auth_timeout=3, io_timeout=3).connect()
    session = Session(conn, Path(session_dir), "kill", poll_interval=0.03, stable_seconds=0.05,
                      ignore_existing=False, options=IngestOptions(backup_dir=Path(backup)), on_capture=lambda c: develop(c.local_path),
                      on_event=lambda kind, **d: print(kind, d.get("message", ""), flush=True) if kind == "error" else None)
    session.start()
    print("ready", flush=True)
    threading.Event().wait(float(os.environ.get("FAULT_CHILD_SECONDS", "30")))
    session.stop()


if __name__ == "__main__":
    main()
