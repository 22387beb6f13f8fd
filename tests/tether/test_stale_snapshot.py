"""Issue #14, "no silent stall": a capture announced by the phone's inotifyd must not wait for the safety-net
LIST because a LIST that started before the capture existed is handed over after the event was applied.

The lister's 15 s safety-net LIST of a 10,000-file roll takes ~0.45 s (longer under load); a capture whose
`.pending-…` file is created after that LIST read the folder and renamed before its snapshot is handed over
was tracked from its event, then dropped as "deleted on the phone" by the older snapshot, and with it the
pending name: nothing looked at it again until the next safety-net LIST, 15 s later. Fakes stand in for the
connection, the lister and the event stream, so the order of events is exact."""
from __future__ import annotations

import stat as statmod
import time

from tether.connection import RemoteEntry
from tether.watcher import Watcher

CAMERA = "/sdcard/DCIM/Camera"
REG = statmod.S_IFREG | 0o644


class FakeConnection:
    io_timeout = 1.0

    def __init__(self):
        self.files: dict[str, RemoteEntry] = {}

    def stat(self, path):
        if path == CAMERA:
            return RemoteEntry("Camera", statmod.S_IFDIR | 0o755, 0, 1)
        return self.files.get(path)


class FakeLister:
    refused = False
    lists = 0

    def __init__(self):
        self.snapshots: dict[str, tuple[dict, float]] = {}

    def has_listed(self, folder):
        return True

    def take(self, folder, wait=0.0):
        return self.snapshots.pop(folder, None)


class FakeEvents:
    def __init__(self):
        self.queue = []

    def drain(self):
        out, self.queue = self.queue, []
        return out


def _watcher():
    conn, lister, events = FakeConnection(), FakeLister(), FakeEvents()
    watcher = Watcher(conn, folders=[CAMERA])
    watcher._lister, watcher._events = lister, events
    roll = {f"OLD_{i}.jpg": (REG, 1000, 100) for i in range(3)}
    lister.snapshots[CAMERA] = (roll, time.monotonic())
    watcher.poll()  # the baseline LIST
    return watcher, conn, lister, events, roll


def test_an_announced_capture_survives_a_list_that_started_before_it():
    watcher, conn, lister, events, roll = _watcher()
    list_started = time.monotonic()  # the safety-net LIST reads the folder: the capture is not there yet
    pending = ".pending-1700000000-PXL_1.jpg"
    events.queue += [(CAMERA, pending, "n")]
    watcher.poll()
    conn.files[f"{CAMERA}/PXL_1.jpg"] = RemoteEntry("PXL_1.jpg", REG, 5000, 200)  # renamed: whole
    events.queue += [(CAMERA, pending, "m"), (CAMERA, "PXL_1.jpg", "y")]
    lister.snapshots[CAMERA] = (dict(roll), list_started)  # ...handed over only now
    watcher.poll()
    watcher.poll()
    ready = watcher.ready(lambda remote: False)
    assert [f.name for f in ready] == ["PXL_1.jpg"] and ready[0].whole


def test_a_pending_name_announced_after_the_list_started_is_still_stated():
    watcher, conn, lister, events, roll = _watcher()
    list_started = time.monotonic()
    events.queue += [(CAMERA, ".pending-1700000000-PXL_2.jpg", "n")]
    watcher.poll()
    lister.snapshots[CAMERA] = (dict(roll), list_started)  # older than the pending file's event
    watcher.poll()
    conn.files[f"{CAMERA}/PXL_2.jpg"] = RemoteEntry("PXL_2.jpg", REG, 5000, 200)  # its rename event is lost
    watcher.poll()
    assert [f.name for f in watcher.ready(lambda remote: False)] == ["PXL_2.jpg"]


def test_a_file_the_list_no_longer_shows_is_still_forgotten():
    watcher, conn, lister, events, roll = _watcher()
    conn.files[f"{CAMERA}/PXL_3.jpg"] = RemoteEntry("PXL_3.jpg", REG, 5000, 200)
    events.queue += [(CAMERA, "PXL_3.jpg", "y")]
    watcher.poll()
    assert f"{CAMERA}/PXL_3.jpg" in watcher.files
    del conn.files[f"{CAMERA}/PXL_3.jpg"]  # deleted on the phone, and its event lost
    lister.snapshots[CAMERA] = (dict(roll), time.monotonic())  # a LIST that started after: it is gone
    watcher.poll()
    assert f"{CAMERA}/PXL_3.jpg" not in watcher.files


class FakeSync:
    def __init__(self):
        self.mtime, self.names, self.lists = 100, [b"OLD_0.jpg"], 0

    def stat(self, path):
        return (statmod.S_IFDIR | 0o755, 0, self.mtime)

    def list(self, path):
        self.lists += 1
        return [(name, REG, 1000, 100) for name in self.names]


class FakeFolderEvents:
    def __init__(self):
        self.live_since: float | None = 0.0
        self.last = float("-inf")

    def covers(self, folder):
        return self.live_since

    def last_event(self, folder):
        return self.last

    def take_announced(self, folder):
        return set()

    def distrust(self, reason):
        raise AssertionError(f"not blind: {reason}")


def test_a_change_trusted_to_events_is_listed_at_once_when_the_stream_ends():
    from tether.lister import Lister

    events, fast = FakeFolderEvents(), FakeSync()
    lister = Lister(lambda: fast, events=events)
    lister.reset([CAMERA])
    lister._look(fast, CAMERA, lister._generation)  # the first LIST
    lister._looks[CAMERA].sweep = False  # (its follow-up a second later is not what this test is about)
    assert fast.lists == 1
    events.last = time.monotonic()  # an event for the previous capture, just now...
    fast.mtime, fast.names = 101, fast.names + [b"PXL_4.jpg"]  # ...so this change is taken as announced
    lister._look(fast, CAMERA, lister._generation)
    assert fast.lists == 1, "a change an event explains needs no LIST"
    events.live_since = None  # the stream ended: PXL_4's own event may have been lost with it
    lister._look(fast, CAMERA, lister._generation)
    assert fast.lists == 2 and "PXL_4.jpg" in lister.take(CAMERA)[0]
