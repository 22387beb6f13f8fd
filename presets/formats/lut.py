"""LUT presets: import a .cube or Hald CLUT as a preset, and bake any preset's point-wise part as a LUT."""
from __future__ import annotations

import os
import re
from pathlib import Path

from editor.core import fused, lutfiles
from editor.core.edit import Edit
from editor.core.lutfiles import LutError
from presets.formats import MAX_FILE_BYTES, Imported
from presets.model import Preset, PresetError, name_problem, shown

# Words in a title or file name that mark a LUT made for camera log footage, not display sRGB.
_LOG = re.compile(r"(?<![a-z])(log[-_ ]?c\d?|s[-_ ]?log\d?|v[-_ ]?log|f[-_ ]?log\d?|c[-_ ]?log\d?|n[-_ ]?log|"
                  r"d[-_ ]?log|log\d?|cineon|slog\d?|vlog|flog|clog\d?)(?![a-z])", re.IGNORECASE)
SPATIAL_NOTE = "Grain, vignette and sharpening are not point-wise and are left out of this LUT."


def load(path: str | os.PathLike) -> Imported:
    """A LUT preset for a .cube file or Hald image; warns when the LUT looks made for log footage."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise PresetError(f"{path}: file is over the {MAX_FILE_BYTES // 2**20} MB limit for LUT files")
    try:
        lut = lutfiles.read_lut(path)
    except LutError as exc:
        raise PresetError(str(exc)) from None
    warnings = lut_warnings(lut, path)
    name = lut.title.strip() or path.stem
    if name_problem(name) and not name_problem(path.stem):
        warnings.append(f"{path.name}: its title {shown(name)} cannot name a preset; named after the file")
        name = path.stem
    log = any("log" in w for w in warnings)
    preset = Preset(name=name, params={"lut3d": {"lut": str(path.resolve()), "strength": 100.0}}, group="LUTs",
                    description=f"{lut.stages or f'3D LUT ({lut.size}^3)'} from {path.name}",
                    inspired_by=f"Imported LUT file {path.name}",
                    input_space="camera log (see warning)" if log else "sRGB", warnings=tuple(warnings))
    return Imported([preset], [], warnings, lut_file=path)


def lut_warnings(lut: lutfiles.Lut, path: Path) -> list[str]:
    warnings = []
    if _LOG.search(lut.title) or _LOG.search(path.stem):
        warnings.append(f"{path.name}: looks like a LUT for camera log footage; Darkslide feeds it display "
                        "sRGB, so colours and contrast will be off")
    lo, hi = lut.input_domain
    if lo != (0.0, 0.0, 0.0) or hi != (1.0, 1.0, 1.0):
        warnings.append(f"{path.name}: unusual input domain {lo}..{hi}; it may expect log or scene-linear "
                        "input")
    if lut.table.min() < -0.01 or lut.table.max() > 1.01:
        warnings.append(f"{path.name}: outputs {lut.table.min():.2f}..{lut.table.max():.2f} leave 0..1 and "
                        "will be clipped")
    return warnings


def baked_table(preset: Preset, size: int = 33):
    """(size, size, size, 3) table of the preset's point-wise operations applied at 100 % to default edits."""
    from presets.apply import apply_preset

    edit = apply_preset(Edit(), preset)
    steps = tuple(fused.Step.of(op, p) for op, p in edit.active() if op.kind in ("channel", "colour"))
    return fused.evaluate(lutfiles.identity_table(size), steps)


def left_out(preset: Preset) -> list[str]:
    return [name for name in ("sharpening", "vignette", "grain") if name in preset.params]


def dumps_cube(preset: Preset, size: int = 33) -> str:
    """The preset baked as .cube text (33 or 65 points per axis)."""
    if size not in (17, 33, 65):
        raise PresetError(f"baked LUT size must be 17, 33 or 65, not {size}")
    comments = [f"Baked by Darkslide from the preset '{preset.name}' for sRGB-encoded input and output."]
    spatial = left_out(preset)
    if spatial:
        comments.append(f"Left out ({', '.join(spatial)}): {SPATIAL_NOTE}")
    return lutfiles.format_cube(baked_table(preset, size), title=preset.name, comments=tuple(comments))


def write_hald(preset: Preset, path: str | os.PathLike, level: int = 8) -> None:
    """The preset baked as a Hald CLUT PNG (level 8 = 512 x 512, 64 points per axis)."""
    lutfiles.write_hald(path, baked_table(preset, level * level))
