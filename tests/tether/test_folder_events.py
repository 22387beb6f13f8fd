"""The phone's inotifyd as the change signal: toybox's output and mask quirk on the simulated phone, captures
found without LISTing the roll, and the fallbacks (no inotifyd, a blind inotify, a cut event stream)."""
from __future__ import annotations

import time
from pathlib import Path

from tether import adbkeys
from tether.adbstream import ExecStream, StreamClosed
from tether.session import Session
from tether.simphone import inotifyd

from tether_helpers import let_it_look, lists_since, md5_of, no_timed_lists, wait_events_live

CAMERA = "/sdcard/DCIM/Camera"


def _read_lines(stream, until, what: str, timeout: float = 15.0) -> list[str]:
    """inotifyd's lines until `until(lines)` holds or the command ends; fails naming `what` after `timeout` s."""
    out, deadline = b"", time.monotonic() + timeout
    try:
        while not until(out.decode().splitlines()):
            assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}; read {out!r}"
            out += stream.read(0.1)
    except StreamClosed:
        pass
    return out.decode().splitlines()


def _watching(stream, folder: Path, renamed: bool = False) -> None:
    """Return once inotifyd's watch is in place (it prints nothing when it starts): make probe files (renamed
    in, for a mask without `n`) until one is reported. Later lines about probes are for the caller to skip."""
    made = []

    def probe_reported(lines):
        made.append(folder / f"probe-{len(made)}.tmp")
        made[-1].write_bytes(b"probe")
        if renamed:
            made[-1].rename(made[-1].with_suffix(".jpg"))
        return any("\tprobe-" in line for line in lines)
    _read_lines(stream, probe_reported, "inotifyd to report a probe file (its watch in place)")


def _not_probes(lines: list[str]) -> list[str]:
    return [line for line in lines if "\tprobe-" not in line]


def test_mask_is_parsed_from_its_second_letter_like_toybox():
    assert inotifyd.parse_mask("nm") == 1 << inotifyd.MASKLIST.index("m")
    assert inotifyd.parse_mask("nnmyd") == sum(1 << inotifyd.MASKLIST.index(c) for c in "nmyd")
    assert inotifyd.parse_mask("nq") == "q"
    assert inotifyd.letters(0x40 | 0x80) == "my"  # IN_MOVED_FROM is `m`, IN_MOVED_TO is `y`


def test_simulated_inotifyd_prints_toybox_lines_for_a_pending_capture(make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=0, lock="none")
    stream = ExecStream("127.0.0.1", phone.port, adbkeys.load_signer(host_key)).open(f"inotifyd - {CAMERA}:nnmy")
    try:
        _watching(stream, phone.folder)
        shot = phone.shoot()
        assert shot.done.wait(15)  # the realistic camera takes its time (longer under load): renamed by now
        final = shot.device_path.rsplit("/", 1)[1]
        lines = _not_probes(_read_lines(stream, lambda lines: f"y\t{CAMERA}\t{final}" in lines,
                                        "the capture's rename to its final name"))
    finally:
        stream.close()
    pending = [line.split("\t")[2] for line in lines if line.startswith("n\t")]
    assert len(pending) == 1 and pending[0].startswith(".pending-") and pending[0].endswith(final)
    assert f"m\t{CAMERA}\t{pending[0]}" in lines and f"y\t{CAMERA}\t{final}" in lines
    assert lines.index(f"y\t{CAMERA}\t{final}") > lines.index(f"n\t{CAMERA}\t{pending[0]}")


def test_simulated_inotifyd_drops_the_first_mask_letter_and_fails_on_a_missing_folder(make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=0, lock="none")
    signer = adbkeys.load_signer(host_key)
    stream = ExecStream("127.0.0.1", phone.port, signer).open(f"inotifyd - {CAMERA}:ny")  # watches y only
    try:
        _watching(stream, phone.folder, renamed=True)
        (phone.folder / "a.tmp").write_bytes(b"x")  # created: not watched
        (phone.folder / "a.tmp").rename(phone.folder / "b.jpg")
        # inotify reports in order: a line for the creation would come before the rename's
        lines = _read_lines(stream, lambda lines: any(line.endswith("b.jpg") for line in lines), "the rename")
    finally:
        stream.close()
    assert _not_probes(lines) == [f"y\t{CAMERA}\tb.jpg"]
    missing = ExecStream("127.0.0.1", phone.port, signer).open("inotifyd - /sdcard/DCIM/Nope:nn")
    assert _read_lines(missing, lambda lines: False, "inotifyd to end") == [
        "inotifyd: /sdcard/DCIM/Nope: No such file or directory"]


def _session(phone, connect, tmp_path, events, stable_seconds=0.25):
    return Session(connect(phone), tmp_path / "s", poll_interval=0.05, folders=[CAMERA], stable_seconds=stable_seconds,
                   on_event=lambda kind, **d: events.append(kind)).start()


def test_captures_are_found_by_events_without_listing_the_roll(make_phone, host_key, connect, tmp_path,
                                                               monkeypatch):
    no_timed_lists(monkeypatch)
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=500, lock="none")
    # A file written in place must stay unchanged for 60 s here: a capture ingested within 15 s was known whole
    # (renamed from .pending-…) from its event alone, however slowly a loaded machine ran the camera.
    session = _session(phone, connect, tmp_path, [], stable_seconds=60.0)
    try:
        wait_events_live(session)
        mark = len(phone.sync_requests)
        shots = []
        for _ in range(4):
            shots.append(phone.shoot())
            assert session.wait_for_captures(len(shots), 15), "ingested at once: whole, no stability wait"
        assert lists_since(phone, mark) == 0, \
            f"no LIST of the roll: events announce captures ({session.watcher.events.distrusted or 'events trusted'})"
    finally:
        session.stop()
    assert sorted(md5_of(c.local_path) for c in session.captures) == sorted(s.md5 for s in shots)


def test_a_blind_inotify_is_noticed_and_the_watcher_lists_again(make_phone, host_key, connect, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(inotifyd, "_lines", lambda data, names: iter(()))  # a kernel that reports nothing
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=50, lock="none")
    session = _session(phone, connect, tmp_path, [])
    try:
        wait_events_live(session)
        follower = session.watcher.events
        shot = phone.shoot()
        assert session.wait_for_captures(1, 10), "found by LIST once the silent events were distrusted"
    finally:
        session.stop()
    assert "no event came" in follower.distrusted
    assert session.captures[0].md5 == shot.md5


def test_without_inotifyd_the_watcher_lists_as_before(make_phone, host_key, connect, tmp_path):
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=50, lock="none", inotifyd=False)
    session = _session(phone, connect, tmp_path, [])
    try:
        follower = session.watcher.events
        shot = phone.shoot()
        assert session.wait_for_captures(1, 10)
    finally:
        session.stop()
    assert "inotifyd: inaccessible or not found" in follower.unavailable
    assert session.captures[0].md5 == shot.md5


def test_a_cut_event_stream_is_reopened_and_nothing_is_lost(make_phone, host_key, connect, tmp_path):
    shots_in_gap = 2
    phone = make_phone(trusted_keys=[host_key], profile="realistic", roll=50, lock="none")
    session = _session(phone, connect, tmp_path, [])
    try:
        wait_events_live(session)
        shots = [phone.shoot()]
        assert session.wait_for_captures(1, 10)
        session.watcher.events._close_stream()  # the event connection drops; the session's stays
        shots += [phone.shoot() for _ in range(shots_in_gap)]
        assert session.wait_for_captures(1 + shots_in_gap, 10)
        wait_events_live(session)  # the stream is opened again
        shots.append(phone.shoot())
        assert session.wait_for_captures(2 + shots_in_gap, 10)
        let_it_look(phone, 6)  # a needless third stream would be opened by now
        opened = session.watcher.events.streams_opened
    finally:
        session.stop()
    assert opened == 2
    landed = sorted(p for p in (tmp_path / "s").iterdir() if p.suffix == ".jpg")
    assert sorted(md5_of(p) for p in landed) == sorted(s.md5 for s in shots)


def test_simulate_phone_no_inotifyd_flag_removes_the_command(tmp_path):
    import argparse
    from tether.simphone import SimulatedPhone
    from tether.simphone.options import add_simulate_arguments, phone_options
    parser = argparse.ArgumentParser()
    add_simulate_arguments(parser)
    options = phone_options(parser.parse_args(["--no-inotifyd"]))
    phone = SimulatedPhone(tmp_path / "cam", **{**options, "roll": 0})
    result = inotifyd.run(phone, ["-", CAMERA])
    assert result.code == 127 and b"inotifyd: inaccessible or not found" in result.err
    assert phone_options(parser.parse_args([])).get("inotifyd") is None  # the profile decides (realistic: yes)
