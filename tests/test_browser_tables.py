"""Tables people can use, in Chromium (issue #25).

A coach sorts the team table by a column with the mouse and with the keyboard and
reads the rows in the new order (days as days, an empty cell last either way); a
lead filters the long table of every coach's reps, then finds a rep by typing part
of a name into "Find a rep". The test reads the same store as the server to know
what the screens should say. Set ``COACHKIT_SCREENSHOTS`` to keep screenshots.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from browser_fixtures import (
    Server,
    Watched,
    expect,
    open_tab,
    open_workbook,
    screenshot,
)

from coachkit.model.formats import day
from coachkit.model.pillars import pillar
from coachkit.store import queries

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
TEAM = ".ck-roster table.ck-table"
FILTER_FROM = 11  # rows: a shorter table has no filter box


def _people(server: Server) -> tuple[int, int, pd.DataFrame]:
    """The first plain coach, the lead, and every active rep."""
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
        roster = queries.roster(conn, None)
    coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
    lead = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
    return coach, lead, roster


def _column(page: Any, heading: str, table: str = TEAM) -> list[str]:
    """The cells of one column of a table, top to bottom, as shown."""
    headings = page.locator(f"{table} thead th").all_inner_texts()
    at = [h.strip() for h in headings].index(heading) + 1
    cells = page.locator(f"{table} tbody tr:visible td:nth-child({at})")
    return [c.strip() for c in cells.all_inner_texts()]


def _days(values: pd.Series) -> list[str]:
    """Days as the table writes them, an empty cell for none, in stored order."""
    return ["" if pd.isna(v) else day(pd.Timestamp(v)) for v in values]


def _labels(roster: pd.DataFrame) -> list[str]:
    """The lead's Rep picker: each rep with their team, by coach and then rep."""
    ordered = roster.sort_values(["coach", "rep"], key=lambda c: c.str.casefold())
    return [f"{r.rep} — {r.coach}'s team" for r in ordered.itertuples()]


def _found(labels: list[str], typed: str) -> list[str]:
    """The labels that hold every word of ``typed``, as the search finds them."""
    words = typed.casefold().split()
    return [label for label in labels if all(w in label.casefold() for w in words)]


def _button(page: Any, heading: str, table: str = TEAM) -> Any:
    """A table's column heading, a button."""
    return page.locator(table).get_by_role("button", name=heading, exact=True)


def _header(page: Any, heading: str) -> Any:
    button = page.get_by_role("button", name=heading, exact=True)
    return page.locator(f"{TEAM} thead th", has=button)


def test_a_coach_sorts_the_team_by_clicking_and_with_the_keyboard(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    coach, _lead, roster = _people(server)
    mine = roster[roster["coach_id"] == coach]
    open_workbook(page, server, f"{pillar('prioritize').path}?coach={coach}")
    expect(page.locator(f"{TEAM} tbody tr")).to_have_count(len(mine))
    assert _column(page, "Rep") == list(mine["rep"])  # as drawn: by name

    # Days sort as days, not as words ("10 January" before "2 August").
    _button(page, "Started").click()
    by_start = mine.sort_values("start_date", kind="stable")
    assert _column(page, "Started") == _days(by_start["start_date"])
    assert _column(page, "Rep") == list(by_start["rep"])
    expect(_header(page, "Started")).to_have_attribute("aria-sort", "ascending")
    expect(_header(page, "Rep")).not_to_have_attribute("aria-sort", "ascending")
    _button(page, "Started").click()
    expect(_header(page, "Started")).to_have_attribute("aria-sort", "descending")
    newest = mine.sort_values("start_date", ascending=False, kind="stable")
    assert _column(page, "Rep") == list(newest["rep"])
    screenshot(page, "tables-1-sorted-by-start")

    # The keyboard: Tab reaches the next heading; Enter sorts, Space reverses.
    _button(page, "Rep").focus()
    page.keyboard.press("Tab")
    expect(_button(page, "Role")).to_be_focused()
    last_coached = _button(page, "Last coached")
    last_coached.focus()
    page.keyboard.press("Enter")
    expect(_header(page, "Last coached")).to_have_attribute("aria-sort", "ascending")
    shown = _column(page, "Last coached")
    stored = mine["last_session"]
    assert stored.isna().any(), "a rep never coached: their empty cell goes last"
    filled = stored.dropna().sort_values(kind="stable")
    assert shown == _days(filled) + [""] * int(stored.isna().sum())
    page.keyboard.press("Space")
    expect(_header(page, "Last coached")).to_have_attribute("aria-sort", "descending")
    shown = _column(page, "Last coached")
    assert shown == _days(filled[::-1]) + [""] * int(stored.isna().sum())

    # A short table has no filter box.
    assert len(mine) < FILTER_FROM
    expect(page.locator(".ck-roster").get_by_label("Filter this table")).to_have_count(
        0
    )

    # Numbers sort as numbers: 58% comes before 101%, which words would not do.
    open_tab(page, "4. Performance")
    table = ".ck-team-performance table.ck-table"
    _button(page, "Quota", table).click()
    shown = _column(page, "Quota", table)
    quotas = [float(v.rstrip("%").replace(",", "")) for v in shown if v != "–"]
    assert len(quotas) > 1
    assert quotas == sorted(quotas)
    assert shown != sorted(shown), "these quotas read in another order as words"
    assert shown[len(quotas) :] == ["–"] * (len(shown) - len(quotas))
    assert not watched.errors, watched.errors
    assert watched.outside_requests(server) == []


def test_a_lead_filters_the_long_table_and_finds_a_rep_by_typing(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    _coach, lead, roster = _people(server)
    assert len(roster) >= FILTER_FROM
    open_workbook(page, server, f"{pillar('prioritize').path}?coach={lead}")
    rows = page.locator(f"{TEAM} tbody tr:visible")
    expect(rows).to_have_count(len(roster))

    # The filter keeps the rows that hold every word typed, in any column.
    box = page.get_by_label("Filter this table")
    expect(box).to_be_visible()
    segment = str(roster["segment"].iloc[0])
    coach = str(roster["coach"].iloc[-1])
    first = coach.split()[0].lower()
    box.fill(f"{segment.lower()}  {first}")
    wanted = roster[
        (roster["segment"] == segment)
        & (
            roster["coach"].str.lower().str.contains(first)
            | roster["rep"].str.lower().str.contains(first)
        )
    ]
    assert 0 < len(wanted) < len(roster)
    expect(rows).to_have_count(len(wanted))
    assert sorted(_column(page, "Rep")) == sorted(wanted["rep"])
    expect(page.locator(".ck-table-count")).to_have_text(
        f"Showing {len(wanted)} of {len(roster)} rows."
    )
    # Sorting a filtered table keeps the filter.
    _button(page, "Rep").click()
    _button(page, "Rep").click()
    assert _column(page, "Rep") == sorted(wanted["rep"], key=str.casefold)[::-1]
    screenshot(page, "tables-2-filtered")
    box.fill("nobody has these words")
    expect(rows).to_have_count(0)
    expect(page.locator(".ck-table-count")).to_have_text("No rows have these words.")
    box.fill("")
    expect(rows).to_have_count(len(roster))
    expect(page.locator(".ck-table-count")).to_have_text("")

    # Find a rep: the list is grouped by coach, and typing a name opens the rep.
    picker = page.locator(".ck-rep-picker select")
    labels = _labels(roster)
    expect(picker.locator("option")).to_have_text(labels)
    rep = next(r for r in roster.itertuples() if len(_found(labels, r.rep)) == 1)
    search = page.get_by_label("Find a rep:")
    search.press_sequentially(str(rep.rep).lower(), delay=30)
    expect(picker.locator("option:checked")).to_have_text(_found(labels, rep.rep))
    expect(page.locator(".ck-edit-name input")).to_have_value(str(rep.rep))
    expect(page.locator(".ck-rep-search-note")).to_have_text(
        "One match: it is open now."
    )

    # A coach's full name lists their team; picking one opens that rep.
    search.fill(coach)
    listed = _found(labels, coach)
    assert sum(label.endswith(f"— {coach}'s team") for label in listed) > 1
    expect(picker.locator("option")).to_have_text(listed)
    expect(page.locator(".ck-rep-search-note")).to_have_text(
        f"{len(listed)} matches. Pick one in the Rep list."
    )
    other = roster[roster["coach"] == coach].iloc[-1]
    picker.select_option(label=f"{other.rep} — {coach}'s team")
    expect(page.locator(".ck-edit-name input")).to_have_value(str(other.rep))
    screenshot(page, "tables-3-found-a-rep")
    assert not watched.errors, watched.errors
    assert watched.outside_requests(server) == []
