"""Small helpers shared by the tether tests."""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time
from pathlib import Path


def md5_of(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_adb(binary: str, home: Path, **env_extra: str):
    """Run Google's `adb` against a server of its own (own port, own HOME and key), so a developer's real
    server is untouched: yields run(*args, check=True) with the server started, and kills it afterwards."""
    env = dict(os.environ, HOME=str(home), ANDROID_ADB_SERVER_PORT=str(free_port()), **env_extra)
    os.makedirs(home, exist_ok=True)

    def run(*args, check=True):
        result = subprocess.run([binary, *args], env=env, capture_output=True, timeout=30)
        if check:
            assert result.returncode == 0, result.stderr.decode()
        return result

    run("start-server")
    try:
        yield run
    finally:
        run("kill-server", check=False)


def adb_connect(adb, serial: str, timeout: float = 15.0) -> bool:
    """`adb connect SERIAL`, then wait up to `timeout` s for it to be listed as a device; True once it is."""
    adb("connect", serial)
    deadline = time.monotonic() + timeout
    while f"{serial}\tdevice" not in adb("devices").stdout.decode():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def looks_at(phone, folder: str = "/sdcard/DCIM/Camera") -> int:
    """How many times anyone STATed `folder` on the simulated phone: a watching session does once per poll."""
    return sum(1 for kind, path in list(phone.sync_requests) if kind in ("STAT", "STA2", "LST2") and path == folder)


def lists_since(phone, mark: int, folder: str = "/sdcard/DCIM/Camera") -> int:
    """LISTs of `folder` the phone received after its `mark`-th sync request (mark = len(phone.sync_requests))."""
    return sum(1 for kind, path in list(phone.sync_requests)[mark:] if kind in ("LIST", "LIS2") and path == folder)


def let_it_look(phone, times: int = 10, folder: str = "/sdcard/DCIM/Camera") -> None:
    """Wait until the phone's `folder` has been looked at `times` more times. The window of a test that checks
    something does NOT happen (a duplicate, an early pull): counted in looks, not seconds, so a loaded machine
    that polls slower gets a longer window instead of one in which nothing could have happened."""
    from test_helpers import wait_for
    seen = looks_at(phone, folder)
    wait_for(lambda: looks_at(phone, folder) >= seen + times, f"{times} more looks at {folder} on the phone")


def wait_events_live(session, folder: str = "/sdcard/DCIM/Camera") -> None:
    """Until the phone's inotifyd stream covers `folder` and the lister has LISTed it since the stream went live
    (its catch-up LIST, for what changed before the watch existed): from then on a capture is announced by its
    event. The lister's own test for that (lister.py, _look) is read, not a count of LISTs: under load the
    follow-up LIST of the session's first look can come before the stream is live, and count as the catch-up."""
    from test_helpers import wait_for
    lister = session.watcher._lister

    def caught_up() -> bool:
        covered = session.watcher.events.covers(folder)
        look = lister._looks.get(folder)
        return covered is not None and look is not None and look.names is not None and look.listed_at >= covered
    wait_for(caught_up, "the inotifyd stream to go live and the catch-up LIST to run")


def no_timed_lists(monkeypatch) -> None:
    """For the tests that check that captures announced by events need no LIST: no safety-net LIST (every
    FULL_LIST_SECONDS, 15 s), which a slow, loaded machine could reach before its few captures are in. The
    0.5 s event grace stays: a spurious distrust under load would be worth seeing (the message says so)."""
    from tether import lister, watcher
    for module in (lister, watcher):
        monkeypatch.setattr(module, "FULL_LIST_SECONDS", 600.0)
