"""Agreed actions: checked as typed, kept or missed later."""

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
    check_action,
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


def test_marking_kept_records_the_day(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        version = set_action_status(conn, action, "kept", today)
        row = conn.execute(sa.select(s.actions).where(s.actions.c.id == action)).one()
        assert (row.status, row.done_on, row.row_version) == ("kept", today, version)
        set_action_status(conn, action, "missed", today)
        row = conn.execute(sa.select(s.actions).where(s.actions.c.id == action)).one()
        assert (row.status, row.done_on) == ("missed", None)


def test_status_checks(demo_store: Store) -> None:
    today = dt.date(2026, 6, 15)
    with demo_store.write() as conn:
        action = _done_action(conn)
        with pytest.raises(ValidationError, match="Status: pick kept, missed or open"):
            set_action_status(conn, action, "done", today)
        with pytest.raises(ConflictError):
            set_action_status(conn, action, "kept", today, expected_version=99)


def test_a_finished_sessions_actions_stay(demo_store: Store) -> None:
    with demo_store.write() as conn:
        action = _done_action(conn)
        with pytest.raises(ValidationError, match="mark it kept or missed instead"):
            remove_action(conn, action)
        assert conn.execute(
            sa.select(s.actions.c.id).where(s.actions.c.id == action)
        ).first()


def test_overdue_is_open_past_the_due_day() -> None:
    late = Action(1, 1, 1, "Call", "rep", dt.date(2026, 6, 10), None, "open", 1)
    kept = Action(2, 1, 1, "Call", "rep", dt.date(2026, 6, 10), None, "kept", 1)
    assert late.state(dt.date(2026, 6, 15)) == "overdue"
    assert late.state(dt.date(2026, 6, 10)) == "open"
    assert kept.state(dt.date(2026, 6, 15)) == "kept"
