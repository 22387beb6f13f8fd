"""The package layers of pyproject.toml's [tool.importlinter] hold (import-linter reads the imports)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_keeps_every_layer_contract():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    for contract in contracts:  # each one was really checked, none skipped
        assert f"{contract['name']} KEPT" in result.stdout
    assert "core <- presets" in contracts[0]["name"] and contracts[0]["layers"][-1] == "editor.core"
