"""The view kept in the page address, in Chromium (issue #22).

A coach picks a rep, a tab and a period; the address follows without a reload;
reloading the page opens the same view; a link with ``?rep=N`` opens that rep; a
link naming another coach's rep opens the coach's own view with a quiet note that
does not say whose rep it was. Set ``COACHKIT_SCREENSHOTS`` to keep screenshots.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from browser_fixtures import (
    Server,
    Watched,
    expect,
    open_tab,
    open_workbook,
    screenshot,
    wait_until_built,
)

from coachkit.model.pillars import pillar
from coachkit.store import queries

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
CURRENT_TAB = ".ck-tabs .lm-TabBar-tab.lm-mod-current"


def _teams(server: Server) -> tuple[int, Any, Any]:
    """The first plain coach, their roster, and another coach's roster."""
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
        plain = [int(c) for c in coaches[coaches["role"] == "coach"]["coach_id"]]
        return (
            plain[0],
            queries.roster(conn, plain[0]),
            queries.roster(conn, plain[1]),
        )


def _asked(page: Any) -> dict[str, str]:
    """The page address's query, one value per word."""
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _wait_for_address(page: Any, **wanted: str) -> None:
    """Wait until the address holds ``wanted`` (coachkit.js writes it)."""
    page.wait_for_function(
        """(wanted) => {
            const p = new URLSearchParams(window.location.search);
            return Object.entries(wanted).every(([k, v]) => p.get(k) === v);
        }""",
        arg=wanted,
        timeout=ROUND_TRIP_MS,
    )


def test_the_view_survives_a_reload_and_a_link_opens_it(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    coach, roster, _ = _teams(server)
    rep = roster.iloc[1]
    path = pillar("improve").path
    open_workbook(page, server, f"{path}?coach={coach}")
    # Tabs not opened yet hold a loading message a screen reader announces.
    loading = page.locator(".ck-tab-loading [role='status']")
    assert loading.count() >= 1
    expect(loading.first).to_have_text("Loading…", timeout=ROUND_TRIP_MS)

    page.locator(".ck-rep-picker select").select_option(label=str(rep.rep))
    expect(page.locator(".ck-status-line")).to_contain_text(
        f"Showing {rep.rep}.", timeout=ROUND_TRIP_MS
    )
    page.locator(".ck-period-picker select").select_option(label="Last 12 months")
    open_tab(page, "3. Leading signs")
    expect(page.locator(".ck-signs-sentence")).to_contain_text(
        str(rep.rep), timeout=ROUND_TRIP_MS
    )
    _wait_for_address(page, coach=str(coach), rep=str(rep.rep_id), tab="3", period="12")
    assert page.url.startswith(server.url)  # the same page: no reload, no jump
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator(".ck-copy-link").click()
    expect(page.locator(".ck-copy-done")).to_have_text(
        "Link copied. Paste it to share this view.", timeout=ROUND_TRIP_MS
    )
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    screenshot(page, "address-1-picked")

    page.reload()
    wait_until_built(page, server)
    expect(page.locator(CURRENT_TAB)).to_have_text(
        "3. Leading signs", timeout=ROUND_TRIP_MS
    )
    picked = page.locator(".ck-rep-picker select option:checked")
    expect(picked).to_have_text(str(rep.rep), timeout=ROUND_TRIP_MS)
    period = page.locator(".ck-period-picker select option:checked")
    expect(period).to_have_text("Last 12 months", timeout=ROUND_TRIP_MS)
    expect(page.locator(".ck-signs-sentence")).to_contain_text(
        str(rep.rep), timeout=ROUND_TRIP_MS
    )
    assert _asked(page) == {
        "coach": str(coach),
        "rep": str(rep.rep_id),
        "tab": "3",
        "period": "12",
    }
    screenshot(page, "address-2-reloaded")

    # A colleague's link names only the rep: it opens that rep's look back.
    other = roster.iloc[2]
    page.goto(f"{server.url}{path.lstrip('/')}?rep={int(other.rep_id)}")
    wait_until_built(page, server)
    expect(page.locator(".ck-rep-picker select option:checked")).to_have_text(
        str(other.rep), timeout=ROUND_TRIP_MS
    )
    expect(page.locator(".ck-retro-headline")).to_contain_text(
        str(other.rep), timeout=ROUND_TRIP_MS
    )
    expect(page.locator(CURRENT_TAB)).to_have_text(
        "1. Look back", timeout=ROUND_TRIP_MS
    )
    assert not watched.errors, watched.errors
    assert watched.outside_requests(server) == []


def test_a_link_to_another_coachs_rep_is_skipped_without_naming_them(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    coach, roster, foreign = _teams(server)
    stranger = foreign.iloc[0]
    path = pillar("improve").path
    open_workbook(
        page, server, f"{path}?coach={coach}&rep={int(stranger.rep_id)}&tab=2"
    )
    status = page.locator(".ck-status-line")
    expect(status).to_contain_text(
        "Part of the link was skipped: the rep was not", timeout=ROUND_TRIP_MS
    )
    expect(page.locator(".ck-retro-team")).to_contain_text(
        str(roster.iloc[0].rep), timeout=ROUND_TRIP_MS
    )
    expect(page.locator(CURRENT_TAB)).to_have_text(
        "2. What worked", timeout=ROUND_TRIP_MS
    )
    text = page.locator("#rendered_cells").inner_text()
    assert str(stranger.rep) not in text
    _wait_for_address(page, coach=str(coach), tab="2")
    assert "rep" not in _asked(page)  # the address forgets the stranger
    screenshot(page, "address-3-foreign-rep")
    assert not watched.errors, watched.errors
