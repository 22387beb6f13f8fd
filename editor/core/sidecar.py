"""The sidecar: a photo's edit, history, rating and flag in a versioned JSON file beside it.

`IMG_0001.jpg` gets `IMG_0001.jpg.darkslide`; the original is never touched. Writes are atomic.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editor.core.atomic import write_atomic
from editor.core.edit import Edit, EditError, History

SUFFIX = ".darkslide"
FORMAT = "darkslide-sidecar"
VERSION = 1
FLAGS = (None, "pick", "reject")
SAVED_STEPS = 100  # history steps written: the base step and the newest 99 (memory keeps edit.MAX_STEPS)


class SidecarError(ValueError):
    """A sidecar that exists but cannot be used; the message names the file."""


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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Sidecar()
    except OSError as exc:
        raise SidecarError(f"{path}: cannot read the sidecar ({exc.strerror})") from exc
    try:
        return from_dict(json.loads(text))
    except (json.JSONDecodeError, EditError, ValueError) as exc:
        raise SidecarError(f"{path}: {exc}") from exc


def from_dict(data: Any) -> Sidecar:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SidecarError(f"not a Darkslide sidecar (expected format '{FORMAT}')")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SidecarError(f"sidecar version {version!r} is newer than this Darkslide reads ({VERSION}); "
                           "update Darkslide")
    history = History.from_dict(data["history"]) if "history" in data else History(Edit.from_dict(data["edit"]))
    rating, flag = data.get("rating", 0), data.get("flag")
    if rating not in range(6) or flag not in FLAGS:
        raise SidecarError(f"rating must be 0..5 and flag one of pick/reject/none, got {rating!r}, {flag!r}")
    return Sidecar(history, rating, flag)


def save(photo: Path, sidecar: Sidecar) -> Path:
    """Write the sidecar atomically; returns its path."""
    path = path_for(photo)
    write_atomic(path, json.dumps(sidecar.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return path
