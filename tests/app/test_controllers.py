"""The Qt-free controllers (editor.app), driven without a display: documents, preview scheduling, looks."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from editor.app.document import DocumentController, paste_settings, reset
from editor.app.events import Immediate
from editor.app.looks import LooksController
from editor.app.preview import PreviewScheduler
from editor.core import sidecar as sidecars
from editor.core.document import Document
from presets import PresetStore


def photo(path: Path) -> Path:
    Image.fromarray((np.random.default_rng(1).random((24, 32, 3)) * 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture
def documents(tmp_path):
    controller = DocumentController(Immediate())
    doc = Document(photo(tmp_path / "a.jpg"))
    doc.photo  # decoded, as the window's worker does before opening it
    controller.open(doc)
    return controller


def test_a_slider_drag_is_one_undo_step_and_its_release_asks_for_a_settled_preview(documents):
    previews = []
    documents.preview.subscribe(lambda edit, draft: previews.append((edit, draft)))
    steps = len(documents.doc.history.steps)
    for ev in (0.2, 0.4, 0.6):
        documents.set_params("exposure", {"exposure_ev": ev}, dragging=True)
    documents.set_params("exposure", {"exposure_ev": 0.6}, dragging=False)
    assert len(documents.doc.history.steps) == steps + 1
    assert documents.doc.edit["exposure"].exposure_ev == 0.6 and documents.dragging is None
    assert previews == [(None, False)]


def test_an_undecodable_photo_takes_no_edits_and_writes_no_sidecar(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    controller = DocumentController(Immediate())
    controller.open(Document(bad))
    controller.set_params("exposure", {"exposure_ev": 1.0}, dragging=False)
    assert not controller.editable and not sidecars.path_for(bad).exists()


def test_reset_all_drops_the_look_too(documents):
    documents.apply_edit("Look", documents.doc.edit.update("exposure", exposure_ev=1.0).with_look({"name": "X"}))
    documents.reset_all()
    assert documents.doc.edit.look is None and documents.doc.edit == reset(documents.doc.edit)


def test_paste_settings_keeps_each_photos_crop_and_writes_the_others_sidecars(documents, tmp_path):
    other = photo(tmp_path / "b.jpg")
    messages = []
    documents.message.subscribe(messages.append)
    documents.apply_edit("Crop", documents.doc.edit.update("crop", width=0.5).update("exposure", exposure_ev=0.7))
    documents.copy_settings()
    documents.paste_settings([documents.doc.path, other])
    pasted = sidecars.load(other).edit
    assert pasted["exposure"].exposure_ev == 0.7 and pasted["crop"].width == 1.0
    assert messages[-1] == "Settings pasted into 2 photos"
    assert paste_settings(pasted, documents.doc.edit)["crop"] == pasted["crop"]


@dataclass
class Result:
    gen: int
    doc: object
    long_edge: int = 800
    draft: bool = False


def test_the_scheduler_drops_stale_results_and_a_draft_after_its_settled_preview():
    s, doc = PreviewScheduler(), object()
    first = s.request(doc, "e1", 1600, draft=True, draft_edge=800)
    second = s.request(doc, "e2", 1600, draft=False, draft_edge=800)
    assert (first.edge, second.edge) == (800, 1600)
    assert s.accept(Result(second.gen, doc, 1600), doc)
    assert not s.accept(Result(first.gen, doc), doc)  # older generation
    assert not s.accept(Result(second.gen, doc, draft=True), doc)  # a draft after its settled preview
    assert not s.accept(Result(second.gen + 1, object()), doc)  # another photo
    assert not s.needs_settling(1600) and s.needs_settling(2000)
    assert s.settled_edit(doc) == "e2"


def test_a_clicked_look_is_applied_at_full_amount_whatever_the_last_one_had(documents, tmp_path):
    looks = LooksController(documents, Immediate(), PresetStore(tmp_path / "data"))
    listed = []
    looks.listed.subscribe(listed.append)
    looks.reload()
    assert listed and "Sepia" in looks.presets
    looks.apply("Sepia")
    assert looks.set_amount(40, merge=False, dragging=False)
    assert documents.doc.edit.look["amount"] == 40
    looks.apply("Chrome")
    assert documents.doc.edit.look["name"] == "Chrome" and documents.doc.edit.look["amount"] == 100


def test_a_refused_store_command_reaches_the_user(documents, tmp_path):
    looks = LooksController(documents, Immediate(), PresetStore(tmp_path / "data"))
    failures = []
    looks.failed.subscribe(lambda title, text: failures.append((title, text)))
    looks.delete("No such look")
    assert failures and failures[0][0] == "Looks" and "No such look" in failures[0][1]


def test_a_failing_task_without_an_error_callback_is_reported():
    runner, seen = Immediate(), []
    runner.failed.subscribe(seen.append)
    runner.run(lambda: 1 / 0)
    assert isinstance(seen[0], ZeroDivisionError)
