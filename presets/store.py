"""The user preset store: one native JSON file per preset under <data>/presets/<group>/, LUTs under
<data>/luts/, deleted presets moved to <data>/trash/presets/ (recoverable with `restore`).

<data> is the constructor's `root`, else $DARKSLIDE_DATA_DIR, else platformdirs' user data folder for
"darkslide". Every write is atomic (editor.core.atomic.write_atomic).
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Iterable

from editor.core import ops
from editor.core.atomic import write_atomic
from editor.core import lutfiles
from editor.core.datadir import data_dir
from editor.core.edit import Edit
from editor.core.ops import lut3d
from presets.apply import apply_preset, check_lut
from presets.formats import Imported, native, read_file
from presets.looks import builtin, builtin_looks
from presets.model import Preset, PresetError, check_name

SUFFIX = ".json"


def data_root() -> Path:
    """The user's data folder (editor.core.datadir, the one definition)."""
    return data_dir()


def slug(text: str) -> str:
    """A file-system-safe name for a preset or group (keeps letters, digits, spaces, - and _)."""
    cleaned = re.sub(r"[^\w \-]+", "_", text, flags=re.UNICODE).strip(" ._")
    return cleaned[:80] or "preset"


class PresetStore:
    """User presets on disk; built-in looks are read-only but can be duplicated into the store."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else data_root()
        self.presets_dir = self.root / "presets"
        self.luts_dir = self.root / "luts"
        self.trash_dir = self.root / "trash" / "presets"

    # ------------------------------------------------------------------------------------------ reading
    def _files(self) -> list[Path]:
        if not self.presets_dir.is_dir():
            return []
        return sorted(p for p in self.presets_dir.rglob(f"*{SUFFIX}") if not p.name.startswith("."))

    def user_presets(self) -> list[Preset]:
        """Every readable user preset (unreadable files are skipped; see `problems`)."""
        return [p for p, _ in self._scan() if p is not None]

    def problems(self) -> list[str]:
        """Messages for user preset files that could not be read."""
        return [err for p, err in self._scan() if p is None]

    def _scan(self) -> list[tuple[Preset | None, str]]:
        """Every file's presets, or why it cannot be read: one bad file never hides the others (native.load
        turns hostile content into PresetError; the rest is a last guard for the store's own listing)."""
        out = []
        for path in self._files():
            try:
                out.extend((p, "") for p in native.load(path))
            except (PresetError, RecursionError) as exc:
                out.append((None, str(exc) if isinstance(exc, PresetError) else f"{path}: {type(exc).__name__}"))
        return out

    def all(self) -> list[Preset]:
        """Built-in looks, then user presets."""
        return builtin_looks() + self.user_presets()

    def path_of(self, name: str) -> Path:
        for path in self._files():
            try:
                if any(p.name.casefold() == name.casefold() for p in native.load(path)):
                    return path
            except PresetError:
                continue
        raise PresetError(f"no user preset called '{name}' in {self.presets_dir}")

    def get(self, name: str) -> Preset:
        """A user preset by name (case-insensitive), else a built-in look."""
        for preset in self.user_presets():
            if preset.name.casefold() == name.casefold():
                return preset
        try:
            return builtin(name)
        except PresetError:
            names = [p.name for p in self.all()]
            raise PresetError(f"no preset or look called '{name}' (available: {', '.join(names)})") from None

    def exists(self, name: str) -> bool:
        return any(p.name.casefold() == name.casefold() for p in self.user_presets())

    # ------------------------------------------------------------------------------------------ writing
    def save(self, preset: Preset, *, overwrite: bool = False) -> Path:
        """Write `preset` atomically as <group>/<name>.json; refuses to replace another preset unless told."""
        check_name(preset.name)
        check_name(preset.group or "User", "group")
        if _is_builtin(preset.name):
            raise PresetError(f"'{preset.name}' is the name of a built-in look; choose another name")
        old = None
        if self.exists(preset.name):
            if not overwrite:
                raise PresetError(f"a preset called '{preset.name}' already exists")
            old = self.path_of(preset.name)
        return self._write(preset, replacing=old)

    def _write(self, preset: Preset, replacing: Path | None) -> Path:
        """Write the new file first, then remove the one it replaces: a crash never loses the preset."""
        folder = self.presets_dir / slug(preset.group or "User")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{slug(preset.name)}{SUFFIX}"
        n = 2
        while path.exists() and path != replacing:
            path = folder / f"{slug(preset.name)} ({n}){SUFFIX}"
            n += 1
        write_atomic(path, native.dumps(preset.replace(builtin=False, warnings=())))
        if replacing is not None and replacing != path:
            replacing.unlink()
        return path

    def create(self, name: str, edit: Edit, operations: Iterable[str] | None = None, *, group: str = "User",
               description: str = "", author: str = "", tags: Iterable[str] = ()) -> Preset:
        """Save a preset from `edit`: the chosen operations (all changed ones except crop when None)."""
        if operations is None:
            names = [op.name for op in ops.OPERATIONS if op.name != "crop" and op.dump(edit[op.name])]
        else:
            names = [ops.get(n).name for n in operations]
        params = {}
        for n in names:
            op = ops.get(n)
            chosen = op.dump(edit[n]) if operations is None else _all_params(op, edit[n])
            params[n] = {k: getattr(edit[n], k) for k in chosen}
        preset = Preset(name=name, params=params, group=group, description=description, author=author,
                        tags=tuple(tags))
        self.save(preset)
        return preset

    def update(self, preset_name: str, edit: Edit | None = None, **fields) -> Preset:
        """Change a user preset: params from `edit` (for the operations it already names) and/or metadata
        fields (name, group, description, ...)."""
        preset = self._user(preset_name)
        if edit is not None:
            params = {n: {k: getattr(edit[n], k) for k in values} for n, values in preset.params.items()}
            preset = preset.replace(params=params)
        new = preset.replace(**fields)
        check_name(new.name)
        check_name(new.group or "User", "group")
        if new.name.casefold() != preset.name.casefold() and (self.exists(new.name) or _is_builtin(new.name)):
            raise PresetError(f"a preset called '{new.name}' already exists")
        self._write(new, replacing=self.path_of(preset_name))
        return new

    def rename(self, preset_name: str, new_name: str) -> Preset:
        return self.update(preset_name, name=new_name)

    def duplicate(self, name: str, new_name: str | None = None) -> Preset:
        """Copy a user preset or a built-in look into the store under a free name."""
        source = self.get(name)
        new_name = new_name or self._free_name(f"{source.name} copy")
        group = "User" if source.builtin else source.group
        copy = source.replace(name=new_name, builtin=False, group=group)
        self.save(copy)
        return copy

    def delete(self, name: str) -> Path:
        """Move a user preset's file to the trash folder; returns where it went (for `restore`)."""
        path = self.path_of(name)
        self.trash_dir.mkdir(parents=True, exist_ok=True)
        target = self.trash_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.parent.name}-{path.name}"
        os.replace(path, target)
        return target

    def trash(self) -> list[Path]:
        return sorted(self.trash_dir.glob(f"*{SUFFIX}")) if self.trash_dir.is_dir() else []

    def restore(self, trashed: str | os.PathLike) -> Preset:
        """Put a trashed preset file back (refuses if its name is taken again)."""
        trashed = Path(trashed)
        presets = native.load(trashed)
        for preset in presets:
            self.save(preset)
        trashed.unlink()
        return presets[0]

    # ------------------------------------------------------------------------------------- import/export
    def import_file(self, path: str | os.PathLike) -> Imported:
        """Read a preset or LUT file and add its presets; all or nothing. Names are made unique."""
        result = read_file(path)
        lut_ref = None
        if result.lut_file is not None:
            lut_ref = self._store_lut(result.lut_file)
        saved = []
        for preset in result.presets:
            if lut_ref is not None and "lut3d" in preset.params:
                params = dict(preset.params)
                params["lut3d"] = dict(params["lut3d"], lut=lut_ref)
                preset = preset.replace(params=params)
            if lut_ref is None and preset.lut:
                try:
                    check_lut(preset)
                except PresetError as exc:
                    result.warnings.append(f"{exc}; copy the LUT into {self.luts_dir} to use it")
            if self.exists(preset.name) or _is_builtin(preset.name):
                preset = preset.replace(name=self._free_name(preset.name))
            self.save(preset)
            saved.append(preset)
        result.presets = saved
        return result

    def _store_lut(self, source: Path) -> str:
        """Copy a LUT file into luts/ (atomically, under a free name) and return its reference: relative
        (portable) in the user's own store, whose luts/ the renderer searches; absolute in a store
        elsewhere (tests, `presets --data-dir`), so that no global search list has to be changed."""
        self.luts_dir.mkdir(parents=True, exist_ok=True)
        target = self.luts_dir / source.name
        n = 2
        while target.exists() and target.read_bytes() != source.read_bytes():
            target = self.luts_dir / f"{source.stem} ({n}){source.suffix}"
            n += 1
        if not target.exists():
            write_atomic(target, source.read_bytes())
        default = lutfiles.default_luts_dir()
        return target.name if default.exists() and target.parent.samefile(default) else str(target)

    def _free_name(self, name: str) -> str:
        taken = {p.name.casefold() for p in self.all()}
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate = f"{name} {n}"
            n += 1
        return candidate

    def _user(self, name: str) -> Preset:
        for preset in self.user_presets():
            if preset.name.casefold() == name.casefold():
                return preset
        if _is_builtin(name):
            raise PresetError(f"'{name}' is a built-in look; duplicate it to make an editable copy")
        raise PresetError(f"no user preset called '{name}' in {self.presets_dir}")


def _all_params(op, params) -> list[str]:
    return list(op.Params.__dataclass_fields__)


def _is_builtin(name: str) -> bool:
    return any(l.name.casefold() == name.casefold() for l in builtin_looks())


def load_preset(path: str | os.PathLike) -> Preset:
    """The first preset in a native, XMP, .cube or Hald file (LUT references point at the file itself)."""
    result = read_file(path)
    if not result.presets:
        raise PresetError(f"{path}: holds no preset")
    return result.presets[0]


def apply_look(edit: Edit, name: str, amount: float = 100.0, *, store: PresetStore | None = None,
               mode: str = "merge") -> Edit:
    """`edit` with the user preset or built-in look called `name` applied at `amount` %."""
    store = store or PresetStore()
    return apply_preset(edit, store.get(name), amount=amount, mode=mode)
