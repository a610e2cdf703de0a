"""Workbook 3 end to end: look back on one rep, see what worked, reflect, reload.

Issue 5's done-when, in headless Chromium through ``coachkit serve`` on the demo
organisation (whose history has coaching that helped some reps and not others). The
test opens the workbook, picks a coached rep and a period, sees the look back and
the practice → performance effect, writes a reflection that holds HTML, saves it,
reloads the page and finds it shown as text, both as "last time" and in the list.
The test reads the same store as the server to know what the screens should say.
Set ``COACHKIT_SCREENSHOTS`` to keep a screenshot of each step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from browser_fixtures import (
    Server,
    Watched,
    expect,
    open_tab,
    open_workbook,
    screenshot,
    wait_until_built,
)

from coachkit.improve import effects
from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.store import schema as s

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
REFLECTION = "Spend more time with the middle of the team. <b>Not</b> only the top."


def _coached_rep(server: Server) -> tuple[str, Any]:
    """A rep of the first coach whose coaching can already be compared."""
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
        coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
        for rep in queries.roster(conn, coach).itertuples():
            found = effects.rep_effects(conn, int(rep.rep_id), dt.date.today())
            ready = found[found["enough"]]
            if len(ready):
                return str(rep.rep), ready.iloc[0]
    pytest.fail("no rep of the first coach has coaching to compare yet")


def _reflection_count(server: Server) -> int:
    query = sa.select(sa.func.count()).select_from(s.reflections)
    with server.store() as store, store.read() as conn:
        return int(conn.execute(query).scalar_one())


def _status(page: Any, words: str) -> None:
    expect(page.locator(".ck-status-line")).to_contain_text(
        words, timeout=ROUND_TRIP_MS
    )


def test_look_back_see_what_worked_reflect_and_reload(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    name, effect = _coached_rep(server)
    open_workbook(page, server, pillar("improve").path)
    expect(page.locator(".ck-retro-team")).to_contain_text(name)

    page.locator(".ck-rep-picker select").select_option(label=name)
    _status(page, f"Showing {name}.")
    page.locator(".ck-period-picker select").select_option(label="Last 12 months")
    _status(page, "last 12 months")
    headline = page.locator(".ck-retro-headline")
    expect(headline).to_contain_text(f"{name}: last 12 months")
    expect(headline).to_contain_text("Coaching started on")
    expect(page.locator(".ck-retro-counts")).to_contain_text("Sessions held")
    expect(page.locator(".ck-retro-skills table").first).to_be_visible()
    # Behaviours with no rating before and after are counted, one click away.
    expect(page.locator(".ck-retro-skills-hidden > summary")).to_contain_text(
        "no rating before and after to compare"
    )
    screenshot(page, "improve-1-look-back")

    open_tab(page, "2. What worked")
    rep_table = page.locator(".ck-effect-rep")
    expect(rep_table).to_contain_text(str(effect["behaviour"]))
    expect(rep_table).to_contain_text(str(effect["text"]))
    expect(page.locator(".ck-effect-method")).to_contain_text(
        effects.METHOD_TEXT.split(".")[0]
    )
    expect(page.locator(".ck-effect-chart img")).to_be_visible()
    screenshot(page, "improve-2-what-worked")

    before = _reflection_count(server)
    open_tab(page, "7. Reflect")
    box = page.locator(".ck-reflection-text textarea")
    box.fill(REFLECTION)
    expect(page.locator(".ck-reflection-grade")).to_contain_text("Reading grade")
    page.locator(".ck-save-reflection").click()
    _status(page, "Saved your reflection")
    assert _reflection_count(server) == before + 1
    expect(box).to_have_value("")

    page.reload()
    wait_until_built(page, server)
    open_tab(page, "7. Reflect")
    last = page.locator(".ck-last-reflection")
    expect(last).to_contain_text(REFLECTION)
    now = dt.date.today()
    expect(last).to_contain_text(f"({now.day} {now:%B %Y})")
    expect(page.locator(".ck-reflections")).to_contain_text(REFLECTION)
    assert page.locator(".ck-last-reflection b").count() == 0
    screenshot(page, "improve-3-reflect")
    assert not watched.errors, watched.errors
    assert watched.outside_requests(server) == []


def test_on_a_phone_tables_stay_inside_the_page_and_quiet_rows_are_folded(
    server: Server, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    seen = Watched.of(page)
    page.set_default_timeout(ROUND_TRIP_MS)
    try:
        open_workbook(page, server, pillar("improve").path)

        def inside(css: str) -> None:
            table = page.locator(f"{css} table").first
            expect(table).to_be_attached(timeout=ROUND_TRIP_MS)
            box = page.locator(css).bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= 360 + 1, (css, box)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"the page scrolls sideways: {wide}px"

        open_tab(page, "3. Leading signs")
        expect(page.locator(".ck-signs-reps")).to_contain_text(
            "Pattern", timeout=ROUND_TRIP_MS
        )
        inside(".ck-signs-reps")
        screenshot(page, "improve-phone-signs")

        open_tab(page, "5. Styles")
        fits = page.locator(".ck-style-fits > summary")
        expect(fits).to_contain_text(
            "the rep now: nothing to change", timeout=ROUND_TRIP_MS
        )
        hidden = page.locator(".ck-style-fits table")
        expect(hidden).to_be_hidden()
        fits.click()
        expect(hidden).to_be_visible()
        inside(".ck-style-suggestions")
        screenshot(page, "improve-phone-styles")

        open_tab(page, "7. Reflect")
        expect(page.locator(".ck-writing-check")).to_contain_text(
            "in this period", timeout=ROUND_TRIP_MS
        )
        expect(page.locator(".ck-writing-by-rep > summary")).to_contain_text(
            "Notes for each of"
        )
        screenshot(page, "improve-phone-reflect")
        assert not seen.errors, seen.errors
    finally:
        page.close(run_before_unload=True)
        context.close()
