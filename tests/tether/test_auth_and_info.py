"""Authentication against the simulated phone through adb-shell, connection errors, device info."""
from __future__ import annotations

import socket
import time

import pytest

from tether import adbkeys
from tether.connection import DeviceConnection
from tether.errors import TcpConnectError, UnauthorizedError


def test_known_key_connects_without_prompt(phone, connect):
    conn = connect(phone)
    assert conn.connected
    assert phone.auth.prompts == 0
    assert conn.shell("getprop ro.product.model").strip() == "ELS-NX9"


def test_new_key_is_approved_after_user_delay_then_remembered(make_phone, tmp_path):
    key = tmp_path / "newkey"
    adbkeys.generate_key_pair(key)
    phone = make_phone(approve_after=0.6)
    prompts = []
    started = time.monotonic()
    conn = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, auth_timeout=5, io_timeout=2,
                            on_auth_prompt=lambda: prompts.append(time.monotonic())).connect()
    waited = time.monotonic() - started
    assert conn.connected and waited >= 0.6
    assert len(prompts) == 1 and phone.auth.prompts == 1
    conn.close()
    again = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, auth_timeout=5, io_timeout=2).connect()
    assert again.connected and phone.auth.prompts == 1, "second connection signs the token; no new prompt"
    again.close()


def test_unanswered_prompt_raises_unauthorized(make_phone, tmp_path):
    key = tmp_path / "stranger"
    adbkeys.generate_key_pair(key)
    phone = make_phone(approve_after=None)
    with pytest.raises(UnauthorizedError, match="Allow"):
        DeviceConnection(f"127.0.0.1:{phone.port}", key_path=key, auth_timeout=0.8, io_timeout=1).connect()


def test_refuse_mode_rejects_even_known_keys(make_phone, host_key):
    phone = make_phone(trusted_keys=[host_key], refuse_auth=True)
    with pytest.raises(UnauthorizedError):
        DeviceConnection(f"127.0.0.1:{phone.port}", key_path=host_key, auth_timeout=0.8, io_timeout=1).connect()


def test_refused_tcp_port_gives_actionable_error(host_key):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(TcpConnectError, match="adb tcpip"):
        DeviceConnection(f"127.0.0.1:{port}", key_path=host_key, connect_timeout=1).connect()


def test_key_pair_created_with_private_mode(tmp_path):
    key = adbkeys.ensure_key_pair(tmp_path / "cfg" / "adbkey")
    assert key.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cfg" / "adbkey.pub").read_bytes().split(b" ")[0]


def test_device_info_is_parsed(make_phone, host_key, connect):
    phone = make_phone(trusted_keys=[host_key], battery_level=42, charging=False, android_release="10")
    info = connect(phone).device_info()
    assert (info.model, info.serial, info.manufacturer) == ("ELS-NX9", "SIM0123456789", "HUAWEI")
    assert info.android_version == "10" and info.sdk == 29
    assert info.battery_level == 42 and info.charging is False
    assert info.free_bytes > 0 and info.total_bytes >= info.free_bytes
    assert "HUAWEI ELS-NX9" in info.summary()


def test_list_usb_phones_never_crashes():
    from tether.usb_devices import list_usb_phones
    assert isinstance(list_usb_phones(), list)
