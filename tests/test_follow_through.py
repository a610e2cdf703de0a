"""A coach's week, end to end (issue #22): follow-through and changing a plan.

In the Facilitate workbook the coach marks last session's commitments kept,
missed or dropped on the Prep tab, judges goals on the Progress tab, and takes a
mark back; in the Prioritize workbook they change a saved plan. Each step checks
what the coach sees (the words, and that a message sits beside the control that
caused it) and what the store holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from coachkit.apps.facilitate import Facilitate
from coachkit.apps.prioritize import Prioritize
from coachkit.model.plans import current_plan
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")

IMG = "<img src=x onerror=alert(1)>"


def _first_coach(store: Store) -> int:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])


def _tab(app: Any, title: str) -> Any:
    """Open the tab, as a coach does: a tab is drawn when it is opened."""
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def _action(store: Store, action_id: int) -> Any:
    with store.read() as conn:
        a = schema.actions
        return conn.execute(sa.select(a).where(a.c.id == action_id)).one()


def _goal(store: Store, goal_id: int) -> Any:
    with store.read() as conn:
        g = schema.goals
        return conn.execute(sa.select(g).where(g.c.id == goal_id)).one()


@pytest.fixture
def facilitate(demo_store: Store, today: dt.date) -> Facilitate:
    app = Facilitate(
        db=demo_store.location, coach=_first_coach(demo_store), today=today
    )
    return app


def _rep_with_open_commitment(app: Facilitate) -> int:
    """Open a rep whose last session left a commitment still open."""
    for rep in app.state.queue["rep_id"]:
        app.open_rep(int(rep))
        brief = app.state.brief
        if brief is not None and any(c.status == "open" for c in brief.commitments):
            return int(rep)
    pytest.skip("no rep in the demo queue has an open commitment")


def test_marking_a_commitment_kept_on_prep_and_taking_it_back(
    facilitate: Facilitate, demo_store: Store, today: dt.date
) -> None:
    app = facilitate
    rep = _rep_with_open_commitment(app)
    prep = _tab(app, "Prep")
    brief = app.state.brief
    commitment = next(c for c in brief.commitments if c.status == "open")
    kept_before = brief.kept
    queue = app.state.queue.set_index("rep_id")
    overdue_before = int(queue.loc[rep, "overdue_actions"])
    row = prep.commitments.row("action", commitment.action_id)
    assert set(row.buttons) == {"kept", "missed", "dropped"}
    assert [row.buttons[k].description for k in ("kept", "missed", "dropped")] == [
        "Kept",
        "Missed",
        "Dropped",
    ]
    row.on.value = today - dt.timedelta(days=1)
    row.note.value = IMG
    row.buttons["kept"].click()

    saved = _action(demo_store, commitment.action_id)
    assert (saved.status, saved.done_on, saved.note) == (
        "kept",
        today - dt.timedelta(days=1),
        IMG,
    )
    row = prep.commitments.row("action", commitment.action_id)  # drawn again
    yesterday = f"{(today - dt.timedelta(days=1)).day} June 2026"
    assert f"Kept on {yesterday}" in row.label.value
    assert "&lt;img" in row.label.value
    assert "<img" not in row.label.value
    assert row.message.value.count("Saved: this action is marked kept on") == 1
    assert f"{kept_before + 1} of" in prep.last.value
    assert [b.description for b in row.box.children[1].children] == ["Set back to open"]
    # An overdue commitment no longer pushes the rep up the queue.
    queue = app.state.queue.set_index("rep_id")
    if commitment.overdue:
        assert int(queue.loc[rep, "overdue_actions"]) == overdue_before - 1

    row.reopen.click()
    saved = _action(demo_store, commitment.action_id)
    assert (saved.status, saved.done_on, saved.note) == ("open", None, "")
    row = prep.commitments.row("action", commitment.action_id)
    assert "Saved: this action is marked open again." in row.message.value
    assert "Kept" in row.box.children[1].children[-3].description


def test_a_refused_mark_is_said_beside_its_buttons(
    facilitate: Facilitate, demo_store: Store, today: dt.date
) -> None:
    app = facilitate
    _rep_with_open_commitment(app)
    prep = _tab(app, "Prep")
    commitment = next(c for c in app.state.brief.commitments if c.status == "open")
    row = prep.commitments.row("action", commitment.action_id)
    row.on.value = today + dt.timedelta(days=3)
    before = _action(demo_store, commitment.action_id)
    row.buttons["missed"].click()
    assert "Not saved. Date: pick today or an earlier day" in row.message.value
    assert "role='alert'" in row.message.value
    after = _action(demo_store, commitment.action_id)
    assert (after.status, after.row_version) == (before.status, before.row_version)
    others = [
        r.message.value
        for key, r in prep.commitments.rows.items()
        if key != ("action", commitment.action_id)
    ]
    assert not any(others)


def test_judging_a_goal_on_progress_says_how_it_was_judged(
    facilitate: Facilitate, demo_store: Store, today: dt.date
) -> None:
    app = facilitate
    progress = _tab(app, "Progress")
    for rep in app.state.queue["rep_id"]:
        app.open_rep(int(rep))
        progress = _tab(app, "Progress")
        goals = progress.all_goals
        if len(goals) and (goals["status"] == "open").any():
            break
    else:
        pytest.skip("no rep in the queue has an open goal")
    goal = goals[goals["status"] == "open"].iloc[0]
    row = progress.goal_marks.row("goal", int(goal["goal_id"]))
    assert [b.description for b in row.buttons.values()] == ["Met", "Missed", "Dropped"]
    judged_on = today - dt.timedelta(days=5)
    row.on.value = judged_on
    row.note.value = "Two deals slipped"
    row.buttons["missed"].click()

    saved = _goal(demo_store, int(goal["goal_id"]))
    assert (saved.status, saved.closed_on, saved.note) == (
        "missed",
        judged_on,
        "Two deals slipped",
    )
    when = f"{judged_on.day} June 2026"
    assert f"on {when}" in progress.goals.value
    assert ">missed<" not in progress.goals.value  # words, not the stored key
    row = progress.goal_marks.row("goal", int(goal["goal_id"]))
    assert f"Saved: this goal is marked missed on {when}." in row.message.value
    assert "Note: Two deals slipped" in row.label.value
    # The Prep tab says the same, in the same words.
    prep = _tab(app, "Prep")
    prep_row = prep.goals.rows.get(("goal", int(goal["goal_id"])))
    if prep_row is not None:
        assert f"on {when}" in prep_row.label.value


def test_dropping_an_action_on_progress_counts_it_apart(
    facilitate: Facilitate, demo_store: Store, today: dt.date
) -> None:
    app = facilitate
    _rep_with_open_commitment(app)
    progress = _tab(app, "Progress")
    action = next(a for a in progress.follow_ups if a.status == "open")
    row = progress.action_marks.row("action", action.id)
    row.buttons["dropped"].click()
    assert _action(demo_store, action.id).status == "dropped"
    assert "Dropped" in progress.actions.value  # the record's column
    row = progress.action_marks.row("action", action.id)
    assert f"Dropped on {today.day} June 2026" in row.label.value
    assert "neither as kept nor as missed" in progress.actions.value


# --- the Plan tab ----------------------------------------------------------------


@pytest.fixture
def prioritize(demo_store: Store, today: dt.date) -> Prioritize:
    return Prioritize(
        db=demo_store.location, coach=_first_coach(demo_store), today=today
    )


def _rep_with_open_goal(app: Prioritize) -> int:
    for rep in app.state.roster["rep_id"]:
        app.rep_picker.value = int(rep)
        plan = app.state.rep_plan
        if plan is not None and any(
            g.status == "open" and g.metric_id for g in plan.goals
        ):
            return int(rep)
    pytest.skip("no rep with an open goal")


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())


def test_a_plan_error_shows_beside_the_field_and_the_save_button(
    prioritize: Prioritize, demo_store: Store, today: dt.date
) -> None:
    app = prioritize
    rep = _rep_with_open_goal(app)
    plan_tab = _tab(app, "Plan")
    plan_tab.edit.click()
    row = plan_tab.rows[0]
    assert row.carried is not None
    now = app.baseline(rep, row.metric.value)
    assert now is not None
    row.target.value = "1%"  # below where the rep is
    plans = _count(demo_store, schema.plans)
    plan_tab.save.click()
    assert "Target: aim above" in row.goal_message.value
    assert "role='alert'" in row.goal_message.value
    assert plan_tab.save_message.value.count("Not saved. Target: aim above") == 1
    assert plan_tab.rows[1].goal_message.value == ""
    assert _count(demo_store, schema.plans) == plans


def test_the_target_hint_is_a_target_that_saves(
    prioritize: Prioritize, demo_store: Store, today: dt.date
) -> None:
    app = prioritize
    rep = int(app.state.roster["rep_id"].iloc[0])
    app.rep_picker.value = rep
    plan_tab = _tab(app, "Plan")
    row = plan_tab.rows[0]
    row.behaviour.value = int(app.state.framework["behaviour_id"].iloc[0])
    assert row.target.placeholder.startswith("e.g. ")
    row.goal.value = "Research every account before the first call"
    row.target.value = row.target.placeholder.removeprefix("e.g. ")
    plan_tab.save.click()
    assert "Saved the plan for" in plan_tab.save_message.value, (
        plan_tab.save_message.value
    )
    with demo_store.read() as conn:
        plan = current_plan(conn, rep)
    assert plan is not None
    assert [g.description for g in plan.goals] == [
        "Research every account before the first call"
    ]


def test_changing_a_saved_plan_keeps_its_goal_and_the_old_version(
    prioritize: Prioritize, demo_store: Store, today: dt.date
) -> None:
    app = prioritize
    rep = _rep_with_open_goal(app)
    before = app.state.rep_plan
    plan_tab = _tab(app, "Plan")
    assert plan_tab.edit.layout.display is None
    history_before = plan_tab.history.value.count("<li>")
    plan_tab.edit.click()
    assert "Change the plan" in plan_tab.heading.value
    row = plan_tab.rows[0]
    assert row.behaviour.value == before.focus_ids[0]
    assert (row.style.value, row.stage.value) == (
        before.focus[0].style,
        before.focus[0].stage,
    )
    carried = row.carried
    assert carried is not None
    assert carried.id is not None
    assert row.goal.value == carried.description
    assert row.due.value == carried.due_on
    goals_before = _count(demo_store, schema.goals)
    plan_tab.notes.value = "Changed after the review."
    plan_tab.save.click()

    with demo_store.read() as conn:
        after = current_plan(conn, rep)
    assert after is not None
    assert after.id != before.id
    assert carried.id in [g.id for g in after.goals]  # the same goal, carried
    assert _count(demo_store, schema.goals) == goals_before  # not a copy
    assert after.notes == "Changed after the review."
    said = plan_tab.save_message.value
    assert "Saved the plan for" in said
    assert "carried over" in said
    assert "role='status'" in said
    assert "Changed after the review." in plan_tab.current.value
    assert "Earlier plans" in plan_tab.history.value
    assert plan_tab.history.value.count("<li>") == history_before + 1
    started = f"From {before.started_on.day} "
    assert started in plan_tab.history.value
    assert "Make a new plan" in plan_tab.heading.value  # the form is ready again
