"""A team's own workbook, served with ``coachkit serve --workbooks``, in Chromium.

The analyst's journey ends with coaches using their workbook: a customised copy of
Improve in a folder of its own, served beside the three. The landing page lists it;
a coach signed in through a trusted header opens it and reads its own text with
their own team only, in coachkit's page, and the browser cannot run code in its
kernel. The test starts its own server (the shared one serves only the three).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser_fixtures import (
    READY,
    READY_TIMEOUT_MS,
    Server,
    Watched,
    log_tail,
    quiet_env,
    screenshot,
    serving,
)
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.model.pillars import PILLARS
from coachkit.store import queries
from coachkit.store.database import open_store
from coachkit.web.serve import workbooks_dir

pytestmark = pytest.mark.browser

OWN = "west_review.ipynb"
OWN_TITLE = "The West team's monthly review"
HEADER = "X-Forwarded-User"
LOGINS = ("ann", "bo")


@dataclass
class Team:
    """The server, and for each sign-in name the coach and their reps."""

    server: Server
    coach: dict[str, str]
    reps: dict[str, list[str]]


def _customised(folder: Path) -> Path:
    """What an analyst makes: a copy of Improve, renamed, with a text of its own."""
    folder.mkdir()
    notebook = nbformat.read(workbooks_dir() / "3_improve.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {OWN_TITLE}"))
    nbformat.write(notebook, folder / OWN)
    return folder


@pytest.fixture(scope="module")
def team(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """``coachkit serve --workbooks DIR --trusted-header X-Forwarded-User`` on a copy
    of the demo store whose first two coaches sign in as ann and bo."""
    tmp = tmp_path_factory.mktemp("own-workbooks")
    db = tmp / "store.db"
    shutil.copy(demo_db, db)
    store = open_store(str(db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            rows = coaches[coaches["role"] == "coach"].iloc[:2]
            coach = dict(zip(LOGINS, rows["coach"], strict=True))
            reps = {
                login: [str(r) for r in queries.roster(conn, int(cid))["rep"]]
                for login, cid in zip(LOGINS, rows["coach_id"], strict=True)
            }
    finally:
        store.dispose()
    for login, name in coach.items():
        done = CliRunner().invoke(
            main, ["users", "change", name, "--login", login, "--db", str(db)]
        )
        assert done.exit_code == 0, done.output
    folder = _customised(tmp / "team-workbooks")
    options = ("--workbooks", str(folder), "--trusted-header", HEADER)
    with serving(db, tmp, quiet_env(tmp / "home"), *options) as (running, _proc):
        yield Team(running, coach, reps)


def _signed_in(browser: Any, login: str) -> Watched:
    """A page whose every request carries ``login`` in the trusted header."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, extra_http_headers={HEADER: login}
    )
    seen = Watched(context.new_page())
    seen.page.on("request", lambda request: seen.urls.append(request.url))
    seen.page.on("pageerror", lambda exc: seen.errors.append(f"page error: {exc}"))
    return seen


def _close(seen: Watched) -> None:
    seen.page.close(run_before_unload=True)
    seen.page.context.close()


def _open_own(seen: Watched, team: Team) -> str:
    """From the landing page, open the team's workbook; return the text it shows."""
    page = seen.page
    page.goto(team.server.url)
    link = page.get_by_role("link", name=re.compile("west review"))
    assert link.get_attribute("href") == f"/voila/render/{OWN}"
    link.click()
    page.wait_for_url(f"**/voila/render/{OWN}")
    page.locator("#rendered_cells").wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    try:
        page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    except Exception:
        shown = page.locator("#rendered_cells").inner_text()
        pytest.fail(f"{OWN} did not build: {shown[:500]}\n{log_tail(team.server.log)}")
    text: str = page.evaluate(
        "() => document.body.innerText + '\\n' + Array.from("
        "document.querySelectorAll('option'), o => o.textContent).join('\\n')"
    )
    return text


def test_the_landing_page_lists_the_teams_workbook_beside_the_three(
    team: Team, browser: Any
) -> None:
    seen = _signed_in(browser, "ann")
    try:
        page = seen.page
        page.goto(team.server.url)
        for pillar in PILLARS:
            link = page.get_by_role("link", name=re.compile(re.escape(pillar.title)))
            assert link.get_attribute("href") == pillar.path
        own = page.locator(".coachkit-own-workbooks a")
        assert own.count() == 1
        assert "west review" in own.inner_text()
        assert page.get_by_role("heading", name="Your team's own workbooks").count()
        screenshot(page, "landing-own-workbooks")
    finally:
        _close(seen)


@pytest.mark.parametrize("login", LOGINS)
def test_a_coach_opens_the_teams_workbook_with_their_own_team(
    team: Team, browser: Any, login: str
) -> None:
    seen = _signed_in(browser, login)
    try:
        text = _open_own(seen, team)
        assert OWN_TITLE in text  # the analyst's own content
        assert PILLARS[2].title in text  # the Improve workbook it was copied from
        other = next(name for name in LOGINS if name != login)
        assert team.coach[login] in text
        assert team.coach[other] not in text
        assert [rep for rep in team.reps[other] if rep in text] == []
        # coachkit's page, nothing from another host, nothing broken.
        body = seen.page.locator("body")
        assert "coachkit-page" in (body.get_attribute("class") or "")
        assert seen.page.locator(".voila-error").count() == 0
        assert seen.outside_requests(team.server) == []
        assert seen.errors == []
        screenshot(seen.page, f"own-workbook-{login}")
    finally:
        _close(seen)


def test_the_browser_cannot_run_code_in_the_teams_workbook(
    team: Team, browser: Any
) -> None:
    seen = _signed_in(browser, "ann")
    try:
        _open_own(seen, team)
        marker = team.server.tmp / "own-code-ran.txt"
        code = f"open({str(marker)!r}, 'w').write('the browser ran code')"
        replies = seen.page.evaluate(
            """async (code) => {
              const config = JSON.parse(
                document.getElementById("jupyter-config-data").textContent);
              const ws = new WebSocket(
                `ws://${location.host}/api/kernels/${config.kernelId}/channels`);
              const replies = [];
              ws.onmessage = (event) => replies.push(JSON.parse(event.data).msg_type);
              await new Promise((resolve, reject) => {
                ws.onopen = resolve;
                ws.onerror = reject;
              });
              const send = (msgType, content) => ws.send(JSON.stringify({
                header: {msg_id: crypto.randomUUID(), msg_type: msgType, session: "t",
                         username: "t", version: "5.3", date: new Date().toISOString()},
                parent_header: {}, metadata: {}, content, channel: "shell",
                buffers: [],
              }));
              send("execute_request", {code, silent: false, store_history: false,
                                       user_expressions: {}, allow_stdin: false});
              send("kernel_info_request", {});
              await new Promise((resolve) => setTimeout(resolve, 3000));
              ws.close();
              return replies;
            }""",
            code,
        )
        assert "kernel_info_reply" in replies  # the channel works ...
        assert "execute_reply" not in replies  # ... but code is dropped
        assert not marker.exists()
    finally:
        _close(seen)
