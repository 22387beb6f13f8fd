"""Android's own `adb` host tool against the simulated phone (skipped when adb is not installed)."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time

import pytest

ADB = shutil.which("adb")
pytestmark = pytest.mark.skipif(ADB is None, reason="Android's adb is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def adb(tmp_path):
    # A private adb server (own port, own HOME and key) so a developer's real server is untouched.
    env = dict(os.environ, HOME=str(tmp_path / "home"), ANDROID_ADB_SERVER_PORT=str(_free_port()))
    os.makedirs(env["HOME"], exist_ok=True)

    def run(*args, check=True):
        result = subprocess.run([ADB, *args], env=env, capture_output=True, timeout=30)
        if check:
            assert result.returncode == 0, result.stderr.decode()
        return result

    run("start-server")
    yield run
    run("kill-server", check=False)


def test_adb_connect_shell_pull_and_screencap(make_phone, adb, tmp_path):
    phone = make_phone(approve_after=0.0)  # the "user" taps Allow for adb's fresh key at once
    serial = f"127.0.0.1:{phone.port}"
    adb("connect", serial)
    for _ in range(50):
        if f"{serial}\tdevice" in adb("devices").stdout.decode():
            break
        time.sleep(0.1)
    assert f"{serial}\tdevice" in adb("devices").stdout.decode()
    assert adb("-s", serial, "shell", "getprop", "ro.product.model").stdout.decode().strip() == "ELS-NX9"
    shot = phone.shoot()
    shot.done.wait(5)
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
