"""The HEIC/AVIF structure check: any bytes give a verdict (Damaged or fine) quickly, never another error."""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.core import isobmff

sys.path.insert(0, str(Path(__file__).parent))
import hostile_corpus  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])


def _check(tmp_path: Path, data: bytes) -> str | None:
    path = tmp_path / "x.heic"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        isobmff.check(fd)
        return None
    except isobmff.Damaged as exc:
        return str(exc)
    finally:
        os.close(fd)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _iloc(body: bytes) -> bytes:
    return _box(b"ftyp", b"heic\0\0\0\0mif1heic") + _box(b"meta", b"\0\0\0\0" + _box(b"iloc", body))


@pytest.fixture(scope="module")
def heic(tmp_path_factory) -> bytes:
    return hostile_corpus._heic_grid(hostile_corpus._photo_like(300, 200), tmp_path_factory.mktemp("heic"))


def test_a_whole_heic_passes_and_every_cut_is_damaged(heic, tmp_path):
    assert _check(tmp_path, heic) is None
    for cut in range(16, len(heic), max(1, len(heic) // 40)):
        assert _check(tmp_path, heic[:cut]) is not None, cut


def test_an_item_past_the_end_is_named(tmp_path):
    # version 0, offset/length 4 bytes, base 0; one item (id 7) with one extent at 1000, 50 bytes long
    body = b"\0\0\0\0" + bytes([0x44, 0x00]) + struct.pack(">HHHHII", 1, 7, 0, 1, 1000, 50)
    assert "image item 7 needs bytes up to 1,050" in _check(tmp_path, _iloc(body))


def test_millions_of_empty_extents_do_not_hang(tmp_path):
    # version 2: 4-byte item count of 2**32 - 1, extent fields of no bytes: only the bytes present are read
    body = b"\2\0\0\0" + bytes([0x00, 0x00]) + struct.pack(">I", 0xFFFFFFFF) + struct.pack(">IHHH", 1, 0, 0, 65535) * 3
    assert "cut short" in _check(tmp_path, _iloc(body))


@FUZZ
@given(st.binary(max_size=400))
def test_any_bytes_give_a_verdict(tmp_path, data):
    _check(tmp_path, data)


@FUZZ
@given(st.data())
def test_a_heic_with_bytes_changed_in_its_boxes_gives_a_verdict(heic, tmp_path, data):
    changed = bytearray(heic)
    for _ in range(data.draw(st.integers(1, 8))):
        changed[data.draw(st.integers(0, 600))] = data.draw(st.integers(0, 255))  # ftyp and meta live here
    _check(tmp_path, bytes(changed))
