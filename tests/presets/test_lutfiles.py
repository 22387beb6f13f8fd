"""LUT files: .cube parsing of odd but valid files, order, sampling, the lut3d operation and bad files."""
from __future__ import annotations

import numpy as np
import pytest
import pyvips

from editor.core import lutfiles
from editor.core.lutfiles import LutError, format_cube, identity_table, parse_cube, read_cube, sample
from editor.core.ops import get, lut3d

SWAP = lambda rgb: rgb[..., ::-1]  # a LUT that swaps red and blue: catches red/blue order mistakes


def cube_text(table, *, crlf=False, extra_header=""):
    text = extra_header + format_cube(table)
    return text.replace("\n", "\r\n") if crlf else text


def test_cube_with_comments_title_domain_and_crlf_parses(tmp_path):
    table = SWAP(identity_table(3))
    body = format_cube(table).split("DOMAIN_MAX 1.0 1.0 1.0\n", 1)[1]
    text = ("# made by hand\r\n\r\nTITLE \"Odd but valid\"\r\n# comment between keywords\r\n"
            "DOMAIN_MIN 0 0 0\r\nDOMAIN_MAX 1 1 1\r\nLUT_3D_SIZE 3\r\n\r\n" + body.replace("\n", "\r\n"))
    path = tmp_path / "odd.cube"
    path.write_bytes(text.encode())
    lut = read_cube(path)
    assert lut.title == "Odd but valid"
    assert lut.size == 3
    assert "made by hand" in lut.comments
    np.testing.assert_allclose(lut.table, table, atol=1e-6)


def test_cube_rows_are_red_fastest():
    rows = []
    for b in range(2):
        for g in range(2):
            for r in range(2):
                rows.append(f"{r} {g * 0.5} {b * 0.25}")
    lut = parse_cube("LUT_3D_SIZE 2\n" + "\n".join(rows))
    # table[r, g, b] must hold (r, g/2, b/4)
    np.testing.assert_allclose(lut.table[1, 0, 0], [1, 0, 0])
    np.testing.assert_allclose(lut.table[0, 1, 0], [0, 0.5, 0])
    np.testing.assert_allclose(lut.table[0, 0, 1], [0, 0, 0.25])


def test_cube_domain_is_normalised_for_sampling():
    table = identity_table(5) * 2.0  # identity on domain 0..2
    text = format_cube(table).replace("DOMAIN_MAX 1.0 1.0 1.0", "DOMAIN_MAX 2 2 2")
    lut = parse_cube(text)
    assert lut.domain_max == (2.0, 2.0, 2.0)
    x = np.random.default_rng(1).random((50, 3))
    np.testing.assert_allclose(sample(lut.normalised(), x), x, atol=1e-9)


def test_format_then_parse_round_trips_exactly_to_six_decimals():
    table = np.random.default_rng(2).random((4, 4, 4, 3))
    np.testing.assert_allclose(parse_cube(format_cube(table, "t")).table, table, atol=5e-7)


@pytest.mark.parametrize("mode", ["tetrahedral", "trilinear"])
def test_identity_lut_samples_to_input(mode):
    x = np.random.default_rng(3).random((200, 3))
    np.testing.assert_allclose(sample(identity_table(9), x, mode), x, atol=1e-12)


def test_tetrahedral_keeps_greys_grey_where_trilinear_may_not():
    table = identity_table(5) ** 2.2
    greys = np.repeat(np.linspace(0, 1, 37)[:, None], 3, axis=1)
    out = sample(table, greys, "tetrahedral")
    assert np.ptp(out, axis=1).max() < 1e-12
    np.testing.assert_allclose(sample(table, greys, "trilinear"), out, atol=1e-12)  # both exact on the diagonal
    x = np.random.default_rng(4).random((500, 3))
    fine = x ** 2.2
    assert np.abs(sample(identity_table(33) ** 2.2, x) - fine).max() < 2e-3


def test_lut3d_op_blends_by_strength_and_is_identity_without_lut(tmp_path):
    path = tmp_path / "swap.cube"
    path.write_text(format_cube(SWAP(identity_table(2))))
    rgb = np.array([[0.9, 0.5, 0.1]])
    op = get("lut3d")
    full = op.replace(op.defaults(), lut=str(path))
    np.testing.assert_allclose(lut3d.transform(rgb, full), [[0.1, 0.5, 0.9]], atol=1e-12)
    half = op.replace(full, strength=50.0)
    np.testing.assert_allclose(lut3d.transform(rgb, half), [[0.5, 0.5, 0.5]], atol=1e-12)
    assert op.is_identity(op.defaults()) and op.is_identity(op.replace(full, strength=0.0))


def test_lut3d_missing_file_names_the_reference():
    op = get("lut3d")
    with pytest.raises(LutError, match="nowhere.cube"):
        lut3d.transform(np.zeros((1, 3)), op.replace(op.defaults(), lut="nowhere.cube"))


def test_relative_reference_resolves_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DARKSLIDE_DATA_DIR", str(tmp_path))
    (tmp_path / "luts").mkdir()
    (tmp_path / "luts" / "swap.cube").write_text(format_cube(SWAP(identity_table(2))))
    assert lut3d.resolve("swap.cube") == tmp_path / "luts" / "swap.cube"


def test_hald_identity_reads_back_as_identity(tmp_path):
    for level in (2, 4, 8):
        path = tmp_path / f"hald{level}.png"
        pyvips.Image.new_from_array(lutfiles.hald_identity(level), interpretation="srgb").write_to_file(str(path))
        lut = lutfiles.read_hald(path)
        assert lut.size == level * level
        np.testing.assert_allclose(lut.table, identity_table(level * level), atol=0.5 / 255)


def test_hald_written_from_table_reads_back(tmp_path):
    table = SWAP(identity_table(16))
    lutfiles.write_hald(tmp_path / "swap.png", table)
    np.testing.assert_allclose(lutfiles.read_hald(tmp_path / "swap.png").table, table, atol=0.5 / 255)


# ------------------------------------------------------------------------------------------ bad files

BAD_CUBES = {
    "wrong_count.cube": ("LUT_3D_SIZE 2\n0 0 0\n1 1 1\n", "expected 8 table rows"),
    "too_big.cube": ("LUT_3D_SIZE 257\n0 0 0\n", "outside 2..256"),
    "too_small.cube": ("LUT_3D_SIZE 1\n0 0 0\n", "outside 2..256"),
    "nan.cube": ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 7 + "nan 0 0\n", "NaN"),
    "inf.cube": ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 7 + "inf 0 0\n", "infinite"),
    "far.cube": ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 7 + "900 0 0\n", "far outside"),
    "no_size.cube": ("0 0 0\n", "LUT_3D_SIZE"),
    "words.cube": ("LUT_3D_SIZE 2\nhello there\n", "unknown keyword"),
    "short_row.cube": ("LUT_3D_SIZE 2\n0 0\n" + "0 0 0\n" * 7, "expected 3 numbers"),
    "extra_rows.cube": ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 9, "more table rows"),
    "nan_domain.cube": ("DOMAIN_MIN nan 0 0\nLUT_3D_SIZE 2\n" + "0 0 0\n" * 8, "NaN or infinite"),
    "inf_domain.cube": ("DOMAIN_MAX 1 inf 1\nLUT_3D_SIZE 2\n" + "0 0 0\n" * 8, "NaN or infinite"),
    "keyword_late.cube": ("LUT_3D_SIZE 2\n" + "0 0 0\n" * 4 + "TITLE \"x\"\n" + "0 0 0\n" * 4, "after the table"),
    "huge_claim.cube": ("LUT_3D_SIZE 256\n" + "0 0 0\n" * 100, "cut short"),
    "bad_1d.cube": ("LUT_1D_SIZE 70000\n0 0 0\n", "outside 2..65536"),
    "bad_domain.cube": ("DOMAIN_MIN 1 1 1\nDOMAIN_MAX 0 0 0\nLUT_3D_SIZE 2\n" + "0 0 0\n" * 8, "DOMAIN_MAX"),
}


@pytest.mark.parametrize("name", sorted(BAD_CUBES))
def test_bad_cube_files_raise_lut_error_naming_file(tmp_path, name):
    text, problem = BAD_CUBES[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(LutError) as info:
        read_cube(path)
    assert name in str(info.value) and problem in str(info.value)


def test_binary_garbage_cube_is_refused(tmp_path):
    path = tmp_path / "garbage.cube"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LutError, match="garbage.cube.*binary"):
        read_cube(path)


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.cube"
    with open(path, "wb") as f:  # sparse: takes no disk space
        f.truncate(lutfiles.MAX_FILE_BYTES + 1)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a huge file"))
    with pytest.raises(LutError, match="huge.cube.*over the 64 MB limit"):
        read_cube(path)


@pytest.mark.parametrize("width,height,problem", [(30, 30, "not a cube"), (64, 32, "must be square")])
def test_hald_with_wrong_size_is_refused(tmp_path, width, height, problem):
    path = tmp_path / "bad_hald.png"
    pyvips.Image.black(width, height, bands=3).cast("uchar").copy(interpretation="srgb").write_to_file(str(path))
    with pytest.raises(LutError, match=f"bad_hald.png.*{problem}"):
        lutfiles.read_hald(path)


def test_garbage_hald_is_refused(tmp_path):
    path = tmp_path / "garbage.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(200)))
    with pytest.raises(LutError, match="garbage.png"):
        lutfiles.read_hald(path)
