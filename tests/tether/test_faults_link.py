"""The link to the phone: re-authorisation refused then allowed, a phone that freezes, 30 cuts mid-pull.
The session never dies, never stalls silently, and every shot lands exactly once."""
from __future__ import annotations

import random
import threading
import time

import pytest

from fault_proxy import FaultProxy
from tether.connection import DeviceConnection
from tether.session import Session
from tether.simphone.auth import AuthPolicy
from tether_helpers import let_it_look, md5_of


def _landed(session_dir):
    return sorted(p for p in session_dir.iterdir() if p.suffix == ".jpg")


def _exactly_once(session, shots):
    files = _landed(session.session_dir)
    assert sorted(md5_of(p) for p in files) == sorted(s.md5 for s in shots)
    assert not list(session.session_dir.glob("*.tmp"))


def test_reauthorisation_refused_then_allowed_keeps_the_session(phone, connect, tmp_path):
    events = []
    session = Session(connect(phone, auth_timeout=1.0), tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **d: events.append((kind, time.monotonic()))).start()
    try:
        shots = [phone.shoot()]
        assert session.wait_for_captures(1, 10)
        phone.auth = AuthPolicy(refuse=True)  # the phone restarted and the user tapped "Cancel"
        phone.disconnect_all()
        shots.append(phone.shoot())  # taken while the desktop is locked out
        deadline = time.monotonic() + 10
        while sum(kind == "unauthorized" for kind, _ in events) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(kind == "unauthorized" for kind, _ in events) >= 2, "told twice to tap Allow"
        assert session._thread.is_alive(), "the session waits instead of dying"
        phone.auth = AuthPolicy(approve_after=0.3)  # ... then "Allow"
        assert session.wait_for_captures(2, 15)
        shots.append(phone.shoot())
        assert session.wait_for_captures(3, 10)
    finally:
        session.stop()
    assert "reconnected" in [kind for kind, _ in events]
    _exactly_once(session, shots)


FREEZE = 20.0  # the "phone frozen 20 s", in real time, with Darkslide's default 5 s io timeout
IO_TIMEOUT = 5.0


@pytest.mark.slow
def test_phone_frozen_20_s_is_reported_within_the_timeout_and_resumes(phone, host_key, tmp_path):
    proxy = FaultProxy(phone.port)
    conn = DeviceConnection(f"127.0.0.1:{proxy.port}", key_path=host_key, io_timeout=IO_TIMEOUT,
                            connect_timeout=IO_TIMEOUT, auth_timeout=IO_TIMEOUT).connect()
    events = []
    session = Session(conn, tmp_path / "s", poll_interval=0.05, stable_seconds=0.1,
                      on_event=lambda kind, **d: events.append((kind, time.monotonic()))).start()
    try:
        shots = [phone.shoot()]
        assert session.wait_for_captures(1, 10)
        frozen_at = time.monotonic()
        proxy.freeze(FREEZE)
        shots += [phone.shoot() for _ in range(3)]
        time.sleep(FREEZE)
        thawed_at = time.monotonic()
        assert session.wait_for_captures(4, 15)
        resumed_after = time.monotonic() - thawed_at
    finally:
        session.stop()
        conn.close()
        proxy.close()
    told = [t for kind, t in events if kind in ("disconnected", "reconnecting", "error") and frozen_at < t < thawed_at]
    assert told and told[0] - frozen_at < IO_TIMEOUT + 1.5, "the photographer hears about it within the io timeout"
    gaps = [b - a for a, b in zip([frozen_at] + told, told + [thawed_at])]
    assert max(gaps) < 2 * IO_TIMEOUT + 1.5, f"no silent stretch while frozen (longest {max(gaps):.1f} s)"
    assert resumed_after < 2 * IO_TIMEOUT + 2, f"resumed {resumed_after:.1f} s after the phone answered again"
    assert "reconnected" in [kind for kind, _ in events]
    _exactly_once(session, shots)


@pytest.mark.slow
def test_thirty_cuts_mid_pull(make_phone, host_key, connect, tmp_path):
    # With inotifyd and pending files: the cuts hit the event stream too (it goes through the same proxy).
    phone = make_phone(trusted_keys=[host_key], image_size="small", write_duration=0.02, write_steps=2,
                       inotifyd=True, pending_names=True)
    rng = random.Random(7)
    session = Session(connect(phone), tmp_path / "s", poll_interval=0.03, stable_seconds=0.05).start()
    shots = []
    try:
        while phone.faults.drops < 30:
            phone.faults.drop_next_recv(after_bytes=rng.randint(1, 60_000))  # the next pull dies part-way
            shots.append(phone.shoot())
            deadline = time.monotonic() + 10
            while phone.faults.drop_after_bytes is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert phone.faults.drop_after_bytes is None, "the armed cut was reached"
        assert session.wait_for_captures(len(shots), 30)
        let_it_look(phone, 10)  # a capture landed twice would show now
    finally:
        session.stop()
    assert phone.faults.drops == 30  # some cuts are retried on a fresh pull connection, others reconnect
    assert len(session.captures) == len(shots)
    _exactly_once(session, shots)
