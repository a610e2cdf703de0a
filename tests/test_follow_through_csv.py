"""Actions and goals in and out as CSV (#22): follow-through (kept, missed,
dropped; met, missed, dropped) can come from a file, an exported file imports back
unchanged, and every broken row gets one line and leaves the store as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.exchange.importer import ImportProblems, export_file, import_file
from coachkit.model.goals import baseline_for
from coachkit.store import schema as s
from coachkit.store.access import AccessDenied, Viewer
from coachkit.store.database import Store

ACTIONS = "coach,rep,text,owner,due_date,status,closed_date,note\n"
GOALS = (
    "coach,rep,behaviour,metric,description,baseline,target,start_date,due_date,"
    "status,closed_date,note\n"
)


def exported(
    store: Store, kind: str, coach_id: int | None = None
) -> list[dict[str, str]]:
    with store.read() as conn:
        data = export_file(conn, kind, coach_id)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel shows accents right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def table(store: Store, t: sa.Table) -> list[tuple[Any, ...]]:
    with store.read() as conn:
        return sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)


def refused(store: Store, kind: str, data: bytes) -> str:
    before = (table(store, s.actions), table(store, s.goals))
    with pytest.raises(ImportProblems) as caught:
        import_file(store, kind, data, name="bad.csv")
    assert (table(store, s.actions), table(store, s.goals)) == before
    return str(caught.value)


@pytest.mark.parametrize("kind", ["actions", "goals"])
def test_an_exported_file_imports_back_unchanged(demo_store: Store, kind: str) -> None:
    rows = exported(demo_store, kind)
    stored = s.actions if kind == "actions" else s.goals
    before = table(demo_store, stored)
    assert len(rows) == len(before) > 5
    result = import_file(demo_store, kind, as_csv(rows))
    assert (result.added, result.updated, result.unchanged) == (0, 0, len(rows))
    assert table(demo_store, stored) == before


def test_follow_through_of_actions_comes_from_a_file(demo_store: Store) -> None:
    rows = exported(demo_store, "actions")
    open_rows = [r for r in rows if r["status"] == "open"]
    kept, dropped = open_rows[0], open_rows[1]
    kept.update(status="kept", closed_date="2026-06-10", note="Booked both meetings")
    dropped.update(status="Dropped", closed_date="2026-06-11", note="")
    dry = import_file(demo_store, "actions", as_csv(rows), dry_run=True)
    assert (dry.updated, dry.written) == (2, False)
    result = import_file(demo_store, "actions", as_csv(rows))
    assert (result.added, result.updated) == (0, 2)
    a = s.actions
    with demo_store.read() as conn:
        marked = conn.execute(
            sa.select(a.c.text, a.c.status, a.c.done_on, a.c.note, a.c.row_version)
            .where(a.c.id.in_([int(kept["id"]), int(dropped["id"])]))
            .order_by(a.c.done_on)
        ).all()
    assert [(m.text, m.status, m.done_on, m.note) for m in marked] == [
        (kept["text"], "kept", dt.date(2026, 6, 10), "Booked both meetings"),
        (dropped["text"], "dropped", dt.date(2026, 6, 11), ""),
    ]
    assert all(m.row_version > 1 for m in marked)
    assert import_file(demo_store, "actions", as_csv(rows)).updated == 0


def test_new_actions_are_added_once_and_opened_again(demo_store: Store) -> None:
    data = (
        ACTIONS + "Victor Garcia,Tara Bauer,Call  two lost buyers,coach,2026-06-20,"
        "missed,2026-06-14,No time\n"
        "Victor Garcia,Tara Bauer,'-> send the recap,,2026-06-21,,,\n"
    ).encode()
    first = import_file(demo_store, "actions", data)
    again = import_file(demo_store, "actions", data)
    assert (first.added, again.added, again.unchanged) == (2, 0, 2)
    a = s.actions
    with demo_store.read() as conn:
        added = conn.execute(
            sa.select(a.c.text, a.c.owner, a.c.status, a.c.done_on, a.c.session_id)
            .where(a.c.session_id.is_(None))
            .order_by(a.c.due_on)
        ).all()
    assert [tuple(r) for r in added] == [
        ("Call two lost buyers", "coach", "missed", dt.date(2026, 6, 14), None),
        ("-> send the recap", "rep", "open", None, None),
    ]
    reopened = (
        ACTIONS + "Victor Garcia,Tara Bauer,call two lost buyers,,2026-06-20,open,,\n"
    )
    import_file(demo_store, "actions", reopened.encode())
    with demo_store.read() as conn:
        row = conn.execute(
            sa.select(a.c.status, a.c.done_on, a.c.note).where(
                a.c.text == "Call two lost buyers"
            )
        ).one()
    assert tuple(row) == ("open", None, "")


BAD_ACTIONS = {
    "status": (
        "Victor Garcia,Tara Bauer,Call,rep,2026-06-20,done,,",
        "row 2, column 'status': expected open, kept, missed or dropped, got 'done'",
    ),
    "open-with-day": (
        "Victor Garcia,Tara Bauer,Call,rep,2026-06-20,open,2026-06-01,",
        "row 2, column 'closed_date': an open action has no closed date; empty this "
        "cell, or make the status kept, missed or dropped",
    ),
    "note-without-status": (
        "Victor Garcia,Tara Bauer,Call,rep,2026-06-20,,,Went well",
        "row 2, column 'note': a note is for an action that is kept, missed or "
        "dropped; give the status too",
    ),
    "future-day": (
        "Victor Garcia,Tara Bauer,Call,rep,2026-06-20,kept,2999-01-01,",
        "row 2, column 'closed_date': expected today",
    ),
    "owner": (
        "Victor Garcia,Tara Bauer,Call,manager,2026-06-20,,,",
        "row 2, column 'owner': expected rep or coach, got 'manager'",
    ),
    "no-text": (
        "Victor Garcia,Tara Bauer,,rep,2026-06-20,,,",
        "row 2, column 'text': is empty; expected what will be done",
    ),
}


@pytest.mark.parametrize("name", list(BAD_ACTIONS))
def test_a_broken_action_row_is_one_line_and_nothing_is_written(
    demo_store: Store, name: str
) -> None:
    row, expected = BAD_ACTIONS[name]
    message = refused(demo_store, "actions", (ACTIONS + row + "\n").encode())
    assert expected in message
    assert len(message.splitlines()) == 2


def _goal(**changes: str) -> bytes:
    row = {
        "coach": "Victor Garcia",
        "rep": "Tara Bauer",
        "behaviour": "multi_thread",
        "metric": "win_rate",
        "description": "Win more of the deals",
        "baseline": "0.2",
        "target": "0.27",
        "start_date": "2026-05-01",
        "due_date": "2026-08-31",
        "status": "",
        "closed_date": "",
        "note": "",
    } | changes
    return as_csv([row])


def test_a_goal_judged_in_a_file_keeps_the_value_on_that_day(
    demo_store: Store,
) -> None:
    import_file(demo_store, "goals", _goal())
    judged = _goal(status="missed", closed_date="2026-06-12", note="Two deals slipped")
    result = import_file(demo_store, "goals", judged)
    assert (result.added, result.updated) == (0, 1)
    g = s.goals
    with demo_store.read() as conn:
        row = conn.execute(
            sa.select(g).where(g.c.description == "Win more of the deals")
        ).one()
        expected = baseline_for(conn, row.rep_id, row.metric_id, dt.date(2026, 6, 12))
    assert (row.status, row.closed_on, row.note) == (
        "missed",
        dt.date(2026, 6, 12),
        "Two deals slipped",
    )
    assert row.closed_value == expected is not None
    import_file(demo_store, "goals", _goal(status="open"))
    with demo_store.read() as conn:
        opened = conn.execute(
            sa.select(g.c.status, g.c.closed_on, g.c.note, g.c.closed_value).where(
                g.c.id == row.id
            )
        ).one()
    assert tuple(opened) == ("open", None, "", None)


BAD_GOALS = {
    "metric-not-shown": (
        {"metric": "conversations"},
        "row 2, column 'metric': conversations does not show multi_thread; pick one "
        "of the metrics listed for it: meetings, opportunities, win_rate",
    ),
    "due-before-start": (
        {"due_date": "2026-04-01"},
        "row 2, column 'due_date': is not after the start date (2026-05-01)",
    ),
    "wrong-way": (
        {"target": "0.15"},
        "row 2, column 'target': aim above the baseline (0.2); for win_rate, higher "
        "is better",
    ),
    "percent-for-a-rate": (
        {"target": "27", "baseline": ""},
        "row 2, column 'target': win_rate is a rate written as a share (0.35 means "
        "35%), from 0 to 1 (100%); got 27. If 27 means 27%, write 0.27",
    ),
    "closed-before-start": (
        {"status": "met", "closed_date": "2026-04-30"},
        "row 2, column 'closed_date': 2026-04-30 is before the goal's start date "
        "(2026-05-01); it cannot have been met then",
    ),
    "infinite-baseline": (
        {"baseline": "9" * 400},
        "row 2, column 'baseline': '",
    ),
}


@pytest.mark.parametrize("name", list(BAD_GOALS))
def test_a_broken_goal_row_is_one_line_and_nothing_is_written(
    demo_store: Store, name: str
) -> None:
    changes, expected = BAD_GOALS[name]
    message = refused(demo_store, "goals", _goal(**changes))
    assert expected in message
    assert len(message.splitlines()) == 2


def test_a_coach_exports_only_their_own_team(demo_store: Store) -> None:
    everyone = exported(demo_store, "actions")
    coaches = {r["coach"] for r in everyone}
    assert len(coaches) >= 2
    with demo_store.read() as conn:
        victor = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.name == "Victor Garcia")
        ).scalar_one()
    as_victor = demo_store.as_viewer(Viewer(victor, "Victor Garcia", "coach"))
    own = exported(as_victor, "actions", victor)
    assert {r["coach"] for r in own} == {"Victor Garcia"}
    with as_victor.read() as conn, pytest.raises(AccessDenied):
        export_file(conn, "actions")  # every team: for an enablement lead
    assert own == [r for r in everyone if r["coach"] == "Victor Garcia"]


def test_the_command_line_writes_and_refuses_to_replace(
    demo_store: Store, tmp_path: Path
) -> None:
    db = demo_store.url.render_as_string(hide_password=False)
    demo_store.dispose()
    runner = CliRunner()
    out = tmp_path / "goals.csv"
    done = runner.invoke(
        main,
        [
            "export-csv",
            "goals",
            "--db",
            db,
            "--coach",
            "Victor Garcia",
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert done.output.strip() == f"Wrote {len(rows)} goals to {out.resolve()}."
    again = runner.invoke(main, ["export-csv", "goals", "--db", db, "--out", str(out)])
    assert again.exit_code == 1
    assert f"{out} is already there, so it is left as it is. Pass --force" in (
        again.output
    )
    forced = ["export-csv", "goals", "--db", db, "--out", str(out), "--force"]
    forced += ["--coach", "Victor Garcia"]
    assert runner.invoke(main, forced).exit_code == 0
    printed = runner.invoke(main, ["export-csv", "actions", "--db", db])
    assert printed.output.startswith(ACTIONS.strip() + ",id\n")
    back = runner.invoke(main, ["import", "goals", str(out), "--db", db, "--dry-run"])
    assert back.exit_code == 0, back.output
    assert f"0 added, 0 updated, {len(rows)} unchanged" in back.output


def test_two_stored_actions_that_say_the_same_need_the_id(demo_store: Store) -> None:
    rows = exported(demo_store, "actions")
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    twin = next(
        r
        for r in rows
        if seen.setdefault((r["rep"], r["text"], r["due_date"]), r) is not r
    )
    without_id = {k: v for k, v in twin.items() if k != "id"}
    message = refused(demo_store, "actions", as_csv([without_id]))
    same = [
        r
        for r in rows
        if (r["rep"], r["text"], r["due_date"])
        == (twin["rep"], twin["text"], twin["due_date"])
    ]
    assert (
        f"row 2: the store has {len(same)} actions with the same rep, text and due "
        "date as this row; add the id column (coachkit export-csv actions writes it) "
        "to say which one"
    ) in message
    assert len(message.splitlines()) == 2


def test_an_id_can_change_the_text_but_not_move_to_another_rep(
    demo_store: Store,
) -> None:
    rows = exported(demo_store, "actions")
    first = rows[0]
    other = next(r for r in rows if r["rep"] != first["rep"])
    moved = dict(first, rep=other["rep"], coach=other["coach"])
    message = refused(demo_store, "actions", as_csv([moved]))
    assert (
        f"row 2, column 'id': this rep has no action with id {first['id']}" in message
    )
    edited = dict(first, text="Book two meetings with budget owners")
    assert import_file(demo_store, "actions", as_csv([edited])).updated == 1
    with demo_store.read() as conn:
        text = conn.execute(
            sa.select(s.actions.c.text).where(s.actions.c.id == int(first["id"]))
        ).scalar_one()
    assert text == "Book two meetings with budget owners"


def test_a_goal_with_no_metric_aims_at_a_rubric_level(demo_store: Store) -> None:
    message = refused(demo_store, "goals", _goal(metric="", baseline="3", target="7"))
    assert (
        "row 2, column 'target': a goal with no metric aims at a rubric level from 1 "
        "to 5; got 7"
    ) in message
    done = import_file(demo_store, "goals", _goal(metric="", baseline="3", target="4"))
    assert done.added == 1


def test_an_action_of_a_draft_session_cannot_be_marked(demo_store: Store) -> None:
    with demo_store.write() as conn:
        rep = conn.execute(
            sa.select(s.reps.c.id, s.reps.c.coach_id).where(
                s.reps.c.name == "Tara Bauer"
            )
        ).one()
        session = conn.execute(
            s.sessions.insert()
            .values(
                coach_id=rep.coach_id,
                rep_id=rep.id,
                session_type="call_review",
                held_on=dt.date(2026, 6, 12),
                status="draft",
            )
            .returning(s.sessions.c.id)
        ).scalar_one()
        conn.execute(
            s.actions.insert().values(
                coach_id=rep.coach_id,
                rep_id=rep.id,
                session_id=session,
                text="Send the recap",
                due_on=dt.date(2026, 6, 19),
            )
        )
    row = "Victor Garcia,Tara Bauer,Send the recap,rep,2026-06-19,kept,2026-06-13,"
    message = refused(demo_store, "actions", (ACTIONS + row + "\n").encode())
    assert (
        "row 2, column 'status': this action is on the session of 2026-06-12, which "
        "is still a draft; finish the session before marking its actions"
    ) in message
