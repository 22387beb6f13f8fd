"""Auto tone: exposure, contrast, highlights, shadows, whites and blacks from the photo's histogram.

The model is a simple "auto levels" (darktable's and RawTherapee's auto levels stretch the histogram's
ends to black and white), spread over the Basic sliders so that each one does the job a photographer
uses it for. Measure a few percentiles of the photo's luminance (sRGB-encoded, 0..1), then choose each
slider in turn so that the tone curve the pipeline really applies (the operations' own `curves`, in
pipeline order) moves one statistic to its target:

    exposure    median                          -> middle grey (18 % linear, 0.46 encoded)
    contrast    inter-quartile spread (p75-p25) -> 0.40
    highlights  95th percentile                 -> 0.90
    shadows     5th percentile                  -> 0.10
    whites      99.5th percentile               -> 0.98 (the brightest detail just below clipping)
    blacks      0.5th percentile                -> 0.02 (the darkest just above black)

A statistic already within TOLERANCE of its target leaves its slider at 0, so a photo that is already
well exposed changes little, and every slider stays within LIMITS: Auto is a starting point, not a
look. The targets are those of a typical well-exposed photo with full tonal range. The operations act
per channel; the model applies them to luminance, exact for greys and close for natural colours.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.core import auto
from editor.core.colour import LUMA, to_linear, to_srgb
from editor.core.ops import contrast, exposure, highlights_shadows, whites_blacks

PERCENTILES = {"lo": 0.5, "p5": 5.0, "q1": 25.0, "median": 50.0, "q3": 75.0, "p95": 95.0, "hi": 99.5}
TOLERANCE = 0.03  # encoded luminance: closer than this to its target, a statistic is left alone
EXPOSURE_TOLERANCE_EV = 0.1


@dataclass(frozen=True)
class Rule:
    slider: str  # (operation, field)
    field: str
    statistic: str  # a function of the percentiles, see _statistic
    target: float
    limits: tuple[int, int]


# In the order they are chosen: the middle first, then the ends (each later one sees the earlier ones).
RULES = (
    Rule("contrast", "contrast", "spread", 0.40, (-30, 60)),
    Rule("highlights_shadows", "highlights", "p95", 0.90, (-80, 40)),
    Rule("highlights_shadows", "shadows", "p5", 0.10, (-40, 80)),
    Rule("whites_blacks", "whites", "hi", 0.98, (-50, 60)),
    Rule("whites_blacks", "blacks", "lo", 0.02, (-60, 50)),
)


def luminance_percentiles(pixels) -> dict[str, float]:
    """PERCENTILES of the sRGB-encoded luminance of `pixels` (..., 3; sRGB values 0..1)."""
    lum = to_srgb(to_linear(np.asarray(pixels, dtype=np.float64).reshape(-1, 3)) @ LUMA)
    values = np.percentile(np.clip(lum, 0.0, 1.0), list(PERCENTILES.values()))
    return dict(zip(PERCENTILES, map(float, values)))


def tone(x: np.ndarray, settings: dict[str, dict[str, float]]) -> np.ndarray:
    """Encoded values `x` through the tone operations with `settings` ({op: {field: value}}), in pipeline
    order, clipped to 0..1 as the output is."""
    for module in (exposure, contrast, highlights_shadows, whites_blacks):
        x = module.curves(np.asarray(x, dtype=np.float64), module.Params(**settings.get(module.NAME, {})))[0]
    return np.clip(x, 0.0, 1.0)


def _statistic(name: str, stats: dict[str, float], settings) -> float:
    keys = ("q1", "q3") if name == "spread" else (name,)
    moved = tone(np.array([stats[k] for k in keys]), settings)
    return float(moved[1] - moved[0]) if name == "spread" else float(moved[0])


def _choose(rule: Rule, stats: dict[str, float], settings) -> int:
    """The slider value within the rule's limits that brings its statistic nearest the target (0 when it is
    already within TOLERANCE; ties go to the smaller change)."""
    def error(value: int) -> float:
        trial = {**settings, rule.slider: {**settings.get(rule.slider, {}), rule.field: float(value)}}
        return abs(_statistic(rule.statistic, stats, trial) - rule.target)
    if error(0) <= TOLERANCE:
        return 0
    lo, hi = rule.limits
    return min(range(lo, hi + 1), key=lambda v: (round(error(v), 4), abs(v)))


def auto_tone(pixels) -> dict[str, dict[str, float]]:
    """The Basic tone settings for the photo `pixels` (sRGB 0..1, before any edit), as {op: {field: value}}:
    exposure in EV (0.05 steps), the others in slider units (-100..100, whole numbers)."""
    stats = luminance_percentiles(pixels)
    ev = auto.auto_exposure(pixels)
    settings: dict[str, dict[str, float]] = {"exposure": {"exposure_ev": ev if abs(ev) > EXPOSURE_TOLERANCE_EV
                                                          else 0.0}}
    for rule in RULES:
        value = _choose(rule, stats, settings)
        settings.setdefault(rule.slider, {})[rule.field] = float(value)
    return settings
