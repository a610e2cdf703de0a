"""In-process widget tests: build each workbook, drive its widgets, check the store."""

import datetime as dt
from pathlib import Path

import ipywidgets as w
import pytest
import sqlalchemy as sa

from coachkit.apps.facilitate import Facilitate, build_facilitate
from coachkit.apps.prioritize import Prioritize, build_prioritize
from coachkit.apps.shell import READY_CLASS, AppState, guarded
from coachkit.errors import ValidationError
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _coach_ids(store: Store) -> tuple[int, int, int]:
    with store.read() as conn:
        frame = queries.coaches(conn)
    coaches = frame[frame["role"] == "coach"]["coach_id"].tolist()
    lead = frame[frame["role"] == "lead"]["coach_id"].tolist()
    return coaches[0], coaches[1], lead[0]


def test_prioritize_shows_the_chosen_coachs_team(
    demo_store: Store, today: dt.date
) -> None:
    first, second, lead = _coach_ids(demo_store)
    app = Prioritize(db=demo_store.location, coach=first, today=today)
    assert READY_CLASS in app.view._dom_classes
    mine = app.state.roster
    assert len(mine) >= 8
    assert set(mine["coach"]) == {app.coaches.set_index("coach_id").loc[first, "coach"]}
    table = app.tabs[0].table.value
    assert mine["rep"].iloc[0] in table

    app.shell.coach_picker.value = second
    assert app.state.coach_id == second
    assert set(app.state.roster["rep_id"]).isdisjoint(set(mine["rep_id"]))
    assert f"?coach={second}" in app.shell.nav.value

    app.shell.coach_picker.value = lead
    assert app.state.sees_all
    assert len(app.state.roster) == len(mine) + len(
        Prioritize(db=demo_store.location, coach=second, today=today).state.roster
    )
    assert "everyone" in app.state.message


def test_rep_names_are_shown_as_text_not_html(
    demo_store: Store, today: dt.date
) -> None:
    first, _, _ = _coach_ids(demo_store)
    with demo_store.write() as conn:
        conn.execute(
            schema.reps.insert().values(
                coach_id=first, name="<img src=x onerror=alert(1)>Eve"
            )
        )
    app = Prioritize(db=demo_store.location, coach=first, today=today)
    table = app.tabs[0].table.value
    assert "<img" not in table
    assert "&lt;img src=x onerror=alert(1)&gt;Eve" in table


def test_facilitate_queue_puts_most_in_need_first(
    demo_store: Store, today: dt.date
) -> None:
    first, _, _ = _coach_ids(demo_store)
    app = Facilitate(db=demo_store.location, coach=first, today=today)
    queue = app.state.queue
    assert len(queue) >= 8
    late = queue[queue["place"] == "due"]["days_overdue"]
    assert late.is_monotonic_decreasing  # the most late first (issue #22)
    first = app.tabs[0].rows.children[1].children  # under the first heading
    assert (first[0].description, first[1].value[:1].lower() + first[1].value[1:]) == (
        queue["rep"].iloc[0],
        queue["reason"].iloc[0],
    )


def test_workbook_on_a_broken_store_shows_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    view = build_prioritize(db=str(bad))
    assert isinstance(view, w.HTML)
    assert "not a coachkit database" in view.value
    assert "Traceback" not in view.value


def test_empty_store_says_how_to_start(store: Store) -> None:
    app = build_facilitate(db=store.location)
    assert isinstance(app, Facilitate)
    assert "coachkit demo" in app.state.message
    assert app.shell.body.children == ()


def test_guarded_turns_errors_into_plain_messages(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = AppState()

    @guarded(state, "saving the rep")
    def save_bad_name() -> None:
        raise ValidationError("Name", "cannot be empty")

    save_bad_name()
    assert state.level == "error"
    assert state.message == "Name: cannot be empty"

    @guarded(state, "saving the rep")
    def crash() -> None:
        raise ZeroDivisionError

    crash()
    assert "Something went wrong while saving the rep" in state.message
    assert "ZeroDivisionError" not in state.message
    caplog.clear()  # the crash was logged on purpose


def test_status_line_escapes_messages(demo_store: Store, today: dt.date) -> None:
    first, _, _ = _coach_ids(demo_store)
    app = Prioritize(db=demo_store.location, coach=first, today=today)
    app.state.fail("<script>alert(1)</script>")
    assert "<script>" not in app.shell.status.value
    assert "&lt;script&gt;" in app.shell.status.value
    with demo_store.read() as conn:
        assert conn.execute(
            sa.select(sa.func.count()).select_from(schema.reps)
        ).scalar()
