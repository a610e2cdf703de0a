"""Progress per rep: goals toward target, actions kept, skill ratings over time."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
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
from coachkit.model.goals import baseline_for, set_goal_status
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
    counted = before[["kept", "missed", "dropped", "open"]]
    assert int(counted.sum().sum()) == agreed
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


def test_a_judged_goal_is_measured_on_the_day_it_was_judged(
    demo_store: Store,
) -> None:
    """Its number, its progress and its verdict never disagree (issue #22)."""
    with demo_store.write() as conn:
        rep = _rep_with_goals(conn)
        g = s.goals
        goal = conn.execute(
            sa.select(g)
            .where(g.c.rep_id == rep, g.c.metric_id.is_not(None))
            .order_by(g.c.id)
            .limit(1)
        ).one()
        set_goal_status(conn, goal.id, "open", TODAY)
        set_goal_status(conn, goal.id, "missed", TODAY, on=dt.date(2026, 5, 1))
        then = baseline_for(conn, rep, goal.metric_id, dt.date(2026, 5, 1))
        goals = goal_progress(conn, rep, TODAY).set_index("goal_id")
    row = goals.loc[goal.id]
    assert row["judged_value"] == pytest.approx(then)
    assert row["status_text"] == "Missed"
    assert row["closed_on"] == dt.date(2026, 5, 1)
    assert "on 1 May 2026" in row["outcome"]
    assert row["outcome"].startswith(("Missed:", "Marked missed"))
    expected = progress_share([goal.baseline], [goal.target], [then]).iloc[0]
    assert row["progress"] == pytest.approx(expected, nan_ok=True)


def test_dropped_goals_show_only_when_asked(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep = _rep_with_goals(conn)
        goal_id = int(goal_progress(conn, rep, TODAY)["goal_id"].iloc[0])
        set_goal_status(conn, goal_id, "dropped", TODAY, note="Changed role")
        assert goal_id not in set(goal_progress(conn, rep, TODAY)["goal_id"])
        every = goal_progress(conn, rep, TODAY, include_dropped=True)
    row = every.set_index("goal_id").loc[goal_id]
    assert (row["status_text"], row["outcome"], row["note"]) == (
        "Dropped",
        "Dropped on 15 June 2026",
        "Changed role",
    )


def test_a_dropped_action_is_not_counted_as_kept_or_missed(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep = draft_rep(conn)
        a, se = s.actions, s.sessions
        action = conn.execute(
            sa.select(a.c.id, a.c.due_on)
            .join(se, a.c.session_id == se.c.id)
            .where(a.c.rep_id == rep, se.c.status == "done", a.c.status == "missed")
            .limit(1)
        ).one()
        month = pd.Timestamp(action.due_on.replace(day=1))
        before = action_record(conn, rep).set_index("month").loc[month]
        set_action_status(conn, action.id, "dropped", TODAY)
        after = action_record(conn, rep).set_index("month").loc[month]
    assert after["missed"] == before["missed"] - 1
    assert after["dropped"] == before["dropped"] + 1
    assert after["kept"] == before["kept"]
    settled = after["kept"] + after["missed"]
    if settled:
        assert after["kept_share"] == pytest.approx(after["kept"] / settled)
