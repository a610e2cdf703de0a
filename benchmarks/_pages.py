"""Page views: cold and served times, a second visitor, the lead's worst case.

Each function opens pages in Chromium against servers that are already running and
returns :class:`_browser.View` records. Before every view it waits until the
servers are quiet (each pooled kernel has imported its workbook and waits for a
visitor; every closed page's kernel is gone), so one view never pays for the last.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _browser import close, open_tab, open_view, visitor_context
from _servers import kernel_rss, wait_until_quiet


@dataclass
class Page:
    """One page to time: its label, address, ready marker and server."""

    label: str
    url: str
    ready: str
    server_pid: int
    #: Kernels the server runs when quiet: its pool, or 0 without one.
    quiet_kernels: int
    #: Whether a pooled kernel waits for the visitor (``wait_for_request``), as the
    #: workbooks' do; a one-button notebook just runs to its end.
    waits: bool = True


async def _quiet(pages: list[Page]) -> None:
    servers = {
        (p.server_pid, p.quiet_kernels, urlsplit(p.url).port if p.waits else None)
        for p in pages
    }
    for pid, count, port in servers:
        pooled = port if count else None
        if not await asyncio.to_thread(wait_until_quiet, pid, count, 300, pooled):
            print(f"  (server {pid} did not settle; timing anyway)", file=sys.stderr)


async def time_views(
    browser: Any, pages: list[Page], runs: int, what: str
) -> dict[str, list[Any]]:
    """View every page ``runs`` times after one warm-up, in turn; return the views.

    Each page has one browser context for all its views, so the browser cache is
    warm, as for a coach who comes back.
    """
    views: dict[str, list[Any]] = {p.label: [] for p in pages}
    contexts = {p.label: await visitor_context(browser, p.url) for p in pages}
    for run in range(runs + 1):
        for page in pages:
            await _quiet(pages)
            tab, view = await open_view(contexts[page.label], page.url, page.ready)
            await close(tab)
            if run:
                views[page.label].append(view)
        print(f"  {what}: run {run}/{runs} done", file=sys.stderr)
    for context in contexts.values():
        await context.close()
    return views


async def second_visitors(
    browser: Any, pages: list[Page], pairs: int, log: Path, gap: float = 1.0
) -> dict[str, list[Any]]:
    """Two visitors open the same page ``gap`` seconds apart; time the second.

    With a pool of two kernels the second visitor gets a preheated kernel too, not
    a cold start: ``view.preheated`` says whether the server's ``log`` says so.
    Each visitor has a browser of their own that has seen the page once (its cache
    warm, as in :func:`time_views`).
    """
    views: dict[str, list[Any]] = {p.label: [] for p in pages}
    browsers = {p.label: await _seen(browser, p, pages) for p in pages}
    for _ in range(pairs):
        for page in pages:
            await _quiet(pages)
            first_ctx, second_ctx = browsers[page.label]
            first = asyncio.create_task(open_view(first_ctx, page.url, page.ready))
            await asyncio.sleep(gap)
            tab, view = await open_view(second_ctx, page.url, page.ready)
            first_tab, _first_view = await first
            used = f"Using pre-heated kernel: {view.kernel_id}"
            view.preheated = used in log.read_text(errors="replace")
            views[page.label].append(view)
            await close(tab)
            await close(first_tab)
    for contexts in browsers.values():
        for context in contexts:
            await context.close()
    return views


async def _seen(browser: Any, page: Page, pages: list[Page]) -> tuple[Any, Any]:
    """Two browser contexts that have each opened ``page`` once."""
    contexts = (
        await visitor_context(browser, page.url),
        await visitor_context(browser, page.url),
    )
    for context in contexts:
        await _quiet(pages)
        tab, _view = await open_view(context, page.url, page.ready)
        await close(tab)
    return contexts


async def every_tab(browser: Any, page: Page) -> tuple[Any, int]:
    """Open ``page``, then each of its tabs; return the first view and kernel bytes.

    The kernel's memory is read after the last tab has drawn: the most a kernel
    holds for this page.
    """
    await _quiet([page])
    context = await visitor_context(browser, page.url)
    tab, view = await open_view(context, page.url, page.ready)
    titles = await tab.locator(".ck-tabs .lm-TabBar-tab").all_inner_texts()
    for title in titles:
        await open_tab(tab, title)
        await asyncio.to_thread(_kernel_settles, page.server_pid, view.kernel_id)
    rss = kernel_rss(page.server_pid, view.kernel_id)
    await close(tab)
    await context.close()
    return view, rss


def _kernel_settles(server_pid: int, kernel_id: str) -> None:
    """Wait until the page's kernel has stopped working (the tab is drawn)."""
    import time

    import psutil
    from _servers import is_kernel, kernels

    for kernel in kernels(server_pid):
        if not is_kernel(kernel, kernel_id):
            continue
        time.sleep(0.5)
        for _ in range(240):
            try:
                if kernel.cpu_percent(0.5) < 5:
                    return
            except psutil.Error:
                return
