"""Renders one photo with every built-in look, labelled, as a contact sheet (docs/contact-sheet.jpg).

    python -m presets.contact_sheet [PHOTO] [--out docs/contact-sheet.jpg] [--width 300] [--columns 5]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pyvips

from editor.core.edit import Edit
from editor.core.pipeline import RenderContext, render
from presets.apply import apply_preset
from presets.looks import builtin_looks

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHOTO = ROOT / "resources" / "samples" / "DSCN0012.jpg"  # bundled (see its ATTRIBUTION.md)


def working_source(photo: Path, width: int) -> pyvips.Image:
    """The photo oriented, sRGB, 8-bit, 3 bands, about `width` pixels wide."""
    image = pyvips.Image.thumbnail(str(photo), width, height=width * 4)
    if image.hasalpha():
        image = image.flatten()
    return image.colourspace("srgb").cast("uchar")


def labelled(image: pyvips.Image, label: str) -> pyvips.Image:
    """`image` with `label` in black on a white strip below it."""
    text = pyvips.Image.text(label, font="sans 14", dpi=96, width=image.width - 12)
    mask = text.embed(6, 5, image.width, text.height + 10)
    caption = (255 - mask).cast("uchar")
    caption = caption.bandjoin([caption, caption]).copy(interpretation="srgb")
    return image.join(caption, "vertical")


def sheet(photo: Path, width: int = 300, columns: int = 5) -> pyvips.Image:
    source = working_source(photo, width)
    tiles = [labelled(source, "Original (no look)")]
    for look in builtin_looks():
        developed = render(source, apply_preset(Edit(), look), RenderContext(scale=width / 1600.0))
        tiles.append(labelled(developed, look.name))
    return pyvips.Image.arrayjoin(tiles, across=columns, shim=8, background=[255, 255, 255])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo", nargs="?", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "contact-sheet.jpg")
    parser.add_argument("--width", type=int, default=300)
    parser.add_argument("--columns", type=int, default=5)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet(args.photo, args.width, args.columns).write_to_file(str(args.out), Q=88, strip=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
