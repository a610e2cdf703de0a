"""Workbook 2 end to end: a coaching session from the queue to the rep's progress.

Issue 4's done-when, in headless Chromium through ``coachkit serve`` on the demo
organisation. The first test opens the top rep of today's queue, logs eight
observations in live mode (one note holds HTML), writes notes, adds two actions,
closes the tab mid-way, reopens the workbook and finds the draft, finishes, downloads
the summary and sees the session on the Progress tab. The second opens one session
in two tabs and saves in both: the second save is told so and both texts are kept.
The tests read the same store as the server to know what the screens should say.
Set ``COACHKIT_SCREENSHOTS`` to keep a screenshot of each step.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
)

from coachkit.facilitate.queue import todays_queue
from coachkit.facilitate.sessions import CONFLICT_MESSAGE, SessionDraft, load_draft
from coachkit.model.formats import day
from coachkit.model.pillars import pillar
from coachkit.model.plans import current_plan
from coachkit.store import queries
from coachkit.store import schema as s

pytestmark = pytest.mark.browser

#: How long a click may take to come back from the kernel (the machine may be busy).
ROUND_TRIP_MS = 30_000
TABS = ("1. Queue", "2. Prep", "3. Observe", "4. Guide", "5. Write up", "6. Progress")
#: A note that would run script if it were ever shown as HTML.
HTML_NOTE = "<img src=x onerror=alert(1)>"
#: Eight taps: (index of the focus behaviour, outcome, note).
TAPS = (
    (0, "seen", ""),
    (1, "partly", "Asked about budget twice"),
    (0, "missed", HTML_NOTE),
    (1, "seen", ""),
    (0, "partly", ""),
    (1, "missed", ""),
    (0, "seen", ""),
    (1, "seen", "Clear next step agreed"),
)
WENT_WELL = "You opened with the buyer's goal and listened before you pitched."
TO_CHANGE = "Ask for a next step with a date before the call ends."
SCORES = ("4", "5", "3")


def _actions(today: dt.date) -> list[tuple[str, dt.date]]:
    return [
        ("Book a follow-up call with two buyers", today + dt.timedelta(days=7)),
        ("Send the recap email after every demo", today + dt.timedelta(days=10)),
    ]


@dataclass(frozen=True)
class Rep:
    """The rep a test works on, as the store knows them."""

    rep_id: int
    name: str
    focus: tuple[int, ...]  # the plan's focus behaviours: the rows on Observe


# -- the store, read from the test ----------------------------------------------
def _queue(server: Server) -> Any:
    """Today's queue of the coach the workbook opens on (the first coach)."""
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
        coach_id = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
        return todays_queue(conn, coach_id, dt.date.today())


def _rep(server: Server, rep_id: int, name: str) -> Rep:
    with server.store() as store, store.read() as conn:
        plan = current_plan(conn, rep_id)
    assert plan is not None, f"{name} has no plan to coach on"
    assert plan.focus, f"{name}'s plan has no focus behaviour"
    return Rep(rep_id, name, plan.focus_ids)


def _draft(server: Server, rep_id: int) -> SessionDraft | None:
    with server.store() as store, store.read() as conn:
        return load_draft(conn, rep_id)


def _session_rows(server: Server, rep_id: int) -> list[Any]:
    se = s.sessions
    with server.store() as store, store.read() as conn:
        return list(
            conn.execute(
                sa.select(se).where(se.c.rep_id == rep_id).order_by(se.c.id)
            ).all()
        )


def _wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + ROUND_TRIP_MS / 1000
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


# -- pages --------------------------------------------------------------------------
@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Watched]]:
    """Open watched pages, each in its own context (a tab of its own browser)."""
    opened: list[tuple[Any, Watched]] = []

    def make() -> Watched:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(ROUND_TRIP_MS)
        seen = Watched.of(page)
        opened.append((context, seen))
        return seen

    yield make
    for context, seen in opened:
        if not seen.page.is_closed():
            seen.page.close(run_before_unload=True)
        context.close()


_tab = open_tab


def _status(page: Any, words: str) -> None:
    expect(page.locator(".ck-status-line")).to_contain_text(
        words, timeout=ROUND_TRIP_MS
    )


def _open_rep(page: Any, rep: Rep) -> None:
    """Click the rep's name in the queue; the Prep tab shows their brief."""
    button = page.locator(".ck-open-rep").filter(
        has_text=re.compile(rf"^\s*{re.escape(rep.name)}\s*$")
    )
    button.click()
    _status(page, f"Opened {rep.name}.")
    expect(page.locator(".ck-brief")).to_contain_text(f"Prep for {rep.name}")


def _shot(page: Any, name: str, at: str) -> None:
    """Scroll ``at`` to the top of the page's scrolling sheet and take a screenshot."""
    page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, name)


def _write(page: Any, css: str, value: str) -> None:
    """Type into a Write-up text box; the workbook saves the draft at once.

    Waits for the first "Draft saved at" of the page; later saves may show the same
    second, so callers that need a save to have landed check the store.
    """
    saved = page.locator(".ck-saved-at")
    before = saved.inner_text()
    page.locator(f"{css} textarea").fill(value)
    expect(page.locator(f"{css} textarea")).to_have_value(value)
    if "Draft saved at" in before:  # a save within the same second reads the same
        return
    expect(saved).to_contain_text("Draft saved at", timeout=ROUND_TRIP_MS)


def _no_trouble(server: Server, *pages: Watched) -> None:
    for seen in pages:
        assert seen.errors == []
        assert seen.outside_requests(server) == []


# -- test 1 ---------------------------------------------------------------------------
@pytest.fixture
def top_rep(server: Server) -> Rep:
    """The first rep of today's queue: the one a coach opens first."""
    queue = _queue(server)
    assert len(queue), "the demo coach has nobody in today's queue"
    top = queue.iloc[0]
    return _rep(server, int(top["rep_id"]), str(top["rep"]))


def _so_far(taps: int) -> str:
    return f"So far: {taps} tap" if taps == 1 else f"So far: {taps} taps"


def _observe(page: Any, rep: Rep, before: int) -> None:
    """Log the eight taps; the tally follows each one."""
    _tab(page, "3. Observe")
    tally = page.locator(".ck-tally")
    expect(tally).to_contain_text(_so_far(before))
    note = page.locator(".ck-obs-note input")
    for i, (which, outcome, text) in enumerate(TAPS, start=1):
        behaviour = rep.focus[which % len(rep.focus)]
        if text:
            note.fill(text)
        page.locator(f".ck-observe-{behaviour} .ck-{outcome}").click()
        expect(tally).to_contain_text(_so_far(before + i), timeout=ROUND_TRIP_MS)
        expect(note).to_have_value("")  # the note went with this tap


def _write_up(page: Any, today: dt.date) -> None:
    """Type the notes and add two actions."""
    _tab(page, "5. Write up")
    _write(page, ".ck-went-well", WENT_WELL)
    _write(page, ".ck-to-change", TO_CHANGE)
    for i, (text, due) in enumerate(_actions(today), start=1):
        page.locator(".ck-action-text input").fill(text)
        page.locator(".ck-action-due input").fill(due.isoformat())
        page.locator(".ck-add-action").click()
        expect(page.locator(".ck-remove-action")).to_have_count(
            i, timeout=ROUND_TRIP_MS
        )
        expect(page.locator(".ck-action-text input")).to_have_value("")
    expect(page.locator(".ck-actions")).to_contain_text(_actions(today)[0][0])


def _draft_is_back(page: Any, today: dt.date, taps: int) -> None:
    """After reopening: the typed texts, both actions and every tap are there."""
    _tab(page, "5. Write up")
    expect(page.locator(".ck-went-well textarea")).to_have_value(WENT_WELL)
    expect(page.locator(".ck-to-change textarea")).to_have_value(TO_CHANGE)
    actions = page.locator(".ck-actions")
    expect(actions.locator(".ck-remove-action")).to_have_count(2)
    for text, due in _actions(today):
        expect(actions).to_contain_text(f"{text} (Rep, by {day(due)})")
    _tab(page, "3. Observe")
    expect(page.locator(".ck-tally")).to_contain_text(_so_far(taps))


def _score_selects(page: Any, who: str) -> Any:
    """The three score drop-downs on the row labelled ``who`` (Coach or Rep)."""
    label = page.locator("div.widget-label", has_text=re.compile(rf"^{who}$"))
    return page.locator(".widget-hbox", has=label).locator("select")


def _finish(page: Any, next_session: dt.date) -> None:
    _tab(page, "5. Write up")
    coach = _score_selects(page, "Coach")
    expect(coach).to_have_count(3)
    for i, score in enumerate(SCORES):
        coach.nth(i).select_option(value=score)
        expect(coach.nth(i)).to_have_value(score)
    picker = page.locator(".widget-datepicker", has_text="Next session")
    picker.locator("input").fill(next_session.isoformat())
    page.locator(".ck-finish").click()
    _status(page, "Saved the session")
    # The summary sits inside the page without restyling it.
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "none"


def _summary(page: Any, tmp_path: Path) -> None:
    """The summary shows the HTML note as text; the Markdown download has the notes."""
    summary = page.locator(".ck-summary")
    expect(summary).to_contain_text(HTML_NOTE)
    expect(summary).to_contain_text(WENT_WELL)
    expect(summary.locator("img")).to_have_count(0)
    with page.expect_download(timeout=ROUND_TRIP_MS) as info:
        summary.locator(".ck-download-md").click()
    download = info.value
    assert download.suggested_filename == "session-summary.md"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    markdown = saved.read_text(encoding="utf-8")
    assert WENT_WELL in markdown
    assert TO_CHANGE in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown
    assert "<img" not in markdown


def test_session_from_queue_to_progress(
    server: Server,
    new_page: Callable[[], Watched],
    top_rep: Rep,
    tmp_path: Path,
) -> None:
    today = dt.date.today()
    rep = top_rep
    start = _draft(server, rep.rep_id)
    before = len(start.observations) if start else 0
    path = pillar("facilitate").path

    first = new_page()
    page = first.page
    open_workbook(page, server, path)
    assert page.locator(".lm-TabBar-tab").all_inner_texts() == list(TABS)
    expect(page.locator(".ck-open-rep").first).to_have_text(rep.name)
    expect(page.locator(".ck-queue")).to_contain_text(rep.name)
    _shot(page, "facilitate-1-queue", ".coachkit-app")

    page.locator(".ck-open-rep").first.click()
    _status(page, f"Opened {rep.name}.")
    expect(page.locator(".ck-brief")).to_contain_text(f"Prep for {rep.name}")
    _tab(page, "2. Prep")
    page.locator(".ck-start-session").click()
    _status(page, "The session is open")
    draft = _draft(server, rep.rep_id)
    assert draft is not None
    assert draft.held_on == today

    _observe(page, rep, before)
    _shot(page, "facilitate-2-observe", ".ck-tally")
    _write_up(page, today)
    _shot(page, "facilitate-3-write", ".ck-went-well")
    # Everything typed is in the store before the tab goes.
    _wait_for(
        lambda: (
            (d := _draft(server, rep.rep_id)) is not None
            and (d.went_well, d.to_change) == (WENT_WELL, TO_CHANGE)
            and len(d.actions) == 2
        ),
        "the draft to be saved",
    )
    page.close(run_before_unload=True)  # the coach closes the tab mid-way

    second = new_page()
    page = second.page
    open_workbook(page, server, path)
    row = page.locator(".ck-queue-row", has_text=rep.name)
    expect(row).to_contain_text("a draft is waiting")
    _open_rep(page, rep)
    _draft_is_back(page, today, before + len(TAPS))

    resumed = _draft(server, rep.rep_id)
    assert resumed is not None
    assert resumed.id == draft.id
    assert resumed.style, "the plan gives the session its style"
    assert resumed.focus_ids, "the plan gives the session its focus"
    next_session = today + dt.timedelta(days=21)  # not the plan's suggestion
    _finish(page, next_session)
    _summary(page, tmp_path)
    _shot(page, "facilitate-4-summary", ".ck-summary")

    _tab(page, "6. Progress")
    done = page.locator(".ck-session-list tbody tr", has_text=day(today))
    expect(done.filter(has_text="Held")).to_have_count(1)  # in words, not "done"

    _no_trouble(server, first, second)
    # The store holds the finished session with every tap and both actions.
    rows = {r.id: r for r in _session_rows(server, rep.rep_id)}
    saved = rows[draft.id]
    assert saved.status == "done"
    assert (saved.went_well, saved.to_change) == (WENT_WELL, TO_CHANGE)
    assert saved.next_session_on == next_session
    assert (saved.coach_relevant, saved.coach_developmental) == (4, 5)
    assert saved.coach_motivational == 3
    assert _draft(server, rep.rep_id) is None
    with server.store() as store, store.read() as conn:
        o, a = s.observations, s.actions
        notes = conn.execute(
            sa.select(o.c.outcome, o.c.note)
            .where(o.c.session_id == draft.id)
            .order_by(o.c.id)
        ).all()
        actions = conn.execute(
            sa.select(a.c.text, a.c.due_on)
            .where(a.c.session_id == draft.id)
            .order_by(a.c.id)
        ).all()
    assert len(notes) == before + len(TAPS)
    assert [tuple(n) for n in notes[before:]] == [(t[1], t[2]) for t in TAPS]
    assert [tuple(x) for x in actions] == _actions(today)


# -- test 2 ---------------------------------------------------------------------------
@pytest.fixture
def free_rep(server: Server) -> Rep:
    """A rep near the top of the queue with a plan, no draft and no session today."""
    today = dt.date.today()
    for r in _queue(server).head(12).itertuples():
        rep_id = int(r.rep_id)
        if not r.has_plan or _draft(server, rep_id) is not None:
            continue
        if any(row.held_on == today for row in _session_rows(server, rep_id)):
            continue
        return _rep(server, rep_id, str(r.rep))
    pytest.fail("no rep in the queue is free for a new session")


def test_two_tabs_same_session_conflict(
    server: Server, new_page: Callable[[], Watched], free_rep: Rep
) -> None:
    rep = free_rep
    path = pillar("facilitate").path
    text_a = "Tab A: you summarised the buyer's pain in their own words."
    text_b = "Tab B: the demo ran long; keep it to the two features they asked for."

    a, b = new_page(), new_page()
    open_workbook(a.page, server, path)
    _open_rep(a.page, rep)
    _tab(a.page, "2. Prep")
    a.page.locator(".ck-start-session").click()
    _status(a.page, "The session is open")
    draft = _draft(server, rep.rep_id)
    assert draft is not None

    open_workbook(b.page, server, path)
    _open_rep(b.page, rep)  # finds the draft tab A started
    _tab(b.page, "5. Write up")
    expect(b.page.locator(".ck-went-well textarea")).to_have_value("")

    _tab(a.page, "5. Write up")
    _write(a.page, ".ck-went-well", text_a)
    _wait_for(
        lambda: (d := _draft(server, rep.rep_id)) is not None and d.went_well == text_a,
        "tab A's text to be saved",
    )

    # Tab B still holds the version it opened: its save must not overwrite A's.
    b.page.locator(".ck-went-well textarea").fill(text_b)
    _status(b.page, CONFLICT_MESSAGE)
    expect(b.page.locator(".ck-status-line .ck-status-error")).to_have_count(1)
    expect(b.page.locator(".ck-saved-at")).to_contain_text("your copy")
    expect(b.page.locator(".ck-went-well textarea")).to_have_value(text_b)
    expect(a.page.locator(".ck-went-well textarea")).to_have_value(text_a)
    _shot(b.page, "facilitate-5-conflict", ".ck-status-line")

    _no_trouble(server, a, b)
    rows = _session_rows(server, rep.rep_id)
    original = next(r for r in rows if r.id == draft.id)
    copies = [r for r in rows if r.conflict_of == draft.id]
    assert original.went_well == text_a
    assert original.status == "draft"
    assert [(c.went_well, c.status) for c in copies] == [(text_b, "draft")]
