"""The simulated phone's realistic profile, checked through adb-shell over loopback: the camera roll,
FUSE-paced LIST and STAT, real-speed screencap, MediaStore pending files, and Pixel/Huawei naming."""
from __future__ import annotations

import io
import os
import re
import time

import pytest
from PIL import Image

from tether.simphone.profile import FAST, REALISTIC, get_profile
from test_helpers import wait_for

CAMERA = "/sdcard/DCIM/Camera"


def test_profiles_are_named_and_overridable_by_field():
    custom = get_profile("realistic", roll=10, screencap_min_s=0.1, lock=None)
    assert (custom.name, custom.roll, custom.screencap_min_s, custom.lock) == ("realistic", 10, 0.1, REALISTIC.lock)
    assert get_profile(FAST) == FAST
    with pytest.raises(ValueError, match="unknown phone profile 'slow'.*realistic"):
        get_profile("slow")


def test_roll_lists_thousands_of_sparse_files_with_real_sizes(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=3000, list_entry_s=0, list_request_s=0)
    assert phone.roll_made == 3000
    files = [e for e in connect(phone).list_dir(CAMERA) if e.is_file]
    assert len(files) == 3000
    jpegs = [e for e in files if e.name.endswith(".jpg") and not e.name.startswith(".")]
    assert len(jpegs) > 2500 and all(2_000_000 <= e.size <= 6_000_000 for e in jpegs)
    assert all(re.fullmatch(r"PXL_\d{8}_\d{9}(\.MP|\.RAW-01\.COVER)?\.jpg", e.name) for e in jpegs)
    assert any(e.name.endswith(".mp4") for e in files) and any(e.name.endswith(".RAW-02.ORIGINAL.dng") for e in files)
    assert any(re.fullmatch(r"\.trashed-\d{10}-PXL_\d{8}_\d{9}\.jpg", e.name) for e in files)  # the 30-day trash
    assert max(e.mtime for e in files) < time.time() - 3000  # all older than the session
    on_disk = sum(p.stat().st_blocks * 512 for p in phone.folder.iterdir())
    assert on_disk < 50_000_000  # sparse: ~10 GB listed, almost nothing written
    assert make_phone(profile="realistic", folder=phone.folder, roll=3000).roll_made == 0  # reused as is


def test_list_and_stat_pay_fuse_costs(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=1000,
                       list_request_s=0.05, list_entry_s=300e-6, stat_s=0.08)
    conn = connect(phone)
    started = time.monotonic()
    entries = conn.list_dir(CAMERA)
    listed = time.monotonic() - started
    assert len(entries) == 1000 and listed >= 0.05 + 1002 * 300e-6  # "." and ".." are read too
    started = time.monotonic()
    assert conn.stat(f"{CAMERA}/{entries[0].name}").size == entries[0].size
    assert time.monotonic() - started >= 0.08


def test_screencap_takes_real_phone_time_and_fast_does_not(make_phone, connect, host_key):
    slow = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, screencap_min_s=0.4, screencap_max_s=0.5)
    fast = make_phone(profile="fast", trusted_keys=[host_key])
    for phone, low, high in ((slow, 0.4, 1.5), (fast, 0.0, 0.35)):
        conn = connect(phone)
        started = time.monotonic()
        png = conn.exec_out("screencap -p")
        took = time.monotonic() - started
        assert low <= took < high, (phone.profile.name, took)
        assert Image.open(io.BytesIO(png)).size == phone.screen_size


def _watch(conn, shot, timeout: float = 15.0) -> list[dict]:
    """The camera folder LISTed every 20 ms until a LIST that started after the shot was written whole."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        done = shot.done.is_set()
        seen.append({e.name: e.size for e in conn.list_dir(CAMERA) if e.is_file})
        if done:
            return seen
        assert time.monotonic() < deadline, f"the shot was not written within {timeout:g} s"
        time.sleep(0.02)


def test_capture_grows_as_pending_file_then_is_renamed_whole(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, processing_s=0.0, image_size="small")
    conn = connect(phone)
    shot = phone.shoot(write_steps=4, write_duration=0.6)
    snapshots = _watch(conn, shot)
    name = shot.local_path.name
    pending = {n for snap in snapshots for n in snap if n.startswith(".pending-")}
    assert pending, "the camera never showed a pending file"
    expiry = int(next(iter(pending)).split("-")[1])
    assert abs(expiry - (shot.shutter_time + 7 * 86400)) < 60  # MediaStore: pending items expire after 7 days
    assert {n.split("-", 2)[2] for n in pending} == {name}
    assert all(snap[name] == shot.size for snap in snapshots if name in snap)  # never seen truncated
    assert name in snapshots[-1] and not any(n.startswith(".pending-") for n in snapshots[-1])


def test_stopping_mid_write_leaves_only_the_pending_file(make_phone, host_key):
    phone = make_phone(profile="realistic", roll=0, processing_s=0.0, image_size="small")
    shot = phone.shoot(write_steps=5, write_duration=3.0)
    wait_for(lambda: any(p.name.startswith(".pending-") for p in phone.folder.iterdir()), "the pending file")
    phone.stop()
    names = [p.name for p in phone.folder.iterdir()]
    assert shot.local_path.name not in names and any(n.startswith(".pending-") for n in names)


def test_pixel_raw_pair_names_and_exif(make_phone, host_key):
    phone = make_phone(profile="realistic", roll=0, with_dng=True, processing_s=0.0, write_duration=0.0, image_size="small")
    shot = phone.shoot()
    assert shot.done.wait(10)
    stem = shot.local_path.name.removesuffix(".RAW-01.COVER.jpg")
    assert re.fullmatch(r"PXL_\d{8}_\d{9}", stem)
    assert stem == "PXL_" + time.strftime("%Y%m%d_%H%M%S", time.gmtime(shot.shutter_time)) + stem[-3:]  # UTC
    assert shot.companion.name == f"{stem}.RAW-02.ORIGINAL.dng" and shot.companion.parent == phone.folder
    assert shot.companion.read_bytes()[:4] == b"II*\x00"
    exif = Image.open(shot.local_path).getexif()
    assert (exif[0x010F], exif[0x0110]) == ("Google", "Pixel 7")
    taken = exif.get_ifd(0x8769)[0x9003]
    assert taken == time.strftime("%Y:%m:%d %H:%M:%S", time.localtime(shot.shutter_time))


def test_huawei_names_bursts_by_second_and_every_shot_has_its_own_bytes(make_phone):
    phone = make_phone(profile="fast", with_dng=True, write_duration=0.0, frame_pool=1)
    shots = [phone.shoot() for _ in range(3)]
    assert all(s.done.wait(10) for s in shots)
    stems = [s.local_path.stem for s in shots]
    assert all(re.fullmatch(r"IMG_\d{8}_\d{6}(_\d)?", s) for s in stems)
    if stems[0][:19] == stems[1][:19]:  # same second: the second shot gets _1
        assert stems[1] == stems[0] + "_1"
    assert [s.companion.relative_to(phone.folder).as_posix() for s in shots] == [f"RAW/{s}.dng" for s in stems]
    assert len({s.md5 for s in shots}) == 3  # one rendered frame, three different files (EXIF differs)


IMAGES = "content://media/external/images/media"


def _rows(conn, where: str | None = None) -> list[dict]:
    command = f"content query --uri {IMAGES} --projection _id:_display_name:date_added:_size:is_pending"
    if where:
        command += f" --where '{where}'"
    out = conn.shell(command)
    if out.strip() == "No result found.":
        return []
    return [dict(part.split("=", 1) for part in line.split(" ", 2)[2].split(", ")) for line in out.splitlines()]


def test_mediastore_query_shows_a_shot_only_once_published_dated_at_its_shutter(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=50, processing_s=0.0, image_size="small",
                       content_query_s=0.05)
    conn = connect(phone)
    before = _rows(conn)
    assert len(before) == len([p for p in phone.folder.iterdir() if p.suffix in (".jpg", ".dng")])
    newest = max(int(r["date_added"]) for r in before)
    shot = phone.shoot(write_steps=3, write_duration=0.8)
    wait_for(lambda: any(p.name.startswith(".pending-") for p in phone.folder.iterdir()), "the pending file")
    assert _rows(conn, f"date_added > {newest}") == []  # pending rows stay hidden
    assert shot.done.wait(10)
    started = time.monotonic()
    new = _rows(conn, f"date_added > {newest}")
    assert time.monotonic() - started >= 0.05
    assert [(r["_display_name"], int(r["_size"]), r["is_pending"]) for r in new] == [(shot.local_path.name, shot.size, "0")]
    assert int(new[0]["date_added"]) == int(shot.shutter_time)  # inserted at the shutter, before the write
    assert int(new[0]["_id"]) > max(int(r["_id"]) for r in before)
    assert "no such column" in connect(phone).shell(f"content query --uri {IMAGES} --projection nope")


def test_an_sd_card_shows_under_storage_and_the_camera_saves_there(make_phone, connect, host_key, tmp_path):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=5, processing_s=0.0, image_size="small",
                       content_query_s=0.0, sd_card="1A2B-3C4D", save_to_sd=True)
    conn = connect(phone)
    assert sorted(e.name for e in conn.list_dir("/storage")) == ["1A2B-3C4D", "emulated", "self"]
    assert conn.shell("ls /storage").split() == ["1A2B-3C4D", "emulated", "self"]
    shot = phone.shoot()
    assert shot.done.wait(10)
    sd_camera = "/storage/1A2B-3C4D/DCIM/Camera"
    assert shot.device_path == f"{sd_camera}/{shot.local_path.name}"
    assert [e.name for e in conn.list_dir(sd_camera) if e.is_file] == [shot.local_path.name]
    assert shot.local_path.name not in [e.name for e in conn.list_dir(CAMERA)]
    assert conn.pull(shot.device_path, tmp_path / "pulled.jpg")[1] == shot.md5
    out = conn.shell(f"content query --uri {IMAGES} --projection _data:relative_path:volume_name "
                     "--where \"volume_name = '1a2b-3c4d'\"")
    assert out.strip() == (f"Row: 0 _data={shot.device_path}, relative_path=DCIM/Camera/, "
                           "volume_name=1a2b-3c4d")


def test_deleting_through_fuse_costs_per_file(make_phone, connect, host_key):
    phone = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, delete_s=0.1)
    for i in range(3):
        (phone.folder / f"PXL_{i}.jpg").write_bytes(b"x")
    conn = connect(phone)
    started = time.monotonic()
    conn.shell(f"rm {CAMERA}/PXL_0.jpg {CAMERA}/PXL_1.jpg {CAMERA}/PXL_2.jpg")
    assert time.monotonic() - started >= 0.3 and not list(phone.folder.iterdir())


def test_pulls_are_limited_to_the_link_speed(make_phone, connect, host_key, tmp_path):
    body = os.urandom(1_000_000)
    slow = make_phone(profile="realistic", trusted_keys=[host_key], roll=0, link_mb_s=4.0)
    fast = make_phone(profile="fast", trusted_keys=[host_key])
    took = {}
    for phone in (slow, fast):
        (phone.folder / "PXL_big.jpg").write_bytes(body)
        conn = connect(phone)
        started = time.monotonic()
        assert conn.pull(f"{CAMERA}/PXL_big.jpg", tmp_path / phone.profile.name)[0] == len(body)
        took[phone.profile.name] = time.monotonic() - started
    assert took["realistic"] >= 0.24 and took["fast"] < took["realistic"] / 2, took  # 1 MB at 4 MB/s
