"""Property-based fuzzing of the sidecar parser (Hypothesis): whatever the bytes, `sidecar.parse` returns a
Sidecar or raises SidecarError, and whatever it accepts can be saved, hashed and read back unchanged."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.core import sidecar
from editor.core.edit import History
from editor.core.library import edit_hash
from json_fuzz import json_trees, one_part_replaced

# Bounded for the suite's time budget (~10 s for the whole file on a loaded 2-core machine).
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = json_trees(["1", "pick", "reject", "exposure", "darkslide-sidecar"],
                         ["format", "version", "edit", "history", "steps", "index", "label", "operations",
                          "params", "rating", "flag", "look", "exposure", "exposure_ev"])


def _valid() -> dict:
    history = History()
    history.commit("Exposure", history.current.update("exposure", exposure_ev=0.7))
    history.commit("Vignette", history.current.update("vignette", amount=-20.0))
    return json.loads(json.dumps(sidecar.Sidecar(history, rating=4, flag="pick").to_dict()))


def _check_total(data) -> sidecar.Sidecar | None:
    """parse(data): a Sidecar that round-trips, or SidecarError; anything else fails the test."""
    try:
        car = sidecar.parse(data)
    except sidecar.SidecarError as exc:
        assert exc.reason and "Traceback" not in exc.reason
        return None
    text = json.dumps(car.to_dict(), ensure_ascii=False)  # what save() writes: must not fail either
    again = sidecar.parse(text.encode("utf-8"))
    assert again.edit == car.edit and (again.rating, again.flag) == (car.rating, car.flag)
    assert edit_hash(again.edit) == edit_hash(car.edit)
    return car


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_sidecar_or_a_sidecar_error(data):
    _check_total(data)


@FUZZ
@given(json_values)
def test_arbitrary_json_gives_a_sidecar_or_a_sidecar_error(tree):
    _check_total(json.dumps(tree).encode())


@FUZZ
@given(st.data())
def test_a_valid_sidecar_with_any_one_part_replaced_is_read_or_refused(data):
    tree = _valid()
    mutated = one_part_replaced(data, tree, json_values)
    _check_total(json.dumps(mutated).encode())


@FUZZ
@given(st.data())
def test_a_valid_sidecar_cut_anywhere_is_refused(data):
    text = json.dumps(_valid()).encode()
    cut = data.draw(st.integers(0, len(text) - 1))
    with pytest.raises(sidecar.SidecarError):
        sidecar.parse(text[:cut])


def test_the_valid_sidecar_used_by_the_fuzzers_is_read():
    car = _check_total(json.dumps(_valid()).encode())
    assert car is not None and car.rating == 4 and car.edit["exposure"].exposure_ev == 0.7


@pytest.mark.parametrize("tree, words", [
    ({"history": {"index": 0, "steps": [{"label": "x", "edit": {"operations": {}}}] * 50_000}}, "50,000 steps"),
    ({"edit": {"operations": {f"op{i}": {} for i in range(100_000)}}}, "unknown operation 'op0'"),
    ({"edit": {"operations": {"exposure": {"params": {f"p{i}": 1 for i in range(100_000)}}}}}, "unknown parameter"),
])
def test_huge_sidecars_are_refused_quickly_with_a_short_message(tree, words):
    import time
    data = json.dumps({"format": "darkslide-sidecar", "version": 1, "edit": {"operations": {}}, **tree}).encode()
    start = time.perf_counter()
    with pytest.raises(sidecar.SidecarError) as err:
        sidecar.parse(data)
    assert time.perf_counter() - start < 2.0 and words in str(err.value) and len(str(err.value)) <= 600
