"""The bundled sample photos, copied into the user's data folder on first start, so that editing them
writes sidecars there and never into the program's own files (a git checkout or an installed package)."""
from __future__ import annotations

import shutil
from pathlib import Path

from editor.core.datadir import data_dir
from editor.core.library import list_photos


def user_samples(bundled: Path, data: Path | None = None) -> Path | None:
    """`<data>/samples` with the bundled photos (and their attribution) copied in when it does not exist
    yet; None when there are no bundled samples. Raises OSError naming the folder it could not write."""
    bundled = Path(bundled)
    if not bundled.is_dir():
        return None
    target = (data or data_dir()) / "samples"
    if target.is_dir():
        return target  # copied on an earlier start; the user's edits (and deletions) there are theirs
    partial = target.with_name(".samples.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for photo in list_photos(bundled):
        shutil.copy2(photo, partial / photo.name)
    for note in bundled.glob("*.md"):
        shutil.copy2(note, partial / note.name)
    partial.rename(target)  # all or nothing: a crash mid-copy leaves no half-filled samples folder
    return target
