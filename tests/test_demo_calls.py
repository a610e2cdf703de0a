"""The demo team's recorded calls (coachkit.demo.calls)."""

from __future__ import annotations

import sqlalchemy as sa

from coachkit.model.calls.store import call_turns, calls_table, hits
from coachkit.store import schema as s
from coachkit.store.database import Store


def test_every_demo_rep_has_calls_that_differ_like_real_reps(demo_store: Store) -> None:
    table = calls_table(demo_store)
    with demo_store.read() as conn:
        reps = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.active.is_(True))
        ).scalars()
        active = set(reps)
    assert active <= set(table["rep_id"])
    shares = table.groupby("rep_id")["talk_share"].mean()
    assert shares.min() < 0.45
    assert shares.max() > 0.65
    assert (table["longest_monologue_s"] > 120).any()  # someone pitches on and on
    assert (table["longest_monologue_s"] < 60).any()
    assert table["tracker_hits"].sum() > 100
    turns = call_turns(demo_store, int(table["call_id"].iloc[0]))
    assert set(turns["side"]) == {"rep", "buyer"}


def test_demo_calls_give_hits_and_weekly_call_numbers(demo_store: Store) -> None:
    rep = int(calls_table(demo_store)["rep_id"].iloc[0])
    found = hits(demo_store, rep)
    assert found
    assert all(h.status == "open" for h in found)
    m, mv = s.metrics, s.metric_values
    with demo_store.read() as conn:
        weeks = conn.execute(
            sa.select(sa.func.count())
            .select_from(mv)
            .join(m, m.c.id == mv.c.metric_id)
            .where(m.c.key == "recorded_calls", mv.c.rep_id == rep)
        ).scalar_one()
    assert weeks >= 8


def test_every_shipped_phrase_is_said_in_a_sentence_of_its_own() -> None:
    # The demo's evidence reads like a call: each phrase of the default framework
    # comes in a sentence written for it, which the tracker really finds.
    import re

    from coachkit.demo.calls import _SAID
    from coachkit.model.templates import load_framework

    for objective in load_framework().objectives:
        for behaviour in objective.behaviours:
            for phrase in behaviour.trackers:
                said = _SAID.get(phrase.casefold(), "")
                pattern = rf"\b{re.escape(phrase.casefold())}\b"
                assert re.search(pattern, said.casefold()), phrase
