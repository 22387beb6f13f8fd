"""Presets: validation on load, native round-trip, amount blending, apply modes and stored amounts."""
from __future__ import annotations

import json

import pytest

from editor.core import ops
from editor.core.edit import Edit
from editor.core.lutfiles import format_cube, identity_table
from presets import Preset, PresetError, apply_preset, set_amount
from presets.apply import blend_curve
from presets.formats import native

CURVE_A = ((0.0, 0.0), (0.5, 0.4), (1.0, 1.0))


def preset(**params) -> Preset:
    return Preset(name="Test", params=params)


def base_edit() -> Edit:
    return Edit().update("contrast", contrast=20.0).update("exposure", exposure_ev=1.0).update(
        "saturation", saturation=-50.0)


# ---------------------------------------------------------------------------------------- validation

def test_problems_are_listed_together_in_one_message():
    data = {"name": "Broken", "operations": {
        "warp_drive": {"version": 1, "params": {"speed": 9}},
        "contrast": {"version": 1, "params": {"contrast": 300.0, "zing": 1}},
        "bw_mix": {"version": 1, "params": {"enabled": "yes"}},
        "exposure": {"version": 1, "params": {"exposure_ev": "bright"}}}}
    with pytest.raises(PresetError) as info:
        Preset.from_dict(data, "broken.json")
    message = str(info.value)
    for part in ("broken.json", "warp_drive", "zing", "300.0 is outside", "enabled", "exposure_ev"):
        assert part in message


def test_newer_format_version_is_refused():
    with pytest.raises(PresetError, match="newer than this Darkslide"):
        Preset.from_dict({"name": "Future", "version": 99, "operations": {}})


def test_newer_operation_version_is_refused():
    with pytest.raises(PresetError, match="contrast.*newer"):
        Preset.from_dict({"name": "F", "operations": {"contrast": {"version": 99, "params": {"contrast": 1.0}}}})


def test_older_operation_version_is_migrated(monkeypatch):
    module = ops.get("contrast").module
    monkeypatch.setattr(module, "VERSION", 2)
    monkeypatch.setattr(module, "migrate", lambda version, data: {"contrast": data["amount"] * 2}, raising=False)
    loaded = Preset.from_dict({"name": "Old", "operations": {"contrast": {"version": 1, "params": {"amount": 10}}}})
    assert dict(loaded.params["contrast"]) == {"contrast": 20.0}


def test_native_round_trip_is_exact():
    original = Preset(name="Round trip", group="Mine", description="d", author="me", tags=("a", "b"),
                      recipe="r", inspired_by="i", suits="s",
                      params={"tone_curve": {"master": CURVE_A}, "bw_mix": {"enabled": True, "red": 12.5},
                              "color_grading": {"shadows_hue": 200.0, "shadows_sat": 0.0}})
    text = native.dumps(original)
    again = native.loads(text)[0]
    assert again == original and native.dumps(again) == text
    assert json.loads(text)["operations"]["bw_mix"]["params"] == {"enabled": True, "red": 12.5}


def test_bundle_round_trips():
    presets = [preset(contrast={"contrast": 5.0}), Preset(name="Two", params={"vibrance": {"vibrance": 3.0}})]
    assert native.loads(native.dumps_bundle(presets)) == presets


# --------------------------------------------------------------------------------------------- amount

@pytest.mark.parametrize("amount,expected", [(0, 20.0), (100, 60.0), (50, 40.0), (150, 80.0), (200, 100.0)])
def test_amount_interpolates_from_base_and_clamps(amount, expected):
    edit = apply_preset(base_edit(), preset(contrast={"contrast": 60.0}), amount=amount)
    assert edit["contrast"].contrast == pytest.approx(expected)


def test_extrapolation_is_clamped_to_declared_range():
    edit = apply_preset(base_edit(), preset(contrast={"contrast": 90.0}), amount=200)
    assert edit["contrast"].contrast == 100.0  # 20 + 2 * 70 = 160, clamped


def test_curves_blend_point_wise_with_same_xs():
    target = ((0.0, 0.0), (0.5, 0.6), (1.0, 1.0))
    out = blend_curve(CURVE_A, target, 0.5)
    assert [x for x, _ in out] == [0.0, 0.5, 1.0]
    assert [y for _, y in out] == pytest.approx([0.0, 0.5, 1.0])


def test_curves_with_different_xs_are_resampled():
    target = ((0.0, 0.1), (0.25, 0.35), (1.0, 1.0))
    out = blend_curve(CURVE_A, target, 0.5)
    assert [x for x, _ in out] == [0.0, 0.25, 0.5, 1.0]
    assert out[0][1] == pytest.approx(0.05)
    assert out[1][1] == pytest.approx((0.2 + 0.35) / 2)


def test_black_and_white_fades_in_with_the_amount_instead_of_switching():
    p = preset(bw_mix={"enabled": True})
    assert not apply_preset(Edit(), p, amount=0)["bw_mix"].enabled
    for amount in (1, 49, 50, 150):
        bw = apply_preset(Edit(), p, amount=amount)["bw_mix"]
        assert bw.enabled and bw.amount == pytest.approx(min(amount, 100))
    off = preset(bw_mix={"enabled": False})
    base = Edit().update("bw_mix", enabled=True, amount=80.0)
    assert apply_preset(base, off, amount=25)["bw_mix"].amount == pytest.approx(60.0)
    assert not apply_preset(base, off, amount=100)["bw_mix"].enabled


def test_hue_jumps_when_base_has_no_saturation_and_goes_the_short_way_otherwise():
    p = preset(color_grading={"shadows_hue": 200.0, "shadows_sat": 40.0})
    assert apply_preset(Edit(), p, amount=50)["color_grading"].shadows_hue == 200.0
    base = Edit().update("color_grading", shadows_hue=350.0, shadows_sat=20.0)
    assert apply_preset(base, preset(color_grading={"shadows_hue": 30.0}), amount=50)[
        "color_grading"].shadows_hue == pytest.approx(10.0)


def test_lut_strength_scales_with_amount(tmp_path):
    (tmp_path / "film.cube").write_text(format_cube(identity_table(2)))
    p = preset(lut3d={"lut": str(tmp_path / "film.cube"), "strength": 80.0})
    edit = apply_preset(Edit(), p, amount=50)
    assert edit["lut3d"].lut == str(tmp_path / "film.cube") and edit["lut3d"].strength == pytest.approx(40.0)
    assert apply_preset(Edit(), p, amount=200)["lut3d"].strength == 100.0


def test_tone_and_colour_amounts_are_separate():
    p = preset(contrast={"contrast": 60.0}, saturation={"saturation": 50.0})
    edit = apply_preset(base_edit(), p, amount=100, tone_amount=0, colour_amount=50)
    assert edit["contrast"].contrast == 20.0
    assert edit["saturation"].saturation == pytest.approx(0.0)  # -50 halfway to 50


# ---------------------------------------------------------------------------------------------- modes

def test_merge_leaves_other_operations_alone():
    edit = apply_preset(base_edit(), preset(contrast={"contrast": 60.0}))
    assert edit["exposure"].exposure_ev == 1.0 and edit["saturation"].saturation == -50.0


def test_reset_resets_other_operations_but_keeps_the_crop():
    start = base_edit().update("crop", width=0.5)
    edit = apply_preset(start, preset(contrast={"contrast": 60.0}), mode="reset")
    assert edit["exposure"] == ops.get("exposure").defaults()
    assert edit["saturation"] == ops.get("saturation").defaults()
    assert edit["contrast"].contrast == 60.0 and edit["crop"].width == 0.5


def test_partial_preset_only_touches_named_params():
    start = Edit().update("highlights_shadows", highlights=-40.0, shadows=30.0)
    edit = apply_preset(start, preset(highlights_shadows={"shadows": 0.0}))
    assert edit["highlights_shadows"].highlights == -40.0 and edit["highlights_shadows"].shadows == 0.0


def test_bad_amounts_and_modes_are_refused():
    with pytest.raises(PresetError, match="amount"):
        apply_preset(Edit(), preset(), amount=250)
    with pytest.raises(PresetError, match="mode"):
        apply_preset(Edit(), preset(), mode="blend")


# ------------------------------------------------------------------------------------- stored amount

def test_set_amount_recomputes_from_stored_base():
    p = preset(contrast={"contrast": 60.0}, tone_curve={"master": CURVE_A})
    at_full = apply_preset(base_edit(), p, amount=100)
    at_half = set_amount(at_full, 50)
    assert at_half["contrast"].contrast == pytest.approx(40.0)
    assert at_half.look["amount"] == 50.0 and at_half.look["name"] == "Test"
    assert set_amount(at_half, 100) == at_full.with_look(dict(at_full.look, amount=100.0))
    assert set_amount(at_half, 0)["contrast"] == base_edit()["contrast"]


def test_look_survives_saving_and_loading_the_edit():
    edit = apply_preset(base_edit(), preset(contrast={"contrast": 60.0}, tone_curve={"master": CURVE_A}), amount=80)
    saved = json.loads(json.dumps(edit.to_dict()))
    restored = Edit.from_dict(saved)
    assert restored == edit
    assert set_amount(restored, 50)["contrast"].contrast == pytest.approx(40.0)


def test_applying_a_second_look_replaces_the_first():
    first = apply_preset(base_edit(), preset(contrast={"contrast": 60.0}))
    second = apply_preset(first, Preset(name="Other", params={"contrast": {"contrast": -20.0}}), amount=50)
    assert second["contrast"].contrast == pytest.approx(0.0)  # from the original 20, not from 60
    assert second.look["name"] == "Other"


def test_set_amount_without_a_look_is_an_error():
    with pytest.raises(PresetError, match="no look"):
        set_amount(Edit(), 50)


def test_applying_a_look_whose_lut_is_missing_names_look_and_file():
    with pytest.raises(PresetError, match="look 'Test'.*gone.cube"):
        apply_preset(Edit(), preset(lut3d={"lut": "gone.cube"}))
