"""A plugin's tab in the served Improve workbook, in headless Chromium.

Issue 10's done-when for the extension point: ``coachkit serve`` runs with
``COACHKIT_PLUGINS=example_plugin`` (this folder on ``PYTHONPATH``), and the coach
opens the plugin's "Notes count" tab and reads the number of reflections they wrote.
This test starts its own server (the shared one runs without plugins) and stops it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from browser_fixtures import (
    Server,
    Watched,
    open_tab,
    open_workbook,
    quiet_env,
    screenshot,
    serving,
)

from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import open_store

pytestmark = pytest.mark.browser

TESTS = Path(__file__).resolve().parent
ROUND_TRIP_MS = 30_000


@pytest.fixture(scope="module")
def plugin_server(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``coachkit serve`` on a copy of the demo store, with the example plugin."""
    tmp = tmp_path_factory.mktemp("browser-plugin")
    db = tmp / "store.db"
    shutil.copy(demo_db, db)
    env = quiet_env(tmp / "home")
    env["COACHKIT_PLUGINS"] = "example_plugin"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p
    )
    with serving(db, tmp, env) as (running, _proc):
        yield running


def _first_coach_reflections(server: Server) -> int:
    """How many reflections the coach the workbook opens on has written."""
    store = open_store(str(server.db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
            r = s.reflections
            query = sa.select(sa.func.count()).where(r.c.coach_id == coach)
            return int(conn.execute(query).scalar_one())
    finally:
        store.dispose()


def test_the_plugin_tab_shows_in_the_served_workbook(
    plugin_server: Server, watched: Watched
) -> None:
    from playwright.sync_api import expect

    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    expected = _first_coach_reflections(plugin_server)
    open_workbook(page, plugin_server, pillar("improve").path)

    titles = page.locator(".ck-tabs .lm-TabBar-tab")
    expect(titles.last).to_have_text("Notes count")
    expect(titles.nth(0)).to_have_text("1. Look back")
    open_tab(page, "Notes count")
    expect(page.locator(".ck-notes-count")).to_have_text(
        f"You have written {expected} reflections.", timeout=ROUND_TRIP_MS
    )
    status = page.locator(".ck-status-line")
    expect(status).not_to_contain_text("could not")
    screenshot(page, "improve-plugin-tab")
    assert not watched.errors, watched.errors
    assert watched.outside_requests(plugin_server) == []
