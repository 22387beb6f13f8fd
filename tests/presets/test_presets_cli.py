"""`main.py presets ...` through presets.cli: list, show, import and export on a temporary store."""
from __future__ import annotations

import argparse
import json

import pytest

from editor.core import lutfiles
from presets import cli
from preset_helpers import DATA


def run(tmp_path, *argv) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(["--data-dir", str(tmp_path / "data"), *argv]))


def test_list_shows_builtins(tmp_path, capsys):
    assert run(tmp_path, "list") == 0
    out = capsys.readouterr().out
    assert "Chrome" in out and "Pushed 400" in out and out.count("built-in") >= 14


def test_show_prints_the_recipe_card(tmp_path, capsys):
    assert run(tmp_path, "show", "selenium") == 0
    out = capsys.readouterr().out
    assert "Recipe:" in out and "Inspired by" in out and "bw_mix:" in out


def test_import_reports_ignored_settings(tmp_path, capsys):
    assert run(tmp_path, "import", str(DATA / "lr_unsupported.xmp")) == 0
    out = capsys.readouterr().out
    assert "imported 'Partly Supported'" in out and "LensProfileEnable (lens correction" in out
    assert 'crs:Exposure2012="+7.5" is beyond' in out


def test_import_of_a_bad_file_fails_with_its_name(tmp_path, capsys):
    bad = tmp_path / "bad.cube"
    bad.write_text("LUT_3D_SIZE 300\n")
    assert run(tmp_path, "import", str(bad)) == 1
    assert "bad.cube" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["native", "xmp", "cube", "hald"])
def test_export_writes_each_format(tmp_path, fmt):
    out = tmp_path / f"out.{ {'hald': 'png'}.get(fmt, fmt) }"
    assert run(tmp_path, "export", "Eternal", "--format", fmt, "--out", str(out)) == 0
    if fmt == "native":
        assert json.loads(out.read_text())["name"] == "Eternal"
    elif fmt == "xmp":
        assert 'crs:PresetType="Normal"' in out.read_text()
    elif fmt == "cube":
        assert lutfiles.read_cube(out).size == 33
    else:
        assert lutfiles.read_hald(out).size == 64


def test_export_of_an_unknown_preset_fails(tmp_path, capsys):
    assert run(tmp_path, "export", "Nope", "--out", str(tmp_path / "x.json")) == 1
    assert "Nope" in capsys.readouterr().err
