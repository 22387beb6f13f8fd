"""Watcher + verified ingest end to end: simulated phone -> adb-shell over TCP -> session folder."""
from __future__ import annotations

import os
import time

import pytest

from tether.journal import Journal
from tether.session import Session

from tether_helpers import let_it_look, lists_since, md5_of
from test_helpers import wait_for


def _images(folder):
    return sorted(p for p in folder.iterdir() if p.suffix in (".jpg", ".dng"))


def test_burst_of_20_no_loss_no_duplicates(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "session", "burst", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        shots = [phone.shoot() for _ in range(20)]
        assert session.wait_for_captures(20, timeout=30), f"only {len(session.captures)} of 20 arrived"
        let_it_look(phone)  # anything extra (a duplicate) would arrive now
    finally:
        session.stop()
    files = _images(tmp_path / "session")
    assert len(files) == 20 and len(session.captures) == 20
    assert sorted(md5_of(f) for f in files) == sorted(s.md5 for s in shots)
    assert [f.name for f in files] == [f"burst_{i:04d}.jpg" for i in range(1, 21)]
    assert not list((tmp_path / "session").glob("*.tmp"))


def test_restart_does_not_pull_again(phone, connect, tmp_path):
    session_dir = tmp_path / "s"
    first = Session(connect(phone), session_dir, poll_interval=0.05, stable_seconds=0.1).start()
    for _ in range(3):
        phone.shoot()
    assert first.wait_for_captures(3, 10)
    first.stop()
    pulls_before = sum(1 for kind, _ in phone.sync_requests if kind == "RECV")
    phone.shoot().done.wait(5)  # shot while the app was closed

    second = Session(connect(phone), session_dir, poll_interval=0.05, stable_seconds=0.1).start()
    try:
        assert second.wait_for_captures(1, 10)
        let_it_look(phone, 12)
    finally:
        second.stop()
    assert len(second.captures) == 1, "only the shot taken while closed is new"
    assert sum(1 for kind, _ in phone.sync_requests if kind == "RECV") == pulls_before + 1
    assert second.captures[0].local_path.name.endswith("_0004.jpg"), "the counter survives the restart"
    assert len(_images(session_dir)) == 4
    assert Journal(session_dir).count() == 4


def test_existing_photos_are_not_new_captures_but_can_be_imported(phone, connect, tmp_path):
    old = [phone.shoot() for _ in range(2)]
    for shot in old:
        shot.done.wait(5)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        new = phone.shoot()
        assert session.wait_for_captures(1, 10)
        let_it_look(phone, 8)
    finally:
        session.stop()
    assert [c.md5 for c in session.captures] == [new.md5]

    importer = Session(connect(phone), tmp_path / "s")
    existing = importer.list_existing()
    assert len(existing) == 3 and existing[0].mtime >= existing[-1].mtime
    imported = importer.import_existing(existing)
    importer.stop()
    assert sorted(c.md5 for c in imported) == sorted(s.md5 for s in old)


def test_file_still_being_written_is_not_pulled_early(phone, connect, tmp_path):
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        # 3 chunks with 0.6 s pauses: longer than the stability window, so the size looks stable mid-write.
        shot = phone.shoot(write_steps=3, write_duration=1.2)
        assert session.wait_for_captures(1, 10)
        let_it_look(phone, 6)
    finally:
        session.stop()
    assert len(session.captures) == 1
    assert session.captures[0].md5 == shot.md5
    assert session.captures[0].size == shot.size
    assert md5_of(session.captures[0].local_path) == shot.md5


def test_jpeg_and_dng_pair_share_a_name_and_jpegs_go_first(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], with_dng=True)
    shots = [phone.shoot() for _ in range(2)]
    for s in shots:
        s.done.wait(5)
    # Everything is ready at the first poll, so the order is pure scheduling priority.
    session = Session(connect(phone), tmp_path / "s", "pair", poll_interval=0.05, stable_seconds=0.1,
                      ignore_existing=False).start()
    try:
        assert session.wait_for_captures(4, 15)
    finally:
        session.stop()
    assert [c.local_path.suffix for c in session.captures] == [".jpg", ".jpg", ".dng", ".dng"]
    names = sorted(c.local_path.name for c in session.captures)
    assert names == ["pair_0001.dng", "pair_0001.jpg", "pair_0002.dng", "pair_0002.jpg"]
    assert {c.device_path.rsplit("/", 2)[-2] for c in session.captures if c.local_path.suffix == ".dng"} == {"RAW"}
    for capture in session.captures:
        assert md5_of(capture.local_path) == capture.md5


def test_on_capture_hook_gets_verified_file_and_timings(phone, connect, tmp_path):
    seen = []

    def hook(capture):
        seen.append((capture.local_path.exists(), capture.local_path.stat().st_size, capture.ready_time,
                     capture.complete_time, capture.appeared_time))

    events = []
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1, on_capture=hook,
                      on_event=lambda kind, **data: events.append((kind, data))).start()
    try:
        shot = phone.shoot()
        assert session.wait_for_captures(1, 10)
    finally:
        session.stop()
    exists, size, ready, complete, appeared = seen[0]
    assert exists and size == shot.size
    assert shot.shutter_time < appeared <= complete <= ready < shot.shutter_time + 5
    # The "capture" event (what benchmarks and the GUI observe) comes once, after the hook ran.
    announced = [data["capture"] for kind, data in events if kind == "capture"]
    assert [c.local_path for c in announced] == [session.captures[0].local_path] and len(seen) == 1


def test_backup_copy_and_delete_after_import(phone, connect, tmp_path):
    from tether.ingest import IngestOptions
    options = IngestOptions(backup_dir=tmp_path / "backup", delete_after_import=True)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1, options=options).start()
    try:
        shot = phone.shoot()
        assert session.wait_for_captures(1, 10)
        wait_for(lambda: not shot.local_path.exists(), "the original's deletion from the phone")
    finally:
        session.stop()
    capture = session.captures[0]
    assert md5_of(capture.backup_path) == shot.md5
    assert not shot.local_path.exists(), "deleted from the phone only after verified import"


def test_mediastore_pending_files_are_ignored_until_renamed(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], pending_names=True)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        shot = phone.shoot(write_steps=3, write_duration=0.6)
        assert session.wait_for_captures(1, 10)
        let_it_look(phone, 6)
    finally:
        session.stop()
    assert [c.device_path for c in session.captures] == [shot.device_path]
    assert not any(".pending" in path for _, path in phone.sync_requests)
    assert md5_of(session.captures[0].local_path) == shot.md5


def test_stale_temp_files_are_removed_and_big_files_report_progress(phone, connect, tmp_path):
    session_dir = tmp_path / "s"
    session_dir.mkdir()
    (session_dir / "s_0001.jpg.darkslide.tmp").write_bytes(b"half a photo")  # left by a crash mid-pull
    events = []
    session = Session(connect(phone), session_dir, poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **d: events.append((kind, d))).start()
    assert not list(session_dir.glob("*.tmp"))
    big = os.urandom(9 * 1024 * 1024) + b"\xff\xd9"
    trailer = b"\xff\xd8" + os.urandom(5000) + b"\xff\xd9" + b"SEFH" * 500  # data after the end marker
    try:
        (phone.folder / "IMG_big.jpg").write_bytes(big)
        (phone.folder / "IMG_trailer.jpg").write_bytes(trailer)
        assert session.wait_for_captures(2, 15)
    finally:
        session.stop()
    progress = [d for kind, d in events if kind == "progress"]
    assert progress and progress[-1]["done"] == progress[-1]["total"] == len(big)
    assert sorted(c.size for c in session.captures) == sorted([len(big), len(trailer)])
    assert [kind for kind, _ in events].count("retry") >= 2, "the trailer JPEG waited for two stable retries"


def _roll(folder, count):
    """A camera roll of `count` photos, made of hard links (10x quicker than as many files)."""
    folder.mkdir(parents=True, exist_ok=True)
    body = folder.parent / "roll-body"
    body.write_bytes(b"\xff\xd8" + b"r" * 2000 + b"\xff\xd9")
    for i in range(count):
        os.link(body, folder / f"IMG_20200101_{i:06d}.jpg")


def test_a_burst_in_a_big_roll_lists_only_on_change_and_lands_together(make_phone, host_key, connect, tmp_path):
    _roll(tmp_path / "roll", 3000)
    phone = make_phone(trusted_keys=[host_key], folder=tmp_path / "roll", write_duration=0.05, write_steps=2)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        wait_for(lambda: session.watcher.lists >= 2, "the follow-up LIST a second after the first")
        idle_lists = session.watcher.lists
        let_it_look(phone, 30)  # ~1 s of looks here, longer on a loaded machine
        assert session.watcher.lists == idle_lists, "an unchanged folder is not listed again"
        shots = []
        for _ in range(10):  # a burst of 10 in 2 s
            shots.append(phone.shoot())
            time.sleep(0.2)
        last = time.monotonic()
        assert session.wait_for_captures(10, 10)
        all_ready = time.monotonic() - last
    finally:
        session.stop()
    assert all_ready <= 3.0, f"the burst was all ready {all_ready:.2f} s after the last shot"
    assert sorted(c.md5 for c in session.captures) == sorted(s.md5 for s in shots)


def test_camera_folders_are_found_on_internal_storage_and_sd_cards(make_phone, host_key, connect, tmp_path):
    from tether.watcher import discover_folders
    phone = make_phone(trusted_keys=[host_key])
    (phone.folder / "RAW").mkdir()
    card = tmp_path / "card"
    card.mkdir()
    phone.vfs.mounts["/storage/1A2B-3C4D/DCIM/Camera"] = card
    (tmp_path / "shots").mkdir()
    phone.vfs.mounts["/sdcard/DCIM/Screenshots"] = tmp_path / "shots"
    conn = connect(phone)
    assert discover_folders(conn) == ["/sdcard/DCIM/Camera", "/sdcard/DCIM/Camera/RAW",
                                      "/storage/1A2B-3C4D/DCIM/Camera"]
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        body = phone.shoot()
        body.done.wait(5)
        (card / "IMG_card.jpg").write_bytes(body.local_path.read_bytes())
        assert session.wait_for_captures(2, 10)
    finally:
        session.stop()
    assert sorted(c.device_path for c in session.captures) == [body.device_path,
                                                               "/storage/1A2B-3C4D/DCIM/Camera/IMG_card.jpg"]


def test_captures_are_named_by_the_phones_clock_and_raw_pairs_share_a_number(phone, connect, tmp_path):
    shot = phone.shoot()
    shot.done.wait(5)
    body = shot.local_path.read_bytes()
    shot.local_path.unlink()
    taken = 1700000000  # 2023-11-14, long before this test ran
    for name in ("PXL_20231114_221320123.RAW-01.COVER.jpg", "PXL_20231114_221320123.RAW-02.ORIGINAL.dng"):
        (phone.folder / name).write_bytes(body)
        os.utime(phone.folder / name, (taken, taken))
    session = Session(connect(phone), tmp_path / "s", "px", template="{date}_{seq}", poll_interval=0.05,
                      stable_seconds=0.1, ignore_existing=False).start()
    try:
        assert session.wait_for_captures(2, 10)
    finally:
        session.stop()
    day = time.strftime("%Y%m%d", time.localtime(taken))
    assert sorted(c.local_path.name for c in session.captures) == [f"{day}_0001.dng", f"{day}_0001.jpg"]


def test_a_phone_stopped_mid_write_leaves_a_pending_file_that_is_never_pulled(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], pending_names=True)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        whole = phone.shoot()
        assert session.wait_for_captures(1, 10)
        phone.shoot(write_steps=4, write_duration=3.0)  # the camera app dies half-way through this one
        wait_for(lambda: list(phone.folder.glob(".pending-*")), "the pending file of the shot the camera dies in")
        mark = len(phone.sync_requests)
        time.sleep(0.3)
        phone.camera.stop()
        # A LIST that saw the pending file, then several polls
        wait_for(lambda: lists_since(phone, mark), "a LIST of the folder after the pending file appeared")
        let_it_look(phone, 10)
    finally:
        session.stop()
    assert len(list(phone.folder.glob(".pending-*"))) == 1, "the half-written photo stayed pending"
    assert [c.md5 for c in session.captures] == [whole.md5]
    assert [path for kind, path in phone.sync_requests if kind == "RECV"] == [whole.device_path]


def test_a_damaged_jpeg_is_named_without_a_traceback(phone, connect, tmp_path, caplog):
    from presets.autolook import AutoLook
    from presets.store import PresetStore
    develop = AutoLook("Chrome", store=PresetStore(tmp_path / "presets"), preview_size=200)
    shot = phone.shoot()
    shot.done.wait(5)
    body = shot.local_path.read_bytes()
    shot.local_path.unlink()
    events = []
    session = Session(connect(phone), tmp_path / "s", "bad", poll_interval=0.05, stable_seconds=0.1,
                      on_capture=lambda c: develop(c.local_path),
                      on_event=lambda kind, **d: events.append((kind, d.get("message", "")))).start()
    try:
        (phone.folder / "IMG_cut.jpg").write_bytes(body[:len(body) // 2])  # no end marker: pulled after retries
        assert session.wait_for_captures(1, 15)
        good = phone.shoot()
        assert session.wait_for_captures(2, 10)
    finally:
        session.stop()
    errors = [m for kind, m in events if kind == "error"]
    assert len(errors) == 1 and errors[0].startswith("Could not develop bad_0001.jpg") and "JPEG" in errors[0]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
    assert session.captures[1].md5 == good.md5 and (tmp_path / "s" / ".previews" / "bad_0002.jpg.jpg").exists()


@pytest.mark.parametrize("fast_pull", [True, False], ids=["lister-thread", "inline"])
def test_a_folder_whose_mtime_never_moves_falls_back_to_listing(phone, connect, tmp_path, monkeypatch, fast_pull):
    import tether.lister as lister_module
    import tether.watcher as watcher_module
    from tether.fastsync import FastSync
    for module in (lister_module, watcher_module):
        monkeypatch.setattr(module, "FULL_LIST_SECONDS", 0.5)
    conn = connect(phone, fast_pull=fast_pull)
    frozen = {}
    real_stat, real_fast_stat = conn.stat, FastSync.stat

    def stat(path):  # a phone whose storage keeps a folder's mtime still
        entry = real_stat(path)
        return frozen.setdefault(path, entry) if entry is not None and entry.is_dir else entry

    def fast_stat(self, path):
        mode, size, mtime = real_fast_stat(self, path)
        return frozen.setdefault(("fast", path), (mode, size, mtime)) if mode & 0o040000 else (mode, size, mtime)
    monkeypatch.setattr(conn, "stat", stat)
    monkeypatch.setattr(FastSync, "stat", fast_stat)
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        time.sleep(1.2)  # past the follow-up LIST of the session's first look
        first = phone.shoot()
        assert session.wait_for_captures(1, 15), "found by the safety-net LIST"
        for module in (lister_module, watcher_module):
            monkeypatch.setattr(module, "FULL_LIST_SECONDS", 600.0)  # no more safety net from here on
        second = phone.shoot()
        assert session.wait_for_captures(2, 15), "then listed every poll, not every FULL_LIST_SECONDS"
    finally:
        session.stop()
    assert [c.md5 for c in session.captures] == [first.md5, second.md5]


def test_a_phone_listed_slower_than_start_waits_is_said_and_then_watched(phone, connect, tmp_path):
    # A photo taken before the first listing counts as one already on the phone: the user must hear that
    # tethering has not begun yet, and when it has.
    events = []
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **data: events.append((kind, data)))
    first_poll, real_poll = [], session.watcher.poll

    def slow_poll(*args, **kwargs):
        if not first_poll:
            first_poll.append(1)
            time.sleep(1.0)  # a huge roll on a slow phone
        return real_poll(*args, **kwargs)
    session.watcher.poll = slow_poll
    try:
        session.start(wait=0.2)
        kinds = [kind for kind, _ in events]
        assert not session.watching.is_set() and kinds.count("listing") == 1
        assert "is not imported" in dict(events)["listing"]["message"]
        wait_for(lambda: any(kind == "watching" for kind, _ in events), "the watching event")
        assert dict(events)["watching"]["folders"] == session.watcher.folders and session.watching.is_set()
        shot = phone.shoot()
        assert session.wait_for_captures(1, 10) and session.captures[0].md5 == shot.md5
    finally:
        session.stop()


def test_a_phone_listed_in_time_says_nothing_more(phone, connect, tmp_path):
    events = []
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **data: events.append(kind)).start()
    try:
        assert session.watching.is_set()
        let_it_look(phone)
    finally:
        session.stop()
    assert "listing" not in events and "watching" not in events
