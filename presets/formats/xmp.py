"""Lightroom / Camera Raw presets (.xmp, `crs:` namespace): import with a documented mapping, and export.

Parsing uses defusedxml: DTDs, entity declarations and external references are refused, so XML bombs
and external-entity tricks fail with a PresetError. Settings may be attributes of rdf:Description or
child elements; tone curves are rdf:Seq lists of "x, y" in 0..255. Anything not mapped is reported in
`Imported.ignored`; values outside Darkslide's ranges are clamped and reported in `warnings`.
The mapping table is in presets/README-section.md.
"""
from __future__ import annotations

import colorsys
import math
import os
import uuid
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from xml.etree.ElementTree import ParseError

from editor.core import ops
from editor.core.colour import BAND_NAMES, hue_of_srgb
from presets.formats import Imported, read_limited
from presets.model import Preset, PresetError

CRS = "http://ns.adobe.com/camera-raw-settings/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
X = "adobe:ns:meta/"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Lightroom's colour names for the eight HSL / B&W bands, in Darkslide's BAND_NAMES order.
LR_BANDS = ("Red", "Orange", "Yellow", "Green", "Aqua", "Blue", "Purple", "Magenta")
REFERENCE_K = 5500.0  # absolute Temperature (raw presets) is read relative to daylight, in mired


def lr_hue_to_oklab(h: float) -> float:
    """Lightroom's hue wheel (HSV hue, degrees) to the OkLab hue angle Darkslide's grading uses."""
    return round(hue_of_srgb(colorsys.hsv_to_rgb((h % 360) / 360.0, 1.0, 1.0)), 1) % 360


_HSV_HUES = np.arange(0, 360, 0.5)
_OK_HUES = np.array([hue_of_srgb(colorsys.hsv_to_rgb(h / 360.0, 1.0, 1.0)) for h in _HSV_HUES])


def oklab_hue_to_lr(h: float) -> float:
    """Inverse of lr_hue_to_oklab (nearest of half-degree samples)."""
    d = np.abs((_OK_HUES - h + 180) % 360 - 180)
    return float(_HSV_HUES[int(np.argmin(d))])


# (crs name, op, param, convert from Lightroom, convert to Lightroom). Identity when the scales match.
Mapping = tuple[str, str, str, Callable[[float], Any], Callable[[Any], Any]]
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
        ("Temperature", "white_balance", "temperature",
         lambda k: 1e6 / REFERENCE_K - 1e6 / max(k, 1000.0), None),
        ("Tint", "white_balance", "tint", lambda t: t / 1.5, None),
        ("Vibrance", "vibrance", "vibrance", _same, _same),
        ("Saturation", "saturation", "saturation", _same, _same),
        ("SplitToningShadowHue", "color_grading", "shadows_hue", lr_hue_to_oklab, None),
        ("SplitToningShadowSaturation", "color_grading", "shadows_sat", _same, None),
        ("SplitToningHighlightHue", "color_grading", "highlights_hue", lr_hue_to_oklab, None),
        ("SplitToningHighlightSaturation", "color_grading", "highlights_sat", _same, None),
        ("SplitToningBalance", "color_grading", "balance", _same, _same),
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
    for lr, region in (("Shadow", "shadows"), ("Midtone", "midtones"), ("Highlight", "highlights")):
        rows += [(f"ColorGrade{lr}Hue", "color_grading", f"{region}_hue", lr_hue_to_oklab, oklab_hue_to_lr),
                 (f"ColorGrade{lr}Sat", "color_grading", f"{region}_sat", _same, _same),
                 (f"ColorGrade{lr}Lum", "color_grading", f"{region}_lum", _same, _same)]
    for lr, band in zip(LR_BANDS, BAND_NAMES):
        rows += [(f"HueAdjustment{lr}", "hsl", f"{band}_hue", _same, _same),
                 (f"SaturationAdjustment{lr}", "hsl", f"{band}_saturation", _same, _same),
                 (f"LuminanceAdjustment{lr}", "hsl", f"{band}_luminance", _same, _same),
                 (f"GrayMixer{lr}", "bw_mix", band, _same, _same)]
    return rows


NUMERIC = _numeric()
CURVES = {"ToneCurvePV2012": "master", "ToneCurvePV2012Red": "red", "ToneCurvePV2012Green": "green",
          "ToneCurvePV2012Blue": "blue"}
# Harmless bookkeeping and settings that only mean "this preset sets nothing here": not reported.
QUIET = {"PresetType", "Name", "UUID", "Group", "Version", "ProcessVersion", "SupportsAmount",
         "SupportsAmount2", "SupportsColor", "SupportsMonochrome", "SupportsHighDynamicRange",
         "SupportsNormalDynamicRange", "SupportsSceneReferred", "SupportsOutputReferred", "CameraModelRestriction",
         "Copyright", "ContactInfo", "Description", "ShortName", "SortName", "Cluster", "HasSettings",
         "ToneCurveName2012", "ConvertToGrayscale", "WhiteBalance", "Look", "RequiresRGBTables",
         "CameraProfile", "Amount", "PresetSubtype"}


def load(path: str | os.PathLike) -> Imported:
    path = Path(path)
    return parse(read_limited(path), str(path))


def _parse_xml(data: bytes, source: str):
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PresetError(f"{source}: refused unsafe XML ({type(exc).__name__}: DTDs and entities are not "
                          "allowed in presets)") from None
    except ParseError as exc:
        raise PresetError(f"{source}: malformed XML ({exc})") from None
    except (ValueError, UnicodeError) as exc:
        raise PresetError(f"{source}: not readable XML ({exc})") from None


def _settings(root, source: str) -> tuple[dict[str, Any], Any]:
    """All crs: settings of the rdf:Description that holds them, as {local name: text or list or element}."""
    descriptions = [d for d in root.iter(f"{{{RDF}}}Description")
                    if any(k.startswith(f"{{{CRS}}}") for k in d.attrib) or d.find(f"{{{CRS}}}*") is not None]
    if not descriptions:
        raise PresetError(f"{source}: no Camera Raw settings (crs:) found; is this a Lightroom preset?")
    desc = descriptions[0]
    out: dict[str, Any] = {}
    for key, value in desc.attrib.items():
        if key.startswith(f"{{{CRS}}}"):
            out[key[len(CRS) + 2:]] = value
    for child in desc:
        if child.tag.startswith(f"{{{CRS}}}"):
            name = child.tag[len(CRS) + 2:]
            items = child.findall(f".//{{{RDF}}}li")
            if name == "Name" or child.find(f"{{{RDF}}}Alt") is not None:
                out[name] = items[0].text if items else (child.text or "")
            elif items or child.find(f"{{{RDF}}}Seq") is not None:
                out[name] = [(li.text or "") for li in items]
            elif len(child):
                out[name] = child  # a structure (masks, look tables): reported as ignored
            else:
                out[name] = (child.text or "").strip()
    return out, desc


def parse(data: bytes, source: str = "XMP preset") -> Imported:
    """A Preset from XMP bytes, with the ignored settings and clamping warnings."""
    root = _parse_xml(data, source)
    settings, _ = _settings(root, source)
    params: dict[str, dict[str, Any]] = {}
    ignored, warnings, problems = [], [], []
    mapped = {row[0]: row for row in NUMERIC}
    has_incremental = "IncrementalTemperature" in settings or "IncrementalTint" in settings
    for name, raw in settings.items():
        if name in mapped:
            if name in ("Temperature", "Tint") and has_incremental:
                ignored.append(f"{name} (Incremental{name} used instead)")
                continue
            _, op, p, convert, _ = mapped[name]
            try:
                value = convert(_number(raw))
            except ValueError:
                problems.append(f"{name}: expected a number, got {raw!r:.40}")
                continue
            _put(params, op, p, value, f"crs:{name}", warnings)
        elif name in CURVES:
            curve = _curve(raw, name, problems)
            if curve is not None and curve != ((0.0, 0.0), (1.0, 1.0)):
                params.setdefault("tone_curve", {})[CURVES[name]] = curve
        elif name not in QUIET:
            ignored.append(name)
    gray = str(settings.get("ConvertToGrayscale", "")).strip().lower()
    if gray == "true":
        params.setdefault("bw_mix", {})["enabled"] = True
    elif "bw_mix" in params:  # a grey mixer without conversion does nothing in Lightroom either
        ignored.extend(f"GrayMixer{b}" for b in LR_BANDS if f"GrayMixer{b}" in settings)
        del params["bw_mix"]
    if problems:
        raise PresetError(f"{source}: " + "; ".join(problems))
    _drop_identity(params)
    name = str(settings.get("Name") or Path(source).stem or "Imported preset").strip()
    preset = Preset(name=name, params=params, group=str(settings.get("Group") or "Imported"),
                    description=f"Imported from Lightroom preset {Path(source).name}",
                    inspired_by="Imported from a Lightroom / Camera Raw preset", warnings=tuple(warnings))
    return Imported([preset], sorted(set(ignored)), warnings)


def _number(raw: Any) -> float:
    if not isinstance(raw, str):
        raise ValueError
    value = float(raw.strip().lstrip("+"))
    if not math.isfinite(value):
        raise ValueError
    return value


def _put(params, op_name, name, value, label, warnings) -> None:
    spec = ops.get(op_name).spec(name)
    clamped = round(min(max(value, spec.min), spec.max), 3)
    if abs(clamped - value) > 1e-9:
        warnings.append(f"{label} {value:g} clamped to {clamped:g}")
    params.setdefault(op_name, {})[name] = spec.validate(float(clamped))


def _curve(raw: Any, name: str, problems: list[str]):
    if not isinstance(raw, list):
        problems.append(f"{name}: expected an rdf:Seq of 'x, y' points")
        return None
    points = []
    for item in raw:
        try:
            x, y = (float(v) for v in item.split(","))
        except ValueError:
            problems.append(f"{name}: bad point {item!r:.30}")
            return None
        points.append((min(max(x, 0.0), 255.0) / 255.0, min(max(y, 0.0), 255.0) / 255.0))
    points = sorted(dict(points).items())  # one y per x, increasing x
    if len(points) < 2:
        problems.append(f"{name}: a curve needs at least 2 points")
        return None
    if len(points) > 32:  # Darkslide curves hold up to 32 points: resample evenly
        xs = np.linspace(0.0, 1.0, 32)
        ys = np.interp(xs, [p[0] for p in points], [p[1] for p in points])
        points = list(zip(xs, ys))
    return tuple((round(float(x), 6), round(float(y), 6)) for x, y in points)


def _drop_identity(params: dict[str, dict[str, Any]]) -> None:
    """Keep every setting the file states (a preset that sets 0 resets that slider), but drop empty ops."""
    for name in [n for n, v in params.items() if not v]:
        del params[name]


# ----------------------------------------------------------------------------------------------- export

def dumps(preset: Preset) -> tuple[str, list[str]]:
    """XMP text Lightroom accepts as a preset, and the names of settings that have no Lightroom equivalent."""
    attrs: dict[str, str] = {"PresetType": "Normal", "UUID": uuid.uuid5(uuid.NAMESPACE_URL,
                             "darkslide:" + preset.name).hex.upper(), "Group": preset.group or "Darkslide",
                             "Version": "15.0", "ProcessVersion": "11.0", "SupportsAmount": "True",
                             "SupportsAmount2": "True", "SupportsColor": "True", "SupportsMonochrome": "True",
                             "SupportsHighDynamicRange": "True", "SupportsNormalDynamicRange": "True",
                             "SupportsSceneReferred": "True", "SupportsOutputReferred": "True",
                             "HasSettings": "True"}
    skipped: list[str] = []
    reverse = {(op, p): (lr, back) for lr, op, p, _, back in NUMERIC if back is not None}
    grading = preset.params.get("color_grading", {})
    for op_name, values in preset.params.items():
        for p, value in values.items():
            key = (op_name, p)
            if key in reverse:
                lr, back = reverse[key]
                converted = back(value)
                attrs[lr] = _format_number(converted)
            elif op_name == "bw_mix" and p == "enabled":
                attrs["ConvertToGrayscale"] = "True" if value else "False"
            elif op_name != "tone_curve":
                skipped.append(f"{op_name}.{p}")
    if grading:
        attrs.setdefault("ColorGradeBlending", "50")
    if "white_balance" in preset.params:
        attrs["WhiteBalance"] = "Custom"
    curves = {channel: preset.params["tone_curve"][channel] for channel in ("master", "red", "green", "blue")
              if channel in preset.params.get("tone_curve", {})}
    return _xmp_text(preset, attrs, curves), skipped


def _format_number(value: Any) -> str:
    value = float(value)
    return f"{value:+g}" if value else "0"


def _xmp_text(preset: Preset, attrs: dict[str, str], curves: dict[str, Any]) -> str:
    attr_text = "\n".join(f"    crs:{k}={quoteattr(v)}" for k, v in attrs.items())
    children = ["   <crs:Name>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">"
                f"{escape(preset.name)}</rdf:li>\n    </rdf:Alt>\n   </crs:Name>"]
    if preset.description:
        children.append("   <crs:Description>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">"
                        f"{escape(preset.description)}</rdf:li>\n    </rdf:Alt>\n   </crs:Description>")
    suffix = {"master": "", "red": "Red", "green": "Green", "blue": "Blue"}
    for channel, points in curves.items():
        items = "\n".join(f"     <rdf:li>{round(x * 255)}, {round(y * 255)}</rdf:li>" for x, y in points)
        children.append(f"   <crs:ToneCurvePV2012{suffix[channel]}>\n    <rdf:Seq>\n{items}\n    </rdf:Seq>\n"
                        f"   </crs:ToneCurvePV2012{suffix[channel]}>")
    body = "\n".join(children)
    return (f'<x:xmpmeta xmlns:x="{X}" x:xmptk="Darkslide">\n <rdf:RDF xmlns:rdf="{RDF}">\n'
            f'  <rdf:Description rdf:about=""\n    xmlns:crs="{CRS}"\n{attr_text}>\n{body}\n'
            "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n")
