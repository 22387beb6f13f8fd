"""The simulated phone with adb-shell's stock AdbDeviceTcp, untouched by Darkslide's wrappers."""
from __future__ import annotations

import hashlib
import io

import pytest
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.exceptions import AdbCommandFailureException

from tether import adbkeys


def test_stock_adb_device_tcp(phone, host_key):
    shot = phone.shoot()
    assert shot.done.wait(15)
    device = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=3)
    try:
        assert device.connect(rsa_keys=[adbkeys.load_signer(host_key)], auth_timeout_s=3, read_timeout_s=3)
        assert device.shell("getprop ro.product.manufacturer", read_timeout_s=3).strip() == "HUAWEI"
        names = [bytes(f.filename).decode() for f in device.list("/sdcard/DCIM/Camera", read_timeout_s=3)]
        assert names[:2] == [".", ".."] and shot.device_path.rsplit("/", 1)[1] in names
        mode, size, mtime = device.stat(shot.device_path, read_timeout_s=3)
        assert size == shot.size and mtime > 0
        sink = io.BytesIO()
        device.pull(shot.device_path, sink, read_timeout_s=3)
        assert hashlib.md5(sink.getvalue()).hexdigest() == shot.md5
        device.push(io.BytesIO(b"pushed"), "/sdcard/DCIM/Camera/pushed.txt", read_timeout_s=3)
        assert (phone.folder / "pushed.txt").read_bytes() == b"pushed"
        with pytest.raises(AdbCommandFailureException):
            device.pull("/sdcard/DCIM/Camera/missing.jpg", io.BytesIO(), read_timeout_s=3)
    finally:
        device.close()
