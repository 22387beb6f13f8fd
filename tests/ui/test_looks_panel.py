"""The looks panel in the real window: live thumbnails, click to apply, amount, hover, import and export."""
from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from presets.formats import read_file
from editor.ui.looks_panel import NameRole
from ui_helpers import looks_idle, qimage_array, wait_preview

CUBE_HALF = "TITLE \"Half\"\nLUT_3D_SIZE 2\n" + "".join(
    f"{r * 0.5} {g * 0.5} {b * 0.5}\n" for b in (0, 1) for g in (0, 1) for r in (0, 1))
XMP_BRIGHT = """<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    crs:PresetType="Normal" crs:Exposure2012="+1.00" crs:Group="Imported">
   <crs:Name><rdf:Alt><rdf:li xml:lang="x-default">Bright XMP</rdf:li></rdf:Alt></crs:Name>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def ready(qtbot, make_window, folder):
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.doc is not None and window.looks.item("Sepia") is not None, timeout=10000)
    return window, wait_preview(qtbot, window)


def chroma(rgb: np.ndarray) -> float:
    return float((rgb.max(axis=2) - rgb.min(axis=2)).mean())


def click(qtbot, tree, item):
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())


def icon_pixels(item) -> np.ndarray:
    return qimage_array(item.icon(0).pixmap(72, 54).toImage())


def rendered(looks) -> list[str]:
    """Looks the worker rendered in the panel's current generation."""
    return [name for gen, name in list(looks.render_log) if gen == looks._gen]  # see conftest.make_window


def shrink(qtbot, window, rows: int = 3) -> None:
    """Make the looks tree show only a few rows (and wait for the panel to render them)."""
    tree = window.looks.tree
    row = tree.visualItemRect(window.looks.item("Sepia")).height() or 58
    tree.setFixedHeight(row * rows + 2 * tree.frameWidth())
    qtbot.waitUntil(lambda: tree.viewport().height() <= row * rows, timeout=10000)


def test_each_look_gets_a_live_thumbnail_of_the_open_photo(qtbot, make_window, photo_folder):
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    items = list(looks._items())
    assert len(items) >= 10
    for item in items:  # lazily rendered: scrolling brings each row into view, then its thumbnail
        looks.tree.scrollToItem(item)
        qtbot.waitUntil(lambda i=item: not i.icon(0).isNull(), timeout=15000)
    mono = looks.item("Monochrome").icon(0).pixmap(72, 54).toImage()
    assert mono.pixelColor(36, 27).saturation() < 20  # the monochrome thumbnail really is grey
    assert chroma(icon_pixels(looks.item("Monochrome"))) < 3 < chroma(icon_pixels(looks.item("Vivid")))
    assert np.abs(icon_pixels(looks.item("Sepia")) - icon_pixels(looks.item("Vivid"))).mean() > 5


def test_only_the_looks_on_screen_are_rendered_and_scrolling_renders_more(qtbot, make_window, photo_folder):
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    total = len(list(looks._items()))
    opened = looks.visible_names()  # the window as it opens: rows are as tall before their thumbnail
    qtbot.waitUntil(lambda: set(opened) <= set(rendered(looks)), timeout=10000)
    qtbot.wait(300)
    looks_idle(qtbot, looks)
    assert sorted(rendered(looks)) == sorted(opened) and len(opened) < total
    shrink(qtbot, window)
    looks.render_thumbnails(force=True)
    visible = looks.visible_names()
    assert 1 <= len(visible) <= 4 < total
    qtbot.waitUntil(lambda: sorted(rendered(looks)) == sorted(visible), timeout=10000)
    qtbot.wait(300)  # nothing else follows: the hidden looks are not rendered
    looks_idle(qtbot, looks)
    assert sorted(rendered(looks)) == sorted(visible)
    looks.tree.verticalScrollBar().setValue(looks.tree.verticalScrollBar().maximum())
    below = looks.visible_names()
    assert not set(below) & set(visible)
    qtbot.waitUntil(lambda: set(below) <= set(rendered(looks)), timeout=10000)
    assert len(rendered(looks)) == len(set(rendered(looks))) < total  # each once, still not all
    qtbot.waitUntil(lambda: all(not looks.item(n).icon(0).isNull() for n in below), timeout=10000)


def test_expanding_a_group_renders_its_looks(qtbot, make_window, photo_folder):
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    group = looks.tree.topLevelItem(0)
    group.setExpanded(False)
    looks.render_thumbnails(force=True)
    qtbot.wait(200)
    looks_idle(qtbot, looks)
    hidden = [group.child(c).data(0, NameRole) for c in range(group.childCount())]
    assert not set(hidden) & set(rendered(looks))  # a collapsed group's looks are not rendered
    group.setExpanded(True)
    qtbot.waitUntil(lambda: bool(set(hidden) & set(rendered(looks))), timeout=10000)


def test_switching_photo_discards_the_stale_requests(qtbot, make_window, photo_folder):
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    shrink(qtbot, window)
    gate = threading.Event()
    looks._pool.submit(gate.wait, 10)  # hold the worker so the requests below stay queued
    looks.render_thumbnails(force=True)
    old_gen, old_doc = looks._gen, window.doc
    looks.tree.verticalScrollBar().setValue(looks.tree.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: len(looks._futures) >= 2, timeout=10000)  # the scroll queued a second batch
    window.select_row(1)
    qtbot.waitUntil(lambda: window.doc is not old_doc and looks._gen != old_gen, timeout=10000)
    gate.set()
    qtbot.waitUntil(lambda: bool(rendered(looks)), timeout=10000)
    qtbot.wait(300)
    looks_idle(qtbot, looks)
    assert not [n for gen, n in looks.render_log if gen == old_gen]  # nothing rendered for the old photo
    assert looks._key[0] is window.doc


def test_clicking_a_look_applies_it_and_the_amount_reblends(qtbot, make_window, photo_folder):
    window, original = ready(qtbot, make_window, photo_folder)
    gen = window.shown_gen
    click(qtbot, window.looks.tree, window.looks.item("Monochrome"))
    mono = wait_preview(qtbot, window, gen)
    assert window.doc.edit.look["name"] == "Monochrome"
    assert chroma(mono) < 3 < chroma(original)
    gen = window.shown_gen
    click(qtbot, window.looks.tree, window.looks.item("Vivid"))  # replaces Monochrome
    vivid = wait_preview(qtbot, window, gen)
    assert window.doc.edit.look["name"] == "Vivid" and chroma(vivid) > chroma(original) + 3
    gen = window.shown_gen
    window.looks.set_amount(50)  # (a B&W look stays grey at any amount: its mix is on or off)
    half = wait_preview(qtbot, window, gen)
    assert window.doc.edit.look["amount"] == 50
    assert chroma(original) + 1 < chroma(half) < chroma(vivid) - 1
    assert [s.label for s in window.doc.history.steps][-2:] == ["Look: Vivid", "Look amount"]
    window.undo()
    assert window.doc.edit.look["amount"] == 100


def test_hovering_a_look_previews_it_without_recording_a_step(qtbot, make_window, photo_folder):
    window, original = ready(qtbot, make_window, photo_folder)
    gen = window.shown_gen
    window.looks._entered(window.looks.item("Monochrome"), 0)
    hovered = wait_preview(qtbot, window, gen)
    assert chroma(hovered) < 3
    assert len(window.doc.history.steps) == 1
    gen = window.shown_gen
    QApplication.sendEvent(window.looks.tree.viewport(), QEvent(QEvent.Type.Leave))
    back = wait_preview(qtbot, window, gen)
    assert np.abs(back - original).mean() < 0.5


def test_import_cube_and_xmp_through_the_file_dialog(qtbot, make_window, photo_folder, tmp_path, monkeypatch):
    window, original = ready(qtbot, make_window, photo_folder)
    cube = tmp_path / "half.cube"
    cube.write_text(CUBE_HALF)
    xmp = tmp_path / "bright.xmp"
    xmp.write_text(XMP_BRIGHT)
    for path, name in ((cube, "Half"), (xmp, "Bright XMP")):
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, p=path, **k: (str(p), "")))
        window.looks.buttons["import"].click()
        qtbot.waitUntil(lambda n=name: window.looks.item(n) is not None, timeout=10000)
    gen = window.shown_gen
    click(qtbot, window.looks.tree, window.looks.item("Half"))
    halved = wait_preview(qtbot, window, gen)
    assert abs(halved.mean() - original.mean() / 2) < 8
    gen = window.shown_gen
    click(qtbot, window.looks.tree, window.looks.item("Bright XMP"))  # replaces the LUT look
    bright = wait_preview(qtbot, window, gen)
    assert bright.mean() > original.mean() + 15
    assert window.doc.edit["exposure"].exposure_ev == 1.0


def test_a_bad_file_gives_a_clear_error_and_adds_nothing(qtbot, make_window, photo_folder, tmp_path, monkeypatch):
    window, _ = ready(qtbot, make_window, photo_folder)
    bad = tmp_path / "broken.cube"
    bad.write_text("LUT_3D_SIZE 2\n0 0 0\nnot numbers\n")
    count = len(list(window.looks._items()))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    window.looks.buttons["import"].click()
    qtbot.waitUntil(lambda: hasattr(window.looks, "last_error"), timeout=10000)
    assert "broken.cube" in window.looks.last_error
    assert len(list(window.looks._items())) == count


def test_export_a_look_as_cube_and_xmp_and_create_from_current(qtbot, make_window, photo_folder, tmp_path,
                                                            monkeypatch):
    window, _ = ready(qtbot, make_window, photo_folder)
    window.looks.tree.setCurrentItem(window.looks.item("Vivid"))
    for suffix in (".cube", ".xmp", ".json"):
        out = tmp_path / f"vivid{suffix}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, o=out, **k: (str(o), "")))
        window.looks.buttons["export"].click()
        qtbot.waitUntil(out.exists, timeout=10000)
        assert read_file(out).presets
    window.develop.row("exposure", "exposure_ev").slider.setValue(80)
    from PySide6.QtWidgets import QInputDialog
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("My Look", True)))
    window.looks.buttons["create"].click()
    qtbot.waitUntil(lambda: window.looks.item("My Look") is not None, timeout=10000)
    assert window.looks.presets["My Look"].params["exposure"]["exposure_ev"] == window.doc.edit["exposure"].exposure_ev


def test_duplicate_rename_and_delete_a_look(qtbot, make_window, photo_folder, monkeypatch):
    from PySide6.QtWidgets import QInputDialog
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    looks.tree.setCurrentItem(looks.item("Sepia"))
    looks.buttons["duplicate"].click()
    qtbot.waitUntil(lambda: looks.item("Sepia copy") is not None, timeout=10000)
    assert looks.item("Sepia copy").parent().text(0) == "User"
    looks.tree.setCurrentItem(looks.item("Sepia copy"))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Warm Sepia", True)))
    looks.buttons["rename"].click()
    qtbot.waitUntil(lambda: looks.item("Warm Sepia") is not None, timeout=10000)
    assert looks.item("Sepia copy") is None
    looks.tree.setCurrentItem(looks.item("Warm Sepia"))
    looks.buttons["delete"].click()
    qtbot.waitUntil(lambda: looks.item("Warm Sepia") is None, timeout=10000)
    assert looks.store.trash()  # recoverable
    looks.tree.setCurrentItem(looks.item("Sepia"))
    looks.buttons["delete"].click()  # built-in looks cannot be deleted: a clear message, nothing removed
    qtbot.waitUntil(lambda: hasattr(looks, "last_error"), timeout=10000)
    assert looks.item("Sepia") is not None and "Sepia" in looks.last_error


def test_a_hidden_panel_renders_nothing_until_shown_and_another_photo_clears_old_thumbnails(
        qtbot, make_window, photo_folder):
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    shrink(qtbot, window)
    first = looks.visible_names()
    qtbot.waitUntil(lambda: all(not looks.item(n).icon(0).isNull() for n in first), timeout=10000)
    looks.tree.verticalScrollBar().setValue(looks.tree.verticalScrollBar().maximum())
    last = looks.visible_names()
    qtbot.waitUntil(lambda: all(not looks.item(n).icon(0).isNull() for n in last), timeout=10000)
    looks.tree.verticalScrollBar().setValue(0)
    window.left.setCurrentIndex(1 - window.left.indexOf(looks))  # the tether tab
    assert not looks.tree.isVisible()
    old = looks._gen
    window.select_row(1)
    qtbot.waitUntil(lambda: looks._gen != old, timeout=10000)
    assert all(looks.item(n).icon(0).isNull() for n in last)  # off screen: the last photo's thumbnails go
    qtbot.wait(300)
    looks_idle(qtbot, looks)
    assert rendered(looks) == []  # hidden: nothing is rendered
    window.left.setCurrentWidget(looks)
    shown = looks.visible_names()
    assert shown and set(shown) <= set(first)
    qtbot.waitUntil(lambda: set(shown) <= set(rendered(looks)), timeout=10000)
    assert not set(last) & set(rendered(looks))


def test_a_look_that_cannot_be_rendered_says_why_on_its_row(qtbot, make_window, photo_folder, monkeypatch):
    import editor.ui.looks_panel as panel_module
    real = panel_module.apply_preset

    def broken(edit, preset, *args, **kwargs):
        if preset.name == "Vivid":
            raise ValueError("LUT file 'gone.cube' not found")
        return real(edit, preset, *args, **kwargs)
    monkeypatch.setattr(panel_module, "apply_preset", broken)
    window, _ = ready(qtbot, make_window, photo_folder)
    looks = window.looks
    looks.render_thumbnails(force=True)
    qtbot.waitUntil(lambda: "gone.cube" in looks.item("Vivid").toolTip(0), timeout=10000)
    assert looks.item("Vivid").toolTip(0).startswith("Cannot show Vivid")
    qtbot.waitUntil(lambda: not looks.item("Standard").icon(0).isNull(), timeout=10000)  # the others render
