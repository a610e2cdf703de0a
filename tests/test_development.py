"""Long-term development: coaching time per objective, and focus that is not moving."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_plan, add_rating, add_session, first_coach

from coachkit.improve.development import (
    STALE_COLUMNS,
    TIME_COLUMNS,
    objective_chart,
    stale_focus,
    time_by_objective,
)
from coachkit.model.periods import Period
from coachkit.model.readability import TARGET_GRADE, grade_level
from coachkit.store import schema as s
from coachkit.store.database import Store

PERIOD = Period.between(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 6, 15)
D = dt.date
HELD = D(2026, 2, 2)


@pytest.fixture
def team(store: Store) -> dict[str, Any]:
    """Coach A with Ann (long plan), Ben (new plan), Dot (left); coach B with Cy."""
    with store.write() as conn:
        b = s.behaviours
        first = dict(
            conn.execute(
                sa.select(b.c.objective_id, sa.func.min(b.c.id)).group_by(
                    b.c.objective_id
                )
            ).all()
        )
        o1, o2, o3, o4 = sorted(first)
        a = add(conn, s.coaches, name="Casey Coach")
        c = add(conn, s.coaches, name="Blake Coach")
        ann = add(conn, s.reps, coach_id=a, name="Ann")
        ben = add(conn, s.reps, coach_id=a, name="Ben")
        dot = add(conn, s.reps, coach_id=a, name="Dot", active=False)
        cy = add(conn, s.reps, coach_id=c, name="Cy")
        # Coaching time: 60 minutes on objectives 1 and 2, then 30 on objective 1.
        add_session(conn, a, ann, HELD, 60, focus=[first[o1], first[o2]])
        add_session(conn, a, ben, HELD, 30, focus=[first[o1]])
        add_session(conn, a, ann, HELD, 45)  # no focus: cannot be placed
        add_session(conn, a, ann, HELD, 60, focus=[first[o3]], status="draft")
        add_session(conn, a, ann, D(2026, 4, 1), 60, focus=[first[o3]])  # after
        add_session(conn, c, cy, HELD, 60, focus=[first[o4]])
        # Focus: Ann's plan is 133 days old; Ben's 45 days.
        b1, b2, b3, b4 = (int(i) for i in sorted(first.values()))
        add_plan(conn, a, ann, D(2026, 2, 2), [b1, b2, b3, b4])
        add_rating(conn, a, ann, b1, D(2026, 1, 20), 2)
        add_rating(conn, a, ann, b1, D(2026, 5, 1), 2)  # no movement
        add_rating(conn, a, ann, b2, D(2026, 1, 20), 2)
        add_rating(conn, a, ann, b2, D(2026, 5, 1), 3)  # moving
        add_rating(conn, a, ann, b4, D(2026, 2, 20), 3)  # first rated after the start
        add_rating(conn, a, ann, b4, D(2026, 5, 20), 2)  # fell
        add_plan(conn, a, ben, D(2026, 5, 1), [b1])
        add_plan(conn, a, ben, D(2025, 6, 1), [b2], status="closed")
        add_plan(conn, a, dot, D(2025, 6, 1), [b1])
        add_plan(conn, c, cy, D(2025, 12, 1), [b1])
    return {
        "a": a,
        "c": c,
        "ann": ann,
        "objectives": [o1, o2, o3, o4],
        "b": [b1, b2, b3, b4],
    }


def test_time_is_split_over_focus_behaviours(
    store: Store, team: dict[str, Any]
) -> None:
    with store.read() as conn:
        frame = time_by_objective(conn, team["a"], PERIOD)
        query = sa.select(s.objectives.c.id, s.objectives.c.weight)
        weights = dict(conn.execute(query).all())
    assert list(frame.columns) == TIME_COLUMNS
    assert frame["objective_id"].tolist() == team["objectives"]
    assert frame["minutes"].tolist() == [60.0, 30.0, 0.0, 0.0]
    assert frame["time_share"].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0])
    assert frame["time_share"].sum() == pytest.approx(1)
    total = sum(weights.values())
    expected = [weights[o] / total for o in team["objectives"]]
    assert frame["weight_share"].tolist() == pytest.approx(expected)
    gap = frame["time_share"] - frame["weight_share"]
    assert frame["gap"].tolist() == pytest.approx(gap.tolist())
    assert frame["gap"].iloc[0] > 0  # more time than its weight asks for
    assert frame["gap"].iloc[3] < 0


def test_time_for_everyone_and_for_one_rep(store: Store, team: dict[str, Any]) -> None:
    with store.read() as conn:
        everyone = time_by_objective(conn, None, PERIOD)
        ann = time_by_objective(conn, None, PERIOD, rep_id=team["ann"])
    assert everyone["minutes"].tolist() == [60.0, 30.0, 0.0, 60.0]
    assert ann["minutes"].tolist() == [30.0, 30.0, 0.0, 0.0]
    assert ann["time_share"].sum() == pytest.approx(1)


def test_stale_focus_flags_no_movement_only(store: Store, team: dict[str, Any]) -> None:
    b1, b2, b3, b4 = team["b"]
    with store.read() as conn:
        stale = stale_focus(conn, team["a"], TODAY)
    assert list(stale.columns) == STALE_COLUMNS
    assert set(stale["rep"]) == {"Ann"}  # Ben's plan is new; Dot left; Cy is B's
    rows = stale.set_index("behaviour_id")
    assert b2 not in rows.index  # skill went from 2 to 3
    assert sorted(rows.index) == sorted([b1, b3, b4])
    assert (rows["since"] == D(2026, 2, 2)).all()
    assert (rows["days_in_focus"] == 133).all()
    assert (rows.loc[b1, "skill_then"], rows.loc[b1, "skill_now"]) == (2, 2)
    assert (rows.loc[b4, "skill_then"], rows.loc[b4, "skill_now"]) == (3, 2)
    flag = (
        "No movement in 4 months: try a different approach (another style, a "
        "different kind of session or a new goal)."
    )
    assert rows.loc[b1, "flag"] == flag
    assert pd.isna(rows.loc[b3, "skill_now"])
    assert rows.loc[b3, "flag"].startswith("Not rated in 4 months")
    grade = grade_level(flag)
    assert grade is not None
    assert grade <= TARGET_GRADE


def test_stale_focus_after_fewer_days(store: Store, team: dict[str, Any]) -> None:
    with store.read() as conn:
        stale = stale_focus(conn, team["a"], TODAY, days=30)
    ben = stale[stale["rep"] == "Ben"]
    assert ben["days_in_focus"].tolist() == [45]
    assert ben["flag"].iloc[0].startswith("Not rated in 1 month: rate this skill")
    assert stale["days_in_focus"].is_monotonic_decreasing


def test_chart_pairs_time_and_weight(store: Store, team: dict[str, Any]) -> None:
    with store.read() as conn:
        frame = time_by_objective(conn, team["a"], PERIOD)
    spec = objective_chart(frame).to_dict()
    assert spec["encoding"]["yOffset"]["field"] == "measure"
    assert spec["encoding"]["x"]["axis"]["format"] == "%"
    values = next(iter(spec["datasets"].values()))
    assert len(values) == 2 * len(frame)
    assert {v["measure"] for v in values} == {"Share of coaching time", "Weight set"}


def test_no_data_gives_empty_frames(store: Store) -> None:
    with store.read() as conn:
        time = time_by_objective(conn, None, PERIOD)
        stale = stale_focus(conn, None, TODAY)
    assert time.empty
    assert list(time.columns) == TIME_COLUMNS
    assert stale.empty
    assert list(stale.columns) == STALE_COLUMNS
    assert objective_chart(time).to_dict()["mark"]["type"] == "bar"


@pytest.mark.parametrize("everyone", [False, True])
def test_demo_columns(demo_store: Store, today: dt.date, everyone: bool) -> None:
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        coach = None if everyone else first_coach(conn)
        time = time_by_objective(conn, coach, period)
        stale = stale_focus(conn, coach, today)
    assert list(time.columns) == TIME_COLUMNS
    assert list(stale.columns) == STALE_COLUMNS
    assert time["time_share"].sum() == pytest.approx(1)
    assert time["weight_share"].sum() == pytest.approx(1)
    assert (stale["days_in_focus"] >= 91).all()
    rated = stale["skill_now"].notna()
    assert (stale.loc[rated, "skill_now"] <= stale.loc[rated, "skill_then"]).all()
