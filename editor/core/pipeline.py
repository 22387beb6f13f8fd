"""Builds the pyvips graph for an edit. Pixels flow when a sink pulls them; only a preview-sized colour
result that spatial operations read with margins is computed here, into memory.

Order: geometry (crop/straighten) -> the point-wise operations fused into one colour transform ->
spatial operations (sharpening, grain, vignette). The same `render` serves the preview (on a
shrink-on-load source) and export (on the full-resolution source); `RenderContext.scale` tells spatial
operations how many output pixels stand for one original pixel so radii and grain scale with the image.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyvips

from editor.core import fused
from editor.core.edit import Edit
from editor.core.ops import spatial as spatial_ops


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
        # Each spatial operation maps a pixel to rgb * gain + offset, alike in R, G and B, so the
        # luminance follows the same map: one luminance image feeds them all (each sees the luminance
        # after the operations before it, less their local detail: see DETAIL), and their composition
        # is applied once, rounded by the +0.5 and the truncating cast back to 8/16 bits.
        fmt, interpretation = image.format, image.interpretation
        ctx = dataclasses.replace(ctx, white=65535.0 if fmt == "ushort" else 255.0)
        held = False
        if any(op.reads_neighbours for op, _ in spatial):
            # A blur of the luminance asks the colour transform for a margin around each strip, and
            # the final step asks for the strip itself: libvips would compute the (costly) colour
            # transform twice for most pixels. Full-width cached strips compute it once; thin ones (8
            # rows) keep a thread from waiting long on a strip that the other thread is computing.
            # A preview-sized image is simply computed into memory first (a few MB): no cache locking.
            # Clarity and dehaze (READS_FAR) read hundreds of rows ahead through their shrunk copy: a
            # large image too is then computed once into memory (150 MB for 50 MP at 8 bits), as a cache
            # of strips would have to be that deep and a streamed (sequential) source cannot be re-read.
            held = (image.width * image.height <= spatial_ops.PREVIEW_PIXELS
                    or any(op.reads_far for op, _ in spatial))
            if held:
                image = image.copy_memory()
            else:
                image = image.tilecache(tile_width=image.width, tile_height=8, max_tiles=64, threaded=True)
        lum = spatial_ops.luminance(image, exact=any(op.exact_luminance(p, ctx) for op, p in spatial))
        if held:  # its readers (several blurs, shrunk copies, lookups) would each compute it again
            lum = lum.copy_memory()
        total = (None, None)
        for i, (op, params) in enumerate(spatial):
            step = op.module.affine(lum, params, ctx)
            total = spatial_ops.compose(total, step)
            if i + 1 < len(spatial):
                # Sharpening's offset is zero-mean detail: what comes after (grain's mid-tone weight)
                # reads the smooth luminance without it, one float pass fewer over every pixel.
                lum = spatial_ops.transform(lum, step[0], None if op.detail else step[1])
        gain, offset = total
        if gain is not None or offset is not None:
            out = spatial_ops.apply(image, gain, offset, ctx.white, bias=0.5)
            image = out.cast(fmt).copy(interpretation=interpretation)
    return image
