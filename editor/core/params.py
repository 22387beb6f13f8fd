"""One declaration per parameter: its range, default, label and unit.

Operations declare their parameters as fields of a frozen dataclass built with `param()`. Sliders, the
sidecar format, preset files, import mappings and validation all read these declarations; nothing else
lists a parameter's range again.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any


class ParamError(ValueError):
    """A parameter value that does not fit its declaration."""


@dataclass(frozen=True)
class Spec:
    """Metadata of one parameter. `kind` is float, int, bool, choice, curve or text."""

    name: str
    kind: str
    default: Any
    label: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    soft_min: float | None = None
    soft_max: float | None = None
    choices: tuple[str, ...] = ()
    step: float | None = None

    @property
    def slider_range(self) -> tuple[float, float]:
        """The range a slider shows by default (the soft range where one is declared)."""
        lo = self.min if self.soft_min is None else self.soft_min
        hi = self.max if self.soft_max is None else self.soft_max
        return lo, hi

    def validate(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ParamError saying what is wrong."""
        check = _CHECKS[self.kind]
        return check(self, value)


def param(default: Any, lo: float | None = None, hi: float | None = None, *, label: str, unit: str = "",
          soft: tuple[float, float] | None = None, choices: tuple[str, ...] = (), step: float | None = None,
          kind: str | None = None):
    """A dataclass field that carries its parameter declaration in its metadata."""
    if kind is None:
        kind = _kind_of(default, choices)
    meta = dict(kind=kind, default=default, label=label, unit=unit, min=lo, max=hi, choices=tuple(choices),
                soft_min=soft[0] if soft else None, soft_max=soft[1] if soft else None, step=step)
    return field(default=default, metadata={"spec": meta})


def specs(params_cls) -> tuple[Spec, ...]:
    """The declared parameters of an operation's Params class, in declaration order."""
    return tuple(Spec(name=f.name, **f.metadata["spec"]) for f in dataclasses.fields(params_cls))


def to_dict(params) -> dict[str, Any]:
    """Params as plain JSON-ready values (curves become lists of [x, y] pairs)."""
    return {f.name: _plain(getattr(params, f.name)) for f in dataclasses.fields(params)}


def from_dict(params_cls, data: dict[str, Any], *, strict: bool = True):
    """Build Params from `data`, validating each value; missing names take their defaults.

    With `strict`, unknown names are an error; every problem is reported in one ParamError.
    """
    if not isinstance(data, dict):
        raise ParamError(f"expected a table of parameters, got {type(data).__name__}")
    known = {s.name: s for s in specs(params_cls)}
    problems, values = [], {}
    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            if strict:
                problems.append(f"unknown parameter '{name}' (known: {', '.join(known)})")
            continue
        try:
            values[name] = spec.validate(value)
        except ParamError as exc:
            problems.append(f"{name}: {exc}")
    if problems:
        raise ParamError("; ".join(problems))
    return params_cls(**values)


def _kind_of(default, choices) -> str:
    if choices:
        return "choice"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, tuple):
        return "curve"
    if isinstance(default, str):
        return "text"
    raise TypeError(f"cannot infer the kind of parameter default {default!r}")


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _check_number(spec: Spec, value, cast):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ParamError(f"expected a finite number, got {value!r}")
    if cast is int and value != int(value):
        raise ParamError(f"expected a whole number, got {value!r}")
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise ParamError(f"{value!r} is outside {spec.min}..{spec.max}{' ' + spec.unit if spec.unit else ''}")
    return cast(value)


def _check_bool(spec: Spec, value):
    if not isinstance(value, bool):
        raise ParamError(f"expected true or false, got {value!r}")
    return value


def _check_choice(spec: Spec, value):
    if value not in spec.choices:
        raise ParamError(f"{value!r} is not one of {', '.join(spec.choices)}")
    return value


def _check_text(spec: Spec, value):
    if not isinstance(value, str):
        raise ParamError(f"expected text, got {value!r}")
    return value


def _check_curve(spec: Spec, value):
    """A curve is 2..32 (x, y) points in 0..1 with strictly increasing x."""
    if not isinstance(value, (list, tuple)) or not 2 <= len(value) <= 32:
        raise ParamError("expected a list of 2 to 32 [x, y] points")
    points = []
    for point in value:
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ParamError(f"expected an [x, y] point, got {point!r}")
        x, y = (_check_number(Spec("", "float", 0.0, "", min=0.0, max=1.0), v, float) for v in point)
        points.append((x, y))
    if any(b[0] <= a[0] for a, b in zip(points, points[1:])):
        raise ParamError("curve points must have strictly increasing x")
    return tuple(points)


_CHECKS = {
    "float": lambda s, v: _check_number(s, v, float),
    "int": lambda s, v: _check_number(s, v, int),
    "bool": _check_bool,
    "choice": _check_choice,
    "text": _check_text,
    "curve": _check_curve,
}
