"""A CSV file through the workbook's upload button, in Chromium.

The coach picks a file on the Team tab: a broken file lists its problems (user text
shown as text) and saves nothing; a clean file shows what it would add, and Import
saves it and puts the new rep in the roster. Runs as the second coach, so the other
browser tests' first coach keeps the demo team as it was.
"""

from __future__ import annotations

from pathlib import Path

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

from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.store import schema as s

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
NEW_REP = "Ines <i>Import</i> Test"


def _second_coach(server: Server) -> tuple[int, str]:
    with server.store() as store, store.read() as conn:
        coaches = queries.coaches(conn)
    row = coaches[coaches["role"] == "coach"].iloc[1]
    return int(row["coach_id"]), str(row["coach"])


def _rep_rows(server: Server, name: str) -> int:
    query = sa.select(sa.func.count()).where(s.reps.c.name == name)
    with server.store() as store, store.read() as conn:
        return int(conn.execute(query).scalar_one())


def test_upload_a_broken_then_a_clean_file(
    server: Server, watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    coach_id, _ = _second_coach(server)
    open_workbook(page, server, f"{pillar('prioritize').path}?coach={coach_id}")
    open_tab(page, "1. Team")
    page.locator(".ck-import-kind select").select_option(label="Reps")

    def choose(path: Path) -> None:
        """Click the upload button and pick the file, as a user does."""
        with page.expect_file_chooser() as chooser:
            page.locator(".ck-import-file").click()
        chooser.value.set_files(str(path))

    broken = tmp_path / "broken.csv"
    broken.write_text(f"name,start_date\n{NEW_REP},31/01/2026\n", encoding="utf-8")
    choose(broken)
    problems = page.locator(".ck-import-problems")
    expect(problems).to_contain_text("broken.csv was not imported")
    expect(problems).to_contain_text("row 2, column 'start_date'")
    expect(page.locator(".ck-import-run button, button.ck-import-run")).to_be_disabled()
    assert _rep_rows(server, NEW_REP) == 0
    screenshot(page, "import-1-problems")

    clean = tmp_path / "team.csv"
    clean.write_text(
        f"Name,Role,Start Date\n{NEW_REP},Account Executive,2026-01-05\n",
        encoding="utf-8",
    )
    choose(clean)
    expect(page.locator(".ck-import-report")).to_contain_text("1 added")
    page.locator(".ck-import-run").click()
    expect(page.locator(".ck-status-line")).to_contain_text(
        "Imported 1 rep from team.csv"
    )
    expect(page.locator(".ck-roster")).to_contain_text(NEW_REP)
    assert page.locator(".ck-roster i").count() == 0
    assert _rep_rows(server, NEW_REP) == 1
    screenshot(page, "import-2-imported")
    assert not watched.errors, watched.errors
