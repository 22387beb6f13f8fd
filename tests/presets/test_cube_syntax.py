""".cube files as the Adobe (Cube LUT Specification 1.0) and Resolve forms allow them: input domains,
tabs and scientific notation, CR line endings, 1D and shaper + 3D tables; truncated Hald images; and a
parse whose memory follows the declared table, not the text. ffmpeg's lut3d judges the domain case when
it is installed."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import pyvips

from editor.core import lutfiles
from editor.core.lutfiles import LutError, identity_table, parse_cube, read_cube, sample
from editor.core.edit import Edit
from preset_helpers import delta_e2000, render_array

RNG = np.random.default_rng(5)


def rows(table: np.ndarray) -> np.ndarray:
    """(N^3, 3) rows of a [r, g, b] table in file order (red fastest)."""
    return table.transpose(2, 1, 0, 3).reshape(-1, 3)


def grey_half_domain_cube() -> str:
    """Domain 0..2, output = input / 2: input 1.0 (white) must give mid-grey 0.5, as ffmpeg renders it."""
    body = "\n".join(f"{r} {g} {b}" for r, g, b in rows(identity_table(5)))
    return "LUT_3D_SIZE 5\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 2 2 2\n" + body + "\n"


def test_domain_max_2_maps_white_to_mid_grey():
    lut = parse_cube(grey_half_domain_cube())
    x = RNG.random((200, 3))
    np.testing.assert_allclose(sample(lut.normalised(), x), x / 2, atol=1e-6)


def test_domain_render_matches_ffmpeg(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path / "half.cube"
    path.write_text(grey_half_domain_cube())
    image = np.round(RNG.random((16, 16, 3)) * 255).astype(np.uint8)
    source, result = tmp_path / "in.png", tmp_path / "out.png"
    pyvips.Image.new_from_array(image.astype(np.uint16) * 257, interpretation="rgb16").write_to_file(str(source))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-vf", f"lut3d=file={path}",
                    "-pix_fmt", "rgb48be", str(result)], check=True, timeout=60)
    theirs = np.round(pyvips.Image.new_from_file(str(result)).numpy() / 257.0)
    ours = render_array(image, Edit().update("lut3d", lut=str(path)))
    assert delta_e2000(ours, theirs).max() <= 1.0


def test_tabs_scientific_notation_signs_bom_and_cr_endings_parse_like_plain_text():
    table = RNG.random((3, 3, 3, 3))
    plain = "LUT_3D_SIZE 3\n" + "\n".join(f"{r:.6f} {g:.6f} {b:.6f}" for r, g, b in rows(table)) + "\n"
    odd = ("\ufeffTITLE\t\"tabbed\"\r# comment\rLUT_3D_SIZE\t3\rDOMAIN_MIN\t0.0E+00\t0\t-0\r"
           "DOMAIN_MAX\t1E0 +1.0 10e-1\r" + "\r".join(f"\t{r:+.6E}\t{g:.6e} \t {b:.5E}  " for r, g, b in rows(table))
           + "\r")
    a, b = parse_cube(plain), parse_cube(odd)
    assert b.title == "tabbed" and b.domain_max == (1.0, 1.0, 1.0)
    np.testing.assert_allclose(b.table, a.table, atol=1e-5)


def test_a_1d_lut_is_applied_per_channel():
    x = np.linspace(0, 1, 1024)
    curves = np.stack([x ** 2.2, x, np.sqrt(x)], axis=-1)
    text = "LUT_1D_SIZE 1024\n" + "\n".join(f"{r:.7f} {g:.7f} {b:.7f}" for r, g, b in curves) + "\n"
    lut = parse_cube(text)
    rgb = RNG.random((300, 3))
    expected = np.stack([rgb[:, 0] ** 2.2, rgb[:, 1], np.sqrt(rgb[:, 2])], axis=-1)
    assert np.abs(sample(lut.normalised(), rgb) - expected).max() < 0.02  # a 65^3 grid of a curve
    assert "LUT_1D_SIZE 1024" in lut.stages


def test_a_resolve_shaper_then_3d_lut_composes_both():
    """Shaper: input 0..4 squeezed by sqrt into 0..1 (as log shapers do); 3D: swaps red and blue."""
    x = np.linspace(0, 4, 256)
    shaper = np.repeat(np.sqrt(x / 4)[:, None], 3, axis=1)
    swap = identity_table(17)[..., ::-1]
    text = ("LUT_1D_SIZE 256\nLUT_1D_INPUT_RANGE 0 4\nLUT_3D_SIZE 17\nLUT_3D_INPUT_RANGE 0 1\n"
            + "\n".join(" ".join(f"{v:.7f}" for v in row) for row in shaper) + "\n"
            + "\n".join(" ".join(f"{v:.7f}" for v in row) for row in rows(swap)) + "\n")
    lut = parse_cube(text)
    assert lut.input_domain == ((0.0,) * 3, (4.0,) * 3)
    rgb = RNG.random((300, 3))  # display input 0..1 sits in the bottom quarter of the shaper's range
    expected = np.sqrt(rgb / 4)[:, ::-1]
    assert np.abs(sample(lut.normalised(), rgb) - expected).max() < 0.02


def test_truncated_hald_is_refused(tmp_path):
    path = tmp_path / "cut.png"
    pyvips.Image.new_from_array(lutfiles.hald_identity(8), interpretation="srgb").write_to_file(str(path))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(LutError, match="cut.png.*cut short"):
        lutfiles.read_hald(path)


def test_a_false_size_claim_is_refused_before_reading_the_rows(tmp_path):
    path = tmp_path / "claims.cube"
    path.write_text("LUT_3D_SIZE 256\n" + "0 0 0\n" * 1000)
    with pytest.raises(LutError, match="claims.cube.*expected 16777216 table rows.*cut short"):
        read_cube(path)


PEAK = textwrap.dedent("""
    import resource, sys
    from editor.core import lutfiles
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        lutfiles.read_cube(sys.argv[1])
        outcome = "read"
    except lutfiles.LutError as exc:
        outcome = str(exc)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, outcome)
""")


@pytest.mark.slow
@pytest.mark.parametrize("size,rows_written", [(128, 128 ** 3), (256, 11_000_000)])
def test_parse_memory_follows_the_table_not_the_text(tmp_path, size, rows_written):
    """2.1 M rows (a valid 128^3): peak memory in the order of its float32 table (25 MB); 63 MB of short
    rows claiming 256^3: refused from the header and the file size alone. The old parser kept every line
    as text objects (2.5 GB and 18 s for that 63 MB file)."""
    path = tmp_path / "big.cube"
    with open(path, "w") as f:
        f.write(f"LUT_3D_SIZE {size}\n")
        line = "0 0 0\n" * 65536
        for _ in range(rows_written // 65536):
            f.write(line)
        f.write("0 0 0\n" * (rows_written % 65536))
    out = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, timeout=120)
    peak_kb, outcome = out.stdout.split(" ", 1)
    table_kb = size ** 3 * 3 * 4 / 1024
    assert int(peak_kb) < table_kb + 60_000, (peak_kb, outcome)
    assert outcome.strip() == "read" if rows_written == size ** 3 else "cut short" in outcome


def test_a_utf8_title_reads_as_written_and_a_control_character_title_falls_back_to_the_file_name(tmp_path):
    from presets.formats import lut
    body = "\n".join(f"{r} {g} {b}" for r, g, b in rows(identity_table(2)))
    assert parse_cube('TITLE "Café"\nLUT_3D_SIZE 2\n' + body).title == "Café"
    path = tmp_path / "Night film.cube"
    path.write_text('TITLE "bad\x1b[2Jtitle"\nLUT_3D_SIZE 2\n' + body + "\n")
    result = lut.load(path)
    assert result.presets[0].name == "Night film" and any("title" in w for w in result.warnings)


def test_a_1d_lut_renders_as_ffmpeg_lut1d_does(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    x = np.linspace(0, 1, 256)
    curves = np.stack([x ** 0.8, x ** 1.3, 0.1 + 0.8 * x], axis=-1)
    path = tmp_path / "curves.cube"
    path.write_text("LUT_1D_SIZE 256\n" + "\n".join(f"{r:.6f} {g:.6f} {b:.6f}" for r, g, b in curves) + "\n")
    image = np.round(RNG.random((16, 16, 3)) * 255).astype(np.uint8)
    source, result = tmp_path / "in.png", tmp_path / "out.png"
    pyvips.Image.new_from_array(image.astype(np.uint16) * 257, interpretation="rgb16").write_to_file(str(source))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-vf", f"lut1d=file={path}",
                    "-pix_fmt", "rgb48be", str(result)], check=True, timeout=60)
    theirs = np.round(pyvips.Image.new_from_file(str(result)).numpy() / 257.0)
    ours = render_array(image, Edit().update("lut3d", lut=str(path)))
    assert delta_e2000(ours, theirs).max() <= 1.0
