"""Google's own adb against the realistic phone: it sees shell_v2/stat_v2/ls_v2 in the banner and uses them
(exit codes come back through shell v2, `adb ls` reads LIS2, `adb pull` checks with STA2), and still
pulls identical bytes. Run for Debian's adb (29, installed by test.sh) and the adb 36 inside adbutils'
wheel; each is skipped when absent."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tether_helpers import adb_connect, private_adb


def _adb_binaries() -> list:
    found = []
    if shutil.which("adb"):
        found.append(pytest.param(shutil.which("adb"), id="system-adb"))
    try:
        import adbutils
        wheel_adb = Path(adbutils.__file__).parent / "binaries" / "adb"
        if wheel_adb.is_file() and os.access(wheel_adb, os.X_OK):
            found.append(pytest.param(str(wheel_adb), id="adbutils-adb36"))
    except ImportError:
        pass
    return found or [pytest.param(None, marks=pytest.mark.skip(reason="no Google adb installed"))]


@pytest.fixture(params=_adb_binaries())
def adb(request, tmp_path):
    yield from private_adb(request.param, tmp_path / "home", ADB_MDNS_AUTO_CONNECT="0", ADB_MDNS="0")


def test_google_adb_uses_v2_features_and_pulls_identical_bytes(make_phone, adb, tmp_path):
    phone = make_phone(profile="realistic", roll=300, approve_after=0.0, image_size="small", processing_s=0.0,
                       screencap_min_s=0.05, screencap_max_s=0.1)
    serial = f"127.0.0.1:{phone.port}"
    assert adb_connect(adb, serial)
    assert adb("-s", serial, "shell", "getprop", "ro.product.model").stdout.decode().strip() == "Pixel 7"
    assert any(s.startswith("shell,v2,") and s.endswith(":getprop ro.product.model") for s in phone.services)
    failed = adb("-s", serial, "shell", "ls", "/sdcard/DCIM/Camera/none.jpg", check=False)
    assert failed.returncode == 1 and b"No such file" in failed.stderr  # exit code and stderr: shell v2
    listing = adb("-s", serial, "ls", "/sdcard/DCIM/Camera").stdout.decode().splitlines()
    assert len([line for line in listing if line.split()[-1] not in (".", "..")]) == 300
    assert ("LIS2", "/sdcard/DCIM/Camera") in phone.sync_requests
    shot = phone.shoot()
    assert shot.done.wait(10)
    target = tmp_path / "pulled.jpg"
    adb("-s", serial, "pull", shot.device_path, str(target))
    assert hashlib.md5(target.read_bytes()).hexdigest() == shot.md5
    assert any(kind in ("STA2", "LST2") for kind, _ in phone.sync_requests)
    png = adb("-s", serial, "exec-out", "screencap", "-p").stdout
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
