"""An open photo: the decoded Photo plus its edit History, saved to the sidecar after every step.

Qt-free. Views subscribe to the History (or to the document) and re-render when it changes. Saving goes
through a `saver` callable so a GUI can move the write off its thread; the default writes at once.
A sidecar that exists but cannot be read is kept: it is renamed to `*.darkslide.bad` before the first
new save, so nothing the user had is overwritten silently.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from editor.core import sidecar as sidecars
from editor.core.edit import Edit, History

Saver = Callable[[Path, sidecars.Sidecar], Any]


def save_now(path: Path, car: sidecars.Sidecar) -> None:
    sidecars.save(path, car)


class Document:
    """`path`'s photo and edit. `photo` opens lazily (decode: call it off the GUI thread)."""

    def __init__(self, path: Path, *, saver: Saver = save_now, photo=None):
        self.path = Path(path)
        self._saver = saver
        self._photo = photo
        self.problem = ""  # why the old sidecar could not be used, for the status bar
        self._bad_sidecar = False
        try:
            self.sidecar = sidecars.load(self.path)
        except sidecars.SidecarError as exc:
            self.problem, self._bad_sidecar = str(exc), True
            self.sidecar = sidecars.Sidecar()
        self._observers: list[Callable[[Document], None]] = []
        self.history.subscribe(self._changed)

    # -- the photo -------------------------------------------------------------------------------
    @property
    def photo(self):
        """The decoded photo (editor.core.sources.Photo); raises PhotoError naming the file."""
        if self._photo is None:
            from editor.core.sources import open_photo  # lazy: tests of the model need no decoder
            self._photo = open_photo(self.path)
        return self._photo

    @property
    def opened_photo(self):
        """The photo if it has been opened successfully, else None (never reads the file)."""
        return self._photo

    # -- the edit --------------------------------------------------------------------------------
    @property
    def history(self) -> History:
        return self.sidecar.history

    @property
    def edit(self) -> Edit:
        return self.history.current

    @property
    def rating(self) -> int:
        return self.sidecar.rating

    @property
    def flag(self) -> str | None:
        return self.sidecar.flag

    def commit(self, label: str, edit: Edit, *, merge: bool = False) -> None:
        """A new undoable step (merged into the previous one with the same label when `merge`)."""
        self.history.commit(label, edit, merge=merge)

    def update(self, op: str, label: str | None = None, *, merge: bool = False, **values) -> None:
        """Change some params of one operation as one step, e.g. update("exposure", exposure_ev=1.0)."""
        self.commit(label or _label(op, values), self.edit.update(op, **values), merge=merge)

    def undo(self) -> None:
        self.history.undo()

    def redo(self) -> None:
        self.history.redo()

    def set_marks(self, **values) -> None:
        """Set `rating` and/or `flag` and save."""
        for k in values:
            if k not in ("rating", "flag"):
                raise TypeError(f"unknown mark {k!r}")
        for k, v in values.items():
            setattr(self.sidecar, k, v)
        self.save()

    def subscribe(self, callback: Callable[[Document], None]) -> None:
        self._observers.append(callback)

    def save(self) -> None:
        """Hand a snapshot of the sidecar to the saver (steps are immutable, so copying the list is enough)."""
        if self._bad_sidecar:
            bad = sidecars.path_for(self.path)
            bad.replace(bad.with_name(bad.name + ".bad"))
            self._bad_sidecar = False
        snap = sidecars.Sidecar(History(steps=list(self.history.steps), index=self.history.index),
                                self.sidecar.rating, self.sidecar.flag)
        self._saver(self.path, snap)

    def _changed(self, _history: History) -> None:
        self.save()
        for callback in list(self._observers):
            callback(self)


def _label(op: str, values: dict[str, Any]) -> str:
    from editor.core import ops
    operation = ops.get(op)
    if len(values) == 1:
        name = next(iter(values))
        return f"{operation.label}: {operation.spec(name).label}"
    return operation.label
