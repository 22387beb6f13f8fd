"""The catalog on a real SQLite file: scanning, incremental rescans, filters, marks, recovery, versions."""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import time

import pytest
from PIL import Image

from editor.core import sidecar as sidecars
from editor.core.catalog import SCHEMA_VERSION, Catalog, CatalogVersionError, Filter, parse_date
from editor.core.edit import Edit


def jpeg_bytes(when="2024:05:06 07:08:09", model="Canon EOS 5D", iso=400, colour=(120, 90, 60)) -> bytes:
    image = Image.new("RGB", (48, 32), colour)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = model.split()[0], model
    sub = exif.get_ifd(0x8769)
    if when:
        sub[0x9003] = when
    sub[0x8827], sub[0x829A], sub[0x829D], sub[0xA434] = iso, 1 / 250, 2.8, "EF 50mm f/1.4"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo(path, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(**kw))
    return path


@pytest.fixture
def shoot(tmp_path):
    root = tmp_path / "photos"
    photo(root / "day1" / "a.jpg", when="2024:05:01 10:00:00")
    photo(root / "day1" / "b.jpg", when="2024:05:01 09:00:00", model="NIKON Z6", iso=3200)
    photo(root / "day2" / "c.JPG", when="2024:05:02 08:00:00")
    photo(root / "day2" / "d.png.txt")  # not a photo
    photo(root / ".hidden" / "e.jpg")
    return root


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog(tmp_path / "data" / "catalog.sqlite3")
    yield cat
    cat.close()


def names(photos):
    return [p.name for p in photos]


def test_first_scan_lists_photos_recursively_with_their_headers(catalog, shoot):
    catalog.add_folder(shoot)
    report = catalog.scan()
    assert (report.added, report.removed) == (3, 0)
    assert names(catalog.photos()) == ["b.jpg", "a.jpg", "c.JPG"]  # by capture time
    b = catalog.photo(shoot / "day1" / "b.jpg")
    assert (b.camera, b.iso, b.width, b.height) == ("NIKON Z6", 3200, 48, 32)
    assert b.exposure == pytest.approx(1 / 250) and b.fnumber == pytest.approx(2.8)
    assert b.lens == "EF 50mm f/1.4" and b.ext == "jpg"
    assert b.captured == pytest.approx(parse_date("2024-05-01T09:00"))
    assert [(f.path, f.count, f.online) for f in catalog.folders()] == [(shoot, 3, True)]


def test_rescan_reads_only_what_changed_and_notices_moves_and_deletions(catalog, shoot):
    catalog.add_folder(shoot)
    catalog.scan()
    assert catalog.scan().unchanged == 3
    photo(shoot / "day1" / "a.jpg", colour=(1, 2, 3), iso=100)  # re-saved: new size and mtime
    (shoot / "day2" / "c.JPG").unlink()
    shutil.move(shoot / "day1" / "b.jpg", shoot / "day2" / "b.jpg")
    photo(shoot / "day3" / "new.jpg")
    report = catalog.scan()
    assert (report.added, report.changed, report.moved, report.removed, report.unchanged) == (1, 1, 1, 1, 0)
    assert sorted(names(catalog.photos())) == ["a.jpg", "b.jpg", "new.jpg"]
    assert catalog.photo(shoot / "day1" / "a.jpg").iso == 100
    assert catalog.photo(shoot / "day2" / "b.jpg") is not None


def test_an_unplugged_folder_is_shown_offline_with_its_photos_kept(catalog, shoot, tmp_path):
    catalog.add_folder(shoot)
    catalog.scan()
    unplugged = tmp_path / "elsewhere"
    shoot.rename(unplugged)
    report = catalog.scan()
    assert report.offline == [shoot] and report.removed == 0
    assert [(f.online, f.count) for f in catalog.folders()] == [(False, 3)]
    unplugged.rename(shoot)
    catalog.scan()
    assert [(f.online, f.count) for f in catalog.folders()] == [(True, 3)]


def test_filters_and_sort_orders_are_answered_by_sql(catalog, shoot):
    catalog.add_folder(shoot)
    catalog.scan()
    catalog.set_marks(shoot / "day1" / "a.jpg", rating=4, flag="pick")
    catalog.set_marks(shoot / "day2" / "c.JPG", rating=2, flag="reject")
    look = Edit().with_look({"name": "Tri-X 400", "amount": 100})
    sidecars.save(shoot / "day1" / "b.jpg", sidecars.Sidecar(sidecars.History(look)))
    catalog.note_sidecar(shoot / "day1" / "b.jpg")
    assert names(catalog.photos(Filter(rating=2))) == ["a.jpg", "c.JPG"]
    assert names(catalog.photos(Filter(flag="pick"))) == ["a.jpg"]
    assert names(catalog.photos(Filter(flag="none"))) == ["b.jpg"]
    assert names(catalog.photos(Filter(look="Tri-X 400"))) == ["b.jpg"]
    assert names(catalog.photos(Filter(camera="nikon"))) == ["b.jpg"]
    assert names(catalog.photos(Filter(since=parse_date("2024-05-02")))) == ["c.JPG"]
    assert names(catalog.photos(Filter(until=parse_date("2024-05-01", end=True)))) == ["b.jpg", "a.jpg"]
    assert names(catalog.photos(Filter(text="C."))) == ["c.JPG"]
    assert names(catalog.photos(Filter(types=("png",)))) == []
    assert names(catalog.photos(Filter(sort="name", descending=True))) == ["c.JPG", "b.jpg", "a.jpg"]
    assert names(catalog.photos(Filter(sort="rating"))) == ["a.jpg", "c.JPG", "b.jpg"]
    assert catalog.values("look") == ["Tri-X 400"]
    assert catalog.count(Filter(camera="canon")) == 2
    assert [p.name for p in catalog.by_ids(catalog.ids(Filter(sort="name")))] == ["a.jpg", "b.jpg", "c.JPG"]
    with pytest.raises(ValueError, match="sort must be one of"):
        Filter(sort="size")


def test_filters_use_indexes_not_a_full_table_scan(catalog):
    con = sqlite3.connect(catalog.path)
    for where in (Filter(rating=3), Filter(flag="pick"), Filter(look="x"), Filter(sort="name"), Filter(),
                  Filter(under="/photos/2024"), Filter(sort="rating"), Filter(sort="edited", descending=True)):
        clause, values = where.where()
        plan = " ".join(r[-1] for r in con.execute(
            f"EXPLAIN QUERY PLAN SELECT p.id FROM photos p{clause}{where.order()}", values))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (where, plan)
    con.close()


def test_marks_land_in_the_sidecar_and_the_catalog(catalog, shoot):
    catalog.add_folder(shoot)
    catalog.scan()
    target = shoot / "day1" / "a.jpg"
    row = catalog.set_marks(target, rating=5, flag="pick")
    car = sidecars.load(target)
    assert (car.rating, car.flag) == (5, "pick") == (row.rating, row.flag)
    # a crash after the sidecar was written but before the catalog was: the next scan heals it
    sidecars.save(target, sidecars.Sidecar(car.history, 1, "reject"))
    os.utime(sidecars.path_for(target), ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert catalog.scan().changed == 1
    assert (catalog.photo(target).rating, catalog.photo(target).flag) == (1, "reject")


def test_a_bad_sidecar_is_a_problem_named_and_the_photo_still_listed(catalog, shoot):
    sidecars.path_for(shoot / "day1" / "a.jpg").write_text("{not json")
    catalog.add_folder(shoot)
    report = catalog.scan()
    assert len(report.problems) == 1 and "a.jpg.darkslide" in report.problems[0]
    assert catalog.photo(shoot / "day1" / "a.jpg").problem


def test_a_deleted_catalog_is_rebuilt_from_folders_and_sidecars(tmp_path, shoot):
    path = tmp_path / "data" / "catalog.sqlite3"
    with Catalog(path) as cat:
        cat.add_folder(shoot)
        cat.add_folder(photo(tmp_path / "session1" / "cap.jpg").parent, kind="session")
        cat.scan()
        cat.set_marks(shoot / "day1" / "a.jpg", rating=3, flag="pick")
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / "data" / f"catalog.sqlite3{suffix}").unlink(missing_ok=True)
    with Catalog(path) as cat:
        assert cat.needs_scan
        cat.scan()
        assert [(f.kind, f.count) for f in cat.folders()] == [("folder", 3), ("session", 1)]
        a = cat.photo(shoot / "day1" / "a.jpg")
        assert (a.rating, a.flag) == (3, "pick")


def test_a_corrupted_catalog_is_kept_aside_and_rebuilt(tmp_path, shoot):
    path = tmp_path / "data" / "catalog.sqlite3"
    with Catalog(path) as cat:
        cat.add_folder(shoot)
        cat.scan()
        cat.set_marks(shoot / "day2" / "c.JPG", rating=2)
    path.write_bytes(b"this is not sqlite" * 500)
    with Catalog(path) as cat:
        assert "damaged" in cat.notice
        cat.scan()
        assert cat.photo(shoot / "day2" / "c.JPG").rating == 2 and cat.count() == 3
    assert len(list(path.parent.glob("catalog.sqlite3.damaged-*"))) == 1


def test_a_catalog_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(CatalogVersionError, match="newer Darkslide.*schema 99.*left untouched"):
        Catalog(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("*.damaged-*"))


def test_an_older_empty_catalog_is_migrated_to_the_current_schema(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.close()  # version 0
    with Catalog(path) as cat:
        assert cat._execute("PRAGMA user_version")[0][0] >= 1
        assert "rebuild" in cat._execute("SELECT value FROM meta WHERE key = 'note'")[0][0]


def test_a_tether_capture_is_catalogued_in_its_session(catalog, tmp_path):
    session = tmp_path / "sessions" / "2024-05-06"
    session.mkdir(parents=True)
    folder = catalog.add_folder(session, kind="session")
    shot = photo(session / "IMG_1.jpg")
    assert catalog.add_photo(shot).folder_id == folder.id
    assert catalog.add_photo(photo(tmp_path / "stray.jpg")) is None  # not in a catalogued folder
    assert catalog.add_folder(session / ".." / "2024-05-06").id == folder.id  # same folder, no double listing


def test_the_small_jpeg_reader_agrees_with_pillow_on_real_camera_photos(tmp_path):
    from pathlib import Path

    from editor.core.catalog import headers
    samples = sorted((Path(__file__).resolve().parents[2] / "resources" / "samples").glob("*.jpg"))
    turned = photo(tmp_path / "turned.jpg")
    with Image.open(turned) as im:  # portrait: EXIF orientation 6 swaps the size as shown
        exif = im.getexif()
        exif[0x0112] = 6
        im.save(tmp_path / "portrait.jpg", exif=exif)
    checked = [headers._jpeg(p) for p in [*samples, turned, tmp_path / "portrait.jpg"]]
    assert checked == [headers._pillow(p) for p in [*samples, turned, tmp_path / "portrait.jpg"]]
    assert sum(1 for h in checked if h.camera and h.exposure and h.fnumber and h.iso) >= 3  # real EXIF read
    assert (checked[-1].width, checked[-1].height) == (32, 48)


def test_a_truncated_photo_is_listed_with_the_reason(catalog, tmp_path):
    broken = tmp_path / "cut" / "half.jpg"
    broken.parent.mkdir()
    broken.write_bytes(jpeg_bytes()[:120])
    catalog.add_folder(broken.parent)
    report = catalog.scan()
    assert report.added == 1 and "half.jpg" in report.problems[0]
    assert catalog.photo(broken).problem and catalog.photo(broken).width is None


def test_damage_found_later_is_named_and_rebuild_replaces_the_file_with_nothing_lost(tmp_path):
    from editor.core.catalog import CatalogCorrupt
    path = tmp_path / "data" / "catalog.sqlite3"
    blob = jpeg_bytes()
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for i in range(400):
        (shoot / f"IMG_{i:04d}.jpg").write_bytes(blob)
    with Catalog(path) as cat:
        cat.add_folder(shoot)
        cat.scan()
        cat.set_marks(shoot / "IMG_0123.jpg", rating=5, flag="pick")
    data = bytearray(path.read_bytes())
    page = 4096
    data[16 * page:] = b"\x5a" * (len(data) - 16 * page)  # the tables' first pages survive, later rows do not
    path.write_bytes(bytes(data))
    with Catalog(path) as cat:  # opens: the damage is in the photos' pages
        assert not cat.notice
        with pytest.raises(CatalogCorrupt, match="damaged.*library rebuild.*nothing lost"):
            cat.photos(Filter(sort="name"))
        report = cat.rebuild()
        assert report.added == 400 and "damaged" in cat.notice
        pick = cat.photo(shoot / "IMG_0123.jpg")
        assert (pick.rating, pick.flag) == (5, "pick")
    assert len(list(path.parent.glob("catalog.sqlite3.damaged-*"))) == 1


def test_a_version_1_catalog_is_migrated_with_its_rows_kept(tmp_path, shoot):
    from editor.core.catalog.schema import MIGRATIONS
    path = tmp_path / "catalog.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(MIGRATIONS[0])  # the first schema, as Darkslide wrote it before sub-folders
    con.execute("INSERT INTO folders (path, kind, added) VALUES (?, 'folder', 0)", (str(shoot),))
    con.execute("INSERT INTO photos (folder_id, path, name, ext, size, mtime_ns, captured, rating) "
                "VALUES (1, ?, 'a.jpg', 'jpg', 1, 1, 0, 4)", (str(shoot / "day1" / "a.jpg"),))
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    with Catalog(path) as cat:
        assert cat._execute("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        a = cat.photos(Filter(under=str(shoot / "day1")))
        assert [(p.name, p.rating) for p in a] == [("a.jpg", 4)]  # its folder was filled in from its path


def test_a_folder_and_its_sub_folders_filter_by_an_index_range(catalog, shoot):
    photo(shoot / "day1" / "raw" / "x.jpg")
    photo(shoot / "day10" / "y.jpg")  # "day10" starts like "day1" but is not under it
    catalog.add_folder(shoot)
    catalog.scan()
    assert sorted(names(catalog.photos(Filter(under=str(shoot / "day1"))))) == ["a.jpg", "b.jpg", "x.jpg"]
    assert names(catalog.photos(Filter(under=str(shoot / "day1" / "raw")))) == ["x.jpg"]
    folder = catalog.folders()[0]
    assert catalog.subfolders(folder) == {shoot / "day1": 2, shoot / "day1" / "raw": 1, shoot / "day2": 1,
                                          shoot / "day10": 1}


def test_a_sidecar_broken_after_cataloguing_is_named_by_the_next_scan(catalog, shoot):
    catalog.add_folder(shoot)
    catalog.scan()
    car = sidecars.path_for(shoot / "day2" / "c.JPG")
    car.write_text("{half a sidecar")
    report = catalog.scan()
    assert report.changed == 1 and len(report.problems) == 1 and "c.JPG.darkslide" in report.problems[0]
    assert "c.JPG.darkslide" in catalog.photo(shoot / "day2" / "c.JPG").problem
