"""Installed like an app: the wheel `pipx install CLONE` builds carries every resource the program reads and
the `darkslide` command; the runtime has no unguarded POSIX-only call (Windows and macOS are one
packaging step away)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("editor", "presets", "tether", "resources", "main.py", "pyproject.toml", "README.md")


def _setuptools_new_enough() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77  # `license = "MIT"` (PEP 639) needs 77


@pytest.mark.skipif(not _setuptools_new_enough(), reason="building the wheel needs setuptools >= 77")
def test_the_wheel_carries_every_resource_and_the_darkslide_command(tmp_path):
    # Build from a copy, as pip does from a clone, so the test writes nothing into the checkout.
    src = tmp_path / "src"
    for name in SOURCES:
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(item, src / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("darkslide-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    resources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert resources and not resources - names  # looks, icons, style, samples, desktop entry, AppStream
    assert any(n.startswith("resources/samples/") and n.endswith(".jpg") for n in names)
    assert {"main.py", "editor/ui/main_window.py", "tether/controller.py", "presets/store.py"} <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert re.search(r"^darkslide = main:main$", zipfile.ZipFile(wheel).read(entry_points).decode(), re.M)


# Calls that exist only on POSIX (or, like os.kill, do something else on Windows: it terminates the process).
# Allowed where the line, or one a few lines above it, tests the platform or the attribute. (tether/ is
# checked by its own owners: its USB/udev parts are Linux-only by nature.)
POSIX_ONLY = re.compile(r"os\.(getuid|geteuid|getgid|fork|setsid|killpg|fchmod|fchown|kill|O_NONBLOCK)\b"
                        r"|\bfcntl\b|\btermios\b|import (pwd|grp)\b|signal\.SIG(KILL|HUP|USR1|USR2|ALRM|CHLD)\b"
                        r"|/proc/")
PLATFORM_CHECKS = ("os.name", "sys.platform")


def _guarded(name: str, text: str) -> bool:
    """A platform test, or a hasattr/getattr of this very name, in `text`."""
    attr = name.split(".")[-1]
    return (any(c in text for c in PLATFORM_CHECKS)
            or re.search(rf"(has|get)attr\((os|signal), *[\"']{attr}[\"']", text) is not None)


def _unguarded(path: Path, root: Path = ROOT) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        code = line.split("#", 1)[0]
        nearby = "\n".join(lines[max(0, i - 12):i + 1])  # the line, or a guard a few lines up
        for match in POSIX_ONLY.finditer(code):
            if not _guarded(match.group(0), nearby):
                found.append(f"{path.relative_to(root)}:{i + 1}: {line.strip()}")
    return found


def test_the_app_runtime_has_no_unguarded_posix_only_call():
    files = [ROOT / "main.py", *(p for d in ("editor", "presets") for p in (ROOT / d).rglob("*.py"))]
    found = [hit for path in files for hit in _unguarded(path)]
    assert found == []


def test_the_posix_scan_finds_an_unguarded_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f(fd):\n    os.fchmod(fd, 0o644)\n")
    hits = _unguarded(sample, tmp_path)
    assert len(hits) == 1 and "fchmod" in hits[0]
    sample.write_text("import os\n\ndef f(fd):\n    if hasattr(os, 'fchmod'):\n        os.fchmod(fd, 0o644)\n")
    assert _unguarded(sample, tmp_path) == []
