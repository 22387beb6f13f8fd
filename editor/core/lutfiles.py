"""3D LUT files: Adobe/Resolve .cube (Cube LUT Specification 1.0) and Hald CLUT images. Qt-free.

A LUT table is a float array (N, N, N, 3) indexed [r, g, b] (red index first), values normally 0..1,
mapping sRGB-encoded input on the lattice `linspace(domain_min, domain_max, N)` per channel to output.
Every reader refuses files over MAX_FILE_BYTES before reading them and raises LutError naming the file.
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

MAX_FILE_BYTES = 64 * 1024 * 1024  # refuse bigger LUT files unread: a 256^3 .cube is ~ 400 MB of text
MAX_CUBE_SIZE = 256
MAX_1D_SIZE = 65536
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
    stages: str = ""  # for a 1D or shaper + 3D file: what it held ("LUT_1D_SIZE 1024 + LUT_3D_SIZE 33")
    file_domain: tuple | None = None  # (min, max) the file declares when the table was rebuilt on 0..1

    @property
    def input_domain(self) -> tuple:
        """The input range the file expects, as (min, max) 3-tuples."""
        return self.file_domain or (self.domain_min, self.domain_max)

    @property
    def size(self) -> int:
        return self.table.shape[0]

    def normalised(self) -> np.ndarray:
        """The table as if its input domain were 0..1 (what the lut3d operation samples).

        Resampled tetrahedrally onto twice the file's grid (at least 33, at most its own size past 65):
        a grid that holds the file's own nodes reproduces tetrahedral sampling exactly (the finer
        tetrahedra nest in the coarser), and one that does not comes within the fused 33^3 grid's own
        precision, which every render goes through anyway."""
        if self.domain_min == (0.0, 0.0, 0.0) and self.domain_max == (1.0, 1.0, 1.0):
            return self.table
        # Resample: the 0..1 lattice point v sits at (v - min) / (max - min) in the file's lattice.
        n = self.size if self.size > 65 else min(max(2 * self.size - 1, 33), 65)
        lo, hi = np.array(self.domain_min), np.array(self.domain_max)
        return sample(self.table, (identity_table(n) - lo) / (hi - lo)).astype(np.float32)


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
    """A regular file (a FIFO would block, a link to /dev/zero never ends) of at most MAX_FILE_BYTES."""
    from editor.core.files import NotRegularFile, check_regular
    try:
        size = check_regular(path).st_size
    except NotRegularFile as exc:
        raise LutError(f"{path}: {exc}") from None
    except OSError as exc:
        raise LutError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_FILE_BYTES:
        raise LutError(f"{path}: file is {size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit "
                       "for LUT files")


def read_cube(path: str | os.PathLike) -> Lut:
    """Parse a .cube file (Adobe Cube LUT Specification 1.0, and Resolve's 1D shaper + 3D form), streaming:
    memory stays bounded by the table the header declares, never by the text."""
    path = Path(path)
    _check_size(path)
    try:
        with open(path, "rb") as file:
            head = file.read(4096)
            if b"\x00" in head:
                raise LutError("not a .cube text file (binary data)")
            file.seek(0)
            return _parse(_lines(file), os.path.getsize(path))
    except LutError as exc:
        raise LutError(f"{path}: {exc}") from None
    except OSError as exc:
        raise LutError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_cube(text: str) -> Lut:
    """Parse .cube text; raises LutError (without a file name) on any problem."""
    data = text.encode("utf-8")
    return _parse(_lines(io.BytesIO(data)), len(data))


_BLOCK = 1 << 20
_CHUNK_ROWS = 1 << 16  # table rows parsed per numpy call: fast, and a few MB at most
_MIN_ROW_BYTES = 6  # "0 0 0\n": no table row is shorter, so a file this short cannot hold its table
ONE_D_GRID = 65  # points per axis of the 3D table a 1D (or shaper + 3D) file is applied through


def _lines(file) -> Iterator[str]:
    """Text lines of a binary file read in blocks, for LF, CRLF or CR line endings; a UTF-8 BOM dropped."""
    rest = b""
    block = file.read(_BLOCK).removeprefix(b"\xef\xbb\xbf")
    while block:
        data, held = rest + block, b""
        if data.endswith(b"\r"):  # may be the first half of a CRLF split between blocks
            data, held = data[:-1], b"\r"
        parts = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        rest = parts.pop() + held
        yield from map(_text, parts)
        block = file.read(_BLOCK)
    if rest.strip():
        yield _text(rest)


def _text(line: bytes) -> str:
    """A line as text: UTF-8 (a title may be "Café"), else Latin-1, which decodes any byte."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


class _Header:
    def __init__(self):
        self.title, self.comments = "", []
        self.size3, self.size1 = None, None
        self.domain = None  # DOMAIN_MIN/MAX (Adobe): the input domain of the file's one table
        self.range1 = self.range3 = None  # LUT_1D/3D_INPUT_RANGE (Resolve), one pair each

    def read(self, word: str, line: str, number: int) -> None:
        if word == "TITLE":
            self.title = line[5:].strip().strip('"')
        elif word in ("LUT_3D_SIZE", "LUT_1D_SIZE"):
            setattr(self, "size3" if word == "LUT_3D_SIZE" else "size1", _int_value(line, number))
        elif word in ("DOMAIN_MIN", "DOMAIN_MAX"):
            lo, hi = self.domain or ((0.0,) * 3, (1.0,) * 3)
            values = tuple(_floats(" ".join(line.split()[1:]), number))
            self.domain = (values, hi) if word == "DOMAIN_MIN" else (lo, values)
        elif word in ("LUT_1D_INPUT_RANGE", "LUT_3D_INPUT_RANGE"):
            try:
                a, b = (float(v) for v in line.split()[1:])
            except ValueError:
                raise LutError(f"line {number}: expected two numbers in {line!r:.60}") from None
            setattr(self, "range1" if word.startswith("LUT_1D") else "range3", ((a,) * 3, (b,) * 3))
        else:
            raise LutError(f"line {number}: unknown keyword {word!r}")

    def domains(self):
        """(1D domain or None, 3D domain or None), each a (min, max) pair of 3-tuples, checked.
        DOMAIN_MIN/MAX belong to the first table the input meets (the only one in Adobe's form)."""
        unit = ((0.0,) * 3, (1.0,) * 3)
        one = None if self.size1 is None else (self.range1 or self.domain or unit)
        three = None if self.size3 is None else (
            self.range3 or (self.domain if self.size1 is None else None) or unit)
        for domain in (one, three):
            if domain is not None:
                _check_domain(*domain)
        return one, three


def _parse(lines: Iterator[str], file_bytes: int) -> Lut:
    header, table, filled, expected = _Header(), None, 0, 0
    chunk: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line[0] == "#":
            if table is None and len(header.comments) < 1000:
                header.comments.append(line[1:].strip())
            continue
        if line[0] not in _NUMBER_START and not _is_number(line.split(None, 1)[0]):
            if table is not None:
                raise LutError(f"line {number}: keyword {line.split()[0]!r:.40} after the table rows began")
            header.read(line.split(None, 1)[0].upper(), line, number)
            continue
        if table is None:
            table, expected = _allocate(header, file_bytes, number)
        chunk.append((number, line))
        if len(chunk) == _CHUNK_ROWS:
            filled = _store(table, filled, chunk, expected)
            chunk = []
    if table is None:
        if header.size3 is None and header.size1 is None:
            raise LutError("no LUT_3D_SIZE (or LUT_1D_SIZE) line")
        table, expected = _allocate(header, file_bytes, 0)
    filled = _store(table, filled, chunk, expected)
    if filled != expected:
        raise LutError(f"expected {expected} table rows for {_sizes(header)}, found {filled}")
    return _build(header, table)


def _sizes(header: _Header) -> str:
    return " + ".join(f"{k} {v}" for k, v in (("LUT_1D_SIZE", header.size1), ("LUT_3D_SIZE", header.size3))
                      if v is not None)


def _allocate(header: _Header, file_bytes: int, number: int) -> tuple[np.ndarray, int]:
    """The empty (rows, 3) float32 table the header declares, after checking the sizes against the file."""
    if header.size3 is None and header.size1 is None:
        raise LutError(f"line {number}: table rows before any LUT_3D_SIZE (or LUT_1D_SIZE) line")
    if header.size3 is not None and not MIN_CUBE_SIZE <= header.size3 <= MAX_CUBE_SIZE:
        raise LutError(f"LUT_3D_SIZE {header.size3} is outside {MIN_CUBE_SIZE}..{MAX_CUBE_SIZE}")
    if header.size1 is not None and not MIN_CUBE_SIZE <= header.size1 <= MAX_1D_SIZE:
        raise LutError(f"LUT_1D_SIZE {header.size1} is outside {MIN_CUBE_SIZE}..{MAX_1D_SIZE}")
    header.domains()  # refuse a bad domain before reading the rows
    expected = (header.size1 or 0) + (header.size3 or 0) ** 3
    if expected * _MIN_ROW_BYTES > file_bytes:
        raise LutError(f"expected {expected} table rows for {_sizes(header)}, more than a {file_bytes}-byte "
                       "file can hold (the file is cut short, or the size is wrong)")
    return np.empty((expected, 3), dtype=np.float32), expected  # float32: half the memory, ample precision


def _store(table: np.ndarray, filled: int, chunk: list[tuple[int, str]], expected: int) -> int:
    """Parse `chunk` (numbered table rows) into `table` from row `filled`; returns the new row count."""
    if not chunk:
        return filled
    if filled + len(chunk) > expected:
        raise LutError(f"line {chunk[expected - filled][0] if expected > filled else chunk[0][0]}: more table "
                       f"rows than the {expected} the header declares")
    values = _table_rows(chunk)
    if not np.isfinite(values).all():
        bad = chunk[int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])][0]
        raise LutError(f"line {bad}: table holds NaN or infinite values")
    table[filled:filled + len(chunk)] = values
    return filled + len(chunk)


def _build(header: _Header, rows: np.ndarray) -> Lut:
    """The Lut: the 3D table as written, or a 1D (or shaper + 3D) file applied through a 3D grid."""
    one_d, three_d = header.domains()
    n1 = header.size1 or 0
    comments = tuple(header.comments)
    if three_d is not None:
        n = header.size3
        # Red changes fastest in the file, so a C-order reshape gives [b, g, r]; swap to [r, g, b].
        table3 = rows[n1:].reshape(n, n, n, 3).transpose(2, 1, 0, 3)
        _check_values(table3, *three_d)
        if one_d is None:
            return Lut(np.ascontiguousarray(table3), header.title, *three_d, comments)
    curves = rows[:n1].astype(np.float64)
    _check_values(curves, *one_d)
    # Rebuilt on the 0..1 lattice Darkslide feeds (display sRGB), not on the file's input range: a log
    # shaper spanning 0..4 would otherwise leave a quarter of the grid for the values that occur.
    shaped = _curve_lookup(curves, identity_table(max(ONE_D_GRID, header.size3 or 0)), *one_d)
    if three_d is not None:
        lo, hi = (np.array(v) for v in three_d)
        shaped = sample(table3, (shaped - lo) / (hi - lo))
    return Lut(shaped.astype(np.float32), header.title, comments=comments, stages=_sizes(header),
               file_domain=one_d)


def _curve_lookup(curves: np.ndarray, rgb: np.ndarray, lo, hi) -> np.ndarray:
    """Per-channel linear interpolation in 1D tables (n, 3) spanning lo..hi."""
    out = np.empty_like(rgb, dtype=np.float64)
    for c in range(3):
        x = np.linspace(lo[c], hi[c], curves.shape[0])
        out[..., c] = np.interp(rgb[..., c], x, curves[:, c])
    return out


def _check_domain(lo, hi) -> None:
    if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
        raise LutError(f"the input domain {lo}..{hi} holds NaN or infinite values")
    if any(h <= l for l, h in zip(lo, hi)):
        raise LutError(f"DOMAIN_MAX {hi} must be above DOMAIN_MIN {lo}")


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
    span = max(h - l for l, h in zip(lo, hi))
    if data.size and (data.min() < min(lo) - OUTSIDE_TOLERANCE * span
                      or data.max() > max(hi) + OUTSIDE_TOLERANCE * span):
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
        # fail_on: a truncated or damaged image is an error, not a table silently padded with black.
        image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="truncated")
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
        reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise LutError(f"{path}: not a readable image, or cut short ({reason})") from None
    except KeyError:
        raise LutError(f"{path}: unsupported sample format") from None
    return Lut(hald_to_table(pixels), title=path.stem)


_DTYPES = {"uchar": np.uint8, "ushort": np.uint16}


def write_hald(path: str | os.PathLike, table: np.ndarray) -> None:
    """Write `table` as an 8-bit Hald PNG (TIFF for .tif names), atomically and readable by others (0644);
    its size must be a square level^2."""
    import pyvips

    n = table.shape[0]
    level = math.isqrt(n)
    if level * level != n:
        raise LutError(f"a LUT of size {n} cannot be written as a Hald image (needs level^2)")
    from editor.core.atomic import write_atomic

    pixels = _table_to_hald(table, level)
    suffix = ".tif" if Path(path).suffix.lower() in (".tif", ".tiff") else ".png"
    image = pyvips.Image.new_from_array(pixels, interpretation="srgb")
    write_atomic(Path(path), image.write_to_buffer(suffix), shared=True)


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
