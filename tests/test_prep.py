"""The prep brief and the conversation guide."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rows import draft_rep

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import session_actions, set_action_status
from coachkit.facilitate.prep import (
    DEFAULT_STAGE,
    DEFAULT_STYLE,
    TREND_COLUMNS,
    conversation_steps,
    prep_brief,
)
from coachkit.model.goals import baseline_for
from coachkit.model.templates import GROW_PARTS, SessionGuides, load_session_guides
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(scope="module")
def guides() -> SessionGuides:
    return load_session_guides()


def test_the_brief_has_the_plan_and_last_commitments(
    demo_store: Store, guides: SessionGuides
) -> None:
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        brief = prep_brief(conn, rep, TODAY, guides)
        se = s.sessions
        last = conn.execute(
            sa.select(se.c.id, se.c.held_on)
            .where(se.c.rep_id == rep, se.c.status == "done")
            .order_by(se.c.held_on.desc())
            .limit(1)
        ).one()
        actions = session_actions(conn, last.id)
    assert brief.plan is not None
    assert brief.plan.rep_id == rep
    assert brief.last_session_on == last.held_on
    assert [c.text for c in brief.commitments] == [a.text for a in actions]
    for c in brief.commitments:
        assert c.state in ("kept", "missed", "dropped", "open", "overdue")
        assert c.overdue == (c.status == "open" and c.due_on < TODAY)
    assert brief.style == brief.plan.focus[0].style
    assert brief.questions == guides.style(brief.style).grow
    assert set(brief.questions) == set(GROW_PARTS)
    assert [f.behaviour for f in brief.focus] == [f.behaviour for f in brief.plan.focus]


def test_the_trends_compare_plan_start_with_now(
    demo_store: Store, guides: SessionGuides
) -> None:
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        brief = prep_brief(conn, rep, TODAY, guides)
        assert brief.plan is not None
        trends = brief.trends
        assert list(trends.columns) == TREND_COLUMNS
        assert not trends.empty
        assert set(trends["behaviour_id"]) == set(brief.plan.focus_ids)
        row = trends.iloc[0]
        start = baseline_for(conn, rep, int(row["metric_id"]), brief.plan.started_on)
        now = baseline_for(conn, rep, int(row["metric_id"]), TODAY)
    assert row["at_start"] == pytest.approx(start)
    assert row["now"] == pytest.approx(now)
    moved = trends.dropna(subset=["change"])
    for r in moved.itertuples():
        if r.change:
            assert r.better == ((r.change > 0) == r.higher_is_better)


def test_a_rep_without_a_plan_gets_the_guide_style(
    demo_store: Store, guides: SessionGuides
) -> None:
    with demo_store.read() as conn:
        p = s.plans
        active = sa.select(p.c.rep_id).where(p.c.status == "active")
        rep = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.id.not_in(active)).limit(1)
        ).scalar_one()
        brief = prep_brief(conn, rep, TODAY, guides)
    assert brief.plan is None
    assert (
        (brief.style, brief.stage)
        == (DEFAULT_STYLE, DEFAULT_STAGE)
        == ("guide", "prompt")
    )
    assert brief.questions == guides.style("guide").grow
    assert brief.trends.empty
    assert list(brief.trends.columns) == TREND_COLUMNS


def test_an_unknown_rep_is_named(demo_store: Store, guides: SessionGuides) -> None:
    with demo_store.read() as conn, pytest.raises(ValidationError, match="Rep"):
        prep_brief(conn, 99_999, TODAY, guides)


def test_a_direct_session_starts_by_showing_and_ends_with_one_step(
    guides: SessionGuides,
) -> None:
    steps = conversation_steps("direct", "demonstrate", guides)
    assert steps[0].key == "show"
    assert guides.style("direct").opening in steps[0].coach_does
    assert steps[0].questions == guides.style("direct").grow["options"]
    assert steps[-1].key == "next"
    assert steps[-1].grow_part == "will"
    assert "one clear thing" in steps[-1].coach_does
    practice = next(x for x in steps if x.key == "practice")
    assert guides.stage("demonstrate").coach_does in practice.coach_does


def test_a_delegate_session_lets_the_rep_lead(guides: SessionGuides) -> None:
    steps = conversation_steps("delegate", "release", guides)
    assert steps[0].title == "Let the rep set the goal"
    assert steps[0].questions == guides.style("delegate").grow["goal"]
    talking = [x for x in steps if x.key != "practice"]
    assert all(x.questions for x in talking)  # the coach asks; the rep answers
    assert [x.grow_part for x in talking] == list(GROW_PARTS)


@pytest.mark.parametrize("style", ["direct", "guide", "excite", "delegate"])
@pytest.mark.parametrize("stage", ["demonstrate", "prompt", "release"])
def test_every_style_and_stage_has_a_guide(
    guides: SessionGuides, style: str, stage: str
) -> None:
    steps = conversation_steps(style, stage, guides)
    assert 4 <= len(steps) <= 6
    assert all(x.title and x.coach_does for x in steps)
    assert "{opening}" not in " ".join(x.coach_does for x in steps)
    assert {x.grow_part for x in steps} >= {"reality", "options", "will"}


def test_unknown_style_or_stage_is_named(guides: SessionGuides) -> None:
    with pytest.raises(ValidationError, match="Style"):
        conversation_steps("shout", "prompt", guides)
    with pytest.raises(ValidationError, match="Stage"):
        conversation_steps("guide", "later", guides)


def test_a_dropped_commitment_is_not_counted(
    demo_store: Store, guides: SessionGuides
) -> None:
    with demo_store.write() as conn:
        rep = draft_rep(conn)
        brief = prep_brief(conn, rep, TODAY, guides)
        assert brief.commitments
        first = brief.commitments[0]
        set_action_status(conn, first.action_id, "dropped", TODAY, note="Not needed")
        after = prep_brief(conn, rep, TODAY, guides)
    n = len(brief.commitments)
    assert after.counted == n - 1
    assert after.kept == sum(c.status == "kept" for c in after.commitments)
    assert after.kept_sentence().endswith("(1 dropped, not counted).")
    dropped = next(c for c in after.commitments if c.action_id == first.action_id)
    assert (dropped.state, dropped.note) == ("dropped", "Not needed")
    assert dropped.outcome == "Dropped on 15 June 2026"
    assert not dropped.overdue
