"""Preset import and export: native JSON, Lightroom/Camera Raw XMP, .cube and Hald CLUT LUTs.

Every reader checks the file's size before reading it (MAX_FILE_BYTES) and turns any problem into a
PresetError naming the file; nothing is added to a store unless the whole file was understood.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from presets.model import Preset, PresetError

MAX_FILE_BYTES = 64 * 1024 * 1024  # 64 MB: no preset or LUT we accept comes near this
LUT_SUFFIXES = (".cube", ".png", ".tif", ".tiff")


@dataclass
class Imported:
    """What reading one file produced: presets, settings that were ignored, and warnings."""

    presets: list[Preset]
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lut_file: Path | None = None  # a LUT file the presets refer to, to copy into the store
    # every setting the file states (e.g. each crs: attribute of a Lightroom preset) -> what became of it:
    # "op.param" it was mapped to, or why it was ignored or is bookkeeping; nothing is dropped unsaid
    report: dict[str, str] = field(default_factory=dict)


def read_limited(path: str | os.PathLike) -> bytes:
    """The bytes of `path`, refusing files over MAX_FILE_BYTES without reading them, and anything but a
    regular file (a FIFO would block, a link to /dev/zero never ends) before any read."""
    from editor.core.files import NotRegularFile, read_limited as read_regular
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PresetError(f"{path}: file is {size / 2**20:.0f} MB, over the "
                              f"{MAX_FILE_BYTES // 2**20} MB limit for preset files")
        return read_regular(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        raise PresetError(f"{path}: {exc}") from None
    except OSError as exc:
        raise PresetError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_file(path: str | os.PathLike) -> Imported:
    """Read any supported preset or LUT file, by extension (.json, .xmp, .lrtemplate is not supported)."""
    from presets.formats import lut, native, xmp

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".json", ".darkslide-preset"):
        return Imported(native.load(path))
    if suffix == ".xmp":
        return xmp.load(path)
    if suffix in LUT_SUFFIXES:
        return lut.load(path)
    raise PresetError(f"{path}: unknown preset type '{suffix}' (expected .json, .xmp, .cube, or a Hald "
                      ".png/.tif)")
