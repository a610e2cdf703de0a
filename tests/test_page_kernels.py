"""Making room for a new page never stops a page that is still being built, and
never leaves the page without a kernel.

Voila runs a workbook in its kernel before the page connects to it, so a kernel
with no connection yet may belong to a page a person is waiting for. Only a page
that connected and left, or one that never came within BUILD_SECONDS, counts as
closed when the server is at its ceiling (a workshop-day run stopped three pages
mid-build before this).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from traitlets.config import Configurable
from voila.voila_kernel_manager import voila_kernel_manager_factory

from coachkit.web.page_kernels import (
    BUILD_SECONDS,
    PageKernelManager,
    _Page,
    visitor_of,
)


def test_a_page_being_built_is_not_closed_until_it_is_overdue() -> None:
    page = _Page("address:10.0.0.7", alone_since=1000.0)
    assert not page.closed(1000.0 + 30)
    assert page.closed(1000.0 + BUILD_SECONDS + 1)


def test_a_page_that_connected_and_left_is_closed_at_once() -> None:
    page = _Page("address:10.0.0.7", alone_since=1000.0, connected=True)
    assert page.closed(1000.5)
    page.alone_since = None  # it came back (a reload)
    assert not page.closed(5000.0)


def _asking(uri: str, remote_ip: str, cookie: str = "", **headers: str) -> Any:
    """A real tornado handler for a page request, as the kernel manager sees it."""
    from unittest import mock

    from tornado import httputil, web

    all_headers = httputil.HTTPHeaders({"Host": "127.0.0.1", **headers})
    if cookie:
        all_headers["Cookie"] = cookie
    connection = mock.Mock()
    request = httputil.HTTPServerRequest(
        headers=all_headers,
        connection=connection,
        start_line=httputil.RequestStartLine("GET", uri, "HTTP/1.1"),
    )
    request.remote_ip = remote_ip
    return web.RequestHandler(web.Application(), request)


def test_two_seats_behind_one_router_are_two_visitors() -> None:
    # A room whose participants share one network address: each seat (from the
    # link, or the cookie the browser kept after "Home") is its own visitor, so
    # one person's pages never count against another's ceiling.
    by_link = visitor_of(_asking("/voila/render/x.ipynb?seat=AAA", "10.0.0.1"), "")
    by_cookie = visitor_of(
        _asking("/voila/render/x.ipynb", "10.0.0.1", cookie="coachkit_seat=BBB"), ""
    )
    no_seat = visitor_of(_asking("/voila/render/x.ipynb", "10.0.0.1"), "")
    assert by_link == "seat:AAA"
    assert by_cookie == "seat:BBB"
    assert no_seat == "address:10.0.0.1"


def test_a_trusted_proxy_name_wins_over_a_seat_cookie() -> None:
    handler = _asking(
        "/voila/render/x.ipynb",
        "10.0.0.1",
        cookie="coachkit_seat=BBB",
        **{"X-Forwarded-User": "uma"},
    )
    assert visitor_of(handler, "X-Forwarded-User") == "user:uma"


class _Server(Configurable):  # type: ignore[misc]
    """The parts of Voila's app its pooling kernel manager reads."""

    root_dir = notebook_path = None
    base_url = server_url = "/"
    port = 0


class _SlowToMakeRoom(PageKernelManager):
    """Making room waits, as it does when it stops closed pages' kernels."""

    async def _admit(self) -> str:
        await asyncio.sleep(0.05)
        return await super()._admit()


def test_pages_that_find_the_pool_nearly_empty_all_get_a_kernel(tmp_path: Any) -> None:
    """A workshop-day page failed to build ("Kernel pool ... is empty!"): Voila saw
    one kernel in the pool, still starting, and two pages asked for it while room
    was being made."""
    _Server.root_dir = str(tmp_path)
    pooled = voila_kernel_manager_factory(_SlowToMakeRoom, True, 1)
    started = iter(f"kernel-{n}" for n in range(10))

    async def initialize(notebook: str, kernel_id: Any = None, **_: Any) -> Any:
        await asyncio.sleep(0.2)  # a kernel starts and runs the workbook
        done = asyncio.get_running_loop().create_future()
        done.set_result(([], None))
        renderer = SimpleNamespace(stop_generator=False, rendered_cache=[])
        return {"task": done, "renderer": renderer, "kernel_id": next(started)}

    async def two_pages() -> list[Any]:
        manager = pooled(parent=_Server())
        manager._initialize = initialize
        manager.fill_delay = 0
        # The pool's one kernel is still starting (a page took the one before).
        manager.fill_if_needed(delay=0, notebook_name="2_facilitate.ipynb")
        assert manager.get_pool_size("2_facilitate.ipynb") == 1  # what Voila checks
        pages = [manager.get_rendered_notebook("2_facilitate.ipynb") for _ in "ab"]
        rendered = await asyncio.gather(*pages, return_exceptions=True)
        await asyncio.sleep(0.3)  # the pool refills
        return rendered

    # A loop of its own, in a thread: an earlier test may leave one running here.
    with ThreadPoolExecutor(1) as thread:
        rendered = thread.submit(asyncio.run, two_pages()).result(timeout=60)
    assert not [r for r in rendered if isinstance(r, BaseException)], rendered
    assert len({kernel_id for *_, kernel_id in rendered}) == 2
