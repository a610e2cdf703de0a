"""The rep's side end to end (#28's done-when), in headless Chromium.

The coach opens a rep on Facilitate's Progress tab and makes the rep's link. The
rep opens it in a browser of their own, on a phone (390 px): they tick an action
off, rate the last session and say how they see themselves on one behaviour. The
coach's Prep, Progress and Improve then show those answers, and Assess the gap
between the two views. Another rep's link shows that rep only, and a forged
``?me=`` shows nobody. The test reads the server's store to know what screens
should say. Set ``COACHKIT_SCREENSHOTS`` to keep a screenshot of each step.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
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
    serving,
)
from processes import quiet_env

from coachkit.model.pillars import pillar
from coachkit.rep_side import my_page
from coachkit.store import schema as s

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
PHONE = {"width": 390, "height": 844}
WISH = "More practice on <b>real</b> calls, please"
WHY = "Sent it on Monday"
EVIDENCE = "I looked up three accounts before my calls this week"


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coachkit serve`` on its own copy of the demo store (the test writes)."""
    tmp = tmp_path_factory.mktemp("rep-page")
    db = tmp / "store.db"
    shutil.copyfile(demo_db, db)
    with serving(db, tmp, quiet_env(tmp / "home"), "--pool-size", "0") as (
        running,
        _proc,
    ):
        yield running


def _reps(server: Server) -> tuple[int, int, int]:
    """A coach, a rep of theirs with an open action of their own, a finished
    session and a plan, and another rep of the same coach."""
    today = dt.date.today()
    with server.store() as store, store.read() as conn:
        reps = conn.execute(
            sa.select(s.reps.c.id, s.reps.c.coach_id)
            .where(s.reps.c.active)
            .order_by(s.reps.c.id)
        ).all()
        for rep in reps:
            page = my_page(conn, rep.id, today)
            if any(a.can_mark for a in page.actions) and page.sessions and page.focus:
                other = next(
                    r.id for r in reps if r.coach_id == rep.coach_id and r.id != rep.id
                )
                return int(rep.coach_id), int(rep.id), int(other)
    raise AssertionError("no rep with an open action of their own")


def rep_link(server: Server) -> str:
    """A fresh link to the first active rep's own page (made as their coach)."""
    from coachkit.rep_side import make_rep_link

    with server.store() as store:
        with store.read() as conn:
            rep = conn.execute(
                sa.select(s.reps.c.id, s.reps.c.coach_id)
                .where(s.reps.c.active)
                .order_by(s.reps.c.id)
            ).first()
        assert rep is not None
        with store.write() as conn:
            secret = make_rep_link(conn, int(rep.coach_id), int(rep.id))
    return f"/voila/render/4_my_coaching.ipynb?me={secret}"


def _page(server: Server, rep: int) -> Any:
    with server.store() as store, store.read() as conn:
        return my_page(conn, rep, dt.date.today())


def _context(browser: Any, viewport: dict[str, int]) -> tuple[Any, Watched]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(ROUND_TRIP_MS)
    return context, Watched.of(page)


def _make_link(browser: Any, server: Server, coach: int, rep: int) -> str:
    """The coach makes the rep's link on Progress; return its address."""
    context, seen = _context(browser, {"width": 1280, "height": 900})
    page = seen.page
    facilitate = pillar("facilitate").path
    open_workbook(page, server, f"{facilitate}?coach={coach}&rep={rep}&tab=6")
    open_tab(page, "6. Progress")
    panel = page.locator(".ck-share-panel")
    expect(panel).to_contain_text("Share with the rep")
    page.locator(".ck-make-rep-link").click()
    link = page.locator("a.ck-rep-link")
    expect(link).to_be_visible()
    expect(panel).to_contain_text("not opened yet")
    href = str(link.get_attribute("href"))
    assert href.startswith("/voila/render/4_my_coaching.ipynb?me=")
    page.locator(".ck-copy-rep-link").click()
    expect(panel.locator(".ck-copy-done")).not_to_be_empty()
    screenshot(page, "rep-1-coach-makes-link")
    assert seen.errors == []
    page.close(run_before_unload=True)
    context.close()
    return href


def test_the_rep_answers_and_the_coach_sees_it(server: Server, browser: Any) -> None:
    coach, rep, other = _reps(server)
    before = _page(server, rep)
    action = next(a for a in before.actions if a.can_mark)
    session = before.sessions[0]
    behaviour = before.focus[0]
    href = _make_link(browser, server, coach, rep)

    # The rep, on their phone, in a browser of their own.
    context, seen = _context(browser, PHONE)
    phone = seen.page
    open_workbook(phone, server, href)
    expect(phone.locator(".ck-rep-page")).to_contain_text(f"Hello {before.rep}.")
    expect(phone.locator(".ck-my-plan")).to_contain_text(behaviour.behaviour)
    expect(phone.locator(".ck-my-plan")).to_contain_text("Where you are heading")
    screenshot(phone, "rep-2-phone-top")

    # Tick an action off: "Not done" needs words; then done.
    card = phone.locator(".ck-my-action").filter(has_text=action.text).first
    card.locator(".ck-action-choice button", has_text="Not done").click()
    card.locator(".ck-action-save").click()
    expect(card.locator(".ck-action-message")).to_contain_text("Why not")
    card.locator(".ck-action-choice button", has_text="Not done").click()
    card.locator(".ck-action-note input").fill(WHY)
    card.locator(".ck-action-save").click()
    expect(phone.locator(".ck-status-line")).to_contain_text("Saved: marked not done")
    card = phone.locator(".ck-my-action").filter(has_text=action.text).first
    expect(card).to_contain_text(f"Your words: {WHY}")

    # Rate the last session.
    rated = phone.locator(".ck-my-session").first
    for check, score in (
        ("relevant", "4"),
        ("developmental", "2"),
        ("motivational", "5"),
    ):
        rated.locator(f".ck-rate-{check} button").get_by_text(score, exact=True).click()
    rated.locator(".ck-rate-wish textarea").fill(WISH)
    rated.locator(".ck-rate-save").click()
    expect(phone.locator(".ck-status-line")).to_contain_text("your rating is saved")
    expect(phone.locator(".ck-my-session").first).to_contain_text(
        "You rated this session"
    )

    # How you see yourself: the plan's first behaviour.
    own = phone.locator(".ck-self-rubric")
    expect(own).to_contain_text("Level 5:")
    phone.locator(".ck-self-skill button").get_by_text("5", exact=True).click()
    phone.locator(".ck-self-will button").get_by_text("4", exact=True).click()
    phone.locator(".ck-self-evidence textarea").fill(EVIDENCE)
    phone.locator(".ck-self-save").click()
    expect(phone.locator(".ck-status-line")).to_contain_text("Saved: your coach")
    expect(own).to_contain_text("Your last answer")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "rep-3-phone-answered")
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.wait_for_timeout(300)
    screenshot(phone, "rep-4-desktop")
    assert seen.errors == []
    phone.close(run_before_unload=True)
    context.close()

    # The store holds the rep's answers; the coach's words are untouched.
    with server.store() as store, store.read() as conn:
        a = conn.execute(
            sa.select(s.actions.c.status, s.actions.c.rep_note, s.actions.c.note).where(
                s.actions.c.id == action.id
            )
        ).one()
        r = conn.execute(
            sa.select(
                s.sessions.c.rep_relevant,
                s.sessions.c.rep_developmental,
                s.sessions.c.rep_motivational,
                s.sessions.c.rep_wish,
            ).where(s.sessions.c.id == session.id)
        ).one()
    assert (a.status, a.rep_note) == ("missed", WHY)
    assert tuple(r) == (4, 2, 5, WISH)

    # The coach: Prep, Progress, Assess and Improve show the answers.
    context, seen = _context(browser, {"width": 1280, "height": 900})
    page = seen.page
    facilitate = pillar("facilitate").path
    open_workbook(page, server, f"{facilitate}?coach={coach}&rep={rep}&tab=2")
    open_tab(page, "2. Prep")
    brief = page.locator(".ck-brief")
    assert session.id == _last_done(server, rep)  # the one Prep speaks of
    expect(brief).to_contain_text("The rep's rating of the last session")
    expect(brief).to_contain_text("relevant 4, developmental 2, motivational 5")
    expect(brief).to_contain_text(WISH)  # as text: the <b> is not bold
    screenshot(page, "rep-5-coach-prep")
    open_tab(page, "6. Progress")
    ratings = page.locator(".ck-rep-ratings")
    expect(ratings).to_contain_text("How the rep rated their sessions")
    expect(ratings).to_contain_text(WISH)
    expect(page.locator(".ck-action-marks")).to_contain_text(f"The rep says: {WHY}")
    expect(page.locator(".ck-share-panel")).to_contain_text("last opened")
    screenshot(page, "rep-6-coach-progress")

    prioritize = pillar("prioritize").path
    open_workbook(page, server, f"{prioritize}?coach={coach}&rep={rep}&tab=5")
    open_tab(page, "5. Assess")
    row = page.locator(f".ck-assess-{_behaviour_key(server, behaviour.behaviour_id)}")
    expect(row).to_contain_text("The rep's own latest skill rating: 5")
    screenshot(page, "rep-7-coach-assess")

    improve = pillar("improve").path
    open_workbook(page, server, f"{improve}?coach={coach}&rep={rep}")
    open_tab(page, "5. Styles")
    gaps = page.locator(".ck-quality-gaps")
    expect(gaps).to_contain_text(before.rep)
    for check, score in _rep_scores(server, coach, rep).items():
        expect(gaps.locator("tr", has_text=check)).to_contain_text(score)
    expect(page.locator(".ck-quality-sentence")).not_to_contain_text(
        "No rep has scored a session"
    )
    screenshot(page, "rep-8-coach-improve")
    assert seen.errors == []
    page.close(run_before_unload=True)
    context.close()

    # Another rep's link shows that rep only; a forged one shows nobody.
    theirs = _make_link(browser, server, coach, other)
    context, seen = _context(browser, PHONE)
    phone = seen.page
    open_workbook(phone, server, theirs)
    body = phone.locator(".ck-rep-page")
    expect(body).to_contain_text(f"Hello {_page(server, other).rep}.")
    for secret_of_rep in (before.rep, WISH, WHY, EVIDENCE):
        expect(body).not_to_contain_text(secret_of_rep)
    open_workbook(phone, server, "/voila/render/4_my_coaching.ipynb?me=forged-1234")
    refused = phone.locator(".ck-rep-page")
    expect(refused).to_contain_text("This link no longer works")
    for secret_of_rep in (before.rep, WISH, WHY, EVIDENCE):
        expect(refused).not_to_contain_text(secret_of_rep)
    screenshot(phone, "rep-9-forged-link")
    assert seen.errors == []
    phone.close(run_before_unload=True)
    context.close()


def _rep_scores(server: Server, coach: int, rep: int) -> dict[str, str]:
    """The rep's mean score per check over Improve's first period, as shown."""
    from coachkit.apps.improve import DEFAULT_MONTHS
    from coachkit.improve.quality import quality_gaps
    from coachkit.model.formats import number
    from coachkit.model.periods import Period

    period = Period.last_months(dt.date.today(), DEFAULT_MONTHS)
    with server.store() as store, store.read() as conn:
        gaps = quality_gaps(conn, coach, period)
    mine = gaps[gaps["rep_id"] == rep]
    assert len(mine) == 3, "the rep's answers reach Improve's quality view"
    return {str(r.check): number(r.rep_score, 1) for r in mine.itertuples()}


def _last_done(server: Server, rep: int) -> int:
    se = s.sessions
    with server.store() as store, store.read() as conn:
        return int(
            conn.execute(
                sa.select(se.c.id)
                .where(
                    se.c.rep_id == rep,
                    se.c.status == "done",
                    se.c.held_on <= dt.date.today(),
                )
                .order_by(se.c.held_on.desc(), se.c.id.desc())
                .limit(1)
            ).scalar_one()
        )


def _behaviour_key(server: Server, behaviour_id: int) -> str:
    with server.store() as store, store.read() as conn:
        return str(
            conn.execute(
                sa.select(s.behaviours.c.key).where(s.behaviours.c.id == behaviour_id)
            ).scalar_one()
        )
