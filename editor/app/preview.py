"""Preview scheduling for the open photo: every request gets a generation number, results of superseded
requests are dropped, and an interim (draft) preview is always followed by a settled one.

Qt-free: the window asks `request` for a job, hands it to the render worker, and passes each result to
`accept`, which says whether to paint it. The sizes come from the view (`edge`, in device pixels).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Request:
    gen: int
    doc: Any
    edit: Any
    edge: int
    draft: bool


class PreviewScheduler:
    """Which preview request is the newest and which result is on screen."""

    def __init__(self) -> None:
        self.gen = 0  # newest request
        self.shown_gen = 0  # generation of the preview on screen
        self.shown_edge = 0  # its long edge, px
        self.shown_draft = True  # the preview on screen is an interim one (first paint or slider drag)
        self.last_result = None
        self._requested: tuple = (None, None)  # (document, edit) of the newest request

    def request(self, doc, edit, edge: int, draft: bool, draft_edge: int) -> Request:
        """A new generation for `edit` of `doc`: a settled preview of `edge` px, or a draft capped at
        `draft_edge` px (the size rendered while a slider moves)."""
        self.gen += 1
        self._requested = (doc, edit)
        return Request(self.gen, doc, edit, min(draft_edge, edge) if draft else edge, draft)

    def settled_edit(self, doc):
        """The edit the settled preview must show: the newest requested one when it is of `doc`."""
        requested_doc, edit = self._requested
        return edit if requested_doc is doc and edit is not None else doc.edit

    def needs_settling(self, edge: int) -> bool:
        """The preview on screen is a draft, or not the size the view now needs (smaller: soft; larger:
        scaled down on every paint instead of copied)."""
        return self.shown_draft or self.shown_edge != edge

    def accept(self, result, doc) -> bool:
        """Whether `result` (gen, doc, long_edge, draft) should be painted; if so it becomes the shown one.

        Dropped: results of another photo, of an older generation, and a draft that arrives after the
        settled preview of its own generation (a first-paint draft may precede its preview)."""
        if result.doc is not doc:
            return False
        if result.gen < self.shown_gen:
            return False
        if result.gen == self.shown_gen and (result.draft or not self.shown_draft):
            return False
        self.shown_gen, self.shown_edge, self.shown_draft = result.gen, result.long_edge, result.draft
        self.last_result = result
        return True

    def is_current(self, gen: int, long_edge: int | None = None) -> bool:
        """Whether a follow-up of generation `gen` (a histogram, a 1:1 tile) belongs to the shown preview."""
        return gen == self.shown_gen and (long_edge is None or long_edge == self.shown_edge)

    def forget(self) -> None:
        """The photo closed: nothing is on screen for the next one yet."""
        self.last_result = None
        self._requested = (None, None)
