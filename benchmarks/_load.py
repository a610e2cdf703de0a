"""Load: twenty visitors in the same second, and ten writers saving at once.

:func:`burst` opens the workbooks for many visitors at once against a running
server, then leaves their tabs without saying goodbye (no ``beforeunload``) and
waits for culling to stop those kernels, reading the server's memory before, at the
peak and after. :func:`writers` runs ``_writer.py`` processes that save sessions
into one store together.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _browser import WORKBOOK_READY, open_view
from _servers import kernels, tree_rss, wait_until_quiet

HERE = Path(__file__).resolve().parent


async def burst(
    browser: Any,
    urls: list[str],
    server_pid: int,
    pooled: int,
    spread: float = 0.9,
    settle: float = 180,
) -> dict[str, Any]:
    """Open ``urls`` (one per visitor) within ``spread`` seconds; then leave them.

    Returns each visitor's seconds to ready and errors, the server's memory in bytes
    (``base`` when its pool is quiet, ``peak`` during the burst, ``after`` once
    culling has stopped the visitors' kernels) and how long culling took.
    """
    port = urlsplit(urls[0]).port
    settle_pool = asyncio.to_thread(wait_until_quiet, server_pid, pooled, 600, port)
    if not await settle_pool:
        print("  burst: the pool did not settle; going anyway", file=sys.stderr)
    # The visitors are tabs of one browser that has seen each workbook once (its
    # cache warm, as in the other sections): Chromium needs 2.5 CPU-seconds a page
    # even so, and 20 cold browsers would measure little but Chromium.
    context = await browser.new_context()
    for url in dict.fromkeys(urls):
        page, _view = await open_view(context, url, WORKBOOK_READY)
        await page.close(run_before_unload=True)
    await asyncio.to_thread(wait_until_quiet, server_pid, pooled, 600, port)
    base = tree_rss(server_pid)
    peak = base

    async def visit(i: int, url: str) -> Any:
        await asyncio.sleep(spread * i / max(len(urls) - 1, 1))
        try:
            page, view = await open_view(context, url, WORKBOOK_READY)
            return view
        except Exception as exc:  # noqa: BLE001 - a visitor that never got a page
            from _browser import View

            return View(seconds=float("nan"), errors=[f"{url}: {exc}"])

    async def watch_memory() -> None:
        nonlocal peak
        while True:
            peak = max(peak, tree_rss(server_pid))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch_memory())
    views = await asyncio.gather(*(visit(i, url) for i, url in enumerate(urls)))
    watcher.cancel()
    peak = max(peak, tree_rss(server_pid))
    during = len(kernels(server_pid))
    await context.close()  # the tabs go without a goodbye: culling must stop them
    left = time.monotonic()
    deadline = left + settle
    while time.monotonic() < deadline and len(kernels(server_pid)) > pooled:
        await asyncio.sleep(1)
    culled_after = time.monotonic() - left
    await asyncio.to_thread(wait_until_quiet, server_pid, pooled, 300, port)
    return {
        "views": views,
        "base": base,
        "peak": peak,
        "after": tree_rss(server_pid),
        "culled_after": culled_after,
        "kernels_during": during,
    }


def writers(db: str, pairs: list[tuple[int, int]], sessions: int) -> dict[str, Any]:
    """One ``_writer.py`` per (coach, rep) pair, all starting in the same moment."""
    start_at = time.time() + 5  # time for every process to import coachkit
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_writer.py"),
                "--db",
                db,
                "--coach",
                str(coach),
                "--rep",
                str(rep),
                "--sessions",
                str(sessions),
                "--start-at",
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for coach, rep in pairs
    ]
    out: dict[str, list[Any]] = {
        "save_ms": [],
        "autosave_ms": [],
        "told_user": [],
        "errors": [],
    }
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        if proc.returncode != 0 or not stdout.strip():
            out["errors"].append(stderr[-2000:])
            continue
        result = json.loads(stdout.strip().splitlines()[-1])
        for key in out:
            out[key] += result[key]
    return out
