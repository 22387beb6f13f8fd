"""Applying a preset to an edit with an amount, and changing that amount later.

Amount (0..200 %) blends every named param between the photo's current value (the base) and the
preset's: 0 % is the base, 100 % the preset, above 100 % extrapolates, clamped to the declared range.
Curves blend point-wise when their x's match, else both are resampled on shared x's; a switch that has
a strength (FADES: Black & White's `enabled` and `amount`) fades in with the amount instead of jumping;
other bools, choices and text switch at 50 %; hues take the short way round the circle (and jump when the base has no
saturation to carry a hue); a LUT's strength scales with the amount. Tone operations and colour
operations (everything else) get separate strengths that multiply the amount.

The edit's `look` mapping records what is needed to recompute: name, amount, tone_amount,
colour_amount, mode, the base params of every operation the preset touches and the preset's params
(all JSON-ready), so `set_amount` can move the amount at any time.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from editor.core import ops
from editor.core.edit import Edit
from editor.core.lutfiles import LutError
from editor.core.ops import lut3d
from editor.core.params import ParamError, Spec, to_dict
from presets.model import Preset, PresetError, load_partial

TONE_OPS = frozenset({"exposure", "contrast", "highlights_shadows", "whites_blacks", "tone_curve"})
MODES = ("merge", "reset")
MAX_AMOUNT = 200.0
KEEP_ON_RESET = frozenset({"crop"})  # a look never undoes framing
# Operation -> (its on/off switch, the strength that scales its effect): blended as one continuous
# strength (0 while off), so a B&W look at 30 % is 30 % of the way to grey, as the amount says.
FADES = {"bw_mix": ("enabled", "amount")}


def apply_preset(edit: Edit, preset: Preset, amount: float = 100.0, mode: str = "merge",
                 tone_amount: float | None = None, colour_amount: float | None = None) -> Edit:
    """`edit` with `preset` applied at `amount` % ("merge" keeps other ops, "reset" resets them)."""
    if mode not in MODES:
        raise PresetError(f"unknown apply mode {mode!r} (use {' or '.join(MODES)})")
    amounts = _check_amounts(amount, tone_amount, colour_amount)
    check_lut(preset)
    if edit.look is not None and edit.look.get("mode") is not None:
        edit = _restore_base(edit)  # re-applying replaces the previous look instead of stacking on it
    if mode == "reset":
        edit = edit.reset([op.name for op in ops.OPERATIONS if op.name not in KEEP_ON_RESET])
    base = {name: edit[name] for name in preset.params}
    look = {"name": preset.name, "amount": amounts[0], "tone_amount": amounts[1], "colour_amount": amounts[2],
            "mode": mode,
            "base": {n: {"version": ops.get(n).version, "params": to_dict(p)} for n, p in base.items()},
            "preset": preset.to_dict()["operations"]}
    return _blend_into(edit, base, preset.params, *amounts).with_look(look)


def set_amount(edit: Edit, amount: float, tone_amount: float | None = None,
               colour_amount: float | None = None) -> Edit:
    """Recompute the applied look at a new amount from the stored base (strengths kept unless given)."""
    look = edit.look
    if not look or "base" not in look:
        raise PresetError("no look is applied to this edit, so there is no amount to change")
    tone = look.get("tone_amount", 100.0) if tone_amount is None else tone_amount
    colour = look.get("colour_amount", 100.0) if colour_amount is None else colour_amount
    amounts = _check_amounts(amount, tone, colour)
    base, target = _stored(look)
    new_look = dict(look, amount=amounts[0], tone_amount=amounts[1], colour_amount=amounts[2])
    return _blend_into(edit, base, target, *amounts).with_look(new_look)


def check_lut(preset: Preset) -> None:
    """Refuse a preset whose LUT file is missing or unreadable, naming the preset and the file."""
    if preset.lut:
        try:
            lut3d.table_for(preset.lut)
        except LutError as exc:
            raise PresetError(f"look '{preset.name}': {exc}") from None


def _check_amounts(amount, tone, colour) -> tuple[float, float, float]:
    out = []
    for label, value in (("amount", amount), ("tone amount", tone), ("colour amount", colour)):
        value = 100.0 if value is None else value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_AMOUNT:
            raise PresetError(f"{label} must be a number in 0..{MAX_AMOUNT:g} %, got {value!r}")
        out.append(float(value))
    return out[0], out[1], out[2]


def _stored(look: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    try:
        base = {n: ops.get(n).load(s["params"], s.get("version")) for n, s in look["base"].items()}
        target = {n: load_partial(ops.get(n), s) for n, s in look["preset"].items()}
    except (ParamError, KeyError, TypeError) as exc:
        raise PresetError(f"the stored look '{look.get('name')}' is damaged ({exc})") from None
    return base, target


def _restore_base(edit: Edit) -> Edit:
    base, _ = _stored(edit.look)
    for name, params in base.items():
        edit = edit.set(name, params)
    return edit.with_look(None)


def _blend_into(edit: Edit, base: Mapping[str, Any], target: Mapping[str, Mapping[str, Any]],
                amount: float, tone: float, colour: float) -> Edit:
    for name, values in target.items():
        op = ops.get(name)
        t = min(amount * (tone if name in TONE_OPS else colour) / 100.0, MAX_AMOUNT) / 100.0
        edit = edit.set(name, blend_params(op, base[name], values, t))
    return edit


def blend_params(op: ops.Operation, base, values: Mapping[str, Any], t: float):
    """`base` Params moved towards the named `values` by fraction `t` (0..2)."""
    if op.name == "lut3d":
        return _blend_lut(op, base, values, t)
    out = {}
    for name, target in values.items():
        spec = _spec(op, name)
        out[name] = blend_value(spec, getattr(base, name), target, t, _hue_carrier(op, base, name))
    if op.name in FADES and FADES[op.name][0] in values:
        out.update(_fade(op, base, values, t, *FADES[op.name]))
    return op.replace(base, **out)


@lru_cache(maxsize=None)
def _spec(op: ops.Operation, name: str) -> Spec:
    """op.spec(name), which rebuilds every Spec of the operation: cached, as an amount slider re-blends a
    look on every move (half the time of `set_amount` went there)."""
    return op.spec(name)


def _fade(op: ops.Operation, base, values: Mapping[str, Any], t: float, switch: str, strength: str):
    """The switch and its strength blended as one strength that is 0 while switched off."""
    before = getattr(base, strength) if getattr(base, switch) else 0.0
    after = values.get(strength, getattr(op.defaults(), strength)) if values[switch] else 0.0
    value = _clamp(_spec(op, strength), before + (after - before) * t)
    return {switch: value > 0, strength: float(value)}


def _hue_carrier(op: ops.Operation, base, name: str) -> float | None:
    """For a hue param, the base's saturation that gives it meaning (None when there is none)."""
    if not name.endswith("hue"):
        return None
    for other in (name[:-3] + "sat", name[:-3] + "saturation", name[:-3] + "amount"):
        if other != name and hasattr(base, other):
            return getattr(base, other)
    return None


def blend_value(spec: Spec, base: Any, target: Any, t: float, hue_carrier: float | None = None) -> Any:
    """One param blended by fraction `t`, clamped to its declared range."""
    if spec.kind in ("float", "int"):
        if hue_carrier is not None and spec.max == 360:
            value = target if hue_carrier == 0 else base + ((target - base + 180) % 360 - 180) * t
            value = value % 360 if not (spec.min == 0 and value == 360) else value
        else:
            value = base + (target - base) * t
        value = _clamp(spec, value)
        return int(round(value)) if spec.kind == "int" else float(value)
    if spec.kind == "curve":
        return blend_curve(base, target, t)
    return target if t >= 0.5 else base


def _clamp(spec: Spec, value: float) -> float:
    if spec.min is not None:
        value = max(spec.min, value)
    if spec.max is not None:
        value = min(spec.max, value)
    return value


MAX_CURVE_POINTS = 32


def blend_curve(base, target, t: float) -> tuple[tuple[float, float], ...]:
    """Point-wise blend of two curves ((x, y) in 0..1); resampled on the union of x's when they differ."""
    bx, by = np.array(base, dtype=float).T
    tx, ty = np.array(target, dtype=float).T
    if len(bx) == len(tx) and np.allclose(bx, tx):
        xs = tx
    else:
        xs = np.union1d(bx, tx)
        if len(xs) > MAX_CURVE_POINTS:
            xs = np.linspace(0.0, 1.0, MAX_CURVE_POINTS - 1)
        by, ty = np.interp(xs, bx, by), np.interp(xs, tx, ty)
    ys = np.clip(by + (ty - by) * t, 0.0, 1.0)
    return tuple((float(x), float(y)) for x, y in zip(xs, ys))


def _blend_lut(op: ops.Operation, base, values: Mapping[str, Any], t: float):
    """The preset's LUT at its strength scaled by t (blended from the base strength when it is the same LUT)."""
    lut = values.get("lut", base.lut)
    strength = values.get("strength", 100.0)
    start = base.strength if (base.lut == lut and not op.is_identity(base)) else 0.0
    out = {"lut": lut, "strength": float(np.clip(start + (strength - start) * t, 0.0, 100.0))}
    if "interpolation" in values:
        out["interpolation"] = values["interpolation"]
    return op.replace(base, **out)
