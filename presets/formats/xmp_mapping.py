"""The Lightroom / Camera Raw (`crs:`) settings Darkslide reads and writes, and why it skips the others.

One table per concern; presets/formats/xmp.py applies them and docs/lightroom-mapping.md explains them.
Every `crs:` setting of a preset ends up in one of: NUMERIC (a slider on the same or a converted scale),
a special case in xmp.py (white balance, curves, profiles, grading's global wheel, B&W), BOOKKEEPING
(no effect on pixels) or a reason in `why_ignored` — so an import report names every one.
"""
from __future__ import annotations

import colorsys
from typing import Any, Callable

import numpy as np

from editor.core.colour import BAND_NAMES, hue_of_srgb

# Lightroom's colour names for the eight HSL / B&W bands, in Darkslide's BAND_NAMES order.
LR_BANDS = ("Red", "Orange", "Yellow", "Green", "Aqua", "Blue", "Purple", "Magenta")


def lr_hue_to_oklab(h: float) -> float:
    """Lightroom's hue wheel (HSV hue, degrees) to the OkLab hue angle Darkslide's grading uses."""
    return round(hue_of_srgb(colorsys.hsv_to_rgb((h % 360) / 360.0, 1.0, 1.0)), 1) % 360


_HSV_HUES = np.arange(0, 360, 0.5)
_OK_HUES = np.array([hue_of_srgb(colorsys.hsv_to_rgb(h / 360.0, 1.0, 1.0)) for h in _HSV_HUES])


def oklab_hue_to_lr(h: float) -> float:
    """Inverse of lr_hue_to_oklab (nearest of half-degree samples)."""
    d = np.abs((_OK_HUES - h + 180) % 360 - 180)
    return float(_HSV_HUES[int(np.argmin(d))])


# (crs name, op, param, convert from Lightroom, convert to Lightroom or None: import only).
Mapping = tuple[str, str, str, Callable[[float], Any], Callable[[Any], Any] | None]
_same: Callable[[Any], Any] = lambda v: v


def _numeric() -> list[Mapping]:
    rows: list[Mapping] = [
        ("Exposure2012", "exposure", "exposure_ev", _same, _same),
        ("Contrast2012", "contrast", "contrast", _same, _same),
        ("Highlights2012", "highlights_shadows", "highlights", _same, _same),
        ("Shadows2012", "highlights_shadows", "shadows", _same, _same),
        ("Whites2012", "whites_blacks", "whites", _same, _same),
        ("Blacks2012", "whites_blacks", "blacks", _same, _same),
        ("IncrementalTemperature", "white_balance", "temperature", _same, _same),
        ("IncrementalTint", "white_balance", "tint", _same, _same),
        ("Vibrance", "vibrance", "vibrance", _same, _same),
        ("Saturation", "saturation", "saturation", _same, _same),
        ("Clarity2012", "clarity", "amount", _same, _same),
        ("Texture", "texture", "amount", _same, _same),
        ("Dehaze", "dehaze", "amount", _same, _same),
        ("ParametricShadows", "parametric_curve", "shadows", _same, _same),
        ("ParametricDarks", "parametric_curve", "darks", _same, _same),
        ("ParametricLights", "parametric_curve", "lights", _same, _same),
        ("ParametricHighlights", "parametric_curve", "highlights", _same, _same),
        ("ParametricShadowSplit", "parametric_curve", "shadow_split", _same, _same),
        ("ParametricMidtoneSplit", "parametric_curve", "midtone_split", _same, _same),
        ("ParametricHighlightSplit", "parametric_curve", "highlight_split", _same, _same),
        # Lightroom Classic writes the shadow and highlight wheels of Color Grading under their old
        # Split Toning names, the mid-tone wheel, the luminances and blending as ColorGrade*.
        ("SplitToningShadowHue", "color_grading", "shadows_hue", lr_hue_to_oklab, oklab_hue_to_lr),
        ("SplitToningShadowSaturation", "color_grading", "shadows_sat", _same, _same),
        ("SplitToningHighlightHue", "color_grading", "highlights_hue", lr_hue_to_oklab, oklab_hue_to_lr),
        ("SplitToningHighlightSaturation", "color_grading", "highlights_sat", _same, _same),
        ("SplitToningBalance", "color_grading", "balance", _same, _same),
        ("ColorGradeMidtoneHue", "color_grading", "midtones_hue", lr_hue_to_oklab, oklab_hue_to_lr),
        ("ColorGradeMidtoneSat", "color_grading", "midtones_sat", _same, _same),
        ("ColorGradeShadowLum", "color_grading", "shadows_lum", _same, _same),
        ("ColorGradeMidtoneLum", "color_grading", "midtones_lum", _same, _same),
        ("ColorGradeHighlightLum", "color_grading", "highlights_lum", _same, _same),
        ("ColorGradeBlending", "color_grading", "blending", _same, _same),
        ("GrainAmount", "grain", "amount", _same, _same),
        ("GrainSize", "grain", "size", _same, _same),
        ("GrainFrequency", "grain", "roughness", _same, _same),
        ("PostCropVignetteAmount", "vignette", "amount", _same, _same),
        ("PostCropVignetteMidpoint", "vignette", "midpoint", _same, _same),
        ("PostCropVignetteFeather", "vignette", "feather", _same, _same),
        ("PostCropVignetteRoundness", "vignette", "roundness", _same, _same),
        ("Sharpness", "sharpening", "amount", _same, _same),
        ("SharpenRadius", "sharpening", "radius", _same, _same),
        ("SharpenDetail", "sharpening", "detail", _same, _same),
        ("SharpenEdgeMasking", "sharpening", "masking", _same, _same),
    ]
    for lr, band in zip(LR_BANDS, BAND_NAMES):
        rows += [(f"HueAdjustment{lr}", "hsl", f"{band}_hue", _same, _same),
                 (f"SaturationAdjustment{lr}", "hsl", f"{band}_saturation", _same, _same),
                 (f"LuminanceAdjustment{lr}", "hsl", f"{band}_luminance", _same, _same),
                 (f"GrayMixer{lr}", "bw_mix", band, _same, _same)]
    return rows


NUMERIC = _numeric()
BY_NAME = {row[0]: row for row in NUMERIC}

# Other spellings of a mapped setting: read when the usual name is absent, else reported as a duplicate.
ALIASES = {"ColorGradeShadowHue": "SplitToningShadowHue", "ColorGradeShadowSat": "SplitToningShadowSaturation",
           "ColorGradeHighlightHue": "SplitToningHighlightHue",
           "ColorGradeHighlightSat": "SplitToningHighlightSaturation", "ColorGradeBalance": "SplitToningBalance",
           "Clarity": "Clarity2012"}

CURVES = {"ToneCurvePV2012": "master", "ToneCurvePV2012Red": "red", "ToneCurvePV2012Green": "green",
          "ToneCurvePV2012Blue": "blue"}
# Lightroom's named point curves (0..255), used when a preset names one without listing its points.
NAMED_CURVES = {"Linear": ((0, 0), (255, 255)),
                "Medium Contrast": ((0, 0), (32, 22), (64, 56), (128, 128), (192, 196), (255, 255)),
                "Strong Contrast": ((0, 0), (32, 16), (64, 50), (128, 128), (192, 202), (255, 255))}

# Camera profiles (crs:Look's name or crs:CameraProfile): B&W, or the documented approximation of the
# profile's rendering relative to Adobe Color, added to the preset's own sliders (scaled by the Look's
# Amount). Adobe publishes no numbers; these follow its descriptions ("Vivid: more saturation and
# contrast", "Landscape: more vivid skies and foliage", "Portrait: gentler skin", "Neutral: low
# contrast, for heavy editing").
BW = "bw"
PROFILES: dict[str, Any] = {
    "Adobe Color": {}, "Adobe Standard": {}, "Camera Standard": {}, "Camera Faithful": {},
    "Adobe Monochrome": BW, "Adobe Standard B&W": BW, "Camera Monochrome": BW, "Monochrome": BW,
    "Adobe Vivid": {"contrast.contrast": 10.0, "saturation.saturation": 10.0, "vibrance.vibrance": 10.0},
    "Camera Vivid": {"contrast.contrast": 10.0, "saturation.saturation": 10.0, "vibrance.vibrance": 10.0},
    "Adobe Landscape": {"vibrance.vibrance": 15.0, "contrast.contrast": 5.0, "hsl.blue_saturation": 8.0,
                        "hsl.green_saturation": 8.0},
    "Camera Landscape": {"vibrance.vibrance": 15.0, "contrast.contrast": 5.0, "hsl.blue_saturation": 8.0,
                         "hsl.green_saturation": 8.0},
    "Adobe Portrait": {"contrast.contrast": -5.0, "hsl.orange_saturation": -8.0, "hsl.red_saturation": -5.0},
    "Camera Portrait": {"contrast.contrast": -5.0, "hsl.orange_saturation": -8.0, "hsl.red_saturation": -5.0},
    "Adobe Neutral": {"contrast.contrast": -20.0, "saturation.saturation": -8.0},
    "Camera Neutral": {"contrast.contrast": -20.0, "saturation.saturation": -8.0},
}

# Settings that describe the preset, not the picture.
BOOKKEEPING = {
    "PresetType": "preset kind", "Name": "the preset's name", "UUID": "identifier", "Group": "the group shown",
    "Version": "Camera Raw version that wrote it", "ProcessVersion": "process version (Darkslide has one)",
    "SupportsAmount": "support flag", "SupportsAmount2": "support flag", "SupportsColor": "support flag",
    "SupportsMonochrome": "support flag", "SupportsHighDynamicRange": "support flag",
    "SupportsNormalDynamicRange": "support flag", "SupportsSceneReferred": "support flag",
    "SupportsOutputReferred": "support flag", "CameraModelRestriction": "camera restriction (none applies)",
    "Copyright": "author's note", "ContactInfo": "author's note", "Description": "description",
    "ShortName": "display name", "SortName": "display name", "Cluster": "grouping", "HasSettings": "flag",
    "RequiresRGBTables": "flag", "RequiresRenditionBehavior": "flag", "PresetSubtype": "preset kind",
    "Amount": "preset amount slider (Darkslide's look amount does this)",
}

# Names some hand-written presets use that Lightroom does not: it ignores them, so does Darkslide.
NOT_ADOBE = {"SharpnessRadius": "SharpenRadius", "SharpnessDetail": "SharpenDetail",
             "SharpnessEdgeMasking": "SharpenEdgeMasking", "SharpnessMasking": "SharpenEdgeMasking",
             "GrainRoughness": "GrainFrequency"}

# (name prefixes, why) for settings Darkslide has no equivalent of; the first match wins.
_UNSUPPORTED = (
    (("LensProfile", "LensManual", "AutoLateralCA", "Defringe", "ChromaticAberration", "VignetteAmount",
      "VignetteMidpoint", "LateralCA"), "lens correction: needs the camera's lens profile; Darkslide has none"),
    (("Perspective", "Upright", "AutoPerspective"), "perspective (Upright) correction: not supported"),
    (("LuminanceSmoothing", "LuminanceNoiseReduction", "ColorNoiseReduction", "NoiseReduction", "Enhance"),
     "noise reduction / Enhance: not supported"),
    (("RedHue", "RedSaturation", "GreenHue", "GreenSaturation", "BlueHue", "BlueSaturation", "ShadowTint"),
     "camera calibration: Darkslide edits rendered RGB, with no camera primaries to adjust"),
    (("PostCropVignetteStyle", "PostCropVignetteHighlightContrast"),
     "vignette style: Darkslide's vignette has one style (like Highlight Priority)"),
    (("Mask", "GradientBasedCorrections", "CircularGradientBasedCorrections", "PaintBasedCorrections",
      "RetouchInfo", "RetouchAreas", "RedEyeInfo", "Local"), "local adjustments (masks, brushes, retouch): "
                                                              "not supported"),
    (("Crop", "HasCrop"), "crop: a preset applies to photos of any shape, so crops are not taken from it"),
    (("Auto",), "automatic setting: needs Lightroom's own analysis of the photo"),
    (("HDR", "SDR", "Gamut", "Output"), "HDR / output settings: not supported"),
    (("GrainSeed",), "grain seed: Darkslide seeds grain per photo"),
    (("CurveRefineSaturation",), "tone curve saturation refinement: not supported"),
    (("LookTable", "RGBTable", "Table_", "LookName"), "embedded colour table of a profile: not read"),
    (("Brightness", "FillLight", "HighlightRecovery", "Recovery", "Exposure", "Contrast", "Shadows",
      "ToneCurveName", "ToneCurve"), "process 2010 (or older) setting, superseded by the *2012 ones"),
    (("ColorGradeGlobal",), "(folded into the three regions of colour grading)"),
    (("Point",), "point colour: not supported"),
    (("LensBlur",), "lens blur: not supported"),
)


def why_ignored(name: str) -> str:
    """Why the setting `name` is not mapped, in words (every name gets one)."""
    if name in NOT_ADOBE:
        return f"not a Camera Raw setting (Lightroom's is {NOT_ADOBE[name]}); Lightroom ignores it too"
    for prefixes, why in _UNSUPPORTED:
        if name.startswith(prefixes):
            return why
    return "not in Darkslide's mapping (docs/lightroom-mapping.md); no equivalent"
