"""Today's queue: the reps who most need a session come first, with the reasons."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_focus, add_rating, draft_rep
from sqlalchemy.engine import Connection

from coachkit.facilitate.queue import (
    QUEUE_COLUMNS,
    attention_score,
    reason,
    todays_queue,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _rep(conn: Connection, coach: int, name: str) -> int:
    return add(conn, s.reps, coach_id=coach, name=name)


def _plan(
    conn: Connection, coach: int, rep: int, started: str, cadence: int = 14
) -> int:
    return add(
        conn,
        s.plans,
        coach_id=coach,
        rep_id=rep,
        started_on=_day(started),
        cadence_days=cadence,
    )


def _session(
    conn: Connection,
    coach: int,
    rep: int,
    held: str,
    next_on: str | None,
    status: str = "done",
) -> int:
    return add(
        conn,
        s.sessions,
        coach_id=coach,
        rep_id=rep,
        session_type="one_on_one",
        held_on=_day(held),
        next_session_on=None if next_on is None else _day(next_on),
        status=status,
    )


def _action(conn: Connection, coach: int, rep: int, session: int, due: str) -> None:
    add(
        conn,
        s.actions,
        coach_id=coach,
        rep_id=rep,
        session_id=session,
        text="Send the agenda",
        due_on=_day(due),
    )


@pytest.fixture
def team(store: Store) -> tuple[Store, int]:
    """One coach: Ada on time, Bo late with overdue actions, Di and Cy tied."""
    with store.write() as conn:
        coach = add(conn, s.coaches, name="Coach One")
        di = _rep(conn, coach, "Di")  # added before Cy: ties still go by name
        _rep(conn, coach, "Cy")
        ada = _rep(conn, coach, "Ada")
        bo = _rep(conn, coach, "Bo")
        assert di
        _plan(conn, coach, ada, "2026-04-01")
        _session(conn, coach, ada, "2026-06-10", "2026-06-24")
        _plan(conn, coach, bo, "2026-04-01")
        late = _session(conn, coach, bo, "2026-05-25", "2026-06-08")
        _action(conn, coach, bo, late, "2026-06-01")
        _action(conn, coach, bo, late, "2026-06-05")
        _action(conn, coach, bo, late, "2026-06-30")  # not due yet
        # An action on an unfinished draft is not agreed yet.
        draft = _session(conn, coach, ada, "2026-06-15", None, status="draft")
        _action(conn, coach, ada, draft, "2026-06-01")
    return store, coach


def test_a_late_rep_with_overdue_actions_comes_first(team: tuple[Store, int]) -> None:
    store, coach = team
    with store.read() as conn:
        queue = todays_queue(conn, coach, TODAY)
    assert list(queue.columns) == QUEUE_COLUMNS
    assert queue["rep"].tolist()[0] == "Bo"
    bo = queue.iloc[0]
    assert (bo["days_overdue"], bo["overdue_actions"], bo["days_since"]) == (7, 2, 21)
    assert bo["reason"] == "7 days late, 2 actions overdue"
    assert bo["place"] == "due"
    ada = queue.set_index("rep").loc["Ada"]
    assert (ada["days_overdue"], ada["overdue_actions"], ada["draft"]) == (-9, 0, True)
    assert ada["reason"] == "next due 24 June 2026, a draft is waiting"
    assert ada["place"] == "later"
    assert queue["rep"].tolist().index("Bo") < queue["rep"].tolist().index("Ada")


def test_ties_keep_the_order_by_name(team: tuple[Store, int]) -> None:
    store, coach = team
    with store.read() as conn:
        queue = todays_queue(conn, coach, TODAY)
    tied = queue[queue["rep"].isin(["Cy", "Di"])]
    assert tied["attention"].nunique() == 1
    assert tied["rep"].tolist() == ["Cy", "Di"]
    assert tied["reason"].tolist() == ["not coached yet, no plan yet"] * 2
    assert tied["cadence_days"].isna().all()
    assert tied["days_since"].isna().all()


def test_the_largest_focus_gap_is_the_plan_priority(team: tuple[Store, int]) -> None:
    store, coach = team
    with store.write() as conn:
        bo = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.name == "Bo")
        ).scalar_one()
        plan = conn.execute(
            sa.select(s.plans.c.id).where(s.plans.c.rep_id == bo)
        ).scalar_one()
        behaviours = conn.execute(
            sa.select(s.behaviours.c.id, s.behaviours.c.target_level)
            .order_by(s.behaviours.c.id)
            .limit(3)
        ).all()
        add_focus(conn, coach, plan, [bid for bid, _ in behaviours[:2]])
        for bid, skill, day in (
            (behaviours[0][0], 1, "2026-01-10"),  # older rating: ignored
            (behaviours[0][0], 3, "2026-05-10"),
            (behaviours[1][0], 2, "2026-05-10"),
            (behaviours[2][0], 1, "2026-05-10"),  # not in focus: ignored
        ):
            add_rating(conn, coach, bo, bid, _day(day), skill)
        queue = todays_queue(conn, coach, TODAY).set_index("rep")
    assert queue.loc["Bo", "plan_priority"] == behaviours[1][1] - 2
    assert queue.loc["Ada", "plan_priority"] == 0


def test_the_demo_queue_shows_the_waiting_draft(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        coach = conn.execute(
            sa.select(s.reps.c.coach_id).where(s.reps.c.id == rep)
        ).scalar_one()
        queue = todays_queue(conn, coach, TODAY)
        everyone = todays_queue(conn, None, TODAY)
    assert queue.set_index("rep_id").loc[rep, "draft"]
    assert queue["draft"].sum() == 1
    assert len(everyone) > len(queue)
    for _place, part in queue.groupby("place", sort=False):
        if _place == "later":
            assert part["attention"].is_monotonic_decreasing
        else:
            assert part["days_overdue"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("late", "cadence", "actions", "gap", "draft", "score"),
    [
        (0, 14, 0, 0, False, 0.0),
        (14, 14, 0, 0, False, 10.0),  # a whole cadence late
        (-14, 14, 0, 0, False, -10.0),  # a whole cadence ahead
        (100, 14, 0, 0, False, 30.0),  # lateness counts up to 3 cadences
        (7, None, 2, 0, False, 5.0 + 8.0),  # no plan: a 14-day cadence
        (0, 7, 9, 0, False, 20.0),  # at most 5 overdue actions count
        (0, 7, 0, 2, True, 6.0 + 5.0),
    ],
)
def test_attention_score_parts(
    late: int, cadence: int | None, actions: int, gap: int, draft: bool, score: float
) -> None:
    frame = pd.DataFrame(
        {
            "days_overdue": [late],
            "cadence_days": pd.array([cadence], dtype="Int64"),
            "overdue_actions": [actions],
            "plan_priority": [gap],
            "draft": [draft],
        }
    )
    assert attention_score(frame).tolist() == [score]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("due", 6, None, 2), "6 days late, 2 actions overdue"),
        (("due", 1, None, 1), "1 day late, 1 action overdue"),
        (("due", 0, None), "due today"),
        (("new", 20, None), "new plan, not coached yet"),
        (
            ("later", -3, dt.date(2026, 12, 12), 0, True),
            "next due 12 December 2026, a draft is waiting",
        ),
        (("later", 0, TODAY, 0, False, False), "not coached yet, no plan yet"),
    ],
)
def test_reason_phrases(args: tuple[object, ...], text: str) -> None:
    assert reason(*args) == text  # type: ignore[arg-type]


def test_late_first_then_new_plans_then_the_ranking(store: Store) -> None:
    """Issue #22: reps not late ranked above one 7 days late; a new plan 8th."""
    with store.write() as conn:
        coach = add(conn, s.coaches, name="Coach One")
        # On time, but a big score: two overdue actions and a draft.
        busy = _rep(conn, coach, "Ann")
        _plan(conn, coach, busy, "2026-04-01")
        held = _session(conn, coach, busy, "2026-06-10", "2026-06-20")
        _action(conn, coach, busy, held, "2026-06-11")
        _action(conn, coach, busy, held, "2026-06-12")
        _session(conn, coach, busy, "2026-06-15", None, status="draft")
        # 7 days late, and 2 days late.
        seven = _rep(conn, coach, "Bea")
        _plan(conn, coach, seven, "2026-04-01", cadence=30)
        _session(conn, coach, seven, "2026-05-09", "2026-06-08")
        two = _rep(conn, coach, "Cal")
        _plan(conn, coach, two, "2026-04-01")
        _session(conn, coach, two, "2026-05-30", "2026-06-13")
        # A new plan, never coached.
        new = _rep(conn, coach, "Dee")
        _plan(conn, coach, new, "2026-06-12")
        # Due today.
        due = _rep(conn, coach, "Eli")
        _plan(conn, coach, due, "2026-04-01")
        _session(conn, coach, due, "2026-06-01", "2026-06-15")
        # An action dropped or kept is never overdue.
        fine = _rep(conn, coach, "Fay")
        _plan(conn, coach, fine, "2026-04-01")
        done = _session(conn, coach, fine, "2026-06-10", "2026-06-24")
        for status in ("dropped", "kept", "missed"):
            add(
                conn,
                s.actions,
                coach_id=coach,
                rep_id=fine,
                session_id=done,
                text="Call back",
                due_on=_day("2026-06-01"),
                status=status,
            )
    with store.read() as conn:
        queue = todays_queue(conn, coach, TODAY)
    assert queue["rep"].tolist() == ["Bea", "Cal", "Eli", "Dee", "Ann", "Fay"]
    assert queue["place"].tolist() == ["due"] * 3 + ["new"] + ["later"] * 2
    assert queue["reason"].tolist() == [
        "7 days late",
        "2 days late",
        "due today",
        "new plan, not coached yet",
        "next due 20 June 2026, 2 actions overdue, a draft is waiting",
        "next due 24 June 2026",
    ]
    assert queue.set_index("rep").loc["Fay", "overdue_actions"] == 0
