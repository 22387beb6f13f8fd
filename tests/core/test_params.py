import pytest

from editor.core import ops
from editor.core.params import ParamError, from_dict, specs, to_dict


def test_every_operation_declares_complete_specs():
    for op in ops.OPERATIONS:
        assert op.specs, op.name
        for spec in op.specs:
            assert spec.label, (op.name, spec.name)
            if spec.kind in ("float", "int"):
                lo, hi = spec.slider_range
                assert spec.min <= lo <= spec.default <= hi <= spec.max, (op.name, spec.name)
            assert spec.validate(spec.default) == spec.default


def test_defaults_round_trip_through_plain_values():
    for op in ops.OPERATIONS:
        assert from_dict(op.Params, to_dict(op.defaults())) == op.defaults()


def test_out_of_range_and_wrong_types_are_all_reported():
    exposure = ops.get("exposure")
    with pytest.raises(ParamError) as err:
        from_dict(exposure.Params, {"exposure_ev": 9.0, "bogus": 1})
    message = str(err.value)
    assert "outside -5.0..5.0 EV" in message and "unknown parameter 'bogus'" in message
    with pytest.raises(ParamError, match="expected a number"):
        exposure.replace(exposure.defaults(), exposure_ev="bright")
    with pytest.raises(ParamError, match="finite"):
        exposure.replace(exposure.defaults(), exposure_ev=float("nan"))


def test_curve_points_must_increase():
    tone = ops.get("tone_curve")
    with pytest.raises(ParamError, match="strictly increasing"):
        tone.replace(tone.defaults(), master=[[0, 0], [0.5, 0.4], [0.5, 0.6], [1, 1]])
    ok = tone.replace(tone.defaults(), master=[[0, 0], [0.5, 0.6], [1, 1]])
    assert ok.master == ((0.0, 0.0), (0.5, 0.6), (1.0, 1.0))


def test_unknown_operation_is_a_clear_error():
    with pytest.raises(ParamError, match="unknown operation 'bloom'"):
        ops.get("bloom")


def test_specs_follow_declaration_order():
    names = [s.name for s in specs(ops.get("vignette").Params)]
    assert names == ["amount", "midpoint", "feather", "roundness"]
