"""USB failures become actionable TetherErrors (no phone is attached in CI, so the real open must fail cleanly)."""
from __future__ import annotations

import pytest
from adb_shell import exceptions as adb_exc

from tether.connect_errors import explain_usb_error
from tether.connection import DeviceConnection, Target
from tether.errors import NoDeviceError, TetherError, UsbBusyError, UsbPermissionError


def test_real_usb_open_without_a_phone_is_a_tether_error(host_key):
    with pytest.raises(TetherError):
        DeviceConnection(Target("usb", serial="NOPE123"), key_path=host_key, connect_timeout=1).connect()


def test_usb_error_mapping():
    usb1 = pytest.importorskip("usb1")
    target = Target("usb")
    busy = explain_usb_error(target, usb1.USBErrorBusy())
    assert isinstance(busy, UsbBusyError) and "Close Android Studio" in str(busy)
    denied = explain_usb_error(target, usb1.USBErrorAccess())
    assert isinstance(denied, UsbPermissionError) and "udev" in str(denied)
    missing = explain_usb_error(target, adb_exc.UsbDeviceNotFoundError("none"))
    assert isinstance(missing, NoDeviceError) and "USB debugging" in str(missing)


def test_target_parsing():
    assert Target.parse("10.0.0.5:5555") == Target("tcp", host="10.0.0.5", port=5555)
    assert Target.parse("10.0.0.5") == Target("tcp", host="10.0.0.5", port=5555)
    assert Target.parse("usb:ABC") == Target("usb", serial="ABC")
    assert Target.parse("adb:192.168.1.20:41234") == Target("adb", serial="192.168.1.20:41234")
    assert str(Target.parse("adb:R5CT")) == "adb:R5CT"
