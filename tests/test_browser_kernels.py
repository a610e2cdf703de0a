"""A page's kernel ends with its page; pages have a ceiling (issue 24).

A real ``coachkit serve`` with a grace of a few seconds (``COACHKIT_KERNEL_GRACE``)
and two pages per visitor, and Chromium: a tab closed without a word, or a browser
that dies, leaves a kernel that the server stops once the grace is over; a page left
open keeps its kernel; a third page says, in plain words, what to do; so does a page
past the server's ceiling of three pages in all, opened by another visitor.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from browser_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    open_tab,
    open_workbook,
    quiet_env,
    serving_pooled,
)

from coachkit.model.pillars import PILLARS
from coachkit.web.page_kernels import (
    GRACE_VAR,
    PER_VISITOR_VAR,
    TOO_MANY_IN_ALL,
    TOO_MANY_MINE,
    TOTAL_VAR,
    visitor_of,
)
from coachkit.web.workshop import SEAT_COOKIE

GRACE = 4
PER_VISITOR = 2
TOTAL = 3
#: Seconds a kernel may take to stop once its grace is over.
STOPPING = 15


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coachkit serve`` with a short grace and a low ceiling, pools filled."""
    tmp = tmp_path_factory.mktemp("page-kernels")
    env = quiet_env(tmp / "home")
    env[GRACE_VAR] = str(GRACE)
    env[PER_VISITOR_VAR] = str(PER_VISITOR)
    env[TOTAL_VAR] = str(TOTAL)
    with serving_pooled(demo_db, tmp, env, "--pool-size", "1") as running:
        yield running


def _kernel_id(page: Any) -> str:
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    kernel_id: str = config["kernelId"]
    return kernel_id


def _running(server: Server, kernel_id: str) -> bool:
    return server.get(f"/api/kernels/{kernel_id}")[0] == 200


def _connections(server: Server, kernel_id: str) -> int:
    """The page connections the server counts for ``kernel_id``."""
    status, body = server.get(f"/api/kernels/{kernel_id}")
    assert status == 200, body
    count: int = json.loads(body)["connections"]
    return count


def _stopped_in_time(server: Server, kernel_id: str) -> float:
    """Seconds until the server stopped ``kernel_id``; fails past grace + STOPPING."""
    started = time.monotonic()
    while _running(server, kernel_id):
        waited = time.monotonic() - started
        assert waited < GRACE + STOPPING, f"kernel {kernel_id} outlived its page"
        time.sleep(0.25)
    return time.monotonic() - started


def _no_kernel_process(kernel_id: str) -> bool:
    """No process holds the kernel's sockets (named after its id) any more."""
    name = f"kernel-{kernel_id}"
    for proc in psutil.process_iter():
        try:
            sockets = proc.net_connections(kind="unix")
        except psutil.Error:
            continue
        if any(Path(str(s.laddr)).name.startswith(name) for s in sockets):
            return False
    return True


def test_a_tab_closed_without_a_word_loses_its_kernel_after_the_grace(
    server: Server, browser: Any
) -> None:
    context = browser.new_context()
    page = context.new_page()
    open_workbook(page, server, PILLARS[0].path)
    kernel_id = _kernel_id(page)
    # No beforeunload: the page sends no request to stop its kernel.
    page.close(run_before_unload=False)
    context.close()
    assert _running(server, kernel_id), "stopped before the grace was over"

    waited = _stopped_in_time(server, kernel_id)
    assert waited >= GRACE - 1.5, f"stopped after {waited:.1f} s, in the grace"
    assert _no_kernel_process(kernel_id)


def test_a_browser_that_dies_loses_its_kernels(server: Server, browser: Any) -> None:
    before = {c.pid for c in psutil.Process().children(recursive=True)}
    doomed = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )
    page = doomed.new_page()
    open_workbook(page, server, PILLARS[2].path)
    kernel_id = _kernel_id(page)
    # Kill the Chromium this test started, as a crash would: no page says bye.
    chromium = [
        c
        for c in psutil.Process().children(recursive=True)
        if c.pid not in before and "chrom" in c.name().lower()
    ]
    assert chromium
    for process in chromium:
        process.kill()
    psutil.wait_procs(chromium, timeout=10)
    _stopped_in_time(server, kernel_id)
    assert _no_kernel_process(kernel_id)
    with contextlib.suppress(Exception):  # its connection is gone already
        doomed.close()


def test_an_open_page_keeps_its_kernel(server: Server, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    open_workbook(page, server, PILLARS[1].path)
    kernel_id = _kernel_id(page)
    page.wait_for_timeout((GRACE + 3) * 1000)
    assert _running(server, kernel_id)
    # ... and still answers: another tab opens.
    title = page.locator(".ck-tabs .lm-TabBar-tab").nth(1).inner_text()
    open_tab(page, title)
    context.close()


def test_a_page_past_the_ceiling_says_what_to_do(server: Server, browser: Any) -> None:
    context = browser.new_context()
    pages = [context.new_page() for _ in range(PER_VISITOR + 1)]
    for page in pages[:PER_VISITOR]:
        open_workbook(page, server, PILLARS[0].path)

    answer = pages[-1].goto(server.url + PILLARS[1].path.lstrip("/"))
    assert answer is not None
    assert answer.status == 429
    message = TOO_MANY_MINE.format(limit=PER_VISITOR)
    assert pages[-1].get_by_text(message).is_visible()

    # A page closed makes room at once, without waiting for its grace.
    closed = _kernel_id(pages[0])
    pages[0].close(run_before_unload=False)
    deadline = time.monotonic() + 10
    while _connections(server, closed):  # the server hears of it a moment later
        assert time.monotonic() < deadline, "the server never saw the tab close"
        time.sleep(0.1)
    open_workbook(pages[-1], server, PILLARS[1].path)
    assert not _running(server, closed)
    context.close()


def test_a_page_past_the_servers_ceiling_says_so(server: Server, browser: Any) -> None:
    first = browser.new_context()
    # Another visitor on the same network address: their workshop seat cookie
    # makes them someone else, with a page ceiling of their own.
    second = browser.new_context()
    second.add_cookies(
        [{"name": SEAT_COOKIE, "value": "other-visitor", "url": server.url}]
    )
    for page in (first.new_page(), first.new_page()):
        open_workbook(page, server, PILLARS[0].path)
    kept = second.new_page()
    open_workbook(kept, server, PILLARS[2].path)

    refused = second.new_page()
    answer = refused.goto(server.url + PILLARS[1].path.lstrip("/"))
    assert answer is not None
    assert answer.status == 503
    message = TOO_MANY_IN_ALL.format(limit=TOTAL)
    assert refused.get_by_text(message).is_visible()
    # The pages already open were not touched to make room.
    assert kept.locator(".coachkit-ready").is_visible()
    first.close()
    second.close()


class _Request:
    def __init__(self, headers: dict[str, str], query: dict[str, str]) -> None:
        self.headers = headers
        self.remote_ip = "10.0.0.7"
        self.query = query


class _Handler:
    def __init__(self, headers: dict[str, str], query: dict[str, str]) -> None:
        self.request = _Request(headers, query)

    def get_query_argument(self, name: str, default: str) -> str:
        return self.request.query.get(name, default)

    def get_cookie(self, name: str, default: str) -> str:
        return default


@pytest.mark.parametrize(
    ("header", "headers", "query", "visitor"),
    [
        ("X-User", {"X-User": "ana"}, {"seat": "s1"}, "user:ana"),
        ("", {"X-User": "ana"}, {"seat": "s1"}, "seat:s1"),
        ("", {}, {}, "address:10.0.0.7"),
    ],
)
def test_a_visitor_is_the_signed_in_name_else_the_seat_else_the_address(
    header: str, headers: dict[str, str], query: dict[str, str], visitor: str
) -> None:
    handler: Any = _Handler(headers, query)
    assert visitor_of(handler, header) == visitor


def test_no_kernel_waits_for_the_reps_own_page(server: Server) -> None:
    # The three workbooks keep kernels ready; the rep's page, opened now and then
    # by one rep, does not (two would cost about 150 MB and slow every start).
    log = server.log.read_text(errors="replace")
    assert "Kernel pool of 1_prioritize.ipynb is filled" in log
    assert "Kernel pool of 4_my_coaching.ipynb" not in log
