"""Coaching plans: checked first, saved whole, one active plan per rep."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.goals import GoalDraft, set_goal_status
from coachkit.model.plans import (
    FocusChoice,
    cadence_days,
    current_plan,
    earlier_plans,
    save_plan,
)
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.store.versions import ConflictError

TODAY = dt.date(2026, 6, 15)


def _id(conn: Connection, table: sa.Table, key: str) -> int:
    query = sa.select(table.c.id).where(table.c.key == key)
    return int(conn.execute(query).scalar_one())


def _rep_with_plan(conn: Connection) -> tuple[int, int]:
    """A demo rep with an active plan, and their coach."""
    p = s.plans
    row = conn.execute(
        sa.select(p.c.rep_id, p.c.coach_id)
        .where(p.c.status == "active")
        .order_by(p.c.rep_id)
        .limit(1)
    ).one()
    return int(row.rep_id), int(row.coach_id)


def _plan(conn: Connection, rep: int, coach: int, **changes: Any) -> dict[str, Any]:
    """Arguments for a good plan: one focus behaviour and one goal."""
    behaviour = _id(conn, s.behaviours, "open_with_buyer_reason")
    args: dict[str, Any] = {
        "coach_id": coach,
        "rep_id": rep,
        "focus": [FocusChoice(behaviour, "guide", "demonstrate")],
        "goals": [
            GoalDraft(
                rep_id=rep,
                behaviour_id=behaviour,
                metric_id=_id(conn, s.metrics, "conversations"),
                description="Hold more real talks with buyers each week.",
                target="40",
                due_on="2026-09-30",
                baseline=20.0,
            )
        ],
        "sessions_per_month": 4,
        "minutes_per_session": 45,
        "notes": "Start with the first two minutes of each call.",
        "today": TODAY,
    }
    args.update(changes)
    return args


def _counts(conn: Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in (s.plans, s.plan_focus, s.goals)
    ) + (
        conn.execute(
            sa.select(sa.func.count()).where(s.goals.c.status == "dropped")
        ).scalar_one(),
        conn.execute(
            sa.select(sa.func.count()).where(s.plans.c.status == "active")
        ).scalar_one(),
    )


def test_saving_a_plan_replaces_the_active_one(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        before = current_plan(conn, rep)
        args = _plan(conn, rep, coach)
    assert before is not None
    assert before.goals  # the demo's goals belong to its plans
    with demo_store.write() as conn:
        plan_id = save_plan(conn, **args, expected_version=before.row_version)
    with demo_store.read() as conn:
        after = current_plan(conn, rep)
        old_status = conn.execute(
            sa.select(s.plans.c.status).where(s.plans.c.id == before.id)
        ).scalar_one()
        active = conn.execute(
            sa.select(sa.func.count()).where(
                s.plans.c.rep_id == rep, s.plans.c.status == "active"
            )
        ).scalar_one()
        old_goals = conn.execute(
            sa.select(s.goals.c.status).where(
                s.goals.c.id.in_([g.id for g in before.goals if g.status == "open"])
            )
        ).scalars()
        assert set(old_goals) <= {"dropped"}
    assert old_status == "closed"
    assert active == 1
    assert after is not None
    assert after.id == plan_id
    assert after.row_version == before.row_version + 1
    assert after.started_on == TODAY
    assert after.cadence_days == 8
    assert after.notes == "Start with the first two minutes of each call."
    assert after.focus == (
        ("Open with a reason that matters to the buyer", "guide", "demonstrate"),
    )
    assert after.focus[0].style == "guide"
    assert after.focus_ids == (args["focus"][0].behaviour_id,)
    assert [g.description for g in after.goals] == [
        "Hold more real talks with buyers each week."
    ]
    goal = after.goals[0]
    assert (goal.baseline, goal.target, goal.due_on) == (
        20.0,
        40.0,
        dt.date(2026, 9, 30),
    )
    assert goal.metric == "Conversations with prospects"
    minutes = 45 if "minutes_per_session" in s.plans.c else None
    assert after.minutes_per_session == minutes


def test_a_second_plan_closes_the_first(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        args = _plan(conn, rep, coach)
    with demo_store.write() as conn:
        first = save_plan(conn, **args)
    with demo_store.write() as conn:
        second = save_plan(conn, **{**args, "notes": "Now the second plan."})
    with demo_store.read() as conn:
        statuses = dict(
            conn.execute(
                sa.select(s.plans.c.id, s.plans.c.status).where(
                    s.plans.c.id.in_([first, second])
                )
            ).all()
        )
        plan = current_plan(conn, rep)
    assert statuses == {first: "closed", second: "active"}
    assert plan is not None
    assert plan.notes == "Now the second plan."
    assert len(plan.goals) == 1  # the first plan's goal is not carried twice


def test_a_stale_screen_gets_a_conflict_and_changes_nothing(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        seen = current_plan(conn, rep)
        args = _plan(conn, rep, coach)
    assert seen is not None
    with demo_store.write() as conn:  # someone else saves first
        save_plan(conn, **args, expected_version=seen.row_version)
    with demo_store.read() as conn:
        counts = _counts(conn)
        theirs = current_plan(conn, rep)
    with (
        pytest.raises(ConflictError, match="Someone else changed this plan"),
        demo_store.write() as conn,
    ):
        save_plan(conn, **{**args, "notes": "Mine."}, expected_version=seen.row_version)
    with demo_store.read() as conn:
        assert _counts(conn) == counts
        assert current_plan(conn, rep) == theirs


def test_version_zero_means_the_screen_saw_no_plan(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep, coach = _rep_with_plan(conn)
        new_rep = conn.execute(
            s.reps.insert()
            .values(coach_id=coach, name="New Starter")
            .returning(s.reps.c.id)
        ).scalar_one()
    with demo_store.write() as conn:
        save_plan(conn, **_plan(conn, new_rep, coach), expected_version=0)
    with pytest.raises(ConflictError), demo_store.write() as conn:
        save_plan(conn, **_plan(conn, rep, coach), expected_version=0)
    with pytest.raises(ConflictError), demo_store.write() as conn:
        save_plan(conn, **_plan(conn, new_rep, coach), expected_version=0)


def test_a_lead_can_save_a_plan_for_any_rep(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        lead = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.role == "lead")
        ).scalar_one()
        args = _plan(conn, rep, lead)
    with demo_store.write() as conn:
        save_plan(conn, **args)
    with demo_store.read() as conn:
        plan = current_plan(conn, rep)
    assert plan is not None
    assert plan.coach_id == coach  # the plan stays with the rep's own team


def _other_coach(conn: Connection, coach: int) -> int:
    return int(
        conn.execute(
            sa.select(s.coaches.c.id).where(
                s.coaches.c.id != coach, s.coaches.c.role == "coach"
            )
        )
        .scalars()
        .first()
    )


def _bad(conn: Connection, rep: int, coach: int, case: str) -> dict[str, Any]:
    b = _id(conn, s.behaviours, "open_with_buyer_reason")
    other = _id(conn, s.behaviours, "set_agenda")
    third = _id(conn, s.behaviours, "multi_thread")
    good = _plan(conn, rep, coach)
    goal = good["goals"][0]
    cases: dict[str, dict[str, Any]] = {
        "no focus": {"focus": []},
        "three focus": {
            "focus": [
                FocusChoice(b, "guide", "prompt"),
                FocusChoice(other, "guide", "prompt"),
                FocusChoice(third, "guide", "prompt"),
            ]
        },
        "same twice": {
            "focus": [
                FocusChoice(b, "guide", "prompt"),
                FocusChoice(b, "excite", "prompt"),
            ]
        },
        "unknown behaviour": {"focus": [FocusChoice(999, "guide", "prompt")]},
        "bad style": {"focus": [FocusChoice(b, "boss", "prompt")]},
        "bad stage": {"focus": [FocusChoice(b, "guide", "later")]},
        "0 sessions": {"sessions_per_month": 0},
        "9 sessions": {"sessions_per_month": 9},
        "half a session": {"sessions_per_month": 2.5},
        "5 minutes": {"minutes_per_session": 5},
        "121 minutes": {"minutes_per_session": 121},
        "goal off focus": {
            "focus": [FocusChoice(other, "guide", "prompt")],
        },
        "goal for someone else": {
            "goals": [GoalDraft(rep + 1000, b, goal.metric_id, "x", "40", "2026-09-30")]
        },
        "second goal bad": {
            "goals": [
                goal,
                GoalDraft(rep, b, goal.metric_id, "Ask why now.", "lots", "2026-09-30"),
            ]
        },
        "goal empty": {
            "goals": [GoalDraft(rep, b, goal.metric_id, " ", "40", "2026-09-30")]
        },
        "goal in the past": {
            "goals": [GoalDraft(rep, b, goal.metric_id, "Ask.", "40", "2026-06-01")]
        },
        "unknown coach": {"coach_id": 999},
        "another team": {"coach_id": _other_coach(conn, coach)},
        "unknown rep": {"rep_id": 999},
    }
    return {**good, **cases[case]}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no focus", "Focus: pick one or two behaviours to work on"),
        (
            "three focus",
            "Focus: pick one or two behaviours; more than two spreads coaching "
            "too thin",
        ),
        ("same twice", "Focus: pick two different behaviours"),
        ("unknown behaviour", "Focus: pick behaviours from the framework"),
        ("bad style", "Style: pick one of direct, guide, excite or delegate"),
        ("bad stage", "Stage: pick one of demonstrate, prompt or release"),
        ("0 sessions", "Sessions per month: pick a whole number from 1 to 8"),
        ("9 sessions", "Sessions per month: pick a whole number from 1 to 8"),
        ("half a session", "Sessions per month: pick a whole number from 1 to 8"),
        ("5 minutes", "Minutes per session: pick a whole number from 10 to 120"),
        ("121 minutes", "Minutes per session: pick a whole number from 10 to 120"),
        ("goal off focus", "Goal: tie it to one of the plan's focus behaviours"),
        ("goal for someone else", "Goal: it is for another rep"),
        ("second goal bad", "Target (goal 2): type a number, like 35 or 0.3"),
        ("goal empty", "Goal: say what the rep will do"),
        ("goal in the past", "Due date: pick a day after today"),
        ("unknown coach", "Coach: pick who you are from the list of coaches"),
        ("another team", "Rep: this rep is on another coach's team"),
        ("unknown rep", "Rep: pick a rep from the list"),
    ],
)
def test_a_bad_plan_gets_a_message_and_writes_nothing(
    demo_store: Store, case: str, message: str
) -> None:
    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        before = _counts(conn)
        plan = current_plan(conn, rep)
    with demo_store.write() as conn:  # the transaction commits: nothing may be in it
        with pytest.raises(ValidationError) as err:
            save_plan(conn, **_bad(conn, rep, coach, case))
        assert str(err.value) == message
    with demo_store.read() as conn:
        assert _counts(conn) == before
        assert current_plan(conn, rep) == plan


@pytest.mark.parametrize(
    ("sessions", "days"), [(1, 30), (2, 15), (3, 10), (4, 8), (6, 5), (8, 4)]
)
def test_cadence_is_days_between_sessions(sessions: int, days: int) -> None:
    assert cadence_days(sessions) == days


def test_a_rep_without_a_plan_has_none(demo_store: Store) -> None:
    with demo_store.write() as conn:
        coach = conn.execute(sa.select(s.coaches.c.id).limit(1)).scalar_one()
        rep = conn.execute(
            s.reps.insert()
            .values(coach_id=coach, name="No Plan")
            .returning(s.reps.c.id)
        ).scalar_one()
        assert current_plan(conn, rep) is None


def test_ids_taken_straight_from_a_table_work(demo_store: Store) -> None:
    import numpy as np

    with demo_store.read() as conn:
        rep, coach = _rep_with_plan(conn)
        args = _plan(conn, np.int64(rep), np.int64(coach))
        focus = args["focus"][0]
        args["focus"] = [FocusChoice(np.int64(focus.behaviour_id), "guide", "prompt")]
    with demo_store.write() as conn:
        plan_id = save_plan(conn, **args)
    with demo_store.read() as conn:
        plan = current_plan(conn, np.int64(rep))  # type: ignore[arg-type]
    assert plan is not None
    assert plan.id == plan_id


# --- changing a plan: the old one is kept, goals carry over --------------------


def _carry(goal: Any, **changes: Any) -> GoalDraft:
    """A draft that keeps a saved goal (as the Plan form sends it)."""
    draft = GoalDraft(
        rep_id=goal.rep_id,
        behaviour_id=goal.behaviour_id,
        metric_id=goal.metric_id,
        description=goal.description,
        target=goal.target,
        due_on=goal.due_on,
        baseline=goal.baseline,
        goal_id=goal.id,
    )
    return dataclasses.replace(draft, **changes)


def _goal_rows(conn: Connection, rep: int) -> list[Any]:
    g = s.goals
    return list(
        conn.execute(sa.select(g).where(g.c.rep_id == rep).order_by(g.c.id)).all()
    )


def test_changing_a_plan_carries_its_goal_over_and_keeps_the_old_plan(
    demo_store: Store,
) -> None:
    with demo_store.write() as conn:
        rep, coach = _rep_with_plan(conn)
        first_id = save_plan(conn, **_plan(conn, rep, coach))
        first = current_plan(conn, rep)
        assert first is not None
        (goal,) = first.goals
        rows_before = len(_goal_rows(conn, rep))
        later = TODAY + dt.timedelta(days=7)
        second_id = save_plan(
            conn,
            **_plan(
                conn,
                rep,
                coach,
                goals=[_carry(goal, target="45", description="Hold 45 talks a week.")],
                sessions_per_month=2,
                today=later,
            ),
            expected_version=first.row_version,
        )
        second = current_plan(conn, rep)
        earlier = earlier_plans(conn, rep)
        rows_after = _goal_rows(conn, rep)
    assert second is not None
    assert second.id == second_id != first_id
    assert second.cadence_days == 15
    (moved,) = second.goals
    # The same goal, not a copy: its id, start and baseline stay.
    assert moved.id == goal.id
    assert (moved.start_on, moved.baseline) == (TODAY, 20.0)
    assert (moved.target, moved.description) == (45.0, "Hold 45 talks a week.")
    assert moved.status == "open"
    assert len(rows_after) == rows_before
    assert earlier[0].id == first_id
    assert (earlier[0].started_on, earlier[0].ended_on) == (TODAY, later)
    assert earlier[0].focus == first.focus
    assert earlier[0].cadence_days == 8


def test_goals_left_out_of_a_changed_plan_are_dropped_that_day(
    demo_store: Store,
) -> None:
    with demo_store.write() as conn:
        rep, coach = _rep_with_plan(conn)
        save_plan(conn, **_plan(conn, rep, coach))
        first = current_plan(conn, rep)
        assert first is not None
        (goal,) = first.goals
        save_plan(conn, **_plan(conn, rep, coach, goals=[]))
        row = conn.execute(sa.select(s.goals).where(s.goals.c.id == goal.id)).one()
    assert (row.status, row.closed_on) == ("dropped", TODAY)
    assert row.note == "The plan changed."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("judged", "it was already judged; set a new goal instead"),
        ("metric", "it was set for another number"),
        ("twice", "it is in the plan twice"),
        ("past", "Due date: pick a day after today"),
    ],
)
def test_a_goal_that_cannot_carry_over_is_refused(
    demo_store: Store, change: str, message: str
) -> None:
    with demo_store.write() as conn:
        rep, coach = _rep_with_plan(conn)
        save_plan(conn, **_plan(conn, rep, coach))
        first = current_plan(conn, rep)
        assert first is not None
        (goal,) = first.goals
        goals = [_carry(goal)]
        if change == "judged":
            set_goal_status(conn, goal.id, "met", TODAY)
        elif change == "metric":
            goals = [_carry(goal, metric_id=_id(conn, s.metrics, "buyer_action_rate"))]
        elif change == "twice":
            goals = [_carry(goal), _carry(goal)]
        else:
            goals = [_carry(goal, due_on=TODAY)]
        before = _counts(conn)
        with pytest.raises(ValidationError, match=message):
            save_plan(conn, **_plan(conn, rep, coach, goals=goals))
        assert _counts(conn) == before


def test_a_new_reps_first_plan_has_no_earlier_ones(demo_store: Store) -> None:
    with demo_store.write() as conn:
        coach = conn.execute(sa.select(s.coaches.c.id).limit(1)).scalar_one()
        rep = conn.execute(
            s.reps.insert()
            .values(coach_id=coach, name="New Rep")
            .returning(s.reps.c.id)
        ).scalar_one()
        assert earlier_plans(conn, rep) == ()
        save_plan(conn, **_plan(conn, rep, coach, goals=[]))
        assert earlier_plans(conn, rep) == ()
        save_plan(conn, **_plan(conn, rep, coach, goals=[]))
        assert len(earlier_plans(conn, rep)) == 1
