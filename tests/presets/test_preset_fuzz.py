"""Property-based fuzzing of the preset parsers (Hypothesis): whatever the bytes, the native JSON reader and
the XMP reader return presets or raise PresetError, and a native preset they accept saves and reads back."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from presets import PresetError, builtin_looks
from presets.formats import native, xmp

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True)
           | st.text(max_size=12) | st.sampled_from(["Chrome", "exposure", "1", "User"]))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10) | st.sampled_from(
                               ["name", "format", "version", "operations", "params", "group", "presets",
                                "exposure", "exposure_ev", "amount"]), inner, max_size=4), max_leaves=25)


def _valid() -> dict:
    return json.loads(native.dumps(builtin_looks()[0]))


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, prefix + (i,))


def _replace(tree, path, value):
    if not path:
        return value
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[path[0]] = _replace(tree[path[0]], path[1:], value)
    return copy


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
    path = data.draw(st.sampled_from(list(_paths(tree))))
    _check_native(json.dumps(_replace(tree, path, data.draw(json_values))).encode())


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
