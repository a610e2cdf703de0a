"""Load: twenty visitors in the same second, and ten writers saving at once.

:func:`burst` opens the workbooks for many visitors at once against a running
server, reading the server's memory before and at the peak and the CPU it and
Chromium used; the visitors then leave without saying goodbye (no
``beforeunload``) and :func:`culled` waits for culling to stop their kernels.
:func:`writers` runs ``_writer.py`` processes that save sessions into one store
together.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _browser import View
from _servers import (
    chromium_cpu,
    cpu_by_process,
    is_kernel,
    kernels,
    tree_rss,
    wait_until_quiet,
)

HERE = Path(__file__).resolve().parent


async def burst(
    urls: list[str],
    server_pid: int,
    pooled: int,
    open_one: Callable[[str], Awaitable[View]],
    spread: float = 0.9,
    settle: float = 240,
) -> dict[str, Any]:
    """Open ``urls`` (one per visitor) within ``spread`` seconds; then leave them.

    ``open_one(url)`` is one visitor: a browser tab (left open until the caller
    closes it), or :func:`_visitor.visit`. Returns each visitor's view, the
    server's memory in bytes (``base`` when its pool is quiet, ``peak`` during the
    burst) and the CPU-seconds used from the first visitor until the last was in:
    by Chromium, by the server, by the kernels the visitors got, by the kernels
    started to take their place in the pool.
    """
    port = urlsplit(urls[0]).port
    await asyncio.to_thread(wait_until_quiet, server_pid, pooled, 600, port)
    base = tree_rss(server_pid)
    peak = base

    async def visit(i: int, url: str) -> View:
        await asyncio.sleep(spread * i / max(len(urls) - 1, 1))
        try:
            return await open_one(url)
        except Exception as exc:  # noqa: BLE001 - a visitor that never got a page
            return View(seconds=float("nan"), errors=[f"{url}: {exc}"])

    async def watch_memory() -> None:
        nonlocal peak
        while True:
            peak = max(peak, tree_rss(server_pid))
            await asyncio.sleep(0.5)

    ready = {kernel.pid for kernel in kernels(server_pid)}
    cpu_before, browser_cpu = cpu_by_process(server_pid), chromium_cpu()
    watcher = asyncio.create_task(watch_memory())
    views = await asyncio.gather(*(visit(i, url) for i, url in enumerate(urls)))
    watcher.cancel()
    used = {
        pid: seconds - cpu_before.get(pid, 0.0)
        for pid, seconds in cpu_by_process(server_pid).items()
    }
    cpu = {
        "Chromium": chromium_cpu() - browser_cpu,
        "the visitors' kernels": sum(used.get(pid, 0.0) for pid in ready),
        "kernels started to refill the pool": sum(
            seconds for pid, seconds in used.items() if pid not in cpu_before
        ),
        "the server itself": sum(
            seconds for pid, seconds in used.items() if pid in cpu_before
        )
        - sum(used.get(pid, 0.0) for pid in ready),
    }
    peak = max(peak, tree_rss(server_pid))
    during = len(kernels(server_pid))
    return {
        "views": views,
        "base": base,
        "peak": peak,
        "kernels_during": during,
        "cpu": cpu,
    }


async def culled(
    server_pid: int,
    pooled: int,
    port: int | None,
    visitors: list[str],
    settle: float = 240,
) -> dict[str, float]:
    """Once the visitors have left: seconds until culling stopped their kernels
    (``visitors``: their kernel ids), and the server's memory when its pool is full
    and waiting again."""
    left = time.monotonic()
    ids = [v for v in visitors if v]
    theirs = [k for k in kernels(server_pid) if any(is_kernel(k, i) for i in ids)]
    deadline = left + settle
    while time.monotonic() < deadline and any(k.is_running() for k in theirs):
        await asyncio.sleep(1)
    culled_after = time.monotonic() - left
    if any(k.is_running() for k in theirs):
        culled_after = math.nan  # not culled within ``settle``
    await asyncio.to_thread(wait_until_quiet, server_pid, pooled, 300, port)
    return {
        "after": tree_rss(server_pid),
        "culled_after": culled_after,
        "visitor_kernels": len(theirs),
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
