"""`main.py presets ...`: list, show, import and export looks and user presets without the GUI."""
from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

from editor.core.atomic import write_atomic
from presets.formats import lut, native, xmp
from presets.model import PresetError
from presets.store import PresetStore

FORMATS = ("native", "xmp", "cube", "hald")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="preset store root (default: $DARKSLIDE_DATA_DIR or the user data folder)")
    subs = parser.add_subparsers(dest="presets_action", metavar="ACTION", required=True)
    subs.add_parser("list", help="list built-in looks and user presets")
    show = subs.add_parser("show", help="show a preset's description, recipe card and settings")
    show.add_argument("name")
    imp = subs.add_parser("import", help="import .json, Lightroom .xmp, .cube or Hald .png/.tif files")
    imp.add_argument("files", nargs="+", type=Path)
    exp = subs.add_parser("export", help="export a preset or look")
    exp.add_argument("name")
    exp.add_argument("--format", choices=FORMATS, default="native")
    exp.add_argument("--out", type=Path, required=True)
    exp.add_argument("--size", type=int, default=33, choices=(17, 33, 65), help="LUT points per axis (cube)")


def printable(text: str) -> str:
    """`text` with control and format characters shown as escapes: names and messages read from files
    (a hand-placed preset, a file name) must not reach the terminal raw (ESC sequences, newlines)."""
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cf") else c.encode("unicode_escape").decode()
                   for c in str(text))


def run(args: argparse.Namespace) -> int:
    store = PresetStore(args.data_dir)
    try:
        return {"list": _list, "show": _show, "import": _import, "export": _export}[args.presets_action](store, args)
    except PresetError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 1


def _list(store: PresetStore, args) -> int:
    for preset in store.all():
        kind = "built-in" if preset.builtin else "user"
        print(printable(f"{preset.name:28} {preset.group:12} {kind:8} {preset.description}"))
    for problem in store.problems():
        print(f"unreadable: {printable(problem)}", file=sys.stderr)
    return 0


def _show(store: PresetStore, args) -> int:
    preset = store.get(args.name)
    print(printable(f"{preset.name}  ({preset.group}{', built-in' if preset.builtin else ''})"))
    for label, value in (("Description", preset.description), ("Recipe", preset.recipe),
                         ("Suits", preset.suits), ("Provenance", preset.inspired_by), ("Author", preset.author),
                         ("Input", preset.input_space if preset.lut else "")):
        if value:
            print(printable(f"  {label + ':':12} {value}"))
    for op_name, values in preset.params.items():
        settings = ", ".join(f"{k}={_plain(v)}" for k, v in values.items())
        print(f"  {op_name}: {settings}")
    return 0


def _plain(value) -> str:
    if isinstance(value, tuple):
        return "[" + " ".join(f"({x:g},{y:g})" for x, y in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _import(store: PresetStore, args) -> int:
    failed = 0
    for path in args.files:
        try:
            result = store.import_file(path)
        except PresetError as exc:
            print(f"error: {printable(exc)}", file=sys.stderr)
            failed += 1
            continue
        for preset in result.presets:
            print(printable(f"imported '{preset.name}' from {path}"))
        if result.ignored:
            print(printable(f"  ignored (no Darkslide equivalent): {', '.join(result.ignored)}"))
        for warning in result.warnings:
            print(printable(f"  warning: {warning}"))
    return 1 if failed else 0


def _export(store: PresetStore, args) -> int:
    preset = store.get(args.name)
    # Exported files are for sharing: readable by others (0644), like exported photos.
    if args.format == "native":
        write_atomic(args.out, native.dumps(preset), shared=True)
    elif args.format == "xmp":
        text, skipped = xmp.dumps(preset)
        write_atomic(args.out, text, shared=True)
        if skipped:
            print(f"  not in Lightroom's vocabulary, left out: {', '.join(skipped)}")
    elif args.format == "cube":
        write_atomic(args.out, lut.dumps_cube(preset, args.size), shared=True)
        if lut.left_out(preset):
            print(f"  {lut.SPATIAL_NOTE}")
    else:
        lut.write_hald(preset, args.out)
    print(printable(f"exported '{preset.name}' to {args.out}"))
    return 0
