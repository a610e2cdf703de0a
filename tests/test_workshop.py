"""Workshop mode (issue 8, item 5): a practice team per seat, claimed by a name.

In process, on real stores (SQLite, or PostgreSQL under ``--store postgresql``):
making the seats, claiming one (and every way a name is refused), a participant
seeing only their own team, people claiming at the same moment from separate
processes, ``reset`` putting back exactly the start state, the claim form a
workbook shows without a seat link, and ``coachkit workshop`` itself.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.apps.base import Workbook, build
from coachkit.apps.prioritize import Prioritize
from coachkit.apps.workshop_claim import ClaimView
from coachkit.cli.main import main
from coachkit.errors import CoachkitError, ValidationError
from coachkit.improve import reflections
from coachkit.model import team
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.access import AccessDenied
from coachkit.store.database import Store
from coachkit.web import identity
from coachkit.web.identity import NotSignedIn
from coachkit.web.workshop import (
    MAX_SEATS,
    NAME_MAX,
    SeatNeeded,
    claim_seat,
    create_workshop,
    list_seats,
    reset_workshop,
    seat_viewer,
)

REPS = 3


def _url(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)


def _claim(store: Store, name: str) -> str:
    with store.write() as conn:
        return claim_seat(conn, name)


def _snapshot(
    store: Store, *, content_only: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order.

    ``content_only`` leaves out when rows were written (``created_at``,
    ``updated_at``) and the workshop's own notes (``meta``), which a reset renews.
    """
    stamps = ("created_at", "updated_at")
    with store.read() as conn:
        return {
            t.name: sorted(
                (
                    tuple(row)
                    for row in conn.execute(
                        sa.select(
                            *[
                                c
                                for c in t.columns
                                if not (content_only and c.name in stamps)
                            ]
                        )
                    )
                ),
                key=repr,
            )
            for t in s.metadata.sorted_tables
            if not (content_only and t is s.meta)
        }


@pytest.fixture
def workshop(store: Store, today: dt.date) -> Store:
    """A store with four seats, three reps each."""
    create_workshop(store, 4, today=today, reps=REPS)
    return store


# -- making the seats -------------------------------------------------------------
def test_each_seat_gets_its_own_copy_of_the_same_team(workshop: Store) -> None:
    with workshop.read() as conn:
        seats = list_seats(conn)
        rosters = [
            queries.roster(conn, seat.coach_id, include_inactive=True) for seat in seats
        ]
        sessions = [
            conn.execute(
                sa.select(sa.func.count()).where(s.sessions.c.coach_id == seat.coach_id)
            ).scalar_one()
            for seat in seats
        ]
    assert [seat.coach for seat in seats] == ["Seat 1", "Seat 2", "Seat 3", "Seat 4"]
    assert all(seat.claimed_by is None for seat in seats)
    assert len({seat.token for seat in seats}) == 4
    names = [sorted(roster["rep"]) for roster in rosters]
    assert len(names[0]) == REPS
    assert names == [names[0]] * 4
    rep_ids = [set(roster["rep_id"]) for roster in rosters]
    assert len(set().union(*rep_ids)) == 4 * REPS  # but rows of their own
    assert sessions[0] > 0
    assert sessions == [sessions[0]] * 4


def test_thirty_participants_in_one_go(store: Store, today: dt.date) -> None:
    made = create_workshop(store, 30, today=today)
    assert made.seats == 30
    assert made.reps_per_seat == 5
    tokens = [_claim(store, f"Participant {n}") for n in range(30)]
    assert len(set(tokens)) == 30
    with store.read() as conn:
        coaches = queries.coaches(conn)
        reps = conn.execute(sa.select(sa.func.count()).select_from(s.reps))
        assert reps.scalar_one() == 150
        seen = {seat_viewer(conn, token).coach_id for token in tokens}
    assert seen == set(coaches["coach_id"])
    assert set(coaches["coach"]) == {f"Participant {n}" for n in range(30)}


def test_a_store_with_a_team_or_a_workshop_is_refused(
    demo_store: Store, workshop: Store, today: dt.date
) -> None:
    before = _snapshot(demo_store)
    with pytest.raises(CoachkitError, match="already has coaches and their data"):
        create_workshop(demo_store, 3, today=today)
    assert _snapshot(demo_store) == before
    with pytest.raises(CoachkitError, match="already holds a workshop"):
        create_workshop(workshop, 3, today=today)
    with pytest.raises(ValidationError, match=f"Participants: use 1 to {MAX_SEATS}"):
        create_workshop(workshop, 0, today=today)


# -- claiming ------------------------------------------------------------------------
def test_a_claimed_seat_signs_its_link_in_and_nobody_else(workshop: Store) -> None:
    token = _claim(workshop, "  Ana   Lopez ")
    with workshop.read() as conn:
        seats = list_seats(conn)
        viewer = identity.visitor(conn, {}, f"seat={token}")
        assert viewer is not None
        assert (viewer.name, viewer.role, viewer.source) == (
            "Ana Lopez",
            "coach",
            "seat",
        )
        assert viewer.coach_id == seats[0].coach_id
        with pytest.raises(SeatNeeded, match="Type your name"):
            identity.visitor(conn, {}, "")
        with pytest.raises(NotSignedIn, match="This seat link does not work"):
            identity.visitor(conn, {}, "seat=not-a-seat")
        with pytest.raises(NotSignedIn, match="This seat link does not work"):
            identity.visitor(conn, {}, f"seat={seats[1].token}")  # nobody claimed it
    assert (seats[0].claimed_by, seats[0].coach) == ("Ana Lopez", "Ana Lopez")
    assert seats[0].link.endswith(f"1_prioritize.ipynb?seat={token}")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "Your name: type your name first"),
        ("   ", "Your name: type your name first"),
        ("x" * (NAME_MAX + 1), f"Your name: keep it to {NAME_MAX} characters"),
        ("Ana\x00", "Your name: use letters, digits and punctuation only"),
        ("seat 2", "Your name: 'seat 2' is what the seats are called"),
        ("ANA  lopez", "Your name: someone in this workshop is already called"),
    ],
)
def test_a_refused_name_claims_nothing(
    workshop: Store, name: str, problem: str
) -> None:
    _claim(workshop, "Ana Lopez")
    before = _snapshot(workshop)
    with pytest.raises(ValidationError, match=problem):
        _claim(workshop, name)
    assert _snapshot(workshop) == before


def test_when_every_seat_is_taken_it_says_so(workshop: Store) -> None:
    for n in range(4):
        _claim(workshop, f"Person {n}")
    with pytest.raises(ValidationError, match="Seat: all 4 seats are taken"):
        _claim(workshop, "Late Comer")


_CLAIMER = """
import sys, time
from pathlib import Path
from coachkit.store.database import open_store
from coachkit.web.workshop import claim_seat
url, name, go = sys.argv[1:]
store = open_store(url)
print("ready", flush=True)
while not Path(go).exists():
    time.sleep(0.001)
try:
    with store.write() as conn:
        print("token", claim_seat(conn, name), flush=True)
except Exception as exc:
    print("refused", exc, flush=True)
"""


def test_people_claiming_at_the_same_moment_get_different_seats(
    workshop: Store, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CLAIMER, _url(workshop), f"Person {n}", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr
    go.touch()  # all six claim at once, for four seats
    lines = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    tokens = [line.split()[1] for line in lines if line.startswith("token")]
    refused = [line for line in lines if line.startswith("refused")]
    assert len(set(tokens)) == 4, lines
    assert (
        refused
        == ["refused Seat: all 4 seats are taken. Ask your trainer for help"] * 2
    )
    with workshop.read() as conn:
        seats = list_seats(conn)
    assert sorted(seat.token for seat in seats) == sorted(tokens)
    assert len({seat.claimed_by for seat in seats}) == 4


# -- one participant cannot see another's team --------------------------------------
def test_a_participant_reaches_only_their_own_team(workshop: Store) -> None:
    mine, theirs = _claim(workshop, "Ana"), _claim(workshop, "Bo")
    with workshop.read() as conn:
        ana, bo = seat_viewer(conn, mine), seat_viewer(conn, theirs)
        bo_rep = int(queries.roster(conn, bo.coach_id)["rep_id"].iloc[0])
    as_ana = workshop.as_viewer(ana)
    with as_ana.read() as conn:
        assert len(team.list_reps(conn, ana.coach_id, include_inactive=True)) == REPS
        with pytest.raises(AccessDenied, match="your own team"):
            team.list_reps(conn, bo.coach_id)
        with pytest.raises(AccessDenied, match="not on your team"):
            team.get_rep(conn, bo_rep)
        with pytest.raises(AccessDenied):
            list_seats(conn)  # the tokens are the trainer's
    with as_ana.write() as conn, pytest.raises(AccessDenied):
        claim_seat(conn, "Ana again")


# -- reset ---------------------------------------------------------------------------
def test_reset_puts_back_exactly_the_start_state(
    workshop: Store, today: dt.date
) -> None:
    tokens = [_claim(workshop, "Ana"), _claim(workshop, "Bo")]
    start = _snapshot(workshop, content_only=True)
    with workshop.read() as conn:
        ana, bo = (seat_viewer(conn, t) for t in tokens)
    with workshop.as_viewer(ana).write() as conn:
        team.add_rep(conn, ana.coach_id, "Practice Rep", today=today)
        first = team.list_reps(conn, ana.coach_id)[0]
        team.update_rep(
            conn,
            first.id,
            expected_version=first.row_version,
            name="Renamed Rep",
            role=first.role,
            segment=first.segment,
            start_date=first.start_date,
            today=today,
        )
        reflections.save_reflection(conn, ana.coach_id, "Went well", today)
    with workshop.as_viewer(bo).write() as conn:
        rep = team.list_reps(conn, bo.coach_id)[0]
        team.set_active(conn, rep.id, False, expected_version=rep.row_version)
    assert _snapshot(workshop, content_only=True) != start

    assert reset_workshop(workshop, today=today) == 4
    assert _snapshot(workshop, content_only=True) == start
    with workshop.as_viewer(ana).write() as conn:  # new rows still get fresh ids
        team.add_rep(conn, ana.coach_id, "After Reset", today=today)
    with workshop.read() as conn:  # claims were kept: the links still work
        assert seat_viewer(conn, tokens[0]).name == "Ana"


def test_reset_can_free_every_seat_for_a_new_group(
    workshop: Store, today: dt.date
) -> None:
    before = _snapshot(workshop, content_only=True)
    token = _claim(workshop, "Ana")
    _claim(workshop, "Seat-less Sam")
    reset_workshop(workshop, free_seats=True, today=today)
    with workshop.read() as conn:
        seats = list_seats(conn)
        with pytest.raises(NotSignedIn):
            seat_viewer(conn, token)
    assert [seat.coach for seat in seats] == ["Seat 1", "Seat 2", "Seat 3", "Seat 4"]
    assert all(seat.claimed_by is None for seat in seats)
    after = _snapshot(workshop, content_only=True)
    for table in s.TEAM_TABLES:
        assert after[table.name] == before[table.name], table.name
    assert _claim(workshop, "Ana") != token  # the name is free again


def test_reset_refuses_a_store_without_a_workshop(demo_store: Store) -> None:
    with pytest.raises(CoachkitError, match="this store holds no workshop"):
        reset_workshop(demo_store)


# -- the claim form ------------------------------------------------------------------
def test_a_workbook_without_a_seat_link_offers_a_seat(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setenv("VOILA_BASE_URL", "/ck/")  # coachkit serve --base-url /ck/
    view = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(view, ClaimView)
    assert "coachkit-ready" in view.root._dom_classes
    view.button.click()
    assert "Your name: type your name first" in view.status.value
    assert view.links.value == ""

    view.name.value = "<b>Ana</b>"
    view.button.click()
    token = view.state.token
    assert token
    assert "Welcome, &lt;b&gt;Ana&lt;/b&gt;!" in view.status.value
    assert "<b>Ana" not in view.status.value
    for notebook in ("1_prioritize", "2_facilitate", "3_improve"):
        assert f"'/ck/voila/render/{notebook}.ipynb?seat={token}'" in view.links.value
    assert view.form.layout.display == "none"
    view.button.click()  # a second click claims nothing more
    with workshop.read() as conn:
        assert sum(1 for seat in list_seats(conn) if seat.claimed_by) == 1

    monkeypatch.setenv("QUERY_STRING", f"seat={token}")
    app = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(app, Workbook)
    assert app.visitor is not None
    assert app.visitor.name == "<b>Ana</b>"
    assert list(app.coaches["coach"]) == ["<b>Ana</b>"]
    assert app.shell.coach_picker.disabled
    assert set(app.state.roster["coach_id"]) == {app.visitor.coach_id}
    assert len(app.state.roster) > 0
    for notebook in ("2_facilitate", "3_improve"):  # the seat goes along
        assert (
            f"'/ck/voila/render/{notebook}.ipynb?seat={token}'" in app.shell.nav.value
        )
    assert "?coach=" not in app.shell.nav.value


# -- coachkit workshop -------------------------------------------------------------
def test_the_workshop_command(store: Store) -> None:
    runner = CliRunner()
    db = ["--db", _url(store)]
    made = runner.invoke(main, ["workshop", "--participants", "3", "--reps", "2", *db])
    assert made.exit_code == 0, made.output
    assert "Made 3 seats" in made.output
    assert "each with 2 reps" in made.output

    listed = runner.invoke(main, ["workshop", "--list", *db])
    assert listed.exit_code == 0, listed.output
    assert "0 of 3 seats claimed" in listed.output
    assert "Seat 3: free" in listed.output
    assert "seat=" not in listed.output

    token = _claim(store, "Ana")
    listed = runner.invoke(main, ["workshop", "--list", *db])
    assert "1 of 3 seats claimed" in listed.output
    assert "Seat 1: Ana (claimed at " in listed.output
    assert f"/voila/render/1_prioritize.ipynb?seat={token}" in listed.output

    reset = runner.invoke(main, ["workshop", "--reset", *db])
    assert reset.exit_code == 0, reset.output
    assert "Put all 3 teams back to the start, dated up to today; claimed" in (
        reset.output
    )
    freed = runner.invoke(main, ["workshop", "--reset", "--free-seats", *db])
    assert "every seat is free again" in freed.output
    again = runner.invoke(main, ["workshop", "--participants", "3", *db])
    assert again.exit_code == 1
    assert "already holds a workshop" in again.output


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ([], "say what to do: --participants N"),
        (["--reset", "--list"], "say what to do"),
        (["--list", "--free-seats"], "--free-seats goes with --reset"),
    ],
)
def test_the_workshop_command_says_what_is_missing(
    store: Store, args: list[str], problem: str
) -> None:
    result = CliRunner().invoke(main, ["workshop", *args, "--db", _url(store)])
    assert result.exit_code == 2
    assert problem in result.output


def test_the_workshop_command_refuses_a_store_in_use(demo_store: Store) -> None:
    runner = CliRunner()
    db = ["--db", _url(demo_store)]
    made = runner.invoke(main, ["workshop", "--participants", "3", *db])
    assert made.exit_code == 1
    assert "a workshop needs a store of its own" in made.output
    listed = runner.invoke(main, ["workshop", "--list", *db])
    assert listed.exit_code == 1
    assert "this store holds no workshop" in listed.output
