"""Auto tone: exposure, contrast, highlights, shadows, whites and blacks from the photo's histogram.

The model is a simple "auto levels" (darktable's and RawTherapee's auto levels stretch the histogram's
ends to black and white), spread over the Basic sliders so that each one does the job a photographer
uses it for. Measure a few percentiles of the photo's luminance (sRGB-encoded, 0..1), then choose each
slider in turn so that the tone curve the pipeline really applies (the operations' own `curves`, in
pipeline order) brings one statistic into the band a well-exposed photo with full tonal range has:

    exposure    median                          0.38 .. 0.54  (middle grey, 18 % linear, is 0.46; ±2 EV)
    contrast    inter-quartile spread (p75-p25) 0.30 .. 0.50
    highlights  95th percentile                 0.82 .. 0.95
    shadows     5th percentile                  0.04 .. 0.16
    whites      99.5th percentile               0.94 .. 1     (bright detail near white; clipped stays so)
    blacks      0.5th percentile                0 .. 0.05     (the darkest near black; black stays black)

A statistic inside its band leaves its slider at 0, so a photo that is already well exposed is left
alone; one outside is brought to the nearest edge of the band, no further, and every slider stays
within its LIMITS: Auto is a starting point, not a look. The operations act per channel; the model
applies them to luminance, exact for greys and close for natural colours.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.core.colour import LUMA, to_linear, to_srgb
from editor.core.ops import contrast, exposure, highlights_shadows, whites_blacks

PERCENTILES = {"lo": 0.5, "p5": 5.0, "q1": 25.0, "median": 50.0, "q3": 75.0, "p95": 95.0, "hi": 99.5}
MEDIAN_BAND = (0.38, 0.54)  # encoded luminance of the median a well-exposed photo has
MAX_EV = 2.0


@dataclass(frozen=True)
class Rule:
    slider: str  # the operation
    field: str  # its parameter
    statistic: str  # a percentile's name, or "spread" (q3 - q1)
    band: tuple[float, float]  # where the statistic of a well-exposed photo lies (encoded luminance)
    limits: tuple[float, float]  # how far Auto moves the slider
    step: float = 1.0  # the slider's resolution Auto works in


EXPOSURE = Rule("exposure", "exposure_ev", "median", MEDIAN_BAND, (-MAX_EV, MAX_EV), 0.05)
# In the order they are chosen: the middle first, then the ends (each later one sees the earlier ones);
# exposure is chosen again at the end, as contrast around its pivot moves a median that is off the pivot.
RULES = (
    EXPOSURE,
    Rule("contrast", "contrast", "spread", (0.30, 0.50), (-30, 50)),
    Rule("highlights_shadows", "highlights", "p95", (0.82, 0.95), (-70, 30)),
    Rule("highlights_shadows", "shadows", "p5", (0.04, 0.16), (-30, 60)),
    # A clipped end is not pulled back to grey: what is white in the photo stays white, black stays black.
    Rule("whites_blacks", "whites", "hi", (0.94, 1.0), (-40, 50)),
    Rule("whites_blacks", "blacks", "lo", (0.0, 0.05), (-50, 40)),
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


def _choose(rule: Rule, stats: dict[str, float], settings) -> float:
    """The slider value within the rule's limits that brings its statistic nearest its band's nearer edge
    (0 when it is inside the band; ties go to the smaller change)."""
    def statistic(value: float) -> float:
        trial = {**settings, rule.slider: {**settings.get(rule.slider, {}), rule.field: float(value)}}
        return _statistic(rule.statistic, stats, trial)
    low, high = rule.band
    now = statistic(0)
    if low <= now <= high:
        return 0
    target = low if now < low else high
    lo, hi = rule.limits
    values = [round(v * rule.step, 2) for v in range(round(lo / rule.step), round(hi / rule.step) + 1)]
    return min(values, key=lambda v: (round(abs(statistic(v) - target), 4), abs(v)))


def auto_tone(pixels) -> dict[str, dict[str, float]]:
    """The Basic tone settings for the photo `pixels` (sRGB 0..1, before any edit), as {op: {field: value}}:
    exposure in EV (0.05 steps), the others in slider units (-100..100, whole numbers)."""
    stats = luminance_percentiles(pixels)
    settings: dict[str, dict[str, float]] = {}
    for rule in (*RULES, EXPOSURE):
        value = _choose(rule, stats, settings)
        settings.setdefault(rule.slider, {})[rule.field] = float(value)
    return settings
