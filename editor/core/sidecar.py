"""The sidecar: a photo's edit, history, rating and flag in a versioned JSON file beside it.

`IMG_0001.jpg` gets `IMG_0001.jpg.darkslide`; the original is never touched. Writes are atomic.

Reading is the one place a sidecar enters the program, so it is strict and total: `read`/`load` return a
Sidecar or raise SidecarError (never anything else) whatever the file holds. Only a regular file of at
most MAX_BYTES is read (a FIFO or a link to /dev/zero is refused before reading); the JSON must be UTF-8,
at most MAX_DEPTH levels deep, and match the layout `to_dict` writes, field by field with its type.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editor.core.atomic import write_atomic
from editor.core.edit import Edit, EditError, History, Step
from editor.core.files import NotRegularFile, read_limited
from editor.core.params import ParamError

SUFFIX = ".darkslide"
FORMAT = "darkslide-sidecar"
VERSION = 1
FLAGS = (None, "pick", "reject")
SAVED_STEPS = 100  # history steps written: the base step and the newest 99 (memory keeps edit.MAX_STEPS)
# A full 100-step history with every operation changed is ~0.5 MB; 8 MB leaves room and bounds the read.
MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32  # nesting a sidecar may have; the layout needs 7, and deep trees crash json.dumps later
MAX_READ_STEPS = 400  # history steps read: Darkslide writes SAVED_STEPS; 1000 full steps took 1.1 s, 60000 8 s
MAX_REASON = 600  # characters of a reason: a hostile value must not make a message of megabytes


class SidecarError(ValueError):
    """A sidecar that exists but cannot be used. `reason` says why in words; str() names the file too."""

    def __init__(self, reason: str, path: Path | None = None):
        if len(reason) > MAX_REASON:
            reason = reason[:MAX_REASON - 1] + "…"
        self.reason, self.path = reason, path
        super().__init__(f"{path}: {reason}" if path is not None else reason)


@dataclass
class Sidecar:
    history: History = field(default_factory=History)
    rating: int = 0
    flag: str | None = None

    @property
    def edit(self) -> Edit:
        return self.history.current

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "rating": self.rating, "flag": self.flag,
                "edit": self.edit.to_dict(), "history": self.history.to_dict(SAVED_STEPS)}


def path_for(photo: Path) -> Path:
    photo = Path(photo)
    return photo.with_name(photo.name + SUFFIX)


def load(photo: Path) -> Sidecar:
    """The photo's sidecar, or a fresh one when there is none. Raises SidecarError when it is unusable."""
    path = path_for(photo)
    data = _read_bytes(path)
    return Sidecar() if data is None else _parse_file(data, path)


def read(path: Path) -> Sidecar:
    """The sidecar file `path` itself (e.g. `--edit X.darkslide`); raises SidecarError naming it."""
    path = Path(path)
    data = _read_bytes(path)
    if data is None:
        raise SidecarError("the sidecar does not exist", path)
    return _parse_file(data, path)


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes (None when there is no file), read only from a regular file of <= MAX_BYTES."""
    try:
        return read_limited(path, MAX_BYTES)
    except FileNotFoundError:
        return None
    except NotRegularFile as exc:
        raise SidecarError(f"the sidecar {exc}", path) from None
    except OSError as exc:
        raise SidecarError(f"cannot read the sidecar ({exc.strerror or exc})", path) from None


def _parse_file(data: bytes, path: Path) -> Sidecar:
    try:
        return parse(data)
    except SidecarError as exc:
        raise SidecarError(exc.reason, path) from None


def parse(data: bytes | str) -> Sidecar:
    """A Sidecar from the bytes of a sidecar file; raises only SidecarError (without a path)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SidecarError(f"the sidecar is not UTF-8 text (invalid byte at offset {exc.start})") from None
    try:
        tree = json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SidecarError(f"the sidecar is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg})") from None
    except RecursionError:
        raise SidecarError(f"the sidecar is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise SidecarError(f"the sidecar holds a value that cannot be read ({exc})") from None
    return from_dict(tree)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number a sidecar may hold")


def from_dict(data: Any) -> Sidecar:
    """Validate a parsed sidecar and build it; raises SidecarError saying which field is wrong and how."""
    try:
        _check_tree(data)
        _check_header(data)
        rating = _field(data, "rating", int, "the sidecar", default=0)
        flag = _field(data, "flag", (str, type(None)), "the sidecar", default=None)
        if rating not in range(6):
            raise SidecarError(f"'rating' must be 0 to 5 stars, not {rating}")
        if flag not in FLAGS:
            raise SidecarError(f"'flag' must be \"pick\", \"reject\" or null, not {_words(flag)}")
        if "history" in data:
            history = _history(_field(data, "history", dict, "the sidecar"))
        else:
            history = History(_edit(_field(data, "edit", dict, "the sidecar"), "'edit'"))
        return Sidecar(history, rating, flag)
    except SidecarError:
        raise
    except (EditError, ParamError) as exc:
        raise SidecarError(str(exc)) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, OverflowError) as exc:
        # Every field above is checked first; this keeps the promise of one error type should a check
        # miss a case (the fuzz tests look for such cases).
        raise SidecarError(f"the sidecar's content is malformed ({type(exc).__name__}: {exc})") from None


def _check_header(data: dict) -> None:
    if data.get("format") != FORMAT:
        found = f"its 'format' is {_words(data['format'])}" if "format" in data else "it has no 'format'"
        raise SidecarError(f"not a Darkslide sidecar ({found}; expected \"{FORMAT}\")")
    version = _field(data, "version", int, "the sidecar")
    if version > VERSION:
        raise SidecarError(f"the sidecar is version {version}, written by a newer Darkslide than this one "
                           f"(which reads version {VERSION}); update Darkslide")
    if version < 1:
        raise SidecarError(f"'version' must be 1 or more, not {version}")


def _history(table: dict) -> History:
    steps = _field(table, "steps", list, "'history'")
    index = _field(table, "index", int, "'history'")
    if not steps:
        raise SidecarError("'history' has no steps")
    if len(steps) > MAX_READ_STEPS:
        raise SidecarError(f"'history' has {len(steps):,} steps, more than the {MAX_READ_STEPS:,} a sidecar may hold")
    if not 0 <= index < len(steps):
        raise SidecarError(f"'history' index {index} is outside its {len(steps)} steps")
    loaded = []
    for i, step in enumerate(steps):
        where = f"history step {i + 1}"
        if not isinstance(step, dict):
            raise SidecarError(f"{where} must be a table, not {_words(step)}")
        label = _field(step, "label", str, where)
        loaded.append(Step(label, _edit(_field(step, "edit", dict, where), where)))
    return History(steps=loaded, index=index)


def _edit(table: dict, where: str) -> Edit:
    try:
        return Edit.from_dict(table)
    except EditError as exc:
        raise SidecarError(f"{where}: {exc}") from None


_TYPE_WORDS = {int: "a whole number", str: "text", dict: "a table", list: "a list"}


def _field(table: dict, key: str, kind, where: str, **default):
    """table[key] checked to be of `kind` (a type or tuple of types; bool is not an int here)."""
    if key not in table:
        if default:
            return default["default"]
        raise SidecarError(f"{where} has no '{key}'")
    where = "" if where == "the sidecar" else f"{where}: "
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        wanted = " or ".join(_TYPE_WORDS.get(k, "null") for k in kinds)
        raise SidecarError(f"{where}'{key}' must be {wanted}, not {_words(value)}")
    return value


def _words(value: Any) -> str:
    """A value described for a message: 'the text "1"', 'the number 1.5', 'a list', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the text {json.dumps(shown)}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"[:60]
    return "a table" if isinstance(value, dict) else "a list" if isinstance(value, list) else type(value).__name__


def _check_tree(tree: Any) -> None:
    """Refuse trees deeper than MAX_DEPTH and text that cannot be written back as UTF-8 (lone
    surrogates from \\ud800 escapes), walking without recursion."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SidecarError(f"the sidecar is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(node, dict):
            stack.extend((k, depth + 1) for k in node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise SidecarError(f"the sidecar holds text that is not valid Unicode ({_words(node)})") from None
    if not isinstance(tree, dict):
        raise SidecarError(f"not a Darkslide sidecar (a sidecar is a JSON table, this is {_words(tree)})")


def save(photo: Path, sidecar: Sidecar) -> Path:
    """Write the sidecar atomically; returns its path."""
    path = path_for(photo)
    write_atomic(path, json.dumps(sidecar.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return path
