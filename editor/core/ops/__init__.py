"""The develop operations, one module each, in the fixed order the pipeline applies them.

What a module must and may define is written once, in editor.core.ops.contract (a Protocol per kind and
the optional hooks with their defaults); every module is checked against it here, at import. In short:
  NAME, LABEL, VERSION, KIND and a frozen dataclass `Params` whose fields are built with `param()`;
  optionally `migrate(version, data) -> data` to bring params saved by an older VERSION forward, and
  `is_identity(params) -> bool` when some non-default params still leave the image unchanged.
and, by KIND, one pure function:
  "geometry"  build(image, params, ctx) -> image      crop / rotate, applied first
  "local"     as "spatial" below: clarity, texture, dehaze, applied to the photo next, before the colour
  "channel"   curves(x, params) -> (3, len(x)) array  per-channel tone curves on sRGB-encoded 0..1
  "colour"    transform(rgb, params) -> rgb           numpy (..., 3) sRGB-encoded, point-wise
              optionally also transform_lab(lab, params) -> lab on OkLab values, which may leave the
              sRGB gamut: consecutive such operations are chained in OkLab and brought back into gamut
              once, at constant hue (editor.core.fused.evaluate)
  "spatial"   affine(lum, params, ctx) -> (gain, offset) and build(image, params, ctx) -> image:
              sharpening, grain, vignette, applied last; optional READS_NEIGHBOURS, READS_FAR,
              DETAIL, exact_luminance, analyse
Channel and colour operations are fused into one colour transform per render (editor.core.fused).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from editor.core.params import ParamError, Spec, from_dict, specs, to_dict
from editor.core.ops import contract
from editor.core.ops import (bw_mix, clarity, color_grading, contrast, crop, dehaze, exposure, grain,
                             highlights_shadows, hsl, lut3d, parametric_curve, saturation, sharpening, texture,
                             tone_curve, vibrance, vignette, white_balance, whites_blacks)

@dataclass(frozen=True)
class Operation:
    """An operation module seen through its declarations."""

    module: ModuleType

    @property
    def name(self) -> str:
        return self.module.NAME

    @property
    def label(self) -> str:
        return self.module.LABEL

    @property
    def version(self) -> int:
        return self.module.VERSION

    @property
    def kind(self) -> str:
        return self.module.KIND

    @property
    def Params(self):
        return self.module.Params

    @property
    def specs(self) -> tuple[Spec, ...]:
        return specs(self.module.Params)

    def spec(self, name: str) -> Spec:
        return next(s for s in self.specs if s.name == name)

    def defaults(self):
        return self.module.Params()

    def is_identity(self, params) -> bool:
        check = contract.hook(self.module, "is_identity")
        return check(params) if check else params == self.defaults()

    # The optional hooks of the contract, with their defaults when the module does not define them.
    @property
    def reads_neighbours(self) -> bool:
        return bool(contract.hook(self.module, "READS_NEIGHBOURS"))

    @property
    def reads_far(self) -> bool:
        return bool(contract.hook(self.module, "READS_FAR"))

    @property
    def detail(self) -> bool:
        return bool(contract.hook(self.module, "DETAIL"))

    @property
    def transform_lab(self):
        """The OkLab form of a colour operation's transform, or None."""
        return contract.hook(self.module, "transform_lab")

    @property
    def analyse(self):
        """A local or spatial operation's params-free analysis of the luminance (see contract), or None."""
        return contract.hook(self.module, "analyse")

    def cache_token(self, params):
        token = contract.hook(self.module, "cache_token")
        return token(params) if token else None

    def exact_luminance(self, params, ctx) -> bool:
        check = contract.hook(self.module, "exact_luminance")
        return bool(check and check(params, ctx))

    def dump(self, params) -> dict[str, Any]:
        """Only the params that differ from their defaults, as plain values."""
        defaults = to_dict(self.defaults())
        return {k: v for k, v in to_dict(params).items() if v != defaults[k]}

    def load(self, data: dict[str, Any], version: int | None = None, *, strict: bool = True):
        """Params from saved `data`, migrated forward from `version`; raises ParamError."""
        version = self.version if version is None else version
        if version > self.version:
            raise ParamError(f"{self.name} params are version {version}, newer than this Darkslide "
                             f"understands ({self.version}); update Darkslide")
        migrate = contract.hook(self.module, "migrate")
        if version < self.version and migrate:
            data = migrate(version, dict(data))
        return from_dict(self.module.Params, data, strict=strict)

    def replace(self, params, **values):
        """A copy of `params` with `values` validated against their declarations."""
        checked = {k: self.spec(k).validate(v) for k, v in values.items()}
        return dataclasses.replace(params, **checked)


_MODULES = (crop, dehaze, clarity, texture, white_balance, exposure, contrast, highlights_shadows, whites_blacks,
            parametric_curve, tone_curve, vibrance, saturation, hsl, bw_mix, color_grading, lut3d, sharpening, grain,
            vignette)
_PROBLEMS = [problem for m in _MODULES for problem in contract.check(m)]
if _PROBLEMS:  # a programming error in an operation module: say which and what, at import
    raise TypeError("operation modules break editor.core.ops.contract:\n  " + "\n  ".join(_PROBLEMS))
OPERATIONS: tuple[Operation, ...] = tuple(Operation(m) for m in _MODULES)
BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}


def get(name: str) -> Operation:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ParamError(f"unknown operation '{name}' (known: {', '.join(BY_NAME)})") from None
