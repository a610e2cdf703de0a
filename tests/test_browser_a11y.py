"""An accessibility audit of every tab of every workbook, as a coach and as a lead.

axe-core (the audit most accessibility teams use; its script comes bundled in the
``axe-playwright-python`` package, taken from the npm registry's ``axe-core``) runs
inside the served page after each tab is opened, and no serious or critical
violation may be found: every control named, text with enough contrast, every
picture with a text alternative.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import Server, Watched, open_tab, open_workbook

from coachkit.model.pillars import PILLARS, pillar

pytestmark = pytest.mark.browser

#: Violations this bad fail the audit (axe's "minor" and "moderate" are reported).
BLOCKING = ("serious", "critical")


def axe_script() -> str:
    """axe-core's script, as the ``axe-playwright-python`` package ships it."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def audit(page: Any, script: str) -> list[str]:
    """Run axe-core on the page as it is; one line per serious or critical issue."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(script)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']}))"
        ".violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + json.dumps([n["target"] for n in v["nodes"][:3]])
        for v in found
        if v["impact"] in BLOCKING
    ]


def settled_audit(page: Any, script: str) -> list[str]:
    """Audit a tab once it is drawn: the kernel may still be sending its widgets
    for a moment after the tab opens, so a finding is checked again a little later
    and only what stays is reported."""
    found: list[str] = []
    for wait in (500, 1500, 3000):
        page.wait_for_timeout(wait)
        found = audit(page, script)
        if not found:
            break
    return found


def coach_ids(server: Server) -> dict[str, int]:
    """The first coach and the lead of the demo store, by role."""
    from coachkit.store import queries

    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
    return {
        role: int(coaches[coaches["role"] == role]["coach_id"].iloc[0])
        for role in ("coach", "lead")
    }


@pytest.mark.parametrize(
    ("role", "width"), [("coach", 1280), ("lead", 1280), ("coach", 390)]
)
@pytest.mark.parametrize("key", [p.key for p in PILLARS])
def test_no_serious_accessibility_problem_on_any_tab(
    server: Server, watched: Watched, key: str, role: str, width: int
) -> None:
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    open_workbook(page, server, f"{pillar(key).path}?coach={coach_ids(server)[role]}")
    script = axe_script()
    titles = page.locator(".ck-tabs .lm-TabBar-tab").all_inner_texts()
    assert len(titles) >= 6
    problems: dict[str, list[str]] = {}
    for title in titles:
        open_tab(page, title)
        found = settled_audit(page, script)
        if found:
            problems[title] = found
    assert problems == {}, f"axe-core on {key}, {role}, {width} px: {problems}"


@pytest.mark.parametrize("width", [390, 1280])
def test_no_serious_accessibility_problem_on_the_reps_own_page(
    server: Server, watched: Watched, width: int
) -> None:
    """The rep's page (workbook 4, #28), opened with their link, as they see it."""
    from test_browser_rep_page import rep_link

    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    open_workbook(page, server, rep_link(server))
    assert page.locator(".ck-my-action").count() > 0
    found = settled_audit(page, axe_script())
    assert found == [], f"axe-core on the rep's page, {width} px: {found}"
