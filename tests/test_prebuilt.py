"""Served pages come sooner (issue 7, benchmarks/RESULTS.md), and stay right.

A preheated kernel builds its workbook before the visitor comes and keeps it only
when it is right for them: the page's answer went from 0.3-0.6 s to 0.04 s. In
single-user mode a page address without ``?coach=`` gets the first coach, so a
kernel in the pool builds that page while it waits. Once the visitor comes, the page
is thrown away if they asked for another coach or if anything was saved to the store
in between.

These tests open the pages in Chromium and read what reached it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import (
    READY_TIMEOUT_MS,
    Server,
    open_workbook,
    serving_pooled,
)

from coachkit.apps.base import BUILT_EARLY_CLASS
from coachkit.model.pillars import PILLARS
from coachkit.model.users import add_user
from coachkit.store import queries
from coachkit.store.database import open_store

EARLY = f".coachkit-app.{BUILT_EARLY_CLASS}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[Server]:
    """``coachkit serve`` with its default pools, each kernel built and waiting."""
    with serving_pooled(demo_db, tmp_path_factory.mktemp("prebuilt")) as running:
        yield running


def _teams(db: Path) -> dict[str, tuple[int, list[str]]]:
    """Each plain coach, in the picker's order: their id and their reps' names."""
    store = open_store(db)
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            roster = queries.roster(conn, None)
    finally:
        store.dispose()
    plain = coaches[coaches["role"] == "coach"]
    return {
        str(row.coach): (
            int(row.coach_id),
            list(roster[roster["coach_id"] == row.coach_id]["rep"]),
        )
        for row in plain.itertuples()
    }


def _open(page: Any, server: Server, path: str) -> list[str]:
    """Open a workbook; return every WebSocket message that reached the page."""
    frames: list[str] = []

    def keep(payload: str | bytes) -> None:
        text = payload if isinstance(payload, str) else payload.decode("latin-1")
        frames.append(text)

    page.on("websocket", lambda ws: ws.on("framereceived", keep))
    open_workbook(page, server, path)
    return frames


def test_a_page_without_a_coach_was_built_before_the_visitor_came(
    served: Server, watched: Any
) -> None:
    teams = _teams(served.db)
    first = next(iter(teams))
    page = watched.page
    _open(page, served, PILLARS[0].path)

    page.locator(EARLY).wait_for(timeout=READY_TIMEOUT_MS)
    assert page.locator(".coachkit-app").count() == 1
    picker = page.locator(".ck-coach-picker select")
    chosen = picker.evaluate("s => s.options[s.selectedIndex].text")
    assert chosen.replace("\xa0", " ") == first  # a Dropdown shows no-break spaces
    shown = page.locator(".coachkit-app").inner_text().replace("\xa0", " ")
    assert any(rep in shown for rep in teams[first][1])
    assert watched.errors == []


def test_another_coach_gets_a_new_page_and_nothing_of_the_first(
    served: Server, watched: Any
) -> None:
    teams = _teams(served.db)
    first, second = list(teams)[:2]
    page = watched.page
    asked = teams[second][0]
    frames = _open(page, served, f"{PILLARS[0].path}?coach={asked}")

    assert page.locator(EARLY).count() == 0
    sent = "".join(frames)
    assert any(rep in sent for rep in teams[second][1])
    # The page built for the first coach while the kernel waited is closed: the
    # browser is sent every live widget, so none of their reps may be in it.
    leaked = [rep for rep in teams[first][1] if rep in sent]
    assert leaked == [], f"the first coach's reps reached the page: {leaked}"
    assert page.locator(".coachkit-app").count() == 1
    assert watched.errors == []


def test_a_save_after_the_page_was_built_shows_on_it(
    served: Server, watched: Any
) -> None:
    store = open_store(served.db)
    try:
        with store.write() as conn:  # the Improve kernels built their pages already
            add_user(conn, "Nadia Newcomer")
    finally:
        store.dispose()
    page = watched.page
    _open(page, served, PILLARS[2].path)

    assert page.locator(EARLY).count() == 0
    options = page.locator(".ck-coach-picker select option").all_inner_texts()
    assert "Nadia Newcomer" in [text.replace("\xa0", " ") for text in options]
    assert watched.errors == []
