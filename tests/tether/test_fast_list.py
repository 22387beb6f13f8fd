"""sync LIST / LIS2 parsed in one pass: same entries as adb-shell's parser, a 10,000-file roll much faster."""
from __future__ import annotations

import os
import time

from tether import adbproto as p
from tether.connection import DeviceConnection


def _dent(name: bytes, mode=0o100644, size=10, mtime=5) -> bytes:
    return p.SYNC_DENT.pack(p.ID_DENT, mode, size, mtime, len(name)) + name


def _dent2(name: bytes, mode=0o100644, size=10, mtime=5, error=0) -> bytes:
    return p.SYNC_DENT_V2.pack(p.ID_DNT2, error, 1, 2, mode, 1, 0, 0, size, 0, mtime, 0, len(name)) + name


def test_parse_dents_across_any_chunking_v1_and_v2():
    for v2, make, done in ((False, _dent, p.SYNC_DENT.pack(p.ID_DONE, 0, 0, 0, 0)),
                           (True, _dent2, p.SYNC_DENT_V2.pack(p.ID_DONE, *[0] * 12))):
        wire = b"".join(make(f"IMG_{i}.jpg".encode(), size=5 << 30 if v2 else i, mtime=i) for i in range(50)) + done
        if v2:  # an entry lstat failed on (vanished while listed) is skipped
            wire = make(b"gone.jpg", error=2) + wire
        for step in (1, 7, 64, len(wire)):
            buf, pos, out, finished = bytearray(), 0, [], False
            for start in range(0, len(wire), step):
                buf += wire[start:start + step]
                pos, finished = p.parse_dents(buf, pos, out, v2)
            assert finished and pos == len(buf)
            assert [name for name, *_ in out] == [f"IMG_{i}.jpg".encode() for i in range(50)]
            assert out[7][2:] == ((5 << 30) if v2 else 7, 7)


def test_list_of_a_10000_file_roll_matches_adb_shell_and_is_much_faster(make_phone, host_key, tmp_path):
    folder, bodies = tmp_path / "roll", tmp_path / "bodies"
    folder.mkdir()
    bodies.mkdir()
    for size in range(97):
        (bodies / str(size)).write_bytes(b"x" * size)
    for i in range(10_000):  # hard links: ten times quicker to make than 10,000 files, listed the same
        os.link(bodies / str(i % 97), folder / f"IMG_20240101_{i:06d}.jpg")
    phone = make_phone(trusted_keys=[host_key], folder=folder)
    ours = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=host_key, io_timeout=10).connect()
    theirs = DeviceConnection(f"127.0.0.1:{phone.port}", key_path=host_key, io_timeout=10, fast_pull=False).connect()
    try:
        timings = {}
        for label, conn in (("ours", ours), ("adb-shell", theirs)):
            cpu = []
            for _ in range(3):
                # The host's own CPU (this thread), not the phone's directory walk on its threads.
                started = time.thread_time()
                listed = conn.list_dir("/sdcard/DCIM/Camera")
                cpu.append(time.thread_time() - started)
            timings[label] = (min(cpu), sorted(listed, key=lambda e: e.name))
    finally:
        ours.close()
        theirs.close()
    assert len(timings["ours"][1]) == 10_000 and timings["ours"][1] == timings["adb-shell"][1]
    cpu = {label: seconds for label, (seconds, _) in timings.items()}
    assert cpu["ours"] * 2 < cpu["adb-shell"], cpu  # ~7x here when idle (bench_tether.py reports it)
