"""Builds the pyvips graph for an edit. Nothing is computed here: pixels flow when a sink pulls them.

Order: geometry (crop/straighten) -> the point-wise operations fused into one colour transform ->
spatial operations (sharpening, vignette, grain). The same `render` serves the preview (on a
shrink-on-load source) and export (on the full-resolution source); `RenderContext.scale` tells spatial
operations how many output pixels stand for one original pixel so radii and grain scale with the image.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyvips

from editor.core import fused
from editor.core.edit import Edit


@dataclass(frozen=True)
class RenderContext:
    scale: float = 1.0  # rendered pixels per full-resolution pixel
    seed: int = 0  # per-photo seed so that grain is the same in every render of one photo
    draft: bool = False  # an interim preview while a slider moves: coarser colour table, refined after
    white: float = 255.0  # full white of the float image spatial operations receive (set by render)


def render(source: pyvips.Image, edit: Edit, ctx: RenderContext = RenderContext()) -> pyvips.Image:
    """`source` (working space: sRGB uchar or ushort, 3 bands) developed with `edit`, as a lazy image."""
    image = source
    points: list[fused.Step] = []
    for op, params in edit.active():
        if op.kind == "geometry":
            image = op.module.build(image, params, ctx)
        elif op.kind in ("channel", "colour"):
            points.append(fused.Step.of(op, params))
    image = fused.apply(image, tuple(points), fused.DRAFT_GRID if ctx.draft else fused.GRID)
    spatial = [(op, params) for op, params in edit.active() if op.kind == "spatial"]
    if spatial:
        # One float image through all spatial operations, rounded back to 8/16 bits once at the end.
        fmt, interpretation = image.format, image.interpretation
        ctx = dataclasses.replace(ctx, white=65535.0 if fmt == "ushort" else 255.0)
        image = image.cast("float")
        for op, params in spatial:
            image = op.module.build(image, params, ctx)
        image = image.rint().cast(fmt).copy(interpretation=interpretation)
    return image
