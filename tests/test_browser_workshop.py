"""Workshop mode in a real browser (issue 8, item 5's done-when).

``coachkit workshop --participants 3`` makes the store and ``coachkit serve`` serves
it. Two participants, each in their own browser (separate cookie jars), open
Prioritize without a seat link, type their names, follow the link they get, and
each adds a rep on the Team tab. Reloaded through their own links, each sees their
own new rep and not the other's, and the links to the other workbooks keep the
seat. Then ``coachkit workshop --reset`` runs while the server does: through the
same links both teams are back to the start. Set ``COACHKIT_SCREENSHOTS`` to keep
the claim screen and a claimed workbook.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import Server, screenshot, serving, wait_until_built

from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.store.database import open_store
from coachkit.web.workshop import list_seats

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
REPS = 3
#: Names as participants type them; one would be markup if it were not escaped.
NAMES = ("Ana <b>Lopez</b>", "Bo Park")


@dataclass
class Participant:
    """One person at the workshop: their own browser, page and seat link."""

    name: str
    page: Any
    errors: list[str] = field(default_factory=list)
    link: str = ""

    @property
    def new_rep(self) -> str:
        return f"Practice rep of {self.name.split()[0]}"


def _coachkit(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "coachkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coachkit serve`` on a store made by ``coachkit workshop``."""
    tmp = tmp_path_factory.mktemp("workshop")
    db = tmp / "workshop.db"
    made = _coachkit(
        "workshop", "--participants", "3", "--reps", str(REPS), "--db", str(db)
    )
    assert "Made 3 seats" in made
    with serving(db, tmp) as (running, _proc):
        yield running


@pytest.fixture
def people(browser: Any) -> Iterator[list[Participant]]:
    """Two participants, each with a browser of their own."""
    contexts, people = [], []
    for name in NAMES:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        person = Participant(name, page)
        page.on("pageerror", lambda exc, p=person: p.errors.append(str(exc)))
        contexts.append(context)
        people.append(person)
    yield people
    for context in contexts:
        context.close()


def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


def _team_at_start(db: Path) -> list[str]:
    store = open_store(str(db))
    try:
        with store.read() as conn:
            coach = list_seats(conn)[-1].coach_id  # nobody claims the last seat
            return sorted(map(str, queries.roster(conn, coach)["rep"]))
    finally:
        store.dispose()


def _claim(person: Participant, server: Server) -> None:
    page = person.page
    page.goto(server.url + pillar("prioritize").path.lstrip("/"))
    wait_until_built(page, server)
    _expect(page.locator(".coachkit-claim")).to_contain_text(
        "Type your name to get your own team"
    )
    page.locator(".ck-seat-name input").fill(person.name)
    if person.name == NAMES[0]:
        screenshot(page, "workshop-claim")
    page.locator(".ck-claim").click()
    link = page.locator(".ck-seat-link")
    link.wait_for(timeout=ROUND_TRIP_MS)
    _expect(page.locator(".ck-status-line")).to_contain_text(
        f"Welcome, {person.name}!"  # the typed characters, not markup
    )
    assert page.locator(".ck-status-line b").count() == 0
    if person.name == NAMES[0]:
        screenshot(page, "workshop-seat-link")
    person.link = str(link.get_attribute("href"))
    assert "?seat=" in person.link
    link.click()
    wait_until_built(page, server)


def _open_own_team(person: Participant, server: Server) -> None:
    person.page.goto(server.url + person.link.lstrip("/"))
    wait_until_built(person.page, server)
    _expect(person.page.locator(".ck-coach-picker select")).to_contain_text(person.name)


def _roster(page: Any) -> Any:
    return page.locator(".ck-roster")


def test_browser_two_seats_work_apart_and_reset_puts_them_back(
    served: Server, people: list[Participant]
) -> None:
    start = _team_at_start(served.db)
    for person in people:
        _claim(person, served)
        page = person.page
        _expect(page.locator(".ck-coach-picker select")).to_contain_text(person.name)
        assert page.locator(".ck-coach-picker option").count() == 1
        for rep in start:
            _expect(_roster(page)).to_contain_text(rep)
        page.locator(".ck-new-name input").fill(person.new_rep)
        page.locator(".ck-add-rep").click()
        _expect(page.locator(".ck-status-line")).to_contain_text(
            f"Added {person.new_rep} to your team.", timeout=ROUND_TRIP_MS
        )
    screenshot(people[0].page, "workshop-claimed")

    ana, bo = people
    for me, other in ((ana, bo), (bo, ana)):
        _open_own_team(me, served)
        _expect(_roster(me.page)).to_contain_text(me.new_rep)
        assert other.new_rep not in _roster(me.page).inner_text()
    nav = ana.page.locator(".ck-nav a", has_text="2. Facilitate")
    assert (
        nav.get_attribute("href")
        == f"{pillar('facilitate').path}?seat=" + (ana.link.split("?seat=")[1])
    )
    nav.click()
    wait_until_built(ana.page, served)
    _expect(ana.page.locator(".ck-coach-picker select")).to_contain_text(ana.name)

    said = _coachkit("workshop", "--reset", "--db", str(served.db))
    assert "Put all 3 teams back to the start" in said
    for person in people:
        _open_own_team(person, served)  # the claims stayed: the links still work
        roster = _roster(person.page)
        for rep in start:
            _expect(roster).to_contain_text(rep)
        assert person.new_rep not in roster.inner_text()
        assert person.errors == []
