"""Cable pulls, stalls and hostile device file names."""
from __future__ import annotations

import os

import pytest

from tether.session import Session
from tether_helpers import let_it_look, md5_of
from test_helpers import wait_for


@pytest.mark.parametrize("fast_pull", [True, False], ids=["fast-sync", "adb-shell"])
def test_cable_pull_mid_transfer_reconnects_and_keeps_every_capture_once(make_phone, host_key, connect, tmp_path,
                                                                         fast_pull):
    phone = make_phone(trusted_keys=[host_key], image_size="medium")
    events = []
    session = Session(connect(phone, fast_pull=fast_pull), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **d: events.append(kind)).start()
    try:
        shots = [phone.shoot()]
        assert shots[0].done.wait(15)
        phone.faults.drop_next_recv(after_bytes=200_000)  # the next pull dies part-way
        shots += [phone.shoot() for _ in range(2)]
        assert session.wait_for_captures(3, 20)
        phone.disconnect_all()  # and a plain cable pull while idle
        shots += [phone.shoot() for _ in range(2)]
        assert session.wait_for_captures(5, 20)
        let_it_look(phone, 8)  # a capture pulled twice would land now
    finally:
        session.stop()
    assert phone.faults.drops == 1
    assert session.connection.reconnects >= 1 and events.count("reconnected") >= 1
    local = sorted((tmp_path / "s").glob("*.jpg"))
    assert len(local) == 5 == len(session.captures)
    assert sorted(md5_of(p) for p in local) == sorted(s.md5 for s in shots)
    assert not list((tmp_path / "s").glob("*.tmp"))


def test_stall_during_pull_is_survived(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key])
    session = Session(connect(phone, io_timeout=1.0), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1).start()
    try:
        phone.faults.stall_next_recv(after_bytes=1, seconds=1.5)  # longer than the io timeout
        shot = phone.shoot()
        assert session.wait_for_captures(1, 20)
    finally:
        session.stop()
    assert session.captures[0].md5 == shot.md5


def test_hostile_device_names(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key])
    sample = phone.shoot()
    assert sample.done.wait(15)
    body = sample.local_path.read_bytes()
    sample.local_path.unlink()
    weird_but_valid = ["a b.jpg", "$(touch pwned).jpg", "semi;colon.jpg", "-rf.jpg", "quote'.jpg", "ünïcode.jpg",
                       "back`tick`.jpg"]
    for name in weird_but_valid + ["new\nline.jpg", "bell\x07.jpg", ".hidden.jpg", ".pending-123-IMG.jpg",
                                   "IMG.jpg.tmp", "notes.txt"]:
        (phone.folder / name).write_bytes(body)
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(body)
    os.symlink(outside, phone.folder / "link.jpg")
    stat = os.stat(phone.folder / "a b.jpg")
    phone.fake_entries["/sdcard/DCIM/Camera"] = [("../../escape.jpg", stat), ("nul\0byte.jpg", stat), ("..", stat),
                                                      ("bad\udcffutf8.jpg", stat)]

    unsafe = {"new\nline.jpg", "bell\x07.jpg", "../../escape.jpg", "nul\0byte.jpg", "bad\udcffutf8.jpg"}
    rejected = []
    session = Session(connect(phone), tmp_path / "s", template="{orig}", poll_interval=0.05, stable_seconds=0.1,
                      ignore_existing=False, on_event=lambda k, **d: rejected.append(d["name"]) if k == "rejected" else None)
    session.start()
    try:
        assert session.wait_for_captures(len(weird_but_valid), 15)
        wait_for(lambda: set(rejected) >= unsafe, "every unsafe name to be rejected")
        let_it_look(phone, 10)  # anything else pulled would land now
    finally:
        session.stop()
    pulled = sorted(c.device_path.rsplit("/", 1)[1] for c in session.captures)
    assert pulled == sorted(weird_but_valid)
    for capture in session.captures:
        assert capture.local_path.parent == tmp_path / "s"
        assert md5_of(capture.local_path) == sample.md5
        assert not any(ch in capture.local_path.name for ch in "$;`'\n\\")
    assert phone.unsafe_commands == [], "every device path sent to the shell was quoted"
    assert not (tmp_path / "escape.jpg").exists() and not list(tmp_path.glob("pwned*"))


def test_phone_restart_and_swap_on_the_same_address(make_phone, host_key, connect, tmp_path):
    first = make_phone(trusted_keys=[host_key], serial="PHONE-A")
    port = first.port
    events = []
    session = Session(connect(first), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **d: events.append(kind)).start()
    try:
        shot_a = first.shoot()
        assert session.wait_for_captures(1, 10)
        first.stop()  # adbd goes away (phone rebooted / swapped)
        old = tmp_path / "b-old"
        old.mkdir()
        (old / "IMG_20200101_120000.jpg").write_bytes(shot_a.local_path.read_bytes())  # B's old photo
        second = make_phone(trusted_keys=[host_key], serial="PHONE-B", port=port, folder=old)
        wait_for(lambda: session.serial == "PHONE-B", "the session to reconnect to the second phone")
        shot_b = second.shoot()
        assert session.wait_for_captures(2, 15)
        let_it_look(second, 8)  # B's older photo, were it taken for a capture, would land now
    finally:
        session.stop()
    assert [c.md5 for c in session.captures] == [shot_a.md5, shot_b.md5], "B's older photo is not a new capture"
    assert [c.device_serial for c in session.captures] == ["PHONE-A", "PHONE-B"]
    assert "reconnected" in events and events.count("connected") == 2
