"""LUT presets: .cube and Hald import into a store, log warnings, and baked LUTs that match their preset."""
from __future__ import annotations

import numpy as np
import pytest
import pyvips

from editor.core.ops import lut3d
from editor.core import lutfiles
from editor.core.edit import Edit
from presets import PresetError, PresetStore, apply_preset, builtin_looks
from presets.formats import lut
from preset_helpers import DATA, delta_e2000, exact, render_array, to_array

BAKE_LOOKS = ["Chrome", "Classic", "Eternal", "Selenium", "Portrait 400"]


def photo(name: str = "park_160.png") -> np.ndarray:
    return to_array(pyvips.Image.new_from_file(str(DATA / name)))


def look(name):
    return next(l for l in builtin_looks() if l.name == name)


@pytest.mark.parametrize("name,size", [(name, 33) for name in BAKE_LOOKS] + [("Chrome", 65)])
def test_baked_cube_matches_the_preset_on_a_photo(tmp_path, name, size):
    preset = look(name)
    path = tmp_path / f"{name}.cube"
    path.write_text(lut.dumps_cube(preset, size))
    for image in (photo("park_160.png"), photo("flowers_160.png")):
        direct = render_array(image, apply_preset(Edit(), preset), pointwise_only=True)
        via_lut = render_array(image, Edit().update("lut3d", lut=str(path)))
        assert delta_e2000(direct, via_lut).mean() <= 1.0


def test_baked_cube_notes_the_left_out_spatial_operations():
    text = lut.dumps_cube(look("Pushed 400"), 17)
    assert "# Left out (grain)" in text and "LUT_3D_SIZE 17" in text
    assert lutfiles.parse_cube(text).size == 17


def test_cube_import_copies_the_file_into_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path / "data"))  # the user's own store: relative refs
    store = PresetStore()
    source = tmp_path / "incoming" / "Warm Film.cube"
    source.parent.mkdir()
    table = lutfiles.identity_table(5)
    table[..., 0] = np.clip(table[..., 0] * 1.1, 0, 1)
    source.write_text(lutfiles.format_cube(table, title="Warm film"))
    result = store.import_file(source)
    preset = result.presets[0]
    assert preset.name == "Warm film" and preset.params["lut3d"]["lut"] == "Warm Film.cube"
    assert (store.luts_dir / "Warm Film.cube").read_bytes() == source.read_bytes()
    source.unlink()  # the store's copy is what renders use
    grey = np.full((4, 4, 3), 128, np.uint8)
    out = render_array(grey, apply_preset(Edit(), store.get("Warm film")))
    assert out[..., 0].mean() > out[..., 2].mean() + 5
    assert preset.input_space == "sRGB" and result.warnings == []


def test_a_store_outside_the_data_folder_refers_to_its_luts_absolutely(tmp_path, monkeypatch):
    monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path / "user"))
    searched = list(lut3d.SEARCH_DIRS)
    store = PresetStore(tmp_path / "elsewhere")
    assert lut3d.SEARCH_DIRS == searched  # constructing a store changes no global search list
    source = tmp_path / "Cool.cube"
    source.write_text(lutfiles.format_cube(lutfiles.identity_table(3), title="Cool"))
    ref = store.import_file(source).presets[0].params["lut3d"]["lut"]
    assert ref == str(store.luts_dir / "Cool.cube") and lut3d.resolve(ref).is_file()


@pytest.mark.parametrize("filename,title", [("ARRI LogC to Rec709.cube", ""), ("film.cube", "S-Log3 Look"),
                                            ("vlog_teal.cube", "")])
def test_log_luts_are_flagged(tmp_path, filename, title):
    path = tmp_path / filename
    path.write_text(lutfiles.format_cube(lutfiles.identity_table(2), title=title))
    result = lut.load(path)
    assert any("log footage" in w for w in result.warnings)
    assert "log" in result.presets[0].input_space


def test_unusual_domain_is_flagged(tmp_path):
    path = tmp_path / "wide.cube"
    path.write_text(lutfiles.format_cube(lutfiles.identity_table(2)).replace("DOMAIN_MIN 0.0 0.0 0.0",
                                                                              "DOMAIN_MIN -0.5 -0.5 -0.5"))
    assert any("domain" in w for w in lut.load(path).warnings)


def test_hald_identity_imports_as_an_identity_look(tmp_path):
    store = PresetStore(tmp_path / "data")
    path = tmp_path / "identity.png"
    pyvips.Image.new_from_array(lutfiles.hald_identity(8), interpretation="srgb").write_to_file(str(path))
    preset = store.import_file(path).presets[0]
    image = photo()
    out = render_array(image, apply_preset(Edit(), preset))
    assert delta_e2000(out, image).mean() < 0.5


def test_preset_baked_to_hald_reimports_close_to_the_preset(tmp_path):
    preset = look("Classic")
    path = tmp_path / "classic_hald.png"
    lut.write_hald(preset, path, level=8)
    image = photo()
    direct = render_array(image, apply_preset(Edit(), preset), pointwise_only=True)
    via_hald = render_array(image, Edit().update("lut3d", lut=str(path)))
    assert delta_e2000(direct, via_hald).mean() <= 1.0


@pytest.mark.parametrize("name,content", [("wrong.cube", "LUT_3D_SIZE 3\n0 0 0\n"),
                                          ("garbage.cube", bytes(range(256)) * 3)])
def test_bad_lut_files_add_nothing(tmp_path, name, content):
    store = PresetStore(tmp_path / "data")
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(PresetError, match=name):
        store.import_file(path)
    assert store.user_presets() == [] and not store.luts_dir.exists()


@pytest.mark.parametrize("size,limit,names", [(33, 0.2, BAKE_LOOKS + ["Vivid", "Monochrome High Contrast"]),
                                              (65, 0.05, ["Chrome", "Portrait 400"])])
def test_baked_table_matches_the_exact_float_evaluation(size, limit, names):
    """Independent of the ICC path: the baked table sampled in numpy against fused.evaluate on the photo."""
    image = photo("flowers_160.png")
    for name in names:
        preset = look(name)
        expected = exact(image, apply_preset(Edit(), preset))
        got = lutfiles.sample(lut.baked_table(preset, size), image / 255.0)
        assert delta_e2000(expected, got).mean() <= limit, name
