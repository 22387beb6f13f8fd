"""Native preset files: human-readable, versioned JSON holding one preset or a bundle of them."""
from __future__ import annotations

import json
import os
from pathlib import Path

from presets.formats import read_limited
from presets.model import FORMAT_VERSION, Preset, PresetError

BUNDLE_FORMAT = "darkslide-preset-bundle"


def dumps(preset: Preset) -> str:
    return json.dumps(preset.to_dict(), indent=2, ensure_ascii=False) + "\n"


def dumps_bundle(presets: list[Preset]) -> str:
    data = {"format": BUNDLE_FORMAT, "version": FORMAT_VERSION, "presets": [p.to_dict() for p in presets]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def loads(text: str | bytes, source: str = "preset", *, builtin: bool = False) -> list[Preset]:
    """Presets from native JSON text (one preset or a bundle); raises PresetError naming `source`."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PresetError(f"{source}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and data.get("format") == BUNDLE_FORMAT:
        version = data.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise PresetError(f"{source}: bundle version must be a whole number, got {version!r}")
        if version > FORMAT_VERSION:
            raise PresetError(f"{source}: bundle format version {version} is newer than this Darkslide "
                              f"understands ({FORMAT_VERSION}); update Darkslide")
        items = data.get("presets")
        if not isinstance(items, list) or not items:
            raise PresetError(f"{source}: a bundle needs a non-empty 'presets' list")
        return [Preset.from_dict(item, f"{source} (preset {i + 1})", builtin=builtin)
                for i, item in enumerate(items)]
    return [Preset.from_dict(data, source, builtin=builtin)]


def load(path: str | os.PathLike, *, builtin: bool = False) -> list[Preset]:
    path = Path(path)
    return loads(read_limited(path), str(path), builtin=builtin)
