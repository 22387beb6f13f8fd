"""What an operation module must and may define: the one place a new operation's author reads.

An operation is a module in `editor/core/ops/` listed in `ops._MODULES` (pipeline order). It is seen by
the rest of Darkslide only through `ops.Operation`, which reads the hooks below; nothing else reads a
module's attributes. `check(module)` lists what a module is missing (run on every module at import and
by tests/core/test_ops.py), so a typo in a hook's name fails loudly instead of being silently skipped.

Every kind (`Base`):
    NAME, LABEL, VERSION (int, bump when saved params change meaning), KIND (one of KINDS) and a frozen
    dataclass `Params` whose fields are built with `editor.core.params.param()` (range, default, label).
    Optional: `migrate(version, data) -> data` brings params saved by an older VERSION forward;
    `is_identity(params) -> bool` when some non-default params still leave the image unchanged.

Then, by KIND, the Protocol of that kind (`Geometry`, `Local`, `Channel`, `Colour`, `Spatial`). Optional hooks
and their defaults (used when a module does not define them) are in `OPTIONAL`.
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pyvips

KINDS = ("geometry", "local", "channel", "colour", "spatial")


class Base(Protocol):
    """Declarations every operation module has."""

    NAME: str
    LABEL: str
    VERSION: int
    KIND: str
    Params: type


class Geometry(Base, Protocol):
    """Crop / rotate: applied first, on the source image (preview or full size)."""

    def build(self, image: pyvips.Image, params: Any, ctx: Any) -> pyvips.Image:
        """`image` transformed; `ctx` is the pipeline's RenderContext (ctx.scale: rendered pixels per
        original pixel)."""


class Channel(Base, Protocol):
    """A per-channel tone curve, fused with the other point-wise operations (editor.core.fused)."""

    def curves(self, x: np.ndarray, params: Any) -> np.ndarray:
        """(3, len(x)) output values for the sRGB-encoded inputs `x` (0..1), one row per R, G, B."""


class Colour(Base, Protocol):
    """A point-wise colour transform, fused into one 33^3 table per render (editor.core.fused).

    Optional `transform_lab(lab, params) -> lab`: the same on OkLab values (may leave the sRGB gamut).
    Consecutive operations that have it are chained in OkLab and brought into gamut once at constant hue.
    Optional `cache_token(params) -> hashable`: stands for inputs outside the params (a LUT file's
    modification stamp) so that a cached fused table is not reused once they change."""

    def transform(self, rgb: np.ndarray, params: Any) -> np.ndarray:
        """numpy (..., 3) sRGB-encoded 0..1 in and out; exact float (no rounding)."""


class Spatial(Base, Protocol):
    """An operation applied after the colour transform that reads or places pixels (sharpening, grain,
    vignette).

    It changes R, G and B alike: rgb -> rgb * gain + offset, with one-band gain and offset derived
    from the luminance, so the pipeline feeds one luminance image to all of them and applies their
    composition once (editor.core.pipeline, editor.core.ops.spatial).
    Optional `READS_NEIGHBOURS = True` when `affine` reads around each pixel (a blur): the pipeline then
    caches its input so the margin does not recompute the colour transform.
    Optional `READS_FAR = True` when it reads hundreds of rows around each pixel (clarity, dehaze): the
    pipeline then holds a large input in memory instead (a cache of strips would have to be that deep,
    and a streamed source cannot be read back).
    Optional `DETAIL = True` when the offset is zero-mean local detail: later spatial operations read the
    luminance without it.
    Optional `exact_luminance(params, ctx) -> bool`: True when the luminance must be read finer than 8 bits
    (uchar) for these params; otherwise `affine` may receive an 8-bit luminance.
    Optional `analyse(lum, ctx) -> analysis`: the part of `affine`'s work that depends on the luminance and
    ctx alone, not on params (blurs, the dark channel), held in memory for a preview. A module that has it
    takes it as `affine(lum, params, ctx, analysis=None)` (None: computed there); the pipeline keeps it for
    the loupe while the operation's own sliders move."""

    def affine(self, lum: pyvips.Image, params: Any, ctx: Any) -> tuple[Any, Any]:
        """(gain, offset) for the one-band luminance `lum` (full white = ctx.white): each a one-band
        image, a `spatial.Lookup`, or None for "no change"."""

    def build(self, image: pyvips.Image, params: Any, ctx: Any) -> pyvips.Image:
        """The operation alone on `image`; usually `spatial.build(affine, image, params, ctx)`."""


class Local(Spatial, Protocol):
    """A local-contrast operation (clarity, texture, dehaze): the same contract as `Spatial`, but applied
    to the photo itself, after geometry and *before* the colour transform, as Lightroom applies its
    Presence controls to the scene before the tone and colour adjustments. Its luminance is the photo's,
    so the pipeline keeps a preview's result between renders and a change of any colour slider reuses it."""


PROTOCOLS: dict[str, type] = {"geometry": Geometry, "local": Local, "channel": Channel, "colour": Colour,
                               "spatial": Spatial}

# Optional hooks: name -> (kinds that may define it, default when a module does not).
OPTIONAL: dict[str, tuple[tuple[str, ...], Any]] = {
    "migrate": (KINDS, None),
    "is_identity": (KINDS, None),
    "transform_lab": (("colour",), None),
    "cache_token": (("colour",), None),
    "READS_NEIGHBOURS": (("local", "spatial"), False),
    "READS_FAR": (("local", "spatial"), False),
    "DETAIL": (("local", "spatial"), False),
    "exact_luminance": (("local", "spatial"), None),
    "analyse": (("local", "spatial"), None),
}


def required(kind: str) -> tuple[str, ...]:
    """The names a module of `kind` must define (Base's declarations and its kind's functions)."""
    protocol = PROTOCOLS[kind]
    names = [n for cls in reversed(protocol.__mro__) if cls not in (Protocol, object, Base)
             for n in vars(cls) if not n.startswith("_")]
    return tuple(Base.__annotations__) + tuple(dict.fromkeys(names))


def hook(module, name: str) -> Any:
    """An optional hook of `module` (see OPTIONAL), or its default."""
    kinds, default = OPTIONAL[name]
    return getattr(module, name, default) if module.KIND in kinds else default


def check(module) -> list[str]:
    """What `module` lacks or defines wrongly for its KIND, in words (empty when it follows the contract)."""
    name = getattr(module, "__name__", repr(module))
    kind = getattr(module, "KIND", None)
    if kind not in PROTOCOLS:
        return [f"{name}: KIND is {kind!r}, expected one of {', '.join(KINDS)}"]
    problems = [f"{name}: a {kind} operation must define {attr}" for attr in required(kind)
                if not hasattr(module, attr)]
    for attr, (kinds, _) in OPTIONAL.items():
        if hasattr(module, attr) and kind not in kinds:
            problems.append(f"{name}: {attr} is read only for {'/'.join(kinds)} operations, not {kind}")
    for attr in ("migrate", "is_identity", "transform_lab", "cache_token", "exact_luminance", "analyse"):
        if hasattr(module, attr) and not callable(getattr(module, attr)):
            problems.append(f"{name}: {attr} must be a function")
    return problems

