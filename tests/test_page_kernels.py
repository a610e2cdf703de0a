"""Making room for a new page never stops a page that is still being built.

Voila runs a workbook in its kernel before the page connects to it, so a kernel
with no connection yet may belong to a page a person is waiting for. Only a page
that connected and left, or one that never came within BUILD_SECONDS, counts as
closed when the server is at its ceiling (a workshop-day run stopped three pages
mid-build before this).
"""

from __future__ import annotations

from coachkit.web.page_kernels import BUILD_SECONDS, _Page


def test_a_page_being_built_is_not_closed_until_it_is_overdue() -> None:
    page = _Page("address:10.0.0.7", alone_since=1000.0)
    assert not page.closed(1000.0 + 30)
    assert page.closed(1000.0 + BUILD_SECONDS + 1)


def test_a_page_that_connected_and_left_is_closed_at_once() -> None:
    page = _Page("address:10.0.0.7", alone_since=1000.0, connected=True)
    assert page.closed(1000.5)
    page.alone_since = None  # it came back (a reload)
    assert not page.closed(5000.0)
