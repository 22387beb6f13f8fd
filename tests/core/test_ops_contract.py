"""Every operation module follows editor.core.ops.contract, and the contract catches what breaks it."""
from __future__ import annotations

import types

import pytest

from editor.core import ops
from editor.core.ops import contract


@pytest.mark.parametrize("op", ops.OPERATIONS, ids=lambda op: op.name)
def test_every_operation_module_follows_the_contract_of_its_kind(op):
    assert contract.check(op.module) == []
    assert {"NAME", "Params", {"geometry": "build", "channel": "curves", "colour": "transform",
                               "local": "affine", "spatial": "affine"}[op.kind]} <= set(contract.required(op.kind))


def fake(kind: str, **attrs) -> types.ModuleType:
    module = types.ModuleType("fake_op")
    module.__dict__.update(NAME="fake", LABEL="Fake", VERSION=1, KIND=kind, Params=object, **attrs)
    return module


def test_a_spatial_operation_without_affine_is_reported_by_name():
    problems = contract.check(fake("spatial", build=lambda i, p, c: i))
    assert problems == ["fake_op: a spatial operation must define affine"]


def test_a_hook_on_the_wrong_kind_is_reported_instead_of_silently_ignored():
    problems = contract.check(fake("colour", transform=lambda rgb, p: rgb, READS_NEIGHBOURS=True))
    assert any("READS_NEIGHBOURS is read only for local/spatial operations, not colour" in p for p in problems)


def test_an_unknown_kind_is_reported():
    assert "KIND is 'blur'" in contract.check(fake("blur"))[0]


def test_optional_hooks_fall_back_to_their_declared_defaults():
    plain = ops.Operation(fake("spatial", build=None, affine=None))
    assert (plain.reads_neighbours, plain.detail, plain.exact_luminance(None, None)) == (False, False, False)
    assert ops.get("sharpening").reads_neighbours and ops.get("sharpening").detail
    assert ops.get("vibrance").transform_lab is not None and ops.get("exposure").transform_lab is None
