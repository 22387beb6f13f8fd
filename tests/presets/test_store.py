"""The user preset store on a temporary folder: create, rename, duplicate, delete to trash, restore, import."""
from __future__ import annotations

import json

import pytest

from editor.core import atomic
from editor.core.edit import Edit
from presets import PresetError, PresetStore, apply_look
from presets.formats import native
from preset_helpers import DATA


@pytest.fixture
def store(tmp_path):
    return PresetStore(tmp_path / "data")


def edited() -> Edit:
    return Edit().update("contrast", contrast=25.0).update("vibrance", vibrance=-10.0).update("crop", width=0.5)


def test_create_from_edit_saves_changed_operations_except_crop(store):
    preset = store.create("Mine", edited(), group="Street")
    path = store.presets_dir / "Street" / "Mine.json"
    assert path.is_file()
    saved = json.loads(path.read_text())
    assert set(saved["operations"]) == {"contrast", "vibrance"}
    assert store.get("mine") == preset


def test_create_from_chosen_operations_stores_all_their_params(store):
    preset = store.create("Tone", edited(), operations=["contrast", "exposure"])
    assert dict(preset.params["exposure"]) == {"exposure_ev": 0.0}
    assert "vibrance" not in preset.params


def test_names_are_unique(store):
    store.create("Mine", edited())
    with pytest.raises(PresetError, match="already exists"):
        store.create("MINE", edited())


def test_rename_moves_the_file(store):
    store.create("Old", edited())
    store.rename("Old", "New")
    assert [p.name for p in store.user_presets()] == ["New"]
    assert not (store.presets_dir / "User" / "Old.json").exists()


def test_update_replaces_params_of_the_named_operations(store):
    store.create("Mine", edited())
    store.update("Mine", Edit().update("contrast", contrast=-5.0), description="softer")
    again = store.get("Mine")
    assert again.params["contrast"]["contrast"] == -5.0 and again.description == "softer"
    assert again.params["vibrance"]["vibrance"] == 0.0


def test_duplicate_a_builtin_makes_an_editable_copy(store):
    copy = store.duplicate("Chrome")
    assert copy.name == "Chrome copy" and not copy.builtin
    store.update("Chrome copy", description="my chrome")
    assert store.get("Chrome copy").description == "my chrome"
    with pytest.raises(PresetError, match="built-in"):
        store.update("Chrome", description="nope")


def test_delete_moves_to_trash_and_restore_brings_it_back(store):
    original = store.create("Mine", edited())
    trashed = store.delete("Mine")
    assert trashed.is_file() and trashed.parent == store.trash_dir
    assert not store.exists("Mine") and store.trash() == [trashed]
    assert store.restore(trashed) == original
    assert store.exists("Mine") and store.trash() == []


def test_a_failed_write_leaves_the_old_file_intact(store, monkeypatch):
    store.create("Mine", edited())
    path = store.presets_dir / "User" / "Mine.json"
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.update("Mine", description="changed")
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["Mine.json"]  # no temporary file left behind


def test_import_native_xmp_and_bundle(store, tmp_path):
    bundle = tmp_path / "two.json"
    bundle.write_text(native.dumps_bundle([store.get("Vivid").replace(name="A", builtin=False),
                                           store.get("Sepia").replace(name="B", builtin=False)]))
    assert [p.name for p in store.import_file(bundle).presets] == ["A", "B"]
    result = store.import_file(DATA / "lr_unsupported.xmp")
    assert result.presets[0].name == "Partly Supported" and result.report["Dehaze"] == "dehaze.amount"
    assert any(item.startswith("LensProfileEnable (") for item in result.ignored)
    assert {p.name for p in store.user_presets()} == {"A", "B", "Partly Supported"}


def test_importing_a_builtin_name_gets_a_free_name(store, tmp_path):
    path = tmp_path / "vivid.json"
    path.write_text(native.dumps(store.get("Vivid")))
    assert store.import_file(path).presets[0].name == "Vivid 2"


@pytest.mark.parametrize("name,content", [("broken.json", b"{not json"),
                                          ("future.json", b'{"name": "F", "version": 9}'),
                                          ("bad_values.json", b'{"name": "B", "operations": {"contrast": '
                                                              b'{"version": 1, "params": {"contrast": 1e9}}}}'),
                                          ("garbage.xmp", bytes(range(256))),
                                          ("notes.txt", b"hello")])
def test_bad_files_add_nothing(store, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PresetError, match=name):
        store.import_file(path)
    assert store.user_presets() == []


def test_huge_files_are_refused_unread(store, tmp_path):
    path = tmp_path / "huge.xmp"
    with open(path, "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)
    with pytest.raises(PresetError, match="huge.xmp.*64 MB"):
        store.import_file(path)


def test_apply_look_finds_user_presets_and_builtins(store):
    store.create("Punchy", Edit().update("contrast", contrast=40.0))
    assert apply_look(Edit(), "punchy", store=store)["contrast"].contrast == 40.0
    assert apply_look(Edit(), "Monochrome", amount=100, store=store)["bw_mix"].enabled
    with pytest.raises(PresetError, match="no preset or look called 'Nope'"):
        apply_look(Edit(), "Nope", store=store)


def test_unreadable_user_files_are_reported_not_fatal(store):
    store.create("Good", edited())
    (store.presets_dir / "User" / "bad.json").write_text("{")
    assert [p.name for p in store.user_presets()] == ["Good"]
    assert any("bad.json" in problem for problem in store.problems())


def test_importing_a_preset_whose_lut_is_missing_warns(store, tmp_path):
    path = tmp_path / "needs_lut.json"
    path.write_text(json.dumps({"name": "Needs LUT", "operations": {
        "lut3d": {"version": 1, "params": {"lut": "missing-film.cube"}}}}))
    result = store.import_file(path)
    assert store.exists("Needs LUT")
    assert any("missing-film.cube" in w for w in result.warnings)


def test_builtin_and_empty_names_are_refused(store):
    with pytest.raises(PresetError, match="built-in look"):
        store.create("chrome", edited())
    with pytest.raises(PresetError, match="name must be non-empty"):
        store.create("  ", edited())
    store.create("Mine", edited())
    with pytest.raises(PresetError, match="already exists"):
        store.rename("Mine", "Sepia")
