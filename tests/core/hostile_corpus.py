"""A hostile corpus: damaged photos, special files and broken sidecars, generated from scratch.

    python tests/core/hostile_corpus.py OUT_DIR     writes the corpus and prints what Darkslide says

Every case says what Darkslide must do with it:
  "refuse"  an error of the project's own type that names the file and matches `words`
  "ok"      opens and exports (the controls, so a test cannot pass by refusing everything)
  "either"  damage no decoder can see (a bit flip inside compressed data without a checksum): open or
            refuse, but never crash, hang or raise anything else
Photos are small (the corpus takes about a second to write). Special files (FIFO, device links, socket)
are made by `make_special` since they cannot be kept in a folder that is copied around.
"""
from __future__ import annotations

import os
import random
import socket
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvips

SIZE = (600, 400)
TRUNCATIONS = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Case:
    name: str
    expect: str  # "refuse" | "ok" | "either"
    words: str = ""  # a regular expression the refusal must match (besides the file name)


def _photo_like(width: int, height: int) -> np.ndarray:
    """Gradients plus noise: compresses like a photo, so truncations land inside the image data."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    rgb = np.stack([40 + 160 * x / width, 60 + 120 * y / height, 128 + 90 * np.sin(x / 13) * np.cos(y / 17)], -1)
    return np.clip(rgb + rng.normal(0, 8, rgb.shape), 0, 255).astype(np.uint8)


def _good_files(out: Path) -> dict[str, bytes]:
    array = _photo_like(*SIZE)
    image = pyvips.Image.new_from_array(array).copy(interpretation="srgb")
    files = {ext: image.write_to_buffer(f".{ext}") for ext in ("jpg", "png", "tif", "webp", "avif")}
    files["heic"] = _heic_grid(array, out)
    files["dng"] = _dng(*SIZE)
    return files


def _dng(width: int, height: int) -> bytes:
    """A minimal uncompressed 12-bit Bayer (RGGB) DNG 1.4: the tags LibRaw needs, then the raw data."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:height, 0:width]
    raw = 400 + 3000 * x / width + 200 * np.sin(y / 9) + rng.normal(0, 40, (height, width))
    data = raw.clip(0, 4095).astype("<u2").tobytes()
    matrix = [(3240, 10000), (-1537, 10000), (-499, 10000), (-969, 10000), (1876, 10000), (42, 10000),
              (56, 10000), (-204, 10000), (1057, 10000)]  # sRGB-ish XYZ->camera, D65
    tags = [(254, 4, [0]), (256, 4, [width]), (257, 4, [height]), (258, 3, [16]), (259, 3, [1]),
            (262, 3, [32803]), (271, 2, "Darkslide"), (272, 2, "Test"), (273, 4, [0]), (277, 3, [1]),
            (278, 4, [height]), (279, 4, [len(data)]), (284, 3, [1]), (33421, 3, [2, 2]),
            (33422, 1, [0, 1, 1, 2]), (50706, 1, [1, 4, 0, 0]), (50708, 2, "Darkslide Test"),
            (50717, 4, [4095]), (50721, 10, matrix), (50778, 3, [21])]
    packed = []
    for tag, kind, values in tags:
        if kind == 2:
            body = values.encode() + b"\0"
        elif kind == 10:
            body = b"".join(struct.pack("<ii", *v) for v in values)
        else:
            body = struct.pack(f"<{len(values)}{ {1: 'B', 3: 'H', 4: 'I'}[kind]}", *values)
        packed.append((tag, kind, len(values) if kind != 2 else len(body), body))
    extra_at = 8 + 2 + 12 * len(packed) + 4
    entries, extra = b"", b""
    for tag, kind, count, body in packed:
        if len(body) <= 4:
            value = body.ljust(4, b"\0")
        else:
            value = struct.pack("<I", extra_at + len(extra))
            extra += body + b"\0" * (len(body) % 2)
        entries += struct.pack("<HHI", tag, kind, count) + value
    data_at = extra_at + len(extra)
    strip = struct.pack("<HHI", 273, 4, 1)
    entries = entries.replace(strip + b"\0" * 4, strip + struct.pack("<I", data_at))
    return b"II*\0" + struct.pack("<IH", 8, len(packed)) + entries + b"\0" * 4 + extra + data


def _heic_grid(array: np.ndarray, out: Path) -> bytes:
    """A HEIC made of 256 px tiles, like a phone's (a grid item whose tiles are separate items)."""
    import pillow_heif
    old = pillow_heif.options.GRID_TILE_SIZE
    pillow_heif.options.GRID_TILE_SIZE = 256
    try:
        heif = pillow_heif.from_bytes(mode="RGB", size=(array.shape[1], array.shape[0]), data=array.tobytes())
        path = out / ".grid.heic"
        heif.save(str(path), quality=70)
        data = path.read_bytes()
        path.unlink()
        return data
    finally:
        pillow_heif.options.GRID_TILE_SIZE = old


def _flip_bits(data: bytes, seed: int, count: int = 8) -> bytes:
    """`count` single-bit flips in the second half of the file (inside the compressed data)."""
    rng, out = random.Random(seed), bytearray(data)
    for _ in range(count):
        i = rng.randrange(len(data) // 2, len(data) - 2)
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _jpeg_with_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0) claiming another size; the data stays as it was."""
    i = data.find(b"\xff\xc0")
    return data[:i + 5] + struct.pack(">HH", height, width) + data[i + 9:]


def _png(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height, with one tiny IDAT (valid CRCs)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _heic_cut_with_fixed_boxes(data: bytes, fraction: float) -> bytes:
    """A HEIC cut inside its 'mdat' whose box length is rewritten to the cut: every box looks whole, and
    only the item locations ('iloc') show that tiles are missing."""
    pos = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"mdat":
            cut = pos + 8 + int((length - 8) * fraction)
            return data[:pos] + struct.pack(">I", cut - pos) + data[pos + 4:cut]
        pos += length
    raise ValueError("no mdat box")


def write_photos(out: Path) -> list[Case]:
    """Write the photo cases into `out` and return them."""
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, data: bytes, expect: str, words: str = "") -> None:
        (out / name).write_bytes(data)
        cases.append(Case(name, expect, words))

    good = _good_files(out)
    for ext, data in good.items():
        add(f"good.{ext}", data, "ok")
        for fraction in TRUNCATIONS:
            add(f"cut{int(fraction * 100):02d}.{ext}", data[:int(len(data) * fraction)], "refuse",
                "truncated|corrupt|damaged")
        add(f"flipped.{ext}", _flip_bits(data, seed=len(ext)), "either")
    jpeg = good["jpg"]
    mid = len(jpeg) // 2
    add("scan_marker.jpg", jpeg[:mid] + b"\xff\xd1" + jpeg[mid + 2:], "refuse", "corrupt")
    add("scan_garbage.jpg", jpeg[:mid] + bytes(range(256)) * 4 + jpeg[mid + 1024:], "refuse", "corrupt|truncated")
    add("claims_15000x16000.jpg", _jpeg_with_size(jpeg, 15000, 16000), "refuse", "15000x16000.*truncated")
    add("padded_before_eoi.jpg", jpeg[:-2] + b"\0" * 16 + b"\xff\xd9", "ok")
    dqt = jpeg.find(b"\xff\xdb")  # libjpeg warns of stray bytes in the header but every pixel is intact
    add("stray_header_bytes.jpg", jpeg[:dqt] + b"\0\x11\x22" + jpeg[dqt:], "ok")
    add("trailing_data.jpg", jpeg + b"maker notes after the end marker" * 10, "ok")
    add("claims_15000x15000.png", _png(15000, 15000), "refuse", "15000x15000.*truncated")
    add("bomb.png", _png(100_000, 100_000), "refuse", "MP limit")
    add("tiles_missing.heic", _heic_cut_with_fixed_boxes(good["heic"], 0.6), "refuse", "truncated.*missing")
    add("tiles_missing_90.heic", _heic_cut_with_fixed_boxes(good["heic"], 0.9), "refuse", "truncated.*missing")
    add("empty.jpg", b"", "refuse", "empty")
    add("text.jpg", b"not a photo\n" * 100, "refuse", "not a supported image")
    add("header_only.tif", good["tif"][:8], "refuse", "TIFF.*truncated")
    add("zeros.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, "refuse", "PNG.*truncated or corrupt")
    return cases


def make_special(folder: Path) -> list[Case]:
    """Special files named like photos: every one must be refused before any read (no hang)."""
    cases = []
    os.mkfifo(folder / "fifo.jpg")
    cases.append(Case("fifo.jpg", "refuse", "named pipe"))
    os.symlink(folder / "fifo.jpg", folder / "link_to_fifo.jpg")
    cases.append(Case("link_to_fifo.jpg", "refuse", "named pipe.*symbolic link"))
    os.symlink("/dev/zero", folder / "zero.jpg")
    cases.append(Case("zero.jpg", "refuse", "character device"))
    os.symlink("/dev/urandom", folder / "random.heic")
    cases.append(Case("random.heic", "refuse", "character device"))
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(folder / "socket.png"))
        sock.close()  # the socket file stays
        cases.append(Case("socket.png", "refuse", "socket"))
    except OSError:  # path too long for AF_UNIX or sockets not allowed here
        pass
    return cases


# ---------------------------------------------------------------------------------------------- sidecars

def _sidecar(**fields) -> dict:
    base = {"format": "darkslide-sidecar", "version": 1, "rating": 0, "flag": None,
            "edit": {"operations": {}}}
    base.update(fields)
    return base


def _history(steps, index=0) -> dict:
    return _sidecar(history={"index": index, "steps": steps})


def sidecar_cases() -> list[tuple[str, bytes | str, str]]:
    """(name, content, words the refusal must contain) for broken sidecars; str content is JSON-encoded."""
    import json

    def j(value) -> str:
        return json.dumps(value)

    exposure = {"exposure": {"version": 1, "params": {"exposure_ev": 1.0}}}
    return [
        ("not_utf8", b"\xff\xfe{\x00}", "not UTF-8"),
        ("latin1", '{"format": "darkslide-sidecar", "label": "caf\xe9"}'.encode("latin-1"), "not UTF-8"),
        ("empty", b"", "not valid JSON"),
        ("truncated_json", j(_sidecar())[:40], "not valid JSON"),
        ("bom", b"\xef\xbb\xbf" + j(_sidecar()).encode(), "not valid JSON"),
        ("null", "null", "JSON table"),
        ("list", "[1, 2, 3]", "JSON table"),
        ("number", "42", "JSON table"),
        ("deep_lists", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("deep_tables", '{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        ("deep_look", j(_sidecar(edit={"operations": {}, "look": _nest(40)})), "nested too deeply"),
        ("wrong_format", j(_sidecar(format="lightroom")), "not a Darkslide sidecar"),
        ("no_format", j({"version": 1, "edit": {}}), "no 'format'"),
        ("no_version", j({"format": "darkslide-sidecar", "edit": {"operations": {}}}), "no 'version'"),
        ("version_text", j(_sidecar(version="1")), "'version' must be a whole number, not the text \"1\""),
        ("version_bool", j(_sidecar(version=True)), "'version' must be a whole number"),
        ("version_float", j(_sidecar(version=1.5)), "'version' must be a whole number"),
        ("version_future", j(_sidecar(version=9)), "version 9, written by a newer Darkslide"),
        ("version_zero", j(_sidecar(version=0)), "'version' must be 1 or more"),
        ("no_edit", j({"format": "darkslide-sidecar", "version": 1}), "no 'edit'"),
        ("edit_list", j(_sidecar(edit=[1])), "'edit' must be a table"),
        ("operations_list", j(_sidecar(edit={"operations": [1]})), "'operations' table"),
        ("unknown_operation", j(_sidecar(edit={"operations": {"teleport": {"version": 1}}})), "unknown operation"),
        ("op_version_text", j(_sidecar(edit={"operations": {"exposure": {"version": "1"}}})),
         "'version' must be a whole number"),
        ("param_out_of_range", j(_sidecar(edit={"operations": {"exposure": {"version": 1, "params": {
            "exposure_ev": 40}}}})), "outside"),
        ("param_text", j(_sidecar(edit={"operations": {"exposure": {"version": 1, "params": {
            "exposure_ev": "bright"}}}})), "expected a number"),
        ("param_nan", '{"format": "darkslide-sidecar", "version": 1, "edit": {"operations": {"exposure": '
                      '{"version": 1, "params": {"exposure_ev": NaN}}}}}', "NaN"),
        ("param_infinite", '{"format": "darkslide-sidecar", "version": 1, "edit": {"operations": {"exposure": '
                           '{"version": 1, "params": {"exposure_ev": 1e999}}}}}', "finite"),
        ("huge_integer", '{"format": "darkslide-sidecar", "version": 1' + "0" * 5000 + ', "edit": {}}',
         "cannot be read"),
        ("look_list", j(_sidecar(edit={"operations": {}, "look": [1]})), "'look' must be a table"),
        ("rating_text", j(_sidecar(rating="5")), "'rating' must be a whole number"),
        ("rating_high", j(_sidecar(rating=7)), "0 to 5"),
        ("flag_unknown", j(_sidecar(flag="maybe")), "'flag' must be"),
        ("history_not_table", j(_sidecar(history=[1])), "'history' must be a table"),
        ("history_no_steps", j(_history([])), "no steps"),
        ("history_index", j(_history([{"label": "Open", "edit": {"operations": {}}}], index=3)), "index 3"),
        ("history_step_list", j(_history([[1]])), "history step 1 must be a table"),
        ("history_label_number", j(_history([{"label": 7, "edit": {"operations": exposure}}])),
         "'label' must be text"),
        ("history_edit_missing", j(_history([{"label": "Open"}])), "history step 1 has no 'edit'"),
        ("lone_surrogate", '{"format": "darkslide-sidecar", "version": 1, "edit": {"operations": {}}, '
                           '"history": {"index": 0, "steps": [{"label": "\\ud800", "edit": {"operations": {}}}]}}',
         "not valid Unicode"),
    ]


def _nest(depth: int):
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def write_sidecars(folder: Path, photo: bytes) -> list[tuple[Path, str]]:
    """A copy of `photo` per broken sidecar (NAME.jpg + NAME.jpg.darkslide); (photo path, words)."""
    out = []
    for name, content, words in sidecar_cases():
        path = folder / f"{name}.jpg"
        path.write_bytes(photo)
        side = folder / f"{name}.jpg.darkslide"
        side.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        out.append((path, words))
    return out


def write_special_sidecars(folder: Path, photo: bytes) -> list[tuple[Path, str]]:
    """Sidecars that are a FIFO, a link to /dev/zero, a folder, or a (sparse) file above the size limit."""
    from editor.core import sidecar
    out = []
    specials = [("fifo_sidecar", lambda p: os.mkfifo(p), "named pipe"),
                ("zero_sidecar", lambda p: os.symlink("/dev/zero", p), "character device"),
                ("folder_sidecar", lambda p: p.mkdir(), "folder"),
                ("huge_sidecar", lambda p: _sparse(p, sidecar.MAX_BYTES + 1), "larger than")]
    for name, make, words in specials:
        path = folder / f"{name}.jpg"
        path.write_bytes(photo)
        make(folder / f"{name}.jpg.darkslide")
        out.append((path, words))
    return out


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as f:
        f.truncate(size)


def main(argv: list[str]) -> int:
    """Write the corpus into argv[0] and print, for each case, what Darkslide answers."""
    from editor.core import export, sources
    from editor.core.edit import Edit

    out = Path(argv[0])
    cases = write_photos(out) + make_special(out)
    good = (out / "good.jpg").read_bytes()
    sidecars = write_sidecars(out / "sidecars", good) if (out / "sidecars").mkdir() is None else []
    for case in cases:
        try:
            sources.open_photo(out / case.name).preview(128)
            export.export_photo(out / case.name, Edit(), export.ExportSettings(overwrite=True), out / "exported")
            answer = "opened and exported"
        except (sources.PhotoError, export.ExportError) as exc:
            answer = str(exc)
        print(f"[{case.expect:6}] {case.name}: {answer}")
    from editor.core.library import Library
    for entry in Library.scan(out / "sidecars").entries:
        print(f"[sidecar] {entry.name}: {entry.problem or 'read'}")
    print(f"{len(cases)} photo cases, {len(sidecars)} sidecar cases")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
