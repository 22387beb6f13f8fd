"""The built-in looks: native preset files in resources/looks, read once, never locked (duplicate to edit)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from presets.formats import native
from presets.model import Preset, PresetError

LOOKS_DIR = Path(__file__).resolve().parents[1] / "resources" / "looks"


@lru_cache(maxsize=1)
def _load_all() -> tuple[Preset, ...]:
    looks = []
    for path in sorted(LOOKS_DIR.glob("*.json")):  # files are numbered, so this is the display order
        looks.extend(native.load(path, builtin=True))
    return tuple(looks)


def builtin_looks() -> list[Preset]:
    """Every built-in look, in display order."""
    return list(_load_all())


def builtin(name: str) -> Preset:
    """The built-in look called `name` (case-insensitive); raises PresetError listing the names."""
    for look in _load_all():
        if look.name.casefold() == name.casefold():
            return look
    raise PresetError(f"no built-in look called '{name}' (looks: {', '.join(l.name for l in _load_all())})")
