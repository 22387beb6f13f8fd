"""`python -m tether.simphone` (what `simulate-phone` runs): starts realistic by default, serves a real client,
restarts on SIGUSR1 and stops on SIGINT."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tether.connection import DeviceConnection
from tether.errors import TetherError


def _photos(conn) -> list[str]:
    return [e.name for e in conn.list_dir("/sdcard/DCIM/Camera") if e.is_file and not e.name.startswith(".")]


@pytest.mark.slow  # the realistic phone takes 3 s to reboot
def test_simphone_process_is_realistic_by_default_serves_and_shoots_on_interval(host_key, tmp_path):
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "tether.simphone", "--port", "0", "--folder", str(tmp_path / "cam"),
                             "--trust", str(host_key), "--interval", "0.3", "--size", "small", "--roll", "200",
                             "--approve-after", "0.3"],
                            stdout=subprocess.PIPE, text=True, cwd=root,
                            # as when started as a background job: SIGINT inherited ignored must still stop it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        banner = proc.stdout.readline()
        port = int(banner.split(" listening on ")[1].split(",")[0].rsplit(":", 1)[1])
        assert "Profile realistic: 200 photos in the roll" in proc.stdout.readline()
        conn = DeviceConnection(f"127.0.0.1:{port}", key_path=host_key, auth_timeout=3, io_timeout=3).connect()
        assert conn.device_info().model == "Pixel 7"
        deadline = time.monotonic() + 10
        while len(_photos(conn)) < 202 and time.monotonic() < deadline:
            time.sleep(0.2)
        names = _photos(conn)
        assert len(names) >= 202 and all(n.startswith("PXL_") for n in names)
        conn.close()
        proc.send_signal(signal.SIGUSR1)  # restart: the key must be allowed again (after --approve-after)
        prompts = []
        deadline = time.monotonic() + 15
        while True:
            try:
                again = DeviceConnection(f"127.0.0.1:{port}", key_path=host_key, auth_timeout=3, io_timeout=3,
                                         on_auth_prompt=lambda: prompts.append(1)).connect()
                break
            except TetherError:  # refused while it reboots
                assert time.monotonic() < deadline
                time.sleep(0.3)
        assert prompts and len(_photos(again)) >= len(names)
        again.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
