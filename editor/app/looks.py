"""The look lifecycle: which looks exist (built-in and the user's store), applying one to the open photo,
previewing one on hover, its amount, and the store's commands (create, rename, duplicate, delete, import,
export). Qt-free; the looks panel shows it and the tether panel reads `presets`/`store`.
"""
from __future__ import annotations

from pathlib import Path

from editor.app.document import DocumentController
from editor.app.events import Event, Runner
from presets import PresetError, PresetStore, apply_preset, builtin_looks, set_amount

FULL = 100.0  # a look clicked is applied at full strength; the amount slider then re-blends it


def read_store(store: PresetStore):
    """(user presets, problems) of `store` (reads files: run on a worker)."""
    return store.user_presets(), store.problems()


def export_preset(preset, path: Path, suffix: str) -> str:
    """Write `preset` as native JSON, XMP or .cube; returns a note about what was left out."""
    from editor.core.atomic import write_atomic
    from presets.formats import lut, native, xmp
    if suffix == ".xmp":
        text, skipped = xmp.dumps(preset)
        write_atomic(path, text, shared=True)
        return f"not in Lightroom: {', '.join(skipped)}" if skipped else ""
    if suffix == ".cube":
        write_atomic(path, lut.dumps_cube(preset, 33), shared=True)
        return lut.SPATIAL_NOTE if lut.left_out(preset) else ""
    write_atomic(path, native.dumps(preset), shared=True)
    return ""


class LooksController:
    """Events: `listed([(group, preset)])` when the looks were (re)read; `message(text)`; `failed(title,
    text)` for a refused store command (the panel shows it in a box the user must read); `imported(result)`."""

    def __init__(self, documents: DocumentController, runner: Runner, store: PresetStore | None = None):
        self.documents = documents
        self.runner = runner
        self.store = store or PresetStore()
        self.presets: dict[str, object] = {}
        self.listed, self.message, self.failed, self.imported = Event(), Event(), Event(), Event()

    # -- the list --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the looks (built-in + the user store) on a worker; `listed` follows."""
        self.runner.run(read_store, self.store, done=self._listed,
                        error=lambda exc: self.message.emit(f"Cannot read the looks: {exc}"))

    def _listed(self, found) -> None:
        user, problems = found
        looks = [(f"Built-in · {p.group}", p) for p in builtin_looks()] + [(p.group or "User", p) for p in user]
        self.presets = {p.name: p for _, p in looks}
        for problem in problems:
            self.message.emit(f"Preset not loaded: {problem}")
        self.listed.emit(looks)

    # -- the open photo --------------------------------------------------------------------------
    @staticmethod
    def applied(edit) -> dict | None:
        """The look recorded in `edit` (name, amount, …), or None."""
        return dict(edit.look) if edit is not None and edit.look else None

    def apply(self, name: str, amount: float = FULL) -> None:
        """Apply the look called `name` to the open photo as one step (at `amount` %, full by default: the
        amount of the previous look does not carry over)."""
        doc = self.documents.doc
        if doc is None or not self.documents.editable:
            return
        try:
            edit = apply_preset(doc.edit, self.presets[name], amount=float(amount))
        except (PresetError, KeyError, ValueError) as exc:
            self.message.emit(f"Cannot apply {name}: {exc}")
            return
        self.documents.apply_edit(f"Look: {name}", edit)
        self.message.emit(f"Applied {name} at {amount:.0f} %")

    def hover(self, name: str | None) -> None:
        """Preview the look `name` in the loupe without recording it; None shows the photo's own edit."""
        doc = self.documents.doc
        preset = self.presets.get(name) if name else None
        if doc is None or preset is None:
            self.documents.show(None)
            return
        try:
            self.documents.show(apply_preset(doc.edit, preset))
        except PresetError as exc:
            self.message.emit(str(exc))

    def set_amount(self, value: float, *, merge: bool, dragging: bool) -> bool:
        """Re-blend the applied look at `value` %: one step per drag. False when there is no look."""
        doc = self.documents.doc
        if doc is None or not doc.edit.look:
            return False
        try:
            edit = set_amount(doc.edit, float(value))
        except PresetError as exc:
            self.message.emit(str(exc))
            return False
        self.documents.commit_look_amount(edit, merge=merge, dragging=dragging)
        return True

    # -- the store -------------------------------------------------------------------------------
    def create(self, name: str) -> None:
        doc = self.documents.doc
        if doc is not None and name.strip():
            edit = doc.edit
            self._store_call(lambda: self.store.create(name.strip(), edit), f"Saved look {name.strip()}")

    def rename(self, name: str, new: str) -> None:
        if new.strip() and new.strip() != name:
            self._store_call(lambda: self.store.rename(name, new.strip()), f"Renamed {name} to {new.strip()}")

    def duplicate(self, name: str) -> None:
        self._store_call(lambda: self.store.duplicate(name), f"Duplicated {name}")

    def delete(self, name: str) -> None:
        self._store_call(lambda: self.store.delete(name), f"Deleted {name} (kept in the presets trash folder)")

    def _store_call(self, fn, done: str) -> None:
        """Run a store change on a worker; then reload, or explain why it was refused."""
        def finished(_result):
            self.reload()
            self.message.emit(done)
        self.runner.run(fn, done=finished, error=lambda exc: self.failed.emit("Looks", str(exc)))

    def import_file(self, path: Path) -> None:
        self.runner.run(self.store.import_file, Path(path), done=self._imported,
                        error=lambda exc: self.failed.emit(f"Cannot import {Path(path).name}", str(exc)))

    def _imported(self, result) -> None:
        self.reload()
        names = ", ".join(p.name for p in result.presets)
        notes = result.warnings + ([f"ignored: {', '.join(result.ignored)}"] if result.ignored else [])
        self.message.emit(f"Imported {names}" + (f" — {'; '.join(notes)}" if notes else ""))
        self.imported.emit(result)

    def export(self, name: str, path: Path, suffix: str) -> None:
        preset = self.presets[name]
        self.runner.run(export_preset, preset, Path(path), suffix,
                        done=lambda note: self.message.emit(f"Exported {name} to {path}"
                                                            + (f" ({note})" if note else "")),
                        error=lambda exc: self.failed.emit(f"Cannot export {name}", str(exc)))
