"""The simulated phone's toybox commands, as the app sees them through adb-shell."""
from __future__ import annotations

import hashlib


def test_shell_commands(phone, connect):
    (phone.folder / "IMG_1.jpg").write_bytes(b"abc")
    conn = connect(phone)
    assert "[ro.product.model]: [ELS-NX9]" in conn.shell("getprop")
    assert conn.shell("ls /sdcard/DCIM/Camera").split() == ["IMG_1.jpg"]
    assert "IMG_1.jpg" in conn.shell("ls -l /sdcard/DCIM/Camera") and " 3 " in conn.shell("ls -l /sdcard/DCIM/Camera")
    assert conn.shell("stat -c '%s %F' /sdcard/DCIM/Camera/IMG_1.jpg").strip() == "3 regular file"
    assert conn.remote_md5("/sdcard/DCIM/Camera/IMG_1.jpg") == hashlib.md5(b"abc").hexdigest()
    assert conn.shell("sha1sum /sdcard/DCIM/Camera/IMG_1.jpg").split()[0] == hashlib.sha1(b"abc").hexdigest()
    assert conn.remote_md5("/sdcard/DCIM/Camera/none.jpg") is None
    assert "not found" in conn.shell("frobnicate")
    assert conn.shell("df /data").splitlines()[1].split()[-1] == "/data"
    assert conn.stat("/storage/emulated/0/DCIM/Camera/IMG_1.jpg").size == 3, "storage alias of /sdcard"
    assert conn.stat("/sdcard/DCIM/Camera/../../../../etc/passwd") is None, "no escaping the phone's storage"
    conn.remove("/sdcard/DCIM/Camera/IMG_1.jpg")
    assert not (phone.folder / "IMG_1.jpg").exists()
