"""A workshop day that runs itself (issue 24), in process on real stores.

Seats that survive (the seat cookie, the same name on the same browser), the
trainer's one-seat changes (add, free, reset), a page that notices a reset and
saves nothing after it, the trainer's page and its printable sheet, the room's
addresses, and the practice team dated to the workshop day.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from processes import free_port
from screen_text import visible_texts
from test_words_on_screen import other_days, raw_codes

from coachkit.apps.base import Workbook, build
from coachkit.apps.prioritize import Prioritize
from coachkit.apps.trainer import TrainerView
from coachkit.apps.workshop_claim import ClaimView
from coachkit.apps.workshop_watch import RESET_NOTICE, WorkshopReset
from coachkit.cli.main import main
from coachkit.cli.workshop import room_screen
from coachkit.errors import ValidationError
from coachkit.improve import reflections
from coachkit.model import team
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.web import room, seat_changes, trainer
from coachkit.web import workshop as ws
from coachkit.web import workshop_meta as wm
from coachkit.web.front_door import FrontDoor
from coachkit.web.identity import NotSignedIn

REPS = 2


def _url(store: Store) -> str:
    return store.url.render_as_string(hide_password=False)


def _claim(store: Store, name: str, browser: str = "") -> str:
    with store.write() as conn:
        return ws.claim_seat(conn, name, browser=browser)


def _reps(store: Store, coach_id: int) -> list[str]:
    with store.read() as conn:
        return sorted(map(str, queries.roster(conn, coach_id)["rep"]))


def _viewer(store: Store, token: str) -> Any:
    with store.read() as conn:
        return ws.seat_viewer(conn, token)


@pytest.fixture
def workshop(store: Store, today: dt.date) -> Store:
    """Two seats, two reps each, with the room kept as workshop serve keeps it."""
    ws.create_workshop(store, 2, today=today, reps=REPS)
    with store.write() as conn:
        wm.keep_room(conn, server="k" * 24, host="0.0.0.0", port=8877)
    return store


# -- seats that survive ----------------------------------------------------------------
def test_the_same_name_on_the_same_browser_gets_the_same_seat(
    workshop: Store,
) -> None:
    token = _claim(workshop, "Ana Lopez", browser="browser-a")
    assert _claim(workshop, "  ana   LOPEZ ", browser="browser-a") == token
    with pytest.raises(ValidationError, match="already called Ana Lopez"):
        _claim(workshop, "Ana Lopez", browser="browser-b")
    with pytest.raises(ValidationError, match="already called Ana Lopez"):
        _claim(workshop, "Ana Lopez")  # no mark: nobody can tell it is her
    with workshop.read() as conn:
        assert sum(1 for seat in ws.list_seats(conn) if seat.claimed_by) == 1
        kept = conn.execute(
            sa.select(s.meta.c.value).where(s.meta.c.key.like("workshop_browser:%"))
        ).scalar_one()
    assert "browser-a" not in kept  # only a hash of the mark is kept


def test_the_seat_cookie_opens_the_seat_and_a_stale_one_asks_for_a_name(
    workshop: Store,
) -> None:
    token = _claim(workshop, "Ana")
    cookie = f"_xsrf=abc; {ws.SEAT_COOKIE}={token}"
    with workshop.read() as conn:
        assert ws.workshop_visitor(conn, "", cookie).name == "Ana"
        with pytest.raises(ws.SeatNeeded):
            ws.workshop_visitor(conn, "", f"{ws.SEAT_COOKIE}=gone")
        with pytest.raises(NotSignedIn, match="This seat link does not work"):
            ws.workshop_visitor(conn, "seat=gone", cookie)  # the link decides
        key = wm.room(conn).trainer  # type: ignore[union-attr]
        with pytest.raises(ws.TrainerHere):
            ws.workshop_visitor(conn, f"trainer={key}")
        with pytest.raises(NotSignedIn, match="This trainer link does not work"):
            ws.workshop_visitor(conn, "trainer=guess")


def test_seat_links_carry_the_server_key(workshop: Store) -> None:
    assert ws.seat_link("a b", key="k-1") == (
        "/voila/render/1_prioritize.ipynb?seat=a%20b&token=k-1"
    )
    with workshop.write() as conn:
        again = wm.keep_room(conn, host="0.0.0.0", port=8877)
    assert again.server == "k" * 24  # kept: links made before a restart still work


# -- the trainer's one-seat changes ----------------------------------------------------
def test_a_latecomer_gets_a_new_seat_with_the_same_practice_team(
    workshop: Store, today: dt.date
) -> None:
    first = _viewer(workshop, _claim(workshop, "Ana"))
    _claim(workshop, "Bo")
    with pytest.raises(ValidationError, match="all 2 seats are taken"):
        _claim(workshop, "Cy")
    with workshop.as_viewer(first).write() as conn:  # a new row past every block
        team.add_rep(conn, first.coach_id, "Extra Rep", today=today)
    seat = seat_changes.add_seat(workshop)
    assert (seat.number, seat.coach, seat.claimed_by) == (3, "Seat 3", None)
    late = _viewer(workshop, _claim(workshop, "Cy"))
    assert _reps(workshop, late.coach_id) == sorted(
        r for r in _reps(workshop, first.coach_id) if r != "Extra Rep"
    )
    seat_changes.reset_seat(workshop, 3)  # its block of ids is kept for it
    assert len(_reps(workshop, late.coach_id)) == REPS


def test_reset_one_seat_keeps_the_others_and_the_claim(
    workshop: Store, today: dt.date
) -> None:
    ana = _viewer(workshop, ana_token := _claim(workshop, "Ana"))
    bo = _viewer(workshop, _claim(workshop, "Bo"))
    for who in (ana, bo):
        with workshop.as_viewer(who).write() as conn:
            team.add_rep(conn, who.coach_id, f"New of {who.name}", today=today)
    with workshop.read() as conn:
        before = wm.reset_stamp(conn, ana.coach_id)
    seat_changes.reset_seat(workshop, 1)
    assert "New of Ana" not in _reps(workshop, ana.coach_id)
    assert "New of Bo" in _reps(workshop, bo.coach_id)
    with workshop.read() as conn:
        assert wm.reset_stamp(conn, ana.coach_id) != before
    assert _viewer(workshop, ana_token).name == "Ana"
    with pytest.raises(ValidationError, match="there is no seat 9"):
        seat_changes.reset_seat(workshop, 9)


def test_freeing_a_seat_ends_its_link_and_lets_someone_else_in(
    workshop: Store,
) -> None:
    token = _claim(workshop, "Ana", browser="a")
    _claim(workshop, "Bo")
    freed = seat_changes.free_seat(workshop, 1)
    assert (freed.coach, freed.claimed_by) == ("Seat 1", None)
    with workshop.read() as conn, pytest.raises(NotSignedIn):
        ws.seat_viewer(conn, token)
    assert _claim(workshop, "Ana", browser="a") != token  # a new claim, a new link


def test_the_practice_team_follows_the_workshop_day(
    workshop: Store, today: dt.date
) -> None:
    def last_session() -> dt.date:
        with workshop.read() as conn:
            return conn.execute(sa.select(sa.func.max(s.sessions.c.held_on))).scalar()

    start = last_session()
    later = today + dt.timedelta(days=35)
    ws.reset_workshop(workshop, today=later)
    assert last_session() > start
    assert last_session() <= later
    with workshop.read() as conn:
        assert ws.recipe(conn).today == later


# -- a page open during a reset --------------------------------------------------------
def test_a_page_open_during_a_reset_says_so_and_saves_nothing(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    token = _claim(workshop, "Ana")
    monkeypatch.setenv("QUERY_STRING", f"seat={token}")
    app = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(app, Workbook)
    kept = [c for c in app.shell.root.children if "ck-seat-keep" in c._dom_classes]
    assert f"data-ck-seat='{token}'" in kept[0].value
    coach = app.visitor.coach_id  # type: ignore[union-attr]
    with app.store.write() as conn:  # before the reset a page saves as usual
        team.add_rep(conn, coach, "Before Reset", today=today)

    seat_changes.reset_seat(workshop, 1)
    with (
        pytest.raises(WorkshopReset, match="The trainer reset the workshop"),
        app.store.write() as conn,
    ):
        reflections.save_reflection(conn, coach, "After reset", today)
    assert RESET_NOTICE in app.state.message
    notice = [c for c in app.shell.root.children if "ck-reset-notice" in c._dom_classes]
    assert "Reload the page" in notice[0].value
    with workshop.read() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(s.reflections)
                .where(s.reflections.c.text == "After reset")
            ).scalar_one()
            == 0
        )
    assert "Before Reset" not in _reps(workshop, coach)


# -- the trainer's page ----------------------------------------------------------------
def test_the_trainers_page_shows_progress_and_fixes_seats(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    ana = _viewer(workshop, ana_token := _claim(workshop, "<b>Ana</b>"))
    time.sleep(1.1)  # stamps are to the second: a save after the start is later
    with workshop.as_viewer(ana).write() as conn:
        reflections.save_reflection(conn, ana.coach_id, "Went well", today)
    with workshop.read() as conn:
        key = wm.room(conn).trainer  # type: ignore[union-attr]
    monkeypatch.setenv("QUERY_STRING", f"trainer={key}")
    view = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(view, TrainerView)
    assert "&lt;b&gt;Ana&lt;/b&gt;" in view.table.value
    assert "<b>Ana" not in view.table.value
    assert "1 saved" in view.table.value  # the reflection, in Improve
    assert ":8877/" in view.where.value
    assert "token=" in view.where.value
    assert "0.0.0.0" not in view.where.value

    view.buttons["resend"].click()
    assert "Seat: pick a seat in the list first" in view.status.value
    view.state.seat = 1
    view.buttons["resend"].click()
    assert f"seat={ana_token}" in view.shown.value
    assert "<svg" in view.shown.value

    view.buttons["reset_all"].click()
    assert "tick the box" in view.status.value
    view.buttons["add"].click()
    assert "Added seat 3" in view.status.value
    assert "1 of 3 seats taken" in view.table.value
    view.buttons["sheet"].click()
    assert "download='workshop-seats.html'" in view.shown.value


def test_the_printable_sheet_has_a_code_per_seat_and_escapes_names(
    workshop: Store,
) -> None:
    _claim(workshop, "<i>Ana</i>")
    with workshop.read() as conn:
        seats = ws.list_seats(conn)
    page = trainer.seat_sheet(seats, "http://192.0.2.5:8877/", "key-1")
    assert page.count("<svg") == 3  # the room's address and one per seat
    room = page.split("<section class='card room'>")[1].split("</section>")[0]
    assert "scan it to open the workshop" in room  # the room's code says what it is
    assert "<svg" in room
    assert "&lt;i&gt;Ana&lt;/i&gt;" in page
    assert "<i>Ana" not in page
    assert f"seat={seats[0].token}&amp;token=key-1" in page
    assert "free: scan it, then type your name" in page


def test_claim_page_links_carry_the_key_and_keep_the_seat(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.setenv("HTTP_COOKIE", f"{ws.BROWSER_COOKIE}=mark-1")
    view = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(view, ClaimView)
    view.name.value = "Ana"
    view.button.click()
    assert f"&amp;token={'k' * 24}" in view.links.value
    assert f"data-ck-seat='{view.state.token}'" in view.keep.value
    again = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(again, ClaimView)  # the cookie is not set in this test
    again.name.value = "Ana"
    again.button.click()
    assert again.state.token == view.state.token
    assert "Welcome, Ana!" in again.status.value


# -- the room's addresses --------------------------------------------------------------
def test_the_room_addresses_are_never_everywhere_or_loopback() -> None:
    for address in room.lan_addresses():
        assert not address.startswith(("127.", "0.")), address
    assert room.room_addresses("127.0.0.1", 8866) == ["http://127.0.0.1:8866/"]
    for address in room.room_addresses("0.0.0.0", 8866, "/ck/"):
        assert "0.0.0.0" not in address
        assert address.endswith(":8866/ck/")
    assert room.with_key("http://h:1/", "k") == "http://h:1/?token=k"
    assert room.with_key("http://h:1/?seat=a", "") == "http://h:1/?seat=a"


# -- coachkit workshop ----------------------------------------------------------------
def test_the_workshop_command_changes_one_seat_and_prints_the_sheet(
    workshop: Store, tmp_path: Path
) -> None:
    runner = CliRunner()
    db = ["--db", _url(workshop)]
    token = _claim(workshop, "Ana")
    listed = runner.invoke(main, ["workshop", "--list", *db])
    assert listed.exit_code == 0, listed.output
    address = room.room_addresses("0.0.0.0", 8877)[0].rstrip("/")
    assert f"{address}/voila/render/1_prioritize.ipynb?seat={token}&token=" in (
        listed.output
    )
    assert "Trainer's page: " in listed.output
    assert "?trainer=" in listed.output

    added = runner.invoke(main, ["workshop", "--add-seat", *db])
    assert added.exit_code == 0, added.output
    assert "Added seat 3" in added.output
    reset = runner.invoke(main, ["workshop", "--reset-seat", "1", *db])
    assert "Put seat 1's team back to the start (Ana)" in reset.output
    wrong = runner.invoke(main, ["workshop", "--free-seat", "7", *db])
    assert wrong.exit_code == 1
    assert "Seat: there is no seat 7; use a number from 1 to 3" in wrong.output
    freed = runner.invoke(main, ["workshop", "--free-seat", "1", *db])
    assert "Seat 1 is free for someone else" in freed.output

    sheet = tmp_path / "seats.html"
    printed = runner.invoke(main, ["workshop", "--sheet", str(sheet), *db])
    assert printed.exit_code == 0, printed.output
    assert sheet.read_text().count("<svg") == 4
    mine = tmp_path / "mine.html"
    mine.write_text("my own notes")
    refused = runner.invoke(main, ["workshop", "--sheet", str(mine), *db])
    assert refused.exit_code == 1
    assert mine.read_text() == "my own notes"


def test_workshop_serve_refuses_mixed_orders_and_a_store_without_a_workshop(
    demo_store: Store,
) -> None:
    runner = CliRunner()
    mixed = runner.invoke(main, ["workshop", "--list", "serve"])
    assert mixed.exit_code == 2
    assert "--list goes before nothing else" in mixed.output
    loopback = ["--host", "127.0.0.1", "--port", str(free_port())]
    none = runner.invoke(
        main, ["workshop", "serve", "--db", _url(demo_store), *loopback]
    )
    assert none.exit_code == 1
    assert "this store holds no workshop" in none.output


def test_the_room_screen_says_what_to_tell_the_room(today: dt.date) -> None:
    kept = wm.Room("server-key-0123456789", "trainer-key", "0.0.0.0", 8866, "/")
    screen = room_screen(kept, today)
    first = room.room_addresses("0.0.0.0", 8866)[0]
    assert f"open  {first}?token=server-key-0123456789" in screen
    assert "Type your name" in screen
    assert "?trainer=trainer-key&token=server-key-0123456789" in screen
    assert "0.0.0.0" not in screen
    assert max(len(line) for line in screen.splitlines()) < 140
    alone = room_screen(replace(kept, host="127.0.0.1"), today)
    assert "Only this computer can open it" in alone


def test_a_workshop_server_hands_the_cookie_to_its_pages() -> None:
    door = replace(FrontDoor(token="k" * 20), seat_cookies=True)
    args = door.voila_args()
    assert args[args.index("--VoilaConfiguration.http_header_envs") + 1] == "Cookie"
    assert "--VoilaConfiguration.http_header_envs" not in FrontDoor().voila_args()


def test_the_trainers_page_speaks_plain_words(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    _claim(workshop, "Ana")
    with workshop.read() as conn:
        key = wm.room(conn).trainer  # type: ignore[union-attr]
    monkeypatch.setenv("QUERY_STRING", f"trainer={key}")
    view = build(Prioritize, db=_url(workshop), today=today)
    assert isinstance(view, TrainerView)
    view.state.seat = 1
    view.buttons["resend"].click()
    texts = visible_texts(view.root)
    assert raw_codes(texts) == []
    assert other_days(texts) == []
    assert not any("token" in text.split("http")[0] for text in texts)


def test_a_write_up_open_during_a_reset_saves_no_draft_after_it(
    workshop: Store,
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    no_callback_errors: None,
) -> None:
    from coachkit.apps.facilitate import Facilitate

    monkeypatch.setenv("QUERY_STRING", f"seat={_claim(workshop, 'Ana')}")
    app = build(Facilitate, db=_url(workshop), today=today)
    assert isinstance(app, Facilitate)
    queue = app.state.queue
    app.open_rep(int(queue[~queue["draft"]]["rep_id"].iloc[0]))
    app.tabs[1].start.click()  # Prep: start the session
    index = next(i for i, tab in enumerate(app.tabs) if tab.title.endswith("Write up"))
    app.tab_widget.selected_index = index  # a tab is drawn when it is opened
    write = app.tabs[index]
    write.fields["went_well"].value = "Typed before the reset."
    assert "Draft saved" in write.saved.value

    seat_changes.reset_seat(workshop, 1)
    write.fields["went_well"].value = "Typed after the reset."
    assert "Not saved" in write.saved.value, write.problems["went_well"].value
    assert "The trainer reset the workshop" in app.state.message
    with workshop.read() as conn:
        kept = set(conn.execute(sa.select(s.sessions.c.went_well)).scalars())
    assert "Typed after the reset." not in kept
    assert "Typed before the reset." not in kept  # the reset put the team back
