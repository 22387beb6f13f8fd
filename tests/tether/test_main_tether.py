"""`main.py tether --look` as a user runs it: a subprocess tethered to the simulated phone over TCP."""
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from test_helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_terminal_session_applies_the_look_and_renders_previews(phone, host_key, tmp_path):
    out = tmp_path / "sessions"
    cmd = [sys.executable, str(ROOT / "main.py"), "tether", "--tcp", f"127.0.0.1:{phone.port}", "--session",
           "shoot", "--out", str(out), "--look", "Sepia", "--key", str(host_key), "--poll", "0.1"]
    env = {"DARKSLIDE_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        folder = out / "shoot"
        wait_for(lambda: any(line.startswith("Watching") for line in lines) or proc.poll() is not None,
                 "`main.py tether` to say it is watching", 30)
        assert proc.poll() is None, "".join(lines)
        deadline = time.monotonic() + 30
        shots = [phone.shoot() for _ in range(2)]
        while len(list(folder.glob(".previews/*.jpg"))) < 2 and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        reader.join(timeout=5)
    output = "".join(lines)
    assert shots and proc.returncode == 0, output
    photos = sorted(p.name for p in folder.glob("*.jpg"))
    assert len(photos) == 2, output
    for name in photos:
        car = json.loads((folder / f"{name}.darkslide").read_text())
        assert car["edit"]["look"]["name"] == "Sepia"
        assert car["edit"]["operations"]["bw_mix"]["params"]["enabled"] is True
        assert (folder / ".previews" / f"{name}.jpg").stat().st_size > 1000
    assert "2 captures" in output
