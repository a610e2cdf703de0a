"""The Facilitate workbook in-process: drive its widgets, check the store."""

import datetime as dt
import re
from html import unescape

import ipywidgets as w
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.apps.facilitate import Facilitate
from coachkit.model.formats import day
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
    buttons = observe.taps[0].children[1:]
    observe.note.value = IMG
    for i in range(8):
        buttons[i % 3].click()
    assert "So far: 8 taps" in observe.tally.value
    assert "<img" not in observe.tally.value

    write = _tab(app, "Write up")
    write.fields["went_well"].value = "Asked about impact early."
    write.fields["to_change"].value = "Let the buyer talk more."
    write.action_text.value = "Send the recap"
    write.action_due.value = today + dt.timedelta(days=7)
    write.add_action.click()
    write.action_text.value = "Book the demo"
    write.action_due.value = today + dt.timedelta(days=10)
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
    assert day(today) in _tab(again, "Progress").sessions.value


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


def _shown(widget: object, root: object) -> bool:
    """Whether ``widget`` is on the page under ``root`` (not just built)."""
    if widget is root:
        return True
    return any(_shown(widget, c) for c in getattr(root, "children", ()))


def _words(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize(
    ("what", "due", "message"),
    [
        ("", 7, "Action: say what will be done"),
        ("Send the recap", -3, "Due date: pick a day on or after the session, 15 June"),
        ("Send the recap", None, "Due date: pick a day, like 22 June 2026"),
    ],
    ids=["empty-action", "due-before-session", "no-due-date"],
)
def test_action_field_messages(
    demo_store: Store, today: dt.date, what: str, due: int | None, message: str
) -> None:
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.action_text.value = what
    write.action_due.value = None if due is None else today + dt.timedelta(days=due)
    write.add_action.click()
    shown = _words(write.action_problem.value)
    assert shown.startswith(message), shown
    assert "ck-status-error" in write.action_problem.value
    assert _shown(write.action_problem, write.form)
    assert write.actions.children == ()
    assert write.action_text.value == what  # what was typed is kept


def test_a_refused_action_is_never_called_fixed_or_saved(
    demo_store: Store, today: dt.date
) -> None:
    """Issue #22: an action dated before the session was not added, and the next
    autosave said "Fixed. The draft is saved." although the action was never added."""
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.action_text.value = "Call the buyer"
    write.action_due.value = today - dt.timedelta(days=1)
    write.add_action.click()
    refused = write.action_problem.value
    assert "Due date: pick a day on or after the session" in refused
    write.fields["went_well"].value = "Opened with the buyer's goals."
    assert "Draft saved at" in write.saved.value  # that field really was saved
    assert write.action_problem.value == refused  # the action's problem stays
    for said in (app.state.message, write.finish_note.value):
        assert "Fixed" not in said
        assert "saved" not in said.lower()
    with demo_store.read() as conn:
        assert _actions(conn, app.state.draft.id) == []

    write.action_due.value = today + dt.timedelta(days=3)
    write.add_action.click()
    assert _words(write.action_problem.value) == "Added the action: Call the buyer"
    assert len(write.actions.children) == 1
    row = write.actions.children[0].children[0].children[0].value
    assert row == "Call the buyer (Rep, by 18 June 2026)"
    with demo_store.read() as conn:
        assert _actions(conn, app.state.draft.id) == ["Call the buyer"]


def _actions(conn: Connection, session_id: int) -> list[str]:
    a = schema.actions
    return list(
        conn.execute(sa.select(a.c.text).where(a.c.session_id == session_id)).scalars()
    )


def test_finish_shows_every_problem_at_once_next_to_its_field(
    demo_store: Store, today: dt.date
) -> None:
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.fields["duration_minutes"].value = "forty"
    write.fields["focus"].value = ()
    write.fields["next_session_on"].value = None
    write.finish.click()

    expected = {
        "duration_minutes": "Duration: type a number of minutes, like 30",
        "focus": "Focus: pick at least one behaviour you worked on",
        "went_well": "What went well: write a sentence or two",
        "to_change": "What to change: write a sentence or two",
        "next_session_on": "Next session: pick a day after the session",
        **{
            f"coach_{part}": f"{part.capitalize()} (coach's score): pick a score "
            "from 1 to 5"
            for part in ("relevant", "developmental", "motivational")
        },
    }
    shown = {n: _words(h.value) for n, h in write.problems.items() if h.value}
    assert shown == expected
    for name in expected:  # each message sits right under its own control
        box = next(b for b in write.form.children if _shown(write.problems[name], b))
        assert _shown(write.fields[name], box)
    note = _words(write.finish_note.value)
    assert note == "Not saved yet: 8 things to fix. Each is marked next to its field."
    assert "saved" not in app.state.message.lower()
    assert write.summary.value == ""
    with demo_store.read() as conn:
        status = conn.execute(
            sa.select(schema.sessions.c.status).where(
                schema.sessions.c.id == app.state.draft.id
            )
        ).scalar_one()
    assert status == "draft"

    # Fixing one field clears its message only.
    write.fields["duration_minutes"].value = "40"
    assert write.problems["duration_minutes"].value == ""
    assert write.problems["focus"].value != ""
    write.fields["focus"].value = (write.fields["focus"].options[0][1],)
    write.fields["went_well"].value = "Listened well."
    write.fields["to_change"].value = "Ask for the next step."
    write.fields["next_session_on"].value = today + dt.timedelta(days=14)
    for part in ("relevant", "developmental", "motivational"):
        write.fields[f"coach_{part}"].value = 4
    write.finish.click()
    assert [h.value for h in write.problems.values() if h.value] == []
    assert "Saved the session" in _words(write.finish_note.value)
    assert "Saved the session" in app.state.message


def test_duration_must_be_a_number(demo_store: Store, today: dt.date) -> None:
    app = _app(demo_store, today)
    _open_fresh_rep(app)
    app.ensure_draft()
    write = _tab(app, "Write up")
    write.fields["duration_minutes"].value = "forty"
    problem = write.problems["duration_minutes"]
    assert _words(problem.value) == "Duration: type a number of minutes, like 30"
    assert _shown(problem, write.form)
    write.fields["duration_minutes"].value = "40"
    assert problem.value == ""
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
    assert _shown(write.fields["style"], write.form)  # on screen, not just built
    assert _shown(write.fields["focus"], write.form)
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


def test_the_queue_is_one_list_whose_headings_count_what_is_under_them(
    demo_store: Store, today: dt.date
) -> None:
    """Issue #22: "3 reps due or late" sat above a list of all 10, and a table
    below repeated the list."""
    for coach in _coach_ids(demo_store):
        app = Facilitate(db=demo_store.location, coach=coach, today=today)
        queue = app.state.queue
        tab = _tab(app, "Queue")
        assert "<table" not in str([getattr(c, "value", "") for c in tab.box.children])
        parts: list[tuple[str, list[tuple[str, str]]]] = []
        for child in tab.rows.children:
            if isinstance(child, w.HTML):
                parts.append((_words(child.value), []))
            else:
                button, why = child.children
                parts[-1][1].append((button.description, why.value))
        listed = [row for _, rows in parts for row in rows]
        assert [name for name, _ in listed] == queue["rep"].tolist()  # every rep, once
        for title, rows in parts:
            count = int(re.search(r": (\d+) reps?$", title).group(1))  # type: ignore[union-attr]
            assert count == len(rows), (title, rows)
        late = [int(d) for d in queue[queue["place"] == "due"]["days_overdue"]]
        assert late == sorted(late, reverse=True)
        if late:
            assert parts[0][0].startswith("Due or late today")
        for (_, why), reason in zip(listed, queue["reason"], strict=True):
            assert why == reason[0].upper() + reason[1:]  # one phrase, as a sentence


def _coach_ids(store: Store) -> list[int]:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return [int(c) for c in coaches["coach_id"]]
