"""The hostile corpus (hostile_corpus.py): every damaged photo, special file and broken sidecar gets a
clear answer naming the file, the controls still work, nothing hangs and nothing escapes as another error."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import pyvips

sys.path.insert(0, str(Path(__file__).parent))
import hostile_corpus  # noqa: E402

from editor.core import export, sidecar, sources  # noqa: E402
from editor.core.document import Document  # noqa: E402
from editor.core.edit import Edit  # noqa: E402
from editor.core.library import Library, read_entry  # noqa: E402

pytestmark = pytest.mark.timeout(60)  # a FIFO read would hang: fail instead


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    cases = hostile_corpus.write_photos(folder) + hostile_corpus.make_special(folder)
    return folder, cases


def _answer(path: Path, out: Path) -> str | None:
    """None when the photo opens, previews and exports; else the error's message (our types only)."""
    try:
        sources.open_photo(path).preview(96)
        export.export_photo(path, Edit(), export.ExportSettings(overwrite=True), out)
    except (sources.PhotoError, export.ExportError) as exc:
        return str(exc)
    return None


def test_corpus_covers_every_format_and_kind_of_damage(corpus):
    _, cases = corpus
    expects = [c.expect for c in cases]
    assert expects.count("refuse") >= 30 and expects.count("ok") >= 8 and expects.count("either") == 7
    assert {Path(c.name).suffix for c in cases} >= {".jpg", ".png", ".tif", ".webp", ".avif", ".heic", ".dng"}


def test_every_case_gets_a_clear_answer_or_opens(corpus, tmp_path):
    folder, cases = corpus
    wrong = []
    for case in cases:
        answer = _answer(folder / case.name, tmp_path / "out")
        if case.expect == "ok" and answer is not None:
            wrong.append(f"{case.name}: refused a good photo: {answer}")
        elif case.expect == "refuse" and answer is None:
            wrong.append(f"{case.name}: opened and exported silently")
        elif case.expect == "refuse" and not (str(folder / case.name) in answer
                                              and re.search(case.words, answer, re.I)):
            wrong.append(f"{case.name}: message does not name the file or say /{case.words}/: {answer}")
        elif answer is not None and not answer.startswith(str(folder / case.name)):
            wrong.append(f"{case.name}: message does not start with the file: {answer}")
    assert not wrong, "\n".join(wrong)
    assert not [p for p in (tmp_path / "out").iterdir() if ".part" in p.name]  # no temporary leftovers


def test_messages_put_words_before_the_decoders_own_text(corpus, tmp_path):
    folder, _ = corpus
    message = _answer(folder / "scan_marker.jpg", tmp_path)
    words, _, detail = message.partition(" (")
    assert "corrupt" in words and "VipsJpeg" not in words and "VipsJpeg" in detail


def test_truncated_tiff_is_not_called_unsupported(corpus, tmp_path):
    folder, _ = corpus
    message = _answer(folder / "cut50.tif", tmp_path)
    assert "not a supported image" not in message and "TIFF" in message and "truncated" in message


@pytest.mark.parametrize("name, words", [("scan_marker.jpg", "corrupt"), ("cut50.jpg", "truncated"),
                                         ("cut50.png", "truncated"), ("flipped.png", "corrupt")])
def test_damage_found_only_while_exporting_is_reported_in_words(corpus, tmp_path, name, words):
    folder, _ = corpus
    with pytest.raises(export.ExportError) as err:  # straight to export: no preview decoded it first
        export.export_photo(folder / name, Edit(), export.ExportSettings(), tmp_path)
    message, _, detail = str(err.value).partition(" (")
    assert message.startswith(f"{folder / name}: cannot develop the photo") and words in message and detail
    assert list(tmp_path.iterdir()) == []


def test_a_harmless_libjpeg_warning_is_forgiven_once_and_the_photo_exports(corpus, tmp_path):
    folder, _ = corpus
    photo = sources.open_photo(folder / "stray_header_bytes.jpg")
    assert photo.fail_on == "warning"
    assert photo.preview(64).width == 64 and photo.fail_on == "error"
    written = export.export_photo(folder / "stray_header_bytes.jpg", Edit(), export.ExportSettings(), tmp_path)
    assert pyvips.Image.new_from_file(str(written)).width == hostile_corpus.SIZE[0]


def test_heic_with_missing_tiles_is_refused_before_decoding(corpus, monkeypatch):
    folder, _ = corpus
    import pillow_heif
    monkeypatch.setattr(pillow_heif, "open_heif", lambda *a, **k: pytest.fail("decoded a damaged HEIC"))
    with pytest.raises(sources.PhotoError, match=r"tiles_missing\.heic: .*truncated.*missing"):
        sources.open_photo(folder / "tiles_missing.heic")


def test_special_files_are_refused_by_the_library_thumbnails_and_export(corpus, tmp_path):
    folder, cases = corpus
    special = [c for c in cases if c.words in ("named pipe", "character device", "socket")]
    assert len(special) >= 3
    for case in special:
        with pytest.raises(sources.PhotoError, match=case.words):
            sources.thumbnail(folder / case.name, 64)
    result = export.export_batch([folder / c.name for c in special], export.ExportSettings(), tmp_path)
    assert len(result.failed) == len(special) and not result.done
    names = {e.name for e in Library.scan(folder).entries}
    assert not names & {c.name for c in special}  # the library lists regular files only
    assert read_entry(folder / "fifo.jpg").captured == (folder / "fifo.jpg").stat().st_mtime  # no hang


# ---------------------------------------------------------------------------------------------- sidecars

@pytest.fixture(scope="module")
def sidecar_folder(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("sidecars")
    good = (corpus[0] / "good.jpg").read_bytes()
    broken = hostile_corpus.write_sidecars(folder, good) + hostile_corpus.write_special_sidecars(folder, good)
    fine = folder / "fine.jpg"
    fine.write_bytes(good)
    sidecar.save(fine, sidecar.Sidecar(rating=3))
    plain = folder / "plain.jpg"
    plain.write_bytes(good)
    return folder, broken, [fine, plain]


def test_every_broken_sidecar_is_refused_with_its_name_and_reason(sidecar_folder):
    _, broken, _ = sidecar_folder
    assert len(broken) >= 30
    wrong = []
    for photo, words in broken:
        try:
            sidecar.load(photo)
            wrong.append(f"{photo.name}: loaded")
        except sidecar.SidecarError as exc:
            if str(sidecar.path_for(photo)) not in str(exc) or words not in str(exc):
                wrong.append(f"{photo.name}: {exc} (wanted {words!r})")
    assert not wrong, "\n".join(wrong)


def test_a_folder_of_broken_sidecars_scans_and_its_good_photos_work(sidecar_folder, tmp_path):
    folder, broken, good = sidecar_folder
    library = Library.scan(folder)
    by_name = {e.name: e for e in library.entries}
    assert set(by_name) == {p.name for p, _ in broken} | {p.name for p in good}
    for photo, words in broken:
        assert by_name[photo.name].problem.startswith("sidecar unreadable: ")
        assert words in by_name[photo.name].problem
    assert by_name["fine.jpg"].rating == 3 and not by_name["fine.jpg"].problem
    result = export.export_batch(good, export.ExportSettings(), tmp_path)
    assert len(result.done) == 2 and not result.failed
    library.set_rating(good[1], 5)
    assert read_entry(good[1]).rating == 5


def test_export_of_a_photo_with_a_broken_sidecar_says_why(sidecar_folder, tmp_path):
    _, broken, _ = sidecar_folder
    jobs = [p for p, _ in broken]
    result = export.export_batch(jobs, export.ExportSettings(), tmp_path)
    assert len(result.failed) == len(jobs) and not result.done
    for (photo, reason), (_, words) in zip(sorted(result.failed), sorted(broken)):
        assert f"{photo.name}.darkslide" in reason and words in reason and "unexpected" not in reason


def test_opening_a_photo_with_a_broken_sidecar_keeps_the_bad_file_aside(sidecar_folder, tmp_path):
    folder, broken, _ = sidecar_folder
    photo = tmp_path / "x.jpg"
    photo.write_bytes(broken[0][0].read_bytes())
    sidecar.path_for(photo).write_text('{"format": "darkslide-sidecar", "version": "1", "edit": {}}')
    doc = Document(photo)
    assert "'version' must be a whole number, not the text \"1\"" in doc.problem
    doc.update("exposure", exposure_ev=0.5)
    kept = sidecar.path_for(photo).with_name("x.jpg.darkslide.bad")
    assert '"version": "1"' in kept.read_text()
    assert sidecar.load(photo).edit["exposure"].exposure_ev == 0.5


def test_the_catalog_scan_skips_special_files_and_names_unreadable_sidecars(corpus, sidecar_folder, tmp_path):
    from editor.core.catalog.catalog import Catalog
    from editor.core.catalog.headers import read_header
    folder, cases = corpus
    special = [c for c in cases if c.words in ("named pipe", "character device", "socket")]
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        catalog.add_folder(folder)
        catalog.add_folder(sidecar_folder[0])
        report = catalog.scan()
        listed = {Path(p.path).name: p for p in catalog.photos()}
    assert not set(listed) & {c.name for c in special}  # listed without a hang, and not as photos
    assert "good.jpg" in listed and not listed["good.jpg"].problem
    broken = [(p, w) for p, w in sidecar_folder[1] if p.name != "folder_sidecar.jpg"]  # a folder: walked into
    for photo, words in broken:
        assert listed[photo.name].problem.startswith("sidecar unreadable: ") and words in listed[photo.name].problem
    assert sum("sidecar unreadable" in p for p in report.problems) == len(broken)
    assert "named pipe" in read_header(folder / "fifo.jpg").problem  # a tether capture path, say


def test_special_files_as_presets_are_refused_without_a_hang(tmp_path):
    from presets import PresetError
    from presets.formats import read_file
    from presets.store import PresetStore
    folder = tmp_path / "presets"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    os.symlink("/dev/zero", folder / "zero.json")
    os.symlink("/dev/zero", folder / "zero.xmp")
    os.mkfifo(folder / "pipe.cube")
    os.symlink("/dev/zero", folder / "zero.png")
    for name, words in (("pipe.json", "named pipe"), ("zero.json", "character device"),
                        ("zero.xmp", "character device"), ("pipe.cube", "named pipe"), ("zero.png", "character device")):
        with pytest.raises(PresetError, match=words):
            read_file(folder / name)
    problems = PresetStore(tmp_path).problems()
    assert len(problems) == 2 and all("not a regular file" in p for p in problems)
