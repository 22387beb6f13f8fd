"""Property-based fuzzing of the preset parsers (Hypothesis): whatever the bytes, the native JSON reader and
the XMP reader return presets or raise PresetError, and a native preset they accept saves and reads back."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presets import PresetError, builtin_looks
from presets.formats import native, xmp
from json_fuzz import json_trees, one_part_replaced

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = json_trees(["Chrome", "exposure", "1", "User"],
                         ["name", "format", "version", "operations", "params", "group", "presets",
                          "exposure", "exposure_ev", "amount"])


def _valid() -> dict:
    return json.loads(native.dumps(builtin_looks()[0]))


def _check_native(data: bytes) -> None:
    try:
        presets = native.loads(data, "fuzzed.json")
    except PresetError as exc:
        assert str(exc).startswith("fuzzed.json")
        return
    for preset in presets:  # what was accepted can be written and read back the same
        assert native.loads(native.dumps(preset), "again.json")[0].to_dict() == preset.to_dict()


@FUZZ
@given(st.binary(max_size=300))
def test_native_reader_takes_any_bytes(data):
    _check_native(data)


@FUZZ
@given(st.data())
def test_a_valid_preset_with_any_one_part_replaced_is_read_or_refused(data):
    tree = _valid()
    _check_native(json.dumps(one_part_replaced(data, tree, json_values)).encode())


@FUZZ
@given(st.binary(max_size=300) | st.builds(
    lambda attrs: ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                   '<rdf:Description xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" '
                   + " ".join(f'crs:{k}="{v}"' for k, v in attrs.items()) + '/></rdf:RDF></x:xmpmeta>').encode(),
    st.dictionaries(st.sampled_from(["Exposure2012", "Contrast2012", "Saturation", "Vibrance", "Temperature",
                                     "Tint", "ToneCurvePV2012", "ConvertToGrayscale", "GrainAmount"]),
                    st.text(alphabet="-+0123456789.,eE nanif TrueFalse", max_size=12), max_size=5)))
def test_xmp_reader_takes_any_bytes(data):
    try:
        imported = xmp.parse(data, "fuzzed.xmp")
    except PresetError as exc:
        assert str(exc).startswith("fuzzed.xmp")
        return
    assert all(p.name for p in imported.presets)


def test_the_preset_used_by_the_fuzzers_is_read():
    presets = native.loads(json.dumps(_valid()), "valid.json")
    assert len(presets) == 1 and presets[0].name == builtin_looks()[0].name
