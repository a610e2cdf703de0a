"""Trackers in the framework: the ``trackers:`` key, the store's ``trackers`` table."""

from __future__ import annotations

import sqlalchemy as sa

from coachkit.model.templates import load_framework
from coachkit.model.tracker_phrases import clean_phrase, phrase_problem, tracker_phrases
from coachkit.store import schema as s
from coachkit.store.database import Store


def test_the_shipped_framework_lists_trackers_and_the_store_holds_them(
    store: Store,
) -> None:
    framework = load_framework()
    listed = {b.key: b.trackers for b in framework.behaviours() if b.trackers}
    assert "next step" in listed["agree_next_step"]
    assert len(listed) >= 8
    with store.read() as conn:
        keys = dict(
            conn.execute(sa.select(s.behaviours.c.id, s.behaviours.c.key)).all()
        )
        held = {keys[b]: p for b, p in tracker_phrases(conn).items()}
    assert held == listed


def test_a_phrase_is_tidied_and_checked() -> None:
    assert clean_phrase("  next \t step ") == "next step"
    assert phrase_problem("next step") is None
    assert phrase_problem("Next Step", ["next step"]) is not None
    assert phrase_problem("…") is not None
    assert phrase_problem("by when", ["next step"] * 30) is not None
