"""Fixtures: a real simulated phone on a loopback port and real adb-shell connections to it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tether import adbkeys
from tether.connection import DeviceConnection
from tether.simphone import SimulatedPhone


@pytest.fixture(scope="session")
def host_key(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "adbkey"
    adbkeys.generate_key_pair(path)
    return path


@pytest.fixture
def make_phone(tmp_path):
    phones = []

    def make(**options) -> SimulatedPhone:
        options.setdefault("write_duration", 0.1)
        folder = options.pop("folder", tmp_path / f"phone{len(phones)}")
        phone = SimulatedPhone(folder, **options).start()
        phones.append(phone)
        return phone

    yield make
    for phone in phones:
        phone.stop()


@pytest.fixture
def phone(make_phone, host_key) -> SimulatedPhone:
    return make_phone(trusted_keys=[host_key])


@pytest.fixture
def connect(host_key):
    conns = []

    def make(phone: SimulatedPhone, **options) -> DeviceConnection:
        options.setdefault("auth_timeout", 3.0)
        options.setdefault("io_timeout", 3.0)
        conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=options.pop("key_path", host_key), **options)
        conns.append(conn)
        return conn.connect()

    yield make
    for conn in conns:
        conn.close()
