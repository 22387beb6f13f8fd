"""Both pull paths (fast sync client and adb-shell) give identical, verified bytes; errors map cleanly."""
from __future__ import annotations

import hashlib
import os

import pytest

from tether.errors import DeviceCommandError


@pytest.mark.parametrize("fast", [True, False])
def test_pull_paths_agree(phone, connect, tmp_path, fast):
    body = os.urandom(3 * 1024 * 1024 + 123)  # several WRTEs and a partial DATA chunk
    (phone.folder / "IMG_big.jpg").write_bytes(body)
    conn = connect(phone, fast_pull=fast)
    progress = []
    count, md5 = conn.pull("/sdcard/DCIM/Camera/IMG_big.jpg", tmp_path / "out", progress=progress.append)
    assert count == len(body) and md5 == hashlib.md5(body).hexdigest()
    assert (tmp_path / "out").read_bytes() == body
    assert progress and progress[-1] == len(body)
    assert conn.remote_md5("/sdcard/DCIM/Camera/IMG_big.jpg") == md5
    with pytest.raises(DeviceCommandError):
        conn.pull("/sdcard/DCIM/Camera/missing.jpg", tmp_path / "missing")
    # the connection is still usable after a FAIL
    assert conn.pull("/sdcard/DCIM/Camera/IMG_big.jpg", tmp_path / "again")[1] == md5
    assert conn.stat("/sdcard/DCIM/Camera/missing.jpg") is None


def test_fast_pull_retries_once_then_reports_a_lost_link(phone, connect, tmp_path):
    from tether.errors import ConnectionLostError
    body = os.urandom(500_000)
    (phone.folder / "IMG_a.jpg").write_bytes(body)
    conn = connect(phone)
    phone.faults.drop_next_recv(after_bytes=100_000)
    with pytest.raises(ConnectionLostError):  # a fresh connection dying mid-pull is a real loss
        conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "a")
    conn.connect()
    conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "a")  # opens the fast connection
    phone.faults.drop_next_recv(after_bytes=100_000)
    count, md5 = conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "b")  # reused one dies: retried
    assert phone.faults.drops == 2
    assert count == len(body) and md5 == hashlib.md5(body).hexdigest()


@pytest.mark.parametrize("fast", [True, False])
def test_local_write_failure_is_not_a_lost_phone(phone, connect, tmp_path, fast):
    from tether.errors import LocalStorageError
    (phone.folder / "IMG_a.jpg").write_bytes(os.urandom(200_000))
    conn = connect(phone, fast_pull=fast)
    with pytest.raises(LocalStorageError):
        conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "no-such-dir" / "a")
    assert conn.connected
    assert conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "a")[0] == 200_000


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fast", [True, False])
def test_disk_full_mid_pull_is_a_local_error(phone, connect, tmp_path, fast):
    from pathlib import Path

    from tether.errors import LocalStorageError
    (phone.folder / "IMG_a.jpg").write_bytes(os.urandom(300_000))
    conn = connect(phone, fast_pull=fast)
    with pytest.raises(LocalStorageError, match="No space"):
        conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", Path("/dev/full"))
    assert conn.pull("/sdcard/DCIM/Camera/IMG_a.jpg", tmp_path / "a")[0] == 300_000
