"""Built-in looks: complete recipe cards, golden renders of a synthetic chart, and measurable distinctness.

Golden references are 64x48 PNGs in tests/presets/golden/, the point-wise part of each look (grain,
vignette and sharpening left out) rendered through the real pipeline on preset_helpers.make_chart().
After an intended change to a look or an operation, regenerate them with
    DARKSLIDE_REGENERATE_GOLDEN=1 ./test.sh tests/presets/test_looks.py
and look at the contact sheet (python -m presets.contact_sheet) before committing.
"""
from __future__ import annotations

import itertools
import os
import re

import numpy as np
import pytest
import pyvips

from editor.core.edit import Edit
from presets import apply_look, apply_preset, builtin_looks
from preset_helpers import GOLDEN, delta_e2000, exact, render_array, make_chart, to_array

LOOKS = builtin_looks()
REQUIRED = {"Standard", "Vivid", "Natural", "Chrome", "Classic", "Contemporary", "Eternal", "Monochrome",
            "Monochrome High Contrast", "Selenium", "Sepia", "Blue"}
MIN_PAIR_DELTA_E = 2.0  # mean ΔE2000 between any two looks on the chart


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def test_at_least_fourteen_looks_including_the_required_ones():
    names = {look.name for look in LOOKS}
    assert len(LOOKS) >= 14 and REQUIRED <= names
    assert len([l for l in LOOKS if l.group == "Film"]) >= 2


@pytest.mark.parametrize("look", LOOKS, ids=lambda l: l.name)
def test_every_look_has_a_recipe_card_with_honest_provenance(look):
    assert look.description and "\n" not in look.description
    assert look.recipe and look.suits
    assert look.inspired_by.lower().startswith("inspired by") and "official" not in look.inspired_by.lower()
    assert look.builtin and look.params


@pytest.mark.parametrize("look", LOOKS, ids=lambda l: l.name)
def test_look_matches_its_golden_render(look):
    rendered = render_array(make_chart(), apply_preset(Edit(), look), pointwise_only=True)
    reference = GOLDEN / f"{slug(look.name)}.png"
    if os.environ.get("DARKSLIDE_REGENERATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        pyvips.Image.new_from_array(rendered, interpretation="srgb").write_to_file(str(reference))
        pytest.skip("golden reference regenerated")
    expected = to_array(pyvips.Image.new_from_file(str(reference)))
    assert delta_e2000(rendered, expected).mean() <= 1.0


def test_looks_are_measurably_distinct():
    chart = make_chart()
    renders = {l.name: render_array(chart, apply_preset(Edit(), l), pointwise_only=True) for l in LOOKS}
    for a, b in itertools.combinations(renders, 2):
        difference = delta_e2000(renders[a], renders[b]).mean()
        assert difference > MIN_PAIR_DELTA_E, f"{a} and {b} differ by only ΔE {difference:.2f}"


def test_every_look_changes_the_image():
    chart = make_chart()
    for look in LOOKS:
        assert delta_e2000(render_array(chart, apply_preset(Edit(), look)), chart).mean() > 0.8, look.name


def test_monochrome_is_neutral_and_toned_looks_are_tinted():
    chart = make_chart()
    mono = render_array(chart, apply_look(Edit(), "Monochrome")).astype(int)
    assert np.ptp(mono, axis=-1).max() <= 2
    sepia = render_array(chart, apply_look(Edit(), "Sepia")).astype(int)
    blue = render_array(chart, apply_look(Edit(), "Blue")).astype(int)
    mid = (slice(20, 30), slice(None))
    assert (sepia[mid][..., 0] - sepia[mid][..., 2]).mean() > 8  # warm: red above blue
    assert (blue[mid][..., 2] - blue[mid][..., 0]).mean() > 8


def test_high_contrast_monochrome_darkens_blue_sky():
    sky = np.tile(np.array([[[90, 140, 220]]], dtype=np.uint8), (8, 8, 1))
    plain = render_array(sky, apply_look(Edit(), "Monochrome")).mean()
    red_filter = render_array(sky, apply_look(Edit(), "Monochrome High Contrast")).mean()
    assert red_filter < plain - 15


def test_chrome_deepens_blues_more_than_standard():
    sky = np.tile(np.array([[[70, 120, 200]]], dtype=np.uint8), (8, 8, 1))
    chroma = lambda a: np.ptp(a.astype(int), axis=-1).mean()
    assert chroma(render_array(sky, apply_look(Edit(), "Chrome"))) > chroma(
        render_array(sky, apply_look(Edit(), "Standard"))) + 10


def _photos() -> list[np.ndarray]:
    samples = GOLDEN.parents[2] / "resources" / "samples"
    return [to_array(pyvips.Image.thumbnail(str(samples / name), 160).colourspace("srgb"))
            for name in ("canon_hdr_NO.jpg", "DSCN0012.jpg", "DSCN0027.jpg")]


@pytest.mark.parametrize("look", LOOKS, ids=lambda l: l.name)
def test_pure_black_stays_neutral_unless_the_recipe_says_otherwise(look):
    black = render_array(np.zeros((2, 2, 3), np.uint8), apply_preset(Edit(), look), pointwise_only=True)
    tinted = int(np.ptp(black.astype(int), axis=-1).max())
    assert tinted <= 2 or "black is a faint" in look.recipe, (black[0, 0], look.recipe)


def test_no_look_crushes_a_channel_over_whole_regions_of_real_photos():
    """Chrome used to turn a blue sky's red channel to 0; no channel may newly reach 0 on > 2 % of a photo.
    Monochrome High Contrast's red filter is allowed its black skies (the point of that look). Vivid took
    the blue channel of the sodium-lit canon_hdr_NO (blue ~36) to 0 on 74 % of it (8.6 % and 4.4 % of the
    other two photos) until its boost moved from oranges and yellows to blues, greens and aquas."""
    photos = _photos()
    for look in LOOKS:
        if look.name == "Monochrome High Contrast":
            continue
        edit = apply_preset(Edit(), look)
        for photo in photos:
            out = render_array(photo, edit, pointwise_only=True)
            crushed = ((out <= 1) & (photo >= 12)).any(axis=-1).mean()
            assert crushed < 0.02, (look.name, f"{crushed:.1%}")


def test_classic_and_portrait_400_are_clearly_different_on_photos():
    looks = {l.name: l for l in LOOKS}
    for photo in _photos():
        a, b = (render_array(photo, apply_preset(Edit(), looks[n]), pointwise_only=True)
                for n in ("Classic", "Portrait 400"))
        assert delta_e2000(a, b).mean() > 3.0


def test_dark_saturated_blue_ramps_through_every_look_have_no_step():
    """colour.fit_gamut used to jump near the blue primary's hue: ramps like these stepped by ΔE00 3.9
    (Vivid), 3.2 (Chrome) and 4.7 (Standard) between neighbouring levels. Float maths, not the 33³ table."""
    level = np.arange(56, 201) / 255.0
    ramps = np.stack([np.stack([level * red, level * green, level], -1)
                      for red in np.linspace(0, 0.3, 7) for green in np.linspace(0, 0.45, 10)])
    for look in LOOKS:
        out = exact(ramps * 255.0, apply_preset(Edit(), look))
        step = delta_e2000(out[:, :-1], out[:, 1:]).max()
        assert step < 1.0, (look.name, round(float(step), 2))
