"""The open photo and the commands on it: develop changes (one undo step per slider drag), whole-edit steps
(looks, paste, reset), undo/redo, copy and paste of settings. Qt-free; the window and panels observe it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from editor.app.events import Event, Runner
from editor.core import auto, auto_tone
from editor.core import sidecar as sidecars
from editor.core.document import Document
from editor.core.edit import Edit
from editor.core.ops import OPERATIONS


def paste_settings(target: Edit, source: Edit) -> Edit:
    """`source`'s develop settings and look on `target`, keeping `target`'s own crop (framing is per photo)."""
    names = [op.name for op in OPERATIONS if op.name != "crop"]
    return target.paste(source, names).with_look(source.look)


def uncropped(edit: Edit) -> Edit:
    """`edit` with the crop window opened to the whole frame (rotation and straightening kept)."""
    return edit.update("crop", left=0.0, top=0.0, width=1.0, height=1.0)


def reset(edit: Edit) -> Edit:
    """Every operation back to its defaults and no look (what "Reset all" means to a photographer)."""
    return edit.reset().with_look(None)


AUTO_EDGE = 768  # px: the source size automatic settings read (enough for averages, quick to decode)


def source_pixels(doc: Document, edge: int = AUTO_EDGE):
    """The photo before any edit, as float sRGB values 0..1 (h, w, 3), at most `edge` px."""
    image = doc.photo.preview(edge)
    top = 65535.0 if image.format == "ushort" else 255.0
    return image.numpy()[..., :3] / top


def _wb(temperature_tint: tuple[float, float]) -> dict:
    temperature, tint = temperature_tint
    return {"temperature": temperature, "tint": tint}


def paste_into(paths: Iterable[Path], source: Edit) -> list[tuple[Path, Edit]]:
    """Paste `source` into other photos' sidecars as a new history step (slow: run it on a worker)."""
    out = []
    for path in paths:
        car = sidecars.load(path)
        car.history.commit("Paste Settings", paste_settings(car.edit, source))
        sidecars.save(path, car)
        out.append((path, car.edit))
    return out


class DocumentController:
    """Owns the open Document (or none) and the edit commands.

    Events: `opened(doc or None)`; `edited(doc)` after every change of its edit (commit, undo, redo);
    `preview(edit or None, draft)` asks the view to show an edit that is not recorded (a hovered look) or,
    with None, the photo's own edit again; `message(text)` for the status bar; `pasted([(path, edit)])`
    after settings were written into other photos' sidecars."""

    def __init__(self, runner: Runner):
        self.runner = runner
        self.doc: Document | None = None
        self.clipboard: Edit | None = None
        self.dragging: tuple | None = None  # the control being dragged: its changes merge into one step
        self.from_panel = False  # the change being reported came from the develop panel (it shows it)
        self.opened, self.edited, self.preview, self.message, self.pasted = Event(), Event(), Event(), Event(), Event()

    # -- open / close ----------------------------------------------------------------------------
    def open(self, doc: Document) -> None:
        self.doc, self.dragging = doc, None
        doc.subscribe(self._changed)
        self.opened.emit(doc)
        if doc.problem:
            self.message.emit(f"The old sidecar could not be read and will be kept as .bad: {doc.problem}")

    def close(self) -> None:
        if self.doc is not None:
            self.doc, self.dragging = None, None
            self.opened.emit(None)

    @property
    def editable(self) -> bool:
        """A photo is open and decodes: edits would otherwise be saved for a photo nobody can see."""
        return self.doc is not None and self.doc.opened_photo is not None

    def _changed(self, doc: Document) -> None:
        if doc is self.doc:
            self.edited.emit(doc)

    # -- develop changes -------------------------------------------------------------------------
    def set_params(self, op: str, values: dict, dragging: bool) -> None:
        """A control moved: one undoable step per drag (later moves of the same drag merge into it)."""
        if not self.editable:
            return
        key = (op, tuple(values))
        merge = self.dragging == key
        self.dragging = key if dragging else None
        self.from_panel = True
        try:
            self.doc.update(op, merge=merge, **values)
        except ValueError as exc:
            self.message.emit(str(exc))
            return
        finally:
            self.from_panel = False
        if not dragging and merge:
            self.preview.emit(None, False)  # the release of a drag: refine even when the value did not change

    def apply_edit(self, label: str, edit: Edit) -> None:
        """Record a whole new edit (looks, paste, reset, crop) as one step."""
        if self.editable:
            self.doc.commit(label, edit)

    def commit_look_amount(self, edit: Edit, *, merge: bool, dragging: bool) -> None:
        """The look amount slider: like a develop slider, one step per drag."""
        if not self.editable:
            return
        self.dragging = ("look amount",) if dragging else None
        self.doc.commit("Look amount", edit, merge=merge)
        if not dragging:
            self.preview.emit(None, False)

    def show(self, edit: Edit | None) -> None:
        """Show `edit` without recording it (hovering a look); None shows the photo's own edit."""
        if self.editable:
            self.preview.emit(edit, False)

    def undo(self) -> None:
        if self.doc is not None:
            self.doc.undo()

    def redo(self) -> None:
        if self.doc is not None:
            self.doc.redo()

    def reset_all(self) -> None:
        if self.doc is not None:
            self.apply_edit("Reset", reset(self.doc.edit))

    # -- automatic settings ----------------------------------------------------------------------
    def auto_white_balance(self) -> None:
        """Grey-world white balance from the photo's own colours, as one step."""
        self._auto("Auto white balance", lambda px: {"white_balance": _wb(auto.auto_white_balance(px))})

    def auto_tone(self) -> None:
        """Exposure, contrast, highlights, shadows, whites and blacks from the photo's histogram, as one
        step (editor.core.auto_tone describes the model)."""
        self._auto("Auto tone", auto_tone.auto_tone)

    def pick_white_balance(self, x: float, y: float, crop=None) -> None:
        """White balance that makes the colour under output pixel (`x`, `y`) neutral (the picker); `crop`
        is the crop the view shows (the whole frame while the crop tool is open), else the edit's."""
        doc = self.doc
        if not self.editable:
            return
        photo = doc.photo
        sx, sy = auto.source_point(photo.width, photo.height, crop or doc.edit["crop"], x, y)
        fx, fy = sx / photo.width, sy / photo.height
        if not (0.0 <= fx <= 1.0 and 0.0 <= fy <= 1.0):
            self.message.emit("Click on the photo to pick a neutral colour")
            return
        self._auto("White balance: picked",
                   lambda px: {"white_balance": _wb(auto.neutral_white_balance(auto.patch_mean(px, fx, fy)))})

    def _auto(self, label: str, compute) -> None:
        """Compute settings from the source pixels on a worker, then apply them as one step."""
        doc = self.doc
        if not self.editable:
            return

        def done(changes: dict) -> None:
            if doc is not self.doc:
                return  # another photo is open by now
            edit = doc.edit
            for op, values in changes.items():
                edit = edit.update(op, **values)
            self.apply_edit(label, edit)
            self.message.emit(label + ": " + ", ".join(f"{k} {v:+g}" for vals in changes.values()
                                                       for k, v in vals.items()))
        self.runner.run(lambda: compute(source_pixels(doc)), done=done,
                        error=lambda exc: self.message.emit(f"{label} failed: {exc}"))

    # -- copy / paste ----------------------------------------------------------------------------
    def copy_settings(self) -> None:
        if self.doc is not None:
            self.clipboard = self.doc.edit
            self.message.emit("Develop settings copied")

    def paste_settings(self, paths: Iterable[Path]) -> None:
        """Paste the copied settings into the photos at `paths` (the open one as an undoable step, the
        others' sidecars on a worker)."""
        if self.clipboard is None:
            self.message.emit("Nothing copied yet (Ctrl+Shift+C)")
            return
        source, others, here = self.clipboard, [], 0
        for path in paths:
            if self.doc is not None and Path(path) == self.doc.path:
                self.apply_edit("Paste Settings", paste_settings(self.doc.edit, source))
                here = 1
            else:
                others.append(Path(path))
        if not others:
            self.message.emit("Settings pasted" if here else "Select photos to paste into")
            return
        self.runner.run(paste_into, others, source, done=lambda results: self._pasted(results, here),
                        error=lambda exc: self.message.emit(f"Paste failed: {exc}"))

    def _pasted(self, results: list[tuple[Path, Edit]], here: int) -> None:
        self.pasted.emit(results)
        n = len(results) + here
        self.message.emit(f"Settings pasted into {n} photo{'s' if n != 1 else ''}")
