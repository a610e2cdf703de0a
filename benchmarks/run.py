"""Every performance target of issue 7, measured in one run; the table in RESULTS.md.

1. Cold page: each workbook on a fresh kernel, next to a one-button Voila page.
2. As served: ``coachkit serve`` defaults (preheated pools), and a second visitor
   one second after the first.
3. Scale: the same on a 1,000-rep organisation (50 coaches x 20 reps, 36 months);
   the first page's weight (HTML plus widget state) and a kernel's memory after
   every tab was opened, for the first coach and for the lead who sees everyone.
4. Interaction, at that scale, timed in the page: another rep, a priority weight,
   an observation, a saved session.
5. Burst: 20 visitors open workbooks within one second; then culling.
6. Store: 10 processes save sessions into one SQLite file at once.

Prints the table and writes it, with the date and the machine, between the marker
lines of benchmarks/RESULTS.md. See benchmarks/README.md.

Run: python benchmarks/run.py [--runs 5] [--big-db big.db] [--only 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from _browser import BARE_READY, launch
from _pages import Page
from _report import block, table, write_results
from _setup import BARE, HERE, Run, bare_notebook, make_demo
from _targets import (
    burst_of_visitors,
    interactions,
    page_times,
    store_writers,
    worst_case,
)

from coachkit.web.serve import (
    POOL_FILL_DELAY,
    POOL_SIZE,
)


async def main_async(args: argparse.Namespace) -> int:
    from playwright.async_api import async_playwright

    started = dt.datetime.now().strftime("%H:%M")
    with (
        tempfile.TemporaryDirectory(prefix="coachkit-bench-") as tmp_name,
        ExitStack() as stack,
    ):
        tmp = Path(tmp_name)
        run = Run(args, tmp, stack)
        demo, big = tmp / "demo.db", tmp / "big.db"
        only = set(args.only.split(",")) if args.only else set("123456")
        make_demo(demo, run.env)
        if args.big_db and args.big_db.exists():
            shutil.copyfile(args.big_db, big)
        elif only & set("3456"):
            make_demo(big, run.env, "--coaches", "50", "--reps", "20", "--months", "36")
            if args.big_db:
                shutil.copyfile(big, args.big_db)
        bare_notebook(tmp / "bare")
        bare_url, bare_pid = run.voila(tmp / "bare", demo, "bare")
        bare = Page(BARE, f"{bare_url}voila/render/bare.ipynb", BARE_READY, bare_pid, 0)
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            if only & {"1", "2", "3"}:
                await page_times(run, browser, bare, "demo", demo)
            if "3" in only:
                await page_times(run, browser, bare, "1,000 reps", big)
                await worst_case(run, browser, big)
            if "4" in only:
                await interactions(run, browser, big)
            if "5" in only:
                await burst_of_visitors(run, browser, big)
            await browser.close()
        if "6" in only:
            store_writers(run, big)
    run.notes.insert(
        0,
        f"Served = `coachkit serve` defaults: {POOL_SIZE} preheated kernels per "
        f"workbook, a replacement started {POOL_FILL_DELAY * POOL_SIZE} s after one "
        "is taken. "
        f"{args.runs} timed views per page after one warm-up; demo organisation = "
        "`coachkit demo`; 1,000 reps = `--coaches 50 --reps 20 --months 36`.",
    )
    generated = block(run.rows, run.notes, started)
    print(table(run.rows))
    for note in run.notes:
        print(f"- {note}")
    if not args.no_write:
        write_results(HERE / "RESULTS.md", generated)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed views per page")
    parser.add_argument("--pairs", type=int, default=3, help="second-visitor pairs")
    parser.add_argument("--samples", type=int, default=10, help="per interaction")
    parser.add_argument("--visitors", type=int, default=20, help="in the burst")
    parser.add_argument("--sessions", type=int, default=20, help="per store writer")
    parser.add_argument(
        "--big-db", type=Path, help="reuse (or keep) the 1,000-rep store"
    )
    parser.add_argument("--only", help="targets to run, e.g. 1,2 (default: all)")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
