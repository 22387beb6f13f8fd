"""The develop panel: one collapsible section per operation, its controls generated from the declarations.

Nothing here knows a parameter's range or label: it reads editor.core.ops.OPERATIONS. A control change
emits `changed(op, {param: value}, dragging)`; the window turns it into an undoable step.
"""
from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QScrollArea, QSlider, QTabWidget, QToolButton, QVBoxLayout,
                               QWidget)

from editor.core import ops
from editor.core.params import ParamError, Spec
from editor.ui import theme
from editor.ui.collapsible import Collapsible
from editor.ui.curve_editor import CurveEditor


def step_of(spec: Spec) -> float:
    if spec.step:
        return float(spec.step)
    if spec.kind == "int":
        return 1.0
    lo, hi = spec.slider_range
    span = hi - lo
    return 1.0 if span >= 50 else (0.01 if span <= 5 else 0.1)


def format_value(spec: Spec, value) -> str:
    """The value as the text field shows it: as many decimals as the step, '+' on signed sliders."""
    if spec.kind == "int":
        return str(int(value))
    step = step_of(spec)
    decimals = 0 if step >= 1 else min(3, len(f"{step:g}".split(".")[-1]))
    if abs(value) < step / 2:
        value = 0.0
    sign = "+" if (spec.slider_range[0] or 0) < 0 and value > 0 else ""
    return f"{sign}{value:.{decimals}f}"


def is_hue(spec: Spec) -> bool:
    return spec.name.endswith("hue") and spec.slider_range == (0.0, 360.0)


def hue_groove_style() -> str:
    """A slider groove painted with the OkLCh hues the colour operations use, so a hue is picked by sight."""
    import numpy as np

    from editor.core.colour import oklch_to_srgb
    hues = np.linspace(0.0, 360.0, 13)
    lch = np.stack([np.full(13, 0.72), np.full(13, 0.12), hues], axis=-1)
    rgb = np.clip(oklch_to_srgb(lch), 0.0, 1.0)
    stops = ", ".join(f"stop:{i / 12:.3f} rgb({r * 255:.0f},{g * 255:.0f},{b * 255:.0f})"
                      for i, (r, g, b) in enumerate(rgb))
    return ("QSlider::groove:horizontal { height: 4px; border-radius: 2px; "
            f"background: qlineargradient(x1:0, y1:0, x2:1, y2:0, {stops}); }}")


def wheel_only_when_focused(widget) -> None:
    """The wheel changes `widget` only once it has focus (a click): scrolling the develop panel over it
    must scroll the panel, not move every slider the pointer crosses."""
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    original = widget.wheelEvent

    def wheel(event, original=original):
        if widget.hasFocus():
            original(event)
        else:
            event.ignore()  # goes on to the scroll area
    widget.wheelEvent = wheel


# Slider tracks that show what the slider does: cooler <-> warmer, green <-> magenta (as in Lightroom).
TRACKS = {"temperature": ((0.0, (70, 120, 210)), (0.5, (150, 150, 150)), (1.0, (225, 175, 60))),
          "tint": ((0.0, (80, 175, 80)), (0.5, (150, 150, 150)), (1.0, (200, 80, 190)))}


def band_track(name: str):
    """Stops for an HSL band's slider: its hue turning ±30° towards the neighbours, its saturation from
    grey to full, its luminance from dark to light; None for other sliders."""
    import numpy as np

    from editor.core.colour import BAND_HUES, BAND_NAMES, oklch_to_srgb
    band, _, prop = name.rpartition("_")
    if band not in BAND_NAMES or prop not in ("hue", "saturation", "luminance"):
        return None
    hue = BAND_HUES[BAND_NAMES.index(band)]
    at = np.linspace(0.0, 1.0, 7)
    if prop == "hue":
        lch = np.stack([np.full(7, 0.72), np.full(7, 0.12), hue + (at - 0.5) * 60.0], axis=-1)
    elif prop == "saturation":
        lch = np.stack([np.full(7, 0.72), at * 0.15, np.full(7, hue)], axis=-1)
    else:
        lch = np.stack([0.35 + at * 0.55, np.full(7, 0.10), np.full(7, hue)], axis=-1)
    rgb = np.rint(np.clip(oklch_to_srgb(lch), 0.0, 1.0) * 255).astype(int)
    return tuple((float(a), tuple(int(c) for c in v)) for a, v in zip(at, rgb))


def track_style(stops) -> str:
    """A slider groove painted with the colour stops [(position 0..1, (r, g, b))]."""
    text = ", ".join(f"stop:{at:.3f} rgb({r},{g},{b})" for at, (r, g, b) in stops)
    return ("QSlider::groove:horizontal { height: 4px; border-radius: 2px; "
            f"background: qlineargradient(x1:0, y1:0, x2:1, y2:0, {text}); }}")


class ResetSlider(QSlider):
    """A slider whose double-click means 'back to default'; the wheel moves it only when it has focus."""

    reset = Signal()

    def __init__(self, *args):
        super().__init__(*args)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # the develop panel scrolls instead

    def mouseDoubleClickEvent(self, event) -> None:
        self.reset.emit()
        event.accept()


class ResetLabel(QLabel):
    reset = Signal()

    def mouseDoubleClickEvent(self, event) -> None:
        self.reset.emit()


class SliderRow(QWidget):
    """Label, editable value and slider for one float/int parameter."""

    changed = Signal(str, object, bool)  # name, value, dragging
    released = Signal(str)
    note = Signal(str)  # a message for the status bar (a typed value out of range was clamped)

    def __init__(self, spec: Spec, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.step = step_of(spec)
        lo, hi = spec.slider_range
        self.lo, self.hi = lo, hi
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setVerticalSpacing(0)
        self.label = ResetLabel(spec.label + (f" ({spec.unit})" if spec.unit and spec.unit not in "%°" else ""))
        self.label.setObjectName("paramLabel")
        self.label.setToolTip("Double-click to reset")
        self.text = QLineEdit()
        self.text.setObjectName("paramValue")
        self.text.setFixedWidth(56)
        self.text.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.slider = ResetSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(1, round((hi - lo) / self.step)))
        self.slider.setPageStep(max(1, self.slider.maximum() // 20))
        self.slider.setToolTip(f"{spec.label}: double-click to reset to {spec.default}")
        if is_hue(spec):
            self.slider.setStyleSheet(hue_groove_style())
        elif spec.name in TRACKS or band_track(spec.name):
            self.slider.setStyleSheet(track_style(TRACKS.get(spec.name) or band_track(spec.name)))
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.text, 0, 1)
        grid.addWidget(self.slider, 1, 0, 1, 2)
        self.slider.valueChanged.connect(self._slid)
        self.slider.sliderReleased.connect(lambda: self._released())
        self.slider.reset.connect(self.reset)
        self.label.reset.connect(self.reset)
        self.text.editingFinished.connect(self._typed)
        self.value = spec.default
        self.set_value(spec.default)

    def set_value(self, value) -> None:
        """Show `value` without emitting."""
        self.value = value
        self.slider.blockSignals(True)
        self.slider.setValue(round((min(max(value, self.lo), self.hi) - self.lo) / self.step))
        self.slider.blockSignals(False)
        self.text.setText(format_value(self.spec, value))

    def _from_slider(self, pos: int):
        v = self.lo + pos * self.step
        v = round(v / self.step) * self.step
        return int(round(v)) if self.spec.kind == "int" else round(v, 6)

    def _slid(self, pos: int) -> None:
        self.value = self._from_slider(pos)
        self.text.setText(format_value(self.spec, self.value))
        self.changed.emit(self.spec.name, self.value, self.slider.isSliderDown())

    def _released(self) -> None:
        self.changed.emit(self.spec.name, self.value, False)
        self.released.emit(self.spec.name)

    def _typed(self) -> None:
        text = self.text.text().replace(",", ".").replace("+", "").strip()
        try:
            typed = float(text)
        except ValueError:
            self.set_value(self.value)  # not a number: show the old value and say why
            self.note.emit(f"{self.spec.label}: '{text}' is not a number")
            return
        lo, hi = self.spec.min, self.spec.max
        value = min(max(typed, lo), hi) if lo is not None and hi is not None else typed
        if value != typed:
            self.note.emit(f"{self.spec.label}: {typed:g} is outside {lo:g} … {hi:g}; set to {value:g}")
        try:
            value = self.spec.validate(int(round(value)) if self.spec.kind == "int" else value)
        except (ValueError, ParamError) as exc:
            self.set_value(self.value)
            self.note.emit(str(exc))
            return
        if value != self.value:
            self.set_value(value)
            self.changed.emit(self.spec.name, value, False)

    def reset(self) -> None:
        self.set_value(self.spec.default)
        self.changed.emit(self.spec.name, self.spec.default, False)


class OpSection(Collapsible):
    """The controls of one operation under a collapsible header."""

    changed = Signal(str, dict, bool)  # op name, values, dragging
    note = Signal(str)

    def __init__(self, op: ops.Operation, parent=None):
        super().__init__(op.label, QFrame(), parent=parent)
        self.op = op
        self.setObjectName(f"section_{op.name}")
        self.body.setObjectName("sectionBody")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(10, 4, 10, 8)
        self.rows: dict[str, QWidget] = {}
        self.curve: CurveEditor | None = None
        self._curve_names: list[str] = []
        self._params = op.defaults()
        self._build(body)

    def _build(self, layout) -> None:
        specs = self.op.specs
        curves = [s for s in specs if s.kind == "curve"]
        if curves:
            self._add_curve(layout, curves)
        groups = _tab_groups(specs)
        if groups:
            tabs = QTabWidget()
            tabs.setObjectName("hslTabs")
            for title, members in groups.items():
                page = QWidget()
                pl = QVBoxLayout(page)
                pl.setContentsMargins(2, 4, 2, 2)
                for s in members:
                    pl.addWidget(self._control(s))
                tabs.addTab(page, title)
            layout.addWidget(tabs)
            specs = [s for s in specs if not any(s in m for m in groups.values())]
        for s in specs:
            if s.kind != "curve":
                layout.addWidget(self._control(s))

    def _add_curve(self, layout, curves) -> None:
        self._curve_names = [s.name for s in curves]
        pick = QComboBox()
        wheel_only_when_focused(pick)
        pick.setObjectName("curveChannel")
        pick.addItems([s.label for s in curves])
        self.curve = CurveEditor()
        self.curve.channel = curves[0].name
        pick.currentIndexChanged.connect(self._pick_curve)
        self.curve.changed.connect(lambda pts, drag: self.changed.emit(self.op.name, {self.curve.channel: pts}, drag))
        self._curve_pick = pick
        layout.addWidget(pick)
        layout.addWidget(self.curve)

    def _pick_curve(self, index: int) -> None:
        name = self._curve_names[index]
        self.curve.set_points(getattr(self._params, name), name)

    def _control(self, s: Spec) -> QWidget:
        if s.kind in ("float", "int"):
            w = SliderRow(s)
            w.changed.connect(lambda name, v, drag: self.changed.emit(self.op.name, {name: v}, drag))
            w.note.connect(self.note)
        elif s.kind == "bool":
            w = QCheckBox(s.label.replace("&", "&&"))  # a single & would be taken as a shortcut mark
            w.toggled.connect(lambda v, n=s.name: self.changed.emit(self.op.name, {n: bool(v)}, False))
        elif s.kind == "choice":
            w = QWidget()
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 2, 0, 2)
            row.addWidget(QLabel(s.label))
            combo = QComboBox()
            wheel_only_when_focused(combo)
            combo.addItems(list(s.choices))
            combo.currentTextChanged.connect(lambda v, n=s.name: self.changed.emit(self.op.name, {n: v}, False))
            row.addWidget(combo, 1)
            w.combo = combo
        else:  # text, e.g. the LUT reference: shown, set by the looks panel
            w = QWidget()
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 2, 0, 2)
            row.addWidget(QLabel(s.label))
            field = QLineEdit()
            field.setReadOnly(True)
            row.addWidget(field, 1)
            w.field = field
        w.setObjectName(f"param_{self.op.name}_{s.name}")
        self.rows[s.name] = w
        return w

    def set_params(self, params) -> None:
        """Show `params` without emitting changes."""
        self._params = params
        for name, w in self.rows.items():
            value = getattr(params, name)
            w.blockSignals(True)
            if isinstance(w, SliderRow):
                w.set_value(value)
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif hasattr(w, "combo"):
                w.combo.blockSignals(True)
                w.combo.setCurrentText(str(value))
                w.combo.blockSignals(False)
            elif hasattr(w, "field"):
                w.field.setText(str(value))
            w.blockSignals(False)
        if self.curve is not None and self.curve._grab is None:
            self.curve.set_points(getattr(params, self.curve.channel))
        self.update_header(params)

    def update_header(self, params) -> None:
        """A dot after the title marks an operation that changes the photo."""
        self._params = params
        changed = not self.op.is_identity(params)
        self.header.setText(self.op.label.replace("&", "&&") + ("  •" if changed else ""))


def _tab_groups(specs) -> dict[str, list[Spec]]:
    """HSL-style parameters (<band>_hue/_saturation/_luminance) go in one tab per property."""
    groups: dict[str, list[Spec]] = {}
    for suffix, title in (("_hue", "Hue"), ("_saturation", "Saturation"), ("_luminance", "Luminance")):
        members = [s for s in specs if s.name.endswith(suffix)]
        if len(members) >= 4:
            groups[title] = members
    return groups


# The Basic section, as in Lightroom: the controls photographers reach for first, in groups, above the
# per-operation sections (which keep pipeline order). Operations not present are left out.
BASIC = (("White balance", ("white_balance",)),
         ("Tone", ("exposure", "contrast", "highlights_shadows", "whites_blacks")),
         ("Presence", ("texture", "clarity", "dehaze", "vibrance", "saturation")))


class BasicSection(Collapsible):
    """A collapsible 'Basic' header over groups of operation sections shown without their own headers."""

    def __init__(self, parent=None):
        super().__init__("Basic", QFrame(), parent=parent)
        self.setObjectName("section_basic")
        self.body.setObjectName("sectionBody")
        self.layout_ = QVBoxLayout(self.body)
        self.layout_.setContentsMargins(0, 0, 0, 6)
        self.layout_.setSpacing(0)
        self.group_bars: dict[str, QHBoxLayout] = {}

    def add_group(self, title: str) -> QHBoxLayout:
        """A group title with room on its right for buttons (Auto, the picker)."""
        row = QWidget()
        row.setObjectName("basicGroup")
        bar = QHBoxLayout(row)
        bar.setContentsMargins(10, 6, 10, 0)
        label = QLabel(title)
        label.setObjectName("basicGroupTitle")
        bar.addWidget(label)
        bar.addStretch(1)
        self.layout_.addWidget(row)
        self.group_bars[title] = bar
        return bar

    def add_section(self, section: "OpSection") -> None:
        section.header.hide()  # the group title stands for it; its changed-dot is on the Basic header
        rows = [w for w in section.rows.values() if isinstance(w, SliderRow)]
        if len(rows) == 1 and len(section.rows) == 1:  # one slider: name it after its operation (Clarity,
            spec = rows[0].spec                         # not its own generic "Amount")
            unit = f" ({spec.unit})" if spec.unit and spec.unit not in "%°" else ""
            rows[0].label.setText(section.op.label + unit)
        section.body.layout().setContentsMargins(10, 0, 10, 0)
        self.layout_.addWidget(section)


class DevelopPanel(QScrollArea):
    """The Basic section, then the other operations' sections in pipeline order."""

    changed = Signal(str, dict, bool)
    note = Signal(str)  # status-bar text
    auto_requested = Signal(str)  # "white_balance" or "tone"
    picking = Signal(bool)  # the white-balance picker was switched on or off

    def __init__(self, parent=None, collapsed: tuple[str, ...] = ("crop", "hsl", "color_grading", "bw_mix",
                                                                  "lut3d", "sharpening", "grain")):
        super().__init__(parent)
        self.setObjectName("developPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        self.sections: dict[str, OpSection] = {}
        for op in ops.OPERATIONS:
            section = OpSection(op)
            section.changed.connect(self.changed)
            section.note.connect(self.note)
            section.header.setChecked(op.name in collapsed)
            self.sections[op.name] = section
        self.basic = BasicSection()
        in_basic = set()
        for title, names in BASIC:
            self.basic.add_group(title)
            for name in names:
                if name in self.sections:
                    self.basic.add_section(self.sections[name])
                    in_basic.add(name)
        self._add_auto_buttons()
        for op in ops.OPERATIONS:
            if op.name == "crop":
                layout.addWidget(self.sections["crop"])  # framing first, as the pipeline applies it
                layout.addWidget(self.basic)
            elif op.name not in in_basic:
                layout.addWidget(self.sections[op.name])
        layout.addStretch(1)
        self.setWidget(inner)
        self._add_quarter_turns(self.sections["crop"])

    def _add_auto_buttons(self) -> None:
        """Auto white balance, the white-balance picker, and Auto tone, beside their group titles."""
        self.auto_buttons: dict[str, QToolButton] = {}
        bars = self.basic.group_bars
        self.picker = QToolButton()
        self.picker.setObjectName("wbPicker")
        self.picker.setIcon(theme.icon("mdi6.eyedropper"))
        self.picker.setCheckable(True)
        self.picker.setToolTip("Pick white balance: click something neutral grey or white in the photo")
        self.picker.toggled.connect(self.picking)
        bars["White balance"].addWidget(self.picker)
        for key, group, tip in (("white_balance", "White balance", "White balance from the photo's colours"),
                                ("tone", "Tone", "Exposure from the photo's tones")):
            button = QToolButton()
            button.setText("Auto")
            button.setObjectName(f"auto_{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, key=key: self.auto_requested.emit(key))
            bars[group].addWidget(button)
            self.auto_buttons[key] = button

    def _add_quarter_turns(self, section: "OpSection") -> None:
        """Rotate 90° left / right buttons above the crop controls (the `rotate90` parameter, one step each)."""
        row = QWidget()
        bar = QHBoxLayout(row)
        bar.setContentsMargins(0, 2, 0, 2)
        bar.addWidget(QLabel("Rotate"))
        bar.addStretch(1)
        self.turn_buttons = {}
        for key, icon, tip, step in (("left", "mdi6.rotate-left", "Rotate 90° to the left", -1),
                                     ("right", "mdi6.rotate-right", "Rotate 90° to the right", 1)):
            button = QToolButton()
            button.setIcon(theme.icon(icon))
            button.setToolTip(tip)
            button.setObjectName(f"rotate_{key}")
            button.clicked.connect(lambda _=False, step=step: self.turn(step))
            bar.addWidget(button)
            self.turn_buttons[key] = button
        section.body.layout().insertWidget(0, row)

    def turn(self, quarters: int) -> None:
        """A quarter turn more (1) or less (-1) than the photo has, as one step."""
        current = self.sections["crop"]._params.rotate90
        self.changed.emit("crop", {"rotate90": (current + quarters) % 4}, False)

    def swap_aspect(self) -> None:
        """The crop aspect turned on its side (3:2 <-> 2:3); free and original have no side."""
        from editor.core.ops.crop import ASPECTS
        aspect = self.sections["crop"]._params.aspect
        a, _, b = aspect.partition(":")
        swapped = f"{b}:{a}"
        if b and swapped in ASPECTS and swapped != aspect:
            self.changed.emit("crop", {"aspect": swapped}, False)

    def set_edit(self, edit) -> None:
        for name, section in self.sections.items():
            section.set_params(edit[name])
        self.update_basic_header(edit)

    def update_basic_header(self, edit) -> None:
        """A dot after 'Basic' when any operation in it changes the photo."""
        changed = any(not self.sections[n].op.is_identity(edit[n]) for _, names in BASIC for n in names
                      if n in self.sections)
        self.basic.header.setText("Basic" + ("  •" if changed else ""))

    def row(self, op: str, name: str) -> QWidget:
        return self.sections[op].rows[name]
