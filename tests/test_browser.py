"""coachkit in a real browser: ``coachkit serve`` driven in headless Chromium.

What only a browser shows: the landing page, each workbook building without errors
or outside requests, a closed tab freeing its kernel, a page saying so when its
kernel is gone, and the server refusing to run code, hand out notebooks or answer
for other host names. The server and browser fixtures live in ``browser_fixtures``
(Chromium and Playwright are required; missing either fails, never skips).
"""

from __future__ import annotations

import http.client
import inspect
import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import (
    READY,
    READY_TIMEOUT_MS,
    Server,
    Watched,
    open_workbook,
    screenshot,
)

from coachkit.model.pillars import PILLARS, Pillar
from coachkit.web.serve import BUILD_ERROR, REP_PAGE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def coach_names(server: Server) -> list[str]:
    """The coaches in the demo store, read the way the workbooks read them."""
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(str(server.db))
    try:
        with store.read() as conn:
            return [str(name) for name in queries.coaches(conn)["coach"]]
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def first_team(server: Server) -> list[str]:
    """The active reps of the coach a workbook opens on (the first coach)."""
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(str(server.db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            first = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
            return [str(name) for name in queries.roster(conn, first)["rep"]]
    finally:
        store.dispose()


def _kernel_id(page: Any) -> str:
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    kernel_id: str = config["kernelId"]
    return kernel_id


def test_landing_page_shows_the_three_pillars(server: Server, watched: Watched) -> None:
    page = watched.page
    page.goto(server.url)
    assert page.title() == "coachkit"
    assert page.locator("h1").inner_text() == "coachkit"
    for pillar in PILLARS:
        link = page.get_by_role("link", name=re.compile(re.escape(pillar.title)))
        assert link.get_attribute("href") == pillar.path
        assert pillar.purpose in link.inner_text()
    screenshot(page, "landing")

    page.get_by_role("link", name=re.compile(PILLARS[0].title)).click()
    page.wait_for_url(f"**{PILLARS[0].path}")
    page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    assert watched.outside_requests(server) == []
    assert watched.errors == []


@pytest.mark.parametrize("pillar", PILLARS, ids=[p.key for p in PILLARS])
def test_workbook_builds_cleanly(
    server: Server,
    watched: Watched,
    coach_names: list[str],
    first_team: list[str],
    pillar: Pillar,
) -> None:
    page = watched.page
    open_workbook(page, server, pillar.path)
    page.wait_for_timeout(500)  # let late widget views and console errors arrive

    assert page.locator(".voila-error").count() == 0
    text = page.locator(READY).inner_text()
    assert BUILD_ERROR not in text
    assert pillar.title in text
    # Read from the store: the coaches it offers in "Who are you?".
    assert any(name in text for name in coach_names), (coach_names, text[:500])
    # ... and the first coach's reps, in the workbook's first view.
    assert any(name in text for name in first_team), (first_team, text[:500])
    assert watched.errors == []
    assert watched.outside_requests(server) == []
    screenshot(page, pillar.notebook.removesuffix(".ipynb"))


def test_closing_a_tab_stops_its_kernel(server: Server, browser: Any) -> None:
    # Opened directly, without the landing page first (voila#1458).
    context = browser.new_context()
    page = context.new_page()
    open_workbook(page, server, PILLARS[-1].path)
    kernel = f"/api/kernels/{_kernel_id(page)}"
    assert server.get(kernel)[0] == 200
    page.wait_for_timeout(1000)  # the page fetches its _xsrf cookie
    page.close(run_before_unload=True)
    context.close()

    deadline = time.monotonic() + 15
    while server.get(kernel)[0] != 404:
        assert time.monotonic() < deadline, "the closed tab's kernel is still running"
        time.sleep(0.25)


def test_page_says_so_when_its_kernel_is_gone(server: Server, watched: Watched) -> None:
    page = watched.page
    open_workbook(page, server, PILLARS[1].path)
    notice = page.locator("#coachkit-stopped")
    assert notice.count() == 0
    # Stop the kernel the way culling does, then bring the tab back to the front.
    status = page.evaluate(
        """async (kernelId) => {
          const xsrf = (document.cookie.match(/(?:^|;\\s*)_xsrf=([^;]*)/) || [])[1];
          const form = new FormData();
          form.append("_xsrf", xsrf || "");
          const response = await fetch(`/voila/api/shutdown/${kernelId}`,
                                       {method: "POST", body: form});
          document.dispatchEvent(new Event("visibilitychange"));
          return response.status;
        }""",
        _kernel_id(page),
    )
    assert status == 204
    notice.wait_for(state="visible", timeout=10_000)
    assert "Reload the page" in notice.inner_text()


def test_browser_cannot_run_code(server: Server, watched: Watched) -> None:
    page = watched.page
    open_workbook(page, server, PILLARS[0].path)
    marker = server.tmp / "code-ran.txt"
    code = f"open({str(marker)!r}, 'w').write('the browser ran code')"
    replies = page.evaluate(
        """async ([kernelId, code]) => {
          const url = `ws://${location.host}/api/kernels/${kernelId}/channels`;
          const ws = new WebSocket(url);
          const replies = [];
          ws.onmessage = (event) => replies.push(JSON.parse(event.data).msg_type);
          await new Promise((resolve, reject) => {
            ws.onopen = resolve;
            ws.onerror = reject;
          });
          const send = (msgType, content) => ws.send(JSON.stringify({
            header: {msg_id: crypto.randomUUID(), msg_type: msgType, session: "t",
                     username: "t", version: "5.3", date: new Date().toISOString()},
            parent_header: {}, metadata: {}, content, channel: "shell", buffers: [],
          }));
          send("execute_request", {code, silent: false, store_history: false,
                                   user_expressions: {}, allow_stdin: false});
          // Asking about the kernel's objects would leak the store's location.
          send("inspect_request", {code: "open", cursor_pos: 4, detail_level: 1});
          send("complete_request", {code: "import o", cursor_pos: 8});
          send("history_request", {output: false, raw: true,
                                   hist_access_type: "tail", n: 10});
          send("kernel_info_request", {});
          await new Promise((resolve) => setTimeout(resolve, 3000));
          ws.close();
          return replies;
        }""",
        [_kernel_id(page), code],
    )
    # The channel works (kernel_info is allowed), but code, introspection,
    # completion and history requests are dropped.
    assert "kernel_info_reply" in replies
    for refused in ("execute", "inspect", "complete", "history"):
        assert f"{refused}_reply" not in replies, refused
    assert not marker.exists()


def test_server_does_not_expose_jupyter(server: Server) -> None:
    for path in ("/api/kernels", "/api/contents", "/api/sessions", "/lab", "/tree"):
        assert server.get(path)[0] == 404, path
    for pillar in PILLARS:
        status, body = server.get(f"/voila/files/{pillar.notebook}")
        assert status == 403, pillar.notebook
        assert b"nbformat" not in body
        status, body = server.get(f"/voila/api/contents/{pillar.notebook}?content=1")
        assert json.loads(body)["content"] is None
    # Neither the store file nor anything outside the served folders comes back,
    # however the path is spelled.
    store_name = server.db.name
    for path in (
        f"/voila/files/{store_name}",
        f"/voila/files/../{store_name}",
        f"/voila/files/..%2f{store_name}",
        f"/voila/static/../../{store_name}",
        "/static/../../../../etc/passwd",
        "/voila/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/voila/templates/coachkit/static/../../../../../../etc/passwd",
        "/api/contents/" + store_name,
        "/files/" + store_name,
        "/tree/" + store_name,
    ):
        status, body = _raw_get(server.port, path)
        assert status >= 400, (path, status)  # refused (tornado says 403, 404 or 500)
        assert b"SQLite format 3" not in body, path
        assert b"root:" not in body, path
    # Voila's folder listing names the three workbooks and the rep's page, and
    # nothing else.
    listing = json.loads(server.get("/voila/api/contents/")[1])
    assert sorted(item["name"] for item in listing["content"]) == sorted(
        [*(pillar.notebook for pillar in PILLARS), REP_PAGE]
    )
    # A page that reaches us through DNS rebinding asks for another host name.
    assert server.get(PILLARS[0].path, Host=f"attacker.example:{server.port}")[0] == 403
    assert server.get("/", Host=f"localhost:{server.port}")[0] == 200
    # The page template cannot be swapped for Voila's own (which loads a CDN).
    status, body = server.get(f"{PILLARS[0].path}?template=lab")
    assert status == 200
    assert b"cdn.jsdelivr.net" not in body


def test_server_listens_on_loopback_only(server: Server) -> None:
    from coachkit.cli.main import serve as serve_command
    from coachkit.web.serve import serve

    defaults = {param.name: param.default for param in serve_command.params}
    assert defaults["host"] == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    # The running server (started with that same default) listens on nothing else.
    listening = _listening_addresses(server.port)
    assert listening, f"nothing listens on port {server.port}"
    assert set(listening) <= {"127.0.0.1", "::1"}, listening


def _raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client-side clean-up of ``..``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _listening_addresses(port: int) -> list[str]:
    """Local addresses with a socket listening on ``port``, from Linux's /proc."""
    tables = [Path("/proc/net/tcp"), Path("/proc/net/tcp6")]
    if not tables[0].exists():
        pytest.fail("this check reads /proc/net/tcp, which only Linux has")
    found = []
    for table in tables:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found
