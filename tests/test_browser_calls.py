"""A recorded call, from a Zoom transcript to evidence and the Improve numbers.

Issue 27's browser journey, in headless Chromium through ``coachkit serve`` on a
copy of the demo store (its own server: this test adds calls to a demo rep). A coach
opens a rep in Facilitate, chooses a Zoom transcript on the Prep tab, says who is
who, imports it, and sees the call's numbers and the moments where a phrase of the
rep's focus behaviour came up. The coach uses one moment as evidence and sets
another aside; Observe shows the first under its behaviour, Assess (Prioritize)
shows it with the rating, and Improve's Leading signs lists the rep's calls.
Importing the same file again updates the call and asks nothing; a broken file is
refused in one line beside the upload, and nothing is written. Set
``COACHKIT_SCREENSHOTS`` to keep a screenshot of each step.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from browser_fixtures import (
    Server,
    expect,
    open_tab,
    open_workbook,
    quiet_env,
    screenshot,
    serving,
)

from coachkit.model.calls.store import calls_table, hits
from coachkit.model.pillars import pillar
from coachkit.model.plans import current_plan
from coachkit.store import queries
from coachkit.store import schema as s

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
REP_SPEAKER = "Robin Tester"
BUYER_SPEAKER = "Jordan Quill"
FILE_NAME = "acme-discovery.vtt"


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coachkit serve`` on its own copy of the demo store."""
    tmp = tmp_path_factory.mktemp("calls")
    db = tmp / "store.db"
    shutil.copyfile(demo_db, db)
    with serving(db, tmp, quiet_env(tmp / "home"), "--pool-size", "0") as (
        running,
        _proc,
    ):
        yield running


def _coach_and_rep(server: Server) -> tuple[int, int, str, list[tuple[int, str]]]:
    """The first coach, their first rep with a plan, and its focus (id, phrase)."""
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
        coach_id = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
        reps = conn.execute(
            sa.select(s.reps.c.id, s.reps.c.name)
            .where(s.reps.c.coach_id == coach_id, s.reps.c.active)
            .order_by(s.reps.c.name)
        ).all()
        for rep_id, name in reps:
            plan = current_plan(conn, int(rep_id))
            if plan is None or not plan.focus_ids:
                continue
            phrases = []
            for behaviour_id in plan.focus_ids:
                phrase = conn.execute(
                    sa.select(s.trackers.c.phrase)
                    .where(s.trackers.c.behaviour_id == behaviour_id)
                    .order_by(s.trackers.c.phrase)
                ).scalar()
                if phrase:
                    phrases.append((int(behaviour_id), str(phrase)))
            if len(phrases) >= 2:
                return coach_id, int(rep_id), str(name), phrases
    pytest.fail("no demo rep has a plan whose focus behaviours have phrases")


def _vtt(phrases: list[tuple[int, str]]) -> str:
    """A Zoom transcript: rep 24 s, buyer 36 s (a talk share of 40%), two phrases."""
    first, second = phrases[0][1], phrases[1][1]
    cues = [
        (0, 12, REP_SPEAKER, f"Thanks for the time today. Can we talk about {first}?"),
        (12, 36, BUYER_SPEAKER, "Sure. We lose about two days a month on reports."),
        (36, 48, REP_SPEAKER, f"That helps. And {second} for you, what would it mean?"),
        (48, 60, BUYER_SPEAKER, "It would mean the team stops working weekends."),
    ]
    lines = ["WEBVTT", ""]
    for n, (start, end, who, words) in enumerate(cues, start=1):
        lines += [str(n), f"00:{start // 60:02d}:{start % 60:02d}.000 --> "]
        lines[-1] += f"00:{end // 60:02d}:{end % 60:02d}.000"
        lines += [f"{who}: {words}", ""]
    return "\n".join(lines)


def _choose(page: Any, panel: str, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(f"{panel} .ck-call-file").click()
    chooser.value.set_files(str(path))


def _calls(server: Server, rep_id: int) -> Any:
    with server.store() as store:
        return calls_table(store, rep_id=rep_id)


def _hits(server: Server, rep_id: int) -> list[Any]:
    with server.store() as store:
        return hits(store, rep_id)


def _shot(page: Any, name: str, at: str) -> None:
    page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, name)


def test_a_coach_imports_a_call_and_uses_it_as_evidence(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    coach_id, rep_id, rep, phrases = _coach_and_rep(server)
    before = len(_calls(server, rep_id))
    transcript = tmp_path / FILE_NAME
    transcript.write_text(_vtt(phrases), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(ROUND_TRIP_MS)
    facilitate = f"{pillar('facilitate').path}?coach={coach_id}&rep={rep_id}"
    open_workbook(page, server, facilitate)
    open_tab(page, "2. Prep")
    panel = ".ck-prep-call-upload"

    # A broken file: one line beside the upload, nothing written.
    broken = tmp_path / "broken.vtt"
    broken.write_text("WEBVTT\n\n1\n00:00:99.000 --> soon\nHi\n", encoding="utf-8")
    _choose(page, panel, broken)
    report = page.locator(f"{panel} .ck-call-report")
    expect(report).to_contain_text("broken.vtt")
    expect(report).to_contain_text("Nothing was imported")
    assert len(_calls(server, rep_id)) == before

    # The real transcript: who is who, then import.
    _choose(page, panel, transcript)
    sides = page.locator(f"{panel} .ck-call-side")
    expect(sides).to_have_count(2)
    expect(page.locator(f"{panel} .ck-call-speakers")).to_contain_text(BUYER_SPEAKER)
    button = page.locator(f"{panel} button.ck-call-import, {panel} .ck-call-import")
    expect(button).to_be_disabled()
    sides.filter(has_text=REP_SPEAKER).locator("select").select_option(label="The rep")
    sides.filter(has_text="Quill").locator("select").select_option(
        label="The buyer's side"
    )
    _shot(page, "calls-1-who-is-who", panel)
    expect(button).to_be_enabled()
    button.click()
    expect(report).to_contain_text("added")
    calls = _calls(server, rep_id)
    assert len(calls) == before + 1
    ours = calls[calls["title"].str.contains("acme-discovery")].iloc[0]
    assert ours["talk_share"] == pytest.approx(0.4)

    # Prep: the call's numbers, and the moments under the focus behaviours.
    listing = page.locator(".ck-prep-calls")
    expect(listing).to_contain_text("acme-discovery")
    expect(listing).to_contain_text("40%")
    moments = page.locator(".ck-prep-call-evidence")
    first_id, first_phrase = phrases[0]
    second_id, second_phrase = phrases[1]
    first = moments.locator(f".ck-call-evidence-{first_id} .ck-hit").filter(
        has_text=f"Can we talk about {first_phrase}"
    )
    expect(first).to_have_count(1)
    _shot(page, "calls-2-prep", ".ck-prep-calls")
    first.locator(".ck-hit-use").click()
    expect(first.locator(".ck-problem")).to_contain_text("Used as evidence")
    second = moments.locator(f".ck-call-evidence-{second_id} .ck-hit").filter(
        has_text=f"And {second_phrase} for you"
    )
    second.locator(".ck-hit-dismiss").click()
    expect(second).to_have_count(0)  # set aside: gone from the list
    call_id = int(ours["call_id"])
    decided = {
        h.phrase: h.status for h in _hits(server, rep_id) if h.call_id == call_id
    }
    assert decided[first_phrase] == "confirmed"
    assert decided[second_phrase] == "dismissed"

    # Observe: the moment kept as evidence sits under its behaviour's row.
    open_tab(page, "3. Observe")
    page.locator(".ck-start-observing").click()
    row = page.locator(f".ck-call-evidence-{first_id}")
    expect(row).to_contain_text(f"Can we talk about {first_phrase}")
    expect(row).to_contain_text("Used as evidence")
    _shot(page, "calls-3-observe", f".ck-call-evidence-{first_id}")

    # The same file again: updated, not doubled, and nobody is asked who is who.
    _choose(page, ".ck-observe-call-upload", transcript)
    again = page.locator(".ck-observe-call-upload")
    expect(again.locator(".ck-call-report")).to_contain_text("Ready to import")
    expect(again.locator(".ck-call-side")).to_have_count(0)
    again.locator(".ck-call-import").click()
    expect(again.locator(".ck-call-report")).to_contain_text("updated")
    assert len(_calls(server, rep_id)) == before + 1
    kept = {h.phrase: h.status for h in _hits(server, rep_id) if h.call_id == call_id}
    assert kept == decided, "a re-import forgot what the coach decided"

    # Assess: the evidence is there with the rating.
    prioritize = f"{pillar('prioritize').path}?coach={coach_id}&rep={rep_id}"
    open_workbook(page, server, prioritize)
    open_tab(page, "5. Assess")
    assess = page.locator(f".ck-call-evidence-{first_id}")
    expect(assess).to_contain_text(f"Can we talk about {first_phrase}")
    expect(assess).to_contain_text("Used as evidence")
    _shot(page, "calls-4-assess", f".ck-call-evidence-{first_id}")

    # Improve: the rep's recorded calls in the leading signs.
    improve = f"{pillar('improve').path}?coach={coach_id}&rep={rep_id}"
    open_workbook(page, server, improve)
    open_tab(page, "3. Leading signs")
    signs = page.locator(".ck-signs-calls")
    expect(signs).to_contain_text("Recorded calls")
    expect(signs).to_contain_text(rep)
    _shot(page, "calls-5-improve", ".ck-signs-calls")
    context.close()


def test_a_call_on_a_phone(server: Server, browser: Any, tmp_path: Path) -> None:
    coach_id, rep_id, _rep, _phrases = _coach_and_rep(server)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(ROUND_TRIP_MS)
    open_workbook(
        page, server, f"{pillar('facilitate').path}?coach={coach_id}&rep={rep_id}"
    )
    open_tab(page, "2. Prep")
    listing = page.locator(".ck-prep-calls")
    expect(listing).to_contain_text("Recorded calls")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page runs {width - 390} px past a phone's screen"
    _shot(page, "calls-6-phone", ".ck-prep-calls")
    context.close()
