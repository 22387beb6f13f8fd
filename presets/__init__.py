"""Presets and looks: a named, partial set of operation params applied to an edit with an amount.

Public API (re-exports only; see the modules for details).
"""
from presets.apply import apply_preset, set_amount
from presets.looks import builtin_looks
from presets.model import Preset, PresetError
from presets.store import PresetStore, apply_look, load_preset

__all__ = ["Preset", "PresetError", "load_preset", "apply_preset", "set_amount", "apply_look", "builtin_looks",
           "PresetStore"]
