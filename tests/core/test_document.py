"""The open-photo document: every committed step autosaves the sidecar; nothing the user had is lost."""
from __future__ import annotations

import json

from editor.core import sidecar as sidecars
from editor.core.document import Document


def test_every_committed_step_is_saved_with_its_history(make_photo):
    path = make_photo("p.jpg")
    doc = Document(path)
    doc.update("exposure", exposure_ev=1.0)
    doc.update("contrast", contrast=20.0)
    data = json.loads(sidecars.path_for(path).read_text())
    assert data["edit"]["operations"]["exposure"]["params"] == {"exposure_ev": 1.0}
    assert [s["label"] for s in data["history"]["steps"]] == ["Open", "Exposure: Exposure", "Contrast: Contrast"]


def test_undo_and_redo_are_saved_and_reopen_at_the_same_step(make_photo):
    path = make_photo("p.jpg")
    doc = Document(path)
    doc.update("exposure", exposure_ev=1.0)
    doc.update("exposure", exposure_ev=2.0)
    doc.undo()
    again = Document(path)
    assert again.edit["exposure"].exposure_ev == 1.0
    again.redo()
    assert Document(path).edit["exposure"].exposure_ev == 2.0


def test_merged_drag_is_one_undo_step(make_photo):
    doc = Document(make_photo("p.jpg"))
    for v in (0.1, 0.2, 0.3):
        doc.update("exposure", exposure_ev=v, merge=v != 0.1)
    assert len(doc.history.steps) == 2
    doc.undo()
    assert doc.edit["exposure"].exposure_ev == 0.0


def test_unreadable_sidecar_is_kept_as_bad_before_the_first_save(make_photo):
    path = make_photo("p.jpg")
    side = sidecars.path_for(path)
    side.write_text("{broken")
    doc = Document(path)
    assert "p.jpg.darkslide" in doc.problem
    assert side.read_text() == "{broken"  # opening alone never overwrites it
    doc.update("exposure", exposure_ev=0.5)
    assert side.with_name(side.name + ".bad").read_text() == "{broken"
    assert sidecars.load(path).edit["exposure"].exposure_ev == 0.5


def test_saver_receives_a_snapshot_not_the_live_history(make_photo):
    saved = []
    doc = Document(make_photo("p.jpg"), saver=lambda p, car: saved.append(car))
    doc.update("exposure", exposure_ev=1.0)
    doc.update("exposure", exposure_ev=2.0)
    assert [c.edit["exposure"].exposure_ev for c in saved] == [1.0, 2.0]
    assert len(saved[0].history.steps) == 2


def test_photo_opens_lazily_through_sources(make_photo):
    doc = Document(make_photo("p.jpg", size=(96, 64)))
    assert doc._photo is None
    assert (doc.photo.width, doc.photo.height) == (96, 64)
