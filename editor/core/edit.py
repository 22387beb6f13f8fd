"""The edit model: every operation's params, plus a history of named steps for undo and redo."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from editor.core import ops
from editor.core.params import ParamError


class EditError(ValueError):
    """Saved edit data that cannot be read; the message lists the problems (the first MAX_PROBLEMS)."""


MAX_PROBLEMS = 5


@dataclass(frozen=True)
class Edit:
    """Immutable params for every operation. `look` records the applied look (owned by presets)."""

    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType(
        {op.name: op.defaults() for op in ops.OPERATIONS}))
    look: Mapping[str, Any] | None = None

    def __getitem__(self, name: str):
        return self.params[name]

    def __eq__(self, other) -> bool:
        return isinstance(other, Edit) and dict(self.params) == dict(other.params) and self.look == other.look

    def set(self, name: str, params) -> Edit:
        ops.get(name)
        new = dict(self.params)
        new[name] = params
        return Edit(MappingProxyType(new), self.look)

    def update(self, name: str, **values) -> Edit:
        """A new Edit with some params of one operation changed (validated against the declaration)."""
        return self.set(name, ops.get(name).replace(self[name], **values))

    def with_look(self, look: Mapping[str, Any] | None) -> Edit:
        return Edit(self.params, None if look is None else MappingProxyType(dict(look)))

    def reset(self, names: Iterable[str] | None = None) -> Edit:
        """Operations in `names` (all when None) back to their defaults."""
        names = set(self.params) if names is None else set(names)
        new = {n: (ops.get(n).defaults() if n in names else p) for n, p in self.params.items()}
        return Edit(MappingProxyType(new), self.look)

    def paste(self, source: Edit, names: Iterable[str] | None = None) -> Edit:
        """Copy `source`'s params of the chosen operations (all when None) into this edit."""
        names = list(self.params) if names is None else list(names)
        new = dict(self.params)
        for n in names:
            new[ops.get(n).name] = source[n]
        return Edit(MappingProxyType(new), source.look if len(names) == len(self.params) else self.look)

    def active(self) -> list[tuple[ops.Operation, Any]]:
        """Operations that change the image, in pipeline order (identities are skipped)."""
        return [(op, self.params[op.name]) for op in ops.OPERATIONS if not op.is_identity(self.params[op.name])]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form listing only operations and params that differ from their defaults."""
        out: dict[str, Any] = {}
        for op in ops.OPERATIONS:
            changed = op.dump(self.params[op.name])
            if changed:
                out[op.name] = {"version": op.version, "params": changed}
        data: dict[str, Any] = {"operations": out}
        if self.look is not None:
            data["look"] = dict(self.look)
        return data

    @cached_property
    def saved(self) -> Mapping[str, Any]:
        """`to_dict()` computed once per (immutable) edit, for saving histories; do not modify it."""
        return self.to_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Edit:
        """Read `to_dict` output, migrating older operation versions; raises EditError."""
        if not isinstance(data, Mapping) or not isinstance(data.get("operations", {}), Mapping):
            raise EditError("an edit must be a table with an 'operations' table")
        problems, params = [], {op.name: op.defaults() for op in ops.OPERATIONS}
        for name, saved in data.get("operations", {}).items():
            try:
                op = ops.get(name)
                if not isinstance(saved, Mapping):
                    raise ParamError("expected a table with 'version' and 'params'")
                version = saved.get("version", op.version)
                if isinstance(version, bool) or not isinstance(version, int):
                    raise ParamError(f"'version' must be a whole number, not {version!r}")
                params[name] = op.load(saved.get("params", {}), version)
            except ParamError as exc:
                problems.append(f"{name}: {exc}")
                if len(problems) > MAX_PROBLEMS:  # a hostile table may hold thousands: say a few
                    problems[-1] = "and more"
                    break
        if problems:
            raise EditError("; ".join(problems))
        look = data.get("look")
        if look is not None and not isinstance(look, Mapping):
            raise EditError(f"'look' must be a table or null, not {type(look).__name__}")
        return cls(MappingProxyType(params), None if look is None else MappingProxyType(dict(look)))


@dataclass(frozen=True)
class Step:
    label: str
    edit: Edit


MAX_STEPS = 200  # steps kept in memory: the base (first) step plus the newest 199, like Lightroom's list


class History:
    """Named steps from the opened state to now; undo/redo move an index, a new step drops the redo tail.

    Bounded: past `max_steps` the oldest step after the base is dropped, so the base (the state the photo
    was first opened in) stays reachable and memory and saving time do not grow with the session.
    Observers (e.g. Qt views) subscribe with a callback that receives the history after every change.
    """

    def __init__(self, edit: Edit | None = None, steps: list[Step] | None = None, index: int | None = None,
                 max_steps: int = MAX_STEPS):
        if max_steps < 2:
            raise ValueError("a history keeps at least its base step and the current one")
        self.steps: list[Step] = steps or [Step("Open", edit or Edit())]
        self.index = len(self.steps) - 1 if index is None else index
        self.max_steps = max_steps
        self._observers: list[Callable[[History], None]] = []
        self._trim()

    @property
    def current(self) -> Edit:
        return self.steps[self.index].edit

    @property
    def can_undo(self) -> bool:
        return self.index > 0

    @property
    def can_redo(self) -> bool:
        return self.index < len(self.steps) - 1

    def subscribe(self, callback: Callable[[History], None]) -> None:
        self._observers.append(callback)

    def commit(self, label: str, edit: Edit, *, merge: bool = False) -> None:
        """Record `edit` as a new step. With `merge`, a step with the same label just before replaces it
        (one slider drag becomes one undo step)."""
        if edit == self.current:
            return
        del self.steps[self.index + 1:]
        if merge and self.index > 0 and self.steps[-1].label == label:
            self.steps[-1] = Step(label, edit)
        else:
            self.steps.append(Step(label, edit))
        self.index = len(self.steps) - 1
        self._trim()
        self._notify()

    def undo(self) -> None:
        if self.can_undo:
            self.goto(self.index - 1)

    def redo(self) -> None:
        if self.can_redo:
            self.goto(self.index + 1)

    def goto(self, index: int) -> None:
        if not 0 <= index < len(self.steps):
            raise IndexError(f"history has steps 0..{len(self.steps) - 1}, not {index}")
        self.index = index
        self._notify()

    def _trim(self) -> None:
        """Drop the oldest steps after the base beyond `max_steps` (the current one is always the newest
        or behind it, and the redo tail goes first when the index sits far back)."""
        over = len(self.steps) - self.max_steps
        if over <= 0:
            return
        start, end = self._window(self.max_steps)
        self.steps = self.steps[:1] + self.steps[start:end]
        self.index = 0 if self.index == 0 else self.index - start + 1

    def _window(self, limit: int) -> tuple[int, int]:
        """steps[start:end] (start >= 1) to keep with the base: `limit` - 1 steps, the newest ones
        unless that would lose the current step."""
        end = len(self.steps)
        start = max(1, end - (limit - 1))
        if self.index < start:  # far back: keep the steps redo walks through next, drop the newest
            start = max(1, self.index)
            end = start + limit - 1
        return start, end

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """JSON-ready steps and index; with `limit`, only the base and the newest `limit` - 1 steps
        (keeping the current one), so a saved history has a bounded size."""
        start, end = self._window(limit) if limit is not None and len(self.steps) > limit else (1, len(self.steps))
        steps = self.steps[:1] + self.steps[start:end]
        index = 0 if self.index == 0 else self.index - start + 1
        return {"index": index, "steps": [{"label": s.label, "edit": s.edit.saved} for s in steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
        try:
            steps = [Step(str(s["label"]), Edit.from_dict(s["edit"])) for s in data["steps"]]
            index = int(data["index"])
        except (KeyError, TypeError, ValueError) as exc:
            raise EditError(f"history is malformed ({exc})") from exc
        if not steps or not 0 <= index < len(steps):
            raise EditError("history has no steps or its index is out of range")
        return cls(steps=steps, index=index)

    def _notify(self) -> None:
        for callback in list(self._observers):
            callback(self)
