"""The preset model: a named, versioned, partial set of operation params plus descriptive metadata.

A preset names only the params it sets; applying it leaves every other param to the apply mode
(presets.apply). Loading validates everything at once: unknown operations or params, wrong types and
out-of-range values are listed together in one PresetError; params saved by an older operation
version are migrated forward, a newer preset format is refused.
"""
from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from editor.core import ops
from editor.core.params import ParamError, to_dict

FORMAT = "darkslide-preset"
FORMAT_VERSION = 1
META_FIELDS = ("group", "description", "author", "tags", "recipe", "inspired_by", "suits", "input_space")


class PresetError(ValueError):
    """A preset (or preset file) that cannot be used; the message names the source and every problem."""


MAX_NAME = 200


def shown(value: Any, limit: int = 60) -> str:
    """`value` for an error message: repr (control characters escaped), cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def name_problem(name: Any, what: str = "name") -> str | None:
    """Why `name` cannot name a preset or group (None when it can): text, not blank, at most MAX_NAME
    characters, and no control or format characters (ESC, newline, bidi overrides), which would reach
    terminals, file names and menus raw."""
    if not isinstance(name, str) or not name.strip():
        return f"{what} must be non-empty text"
    if len(name) > MAX_NAME:
        return f"{what} is {len(name)} characters long, over the {MAX_NAME} allowed"
    bad = sorted({c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")})
    if bad:
        return f"{what} {shown(name)} holds control characters ({', '.join(repr(c) for c in bad[:5])})"
    return None


def check_name(name: Any, what: str = "name") -> None:
    """Raise PresetError if `name` cannot name a preset (see `name_problem`)."""
    problem = name_problem(name, what)
    if problem:
        raise PresetError(f"preset {problem}" if what == "name" else problem)


def _frozen(params: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    return MappingProxyType({op: MappingProxyType(dict(values)) for op, values in params.items()})


@dataclass(frozen=True)
class Preset:
    """A look or user preset. `params` maps operation name -> {param name: validated value}.

    `recipe` is the plain-words settings card; `suits` the light it suits; `inspired_by` its provenance
    (always "inspired by", never an official reproduction); `input_space` the space a LUT expects.
    """

    name: str
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    group: str = "User"
    description: str = ""
    author: str = ""
    tags: tuple[str, ...] = ()
    recipe: str = ""
    inspired_by: str = ""
    suits: str = ""
    input_space: str = "sRGB"
    builtin: bool = False
    warnings: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "params", _frozen(self.params))
        object.__setattr__(self, "tags", tuple(self.tags))

    def __eq__(self, other) -> bool:
        return isinstance(other, Preset) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def lut(self) -> str:
        """The LUT reference this preset uses, or ''."""
        return self.params.get("lut3d", {}).get("lut", "")

    def replace(self, **changes) -> Preset:
        return dataclasses.replace(self, **changes)

    def params_for(self, op_name: str):
        """Full Params of one operation: its defaults with this preset's values laid over them."""
        op = ops.get(op_name)
        return op.replace(op.defaults(), **self.params.get(op_name, {}))

    def to_dict(self) -> dict[str, Any]:
        """The native JSON form (only what the preset names)."""
        data: dict[str, Any] = {"format": FORMAT, "version": FORMAT_VERSION, "name": self.name}
        for key in META_FIELDS:
            value = getattr(self, key)
            data[key] = list(value) if isinstance(value, tuple) else value
        operations = {}
        for op in ops.OPERATIONS:
            if op.name in self.params:
                plain = to_dict(self.params_for(op.name))
                operations[op.name] = {"version": op.version,
                                       "params": {k: plain[k] for k in op.Params.__dataclass_fields__
                                                  if k in self.params[op.name]}}
        data["operations"] = operations
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str = "preset", *, builtin: bool = False) -> Preset:
        """Validate and build a preset from its native form; raises PresetError listing every problem."""
        if not isinstance(data, Mapping):
            raise PresetError(f"{source}: expected a JSON object, got {type(data).__name__}")
        problems: list[str] = []
        if data.get("format", FORMAT) != FORMAT:
            problems.append(f"format is {shown(data.get('format'))}, expected {FORMAT!r}")
        version = data.get("version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            problems.append(f"version must be a whole number, got {shown(version)}")
        elif version > FORMAT_VERSION:
            raise PresetError(f"{source}: preset format version {version} is newer than this Darkslide "
                              f"understands ({FORMAT_VERSION}); update Darkslide")
        name = data.get("name")
        for problem in (name_problem(name), name_problem(data.get("group", "User"), "group")):
            if problem:
                problems.append(problem)
        meta = _read_meta(data, problems)
        params = _read_operations(data.get("operations", {}), problems)
        if problems:
            raise PresetError(f"{source}: " + "; ".join(problems))
        return cls(name=name.strip(), params=params, builtin=builtin, **meta)


def _read_meta(data: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    meta = {}
    for key in META_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "tags":
            if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                problems.append("tags must be a list of text")
                continue
            value = tuple(value)
        elif not isinstance(value, str):
            problems.append(f"{key} must be text, got {shown(value)}")
            continue
        meta[key] = value
    unknown = set(data) - set(META_FIELDS) - {"format", "version", "name", "operations"}
    problems.extend(f"unknown field {shown(k)}" for k in sorted(unknown)[:10])
    return meta


def _read_operations(operations: Any, problems: list[str]) -> dict[str, dict[str, Any]]:
    """Validated partial params per operation, migrating older operation versions."""
    if not isinstance(operations, Mapping):
        problems.append("operations must be a table of operation name -> {version, params}")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for op_name, saved in operations.items():
        try:
            op = ops.get(op_name)
            out[op.name] = load_partial(op, saved)
        except ParamError as exc:
            problems.append(f"{shown(op_name, 40)}: {exc}")
    return out


def load_partial(op: ops.Operation, saved: Any) -> dict[str, Any]:
    """The named params of one saved operation entry ({version, params}), validated and migrated."""
    if not isinstance(saved, Mapping) or not isinstance(saved.get("params", {}), Mapping):
        raise ParamError("expected a table with 'version' and 'params'")
    version = saved.get("version", op.version)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ParamError(f"version must be a whole number from 1, got {shown(version)}")
    values = dict(saved.get("params", {}))
    migrate = getattr(op.module, "migrate", None)
    named = set(migrate(version, dict(values)) if (migrate and version < op.version) else values)
    full = op.load(values, version)  # validates (strict) and migrates
    return {k: getattr(full, k) for k in op.Params.__dataclass_fields__ if k in named}
