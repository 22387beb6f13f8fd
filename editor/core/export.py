"""Exporting developed photos: render through the pipeline, resize, sharpen, write with metadata.

Files are written to a hidden temporary name in the output folder and then moved into place, so a
crash or a cancel never leaves a half-written photo under the final name, and an existing file is
never replaced unless `overwrite` is set (the export is skipped with a reason instead). A run removes
its own temporary file on every exit it survives; one killed outright (kill -9, power loss) leaves it,
and the next batch into that folder removes it once it can prove it is a Darkslide temporary file whose
writer is gone (see `remove_stale_temp_files`).

Metadata: the original's EXIF is kept (optional) with Orientation reset to 1 because the pixels are
already upright; GPS can be stripped; the sRGB ICC profile is always embedded. XMP is dropped (it may
carry a stale orientation and develop settings of other programs).
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import socket
import stat
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import Callable, Iterable

import pyvips

from editor.core.sources import Photo, PhotoError, open_photo, resize_to, srgb_profile

FORMATS = {"jpeg": ".jpg", "png": ".png", "tiff": ".tif", "webp": ".webp", "avif": ".avif"}
RESIZE_MODES = ("none", "long_edge", "short_edge", "megapixels")
# Output sharpening for the medium (unsharp mask on L*, libvips `sharpen`): (sigma px, m2 strength).
SHARPENING = {"off": None, "low": (0.5, 1.0), "std": (0.6, 2.0), "high": (0.7, 3.5)}
TEMPLATE_FIELDS = ("name", "seq", "date", "preset")

Progress = Callable[[float], None]  # fraction 0..1 of the current photo


class ExportError(Exception):
    """An export that failed; the message names the photo and says why."""


class ExportSkipped(ExportError):
    """An export that was not attempted (e.g. the output exists and overwrite is off)."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was left under the final name."""


@dataclass(frozen=True)
class ExportSettings:
    """What to write. `resize_value` is pixels for long_edge/short_edge, millions for megapixels.

    `template` is a str.format pattern over {name} (original stem), {seq} (1-based, format specs such as
    {seq:04d} work), {date} (capture date YYYY-MM-DD, else file date) and {preset} (applied look or "").
    `bit_depth` 16 is honoured by TIFF and PNG; other formats are 8-bit.
    """

    format: str = "jpeg"
    quality: int = 92
    resize: str = "none"
    resize_value: float = 0.0
    output_sharpening: str = "off"
    template: str = "{name}"
    strip_gps: bool = False
    keep_exif: bool = True
    overwrite: bool = False
    bit_depth: int = 8

    def __post_init__(self):
        problems = []
        if self.format not in FORMATS:
            problems.append(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if not 1 <= int(self.quality) <= 100:
            problems.append(f"quality must be 1..100, not {self.quality}")
        if self.resize not in RESIZE_MODES:
            problems.append(f"resize must be one of {', '.join(RESIZE_MODES)}, not {self.resize!r}")
        elif self.resize != "none" and not self.resize_value > 0:
            problems.append(f"resize {self.resize} needs a positive value, not {self.resize_value}")
        if self.output_sharpening not in SHARPENING:
            problems.append(f"output sharpening must be one of {', '.join(SHARPENING)}")
        if self.bit_depth not in (8, 16):
            problems.append(f"bit depth must be 8 or 16, not {self.bit_depth}")
        problems += _template_problems(self.template)
        if problems:
            raise ValueError("export settings: " + "; ".join(problems))

    @property
    def suffix(self) -> str:
        return FORMATS[self.format]


def _template_problems(template: str) -> list[str]:
    try:
        names = [f for _, f, _, _ in Formatter().parse(template) if f is not None]
    except ValueError as exc:
        return [f"template {template!r}: {exc}"]
    unknown = [n for n in names if n not in TEMPLATE_FIELDS]
    if unknown:
        return [f"template {template!r} uses unknown field(s) {', '.join(unknown)} "
                f"(known: {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)})"]
    if not template.strip():
        return ["template is empty"]
    return []


@dataclass
class BatchResult:
    done: list[Path] = field(default_factory=list)  # written files
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (photo, reason)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # (photo, reason)
    cancelled: bool = False


# ---------------------------------------------------------------------------------------------- naming

class Seq(int):
    """A sequence number that formats as 4 digits by default ({seq} -> 0007), like tethered captures'
    names, while an explicit spec ({seq:02d}, {seq:d}) still wins."""

    def __format__(self, spec: str) -> str:
        return format(int(self), spec or "04d")


_EMPTY = "\x00"  # stands for an empty field while formatting, removed with the separator before it


def format_name(template: str, stem: str, seq: int, date_: str, preset: str) -> str:
    """The file stem `template` gives; an empty field ({preset} without a look) takes the separator before
    it along ('{name}_{preset}_{seq}' -> 'IMG_0001', not 'IMG__0001'). Path separators are replaced."""
    values = {"name": stem, "seq": Seq(seq), "date": date_, "preset": preset or _EMPTY}
    text = template.format(**values)
    text = re.sub(r"[ _.\-]?" + _EMPTY, "", text).strip().lstrip("_-. ")
    text = text.replace(os.sep, "_").replace("/", "_").replace("\0", "")
    return stem if text in ("", ".", "..") else text


def output_name(photo: Photo, settings: ExportSettings, seq: int = 1, preset: str = "") -> str:
    """The file name (with suffix) the template gives for `photo`."""
    stem = format_name(settings.template, photo.path.stem, seq, capture_date(photo), preset)
    return stem + settings.suffix


def capture_date(photo: Photo) -> str:
    """YYYY-MM-DD from EXIF DateTimeOriginal (or DateTime), else the file's modification date."""
    fields_ = _exif_fields(photo.exif) if photo.exif else {}
    for key in ("exif-ifd2-DateTimeOriginal", "exif-ifd0-DateTime"):
        text = fields_.get(key, "")
        if len(text) >= 10 and text[4] == ":" and text[:4].isdigit():
            return text[:10].replace(":", "-")
    try:
        return datetime.fromtimestamp(photo.path.stat().st_mtime).strftime("%Y-%m-%d")
    except OSError:
        return "undated"


def _look_name(edit) -> str:
    look = getattr(edit, "look", None) or {}
    return str(look.get("name", "")) if hasattr(look, "get") else ""


# ---------------------------------------------------------------------------------------------- rendering

def render_for_export(photo: Photo, edit, settings: ExportSettings) -> pyvips.Image:
    """The developed, resized, sharpened lazy image (before bit depth and metadata)."""
    from editor.core.pipeline import RenderContext, render

    out_w, out_h = _rendered_size(photo, edit)
    factor = _resize_factor(out_w, out_h, settings)
    # Rotation and straightening read the source out of order; everything else can stream it.
    reorders = any(op.kind == "geometry" for op, _ in edit.active())
    if factor < 1.0:
        # Shrink-on-load straight to the needed size, then render at that scale: radii and grain follow.
        source = photo.scaled(math.ceil(max(photo.width, photo.height) * factor))
        if reorders:
            source = source.copy_memory()  # export-sized, so holding it is cheap
    else:
        source = photo.full(sequential=not reorders, keep_profile=True)  # converted within the look
    image = render(source, edit, RenderContext(scale=photo.scale_of(source), seed=photo.seed))
    target = (max(1, round(out_w * factor)), max(1, round(out_h * factor)))
    if factor < 1.0 and (image.width, image.height) != target:
        image = resize_to(image, *target)
    return _sharpen(image, settings.output_sharpening)


def _rendered_size(photo: Photo, edit) -> tuple[int, int]:
    """Output size of the edit (crop, rotation) at full resolution, from a lazy stand-in: no decoding.
    Only geometry changes the size, so the stand-in skips the rest (the look's colour table, grain)."""
    from editor.core.pipeline import RenderContext, render
    stand_in = pyvips.Image.black(photo.width, photo.height, bands=3).copy(interpretation="srgb")
    geometry = edit.reset(op.name for op, _ in edit.active() if op.kind != "geometry")
    image = render(stand_in, geometry, RenderContext(scale=1.0, seed=photo.seed))
    return image.width, image.height


def _resize_factor(width: int, height: int, settings: ExportSettings) -> float:
    """Scale (<= 1, never enlarging) that the resize setting asks for."""
    value = settings.resize_value
    factor = {"none": 1.0,
              "long_edge": value / max(width, height),
              "short_edge": value / min(width, height),
              "megapixels": math.sqrt(value * 1e6 / (width * height))}[settings.resize]
    return min(1.0, factor)


def _sharpen(image: pyvips.Image, level: str) -> pyvips.Image:
    amount = SHARPENING[level]
    if amount is None:
        return image
    sigma, m2 = amount
    fmt, interpretation = image.format, image.interpretation
    out = image.sharpen(sigma=sigma, m2=m2)
    return out.colourspace(interpretation).cast(fmt) if out.interpretation != interpretation else out


def _finish(image: pyvips.Image, photo: Photo, settings: ExportSettings) -> pyvips.Image:
    """Bit depth for the format, then fresh metadata: EXIF (orientation 1, GPS optional), sRGB ICC."""
    sixteen = settings.bit_depth == 16 and settings.format in ("tiff", "png")
    if sixteen and image.format != "ushort":
        image = image.colourspace("rgb16")
    elif not sixteen and image.format == "ushort":
        image = (image / 257.0).rint().cast("uchar")  # rounded; colourspace() would truncate (>> 8)
    elif not sixteen and image.format != "uchar":
        image = image.colourspace("srgb")
    image = image.copy(interpretation="rgb16" if sixteen else "srgb")
    for name in image.get_fields():
        if name.startswith(("exif-", "xmp-", "iptc-", "jpeg-thumbnail", "icc-", "orientation", "heif-",
                            "png-comment", "gif-", "webp-", "tiff-")):
            image.remove(name)
    image.set_type(pyvips.GValue.blob_type, "icc-profile-data", srgb_profile())
    if settings.keep_exif and photo.exif:
        # Setting the block makes libvips parse it into exif-ifdN-* fields; on save it rewrites the block
        # from those fields, dropping tags whose field is gone and taking Orientation from "orientation".
        image.set_type(pyvips.GValue.blob_type, "exif-data", photo.exif)
        for name in image.get_fields():
            if name.startswith("exif-ifd1-") or (settings.strip_gps and name.startswith("exif-ifd3-")):
                image.remove(name)  # ifd1: the old embedded thumbnail (unrotated, unedited); ifd3: GPS
        image.set_type(pyvips.GValue.gint_type, "orientation", 1)
    return image


def _exif_fields(exif: bytes) -> dict[str, str]:
    """libvips' parsed view of an EXIF block ('exif-ifd2-DateTimeOriginal': '2008:...', ...)."""
    from editor.core.exif import fields
    return fields(exif)


# ---------------------------------------------------------------------------------------------- temporary files

# `.NAME.PID-HOST-RANDOM.part.EXT`: the writer's process id and a digest of its host name say whether the
# writer can still be alive. Files of older versions (`.NAME.RANDOM.part.EXT`) carry neither: age only.
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_SUFFIXES = "|".join(re.escape(s[1:]) for s in FORMATS.values())
_TEMP = re.compile(rf"^\..+\.(?:(?P<pid>\d{{1,10}})-(?P<host>[0-9a-f]{{6}})-)?[0-9a-f]{{8}}\.part\.(?:{_SUFFIXES})$")
STALE_AFTER = 24 * 3600  # seconds after which a temporary file of a writer we cannot check is abandoned


def temp_path(final: Path) -> Path:
    """The hidden temporary name `final` is written under before it is moved into place."""
    return final.with_name(f".{final.stem}.{os.getpid()}-{_HOST}-{uuid.uuid4().hex[:8]}.part{final.suffix}")


def remove_stale_temp_files(out_dir, now: float | None = None) -> list[Path]:
    """Delete temporary files that exports into `out_dir` left when they were killed; returns them.

    Only regular files whose whole name matches `temp_path`'s pattern are considered, and only those
    whose writer is provably gone: same host and no process with that id, or (for a writer on another
    host or of an older version) last written more than STALE_AFTER seconds ago. Nothing else is touched.
    """
    removed, now = [], time.time() if now is None else now
    try:
        names = os.listdir(out_dir)
    except OSError:
        return removed
    for name in names:
        match = _TEMP.match(name)
        if match is None:
            continue
        path = Path(out_dir) / name
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode) or not _abandoned(match, now - st.st_mtime):
                continue
            path.unlink()
            removed.append(path)
        except OSError:  # gone meanwhile, or not ours to delete: leave it
            continue
    return removed


def _abandoned(match: re.Match, age: float) -> bool:
    if age > STALE_AFTER:
        return True
    pid = match.group("pid")
    if pid is None or match.group("host") != _HOST or int(pid) == os.getpid():
        return False
    if os.name == "nt":
        return False  # Windows' os.kill terminates the process whatever the signal: leave it to age
    try:
        os.kill(int(pid), 0)  # signal 0 (POSIX): only asks whether the process exists
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False  # alive under another user, or an impossible id: leave it to age
    return False


# ---------------------------------------------------------------------------------------------- writing

def _save(image: pyvips.Image, path: Path, settings: ExportSettings) -> None:
    q = int(settings.quality)
    fmt = settings.format
    if fmt == "jpeg":
        image.jpegsave(str(path), Q=q)  # optimize_coding would double the encode time for ~5 % size
    elif fmt == "png":
        image.pngsave(str(path), compression=6)
    elif fmt == "tiff":
        image.tiffsave(str(path), compression="deflate", predictor="horizontal")
    elif fmt == "webp":
        image.webpsave(str(path), Q=q)
    elif fmt == "avif":
        image.heifsave(str(path), Q=q, compression="av1", effort=2)


def _watch(image: pyvips.Image, progress: Progress | None, cancel: threading.Event | None) -> None:
    """Report libvips progress and honour cancel while the image is computed."""
    if progress is None and cancel is None:
        return
    image.set_progress(True)

    def on_eval(img, p):
        if progress is not None:
            progress(min(1.0, p.percent / 100.0))
        if cancel is not None and cancel.is_set():
            img.set_kill(True)

    image.signal_connect("eval", on_eval)


def _place(tmp: Path, final: Path, overwrite: bool) -> None:
    """Move the finished temporary file to its final name without clobbering unless asked."""
    if overwrite:
        os.replace(tmp, final)
        return
    try:
        os.link(tmp, final)  # atomic "create if absent"
    except FileExistsError:
        raise ExportSkipped(f"{final} already exists (overwrite is off)") from None
    except OSError:  # file systems without hard links
        if final.exists():
            raise ExportSkipped(f"{final} already exists (overwrite is off)") from None
        os.replace(tmp, final)
        return
    tmp.unlink()


def export_photo(photo_path, edit, settings: ExportSettings, out_dir, seq: int = 1,
                 progress: Progress | None = None, cancel: threading.Event | None = None) -> Path:
    """Develop `photo_path` with `edit` (None: its sidecar's edit) and write it into `out_dir`.

    Returns the written path. Raises PhotoError (bad photo), ExportSkipped (output exists),
    ExportCancelled, or ExportError (rendering/writing failed); messages name the photo.
    """
    photo_path, out_dir = Path(photo_path), Path(out_dir)
    if cancel is not None and cancel.is_set():
        raise ExportCancelled(f"{photo_path}: cancelled")
    photo = open_photo(photo_path)
    if edit is None:
        edit = _sidecar_edit(photo_path)
    final = out_dir / output_name(photo, settings, seq, _look_name(edit))
    if final.exists() and final.resolve() == photo_path.resolve():
        if settings.overwrite:
            raise ExportError(f"{photo_path}: refusing to overwrite the original photo; choose another "
                              "folder or template")
        raise ExportSkipped(f"{final} already exists (overwrite is off)")
    if final.exists() and not settings.overwrite:
        raise ExportSkipped(f"{final} already exists (overwrite is off)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from exc
    tmp = temp_path(final)
    try:
        _develop_and_save(photo, edit, settings, tmp, progress, cancel)
        if cancel is not None and cancel.is_set():
            raise ExportCancelled(f"{photo_path}: cancelled")
        _place(tmp, final, settings.overwrite)
    except pyvips.Error as exc:
        if cancel is not None and cancel.is_set():
            raise ExportCancelled(f"{photo_path}: cancelled") from None
        if _is_decoding(exc):  # the photo's pixels turned out damaged only once they flowed
            raise ExportError(f"{photo_path}: cannot develop the photo: {photo.damage_words(exc)} "
                              f"({_first_lines(exc)})") from exc
        raise ExportError(f"{photo_path}: cannot write {final.name} ({_first_lines(exc)})") from exc
    except OSError as exc:
        raise ExportError(f"{photo_path}: cannot write {final} ({exc.strerror or exc})") from exc
    finally:  # every exit this process survives, cancel and Ctrl-C included
        tmp.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0)
    return final


def _develop_and_save(photo: Photo, edit, settings: ExportSettings, tmp: Path, progress, cancel) -> None:
    """Render and write `tmp`; once more, less strictly, when the only complaint was a harmless
    decoder warning (Photo.forgive), which only shows when the pixels flow."""
    for attempt in (1, 2):
        try:
            image = _finish(render_for_export(photo, edit, settings), photo, settings)
        except (pyvips.Error, ValueError, OSError, LookupError) as exc:  # e.g. a missing LUT file
            raise ExportError(f"{photo.path}: cannot develop the photo ({_first_lines(exc)})") from exc
        _watch(image, progress, cancel)
        try:
            _save(image, tmp, settings)
            return
        except pyvips.Error as exc:
            if attempt == 2 or not photo.forgive(exc) or (cancel is not None and cancel.is_set()):
                raise


_LOADER_WORDS = ("load", "vipsjpeg", "vipspng", "tiff2vips", "libtiff", "heif", "webp", "premature", "corrupt",
                 "truncated", "read error")


def _is_decoding(exc: BaseException) -> bool:
    """Whether a libvips error raised while exporting came from reading the photo (not from writing)."""
    text = " ".join(ln for ln in str(exc).lower().splitlines() if not ln.startswith("unable to call"))
    return "save" not in text and any(w in text for w in _LOADER_WORDS)


def _sidecar_edit(photo_path: Path):
    from editor.core import sidecar
    try:
        return sidecar.load(photo_path).edit
    except sidecar.SidecarError as exc:  # not developed with a default edit: that would be silent damage
        raise ExportError(f"{photo_path}: sidecar unreadable ({exc.path}): {exc.reason}") from exc


def _first_lines(exc: BaseException) -> str:
    from editor.core.damage import detail_lines
    return "; ".join(detail_lines(exc)[:3]) or type(exc).__name__


# ---------------------------------------------------------------------------------------------- batches

BatchProgress = Callable[[int, int, float], None]  # (index of photo, total, overall fraction 0..1)


def export_batch(jobs: Iterable, settings: ExportSettings, out_dir, progress: BatchProgress | None = None,
                 cancel: threading.Event | None = None, workers: int = 1) -> BatchResult:
    """Export every (photo path, edit-or-None) job; a bad photo is reported and the others go on.

    `workers` > 1 exports photos side by side with libvips' thread pool shared between them.
    """
    jobs = [(Path(p), e) for p, e in (j if isinstance(j, tuple) else (j, None) for j in jobs)]
    remove_stale_temp_files(out_dir)
    result, lock = BatchResult(), threading.Lock()
    fractions = [0.0] * len(jobs)

    def report(index: int, fraction: float) -> None:
        with lock:
            fractions[index] = fraction
            overall = sum(fractions) / max(1, len(jobs))
        if progress is not None:
            progress(index, len(jobs), overall)

    def run(index: int) -> None:
        path, edit = jobs[index]
        try:
            written = export_photo(path, edit, settings, out_dir, seq=index + 1,
                                   progress=lambda f: report(index, f), cancel=cancel)
        except ExportCancelled:
            with lock:
                result.cancelled = True
            return
        except ExportSkipped as exc:
            with lock:
                result.skipped.append((path, str(exc)))
        except (PhotoError, ExportError, pyvips.Error, OSError, ValueError) as exc:
            with lock:
                result.failed.append((path, str(exc)))
        except Exception as exc:  # one photo's unexpected failure must not stop the batch
            with lock:
                result.failed.append((path, f"{path}: unexpected {type(exc).__name__}: {exc}"))
        else:
            with lock:
                result.done.append(written)
        report(index, 1.0)

    if workers <= 1:
        for i in range(len(jobs)):
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            run(i)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(jobs))))
    if cancel is not None and cancel.is_set():
        result.cancelled = True
    return result
