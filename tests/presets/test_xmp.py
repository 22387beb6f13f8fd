"""Lightroom / Camera Raw XMP presets: the mapping, ignored settings, export round-trip and unsafe XML."""
from __future__ import annotations

import pytest

from editor.core import ops
from editor.core.colour import BAND_NAMES
from presets import Preset, PresetError, builtin_looks
from presets.formats import xmp
from presets.formats.xmp import lr_hue_to_oklab, oklab_hue_to_lr
from preset_helpers import DATA


def test_every_mapped_attribute_is_read():
    result = xmp.load(DATA / "lr_attributes.xmp")
    p = result.presets[0]
    assert p.name == "Hand Written" and p.group == "Tests"
    assert result.ignored == [] and result.warnings == []
    assert dict(p.params["exposure"]) == {"exposure_ev": 0.35}
    assert dict(p.params["contrast"]) == {"contrast": 18.0}
    assert dict(p.params["highlights_shadows"]) == {"highlights": -42.0, "shadows": 25.0}
    assert dict(p.params["whites_blacks"]) == {"whites": 7.0, "blacks": -12.0}
    assert dict(p.params["white_balance"]) == {"temperature": 9.0, "tint": -4.0}
    assert p.params["vibrance"]["vibrance"] == 15.0 and p.params["saturation"]["saturation"] == -6.0
    for i, band in enumerate(BAND_NAMES, 1):
        assert p.params["hsl"][f"{band}_hue"] == i
        assert p.params["hsl"][f"{band}_saturation"] == -i
        assert p.params["hsl"][f"{band}_luminance"] == 10 + i
    grading = p.params["color_grading"]
    assert grading["shadows_hue"] == pytest.approx(lr_hue_to_oklab(180)) and grading["shadows_sat"] == 20.0
    assert grading["highlights_hue"] == pytest.approx(lr_hue_to_oklab(40)) and grading["highlights_sat"] == 15.0
    assert grading["balance"] == -10.0 and grading["blending"] == 60.0
    assert (grading["midtones_sat"], grading["midtones_lum"], grading["shadows_lum"],
            grading["highlights_lum"]) == (6.0, -3.0, -5.0, 4.0)
    assert dict(p.params["grain"]) == {"amount": 22.0, "size": 30.0, "roughness": 55.0}
    assert dict(p.params["vignette"]) == {"amount": -18.0, "midpoint": 40.0, "feather": 70.0, "roundness": 10.0}
    assert dict(p.params["sharpening"]) == {"amount": 40.0, "radius": 1.2, "detail": 30.0, "masking": 15.0}
    curves = p.params["tone_curve"]
    assert curves["master"][0] == (0.0, pytest.approx(10 / 255, abs=1e-6))
    assert curves["red"][1] == (pytest.approx(128 / 255, abs=1e-6), pytest.approx(140 / 255, abs=1e-6))
    assert "green" not in curves  # a straight line sets nothing
    assert curves["blue"][0][1] == pytest.approx(20 / 255, abs=1e-6)
    assert "bw_mix" not in p.params  # ConvertToGrayscale False


def test_child_elements_and_grey_mixer_are_read():
    p = xmp.load(DATA / "lr_elements_bw.xmp").presets[0]
    assert p.name == "Elements BW"
    mix = p.params["bw_mix"]
    assert mix["enabled"] is True
    assert (mix["red"], mix["blue"], mix["magenta"]) == (20.0, -40.0, 5.0)
    assert p.params["contrast"]["contrast"] == 30.0
    assert p.params["white_balance"]["temperature"] == pytest.approx(1e6 / 5500 - 1e6 / 7500, abs=1e-3)
    assert p.params["white_balance"]["tint"] == pytest.approx(10.0)
    assert p.params["color_grading"]["shadows_sat"] == 12.0


def test_unsupported_settings_are_reported_and_out_of_range_values_clamped():
    result = xmp.load(DATA / "lr_unsupported.xmp")
    assert {"Clarity2012", "Dehaze", "Texture", "LensProfileEnable", "ColorGradeGlobalHue",
            "MaskGroupBasedCorrections"} <= set(result.ignored)
    assert result.presets[0].params["exposure"]["exposure_ev"] == 5.0
    assert any("Exposure2012 7.5 clamped to 5" in w for w in result.warnings)


def test_lightroom_hue_wheel_maps_to_oklab_hue_and_back():
    assert lr_hue_to_oklab(0) == pytest.approx(29.2, abs=0.2)  # pure red
    assert lr_hue_to_oklab(240) == pytest.approx(264.1, abs=0.2)  # pure blue
    for h in (0, 37, 120, 200, 300):
        assert oklab_hue_to_lr(lr_hue_to_oklab(h)) == pytest.approx(h, abs=1.0)


@pytest.mark.parametrize("look", [l for l in builtin_looks()], ids=lambda l: l.name)
def test_export_then_import_round_trips_what_lightroom_can_express(look):
    text, skipped = xmp.dumps(look)
    again = xmp.parse(text.encode(), "exported.xmp").presets[0]
    assert again.name == look.name
    for op_name, values in look.params.items():
        for name, value in values.items():
            if f"{op_name}.{name}" in skipped:
                continue
            got = again.params[op_name][name]
            if isinstance(value, tuple):
                assert len(got) == len(value)
                for (x1, y1), (x2, y2) in zip(value, got):
                    assert abs(x1 - x2) <= 0.5 / 255 + 1e-6 and abs(y1 - y2) <= 0.5 / 255 + 1e-6
            elif name.endswith("_hue") and ops.get(op_name).spec(name).max == 360:
                assert abs((got - value + 180) % 360 - 180) <= 1.0
            else:
                assert got == pytest.approx(value)


def test_export_writes_the_structure_lightroom_expects():
    text, _ = xmp.dumps(Preset(name="Mine & Yours", params={"contrast": {"contrast": 10.0}}, group="G"))
    for part in ('<x:xmpmeta xmlns:x="adobe:ns:meta/"', "<rdf:RDF", 'crs:PresetType="Normal"',
                 '<rdf:li xml:lang="x-default">Mine &amp; Yours</rdf:li>', 'crs:UUID="', 'crs:Group="G"',
                 'crs:ProcessVersion="11.0"', 'crs:SupportsAmount="True"', 'crs:Contrast2012="+10"'):
        assert part in text


def test_unmappable_settings_are_reported_on_export():
    _, skipped = xmp.dumps(Preset(name="L", params={"lut3d": {"lut": "a.cube"}, "bw_mix": {"tone_amount": 5.0}}))
    assert "lut3d.lut" in skipped and "bw_mix.tone_amount" in skipped


BAD_XML = {
    "malformed.xmp": (b"<x:xmpmeta><rdf:RDF>", "malformed XML"),
    "bomb.xmp": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                 b"<lolz>&lol2;</lolz>", "unsafe XML"),
    "external.xmp": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
                     b"<x>&ext;</x>", "unsafe XML"),
    "garbage.xmp": (bytes(range(256)) * 4, "XML"),
    "not_lightroom.xmp": (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', "no Camera Raw settings"),
    "bad_number.xmp": (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
                       b'22-rdf-syntax-ns#"><rdf:Description xmlns:crs="http://ns.adobe.com/camera-raw-settings/'
                       b'1.0/" crs:Contrast2012="lots"/></rdf:RDF></x:xmpmeta>', "Contrast2012: expected a number"),
}


@pytest.mark.parametrize("name", sorted(BAD_XML))
def test_bad_xmp_files_raise_preset_error_naming_the_file(tmp_path, name):
    data, problem = BAD_XML[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(PresetError) as info:
        xmp.load(path)
    assert name in str(info.value) and problem in str(info.value)
