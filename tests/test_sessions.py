"""Sessions: drafts that survive a closed tab, a checked final record, no lost text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import ActionDraft, add_action, session_actions
from coachkit.facilitate.observations import log_observation
from coachkit.facilitate.sessions import (
    CONFLICT_MESSAGE,
    SessionConflict,
    SessionProblems,
    check_draft,
    discard_draft,
    finish_session,
    load_draft,
    load_session,
    save_draft,
    start_draft,
)
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store
from coachkit.store.versions import ConflictError

TODAY = dt.date(2026, 6, 15)


def _showcase(conn: Connection) -> tuple[int, int]:
    """The demo rep who has a draft session waiting, and their coach."""
    se = s.sessions
    row = conn.execute(
        sa.select(se.c.rep_id, se.c.coach_id).where(se.c.status == "draft")
    ).one()
    return int(row.rep_id), int(row.coach_id)


def _rep_without_draft(conn: Connection) -> tuple[int, int]:
    """A demo rep with an active plan and no draft, and their coach."""
    p, se = s.plans, s.sessions
    drafts = sa.select(se.c.rep_id).where(se.c.status == "draft")
    row = conn.execute(
        sa.select(p.c.rep_id, p.c.coach_id)
        .where(p.c.status == "active", p.c.rep_id.not_in(drafts))
        .order_by(p.c.rep_id)
        .limit(1)
    ).one()
    return int(row.rep_id), int(row.coach_id)


def _complete(**changes: Any) -> dict[str, Any]:
    """Form values that pass every check on TODAY."""
    values: dict[str, Any] = {
        "session_type": "ride_along",
        "held_on": "2026-06-15",
        "duration_minutes": "45",
        "style": "guide",
        "went_well": "You asked for the next step without a prompt.",
        "to_change": "Slow down after the buyer's first answer.",
        "rep_view": "It helped to hear it done first.",
        "next_session_on": dt.date(2026, 6, 29),
        "coach_relevant": 4,
        "coach_developmental": "5",
        "coach_motivational": 3,
    }
    values.update(changes)
    return values


def _new_draft(store: Store) -> tuple[int, int]:
    with store.write() as conn:
        rep, coach = _rep_without_draft(conn)
        sid = start_draft(conn, coach_id=coach, rep_id=rep, today=TODAY)
    return sid, rep


def test_the_demo_draft_comes_back(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep, _ = _showcase(conn)
        draft = load_draft(conn, rep)
    assert draft is not None
    assert draft.status == "draft"
    assert draft.went_well == "Good start. The buyer joined in early and"
    assert draft.held_on == TODAY
    assert len(draft.observations) == 2
    assert len(draft.focus_ids) == 1


def test_a_rep_has_one_open_draft(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep, coach = _showcase(conn)
        existing = load_draft(conn, rep)
        again = start_draft(conn, coach_id=coach, rep_id=rep, today=TODAY)
    assert existing is not None
    assert again == existing.id


def test_a_new_draft_starts_from_the_plan(demo_store: Store) -> None:
    from coachkit.model.plans import current_plan

    sid, rep = _new_draft(demo_store)
    with demo_store.read() as conn:
        draft = load_session(conn, sid)
        plan = current_plan(conn, rep)
    assert plan is not None
    assert draft.status == "draft"
    assert draft.held_on == TODAY
    assert draft.style == plan.focus[0].style
    assert set(draft.focus_ids) == set(plan.focus_ids)
    assert draft.next_session_on == TODAY + dt.timedelta(days=plan.cadence_days)


def test_another_coachs_rep_is_refused(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep, coach = _rep_without_draft(conn)
        other = conn.execute(
            sa.select(s.coaches.c.id).where(
                s.coaches.c.id != coach, s.coaches.c.role == "coach"
            )
        ).scalar_one()
        with pytest.raises(ValidationError, match="another coach's team"):
            start_draft(conn, coach_id=other, rep_id=rep, today=TODAY)


def test_a_draft_survives_a_closed_tab(demo_store: Store) -> None:
    sid, rep = _new_draft(demo_store)
    with demo_store.read() as conn:
        version = load_session(conn, sid).row_version
    typed = _complete(went_well="Half a thought, still typ", rep_relevant=2)
    version = save_draft(demo_store, sid, typed, expected_version=version)
    with demo_store.write() as conn:
        behaviour = load_session(conn, sid).focus_ids[0]
        log_observation(
            conn, session_id=sid, behaviour_id=behaviour, outcome="partly", note="ok"
        )
        add_action(conn, sid, ActionDraft("Send the agenda", "rep", "2026-06-22"))
    demo_store.dispose()  # the tab closes, the server restarts

    fresh = open_store(demo_store.location)
    try:
        with fresh.read() as conn:
            draft = load_draft(conn, rep)
    finally:
        fresh.dispose()
    assert draft is not None
    assert draft.id == sid
    assert draft.row_version == version
    assert draft.went_well == "Half a thought, still typ"
    assert draft.session_type == "ride_along"
    assert draft.duration_minutes == 45
    assert draft.next_session_on == dt.date(2026, 6, 29)
    assert (draft.coach_relevant, draft.coach_developmental) == (4, 5)
    assert draft.rep_relevant == 2
    assert draft.rep_view == "It helped to hear it done first."
    assert [(o.outcome, o.note) for o in draft.observations] == [("partly", "ok")]
    assert [(a.text, a.due_on) for a in draft.actions] == [
        ("Send the agenda", dt.date(2026, 6, 22))
    ]


def test_a_draft_takes_incomplete_values(demo_store: Store) -> None:
    sid, _ = _new_draft(demo_store)
    with demo_store.read() as conn:
        version = load_session(conn, sid).row_version
    blank = {"went_well": "", "coach_relevant": None, "next_session_on": ""}
    new = save_draft(demo_store, sid, blank, expected_version=version)
    assert new == version + 1
    with demo_store.read() as conn:
        draft = load_session(conn, sid)
    assert (draft.went_well, draft.coach_relevant, draft.next_session_on) == (
        "",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", "abc", "Duration: type a number of minutes, like 30"),
        ("duration_minutes", 1.5, "Duration: type a number of minutes, like 30"),
        ("session_type", "coffee", "Session type: pick one"),
        ("held_on", "15/06/2026", "Date: use the form"),
        ("next_session_on", "next week", "Next session: use the form"),
        ("coach_relevant", 7, "Relevant (coach's score): pick a score from 1 to 5"),
        ("went_well", 42, "What went well: type words here"),
        ("style", "bossy", "Style: pick Direct, Guide, Excite or Delegate"),
    ],
)
def test_a_draft_refuses_the_wrong_kind_of_value(
    demo_store: Store, field: str, value: object, message: str
) -> None:
    sid, _ = _new_draft(demo_store)
    with demo_store.read() as conn:
        before = load_session(conn, sid)
    with pytest.raises(ValidationError, match=re.escape(message)):
        save_draft(
            demo_store, sid, {"to_change": "x", field: value}, expected_version=1
        )
    with demo_store.read() as conn:
        after = load_session(conn, sid)
    assert after == before  # nothing written, not even the good field


def test_check_draft_keeps_the_good_values_apart_from_the_bad() -> None:
    clean, problems = check_draft(
        {"went_well": "Keep me", "duration_minutes": "half an hour", "held_on": ""}
    )
    assert clean == {"went_well": "Keep me"}  # an empty date keeps the saved one
    assert [str(p) for p in problems] == ["Duration: type a number of minutes, like 30"]


def test_finishing_saves_the_whole_record(demo_store: Store) -> None:
    sid, _ = _new_draft(demo_store)
    with demo_store.write() as conn:
        add_action(conn, sid, ActionDraft("Send the agenda", "rep", "2026-06-22"))
    version = finish_session(
        demo_store, sid, _complete(), expected_version=1, today=TODAY
    )
    with demo_store.read() as conn:
        done = load_session(conn, sid)
    assert done.status == "done"
    assert done.row_version == version == 2
    assert done.session_type == "ride_along"
    assert done.coach_developmental == 5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "thirty"}, "Duration: type a number of minutes, like 30"),
        ({"duration_minutes": 2}, "Duration: type a number of minutes from 5 to 480"),
        ({"session_type": ""}, "Session type: pick one"),
        ({"duration_minutes": ""}, "Duration: type a number of minutes, like 30"),
        ({"held_on": None}, "Date: pick the day of the session"),
        ({"held_on": "2026-06-16"}, "Date: pick today or an earlier day"),
        (
            {"next_session_on": "2026-06-15"},
            "Next session: pick a day after the session",
        ),
        ({"next_session_on": None}, "Next session: pick a day after the session"),
        ({"coach_relevant": 0}, "Relevant (coach's score): pick a score from 1 to 5"),
        (
            {"coach_motivational": None},
            "Motivational (coach's score): pick a score from 1 to 5",
        ),
        (
            {"rep_developmental": "6"},
            "Developmental (rep's score): pick a score from 1 to 5",
        ),
        ({"went_well": "  "}, "What went well: write a sentence or two"),
        ({"to_change": ""}, "What to change: write a sentence or two"),
        ({"focus": []}, "Focus: pick at least one behaviour"),
        ({"style": None}, "Style: pick Direct, Guide, Excite or Delegate"),
    ],
)
def test_finishing_names_the_field_to_fix(
    demo_store: Store, changes: dict[str, Any], message: str
) -> None:
    sid, _ = _new_draft(demo_store)
    with pytest.raises(ValidationError) as caught:
        finish_session(
            demo_store, sid, _complete(**changes), expected_version=1, today=TODAY
        )
    assert str(caught.value).startswith(message)
    with demo_store.read() as conn:
        draft = load_session(conn, sid)
    assert (draft.status, draft.row_version) == ("draft", 1)  # nothing half-saved


def test_finishing_checks_actions_against_the_final_date(demo_store: Store) -> None:
    sid, _ = _new_draft(demo_store)
    with demo_store.write() as conn:
        add_action(conn, sid, ActionDraft("Send the agenda", "rep", "2026-06-20"))
        add_action(conn, sid, ActionDraft("Share the recording", "coach", "2026-06-30"))
    later = _complete(held_on="2026-06-25", next_session_on="2026-07-09")
    with pytest.raises(ValidationError) as caught:
        finish_session(
            demo_store, sid, later, expected_version=1, today=dt.date(2026, 6, 30)
        )
    assert str(caught.value) == (
        "Due date (action 1): pick a day on or after the session, 25 June 2026"
    )
    with demo_store.read() as conn:
        first = session_actions(conn, sid)[0].id
    assert list(caught.value.problems) == [f"action {first}"]  # type: ignore[attr-defined]


def test_finishing_names_every_problem_at_once(demo_store: Store) -> None:
    """Issue #22: finishing used to name one missing field per try."""
    sid, _ = _new_draft(demo_store)
    fields = _complete(
        duration_minutes="forty", went_well="", next_session_on=None, style=None
    )
    with pytest.raises(SessionProblems) as caught:
        finish_session(demo_store, sid, fields, expected_version=1, today=TODAY)
    assert {k: str(v) for k, v in caught.value.problems.items()} == {
        "duration_minutes": "Duration: type a number of minutes, like 30",
        "style": "Style: pick Direct, Guide, Excite or Delegate",
        "went_well": "What went well: write a sentence or two",
        "next_session_on": "Next session: pick a day after the session",
    }
    assert str(caught.value).count(";") == 3  # one line naming every field
    with demo_store.read() as conn:
        assert load_session(conn, sid).status == "draft"


def test_two_tabs_keep_both_texts(demo_store: Store) -> None:
    sid, rep = _new_draft(demo_store)
    with demo_store.read() as conn:
        tab_a = load_draft(conn, rep)
        tab_b = load_draft(conn, rep)
    assert tab_a is not None
    assert tab_b is not None
    assert tab_a.row_version == tab_b.row_version

    save_draft(
        demo_store,
        sid,
        {"went_well": "Text from tab A"},
        expected_version=tab_a.row_version,
    )
    with pytest.raises(ConflictError) as caught:
        save_draft(
            demo_store,
            sid,
            {"went_well": "Text from tab B", "to_change": "B's change"},
            expected_version=tab_b.row_version,
        )
    assert str(caught.value) == CONFLICT_MESSAGE
    assert isinstance(caught.value, SessionConflict)
    with demo_store.read() as conn:
        original = load_session(conn, sid)
        copy = load_session(conn, caught.value.copy_id)
        reloaded = load_draft(conn, rep)
    assert original.went_well == "Text from tab A"  # theirs is kept
    assert (copy.went_well, copy.to_change) == ("Text from tab B", "B's change")
    assert copy.status == "draft"
    assert copy.conflict_of == sid
    assert copy.rep_id == rep
    assert copy.focus_ids == original.focus_ids
    assert reloaded is not None
    assert reloaded.id == sid
    assert reloaded.copies == (copy.id,)

    # Tab B goes on typing in its copy, with no further conflict.
    assert (
        save_draft(
            demo_store,
            copy.id,
            {"went_well": "B, later"},
            expected_version=caught.value.copy_version,
        )
        == 2
    )


def test_a_save_after_the_other_tab_finished_keeps_both(demo_store: Store) -> None:
    sid, rep = _new_draft(demo_store)
    finish_session(demo_store, sid, _complete(), expected_version=1, today=TODAY)
    with pytest.raises(SessionConflict) as caught:
        save_draft(
            demo_store, sid, {"rep_view": "Typed in the old tab"}, expected_version=1
        )
    with demo_store.read() as conn:
        done = load_session(conn, sid)
        waiting = load_draft(conn, rep)
    assert done.status == "done"
    assert done.rep_view == "It helped to hear it done first."
    assert waiting is not None
    assert waiting.id == caught.value.copy_id
    assert waiting.rep_view == "Typed in the old tab"


def test_a_repeated_save_is_not_a_conflict(demo_store: Store) -> None:
    sid, rep = _new_draft(demo_store)
    final = finish_session(
        demo_store, sid, _complete(), expected_version=1, today=TODAY
    )
    again = finish_session(
        demo_store, sid, _complete(), expected_version=1, today=TODAY
    )
    assert again == final  # a double click on Finish
    with demo_store.read() as conn:
        assert load_draft(conn, rep) is None  # and no copy was made


def test_a_finished_session_takes_no_draft_saves(demo_store: Store) -> None:
    sid, _ = _new_draft(demo_store)
    version = finish_session(
        demo_store, sid, _complete(), expected_version=1, today=TODAY
    )
    with pytest.raises(ValidationError, match="already finished"):
        save_draft(demo_store, sid, {"went_well": "more"}, expected_version=version)


def test_a_copy_can_be_discarded(demo_store: Store) -> None:
    sid, rep = _new_draft(demo_store)
    save_draft(demo_store, sid, {"went_well": "A"}, expected_version=1)
    with pytest.raises(SessionConflict) as caught:
        save_draft(demo_store, sid, {"went_well": "B"}, expected_version=1)
    with demo_store.write() as conn:
        discard_draft(conn, caught.value.copy_id)
    with demo_store.read() as conn:
        draft = load_draft(conn, rep)
    assert draft is not None
    assert draft.id == sid
    assert draft.copies == ()
