"""Agreed actions: checked as typed, kept, missed or dropped later, or open again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rows import demo_draft
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import (
    Action,
    ActionDraft,
    add_action,
    agreed_actions,
    check_action,
    outcome_words,
    remove_action,
    session_actions,
    set_action_status,
)
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.store.versions import ConflictError

SESSION_DAY = dt.date(2026, 6, 15)


def _done_action(conn: Connection) -> int:
    a, se = s.actions, s.sessions
    return int(
        conn.execute(
            sa.select(a.c.id)
            .join(se, a.c.session_id == se.c.id)
            .where(se.c.status == "done", a.c.status == "open")
            .limit(1)
        ).scalar_one()
    )


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (ActionDraft("   ", "rep", "2026-06-22"), "Action: say what will be done"),
        (
            ActionDraft("Call the buyer", "rep", "2026-06-14"),
            "Due date: pick a day on or after the session, 2026-06-15",
        ),
        (
            ActionDraft("Call the buyer", "rep", "22/06/2026"),
            "Due date: use the form 2026-06-22",
        ),
        (ActionDraft("Call the buyer", "rep", ""), "Due date: pick a day"),
        (
            ActionDraft("Call the buyer", "manager", "2026-06-22"),
            "Owner: pick who will do it: the rep or the coach",
        ),
        (ActionDraft("x" * 501, "rep", "2026-06-22"), "Action: keep it to 500"),
    ],
)
def test_each_problem_names_its_field(draft: ActionDraft, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_action(draft, SESSION_DAY)
    assert str(caught.value).startswith(message)


def test_a_good_action_comes_back_clean() -> None:
    checked = check_action(
        ActionDraft("  Send the   agenda ", "coach", dt.date(2026, 6, 15)), SESSION_DAY
    )
    assert checked == ActionDraft("Send the agenda", "coach", dt.date(2026, 6, 15))


def test_actions_are_added_and_removed_on_a_draft(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid = demo_draft(conn).id
        first = add_action(
            conn, sid, ActionDraft("Send the agenda", "rep", "2026-06-22")
        )
        add_action(conn, sid, ActionDraft("Share a call", "coach", "2026-06-18"))
        listed = session_actions(conn, sid)
        assert [a.text for a in listed] == ["Share a call", "Send the agenda"]
        assert all(a.status == "open" and a.rep_id for a in listed)
        remove_action(conn, first)
        assert [a.text for a in session_actions(conn, sid)] == ["Share a call"]


def test_a_bad_action_writes_nothing(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid = demo_draft(conn).id
        with pytest.raises(ValidationError, match="Action: say what will be done"):
            add_action(conn, sid, ActionDraft("", "rep", "2026-06-22"))
        assert session_actions(conn, sid) == ()


def test_the_form_date_counts_over_the_saved_one(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid = demo_draft(conn).id
        with pytest.raises(ValidationError, match="2026-06-20"):
            add_action(
                conn,
                sid,
                ActionDraft("Call back", "rep", "2026-06-19"),
                dt.date(2026, 6, 20),
            )


def _row(conn: Connection, action: int) -> sa.Row:
    return conn.execute(sa.select(s.actions).where(s.actions.c.id == action)).one()


def test_marking_records_the_day_and_the_note(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        version = set_action_status(conn, action, "kept", today)
        row = _row(conn, action)
        assert (row.status, row.done_on, row.row_version) == ("kept", today, version)
        set_action_status(
            conn, action, "missed", today, on="2026-06-12", note="  Ran  out of time "
        )
        row = _row(conn, action)
        assert (row.status, row.done_on, row.note) == (
            "missed",
            dt.date(2026, 6, 12),
            "Ran out of time",
        )


def test_dropped_then_undone_back_to_open(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        before = _row(conn, action)
        version = set_action_status(
            conn,
            action,
            "dropped",
            today,
            note="The buyer left",
            expected_version=before.row_version,
        )
        row = _row(conn, action)
        assert (row.status, row.done_on, row.note) == (
            "dropped",
            today,
            "The buyer left",
        )
        set_action_status(conn, action, "open", today, expected_version=version)
        row = _row(conn, action)
        assert (row.status, row.done_on, row.note) == ("open", None, "")
        assert row.row_version == before.row_version + 2


def test_status_checks(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        with pytest.raises(
            ValidationError, match="Status: pick kept, missed, dropped or open"
        ):
            set_action_status(conn, action, "done", today)
        with pytest.raises(ConflictError):
            set_action_status(conn, action, "kept", today, expected_version=99)
        with pytest.raises(ValidationError, match="Date: pick today or an earlier"):
            set_action_status(conn, action, "kept", today, on="2026-06-16")
        with pytest.raises(ValidationError, match="Date: use the form 2026-06-15"):
            set_action_status(conn, action, "kept", today, on="16/06/2026")
        with pytest.raises(ValidationError, match="Date: pick a day on or after"):
            set_action_status(conn, action, "kept", today, on="2020-01-01")
        with pytest.raises(ValidationError, match="Note: keep it to 500"):
            set_action_status(conn, action, "kept", today, note="x" * 501)
        assert _row(conn, action).status == "open"


def test_a_drafts_actions_cannot_be_marked(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid = demo_draft(conn).id
        action = add_action(conn, sid, ActionDraft("Call back", "rep", "2026-06-22"))
        with pytest.raises(ValidationError, match="finish the session first"):
            set_action_status(conn, action, "kept", SESSION_DAY)


def test_agreed_actions_put_open_ones_first(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        rep = _row(conn, action).rep_id
        set_action_status(conn, action, "dropped", today)
        listed = agreed_actions(conn, rep, today)
    statuses = [a.status for a in listed]
    assert action in [a.id for a in listed]
    first_marked = next(i for i, st in enumerate(statuses) if st != "open")
    assert "open" not in statuses[first_marked:]
    assert listed[first_marked].id == action  # marked today: the latest


def test_outcomes_in_words() -> None:
    today = dt.date(2026, 6, 15)
    due = dt.date(2026, 6, 10)
    assert outcome_words("kept", dt.date(2026, 6, 9), due, today) == (
        "Kept on 9 June 2026"
    )
    assert outcome_words("dropped", today, due, today) == "Dropped on 15 June 2026"
    assert outcome_words("open", None, due, today) == "Overdue since 10 June 2026"
    assert outcome_words("open", None, today, today) == "Open, due 15 June 2026"


def test_a_finished_sessions_actions_stay(demo_store: Store) -> None:
    with demo_store.write() as conn:
        action = _done_action(conn)
        with pytest.raises(
            ValidationError, match="mark it kept, missed or dropped instead"
        ):
            remove_action(conn, action)
        assert conn.execute(
            sa.select(s.actions.c.id).where(s.actions.c.id == action)
        ).first()


def test_overdue_is_open_past_the_due_day() -> None:
    late = Action(1, 1, 1, "Call", "rep", dt.date(2026, 6, 10), None, "open", 1)
    kept = Action(2, 1, 1, "Call", "rep", dt.date(2026, 6, 10), None, "kept", 1)
    dropped = Action(3, 1, 1, "Call", "rep", dt.date(2026, 6, 10), None, "dropped", 1)
    assert dropped.state(dt.date(2026, 6, 15)) == "dropped"
    assert not dropped.is_overdue(dt.date(2026, 6, 15))
    assert late.state(dt.date(2026, 6, 15)) == "overdue"
    assert late.state(dt.date(2026, 6, 10)) == "open"
    assert kept.state(dt.date(2026, 6, 15)) == "kept"


def test_a_coach_marks_their_own_action_even_without_a_session(
    demo_store: Store,
) -> None:
    """An imported action may have no session; its rep says whose it is."""
    from coachkit.store.access import AccessDenied, Viewer

    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        coaches = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.role == "coach")
        ).scalars()
        mine, other = list(coaches)[:2]
        rep = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.coach_id == mine).limit(1)
        ).scalar_one()
        action = conn.execute(
            s.actions.insert()
            .values(coach_id=mine, rep_id=rep, text="Call back", due_on=today)
            .returning(s.actions.c.id)
        ).scalar_one()
    with demo_store.as_viewer(Viewer(mine, "A", "coach")).write() as conn:
        set_action_status(conn, action, "kept", today)
    with (
        pytest.raises(AccessDenied),
        demo_store.as_viewer(Viewer(other, "B", "coach")).write() as conn,
    ):
        set_action_status(conn, action, "missed", today)
    with demo_store.read() as conn:
        assert _row(conn, action).status == "kept"
