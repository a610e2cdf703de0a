"""A CSV file through the workbook's upload button, in Chromium.

The coach picks a file on the Team tab: a broken file lists its problems (user text
shown as text) and saves nothing; a clean file shows what it would add, and Import
saves it and puts the new rep in the roster. Files of 11 MiB and 50 MB reach the
check; a file over the page's limit is refused in words before it is sent. Runs as
the second coach, so the other browser tests' first coach keeps the demo team as it
was.
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
from coachkit.web.serve import UPLOAD_LIMIT_BYTES

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


def _big_reps_csv(path: Path, size: int) -> int:
    """A clean reps file of at least ``size`` bytes; return its number of rows."""
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Role,Start Date\n")
        while out.tell() < size:
            out.write(f"Upload Rep {rows:07d},Account Executive,2026-01-05\n")
            rows += 1
    return rows


def test_big_files_reach_the_check_and_a_too_big_one_is_refused_in_words(
    server: Server, watched: Watched, tmp_path: Path
) -> None:
    # Tornado's default limit (10 MiB) closed the page's connection without a word
    # on a bigger upload, and every later upload went nowhere (issue #23).
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    coach_id, _ = _second_coach(server)
    open_workbook(page, server, f"{pillar('prioritize').path}?coach={coach_id}")
    open_tab(page, "1. Team")
    page.locator(".ck-import-kind select").select_option(label="Reps")
    report = page.locator(".ck-import-report")
    refused = page.locator(".coachkit-upload-refused")

    def choose(path: Path) -> None:
        with page.expect_file_chooser() as chooser:
            page.locator(".ck-import-file").click()
        chooser.value.set_files(str(path))

    for name, size in (("eleven.csv", 11 * 2**20), ("fifty.csv", 50 * 10**6)):
        big = tmp_path / name
        rows = _big_reps_csv(big, size)
        choose(big)
        expect(report).to_contain_text(f"{rows:,} added", timeout=180_000)
        expect(page.locator(".ck-status-line")).to_contain_text(
            f"{name} is ready to import"
        )
        screenshot(page, f"import-big-{name}")
    assert refused.count() == 0
    assert _rep_rows(server, "Upload Rep 0000000") == 0  # checked, not imported

    # Over the page's limit: refused before anything is sent, in words, beside the
    # button; the page keeps working.
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:
        out.truncate(UPLOAD_LIMIT_BYTES + 2**20)
    choose(huge)
    expect(refused).to_contain_text("huge.csv is 201.0 MB, more than this page takes")
    expect(refused).to_contain_text("Nothing was sent")
    expect(refused).to_contain_text("coachkit import")
    # The file chosen before is let go: Import cannot import it by mistake.
    expect(report).to_have_text("")
    expect(page.locator(".ck-import-run button, button.ck-import-run")).to_be_disabled()
    screenshot(page, "import-big-refused")
    small = tmp_path / "small.csv"
    small.write_text(
        "Name,Role,Start Date\nSmall Upload Rep,Account Executive,2026-01-05\n",
        encoding="utf-8",
    )
    choose(small)
    expect(report).to_contain_text("1 added")
    expect(refused).to_have_count(0)
    assert not watched.errors, watched.errors
