"""Android's own `adb` host tool against the simulated phone (skipped when adb is not installed)."""
from __future__ import annotations

import hashlib
import shutil
import time

import pytest

from tether_helpers import adb_connect, private_adb

ADB = shutil.which("adb")
pytestmark = pytest.mark.skipif(ADB is None, reason="Android's adb is not installed")


@pytest.fixture
def adb(tmp_path):
    yield from private_adb(ADB, tmp_path / "home")


def test_adb_connect_shell_pull_and_screencap(make_phone, adb, tmp_path):
    phone = make_phone(approve_after=0.0)  # the "user" taps Allow for adb's fresh key at once
    serial = f"127.0.0.1:{phone.port}"
    assert adb_connect(adb, serial)
    assert adb("-s", serial, "shell", "getprop", "ro.product.model").stdout.decode().strip() == "ELS-NX9"
    shot = phone.shoot()
    assert shot.done.wait(15)
    target = tmp_path / "pulled.jpg"
    adb("-s", serial, "pull", shot.device_path, str(target))
    assert hashlib.md5(target.read_bytes()).hexdigest() == shot.md5
    png = adb("-s", serial, "exec-out", "screencap", "-p").stdout
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    missing = adb("-s", serial, "pull", "/sdcard/DCIM/Camera/none.jpg", str(tmp_path / "x"), check=False)
    assert missing.returncode != 0 and not (tmp_path / "x").exists()


def test_adb_sees_an_unanswered_prompt_as_unauthorized(make_phone, adb):
    phone = make_phone(approve_after=None)
    serial = f"127.0.0.1:{phone.port}"
    adb("connect", serial, check=False)
    state = ""
    for _ in range(100):  # the adb server settles on "unauthorized" after its signature is refused
        state = adb("devices").stdout.decode()
        if f"{serial}\tunauthorized" in state:
            break
        time.sleep(0.1)
    assert f"{serial}\tunauthorized" in state
    assert phone.auth.prompts == 1
