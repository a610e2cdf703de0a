"""A coach's week, end to end, in headless Chromium (issue 22).

A new rep joins Ada's team. Over two simulated weeks Ada assesses one behaviour,
plans with a goal, finds the rep in the queue, preps, observes, writes up with two
actions, and a week later marks one action kept and one missed in the next prep;
Improve's self-check then counts them. At each step the test asserts what Ada would
see and what the store holds, including that one rating change writes one row and
that every error message is inside the viewport next to the control that caused it.

"A week passes" moves every dated row of the rep's back by seven days: the server
and its kernels keep the real clock. The test runs on SQLite and, in the store tier
(``--store=postgresql``), on a PostgreSQL store. Set ``COACHKIT_SCREENSHOTS`` to
keep a screenshot of each step.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from browser_fixtures import (
    READY_TIMEOUT_MS,
    Server,
    Watched,
    expect,
    open_tab,
    screenshot,
    wait_until_answers,
)
from processes import free_port, launch, quiet_env
from processes import stop as stop_process

from coachkit.facilitate.queue import todays_queue
from coachkit.improve import selfcheck
from coachkit.model import goals as gl
from coachkit.model.pillars import pillar
from coachkit.prioritize import assessing
from coachkit.store import schema as s
from coachkit.store.database import Store

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
COACH = "Ada Park"
NEW_REP = "Noor Haddad"
WEEK = dt.timedelta(days=7)

LOW_SKILL = 2
WILL = 4
EVIDENCE = 'Asked about budget <b>twice</b> & "listened"'
GOAL = "Open every first call with the buyer's own goal"
GOAL_DUE = dt.date.today() + dt.timedelta(days=60)
WENT_WELL = "Opened with the buyer's goal on both calls."
TO_CHANGE = "Let the buyer finish before answering."
ACTIONS = ("Send the call plan before Thursday", "Book a practice call with Sam")
ACTION_DUE = (
    dt.date.today() + dt.timedelta(days=3),
    dt.date.today() + dt.timedelta(days=5),
)
MISSED_NOTE = "Sam was away all week"


# -- the store and the server ---------------------------------------------------------
@pytest.fixture
def team(store: Store) -> tuple[Store, int, int]:
    """A one-coach demo team with three months of history, plus a new rep with none.

    ``store`` is a fresh store (PostgreSQL in the store tier), so this journey runs
    on both kinds of store.
    """
    from coachkit.demo import build_demo
    from coachkit.model.team import add_rep

    build_demo(store, coaches=1, reps=4, months=3, today=dt.date.today())
    with store.write() as conn:
        coach = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.role == "coach")
        ).scalar_one()
        conn.execute(
            s.coaches.update().where(s.coaches.c.id == coach).values(name=COACH)
        )
        rep = add_rep(conn, coach, NEW_REP, today=dt.date.today())
    return store, coach, rep.id


@pytest.fixture
def served(team: tuple[Store, int, int], tmp_path: Path) -> Iterator[Server]:
    """``coachkit serve`` on the team's store (a file or a PostgreSQL URL)."""
    store = team[0]
    env = quiet_env(tmp_path / "home")
    port = free_port()
    log = tmp_path / "serve.log"
    db = store.url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "coachkit", "serve", "--db", db]
    command += ["--port", str(port), "--host", "127.0.0.1", "--pool-size", "0"]
    proc = launch(command, env, log)
    running = Server(
        f"http://127.0.0.1:{port}/", port, Path(store.location), log, tmp_path
    )
    try:
        wait_until_answers(proc, log, lambda: running.get("/")[0] == 200, "serve")
        yield running
    finally:
        stop_process(proc)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(ROUND_TRIP_MS)
    seen = Watched.of(opened)
    yield opened
    assert seen.errors == [], seen.errors
    opened.close(run_before_unload=True)
    context.close()


def a_week_passes(store: Store, rep_id: int) -> None:
    """Move every date of the rep's rows back seven days, as if a week went by."""
    with store.write() as conn:
        for table in s.TEAM_TABLES:
            if "rep_id" not in table.c or "id" not in table.c:
                continue
            dated = [
                c
                for c in table.c
                if isinstance(c.type, (sa.Date, sa.DateTime)) and c.name != "updated_at"
            ]
            if not dated:
                continue
            rows = conn.execute(
                sa.select(table.c.id, *dated).where(table.c.rep_id == rep_id)
            ).all()
            for row in rows:
                moved = {
                    c.name: getattr(row, c.name) - WEEK
                    for c in dated
                    if getattr(row, c.name) is not None
                }
                if moved:
                    conn.execute(
                        table.update().where(table.c.id == row.id).values(moved)
                    )


# -- what the coach sees ---------------------------------------------------------------
def open_workbook(page: Any, server: Server, key: str, query: str = "") -> None:
    page.goto(server.url + pillar(key).path.lstrip("/") + query)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    page.locator(".coachkit-ready").wait_for(state="visible", timeout=READY_TIMEOUT_MS)


def in_view_near(page: Any, message: Any, control: Any, within: int = 400) -> None:
    """``message`` is visible inside the viewport, close to ``control``."""
    expect(message).to_be_visible(timeout=ROUND_TRIP_MS)
    # The page brings a new message into view a moment after it appears.
    expect(message).to_be_in_viewport(ratio=1, timeout=2_000)
    box = message.bounding_box()
    near = control.bounding_box()
    view = page.viewport_size
    assert box is not None
    assert near is not None
    outside = f"the message {message.inner_text()!r} is outside the window: {box}"
    assert box["y"] >= 0, outside
    assert box["y"] + box["height"] <= view["height"], outside
    gap = abs((box["y"] + box["height"] / 2) - (near["y"] + near["height"] / 2))
    assert gap <= within, f"the message is {gap:.0f} px from its control"


def shot(page: Any, name: str) -> None:
    screenshot(page, f"week-{name}")


def rows_of(store: Store, table: sa.Table, rep_id: int) -> list[Any]:
    with store.read() as conn:
        return list(
            conn.execute(sa.select(table).where(table.c.rep_id == rep_id)).all()
        )


def _wait_until(check: Any, what: str) -> None:
    deadline = time.monotonic() + ROUND_TRIP_MS / 1000
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _score_selects(page: Any, who: str) -> Any:
    """The three score drop-downs on the row labelled ``who`` (Coach or Rep)."""
    label = page.locator("div.widget-label", has_text=re.compile(rf"^{who}$"))
    return page.locator(".widget-hbox", has=label).locator("select")


def _rates(store: Store, rep_id: int) -> tuple[Any, Any]:
    """Two behaviours to rate: the first with a goal metric (rated low), another."""
    with store.read() as conn:
        form = assessing.assessment_form(conn, rep_id)
        with_metric = [
            r
            for r in form.itertuples()
            if len(gl.metrics_for_behaviour(conn, int(r.behaviour_id)))
        ]
    assert with_metric, "the demo framework has no behaviour with a goal metric"
    low = with_metric[0]
    other = next(r for r in form.itertuples() if r.behaviour_id != low.behaviour_id)
    return low, other


def _goal_target(store: Store, behaviour_id: int) -> tuple[str, str]:
    """The first goal metric of a behaviour and a target for a rep with no data."""
    with store.read() as conn:
        m = gl.metrics_for_behaviour(conn, behaviour_id).iloc[0]
    return str(m["name"]), "50%" if m["kind"] in gl.SHARE_KINDS else "10"


def _rate(page: Any, key: str, skill: int, will: int, evidence: str = "") -> None:
    row = page.locator(f".ck-assess-{key}")
    row.locator(f".ck-skill button[data-value='{skill}']").click()
    row.locator(f".ck-will button[data-value='{will}']").click()
    if evidence:
        row.locator(".ck-evidence input").fill(evidence)


def _saved_message(page: Any) -> Any:
    return page.locator(".ck-save-assessment-message")


def _queue_names(page: Any) -> list[str]:
    return [n.strip() for n in page.locator(".ck-open-rep").all_inner_texts()]


def _expected_queue(store: Store, coach: int) -> list[str]:
    with store.read() as conn:
        return [str(r) for r in todays_queue(conn, coach, dt.date.today())["rep"]]


def _follow_ups(store: Store, coach: int) -> str:
    """The self-check's sentence on follow-ups kept, from the store."""
    with store.read() as conn:
        check = selfcheck.programme_check(conn, coach, dt.date.today())
    return str(check.set_index("check").loc["Follow-ups kept", "detail"])


def _actions_of(store: Store, rep: int) -> list[Any]:
    a = s.actions
    with store.read() as conn:
        return list(
            conn.execute(
                sa.select(a.c.text, a.c.status, a.c.note, a.c.due_on)
                .where(a.c.rep_id == rep)
                .order_by(a.c.id)
            ).all()
        )


def test_a_coachs_week(team: tuple[Store, int, int], served: Server, page: Any) -> None:
    store, coach, rep = team
    today = dt.date.today()
    view = f"?coach={coach}&rep={rep}"
    low, other = _rates(store, rep)

    # -- Monday, Prioritize: assess one behaviour ------------------------------------
    open_workbook(page, served, "prioritize", view)
    expect(page.locator(".ck-rep-picker select")).to_have_value(NEW_REP)
    open_tab(page, "5. Assess")
    expect(page.locator(".ck-assess-heading")).to_contain_text(f"Assess {NEW_REP}")
    first = page.locator(f".ck-assess-{low.behaviour_key}")
    first.wait_for(state="attached")
    # A new rep's form starts blank: nothing is rated until the coach rates it.
    expect(first.locator(".ck-skill button.mod-active")).to_have_text("Not rated")
    _rate(page, str(low.behaviour_key), LOW_SKILL, WILL, EVIDENCE)
    page.locator(".ck-save-assessment").click()
    in_view_near(
        page,
        _saved_message(page).get_by_text(f"Saved 1 rating for {NEW_REP}"),
        page.locator(".ck-save-assessment"),
    )
    assessed = rows_of(store, s.assessments, rep)
    assert [(r.behaviour_id, r.skill, r.will, r.evidence) for r in assessed] == [
        (low.behaviour_id, LOW_SKILL, WILL, EVIDENCE)
    ]
    # A second behaviour later: one more row; the first is not saved again.
    _rate(page, str(other.behaviour_key), int(other.target_level), WILL)
    page.locator(".ck-save-assessment").click()
    expect(_saved_message(page)).to_contain_text(f"Saved 1 rating for {NEW_REP}")
    _wait_until(lambda: len(rows_of(store, s.assessments, rep)) == 2, "two ratings")
    # The history under the form lists both, the typed markup as text.
    history = page.locator(".ck-history tbody tr")
    expect(history).to_have_count(2, timeout=ROUND_TRIP_MS)
    expect(history.filter(has_text=EVIDENCE)).to_have_count(1)
    shot(page, "1-assess")

    # -- Plan with a goal: a wrong target is said beside the target box ---------------
    metric, target = _goal_target(store, int(low.behaviour_id))
    open_tab(page, "6. Plan")
    page.locator(".ck-use-suggestion").click()
    expect(page.locator(".ck-focus-1 select")).to_have_value(str(low.behaviour))
    metrics = page.locator(".ck-goal-metric-1 select")
    if metrics.input_value() != metric:
        metrics.select_option(value=metric)
    page.locator(".ck-goal-text-1 input").fill(GOAL)
    page.locator(".ck-goal-target-1 input").fill("about half")
    page.locator(".ck-goal-due-1 input").fill(GOAL_DUE.isoformat())
    page.locator(".ck-save-plan").click()
    problem = page.locator(".ck-goal-message-1 [role=alert]")
    in_view_near(page, problem, page.locator(".ck-goal-target-1"))
    expect(problem).to_contain_text("Target")
    expect(page.locator(".ck-save-message")).to_contain_text("Not saved")
    assert rows_of(store, s.plans, rep) == []
    shot(page, "2-plan-problem")
    page.locator(".ck-goal-target-1 input").fill(target)
    page.locator(".ck-save-plan").click()
    in_view_near(
        page,
        page.locator(".ck-save-message").get_by_text("Saved the plan"),
        page.locator(".ck-save-plan"),
    )
    expect(problem).to_have_count(0)
    (plan,) = rows_of(store, s.plans, rep)
    (goal,) = rows_of(store, s.goals, rep)
    assert (goal.description, goal.due_on, goal.status) == (GOAL, GOAL_DUE, "open")
    shot(page, "3-plan-saved")

    # -- Facilitate: the new plan is in the queue where its rule puts it ---------------
    open_workbook(page, served, "facilitate", f"?coach={coach}")
    expect(page.locator(".ck-queue-row").first).to_be_visible()
    assert _queue_names(page) == _expected_queue(store, coach)
    row = page.locator(".ck-queue-row", has_text=NEW_REP)
    expect(row).to_contain_text("New plan, not coached yet")
    shot(page, "4-queue")
    row.locator(".ck-open-rep").click()
    expect(page.locator(".ck-brief")).to_contain_text(f"Prep for {NEW_REP}")
    open_tab(page, "2. Prep")
    page.locator(".ck-start-session").click()
    expect(page.locator(".ck-status-line")).to_contain_text("The session is open")

    # -- Observe: one tap on the focus behaviour --------------------------------------
    open_tab(page, "3. Observe")
    page.locator(f".ck-observe-{low.behaviour_id} .ck-seen").click()
    expect(page.locator(".ck-tally h3")).to_have_text("So far: 1 tap")
    shot(page, "5-observe")

    # -- Write up: an action due before the session is refused beside it --------------
    open_tab(page, "5. Write up")
    # The plan's focus is ticked; a second behaviour is one more click, no Ctrl.
    focus = page.locator(".ck-focus")
    expect(focus.get_by_role("checkbox", name=str(low.behaviour))).to_be_checked()
    focus.get_by_role("checkbox", name=str(other.behaviour)).click()
    expect(focus.get_by_role("checkbox", name=str(low.behaviour))).to_be_checked()
    page.locator(".ck-went-well textarea").fill(WENT_WELL)
    page.locator(".ck-to-change textarea").fill(TO_CHANGE)
    page.locator(".ck-action-text input").fill(ACTIONS[0])
    page.locator(".ck-action-due input").fill((today - WEEK).isoformat())
    page.locator(".ck-add-action").click()
    refused = page.locator(".ck-action-problem .ck-status-error")
    in_view_near(page, refused, page.locator(".ck-add-action"))
    expect(page.locator(".ck-remove-action")).to_have_count(0)
    expect(page.locator(".ck-saved-at")).not_to_contain_text("Fixed")
    shot(page, "6-action-refused")
    for i, (words, due) in enumerate(zip(ACTIONS, ACTION_DUE, strict=True), start=1):
        page.locator(".ck-action-text input").fill(words)
        page.locator(".ck-action-due input").fill(due.isoformat())
        page.locator(".ck-add-action").click()
        expect(page.locator(".ck-remove-action")).to_have_count(i)
    # Finish before scoring the session: every problem is listed at once.
    page.locator(".ck-finish").click()
    in_view_near(
        page,
        page.locator(".ck-finish-note .ck-status-error"),
        page.locator(".ck-finish"),
    )
    shot(page, "7-finish-problems")
    coach_scores = _score_selects(page, "Coach")
    for i in range(3):
        coach_scores.nth(i).select_option(value="4")
    picker = page.locator(".widget-datepicker", has_text="Next session")
    picker.locator("input").fill((today + WEEK).isoformat())
    page.locator(".ck-finish").click()
    # The form makes way for the rep's summary; the page shows what happened.
    in_view_near(
        page,
        page.locator(".ck-status-line").get_by_text("Saved the session"),
        page.locator(".ck-summary h2").first,
    )
    expect(page.locator(".ck-summary")).to_contain_text(WENT_WELL)
    shot(page, "8-finished")
    (held,) = [r for r in rows_of(store, s.sessions, rep) if r.status == "done"]
    assert (held.went_well, held.to_change, held.held_on) == (
        WENT_WELL,
        TO_CHANGE,
        today,
    )
    with store.read() as conn:
        focused = conn.execute(
            sa.select(s.session_focus.c.behaviour_id).where(
                s.session_focus.c.session_id == held.id
            )
        ).scalars()
        assert set(focused) == {low.behaviour_id, other.behaviour_id}
    assert [(a.text, a.status) for a in _actions_of(store, rep)] == [
        (words, "open") for words in ACTIONS
    ]

    # -- A week later: Prep marks one action kept and one missed ----------------------
    a_week_passes(store, rep)
    before = _follow_ups(store, coach)
    open_workbook(page, served, "facilitate", f"?coach={coach}")
    row = page.locator(".ck-queue-row", has_text=NEW_REP)
    expect(row).to_contain_text(re.compile("due today", re.I))
    assert _queue_names(page) == _expected_queue(store, coach)
    row.locator(".ck-open-rep").click()
    open_tab(page, "2. Prep")
    commitments = page.locator(".ck-prep-commitments")
    expect(commitments).to_contain_text(ACTIONS[0])
    kept = commitments.locator(".ck-mark-action", has_text=ACTIONS[0])
    kept.get_by_role("button", name="Kept").click()
    in_view_near(page, kept.locator(".ck-mark-message"), kept)
    missed = commitments.locator(".ck-mark-action", has_text=ACTIONS[1])
    missed.get_by_label("Note").fill(MISSED_NOTE)
    missed.get_by_role("button", name="Missed").click()
    in_view_near(page, missed.locator(".ck-mark-message"), missed)
    expect(commitments).to_contain_text("Kept on")
    expect(commitments).to_contain_text("Missed on")
    shot(page, "9-prep-follow-through")
    assert [(a.text, a.status, a.note) for a in _actions_of(store, rep)] == [
        (ACTIONS[0], "kept", ""),
        (ACTIONS[1], "missed", MISSED_NOTE),
    ]

    # -- Improve: the look back and the self-check count them -------------------------
    after = _follow_ups(store, coach)
    assert after != before
    open_workbook(page, served, "improve", view)
    open_tab(page, "1. Look back")
    counts = page.locator(".ck-retro-counts")
    expect(counts).to_be_visible()
    heads = counts.locator("th").all_inner_texts()
    cells = counts.locator("tbody td").all_inner_texts()
    shown = dict(zip(heads, cells, strict=True))
    assert (shown["Actions kept"], shown["Actions missed"]) == ("1", "1"), shown
    shot(page, "10-look-back")
    open_tab(page, "8. Self-check")
    checklist = page.locator(".ck-selfcheck-table")
    expect(checklist.locator("tr", has_text="Follow-ups kept")).to_contain_text(
        after, timeout=ROUND_TRIP_MS
    )
    shot(page, "11-self-check")
