"""The LUT we export is the look we render: every built-in look through its own exported .cube, read and
interpolated here by code that shares nothing with the engine (a plain .cube reader and a tetrahedral
evaluator written below, after the Adobe Cube LUT Specification 1.0), against the engine's render, on
real photos with clipped highlights. ffmpeg's `lut3d` filter is asked too when it is installed.

Before the render used lcms's absolute intent, lcms's white-on-white fix-up forced clipped highlights to
(255, 255, 255) where the look (and its .cube) gives cream: max ΔE00 10.3 on Classic.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import pyvips

from editor.core import lutfiles
from editor.core.edit import Edit
from presets import apply_preset, builtin_looks
from presets.formats import lut
from preset_helpers import DATA, delta_e2000, render_array, to_array

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
LOOKS = builtin_looks()
# (file, width): canon_hdr_NO has 6.5 % clipped white (lamps and sky), DSCN0027 0.7 %.
PHOTOS = (("canon_hdr_NO.jpg", 200), ("DSCN0027.jpg", 160))


def photos() -> list[np.ndarray]:
    out = [to_array(pyvips.Image.thumbnail(str(SAMPLES / name), width).colourspace("srgb"))
           for name, width in PHOTOS]
    out.append(to_array(pyvips.Image.new_from_file(str(DATA / "flowers_160.png"))))
    assert any((p.min(axis=-1) == 255).mean() > 0.02 for p in out)  # the fix-up shows on clipped white
    return out


def read_cube_independently(text: str) -> np.ndarray:
    """(N, N, N, 3) [r, g, b] from .cube text; red changes fastest in the file (the spec's order)."""
    size, rows = None, []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#") or words[0] in ("TITLE", "DOMAIN_MIN", "DOMAIN_MAX"):
            continue
        if words[0] == "LUT_3D_SIZE":
            size = int(words[1])
        else:
            rows.append([float(w) for w in words])
    table = np.array(rows).reshape(size, size, size, 3)  # [b, g, r]
    return table.transpose(2, 1, 0, 3)


def tetrahedral(table: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Tetrahedral interpolation (Kasson et al.): sort the cell's fractions, walk the cube's diagonal."""
    n = table.shape[0]
    pos = np.clip(rgb, 0.0, 1.0) * (n - 1)
    base = np.minimum(pos.astype(int), n - 2)
    frac = pos - base
    order = np.argsort(-frac, axis=-1)  # axes from the largest fraction to the smallest
    corner = base.copy()
    value = table[corner[..., 0], corner[..., 1], corner[..., 2]]
    out = value * (1 - np.take_along_axis(frac, order[..., :1], -1))
    for k in range(3):
        axis = order[..., k]
        np.put_along_axis(corner, axis[..., None], np.take_along_axis(corner, axis[..., None], -1) + 1, -1)
        here = np.take_along_axis(frac, axis[..., None], -1)
        after = np.take_along_axis(frac, order[..., k + 1:k + 2], -1) if k < 2 else 0.0
        out = out + table[corner[..., 0], corner[..., 1], corner[..., 2]] * (here - after)
    return out


def test_the_independent_evaluator_is_exact_on_a_linear_table():
    g = np.linspace(0, 1, 5)
    table = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1) @ np.array([[0.9, 0.1, 0], [0, 0.8, 0.2],
                                                                          [0.1, 0, 0.9]])
    rgb = np.random.default_rng(1).random((100, 3))
    assert np.allclose(tetrahedral(table, rgb), rgb @ np.array([[0.9, 0.1, 0], [0, 0.8, 0.2], [0.1, 0, 0.9]]))


@pytest.mark.slow
def test_every_look_renders_as_its_exported_cube_says():
    images = photos()
    worst = {}
    for look in LOOKS:
        table = read_cube_independently(lut.dumps_cube(look, 33))
        edit = apply_preset(Edit(), look)
        errors = []
        for image in images:
            rendered = render_array(image, edit, pointwise_only=True)
            via_cube = np.round(tetrahedral(table, image / 255.0) * 255.0)
            errors.append(delta_e2000(rendered, via_cube).ravel())
        e = np.concatenate(errors)
        worst[look.name] = (e.mean(), np.percentile(e, 95), e.max())
    failing = {k: v for k, v in worst.items() if not (v[0] <= 0.5 and v[1] <= 1.0 and v[2] <= 2.0)}
    assert not failing, {k: tuple(round(x, 2) for x in v) for k, v in failing.items()}
    print("worst over the looks (mean, p95, max):", tuple(round(max(v[i] for v in worst.values()), 2)
                                                          for i in range(3)))


def test_clipped_white_keeps_the_looks_cream():
    """Classic's white is cream in its maths and its .cube; the render must not force it to 255."""
    classic = next(l for l in LOOKS if l.name == "Classic")
    white = np.full((2, 2, 3), 255, np.uint8)
    table = read_cube_independently(lut.dumps_cube(classic, 33))
    expected = np.round(table[-1, -1, -1] * 255)
    assert expected[2] < 235  # the look really does tint white
    for sixteen in (False, True):
        image = white.astype(np.uint16) * 257 if sixteen else white
        rendered = _render_depth(image, apply_preset(Edit(), classic))
        assert np.abs(rendered[0, 0] - expected).max() <= 1, (sixteen, rendered[0, 0], expected)


def _render_depth(array: np.ndarray, edit: Edit) -> np.ndarray:
    from editor.core.pipeline import RenderContext, render
    interpretation = "rgb16" if array.dtype == np.uint16 else "srgb"
    image = pyvips.Image.new_from_array(np.ascontiguousarray(array)).copy(interpretation=interpretation)
    out = render(image, edit, RenderContext(scale=1.0, seed=7)).numpy().astype(np.float64)
    return np.round(out / 257.0) if array.dtype == np.uint16 else out


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_ffmpeg_lut3d_with_our_cubes_matches_our_renders(tmp_path):
    """Every look's .cube through ffmpeg's own reader and tetrahedral lut3d (one ffmpeg run, one output per
    look), fed and read in 16 bit (ffmpeg truncates 8-bit results, which alone costs ~0.5 ΔE on greys),
    rounded to 8 bit here, against our render of the photo with the most clipped highlights."""
    image = photos()[0]
    source = tmp_path / "in.png"
    pyvips.Image.new_from_array(image.astype(np.uint16) * 257, interpretation="rgb16").write_to_file(str(source))
    graph = [f"[0]split={len(LOOKS)}" + "".join(f"[s{i}]" for i in range(len(LOOKS)))]
    outputs = []
    for i, look in enumerate(LOOKS):
        cube = tmp_path / f"look{i}.cube"
        cube.write_text(lut.dumps_cube(look, 33))
        graph.append(f"[s{i}]lut3d=file={cube}:interp=tetrahedral,format=rgb48be[o{i}]")
        outputs += ["-map", f"[o{i}]", str(tmp_path / f"out{i}.png")]
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(source), "-filter_complex", ";".join(graph),
                    *outputs], check=True, timeout=120)
    failing, figures_all = {}, []
    for i, look in enumerate(LOOKS):
        theirs = np.round(pyvips.Image.new_from_file(str(tmp_path / f"out{i}.png")).numpy() / 257.0)
        ours = render_array(image, apply_preset(Edit(), look), pointwise_only=True)
        e = delta_e2000(ours, theirs)
        figures = (e.mean(), np.percentile(e, 95), e.max())
        figures_all.append(tuple(round(float(x), 2) for x in figures))
        if not (figures[0] <= 0.5 and figures[1] <= 1.0 and figures[2] <= 2.0):
            failing[look.name] = tuple(round(float(x), 2) for x in figures)
    assert not failing, failing
    print("ffmpeg, worst over the looks (mean, p95, max):", tuple(max(v[i] for v in figures_all) for i in range(3)))


def test_an_imported_lut_with_a_cream_white_renders_cream(tmp_path):
    """Not only our own looks: any LUT whose white is not white used to be forced to white by lcms."""
    table = lutfiles.identity_table(17) * np.array([0.96, 0.92, 0.82])
    path = tmp_path / "cream.cube"
    path.write_text(lutfiles.format_cube(table))
    white = np.full((2, 2, 3), 255, np.uint8)
    out = render_array(white, Edit().update("lut3d", lut=str(path)))
    assert np.abs(out[0, 0].astype(int) - np.round([0.96 * 255, 0.92 * 255, 0.82 * 255])).max() <= 1
