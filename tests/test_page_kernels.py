"""Making room for a new page never stops a page that is still being built.

Voila runs a workbook in its kernel before the page connects to it, so a kernel
with no connection yet may belong to a page a person is waiting for. Only a page
that connected and left, or one that never came within BUILD_SECONDS, counts as
closed when the server is at its ceiling (a workshop-day run stopped three pages
mid-build before this).
"""

from __future__ import annotations

from typing import Any

from coachkit.web.page_kernels import BUILD_SECONDS, _Page, visitor_of


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
