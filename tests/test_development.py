"""Long-term development: coaching time per objective, and focus that is not moving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import schema as s
from coachkit.development import (
    STALE_COLUMNS,
    TIME_COLUMNS,
    objective_chart,
    stale_focus,
    time_by_objective,
)
from coachkit.periods import Period
from coachkit.readability import TARGET_GRADE, grade_level
from coachkit.store import Store

PERIOD = Period.between(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 6, 15)
D = dt.date
HELD = D(2026, 2, 2)


def _add(conn: Connection, table: sa.Table, **values: object) -> int:
    return int(conn.execute(table.insert().values(**values)).inserted_primary_key[0])


def _session(
    conn: Connection,
    coach: int,
    rep: int,
    minutes: int,
    focus: Sequence[int],
    status: str = "done",
    held: dt.date = HELD,
) -> None:
    sid = _add(
        conn,
        s.sessions,
        coach_id=coach,
        rep_id=rep,
        session_type="skill_practice",
        held_on=held,
        duration_minutes=minutes,
        status=status,
    )
    for b in focus:
        _add(conn, s.session_focus, session_id=sid, behaviour_id=b, coach_id=coach)


def _plan(
    conn: Connection,
    coach: int,
    rep: int,
    started: dt.date,
    focus: Sequence[int],
    status: str = "active",
) -> None:
    plan = _add(
        conn, s.plans, coach_id=coach, rep_id=rep, started_on=started, status=status
    )
    for pos, b in enumerate(focus):
        _add(
            conn,
            s.plan_focus,
            coach_id=coach,
            plan_id=plan,
            behaviour_id=b,
            style="guide",
            stage="prompt",
            position=pos,
        )


def _rate(
    conn: Connection, coach: int, rep: int, b: int, day: dt.date, skill: int
) -> None:
    _add(
        conn,
        s.assessments,
        coach_id=coach,
        rep_id=rep,
        behaviour_id=b,
        assessed_on=day,
        source="coach",
        skill=skill,
        will=4,
    )


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
        a = _add(conn, s.coaches, name="Casey Coach")
        c = _add(conn, s.coaches, name="Blake Coach")
        ann = _add(conn, s.reps, coach_id=a, name="Ann")
        ben = _add(conn, s.reps, coach_id=a, name="Ben")
        dot = _add(conn, s.reps, coach_id=a, name="Dot", active=False)
        cy = _add(conn, s.reps, coach_id=c, name="Cy")
        # Coaching time: 60 minutes on objectives 1 and 2, then 30 on objective 1.
        _session(conn, a, ann, 60, [first[o1], first[o2]])
        _session(conn, a, ben, 30, [first[o1]])
        _session(conn, a, ann, 45, [])  # no focus: cannot be placed
        _session(conn, a, ann, 60, [first[o3]], status="draft")
        _session(conn, a, ann, 60, [first[o3]], held=D(2026, 4, 1))  # after
        _session(conn, c, cy, 60, [first[o4]])
        # Focus: Ann's plan is 133 days old; Ben's 45 days.
        b1, b2, b3, b4 = (int(i) for i in sorted(first.values()))
        _plan(conn, a, ann, D(2026, 2, 2), [b1, b2, b3, b4])
        _rate(conn, a, ann, b1, D(2026, 1, 20), 2)
        _rate(conn, a, ann, b1, D(2026, 5, 1), 2)  # no movement
        _rate(conn, a, ann, b2, D(2026, 1, 20), 2)
        _rate(conn, a, ann, b2, D(2026, 5, 1), 3)  # moving
        _rate(conn, a, ann, b4, D(2026, 2, 20), 3)  # first rated after the start
        _rate(conn, a, ann, b4, D(2026, 5, 20), 2)  # fell
        _plan(conn, a, ben, D(2026, 5, 1), [b1])
        _plan(conn, a, ben, D(2025, 6, 1), [b2], status="closed")
        _plan(conn, a, dot, D(2025, 6, 1), [b1])
        _plan(conn, c, cy, D(2025, 12, 1), [b1])
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
        coach = (
            None
            if everyone
            else int(
                conn.execute(sa.select(sa.func.min(s.reps.c.coach_id))).scalar_one()
            )
        )
        time = time_by_objective(conn, coach, period)
        stale = stale_focus(conn, coach, today)
    assert list(time.columns) == TIME_COLUMNS
    assert list(stale.columns) == STALE_COLUMNS
    assert time["time_share"].sum() == pytest.approx(1)
    assert time["weight_share"].sum() == pytest.approx(1)
    assert (stale["days_in_focus"] >= 91).all()
    rated = stale["skill_now"].notna()
    assert (stale.loc[rated, "skill_now"] <= stale.loc[rated, "skill_then"]).all()
