"""Lightroom / Camera Raw XMP presets: the mapping, ignored settings, export round-trip and unsafe XML."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from editor.core import ops
from editor.core.colour import BAND_NAMES
from presets import Preset, PresetError, builtin_looks
from presets.formats import xmp, xmp_mapping
from presets.formats.xmp import lr_hue_to_oklab, oklab_hue_to_lr
from preset_helpers import DATA
from xml.etree import ElementTree

import numpy as np

from editor.core.edit import Edit


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


def test_unsupported_settings_are_reported_with_a_reason_and_out_of_range_values_clamped():
    result = xmp.load(DATA / "lr_unsupported.xmp")
    params = result.presets[0].params
    assert (params["clarity"]["amount"], params["dehaze"]["amount"], params["texture"]["amount"]) == (30.0, 12.0, 8.0)
    assert params["color_grading"]["midtones_sat"] == 5.0  # the global wheel tints every region
    reasons = dict(item.split(" (", 1) for item in result.ignored)
    assert set(reasons) == {"LensProfileEnable", "MaskGroupBasedCorrections"}
    assert "lens" in reasons["LensProfileEnable"] and "local adjustments" in reasons["MaskGroupBasedCorrections"]
    assert params["exposure"]["exposure_ev"] == 5.0
    assert result.warnings == ['crs:Exposure2012="+7.5" is beyond what Darkslide\'s exposure.exposure_ev can do '
                               '(7.5, range -5..5): used 5']


def test_lightroom_hue_wheel_maps_to_oklab_hue_and_back():
    assert lr_hue_to_oklab(0) == pytest.approx(29.2, abs=0.2)  # pure red
    assert lr_hue_to_oklab(240) == pytest.approx(264.1, abs=0.2)  # pure blue
    for h in (0, 37, 120, 200, 300):
        assert oklab_hue_to_lr(lr_hue_to_oklab(h)) == pytest.approx(h, abs=1.0)


@pytest.mark.parametrize("look", [l for l in builtin_looks()], ids=lambda l: l.name)
def test_export_then_import_round_trips_what_lightroom_can_express(look):
    text, skipped = xmp.dumps(look)
    result = xmp.parse(text.encode(), "exported.xmp")
    again = result.presets[0]
    assert again.name == look.name and again.group == look.group and result.ignored == []
    for op_name, values in look.params.items():
        for name, value in values.items():
            if f"{op_name}.{name}" in skipped:
                continue
            if op_name == "bw_mix" and name in ("tone_hue", "tone_amount"):  # Lightroom's mid-tone wheel
                grading = again.params["color_grading"]
                if name == "tone_hue":
                    assert abs((grading["midtones_hue"] - value + 180) % 360 - 180) <= 1.0
                else:
                    assert grading["midtones_sat"] == pytest.approx(round(value * xmp.TONE_TO_WHEEL, 1))
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
                 '<rdf:li xml:lang="x-default">Mine &amp; Yours</rdf:li>', 'crs:UUID="',
                 'crs:ProcessVersion="11.0"', 'crs:SupportsAmount="True"', 'crs:Contrast2012="+10"'):
        assert part in text
    assert "crs:Group=" not in text
    assert '<crs:Group>\n    <rdf:Alt>\n     <rdf:li xml:lang="x-default">G</rdf:li>' in text


def test_unmappable_settings_are_reported_on_export():
    _, skipped = xmp.dumps(Preset(name="L", params={"lut3d": {"lut": "a.cube"}, "bw_mix": {"amount": 50.0}}))
    assert "lut3d.lut" in skipped and "bw_mix.amount" in skipped


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


# --- real public presets (tests/presets/data/lightroom, see ATTRIBUTION.md) ---------------------------------

LIGHTROOM = DATA / "lightroom"
SHIPPED = sorted(LIGHTROOM.glob("*.xmp"))


def crs_settings(path) -> set[str]:
    """The crs: settings of a preset's main rdf:Description, read independently of the importer."""
    root = ElementTree.parse(path).getroot()
    crs = "{" + xmp.CRS + "}"
    desc = next(d for d in root.iter("{" + xmp.RDF + "}Description")
                if any(k.startswith(crs) for k in d.attrib))
    names = {k[len(crs):] for k in desc.attrib if k.startswith(crs)}
    return names | {c.tag[len(crs):] for c in desc if c.tag.startswith(crs)}


def test_at_least_twenty_public_presets_are_shipped_with_attribution():
    public = [p for p in SHIPPED if p.name.startswith("peva3_")]
    attribution = (DATA / "ATTRIBUTION.md").read_text()
    assert len(public) >= 20 and "peva3/Lightroom-Presets" in attribution and "MIT" in attribution
    assert all(p.name in attribution for p in SHIPPED if p.name.startswith("handwritten_"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_setting_of_a_real_preset_is_dropped_silently(path):
    result = xmp.load(path)
    assert set(result.report) == crs_settings(path)
    for name, what in result.report.items():
        assert what.startswith(("bookkeeping: ", "ignored")) or what.split(" ")[0].split(".")[0] in ops.BY_NAME \
            or what.startswith(("profile ", "colour ", "B&W ", "white balance mode", "color_grading"))
        if what.startswith("ignored: "):
            assert any(item.startswith(f"{name} (") for item in result.ignored)
    assert all("(" in item and item.endswith(")") for item in result.ignored)  # each with its reason


def test_shipped_presets_use_clarity_profiles_and_toned_black_and_white():
    loaded = {p.stem: xmp.load(p) for p in SHIPPED}
    with_clarity = [k for k, r in loaded.items() if r.presets[0].params.get("clarity", {}).get("amount")]
    mono = [k for k, r in loaded.items() if "Adobe Monochrome" in r.report.get("Look", "")]
    vivid = [k for k, r in loaded.items() if "Adobe Vivid" in r.report.get("Look", "")]
    toned = [k for k, r in loaded.items() if r.presets[0].params.get("bw_mix", {}).get("enabled")
             and any(v for n, v in r.presets[0].params.get("color_grading", {}).items() if n.endswith("_sat"))]
    assert len(with_clarity) >= 5 and len(mono) >= 5 and vivid and len(toned) >= 5


@pytest.mark.parametrize("stem, hue_range", [("peva3_Sepia_Tone", (30, 110)), ("peva3_Selenium_Tone", (200, 360)),
                                             ("peva3_01_Cyanotype_Classic", (200, 280)),
                                             ("handwritten_lrc_toned_bw", (30, 110))])
def test_a_toned_black_and_white_preset_renders_toned(stem, hue_range):
    from editor.core.colour import srgb_to_oklch
    from presets.apply import apply_preset
    from preset_helpers import make_chart, render_array
    preset = xmp.load(LIGHTROOM / f"{stem}.xmp").presets[0]
    edit = apply_preset(Edit(), preset)
    untoned = apply_preset(Edit(), preset.replace(params={k: v for k, v in preset.params.items()
                                                          if k != "color_grading"}))

    def midtones(e):
        lch = srgb_to_oklch((render_array(make_chart(), e, pointwise_only=True) / 255.0).reshape(-1, 3))
        return lch[(lch[:, 0] > 0.35) & (lch[:, 0] < 0.75)]
    mid, grey = midtones(edit), midtones(untoned)
    assert len(mid) > 100 and np.median(grey[:, 1]) < 0.0015  # the same preset untoned is neutral grey
    assert np.median(mid[:, 1]) > max(0.003, 3 * np.median(grey[:, 1]))  # toned
    hue = np.degrees(np.arctan2(np.median(np.sin(np.radians(mid[:, 2]))), np.median(np.cos(np.radians(mid[:, 2])))))
    assert hue_range[0] <= hue % 360 <= hue_range[1]
    assert np.ptp(mid[:, 2]) < 90 or np.std(mid[:, 1]) < 0.02  # one tone for all colours: it is B&W


# --- white balance, profiles, warnings --------------------------------------------------------------------

def preset_xmp(attrs: str, children: str = "") -> bytes:
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{xmp.RDF}"><rdf:Description '
            f'xmlns:crs="{xmp.CRS}" {attrs}>{children}</rdf:Description></rdf:RDF></x:xmpmeta>').encode()


@pytest.mark.parametrize("text, expected", [
    ("+1000", 1e6 / 5500 - 1e6 / 6500),  # a signed shift beyond ±100: kelvin from daylight
    ("-1500", 1e6 / 5500 - 1e6 / 4000),
    ("6500", 1e6 / 5500 - 1e6 / 6500),  # raw: absolute kelvin
    ("+20", 20.0), ("-35", -35.0),  # within ±100: the relative slider Lightroom shows for a JPEG
])
def test_temperature_is_read_as_lightroom_reads_it(text, expected):
    result = xmp.parse(preset_xmp(f'crs:Temperature="{text}" crs:Tint="+15"'), "wb.xmp")
    wb = result.presets[0].params["white_balance"]
    assert wb["temperature"] == pytest.approx(expected, abs=1e-3)
    assert wb["tint"] == pytest.approx(15.0 if abs(float(text)) <= 100 else 10.0)
    assert result.warnings == [] and "white_balance.temperature" in result.report["Temperature"]


def test_incremental_white_balance_wins_and_absolute_is_reported():
    result = xmp.parse(preset_xmp('crs:Temperature="5000" crs:IncrementalTemperature="+12"'), "wb.xmp")
    assert result.presets[0].params["white_balance"]["temperature"] == 12.0
    assert any(i.startswith("Temperature (absolute white balance for raw") for i in result.ignored)


LOOK = ('<crs:Look><rdf:Description crs:Name="{name}" crs:Amount="{amount}"><crs:Group><rdf:Alt>'
        '<rdf:li xml:lang="x-default">Profiles</rdf:li></rdf:Alt></crs:Group></rdf:Description></crs:Look>')


def test_camera_profiles_become_black_and_white_or_documented_approximations():
    mono = xmp.parse(preset_xmp("", LOOK.format(name="Adobe Monochrome", amount=1)), "m.xmp").presets[0]
    assert mono.params["bw_mix"]["enabled"] is True
    vivid = xmp.parse(preset_xmp('crs:Contrast2012="+5"', LOOK.format(name="Adobe Vivid", amount=0.5)), "v.xmp")
    params = vivid.presets[0].params
    assert params["contrast"]["contrast"] == 10.0 and params["saturation"]["saturation"] == 5.0  # half of +10
    assert "approximated" in vivid.report["Look"]
    standard = xmp.parse(preset_xmp('crs:CameraProfile="Adobe Standard"'), "s.xmp")
    assert standard.presets[0].params == {} and "no change" in standard.report["CameraProfile"]
    creative = xmp.parse(preset_xmp("", LOOK.format(name="Modern 05", amount=1)), "c.xmp")
    assert creative.ignored == ["Look (camera profile 'Modern 05' has no Darkslide equivalent)"]


def test_named_curve_without_points_uses_lightroom_s_points():
    result = xmp.parse(preset_xmp('crs:ToneCurveName2012="Strong Contrast"'), "c.xmp")
    curve = result.presets[0].params["tone_curve"]["master"]
    assert curve[1] == (pytest.approx(32 / 255, abs=1e-6), pytest.approx(16 / 255, abs=1e-6))


def test_rounding_is_not_reported_and_warnings_quote_the_file():
    result = xmp.parse(preset_xmp('crs:Exposure2012="+0.33333" crs:Temperature="90000"'), "w.xmp")
    assert result.presets[0].params["exposure"]["exposure_ev"] == 0.333
    assert len(result.warnings) == 1 and 'crs:Temperature="90000"' in result.warnings[0]  # the file's text
    assert "clamped" not in " ".join(result.warnings)


# --- export shaped like Lightroom Classic's ----------------------------------------------------------------

def test_export_names_split_toning_and_writes_numbers_as_adobe_does():
    preset = Preset(name="S", params={
        "exposure": {"exposure_ev": 0.35}, "contrast": {"contrast": 20.0}, "saturation": {"saturation": -10.0},
        "sharpening": {"amount": 40.0, "radius": 1.0}, "clarity": {"amount": 15.0},
        "parametric_curve": {"darks": 5.0, "midtone_split": 45.0},
        "color_grading": {"shadows_hue": lr_hue_to_oklab(220), "shadows_sat": 15.0,
                          "highlights_hue": lr_hue_to_oklab(40), "highlights_sat": 10.0, "balance": 0.0}})
    text, skipped = xmp.dumps(preset)
    assert skipped == []
    for part in ('crs:Exposure2012="+0.35"', 'crs:Contrast2012="+20"', 'crs:Saturation="-10"',
                 'crs:Sharpness="40"', 'crs:SharpenRadius="+1.0"', 'crs:Clarity2012="+15"', 'crs:ParametricDarks="+5"',
                 'crs:ParametricMidtoneSplit="45"', 'crs:SplitToningShadowHue="220"',
                 'crs:SplitToningShadowSaturation="15"', 'crs:SplitToningHighlightHue="40"',
                 'crs:SplitToningBalance="0"'):
        assert part in text
    assert "ColorGradeShadow" not in text and "ColorGradeHighlightHue" not in text
    again = xmp.parse(text.encode(), "s.xmp").presets[0]
    for op_name, values in preset.params.items():
        for name, value in values.items():
            assert again.params[op_name][name] == pytest.approx(value, abs=0.6 if name.endswith("_hue") else 1e-9)


@pytest.mark.parametrize("name", ["Sepia", "Selenium", "Blue"])
def test_export_keeps_the_toning_of_toned_looks(name):
    look = next(l for l in builtin_looks() if l.name == name)
    text, skipped = xmp.dumps(look)
    assert 'crs:ConvertToGrayscale="True"' in text and "bw_mix.tone_amount" not in skipped
    again = xmp.parse(text.encode(), "t.xmp").presets[0]
    assert again.params["color_grading"]["midtones_sat"] > 10


def test_the_mapping_document_lists_every_mapped_setting():
    doc = (DATA.parents[2] / "docs" / "lightroom-mapping.md").read_text()
    for name in [row[0] for row in xmp.NUMERIC] + list(xmp_mapping.ALIASES) + list(xmp_mapping.PROFILES):
        assert name in doc, name


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="ExifTool is not installed")
@pytest.mark.parametrize("name", ["Selenium", "Classic", "Chrome"])
def test_exiftool_reads_every_exported_setting_as_written(tmp_path, name):
    # ExifTool (which nobody here wrote) knows the Camera Raw schema: it must read each setting, the
    # language-alternative Name and Group, and the numbers with the values we meant.
    look = next(l for l in builtin_looks() if l.name == name)
    path = tmp_path / "look.xmp"
    path.write_text(xmp.dumps(look)[0])
    read = json.loads(subprocess.run(["exiftool", "-j", "-n", "-XMP-crs:all", str(path)], check=True,
                                     capture_output=True, text=True).stdout)[0]
    root = ElementTree.parse(path).getroot()
    desc = next(root.iter("{" + xmp.RDF + "}Description"))
    crs = "{" + xmp.CRS + "}"
    written = {k[len(crs):]: v for k, v in desc.attrib.items() if k.startswith(crs)}
    for key, text in written.items():
        got = read[key]
        if text in ("True", "False"):
            assert got == (text == "True"), key
        elif text and text.lstrip("+-").replace(".", "", 1).isdigit():
            assert float(got) == pytest.approx(float(text)), key
        else:
            assert str(got) == text, key
    assert read["Name"] == look.name and read["Group"] == look.group
