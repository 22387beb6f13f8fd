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
