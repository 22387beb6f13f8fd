"""3D LUT files: Adobe/Resolve .cube (Cube LUT Specification 1.0) and Hald CLUT images. Qt-free.

A LUT table is a float array (N, N, N, 3) indexed [r, g, b] (red index first), values normally 0..1,
mapping sRGB-encoded input on the lattice `linspace(domain_min, domain_max, N)` per channel to output.
Every reader refuses files over MAX_FILE_BYTES before reading them and raises LutError naming the file.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_FILE_BYTES = 64 * 1024 * 1024  # refuse bigger LUT files unread: a 256^3 .cube is ~ 400 MB of text
MAX_CUBE_SIZE = 256
MIN_CUBE_SIZE = 2
HALD_LEVELS = range(2, 17)
# Output values this far outside the domain are treated as a broken file, not an extended-range LUT.
OUTSIDE_TOLERANCE = 4.0


class LutError(ValueError):
    """A LUT file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Lut:
    """A parsed 3D LUT. `table` is (N, N, N, 3) float64 indexed [r, g, b]."""

    table: np.ndarray = field(repr=False)
    title: str = ""
    domain_min: tuple[float, float, float] = (0.0, 0.0, 0.0)
    domain_max: tuple[float, float, float] = (1.0, 1.0, 1.0)
    comments: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return self.table.shape[0]

    def normalised(self) -> np.ndarray:
        """The table as if its input domain were 0..1 (what the lut3d operation samples)."""
        if self.domain_min == (0.0, 0.0, 0.0) and self.domain_max == (1.0, 1.0, 1.0):
            return self.table
        # Resample: the 0..1 lattice point v sits at (v - min) / (max - min) in the file's lattice.
        n = self.size
        g = np.linspace(0.0, 1.0, n)
        lo, hi = np.array(self.domain_min), np.array(self.domain_max)
        pos = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1)
        return sample(self.table, (pos - lo) / (hi - lo), "trilinear")


def identity_table(size: int) -> np.ndarray:
    g = np.linspace(0.0, 1.0, size)
    return np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1)


# ---------------------------------------------------------------------------------------------- sampling

def sample(table: np.ndarray, rgb: np.ndarray, interpolation: str = "tetrahedral") -> np.ndarray:
    """Look up sRGB-encoded `rgb` (..., 3, 0..1) in `table` (N, N, N, 3) with the chosen interpolation."""
    rgb = np.asarray(rgb, dtype=np.float64)
    n = table.shape[0]
    pos = np.clip(rgb, 0.0, 1.0) * (n - 1)
    base = np.minimum(np.floor(pos).astype(np.intp), n - 2)
    f = pos - base
    r0, g0, b0 = base[..., 0], base[..., 1], base[..., 2]
    fr, fg, fb = f[..., 0:1], f[..., 1:2], f[..., 2:3]

    def at(dr, dg, db):
        return table[r0 + dr, g0 + dg, b0 + db]

    if interpolation == "trilinear":
        c00 = at(0, 0, 0) * (1 - fr) + at(1, 0, 0) * fr
        c10 = at(0, 1, 0) * (1 - fr) + at(1, 1, 0) * fr
        c01 = at(0, 0, 1) * (1 - fr) + at(1, 0, 1) * fr
        c11 = at(0, 1, 1) * (1 - fr) + at(1, 1, 1) * fr
        return (c00 * (1 - fg) + c10 * fg) * (1 - fb) + (c01 * (1 - fg) + c11 * fg) * fb
    if interpolation != "tetrahedral":
        raise ValueError(f"unknown interpolation {interpolation!r}")
    return _tetrahedral(at, fr, fg, fb)


def _tetrahedral(at, fr, fg, fb):
    """Interpolate inside the one of six tetrahedra of the cell that holds the point (neutral-preserving)."""
    c000, c111 = at(0, 0, 0), at(1, 1, 1)
    out = np.empty(np.broadcast_shapes(c000.shape, fr.shape))
    cases = (  # (condition, first corner, second corner, weights order (largest, middle, smallest))
        ((fr >= fg) & (fg >= fb), (1, 0, 0), (1, 1, 0), (fr, fg, fb)),
        ((fr >= fb) & (fb > fg), (1, 0, 0), (1, 0, 1), (fr, fb, fg)),
        ((fb > fr) & (fr >= fg), (0, 0, 1), (1, 0, 1), (fb, fr, fg)),
        ((fg > fr) & (fr >= fb), (0, 1, 0), (1, 1, 0), (fg, fr, fb)),
        ((fg >= fb) & (fb > fr), (0, 1, 0), (0, 1, 1), (fg, fb, fr)),
        ((fb > fg) & (fg > fr), (0, 0, 1), (0, 1, 1), (fb, fg, fr)),
    )
    done = np.zeros(fr.shape, dtype=bool)
    for cond, a, b, (w1, w2, w3) in cases:
        cond = cond & ~done
        done |= cond
        val = c000 * (1 - w1) + at(*a) * (w1 - w2) + at(*b) * (w2 - w3) + c111 * w3
        out = np.where(cond, val, out)
    return out


# ------------------------------------------------------------------------------------------------- .cube

def _check_size(path: Path) -> None:
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise LutError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_FILE_BYTES:
        raise LutError(f"{path}: file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit "
                       "for LUT files")


def read_cube(path: str | os.PathLike) -> Lut:
    """Parse a .cube file (TITLE, LUT_3D_SIZE, DOMAIN_MIN/MAX, comments, any line endings)."""
    path = Path(path)
    _check_size(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise LutError(f"{path}: not a .cube text file (binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        return parse_cube(text)
    except LutError as exc:
        raise LutError(f"{path}: {exc}") from None


def parse_cube(text: str) -> Lut:
    """Parse .cube text; raises LutError (without a file name) on any problem."""
    title, size, lo, hi, comments, rows = "", None, (0.0,) * 3, (1.0,) * 3, [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line[0] in _NUMBER_START:  # fast path for the (up to 16 million) table rows
            rows.append((number, line))
            continue
        if line.startswith("#"):
            comments.append(line[1:].strip())
            continue
        word = line.split(None, 1)[0].upper()
        if _is_number(word):  # nan/inf parse here too, to be refused with a clear message below
            rows.append((number, line))
        elif word == "TITLE":
            title = line[5:].strip().strip('"')
        elif word == "LUT_3D_SIZE":
            size = _int_value(line, number)
        elif word == "DOMAIN_MIN":
            lo = tuple(_floats(" ".join(line.split()[1:]), number))
        elif word == "DOMAIN_MAX":
            hi = tuple(_floats(" ".join(line.split()[1:]), number))
        elif word == "LUT_1D_SIZE":
            raise LutError("1D LUTs (LUT_1D_SIZE) are not supported; use a 3D LUT")
        elif word in ("LUT_1D_INPUT_RANGE", "LUT_3D_INPUT_RANGE"):
            value = line.split()[1:]
            try:
                lo, hi = (float(value[0]),) * 3, (float(value[1]),) * 3
            except (ValueError, IndexError):
                raise LutError(f"line {number}: expected two numbers in {line!r:.60}") from None
        else:
            raise LutError(f"line {number}: unknown keyword {word!r}")
    if size is None:
        raise LutError("no LUT_3D_SIZE line")
    if not MIN_CUBE_SIZE <= size <= MAX_CUBE_SIZE:
        raise LutError(f"LUT_3D_SIZE {size} is outside {MIN_CUBE_SIZE}..{MAX_CUBE_SIZE}")
    if any(h <= l for l, h in zip(lo, hi)):
        raise LutError(f"DOMAIN_MAX {hi} must be above DOMAIN_MIN {lo}")
    data = _table_rows(rows)
    if len(rows) != size ** 3:
        raise LutError(f"expected {size ** 3} table rows for LUT_3D_SIZE {size}, found {len(rows)}")
    _check_values(data, lo, hi)
    # Red changes fastest in the file, so a C-order reshape gives [b, g, r]; swap to [r, g, b].
    table = data.reshape(size, size, size, 3).transpose(2, 1, 0, 3).copy()
    return Lut(table, title, lo, hi, tuple(comments))


_NUMBER_START = frozenset("0123456789-+.")


def _table_rows(rows: list[tuple[int, str]]) -> np.ndarray:
    """(n, 3) floats from numbered data lines; a bad line is reported by its number."""
    try:
        values = np.array(" ".join(line for _, line in rows).split(), dtype=np.float64)
        if values.size == 3 * len(rows):
            return values.reshape(-1, 3)
    except ValueError:
        pass
    for number, line in rows:  # slow path, only to find and name the bad line
        _floats(line, number)
    raise LutError("table rows do not hold 3 numbers each")


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _floats(text: str, number: int) -> list[float]:
    parts = text.split()
    if len(parts) != 3:
        raise LutError(f"line {number}: expected 3 numbers, got {text!r:.60}")
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise LutError(f"line {number}: not numbers: {text!r:.60}") from None


def _int_value(line: str, number: int) -> int:
    parts = line.split()
    try:
        if len(parts) != 2:
            raise ValueError
        return int(parts[1])
    except ValueError:
        raise LutError(f"line {number}: expected one whole number in {line!r:.60}") from None


def _check_values(data: np.ndarray, lo, hi) -> None:
    if not np.isfinite(data).all():
        raise LutError("table holds NaN or infinite values")
    span = max(h - l for l, h in zip(lo, hi))
    if data.min() < min(lo) - OUTSIDE_TOLERANCE * span or data.max() > max(hi) + OUTSIDE_TOLERANCE * span:
        raise LutError(f"table values {data.min():g}..{data.max():g} are far outside the domain "
                       f"{min(lo):g}..{max(hi):g}")


def format_cube(table: np.ndarray, title: str = "", comments: tuple[str, ...] = ()) -> str:
    """.cube text for `table` (N, N, N, 3) indexed [r, g, b], domain 0..1, LF line endings."""
    n = table.shape[0]
    lines = [f"# {c}" for c in comments]
    if title:
        lines.append(f'TITLE "{title}"')
    lines += [f"LUT_3D_SIZE {n}", "DOMAIN_MIN 0.0 0.0 0.0", "DOMAIN_MAX 1.0 1.0 1.0"]
    flat = np.asarray(table, dtype=np.float64).transpose(2, 1, 0, 3).reshape(-1, 3)
    body = "\n".join(f"{r:.6f} {g:.6f} {b:.6f}" for r, g, b in flat)
    return "\n".join(lines) + "\n" + body + "\n"


# -------------------------------------------------------------------------------------------- Hald CLUT

def hald_identity(level: int) -> np.ndarray:
    """An identity Hald CLUT image, (level^3, level^3, 3) uint8 (level 8 is the usual 512x512)."""
    if level not in HALD_LEVELS:
        raise LutError(f"Hald level {level} is outside 2..16")
    n = level * level
    table = identity_table(n)
    return _table_to_hald(table, level)


def _table_to_hald(table: np.ndarray, level: int) -> np.ndarray:
    side = level ** 3
    # Hald order: red fastest, then green, then blue, filling rows of `side` pixels.
    flat = table.transpose(2, 1, 0, 3).reshape(side, side, 3)
    return np.clip(np.round(flat * 255.0), 0, 255).astype(np.uint8)


def hald_to_table(pixels: np.ndarray) -> np.ndarray:
    """(N, N, N, 3) table from a Hald image array (side, side, 3), any integer depth already scaled 0..1."""
    side = pixels.shape[0]
    level = round(side ** (1 / 3))
    n = level * level
    return pixels.reshape(n, n, n, 3).transpose(2, 1, 0, 3).astype(np.float32)  # level 16 is 16.7 M entries


def read_hald(path: str | os.PathLike) -> Lut:
    """A Hald CLUT PNG or TIFF (square, side = level^3 for level 2..16, 8 or 16 bit) as a Lut."""
    import pyvips

    path = Path(path)
    _check_size(path)
    try:
        image = pyvips.Image.new_from_file(str(path), access="sequential")
        if image.width != image.height:
            raise LutError(f"{path}: a Hald image must be square, this one is {image.width}x{image.height}")
        level = round(image.width ** (1 / 3))
        if level ** 3 != image.width or level not in HALD_LEVELS:
            raise LutError(f"{path}: side {image.width} is not a cube of a level 2..16 (8 gives 512)")
        if image.bands == 4:
            image = image.flatten()
        if image.bands == 1:
            image = image.bandjoin([image, image])
        if image.bands != 3:
            raise LutError(f"{path}: expected an RGB image, it has {image.bands} bands")
        top = 65535.0 if image.format == "ushort" else 255.0
        pixels = np.ndarray(buffer=image.write_to_memory(), dtype=_DTYPES[image.format],
                            shape=(image.height, image.width, 3)) / top
    except pyvips.Error as exc:
        raise LutError(f"{path}: not a readable image ({str(exc).splitlines()[0]})") from None
    except KeyError:
        raise LutError(f"{path}: unsupported sample format") from None
    return Lut(hald_to_table(pixels), title=path.stem)


_DTYPES = {"uchar": np.uint8, "ushort": np.uint16}


def write_hald(path: str | os.PathLike, table: np.ndarray) -> None:
    """Write `table` as an 8-bit Hald PNG (TIFF for .tif names), atomically; its size must be a square level^2."""
    import pyvips

    n = table.shape[0]
    level = math.isqrt(n)
    if level * level != n:
        raise LutError(f"a LUT of size {n} cannot be written as a Hald image (needs level^2)")
    from editor.core.atomic import write_atomic

    pixels = _table_to_hald(table, level)
    suffix = ".tif" if Path(path).suffix.lower() in (".tif", ".tiff") else ".png"
    write_atomic(Path(path), pyvips.Image.new_from_array(pixels, interpretation="srgb").write_to_buffer(suffix))


# --------------------------------------------------------------------------------------------- any file

def read_lut(path: str | os.PathLike) -> Lut:
    """A .cube file or a Hald image, by extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".cube":
        return read_cube(path)
    if suffix in (".png", ".tif", ".tiff"):
        return read_hald(path)
    raise LutError(f"{path}: unknown LUT type (expected .cube, or a Hald .png/.tif)")


def default_luts_dir() -> Path:
    """Where user LUTs live: <data>/luts (editor.core.datadir)."""
    from editor.core.datadir import data_dir

    return data_dir() / "luts"
