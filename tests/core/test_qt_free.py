"""The core, presets and tether packages must import without Qt (they run headless and on workers)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("editor.core", "presets", "tether", "editor.app", "editor.cli")

BLOCKER = """
import importlib, pkgutil, sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError(f'Qt is not allowed here: {name}')
sys.meta_path.insert(0, NoQt())
failed = []
for package in sys.argv[1:]:
    mod = importlib.import_module(package)
    for info in pkgutil.walk_packages(mod.__path__, package + '.'):
        if '.tests' in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            if 'Qt is not allowed' in str(exc):
                failed.append(f'{info.name}: {exc}')
print('\\n'.join(failed))
sys.exit(1 if failed else 0)
"""


def existing() -> list[str]:
    return [p for p in PACKAGES if (ROOT / p.replace(".", "/") / "__init__.py").exists()]


def test_core_presets_and_tether_import_without_qt():
    packages = existing()
    assert "editor.core" in packages
    result = subprocess.run([sys.executable, "-c", BLOCKER, *packages], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_blocker_really_blocks_qt():
    result = subprocess.run([sys.executable, "-c", BLOCKER.replace("failed = []", "import PySide6\nfailed = []"),
                             "editor.core"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "Qt is not allowed" in result.stderr
