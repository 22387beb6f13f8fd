"""Builds the pyvips graph for an edit. Pixels flow when a sink pulls them; only preview-sized
intermediates that later steps read with margins, or read again in the next render, are computed here,
into memory.

Order: geometry (crop/straighten) -> local contrast (dehaze, clarity, texture) on the photo itself -> the
point-wise operations fused into one colour transform -> spatial operations (sharpening, grain,
vignette). The same `render` serves the preview (on a shrink-on-load source) and export (on the
full-resolution source); `RenderContext.scale` tells spatial operations how many output pixels stand for
one original pixel so radii and grain scale with the image.

Geometry and local contrast depend only on the photo and their own params, so the loupe's preview
(`RenderContext.interactive`) keeps its result of them in memory between renders (`_before_colour`):
moving any tone or colour slider then costs the colour transform and what follows it, with clarity and
dehaze on as without them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyvips

from editor.core import fused
from editor.core.edit import Edit
from editor.core.kept import Kept
from editor.core.ops import spatial as spatial_ops


@dataclass(frozen=True)
class RenderContext:
    scale: float = 1.0  # rendered pixels per full-resolution pixel
    seed: int = 0  # per-photo seed so that grain is the same in every render of one photo
    draft: bool = False  # an interim preview while a slider moves: coarser colour table, refined after
    white: float = 255.0  # full white of the float image spatial operations receive (set by render)
    # The app's loupe: rendered again and again as sliders move, so the photo after geometry and local
    # contrast is kept in memory for the next render (thumbnails and exports are rendered once)
    interactive: bool = False


def render(source: pyvips.Image, edit: Edit, ctx: RenderContext = RenderContext()) -> pyvips.Image:
    """`source` (working space: sRGB uchar or ushort, 3 bands) developed with `edit`, as a lazy image."""
    active = edit.active()
    image = _before_colour(source, [(op, p) for op, p in active if op.kind in ("geometry", "local")], ctx)
    points = tuple(fused.Step.of(op, p) for op, p in active if op.kind in ("channel", "colour"))
    image = fused.apply(image, points, fused.DRAFT_GRID if ctx.draft else fused.GRID)
    spatial = [(op, p) for op, p in active if op.kind == "spatial"]
    return _affine_stage(image, spatial, ctx) if spatial else image


def _before_colour(source: pyvips.Image, steps: list, ctx: RenderContext) -> pyvips.Image:
    """`source` after the geometry and local-contrast `steps`; for an interactive preview, computed into
    memory once and reused by the next renders with the same steps (the last few are kept)."""
    if not steps:
        return source
    if not ctx.interactive or source.width * source.height > spatial_ops.PREVIEW_PIXELS:
        return _geometry_and_local(source, steps, ctx)
    key = (tuple((op.name, params) for op, params in steps), ctx.scale, ctx.seed)
    # While a local-contrast slider moves, each operation's analysis (its blurs, the dark channel) is the
    # same as long as the geometry and what came before it are: `memo` keeps it for this source.
    frame = (tuple((op.name, params) for op, params in steps if op.kind == "geometry"), ctx.scale, ctx.seed)

    def memo(analysis_key, make):
        return _analyses.get(source, (frame, analysis_key), make)
    return _kept.get(source, key, lambda: _geometry_and_local(source, steps, ctx, memo).copy_memory())


# The last preview results of `_before_colour`: the settled preview and the drag draft of the open photo,
# so neither evicts the other while a slider moves (each keeps its source alive: 2 x 29 MB at most, for
# a 4K loupe).
_kept = Kept(2)
# Local-contrast analyses: the three operations', for the settled preview and the draft (a few MB each)
_analyses = Kept(6)


def _geometry_and_local(image: pyvips.Image, steps: list, ctx: RenderContext, memo=None) -> pyvips.Image:
    for op, params in steps:
        if op.kind == "geometry":
            image = op.module.build(image, params, ctx)
    local = [(op, params) for op, params in steps if op.kind == "local"]
    return _affine_stage(image, local, ctx, memo) if local else image


def _shared(lum: pyvips.Image, held: bool, readers: list) -> pyvips.Image:
    """The luminance computed once for `readers` that read around each pixel (several blurs, shrunk
    copies, lookups would each compute it again): into memory if the stage holds its input, else
    through cached strips."""
    if held:
        return lum.copy_memory()
    if any(op.reads_neighbours for op, _ in readers):
        return lum.tilecache(tile_width=lum.width, tile_height=8, max_tiles=64, threaded=True)
    return lum


def _affine_stage(image: pyvips.Image, steps: list, ctx: RenderContext, memo=None) -> pyvips.Image:
    """`image` (uchar or ushort) through local or spatial operations, keeping its format. `memo(key,
    make)`, if given, returns a kept analysis (see contract.Spatial.analyse) for `key` or makes one.

    Each maps a pixel to rgb * gain + offset, alike in R, G and B, so the luminance follows the same map:
    one luminance image feeds them all (each sees the luminance after the operations before it, less
    their local detail: see DETAIL), and their composition is applied once, rounded by the +0.5 and the
    truncating cast back to 8/16 bits."""
    fmt, interpretation = image.format, image.interpretation
    ctx = dataclasses.replace(ctx, white=65535.0 if fmt == "ushort" else 255.0)
    held = False
    if any(op.reads_neighbours for op, _ in steps):
        # A blur of the luminance asks the input for a margin around each strip, and the final step asks
        # for the strip itself: libvips would compute the (costly) input twice for most pixels (the colour
        # transform, or the decoding and rotation of the photo). Full-width cached strips compute it
        # once; thin ones (8 rows) keep a thread from waiting long on a strip that the other thread is
        # computing. A preview-sized image is simply computed into memory first (a few MB: no locking).
        # Clarity and dehaze (READS_FAR) read hundreds of rows ahead through their shrunk copies: a large
        # input too is then computed once into memory (150 MB for 50 MP at 8 bits), as a streamed
        # (sequential) source cannot be read twice and a cache of strips would have to be deeper than a
        # quarter of the photo (measured at 50 MP; slower than holding it, on these 2 cores).
        held = (image.width * image.height <= spatial_ops.PREVIEW_PIXELS
                or any(op.reads_far for op, _ in steps))
        if held:
            image = image.copy_memory()
        else:
            image = image.tilecache(tile_width=image.width, tile_height=8, max_tiles=64, threaded=True)
    lum = _shared(spatial_ops.luminance(image, exact=any(op.exact_luminance(p, ctx) for op, p in steps)),
                  held, steps)
    total = (None, None)
    before = ()  # the operations that changed the luminance the next one reads (its analysis depends on them)
    for i, (op, params) in enumerate(steps):
        if memo is not None and op.analyse is not None:
            analysis = memo((op.name, lum.format, before), lambda: op.analyse(lum, ctx))
            step = op.module.affine(lum, params, ctx, analysis)
        else:
            step = op.module.affine(lum, params, ctx)
        total = spatial_ops.compose(total, step)
        # Sharpening's offset is zero-mean detail: what comes after (grain's mid-tone weight) reads the
        # smooth luminance without it, one float pass fewer over every pixel.
        lum_gain, lum_offset = step[0], None if op.detail else step[1]
        if i + 1 < len(steps) and (lum_gain is not None or lum_offset is not None):
            lum = _shared(spatial_ops.transform(lum, lum_gain, lum_offset), held, steps[i + 1:])
            before += ((op.name, params),)
    gain, offset = total
    if gain is None and offset is None:
        return image
    out = spatial_ops.apply(image, gain, offset, ctx.white, bias=0.5)
    return out.cast(fmt).copy(interpretation=interpretation)
