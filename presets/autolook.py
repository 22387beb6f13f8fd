"""The look a tethered session applies to each new capture, at ingest time.

Writes the capture's sidecar with the chosen look as its first history step (or the previous capture's
edit, for "same as previous") and renders its preview into the session's `.previews/` folder, so a
capture is ready to judge as soon as it lands. Qt-free: the terminal session and the GUI both use it.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pyvips

from editor.core import sidecar, sources
from editor.core.atomic import write_atomic
from editor.core.edit import Edit
from editor.core.pipeline import RenderContext, render
from presets.store import PresetStore, apply_look

SAME_AS_PREVIOUS = "Same as previous"
PREVIEW_DIR = ".previews"


class DevelopError(Exception):
    """The capture could not be decoded (damaged or incomplete file); the message names it."""


class AutoLook:
    """Callable hook: `AutoLook("Chrome")(path)` develops the capture at `path` with Chrome."""

    def __init__(self, look: str | None, amount: float = 100.0, *, store: PresetStore | None = None,
                 preview_size: int | None = 1600):
        """`preview_size` None writes no preview file (the app renders its own previews)."""
        self.look, self.amount, self.preview_size = look, amount, preview_size
        self.store = store or PresetStore()
        if look and look != SAME_AS_PREVIOUS:
            self.store.get(look)  # an unknown look is an error now, not at the first capture
        self._previous: Path | None = None  # the last capture, whose sidecar "same as previous" copies
        self._lock = threading.Lock()

    def __call__(self, photo: Path) -> Path | None:
        """Write the sidecar and the preview of `photo`; returns the preview's path (None without one)."""
        photo = Path(photo)
        car = sidecar.load(photo)
        edit = self._edit_for(car.edit)
        if edit != car.edit:
            car.history.commit(self._label(), edit)
            sidecar.save(photo, car)
        with self._lock:
            self._previous = photo
        return self._write_preview(photo, edit) if self.preview_size else None

    def _edit_for(self, current: Edit) -> Edit:
        if self.look == SAME_AS_PREVIOUS:
            with self._lock:
                previous = self._previous
            # as the photographer left it, tweaks included
            return current if previous is None else current.paste(sidecar.load(previous).edit)
        if self.look:
            return apply_look(current, self.look, self.amount, store=self.store)
        return current

    def _label(self) -> str:
        return "Same as previous" if self.look == SAME_AS_PREVIOUS else f"Look: {self.look}"

    def _write_preview(self, photo: Path, edit: Edit) -> Path:
        try:
            opened = sources.open_photo(photo)
            image = opened.preview(self.preview_size)
            developed = render(image, edit, RenderContext(opened.scale_of(image), opened.seed))
            data = developed.jpegsave_buffer(Q=88, keep="icc")
        except pyvips.Error as exc:  # libvips' message is several lines; its first one names the damage
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
            raise DevelopError(f"{photo.name} is damaged or incomplete, no preview made ({reason.strip()})") from exc
        out = photo.parent / PREVIEW_DIR / f"{photo.name}.jpg"
        out.parent.mkdir(exist_ok=True)
        write_atomic(out, data)
        return out
