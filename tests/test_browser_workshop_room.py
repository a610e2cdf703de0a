"""A workshop day that runs itself (issue 24), in a real browser.

``coachkit workshop serve`` opens the room (on 127.0.0.1 here: tests send nothing
to any other address), with the key it chose. Two journeys:

- a latecomer and a reset: the seats are full, the trainer adds one from the
  trainer's page and the latecomer gets it; the trainer puts one participant's
  team back while that participant's page is open, and that page says so and
  saves nothing more;
- seats that survive: a participant claims a seat, goes Home and opens another
  workbook (still their seat); without the seat cookie, typing the same name on
  the same browser gets the seat back, and so does the trainer's "Show its link
  again"; after the server restarts, the bookmarked link still opens the team.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import Server, log_tail, wait_until_answers, wait_until_built
from processes import free_port, launch, quiet_env, stop

from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.web import workshop as ws
from coachkit.web import workshop_meta as wm

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
#: The page looks at the reset stamp every 5 s; room for a slow machine.
NOTICE_MS = 30_000


@dataclass
class Room:
    """``coachkit workshop serve`` on one port, restartable on the same port."""

    db: Path
    tmp: Path
    port: int
    env: dict[str, str]
    proc: Any = None

    @property
    def server(self) -> Server:
        log = self.tmp / f"room-{self.port}.log"
        return Server(
            f"http://127.0.0.1:{self.port}/", self.port, self.db, log, self.tmp
        )

    def start(self) -> None:
        command = [sys.executable, "-m", "coachkit", "workshop", "serve"]
        command += ["--db", str(self.db), "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--pool-size", "1"]
        server = self.server
        self.proc = launch(command, self.env, server.log)
        wait_until_answers(
            self.proc,
            server.log,
            lambda: "coachkit is running at" in server.log.read_text(errors="replace"),
            "coachkit workshop serve",
        )

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def kept(self) -> wm.Room:
        with self.server.store() as store, store.read() as conn:
            kept = wm.room(conn)
        assert kept is not None
        return kept

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def trainer_url(self) -> str:
        kept = self.kept()
        path = pillar("prioritize").path
        return self.url(f"{path}?trainer={kept.trainer}&token={kept.server}")


def _coachkit(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "coachkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """Two seats, served by ``coachkit workshop serve``."""
    tmp = tmp_path_factory.mktemp("room")
    env = quiet_env(tmp / "home")
    db = tmp / "workshop.db"
    _coachkit(env, "workshop", "--participants", "2", "--reps", "2", "--db", str(db))
    served = Room(db, tmp, free_port(), env)
    served.start()
    out = served.server.log.read_text(errors="replace")
    assert "Tell the room:" in out
    assert "Your trainer's page" in out
    assert "http://0.0.0.0" not in out
    assert "DeprecationWarning" not in out  # the trainer reads it as a fault
    try:
        yield served
    finally:
        served.stop()
    # Pages were opened: nothing in the trainer's terminal looked like a fault.
    assert "not trusted" not in served.server.log.read_text(errors="replace")


@pytest.fixture
def browsers(browser: Any) -> Iterator[Any]:
    """Makes pages, each in a browser of its own (its own cookies); closes them."""
    contexts: list[Any] = []

    def new_page() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: pytest.fail(f"page error: {exc}"))
        return page

    yield new_page
    for context in contexts:
        context.close()


def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


def _open(page: Any, room: Room, url: str) -> None:
    page.goto(url)
    wait_until_built(page, room.server)


def _claim(page: Any, room: Room, name: str) -> str:
    """Type ``name`` on the claim form of the page open; return the seat link."""
    page.locator(".ck-seat-name input").fill(name)
    page.locator(".ck-claim").click()
    link = page.locator(".ck-seat-link")
    link.wait_for(timeout=ROUND_TRIP_MS)
    _expect(page.locator(".ck-status-line")).to_contain_text(f"Welcome, {name}!")
    href = str(link.get_attribute("href"))
    assert "seat=" in href
    assert f"token={room.kept().server}" in href
    return href


def _seat(link: str) -> str:
    return ws.seat_in(link.split("?", 1)[1])


def _signed_in_as(page: Any, name: str) -> None:
    _expect(page.locator(".ck-coach-picker select")).to_contain_text(name)
    assert page.locator(".ck-coach-picker option").count() == 1


def _reps(room: Room, name: str) -> list[str]:
    with room.server.store() as store, store.read() as conn:
        seat = next(x for x in ws.list_seats(conn) if x.claimed_by == name)
        return sorted(map(str, queries.roster(conn, seat.coach_id)["rep"]))


def _trainer(page: Any, room: Room) -> None:
    _open(page, room, room.trainer_url())
    _expect(page.locator(".coachkit-trainer")).to_contain_text("Trainer's page")


def _trainer_picks(page: Any, name: str, button: str) -> None:
    """Pick the seat of ``name`` on the trainer's page and press ``button``."""
    picker = page.locator(".ck-seat-pick select")
    label = picker.locator("option", has_text=name).first.inner_text()
    picker.select_option(label=label)
    page.locator(f".ck-trainer-{button}").click()


def test_browser_a_latecomer_is_seated_and_a_reset_stops_an_open_page(
    room: Room, browsers: Any
) -> None:
    start = room.url(f"/?token={room.kept().server}")
    first = pillar("prioritize").path
    bo, cy, dee, trainer = (browsers() for _ in range(4))
    for page, name in ((bo, "Bo Park"), (cy, "Cy Diaz")):
        page.goto(start)
        _open(page, room, room.url(first))
        link = _claim(page, room, name)
    bo.locator(".ck-seat-link").click()
    wait_until_built(bo, room.server)
    _signed_in_as(bo, "Bo Park")
    del link

    dee.goto(start)
    _open(dee, room, room.url(first))
    dee.locator(".ck-seat-name input").fill("Dee Ng")
    dee.locator(".ck-claim").click()
    _expect(dee.locator(".ck-status-line")).to_contain_text(
        "all 2 seats are taken", timeout=ROUND_TRIP_MS
    )

    _trainer(trainer, room)
    trainer.locator(".ck-trainer-add").click()
    _expect(trainer.locator(".ck-status-line")).to_contain_text(
        "Added seat 3", timeout=ROUND_TRIP_MS
    )
    _expect(trainer.locator(".ck-seat-table")).to_contain_text("2 of 3 seats taken")
    dee.locator(".ck-claim").click()  # the same form, the same name: now it fits
    _expect(dee.locator(".ck-status-line")).to_contain_text(
        "Welcome, Dee Ng!", timeout=ROUND_TRIP_MS
    )

    _trainer_picks(trainer, "Bo Park", "reset")  # Bo's seat, with Bo's page open
    _expect(trainer.locator(".ck-status-line")).to_contain_text(
        "Seat 1's team is back to the start",
        timeout=ROUND_TRIP_MS,  # Bo's
    )
    notice = bo.locator(".ck-reset-notice")
    _expect(notice).to_contain_text("The trainer reset the workshop", timeout=NOTICE_MS)
    _expect(notice).to_contain_text("Reload the page")
    reps_after_reset = _reps(room, "Bo Park")
    bo.locator(".ck-new-name input").fill("Written after the reset")
    bo.locator(".ck-add-rep").click()
    _expect(bo.locator(".ck-status-line")).to_contain_text(
        "Nothing you type here is saved until you reload", timeout=ROUND_TRIP_MS
    )
    time.sleep(1)
    assert _reps(room, "Bo Park") == reps_after_reset
    assert "Written after the reset" not in reps_after_reset
    bo.reload()  # after a reload the page saves again
    wait_until_built(bo, room.server)
    assert bo.locator(".ck-reset-notice").count() == 0 or not notice.is_visible()
    bo.locator(".ck-new-name input").fill("Written after the reload")
    bo.locator(".ck-add-rep").click()
    _expect(bo.locator(".ck-status-line")).to_contain_text(
        "Added Written after the reload", timeout=ROUND_TRIP_MS
    )


def test_browser_a_seat_survives_home_a_lost_cookie_and_a_restart(
    room: Room, browsers: Any
) -> None:
    _coachkit(room.env, "workshop", "--add-seat", "--db", str(room.db))
    ana, trainer = browsers(), browsers()
    ana.goto(room.url(f"/?token={room.kept().server}"))
    _open(ana, room, room.url(pillar("prioritize").path))
    bookmark = _claim(ana, room, "Ana Lopez")
    ana.locator(".ck-seat-link").click()
    wait_until_built(ana, room.server)
    _signed_in_as(ana, "Ana Lopez")

    ana.locator(".ck-nav a", has_text="Home").click()
    ana.locator("a", has_text="2. Facilitate").click()
    wait_until_built(ana, room.server)
    _signed_in_as(ana, "Ana Lopez")  # the cookie kept the seat
    assert "seat=" not in ana.url

    ana.context.clear_cookies(name=ws.SEAT_COOKIE)
    _open(ana, room, room.url(pillar("improve").path))
    _expect(ana.locator(".coachkit-claim")).to_contain_text("Type your name")
    again = _claim(ana, room, "Ana Lopez")  # same browser, same name: same seat
    assert _seat(again) == _seat(bookmark)

    ana.context.clear_cookies()
    _trainer(trainer, room)
    _trainer_picks(trainer, "Ana Lopez", "resend")
    resent = trainer.locator(".ck-resend-link")
    resent.wait_for(timeout=ROUND_TRIP_MS)
    link = str(resent.get_attribute("href"))
    assert _seat(link) == _seat(bookmark)
    _open(ana, room, link)
    _signed_in_as(ana, "Ana Lopez")

    room.stop()
    room.start()
    fresh = browsers()  # a browser whose sign-in the old server made
    _open(fresh, room, room.url(bookmark))
    _signed_in_as(fresh, "Ana Lopez")
    _open(ana, room, room.url(bookmark))
    _signed_in_as(ana, "Ana Lopez")
    assert "needs its key" not in ana.content(), log_tail(room.server.log)
