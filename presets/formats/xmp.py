"""Lightroom / Camera Raw presets (.xmp, `crs:` namespace): import with a documented mapping, and export.

Parsing uses defusedxml: DTDs, entity declarations and external references are refused, so XML bombs
and external-entity tricks fail with a PresetError. Settings may be attributes of rdf:Description or
child elements; tone curves are rdf:Seq lists of "x, y" in 0..255. Every `crs:` setting of the file is
accounted for in `Imported.report` (mapped to what, or why not); the ones with an effect on the picture
that Darkslide does not apply are also listed, with the reason, in `Imported.ignored`. Values outside
Darkslide's ranges are clamped and reported in `warnings` with the file's own text.
The mapping tables are in presets/formats/xmp_mapping.py, explained in docs/lightroom-mapping.md.
"""
from __future__ import annotations

import math
import os
import re
import uuid
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from xml.etree.ElementTree import ParseError

from editor.core import ops
from presets.formats import Imported, read_limited
from presets.formats.xmp_mapping import (ALIASES, BOOKKEEPING, BW, BY_NAME, CURVES, LR_BANDS, NAMED_CURVES,
                                         NUMERIC, PROFILES, lr_hue_to_oklab, oklab_hue_to_lr, why_ignored)
from presets.model import Preset, PresetError

__all__ = ["load", "parse", "dumps", "lr_hue_to_oklab", "oklab_hue_to_lr", "NUMERIC", "CURVES"]

CRS = "http://ns.adobe.com/camera-raw-settings/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
X = "adobe:ns:meta/"
XML_NS = "http://www.w3.org/XML/1998/namespace"

REFERENCE_K = 5500.0  # Temperature in kelvin (raw presets) is read relative to daylight, in mired
RELATIVE_LIMIT = 100.0  # a Temperature within ±100 is Lightroom's relative slider (JPEG, TIFF)


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
            if child.find(f"{{{RDF}}}Description") is not None:
                out[name] = child  # a structure (a profile Look): read by its own reader
            elif name == "Name" or child.find(f"{{{RDF}}}Alt") is not None:
                out[name] = items[0].text if items else (child.text or "")
            elif items or child.find(f"{{{RDF}}}Seq") is not None:
                out[name] = [(li.text or "") for li in items]
            elif len(child):
                out[name] = child  # a structure (masks, look tables): reported as ignored
            else:
                out[name] = (child.text or "").strip()
    return out, desc


def parse(data: bytes, source: str = "XMP preset") -> Imported:
    """A Preset from XMP bytes, with a report of every setting, the ignored ones and clamping warnings."""
    root = _parse_xml(data, source)
    settings, _ = _settings(root, source)
    reader = _Reader(settings, source)
    reader.read()
    if reader.problems:
        raise PresetError(f"{source}: " + "; ".join(reader.problems))
    params = reader.params
    _drop_identity(params)
    name = str(settings.get("Name") or Path(source).stem or "Imported preset").strip()
    preset = Preset(name=name, params=params, group=str(settings.get("Group") or "Imported"),
                    description=f"Imported from Lightroom preset {Path(source).name}",
                    inspired_by="Imported from a Lightroom / Camera Raw preset", warnings=tuple(reader.warnings))
    ignored = sorted(f"{k} ({why})" for k, why in reader.ignored.items())
    return Imported([preset], ignored, reader.warnings, report=dict(sorted(reader.report.items())))


class _Reader:
    """Reads one preset's settings into Darkslide params, noting what became of each setting."""

    def __init__(self, settings: dict[str, Any], source: str):
        self.settings, self.source = settings, source
        self.params: dict[str, dict[str, Any]] = {}
        self.report: dict[str, str] = {}  # every setting -> "op.param", "ignored: why" or "bookkeeping: what"
        self.ignored: dict[str, str] = {}  # settings with an effect on the picture that are not applied
        self.warnings: list[str] = []
        self.problems: list[str] = []
        self.relative_wb = False

    def read(self) -> None:
        for name, raw in self.settings.items():
            if name in BY_NAME:
                self._numeric(name, raw)
            elif name in ALIASES:
                if ALIASES[name] in self.settings:
                    self._skip(name, f"another spelling of {ALIASES[name]}, which the file also has and is used")
                else:
                    self._numeric(name, raw, BY_NAME[ALIASES[name]])
            elif name in CURVES:
                self._curve(name, raw)
            elif name in BOOKKEEPING:
                self.report[name] = f"bookkeeping: {BOOKKEEPING[name]} (no effect on the picture)"
        self._white_balance()
        self._tone_curve_name()
        self._profile()
        self._monochrome()
        self._global_grading()
        for name, raw in self.settings.items():
            if name not in self.report:
                self._skip(name, why_ignored(name), raw)

    def _skip(self, name: str, why: str, raw: Any = None) -> None:
        if _is_zero(raw):  # an unsupported slider left at 0: nothing is lost, so not listed as ignored
            self.report[name] = f"ignored at 0, so nothing is lost: {why}"
            return
        self.report[name] = f"ignored: {why}"
        self.ignored[name] = why

    def _number(self, name: str, raw: Any) -> float | None:
        try:
            return _number(raw)
        except ValueError:
            self.problems.append(f"{name}: expected a number, got {raw!r:.40}")
            return None

    def _numeric(self, name: str, raw: Any, row=None) -> None:
        _, op, p, convert, _ = row or BY_NAME[name]
        value = self._number(name, raw)
        if value is not None:
            self.put(op, p, convert(value), name, raw)

    def put(self, op_name: str, name: str, value: float, setting: str, raw: Any, add: bool = False) -> None:
        """Set (or with `add`, add to) op.name, clamped to its range with a warning in the file's terms."""
        spec = ops.get(op_name).spec(name)
        if add:
            value += self.params.get(op_name, {}).get(name, spec.default)
        clamped = min(max(value, spec.min), spec.max)
        if clamped != value and abs(clamped - value) > 1e-6 * max(1.0, abs(value)):
            self.warnings.append(f'crs:{setting}="{_text(raw)}" is beyond what Darkslide\'s {op_name}.{name} '
                                 f"can do ({value:.4g}, range {spec.min:g}..{spec.max:g}): used {clamped:g}")
        value = round(clamped, 3)  # plain rounding is not worth a warning
        self.params.setdefault(op_name, {})[name] = spec.validate(float(value))
        self.report.setdefault(setting, f"{op_name}.{name}")

    def _curve(self, name: str, raw: Any) -> None:
        curve = _curve(raw, name, self.problems)
        if curve is None:
            return
        if curve != ((0.0, 0.0), (1.0, 1.0)):
            self.params.setdefault("tone_curve", {})[CURVES[name]] = curve
            self.report[name] = f"tone_curve.{CURVES[name]}"
        else:
            self.report[name] = f"tone_curve.{CURVES[name]} (a straight line: nothing to set)"

    def _white_balance(self) -> None:
        """Temperature / Tint as Lightroom reads them: kelvin (raw) or relative (JPEG); see the docs."""
        s = self.settings
        incremental = "IncrementalTemperature" in s or "IncrementalTint" in s
        for name in ("Temperature", "Tint"):
            if name in s and incremental:
                self._skip(name, f"absolute white balance for raw files; Incremental{name} (for rendered "
                                 "files, which Darkslide edits) is used instead")
        mode = s.get("WhiteBalance")
        if mode is not None:
            if _text(mode) == "Auto":
                self._skip("WhiteBalance", "auto white balance: needs Lightroom's analysis of the raw file")
            else:
                self.report["WhiteBalance"] = (f"white balance mode '{_text(mode)}': what it does is in "
                                               "Temperature / Tint or their Incremental* settings")
        if incremental:
            return
        if "Temperature" in s:
            raw = s["Temperature"]
            value = self._number("Temperature", raw)
            if value is None:
                return
            text = _text(raw)
            if abs(value) <= RELATIVE_LIMIT:
                self.relative_wb = True
                self.put("white_balance", "temperature", value, "Temperature", raw)
                self.report["Temperature"] += " (within ±100: Lightroom's relative slider, as for a JPEG)"
            else:
                shift = text[:1] in "+-"
                kelvin = REFERENCE_K + value if shift else value
                kelvin = min(max(kelvin, 2000.0), 50000.0)  # Lightroom's range; Darkslide's is narrower
                self.put("white_balance", "temperature", 1e6 / REFERENCE_K - 1e6 / kelvin, "Temperature", raw)
                how = (f"a signed shift: {kelvin:g} K against {REFERENCE_K:g} K daylight" if shift
                       else f"{kelvin:g} K (raw) against {REFERENCE_K:g} K daylight, in mired")
                self.report["Temperature"] += f" ({how})"
        if "Tint" in s:
            value = self._number("Tint", s["Tint"])
            if value is not None:
                scale = 1.0 if self.relative_wb else 1.5
                self.put("white_balance", "tint", value / scale, "Tint", s["Tint"])
                self.report["Tint"] += (" (relative, as for a JPEG)" if self.relative_wb
                                        else " (raw scale ±150 read as ±100)")

    def _tone_curve_name(self) -> None:
        name = self.settings.get("ToneCurveName2012")
        if name is None:
            return
        if "ToneCurvePV2012" in self.settings:
            self.report["ToneCurveName2012"] = "tone_curve.master (names the curve whose points ToneCurvePV2012 holds)"
        elif name in NAMED_CURVES:
            points = [f"{x}, {y}" for x, y in NAMED_CURVES[name]]
            self._curve("ToneCurvePV2012", points)
            self.report["ToneCurveName2012"] = f"tone_curve.master (Lightroom's '{name}' curve)"
            self.report.pop("ToneCurvePV2012", None)
        else:
            self._skip("ToneCurveName2012", f"a named curve ('{_text(name)}') without its points")

    def _profile(self) -> None:
        """crs:Look (Lightroom 7.3+) or crs:CameraProfile: B&W, or a documented approximation."""
        for setting in ("Look", "CameraProfile"):
            if setting not in self.settings:
                continue
            name, amount = _look(self.settings[setting]) if setting == "Look" else (
                _text(self.settings[setting]), 1.0)
            profile = PROFILES.get(name)
            if profile is None:
                self._skip(setting, f"camera profile '{name}' has no Darkslide equivalent")
            elif profile == BW:
                self.params.setdefault("bw_mix", {})["enabled"] = True
                self.report[setting] = f"bw_mix.enabled (profile '{name}')"
            elif not profile:
                self.report[setting] = f"profile '{name}': Darkslide's own rendering stands for it (no change)"
            else:
                for target, delta in profile.items():
                    op_name, p = target.split(".")
                    self.put(op_name, p, delta * amount, setting, name, add=True)
                self.report[setting] = (f"profile '{name}' approximated by " + ", ".join(
                    f"{k} {v * amount:+g}" for k, v in profile.items()) + " (added to the preset's own)")

    def _monochrome(self) -> None:
        s = self.settings
        gray = str(s.get("ConvertToGrayscale", "")).strip().lower() == "true"
        treatment = str(s.get("Treatment", "")).strip()
        if gray or treatment == "Monochrome":
            self.params.setdefault("bw_mix", {})["enabled"] = True
        bw = bool(self.params.get("bw_mix", {}).get("enabled"))
        for name, on in (("ConvertToGrayscale", gray), ("Treatment", treatment == "Monochrome")):
            if name in s:
                self.report[name] = ("bw_mix.enabled" if on else "B&W all the same (set by another setting)"
                                     if bw else "colour (the default): nothing to set")
        if not bw:
            mixers = [f"GrayMixer{b}" for b in LR_BANDS if f"GrayMixer{b}" in s]
            for name in mixers:
                self._skip(name, "grey mixer of a colour preset: no effect in Lightroom either")
            if mixers:
                self.params.pop("bw_mix", None)

    def _global_grading(self) -> None:
        """The global wheel tints every tone alike: as region weights sum to 1, adding its tint and
        luminance to all three regions gives exactly that."""
        s = self.settings
        names = [n for n in ("ColorGradeGlobalHue", "ColorGradeGlobalSat", "ColorGradeGlobalLum") if n in s]
        if not names:
            return
        values = {n: self._number(n, s[n]) for n in names}
        if any(v is None for v in values.values()):
            return
        hue = lr_hue_to_oklab(values.get("ColorGradeGlobalHue", 0.0))
        sat = values.get("ColorGradeGlobalSat", 0.0)
        lum = values.get("ColorGradeGlobalLum", 0.0)
        grading = self.params.setdefault("color_grading", {})
        for region in ("shadows", "midtones", "highlights"):
            if sat:
                h0, s0 = grading.get(f"{region}_hue", 0.0), grading.get(f"{region}_sat", 0.0)
                a = s0 * math.cos(math.radians(h0)) + sat * math.cos(math.radians(hue))
                b = s0 * math.sin(math.radians(h0)) + sat * math.sin(math.radians(hue))
                self.put("color_grading", f"{region}_hue", math.degrees(math.atan2(b, a)) % 360,
                         "ColorGradeGlobalHue", s.get("ColorGradeGlobalHue", 0))
                self.put("color_grading", f"{region}_sat", math.hypot(a, b), "ColorGradeGlobalSat",
                         s["ColorGradeGlobalSat"])
            if lum:
                self.put("color_grading", f"{region}_lum", lum, "ColorGradeGlobalLum", s["ColorGradeGlobalLum"],
                         add=True)
        for n in names:
            self.report[n] = ("color_grading (added to the shadows, midtones and highlights alike)" if values[n]
                              else "color_grading global wheel at 0: nothing to set")


def _look(element) -> tuple[str, float]:
    """(name, amount) of a crs:Look structure (a nested rdf:Description with crs:Name and crs:Amount)."""
    if isinstance(element, str):
        return element.strip(), 1.0
    for desc in element.iter(f"{{{RDF}}}Description"):
        name = desc.get(f"{{{CRS}}}Name")
        if name is None:
            child = desc.find(f"{{{CRS}}}Name")
            name = "".join(child.itertext()).strip() if child is not None else None
        if name:
            try:
                amount = float(desc.get(f"{{{CRS}}}Amount", "1"))
            except ValueError:
                amount = 1.0
            return name, amount if math.isfinite(amount) else 1.0
    return "(unnamed)", 1.0


def _text(raw: Any) -> str:
    """A setting's text as written in the file (short), for messages."""
    text = raw if isinstance(raw, str) else getattr(raw, "tag", repr(raw))
    text = re.sub(r"[\x00-\x1f\x7f]", "?", str(text).strip())
    return text if len(text) <= 40 else text[:37] + "..."


def _is_zero(raw: Any) -> bool:
    try:
        return _number(raw) == 0.0
    except ValueError:
        return False


def _number(raw: Any) -> float:
    if not isinstance(raw, str):
        raise ValueError
    value = float(raw.strip().lstrip("+"))
    if not math.isfinite(value):
        raise ValueError
    return value


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
    """XMP text shaped like a Lightroom Classic preset, and the names of settings that have no Lightroom
    equivalent (op.param)."""
    attrs: dict[str, str] = {"PresetType": "Normal", "Cluster": "", "UUID": uuid.uuid5(
                             uuid.NAMESPACE_URL, "darkslide:" + preset.name).hex.upper(),
                             "SupportsAmount2": "True", "SupportsAmount": "True", "SupportsColor": "True",
                             "SupportsMonochrome": "True", "SupportsHighDynamicRange": "True",
                             "SupportsNormalDynamicRange": "True", "SupportsSceneReferred": "True",
                             "SupportsOutputReferred": "True", "RequiresRGBTables": "False",
                             "CameraModelRestriction": "", "Copyright": "", "ContactInfo": "", "Version": "15.4",
                             "ProcessVersion": "11.0"}
    skipped: list[str] = []
    reverse = {(op, p): (lr, back) for lr, op, p, _, back in NUMERIC if back is not None}
    params = preset.params
    for op_name, values in params.items():
        for p, value in values.items():
            if (op_name, p) in reverse:
                lr, back = reverse[(op_name, p)]
                attrs[lr] = format_number(lr, back(value), ops.get(op_name).spec(p).min < 0)
            elif op_name == "bw_mix" and p == "enabled":
                attrs["ConvertToGrayscale"] = "True" if value else "False"
            elif op_name == "bw_mix" and p in ("tone_hue", "tone_amount"):
                continue  # below
            elif op_name != "tone_curve":
                skipped.append(f"{op_name}.{p}")
    _toning(params, attrs, skipped)
    if "color_grading" in params or "ColorGradeMidtoneSat" in attrs:
        attrs.setdefault("ColorGradeBlending", "50")
    if "white_balance" in params:
        attrs["WhiteBalance"] = "Custom"
    attrs["HasSettings"] = "True"
    curves = {channel: params["tone_curve"][channel] for channel in ("master", "red", "green", "blue")
              if channel in params.get("tone_curve", {})}
    return _xmp_text(preset, attrs, curves), skipped


def _toning(params, attrs: dict[str, str], skipped: list[str]) -> None:
    """B&W toning (Sepia, Selenium, Blue) as Lightroom's mid-tone colour wheel: the tone is OkLab chroma
    0.06 * 4L(1 - L) at tone_amount 100, the wheel's 0.1 * (mid-tone weight) at saturation 100."""
    bw = params.get("bw_mix", {})
    amount = bw.get("tone_amount", 0.0)
    if not amount:
        return
    if params.get("color_grading", {}).get("midtones_sat"):
        skipped += ["bw_mix.tone_hue", "bw_mix.tone_amount"]  # the wheel is taken by the preset's own
        return
    attrs["ColorGradeMidtoneHue"] = format_number("ColorGradeMidtoneHue", oklab_hue_to_lr(bw.get("tone_hue", 0.0)),
                                                  False)
    attrs["ColorGradeMidtoneSat"] = format_number("ColorGradeMidtoneSat", round(amount * TONE_TO_WHEEL, 1), False)


TONE_TO_WHEEL = 0.6  # bw_mix tone_amount -> colour grading saturation (see _toning)


def format_number(name: str, value: Any, signed: bool) -> str:
    """A number as Lightroom writes it: "+" before positive values of sliders that go negative (not
    before unsigned ones such as hues, amounts or splits), "0" for zero, Exposure with two decimals and
    the sharpening radius with one; whole values without decimals, others with as few as they need."""
    value = float(value)
    decimals = {"Exposure2012": 2, "SharpenRadius": 1}.get(name)
    signed = signed or name == "SharpenRadius"  # Adobe writes "+1.0" although the radius is never negative
    if decimals is not None:
        text = f"{value:.{decimals}f}"
        if float(text) != value:
            text = f"{value:.6g}"
    elif value == int(value):
        text = str(int(value))
    else:
        text = f"{round(value, 4):.6g}"
    if not value and decimals is None:
        return "0"
    return "+" + text if signed and value > 0 else text


def _alt(name: str, text: str) -> str:
    return (f"   <crs:{name}>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">{escape(text)}</rdf:li>\n"
            f"    </rdf:Alt>\n   </crs:{name}>")


def _xmp_text(preset: Preset, attrs: dict[str, str], curves: dict[str, Any]) -> str:
    attr_text = "\n".join(f"   crs:{k}={quoteattr(v)}" for k, v in attrs.items())
    children = [_alt("Name", preset.name), _alt("ShortName", ""), _alt("SortName", ""),
                _alt("Group", preset.group or "Darkslide")]
    if preset.description:
        children.append(_alt("Description", preset.description))
    suffix = {"master": "", "red": "Red", "green": "Green", "blue": "Blue"}
    for channel, points in curves.items():
        items = "\n".join(f"     <rdf:li>{round(x * 255)}, {round(y * 255)}</rdf:li>" for x, y in points)
        children.append(f"   <crs:ToneCurvePV2012{suffix[channel]}>\n    <rdf:Seq>\n{items}\n    </rdf:Seq>\n"
                        f"   </crs:ToneCurvePV2012{suffix[channel]}>")
    body = "\n".join(children)
    return (f'<x:xmpmeta xmlns:x="{X}" x:xmptk="Darkslide">\n <rdf:RDF xmlns:rdf="{RDF}">\n'
            f'  <rdf:Description rdf:about=""\n    xmlns:crs="{CRS}"\n{attr_text}>\n{body}\n'
            "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n")
