"""How much memory each open workbook page costs the server (issue 24, item 6).

```bash
python benchmarks/page_memory.py --every-tab         # about a minute
python benchmarks/page_memory.py --every-tab --lead  # the same, as the lead
```

Serves the demo store with ``coachkit serve --pool-size 0`` (each page starts its
own kernel, so no pooled kernel is counted), opens the three workbooks one after
the other in Chromium and keeps them open, then reads each page's kernel and the
kernel template (and the chart engine the kernels share) from
/proc/PID/smaps_rollup: PSS (each page shared by n processes
counts 1/n), USS (the kernel's own pages: what closing the page frees) and RSS.
The pages are the first coach's, or with ``--lead`` the demo's enablement lead's
(every coach's reps, grouped by team).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from _browser import WORKBOOK_READY, launch, open_tab, open_view, visitor_context
from _pages import _kernel_settles
from _servers import free_port, is_kernel, kernels, memory, running, scratch, template
from _setup import MB, make_demo
from playwright.async_api import async_playwright

from coachkit.model.pillars import PILLARS


async def _measure(
    url: str, server_pid: int, settle: float, every_tab: bool, query: str = ""
) -> list[str]:
    lines = []
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        context = await visitor_context(browser, url)
        seen = []
        for pillar in PILLARS:
            page, view = await open_view(
                context, f"{url}voila/render/{pillar.notebook}{query}", WORKBOOK_READY
            )
            titles = await page.locator(".ck-tabs .lm-TabBar-tab").all_inner_texts()
            for title in titles if every_tab else []:
                await open_tab(page, title)
                await asyncio.to_thread(_kernel_settles, server_pid, view.kernel_id)
            if any("did not build" in error for error in view.errors):
                sys.exit(f"{pillar.notebook} failed: {view.errors}")
            seen.append((pillar.notebook, view))
        await asyncio.sleep(settle)
        for notebook, view in seen:
            kernel = next(
                k for k in kernels(server_pid) if is_kernel(k, view.kernel_id)
            )
            used = memory(kernel)
            lines.append(_line(notebook, used, view.seconds))
        parent = template(server_pid)
        if parent is not None:
            lines.append(_line("kernel template", memory(parent), float("nan")))
            for child in parent.children():
                if "chart_engine" in " ".join(child.cmdline()):
                    lines.append(_line("chart engine", memory(child), float("nan")))
        await browser.close()
    return lines


def _line(what: str, used: dict[str, int], seconds: float) -> str:
    mb = {key: value / MB for key, value in used.items()}
    return (
        f"| {what} | {mb['pss']:.0f} | {mb['uss']:.0f} | {mb['rss']:.0f} "
        f"| {seconds:.1f} |"
    )


def _lead(db: Path) -> int:
    """The coach id of the demo store's enablement lead."""
    from coachkit.store import queries
    from coachkit.store.database import open_for_reading

    store = open_for_reading(db)
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
    finally:
        store.dispose()
    return int(coaches.loc[coaches["role"] == "lead", "coach_id"].iloc[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=12, help="seconds after load")
    parser.add_argument(
        "--every-tab", action="store_true", help="open each tab of each page first"
    )
    parser.add_argument(
        "--lead", action="store_true", help="open the pages as the enablement lead"
    )
    args = parser.parse_args(argv)
    with scratch("coachkit-memory-") as (tmp, env):
        db = tmp / "demo.db"
        make_demo(db, env)
        query = f"?coach={_lead(db)}" if args.lead else ""
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
        command += ["--port", str(port), "--pool-size", "0"]
        with running(command, env, tmp / "serve.log", url) as proc:
            time.sleep(3)  # the kernel template imports
            lines = asyncio.run(
                _measure(url, proc.pid, args.settle, args.every_tab, query)
            )
    print("| page | PSS MB | USS MB | RSS MB | seconds to ready |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
