"""Native preset files: human-readable, versioned JSON holding one preset or a bundle of them."""
from __future__ import annotations

import json
import os
from pathlib import Path

from presets.formats import read_limited
from presets.model import FORMAT_VERSION, Preset, PresetError, shown

BUNDLE_FORMAT = "darkslide-preset-bundle"
MAX_DEPTH = 12  # a bundle is 8 deep: bundle, presets, preset, operations, op, params, curve, point
MAX_PRESETS = 1000  # per bundle


def dumps(preset: Preset) -> str:
    return json.dumps(preset.to_dict(), indent=2, ensure_ascii=False) + "\n"


def dumps_bundle(presets: list[Preset]) -> str:
    data = {"format": BUNDLE_FORMAT, "version": FORMAT_VERSION, "presets": [p.to_dict() for p in presets]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def loads(text: str | bytes, source: str = "preset", *, builtin: bool = False) -> list[Preset]:
    """Presets from native JSON text (one preset or a bundle); raises PresetError naming `source`."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise PresetError(f"{source}: nested too deeply to be a preset") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PresetError(f"{source}: not valid JSON ({str(exc)[:200]})") from None
    _check_depth(data, source)
    try:
        return _presets(data, source, builtin)
    except PresetError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        # Hostile or odd content must never escape as a crash: a store lists such a file as unreadable.
        raise PresetError(f"{source}: not a usable preset ({type(exc).__name__}: {str(exc)[:200]})") from None


def _check_depth(data, source: str) -> None:
    """Refuse JSON nested deeper than any preset is (iteratively: deep data cannot exhaust the stack)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PresetError(f"{source}: nested {MAX_DEPTH}+ levels deep; a preset bundle has at most 8")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _presets(data, source: str, builtin: bool) -> list[Preset]:
    if isinstance(data, dict) and data.get("format") == BUNDLE_FORMAT:
        version = data.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise PresetError(f"{source}: bundle version must be a whole number, got {shown(version)}")
        if version > FORMAT_VERSION:
            raise PresetError(f"{source}: bundle format version {version} is newer than this Darkslide "
                              f"understands ({FORMAT_VERSION}); update Darkslide")
        items = data.get("presets")
        if not isinstance(items, list) or not items:
            raise PresetError(f"{source}: a bundle needs a non-empty 'presets' list")
        if len(items) > MAX_PRESETS:
            raise PresetError(f"{source}: a bundle of {len(items)} presets, over the {MAX_PRESETS} allowed")
        return [Preset.from_dict(item, f"{source} (preset {i + 1})", builtin=builtin)
                for i, item in enumerate(items)]
    return [Preset.from_dict(data, source, builtin=builtin)]


def load(path: str | os.PathLike, *, builtin: bool = False) -> list[Preset]:
    path = Path(path)
    return loads(read_limited(path), str(path), builtin=builtin)
