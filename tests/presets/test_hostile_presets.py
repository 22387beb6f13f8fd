"""Hostile or broken preset files: refused at import with a message that says why, never able to break
the store (`presets list`, `get` as `export --preset` uses it); names with control characters refused;
exported files readable by others (0644, as exported photos are)."""
from __future__ import annotations

import argparse
import json
import os
import stat

import pytest

from editor.core.edit import Edit
from presets import Preset, PresetError, PresetStore, cli
from presets.formats import native

GOOD = {"format": "darkslide-preset", "version": 1, "name": "Good", "operations": {
    "contrast": {"version": 1, "params": {"contrast": 10.0}}}}


def op(name: str, params: str) -> str:
    return '{"name": "x", "operations": {"%s": {"version": 1, "params": %s}}}' % (name, params)


HOSTILE = {
    "deep.json": ('{"name": "x", "operations": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
    "deep_but_parsable.json": ('{"name": "x", "description": ' + '{"a": ' * 500 + "1" + "}" * 501, "nested"),
    "nan.json": (op("contrast", '{"contrast": NaN}'), "finite"),
    "infinite.json": (op("contrast", '{"contrast": 1e999}'), "finite"),
    "huge_int.json": (op("contrast", '{"contrast": ' + "9" * 5000 + "}"), "not valid JSON"),
    "curve_flood.json": (op("tone_curve", '{"master": %s}' % json.dumps([[i / 1e5, i / 1e5] for i in range(10**5)])),
                         "2 to 32"),
    "negative_version.json": ('{"name": "x", "operations": {"contrast": {"version": -5, "params": {}}}}',
                              "version"),
    "escape_name.json": (json.dumps({"name": "Red\x1b[31m look"}), "control characters"),
    "newline_name.json": (json.dumps({"name": "two\nlines"}), "control characters"),
    "bidi_name.json": (json.dumps({"name": "abc\u202egpj.exe"}), "control characters"),
    "bad_group.json": (json.dumps({"name": "ok", "group": "a\x00b"}), "control characters"),
    "not_object.json": ("[1, 2, 3]", "expected a JSON object"),
}


@pytest.fixture
def store(tmp_path):
    store = PresetStore(tmp_path / "data")
    store.save(Preset.from_dict(GOOD))
    return store


def run_cli(store: PresetStore, *argv) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(["--data-dir", str(store.root), *argv]))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_preset_is_refused_at_import_and_the_store_is_untouched(tmp_path, store, name):
    text, reason = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text)
    before = sorted(p.name for p in store.presets_dir.rglob("*"))
    with pytest.raises(PresetError, match=reason) as info:
        store.import_file(path)
    assert name in str(info.value) and len(str(info.value)) < 600
    assert sorted(p.name for p in store.presets_dir.rglob("*")) == before
    assert [p.name for p in store.user_presets()] == ["Good"]


def test_hostile_files_placed_in_the_store_by_hand_never_break_it(store, capsys):
    for name, (text, _) in HOSTILE.items():
        (store.presets_dir / "User" / name).write_text(text)
    assert [p.name for p in store.user_presets()] == ["Good"]
    assert len(store.problems()) == len(HOSTILE)
    assert store.get("Good").params["contrast"]["contrast"] == 10.0  # what `export --preset Good` does
    assert store.get("Chrome").builtin
    assert run_cli(store, "list") == 0
    out, err = capsys.readouterr()
    assert "Good" in out and err.count("unreadable:") == len(HOSTILE)
    assert "\x1b" not in out + err and "\u202e" not in out + err


def test_names_with_control_characters_cannot_be_saved(store):
    for name in ("tab\there", "bell\a", "rtl\u202eoverride"):
        with pytest.raises(PresetError, match="control characters"):
            store.save(Preset(name=name))
    with pytest.raises(PresetError, match="control characters"):
        store.create("esc\x1b", Edit().update("contrast", contrast=5.0))
    with pytest.raises(PresetError, match="control characters"):
        store.rename("Good", "new\nline")
    assert [p.name for p in store.user_presets()] == ["Good"]


@pytest.mark.parametrize("fmt,suffix", [("native", ".json"), ("xmp", ".xmp"), ("cube", ".cube"),
                                        ("hald", ".png")])
def test_exported_files_are_readable_by_others(tmp_path, store, fmt, suffix):
    out = tmp_path / f"export{suffix}"
    assert run_cli(store, "export", "Classic", "--format", fmt, "--out", str(out)) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_a_deep_bundle_is_refused_without_exhausting_the_stack():
    deep = '{"format": "darkslide-preset-bundle", "presets": [' + "[" * 5000 + "]" * 5000 + "]}"
    with pytest.raises(PresetError, match="nested"):
        native.loads(deep, "bundle.json")


def test_export_with_a_preset_works_beside_hostile_files_in_the_store(tmp_path, monkeypatch, capsys):
    import numpy as np
    import pyvips
    from editor.cli import export as export_cli
    monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path / "data"))
    store = PresetStore()
    store.save(Preset.from_dict(GOOD))
    for name in ("deep.json", "escape_name.json", "nan.json"):
        (store.presets_dir / "User" / name).write_text(HOSTILE[name][0])
    photo = tmp_path / "photo.png"
    pyvips.Image.new_from_array(np.full((8, 8, 3), 128, np.uint8), interpretation="srgb").write_to_file(str(photo))
    code = export_cli.main([str(photo), "--out", str(tmp_path / "out"), "--format", "png", "--preset", "Good"])
    assert code == 0 and (tmp_path / "out" / "photo.png").is_file(), capsys.readouterr()


@pytest.mark.parametrize("suffix", [".json", ".xmp", ".cube"])
def test_the_looks_panel_export_is_readable_by_others_too(tmp_path, store, suffix):
    from editor.app.looks import export_preset
    out = tmp_path / f"export{suffix}"
    export_preset(store.get("Classic"), out, suffix)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
