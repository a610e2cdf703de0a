"""The Facilitate workbook in-process: drive its widgets, check the store."""

import datetime as dt

import pytest
import sqlalchemy as sa

from coachkit.apps.facilitate import Facilitate
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")

IMG = "<img src=x onerror=alert(1)>"


def _first_coach(store: Store) -> int:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])


def _app(store: Store, today: dt.date) -> Facilitate:
    return Facilitate(db=store.location, coach=_first_coach(store), today=today)


def _tab(app: Facilitate, title: str):  # noqa: ANN202
    """Open the tab, as a coach does: a tab is drawn when it is opened."""
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def _open_fresh_rep(app: Facilitate) -> int:
    """Open the first rep in the queue without a waiting draft."""
    queue = app.state.queue
    rep = int(queue[~queue["draft"]]["rep_id"].iloc[0])
    app.open_rep(rep)
    return rep


def test_open_observe_write_and_recover_the_draft(
    demo_store: Store, today: dt.date
) -> None:
    app = _app(demo_store, today)
    rep = _open_fresh_rep(app)
    assert app.tab_widget.selected_index == 1  # the prep brief
    assert app.state.draft is None
    _tab(app, "Prep").start.click()
    draft = app.state.draft
    assert draft is not None
    assert draft.rep_id == rep

    observe = _tab(app, "Observe")
    buttons = observe.rows.children[0].children[1:]
    observe.note.value = IMG
    for i in range(8):
        buttons[i % 3].click()
    assert "So far: 8 taps" in observe.tally.value
    assert "<img" not in observe.tally.value

    write = _tab(app, "Write up")
    write.fields["went_well"].value = "Asked about impact early."
    write.fields["to_change"].value = "Let the buyer talk more."
    write.action_text.value = "Send the recap"
    write.action_due.value = (today + dt.timedelta(days=7)).isoformat()
    write.add_action.click()
    write.action_text.value = "Book the demo"
    write.action_due.value = (today + dt.timedelta(days=10)).isoformat()
    write.add_action.click()
    assert len(write.actions.children) == 2

    # A closed tab: a new kernel builds the workbook again from the store.
    again = _app(demo_store, today)
    again.open_rep(rep)
    recovered = again.state.draft
    assert recovered is not None
    assert recovered.id == draft.id
    assert recovered.went_well == "Asked about impact early."
    assert recovered.to_change == "Let the buyer talk more."
    assert len(recovered.actions) == 2
    assert len(recovered.observations) == 8
    assert recovered.observations[0].note == IMG
    assert "So far: 8 taps" in _tab(again, "Observe").tally.value

    rewrite = _tab(again, "Write up")
    for part in ("relevant", "developmental", "motivational"):
        rewrite.fields[f"coach_{part}"].value = 4
    rewrite.fields["next_session_on"].value = today + dt.timedelta(days=14)
    rewrite.finish.click()
    assert "Saved the session" in again.state.message, again.state.message
    assert "&lt;img src=x onerror=alert(1)&gt;" in rewrite.summary.value
    assert "<img" not in rewrite.summary.value
    with demo_store.read() as conn:
        status = conn.execute(
            sa.select(schema.sessions.c.status).where(schema.sessions.c.id == draft.id)
        ).scalar_one()
    assert status == "done"
    assert today.isoformat() in _tab(again, "Progress").sessions.value


def test_two_tabs_on_one_session_keep_both_texts(
    demo_store: Store, today: dt.date
) -> None:
    first = _app(demo_store, today)
    rep = _open_fresh_rep(first)
    first.ensure_draft()
    second = _app(demo_store, today)
    second.open_rep(rep)
    assert second.state.draft.id == first.state.draft.id

    _tab(first, "Write up").fields["went_well"].value = "Text from tab A"
    assert "Draft saved" in _tab(first, "Write up").saved.value
    _tab(second, "Write up").fields["went_well"].value = "Text from tab B"
    assert second.state.level == "error"
    assert "Someone else saved this session" in second.state.message
    assert second.state.draft.conflict_of == first.state.draft.id

    with demo_store.read() as conn:
        rows = conn.execute(
            sa.select(schema.sessions.c.went_well, schema.sessions.c.conflict_of).where(
                schema.sessions.c.rep_id == rep, schema.sessions.c.status == "draft"
            )
        ).all()
    texts = {r.went_well: r.conflict_of for r in rows}
    assert texts["Text from tab A"] is None
    assert texts["Text from tab B"] == first.state.draft.id


@pytest.mark.parametrize(
    ("what", "due", "message"),
    [
        ("", 7, "Action: say what will be done"),
        ("Send the recap", -3, "Due date: pick a day on or after the session"),
        ("Send the recap", None, "Due date: use the form"),
    ],
    ids=["empty-action", "due-before-session", "due-not-a-date"],
)
def test_action_field_messages(
    demo_store: Store, today: dt.date, what: str, due: int | None, message: str
) -> None:
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.action_text.value = what
    write.action_due.value = (
        "next friday" if due is None else (today + dt.timedelta(days=due)).isoformat()
    )
    write.add_action.click()
    assert app.state.level == "error"
    assert app.state.message.startswith(message), app.state.message
    assert write.actions.children == ()


def test_duration_must_be_a_number(demo_store: Store, today: dt.date) -> None:
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.fields["duration_minutes"].value = "forty"
    assert app.state.message == "Duration: type a number of minutes, like 30"
    write.fields["duration_minutes"].value = "40"
    assert app.state.level != "error"
    with demo_store.read() as conn:
        minutes = conn.execute(
            sa.select(schema.sessions.c.duration_minutes).where(
                schema.sessions.c.id == app.state.draft.id
            )
        ).scalar_one()
    assert minutes == 40


def test_a_rep_without_a_plan_can_still_be_coached(
    demo_store: Store, today: dt.date
) -> None:
    app = _app(demo_store, today)
    brief_less = [
        int(r)
        for r in app.state.queue[~app.state.queue["has_plan"]]["rep_id"]
        if not app.state.queue.set_index("rep_id").loc[r, "draft"]
    ]
    app.open_rep(brief_less[0])
    app.ensure_draft()
    write = _tab(app, "Write up")
    assert write.fields["style"] in write.form.children  # on screen, not just built
    assert write.fields["focus"] in write.form.children
    assert write.fields["style"].value is None
    write.fields["style"].value = "direct"
    write.fields["focus"].value = (write.fields["focus"].options[0][1],)
    write.fields["went_well"].value = "Listened well."
    write.fields["to_change"].value = "Ask for the next step."
    for part in ("relevant", "developmental", "motivational"):
        write.fields[f"coach_{part}"].value = 3
    write.fields["next_session_on"].value = today + dt.timedelta(days=7)
    write.finish.click()
    assert "Saved the session" in app.state.message, app.state.message
    assert "<style" not in write.summary.value  # the page keeps its own look
    assert "<body" not in write.summary.value


def test_progress_shows_goals_and_skills_as_charts_and_tables(
    demo_store: Store, today: dt.date
) -> None:
    app = _app(demo_store, today)
    queue = app.state.queue
    app.open_rep(int(queue[queue["has_plan"]]["rep_id"].iloc[0]))
    progress = _tab(app, "Progress")
    classes = [c._dom_classes for c in progress.chart.children]
    assert ("ck-chart", "ck-goal-chart") in classes
    assert ("ck-chart", "ck-skill-chart") in classes
    assert "<table" in progress.goals.value
    assert "Latest skill ratings" in progress.chart.children[-1].value
