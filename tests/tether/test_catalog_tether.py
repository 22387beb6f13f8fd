"""A terminal `tether` session and the app's library writing one catalog at once (two processes, a real
SQLite file): the session and its captures (with their look) join the catalog while ratings are written."""
import io
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from editor.app.library import LibraryController
from editor.core import sidecar as sidecars
from editor.core.catalog import Catalog, Filter
from test_helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_terminal_session_joins_the_catalog_while_the_app_rates_photos(phone, host_key, tmp_path):
    data, out = tmp_path / "data", tmp_path / "sessions"
    mine = tmp_path / "mine"
    mine.mkdir()
    blob = io.BytesIO()
    Image.new("RGB", (48, 32), (90, 120, 60)).save(blob, "JPEG")
    for i in range(30):
        (mine / f"IMG_{i:02d}.jpg").write_bytes(blob.getvalue())
    catalog = Catalog(data / "catalog.sqlite3")
    catalog.add_folder(mine)
    catalog.scan()
    app = LibraryController(catalog)  # what the window drives, on the same file
    app.set_filter(sort="name")
    cmd = [sys.executable, str(ROOT / "main.py"), "tether", "--tcp", f"127.0.0.1:{phone.port}", "--session",
           "shoot", "--out", str(out), "--look", "Sepia", "--key", str(host_key), "--poll", "0.1"]
    env = {"DARKSLIDE_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    rated = 0
    try:
        wait_for(lambda: any(line.startswith("Watching") for line in lines) or proc.poll() is not None,
                 "`main.py tether` to say it is watching", 40)
        assert proc.poll() is None, "".join(lines)
        deadline = time.monotonic() + 40
        for _ in range(3):
            phone.shoot()
        while time.monotonic() < deadline and proc.poll() is None:
            app.set_marks([rated % 30], rating=rated % 5 + 1)  # the app writes while the session does
            rated += 1
            session = catalog.folder(out / "shoot")
            if session is not None and catalog.count(Filter(folder_id=session.id, look="Sepia")) == 3:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        reader.join(timeout=5)
    output = "".join(lines)
    assert proc.returncode == 0, output
    folders = {f.path: f for f in catalog.folders()}
    assert folders[out / "shoot"].kind == "session" and folders[out / "shoot"].count == 3, output
    assert catalog.count(Filter(look="Sepia")) == 3  # catalogued after their look was written
    assert rated > 3 and "not updated" not in output
    for row in range(min(rated, 30)):
        photo = app.photo(row)
        assert photo.rating == sidecars.load(photo.path).rating == catalog.photo(photo.path).rating
    catalog.close()
