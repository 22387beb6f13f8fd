"""3D LUT: maps colours through a .cube or Hald CLUT table, blended with the original by strength.

`lut` is a reference: an absolute path, or a path relative to the user LUT folder
(editor.core.lutfiles.default_luts_dir, where the preset store copies imported LUTs) or to the
bundled resources/luts folder. Tables are cached per resolved file (path, mtime, size).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from editor.core import lutfiles
from editor.core.lutfiles import LutError
from editor.core.params import param

NAME = "lut3d"
LABEL = "LUT"
VERSION = 1
KIND = "colour"

BUNDLED_LUTS = Path(__file__).resolve().parents[3] / "resources" / "luts"
# Extra folders searched for relative references (the preset store adds its own luts folder).
SEARCH_DIRS: list[Path] = []


@dataclass(frozen=True)
class Params:
    lut: str = param("", label="LUT file", kind="text")
    strength: float = param(100.0, 0.0, 100.0, label="Strength", unit="%")
    interpolation: str = param("tetrahedral", label="Interpolation", choices=("tetrahedral", "trilinear"))


def is_identity(p: Params) -> bool:
    return p.lut == "" or p.strength == 0.0


def resolve(ref: str) -> Path:
    """The file a LUT reference points to; raises LutError naming the reference when none exists."""
    path = Path(ref).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [d / path for d in (*SEARCH_DIRS, lutfiles.default_luts_dir(), BUNDLED_LUTS)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    where = ", ".join(str(c.parent) for c in candidates)
    raise LutError(f"LUT file '{ref}' not found (looked in {where})")


def table_for(ref: str) -> np.ndarray:
    """The (N, N, N, 3) table, domain normalised to 0..1, for a reference (cached while the file is unchanged)."""
    path = resolve(ref)
    stat = os.stat(path)
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> np.ndarray:
    table = lutfiles.read_lut(path).normalised()
    table.setflags(write=False)
    return table


def cache_token(p: Params):
    """The LUT file's stamp, so fused transforms cached for an older version of the file are not reused."""
    if is_identity(p):
        return None
    try:
        stat = os.stat(resolve(p.lut))
    except (LutError, OSError):
        return None  # rendering raises the clear error
    return stat.st_mtime_ns, stat.st_size


def transform(rgb: np.ndarray, p: Params) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=np.float64)
    if is_identity(p):
        return rgb
    out = lutfiles.sample(table_for(p.lut), rgb, p.interpolation)
    t = p.strength / 100.0
    return out if t == 1.0 else rgb + (out - rgb) * t
