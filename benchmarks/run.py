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
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import nbformat
from _browser import BARE_READY, WORKBOOK_READY, launch
from _interactions import all_interactions
from _load import burst, writers
from _pages import Page, every_tab, second_visitors, time_views
from _report import Row, block, pct, table, write_results
from _servers import free_port, quiet_env, running
from nbformat.v4 import new_code_cell, new_notebook

from coachkit.pillars import PILLARS
from coachkit.serve import (
    POOL_FILL_DELAY,
    POOL_SIZE,
    voila_argv,
    voila_env,
    workbooks_dir,
)

HERE = Path(__file__).resolve().parent
BARE_SOURCE = """\
import ipywidgets as widgets
button = widgets.Button(description="Go")
button.add_class("bare-ready")
widgets.VBox([button])
"""
BARE = "bare one-button page (cold)"
MB = 1024 * 1024
#: Culling during the burst: the served settings, with the idle time cut from an
#: hour to this many seconds so the run can watch memory come back.
BURST_CULL = 30


def _demo(db: Path, env: dict[str, str], *size: str) -> None:
    command = [sys.executable, "-m", "coachkit", "demo", "--db", str(db), *size]
    print(f"building {db.name} {' '.join(size)} ...", file=sys.stderr)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def _bare_notebook(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    notebook = new_notebook(cells=[new_code_cell(BARE_SOURCE)])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, folder / "bare.ipynb")


def _coaches(db: Path) -> tuple[int, int, list[tuple[int, int]]]:
    """The first coach, the lead, and (coach, first rep) for ten coaches."""
    from coachkit import queries
    from coachkit.store import open_store

    store = open_store(str(db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            roster = queries.roster(conn, None)
    finally:
        store.dispose()
    plain = coaches[coaches["role"] == "coach"]
    lead = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
    pairs = []
    for coach in plain["coach_id"].head(10):
        reps = roster[roster["coach_id"] == coach]["rep_id"]
        pairs.append((int(coach), int(reps.iloc[0])))
    return int(plain["coach_id"].iloc[0]), lead, pairs


class Run:
    """The servers, browser and rows of one benchmark run."""

    def __init__(self, args: argparse.Namespace, tmp: Path, stack: ExitStack) -> None:
        self.args = args
        self.tmp = tmp
        self.stack = stack
        self.env = quiet_env(tmp / "home")
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.medians: dict[str, float] = {}

    def serve(
        self, db: Path, name: str, *options: str, stack: ExitStack | None = None
    ) -> tuple[str, int]:
        """Start ``coachkit serve`` on ``db``; return its address and process id.

        It runs until ``stack`` (by default, the whole run) closes.
        """
        port = free_port()
        command = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
        command += ["--host", "127.0.0.1", "--port", str(port), *options]
        url = f"http://127.0.0.1:{port}/"
        proc = (stack or self.stack).enter_context(
            running(command, self.env, self.tmp / f"{name}.log", url)
        )
        return url, proc.pid

    def voila(
        self, folder: Path, db: Path, name: str, *changes: str, pool: int = 0
    ) -> tuple[str, int]:
        """Start Voila with coachkit's own command line (``voila_argv``).

        Each of ``changes`` (``--Class.name=value``) replaces that setting.
        """
        port = free_port()
        command = voila_argv(folder, host="127.0.0.1", port=port, pool_size=pool)
        for change in changes:
            key = change.split("=", 1)[0] + "="
            command = [a for a in command if not a.startswith(key)] + [change]
        env = voila_env(str(db), "127.0.0.1", base=self.env)
        url = f"http://127.0.0.1:{port}/"
        proc = self.stack.enter_context(
            running(command, env, self.tmp / f"{name}.log", url)
        )
        return url, proc.pid

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(table([row]).splitlines()[-1], file=sys.stderr)
        return row


def _pages(url: str, pid: int, quiet: int, suffix: str, query: str = "") -> list[Page]:
    return [
        Page(
            p.notebook.removesuffix(".ipynb") + suffix,
            f"{url}voila/render/{p.notebook}{query}",
            WORKBOOK_READY,
            pid,
            quiet,
        )
        for p in PILLARS
    ]


def _seconds(views: list[Any]) -> list[float]:
    return [v.seconds for v in views]


async def page_times(run: Run, browser: Any, bare: Page, size: str, db: Path) -> None:
    """Targets 1-3 for one organisation: cold, served, (demo) second visitors."""
    with ExitStack() as stack:
        await _page_times(run, browser, bare, size, db, stack)


async def _page_times(
    run: Run, browser: Any, bare: Page, size: str, db: Path, stack: ExitStack
) -> None:
    cold_url, cold_pid = run.serve(db, f"cold-{size}", "--pool-size", "0", stack=stack)
    served_url, served_pid = run.serve(db, f"served-{size}", stack=stack)
    pool = 3 * POOL_SIZE
    cold = _pages(cold_url, cold_pid, 0, f" cold, {size}")
    served = _pages(served_url, served_pid, pool, f" served, {size}")
    section = "1. Cold page" if size == "demo" else "3. Scale"
    views = await time_views(browser, [bare, *cold], run.args.runs, f"cold {size}")
    base = statistics.median(_seconds(views[bare.label]))
    run.add(Row(section, f"{BARE}, {size} run", _seconds(views[bare.label]), "s"))
    for page in cold:
        row = Row(section, page.label, _seconds(views[page.label]), "s")
        run.medians[page.label] = row.median
        if size == "demo":
            row.ratio, row.limit = row.median / base, "≤ 1.30x bare cold"
        else:
            demo = run.medians[page.label.replace(size, "demo")]
            row.ratio, row.limit = row.median / demo, "≤ 1.30x same, demo"
        row.met = row.ratio <= 1.30
        run.add(row)
    views = await time_views(browser, [bare, *served], run.args.runs, f"served {size}")
    base = statistics.median(_seconds(views[bare.label]))
    section = "2. As served" if size == "demo" else "3. Scale"
    run.add(Row(section, f"{BARE}, same run", _seconds(views[bare.label]), "s"))
    for page in served:
        row = Row(section, page.label, _seconds(views[page.label]), "s")
        run.medians[page.label] = row.median
        if size == "demo":
            row.ratio, row.limit = row.median / base, "≤ 0.70x bare cold"
        else:
            demo = run.medians[page.label.replace(size, "demo")]
            row.ratio, row.limit = row.median / demo, "≤ 1.30x same, demo"
        row.met = row.ratio <= (0.70 if size == "demo" else 1.30)
        run.add(row)
        if size != "demo":
            weight = [(v.html_bytes + v.state_bytes) / MB for v in views[page.label]]
            label = page.label.removesuffix(f" served, {size}")
            weight_row = Row("3. Scale", f"first page weight, {label}", weight, "MB")
            weight_row.limit, weight_row.met = "≤ 3 MB", max(weight) <= 3
            run.add(weight_row)
    if size == "demo":
        log = run.tmp / f"served-{size}.log"
        seconds = await second_visitors(browser, served, run.args.pairs, log)
        for page in served:
            views = seconds[page.label]
            label = page.label.removesuffix(", demo")
            pooled = sum(bool(v.preheated) for v in views)
            row = Row(
                "2. As served",
                f"{label}: a visitor 1 s after another ({pooled} of {len(views)} "
                "got a preheated kernel)",
                _seconds(views),
                "s",
            )
            cold = run.medians[page.label.replace("served", "cold")]
            row.ratio = row.median / cold
            row.limit = "preheated, < 1.00x same workbook cold"
            row.met = pooled == len(views) and row.ratio < 1.0
            run.add(row)


async def worst_case(run: Run, browser: Any, db: Path) -> None:
    """Target 3: the lead's first page and each kernel after every tab, 1,000 reps."""
    first, lead, _pairs = _coaches(db)
    with ExitStack() as stack:
        url, pid = run.serve(db, "worst", stack=stack)
        await _worst_case(run, browser, url, pid, first, lead)


async def _worst_case(
    run: Run, browser: Any, url: str, pid: int, first: int, lead: int
) -> None:
    for who, query in (("first coach", f"?coach={first}"), ("lead", f"?coach={lead}")):
        for page in _pages(url, pid, 3 * POOL_SIZE, "", query):
            view, rss = await every_tab(browser, page)
            weight = Row(
                "3. Scale",
                f"first page weight, {page.label}, {who}",
                [(view.html_bytes + view.state_bytes) / MB],
                "MB",
            )
            weight.limit, weight.met = "≤ 3 MB", weight.median <= 3
            if who == "lead":
                run.add(weight)
            memory = Row(
                "3. Scale",
                f"kernel memory after every tab, {page.label}, {who}",
                [rss / MB],
                "MB",
            )
            memory.limit, memory.met = "< 400 MB", 0 < memory.median < 400
            run.add(memory)


async def interactions(run: Run, browser: Any, db: Path) -> None:
    """Target 4, on the 1,000-rep organisation, as the first coach."""
    with ExitStack() as stack:
        url, _pid = run.serve(db, "interactions", stack=stack)
        results = await all_interactions(browser, url, run.args.samples)
    for measure, values in results.items():
        row = Row("4. Interaction", measure, values, "ms")
        row.limit, row.met = "< 300 ms (p90)", pct(values, 90) < 300
        run.add(row)


async def burst_of_visitors(run: Run, browser: Any, db: Path) -> None:
    """Target 5: 20 visitors in one second; memory back after culling.

    The server is coachkit's Voila command line sized for the crowd, as for a
    workshop: ``--pool-size`` = visitors / 3 ready kernels per workbook. Culling
    keeps its settings but for the idle time, cut from an hour to BURST_CULL s.
    """
    pool = math.ceil(run.args.visitors / len(PILLARS))
    km = "--MappingKernelManager."
    url, pid = run.voila(
        workbooks_dir(),
        db,
        "burst",
        f"{km}cull_idle_timeout={BURST_CULL}",
        f"{km}cull_interval=5",
        pool=pool,
    )
    urls = [
        f"{url}voila/render/{PILLARS[i % len(PILLARS)].notebook}"
        for i in range(run.args.visitors)
    ]
    result = await burst(browser, urls, pid, len(PILLARS) * pool)
    seconds = [v.seconds for v in result["views"]]
    errors = [e for v in result["views"] for e in v.errors]
    worst = max(seconds) if seconds else math.nan
    crowd = f"{len(urls)} visitors in 1 s (--pool-size {pool})"
    run.add(Row("5. Burst", f"{crowd}: time to ready", seconds, "s"))
    run.add(Row("5. Burst", "slowest visitor", [worst], "s", limit="≤ 15 s"))
    run.rows[-1].met = worst <= 15  # NaN (a visitor never got a page) fails
    failed = Row("5. Burst", "visitors with an error", [float(len(errors))], "")
    failed.limit, failed.met = "0", not errors
    run.add(failed)
    if errors:
        run.notes.append("Burst errors: " + "; ".join(errors[:5]))
    for label, key in (("before the burst", "base"), ("at the peak", "peak")):
        run.add(Row("5. Burst", f"server memory {label}", [result[key] / MB], "MB"))
    after = Row("5. Burst", "server memory after culling", [result["after"] / MB], "MB")
    after.ratio = result["after"] / result["base"]
    after.limit, after.met = "≤ 1.10x before the burst", after.ratio <= 1.10
    run.add(after)
    run.notes.append(
        f"Burst: {pool} ready kernels per workbook ({len(PILLARS) * pool} in all, "
        f"{result['base'] / MB / (len(PILLARS) * pool):.0f} MB each with the server's "
        f"share); culling at {BURST_CULL} s idle (served: an hour) stopped the "
        f"visitors' kernels {result['culled_after']:.0f} s after their tabs closed."
    )


def store_writers(run: Run, db: Path) -> None:
    """Target 6: 10 processes save sessions into one SQLite store at once."""
    copy = run.tmp / "writers.db"
    shutil.copyfile(db, copy)
    _first, _lead, pairs = _coaches(copy)
    result = writers(str(copy), pairs, run.args.sessions)
    save = Row(
        "6. Store",
        "save a session ('Finish and save'), 10 writers",
        result["save_ms"],
        "ms",
    )
    save.ratio = None
    save.limit = "p95 < 50 ms"
    save.met = pct(result["save_ms"], 95) < 50
    run.add(save)
    run.add(
        Row(
            "6. Store",
            "autosave of the write-up, 10 writers",
            result["autosave_ms"],
            "ms",
        )
    )
    locked = [m for m in result["told_user"] if "locked" in m.lower()]
    run.add(
        Row(
            "6. Store",
            "'database is locked' shown to a coach",
            [float(len(locked))],
            "",
            limit="0",
            met=not locked,
        )
    )
    other = result["told_user"] + result["errors"]
    run.add(
        Row(
            "6. Store",
            "saves refused or failed",
            [float(len(other))],
            "",
            limit="0",
            met=not other,
        )
    )
    if other:
        run.notes.append("Store: " + "; ".join(m.splitlines()[-1] for m in other[:5]))
    run.notes.append(
        f"Store: p95 of 'Finish and save' {pct(result['save_ms'], 95):.1f} ms over "
        f"{len(result['save_ms'])} saves."
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
        _demo(demo, run.env)
        if args.big_db and args.big_db.exists():
            shutil.copyfile(args.big_db, big)
        elif only & set("3456"):
            _demo(big, run.env, "--coaches", "50", "--reps", "20", "--months", "36")
            if args.big_db:
                shutil.copyfile(big, args.big_db)
        _bare_notebook(tmp / "bare")
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
