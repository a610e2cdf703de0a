"""Progress per rep: goals toward target, actions kept, skill ratings over time."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa
from rows import demo_draft, draft_rep
from sqlalchemy.engine import Connection

from coachkit.facilitate.actions import ActionDraft, add_action, set_action_status
from coachkit.facilitate.progress import (
    ACTION_COLUMNS,
    GOAL_COLUMNS,
    SKILL_COLUMNS,
    action_record,
    goal_progress,
    progress_share,
    skill_history,
)
from coachkit.facilitate.sessions import finish_session
from coachkit.model.goals import baseline_for
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)


def _rep_with_goals(conn: Connection) -> int:
    g = s.goals
    return int(
        conn.execute(
            sa.select(g.c.rep_id)
            .where(g.c.status != "dropped", g.c.metric_id.is_not(None))
            .order_by(g.c.rep_id)
            .limit(1)
        ).scalar_one()
    )


@pytest.mark.parametrize(
    ("baseline", "target", "current", "share"),
    [
        (20.0, 30.0, 25.0, 0.5),  # halfway up
        (0.4, 0.2, 0.3, 0.5),  # lower is better: halfway down
        (20.0, 30.0, 40.0, 1.2),  # far past the target: shown as 120%
        (20.0, 30.0, 15.0, 0.0),  # went the wrong way: 0, not negative
        (20.0, 30.0, 30.0, 1.0),
        (20.0, 20.0, 25.0, math.nan),  # no distance to cover
        (None, 30.0, 25.0, math.nan),
        (20.0, 30.0, None, math.nan),
    ],
)
def test_progress_share(
    baseline: float | None, target: float, current: float | None, share: float
) -> None:
    got = progress_share([baseline], [target], [current]).iloc[0]  # type: ignore[arg-type]
    if math.isnan(share):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(share)


def test_goal_progress_uses_the_recent_level(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep = _rep_with_goals(conn)
        goals = goal_progress(conn, rep, TODAY)
        first = goals.dropna(subset=["current"]).iloc[0]
        metric = conn.execute(
            sa.select(s.goals.c.metric_id).where(s.goals.c.id == int(first["goal_id"]))
        ).scalar_one()
        expected = baseline_for(conn, rep, metric, TODAY)
    assert list(goals.columns) == GOAL_COLUMNS
    assert first["current"] == pytest.approx(expected)
    assert goals["progress"].dropna().between(0, 1.2).all()
    assert "dropped" not in set(goals["status"])
    assert goals["due_on"].is_monotonic_increasing
    assert first["current_text"] not in ("", "not known")


def test_action_record_counts_per_month(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        before = action_record(conn, rep)
        a, se = s.actions, s.sessions
        agreed = conn.execute(
            sa.select(sa.func.count())
            .select_from(a.join(se, a.c.session_id == se.c.id))
            .where(a.c.rep_id == rep, se.c.status == "done")
        ).scalar_one()
    assert list(before.columns) == ACTION_COLUMNS
    assert int(before[["kept", "missed", "open"]].sum().sum()) == agreed
    assert before["month"].is_monotonic_increasing


def test_a_finished_sessions_kept_action_shows_in_the_record(
    demo_store: Store,
) -> None:
    with demo_store.write() as conn:
        draft = demo_draft(conn)
        rep = draft.rep_id
        action = add_action(
            conn, draft.id, ActionDraft("Book the demo", "rep", "2026-08-03")
        )
        # Not agreed while the session is a draft:
        assert action_record(conn, rep)["month"].max() < dt.datetime(2026, 8, 1)
    fields = {
        "went_well": "Good start.",
        "to_change": "Ask one more question.",
        "next_session_on": "2026-06-29",
        "coach_relevant": 4,
        "coach_developmental": 4,
        "coach_motivational": 4,
        "duration_minutes": 30,
    }
    finish_session(
        demo_store, draft.id, fields, expected_version=draft.row_version, today=TODAY
    )
    with demo_store.write() as conn:
        set_action_status(conn, action, "kept", TODAY)
        record = action_record(conn, rep).set_index("month")
    august = record.loc["2026-08-01"]
    assert (august["kept"], august["missed"], august["open"]) == (1, 0, 0)
    assert august["kept_share"] == 1.0


def test_skill_history_for_charts(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep = _rep_with_goals(conn)
        everything = skill_history(conn, rep)
        one = int(everything["behaviour_id"].iloc[0])
        only = skill_history(conn, rep, [one])
    assert list(everything.columns) == SKILL_COLUMNS
    assert everything["date"].is_monotonic_increasing
    assert set(everything["source"]) <= {"coach", "self"}
    assert everything["skill"].between(1, 5).all()
    assert set(only["behaviour_id"]) == {one}
    assert len(only) < len(everything)


def test_recent_sessions_read_in_words_newest_first(demo_store, today) -> None:
    from coachkit.facilitate.progress import recent_sessions
    from coachkit.model.templates import load_session_guides

    names = {t.key: t.name for t in load_session_guides().session_types}
    with demo_store.read() as conn:
        rep_id = conn.execute(
            sa.select(s.sessions.c.rep_id).order_by(s.sessions.c.id).limit(1)
        ).scalar_one()
        latest = recent_sessions(conn, rep_id, names, limit=5)
    assert list(latest.columns) == ["Date", "Type", "Minutes", "Status"]
    assert 1 <= len(latest) <= 5
    assert list(latest["Date"]) == sorted(latest["Date"], reverse=True)
    assert set(latest["Type"]) <= set(names.values())  # never "call_review"
    assert set(latest["Status"]) <= {"Held", "Being written up"}
