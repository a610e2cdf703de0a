"""The six targets of issue 7, one function each, adding rows to a :class:`Run`."""

from __future__ import annotations

import math
import shutil
import statistics
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _browser import BARE_READY, WORKBOOK_READY, View, open_view
from _interactions import all_interactions
from _load import burst, culled, writers
from _pages import Page, every_tab, second_visitors, time_views
from _report import Row, pct
from _setup import (
    BARE,
    BARE_OURS,
    BARE_PLAIN,
    BARE_SERVED,
    BURST_CULL,
    CPUS,
    MB,
    USUAL_KERNELS,
    Run,
    coaches_of,
    seconds_of,
    workbook_pages,
)
from _visitor import visit

from coachkit.model.pillars import PILLARS
from coachkit.web.serve import (
    POOL_SIZE,
    workbooks_dir,
)


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
    cold = workbook_pages(cold_url, cold_pid, 0, f" cold, {size}")
    served = workbook_pages(served_url, served_pid, pool, f" served, {size}")
    section = "1. Cold page" if size == "demo" else "3. Scale"
    refs: list[tuple[Page, str]] = []
    if size == "demo":  # what the kernel template and coachkit's page buy a cold page
        usual_url, usual_pid = run.voila(
            run.tmp / "bare", db, "bare-usual", USUAL_KERNELS, stack=stack
        )
        usual = Page(
            BARE_PLAIN, f"{usual_url}voila/render/bare.ipynb", BARE_READY, usual_pid, 0
        )
        ours_url, ours_pid = run.voila(
            run.tmp / "bare", db, "bare-ours", template=None, stack=stack
        )
        ours = Page(
            BARE_OURS, f"{ours_url}voila/render/bare.ipynb", BARE_READY, ours_pid, 0
        )
        refs = [
            (usual, "(reference: no kernel template)"),
            (ours, "(reference: coachkit's page script)"),
        ]
    await _timed(run, browser, bare, cold, size, section, f"{size} run", 1.30, refs)
    section = "2. As served" if size == "demo" else "3. Scale"
    refs = []
    if size == "demo":  # what a page from the pool takes at least: Chromium, Voila
        floor_url, floor_pid = run.voila(
            run.tmp / "bare",
            db,
            "bare-served",
            pool=POOL_SIZE,
            template=None,
            stack=stack,
        )
        floor = Page(
            BARE_SERVED,
            f"{floor_url}voila/render/bare.ipynb",
            BARE_READY,
            floor_pid,
            POOL_SIZE,
            waits=False,
        )
        refs = [(floor, "(the floor: a one-button page on coachkit's page, pooled)")]
    views = await _timed(
        run, browser, bare, served, size, section, "same run", 0.70, refs
    )
    if size != "demo":
        for page in served:
            weight = [(v.html_bytes + v.state_bytes) / MB for v in views[page.label]]
            label = page.label.removesuffix(f" served, {size}")
            weight_row = Row("3. Scale", f"first page weight, {label}", weight, "MB")
            weight_row.limit, weight_row.met = "≤ 3 MB", max(weight) <= 3
            run.add(weight_row)
    if size == "demo":
        log = run.tmp / f"served-{size}.log"
        seconds = await second_visitors(browser, served, run.args.pairs, log)
        for page in served:
            pair_views = seconds[page.label]
            label = page.label.removesuffix(", demo")
            pooled = sum(bool(v.preheated) for v in pair_views)
            row = Row(
                "2. As served",
                f"{label}: a visitor 1 s after another ({pooled} of {len(pair_views)} "
                "got a preheated kernel)",
                seconds_of(pair_views),
                "s",
            )
            alone = run.medians[page.label.replace("served", "cold")]
            row.ratio = row.median / alone
            row.limit = "preheated, < 1.00x same workbook cold"
            row.met = pooled == len(pair_views) and row.ratio < 1.0
            run.add(row)


async def _timed(
    run: Run,
    browser: Any,
    bare: Page,
    pages: list[Page],
    size: str,
    section: str,
    bare_label: str,
    of_bare: float,
    refs: list[tuple[Page, str]] | None = None,
) -> dict[str, list[Any]]:
    """Time ``pages`` next to the one-button page; a row each, with its ratio.

    On the demo organisation the ratio is to the one-button page's median (limit
    ``of_bare``); on the big one, to the same page on the demo (limit 1.30).
    Each of ``refs`` (a one-button page served another way, with a note for its
    limit column) gets a row with its ratio.
    """
    extra = [page for page, _note in refs or []]
    views = await time_views(browser, [bare, *extra, *pages], run.args.runs, section)
    base = statistics.median(seconds_of(views[bare.label]))
    run.add(Row(section, f"{BARE}, {bare_label}", seconds_of(views[bare.label]), "s"))
    for page, note in refs or []:
        row = run.add(Row(section, page.label, seconds_of(views[page.label]), "s"))
        row.ratio, row.limit = row.median / base, note
    for page in pages:
        row = Row(section, page.label, seconds_of(views[page.label]), "s")
        run.medians[page.label] = row.median
        if size == "demo":
            row.ratio, row.limit = row.median / base, f"≤ {of_bare:.2f}x bare cold"
        else:
            demo = run.medians[page.label.replace(size, "demo")]
            row.ratio, row.limit = row.median / demo, "≤ 1.30x same, demo"
        row.met = row.ratio <= (of_bare if size == "demo" else 1.30)
        run.add(row)
    return views


async def worst_case(run: Run, browser: Any, db: Path) -> None:
    """Target 3: the lead's first page and each kernel after every tab, 1,000 reps."""
    first, lead, _pairs = coaches_of(db)
    with ExitStack() as stack:
        url, pid = run.serve(db, "worst", stack=stack)
        await _worst_case(run, browser, url, pid, first, lead)


async def _worst_case(
    run: Run, browser: Any, url: str, pid: int, first: int, lead: int
) -> None:
    for who, query in (("first coach", f"?coach={first}"), ("lead", f"?coach={lead}")):
        for page in workbook_pages(url, pid, 3 * POOL_SIZE, "", query):
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

    Two bursts: visitors whose browsers run elsewhere (:func:`_visitor.visit` asks
    the server for what a page asks for), as in a workshop; then Chromium tabs on
    this machine, which share its 2 CPUs with the server.
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
        template=None,
    )
    port = urlsplit(url).port
    pooled = len(PILLARS) * pool
    urls = [
        f"{url}voila/render/{PILLARS[i % len(PILLARS)].notebook}"
        for i in range(run.args.visitors)
    ]
    crowd = f"{len(urls)} visitors in 1 s (--pool-size {pool})"

    remote = await burst(urls, pid, pooled, visit)
    await culled(pid, pooled, port, [v.kernel_id for v in remote["views"]])
    _burst_rows(run, f"{crowd}, browsers elsewhere", remote)

    # The tabs of one browser that has seen each workbook once (its cache warm, as
    # in the other sections).
    context = await browser.new_context()
    for page_url in dict.fromkeys(urls):
        page, _view = await open_view(context, page_url, WORKBOOK_READY)
        await page.close(run_before_unload=True)

    async def tab(page_url: str) -> View:
        return (await open_view(context, page_url, WORKBOOK_READY))[1]

    local = await burst(urls, pid, pooled, tab)
    await context.close()  # the tabs go without a goodbye: culling must stop them
    after = await culled(pid, pooled, port, [v.kernel_id for v in local["views"]])
    _burst_rows(run, f"{crowd}, Chromium tabs on this machine", local)
    for label, value in (
        ("before the burst", local["base"]),
        ("at the peak", local["peak"]),
    ):
        run.add(Row("5. Burst", f"server memory {label}", [value / MB], "MB"))
    memory = Row("5. Burst", "server memory after culling", [after["after"] / MB], "MB")
    memory.ratio = after["after"] / local["base"]
    memory.limit, memory.met = "≤ 1.10x before the burst", memory.ratio <= 1.10
    run.add(memory)
    run.notes.append(
        f"Burst: {pool} ready kernels per workbook ({pooled} in all, "
        f"{local['base'] / MB / pooled:.0f} MB each with the server's share); "
        f"{local['kernels_during']} kernels ran at the end of the Chromium burst; "
        f"culling at {BURST_CULL} s idle (served: an hour) stopped the "
        f"{after['visitor_kernels']} visitors' kernels {after['culled_after']:.0f} s "
        "after their tabs closed. Browsers "
        "elsewhere: a client asks the server for the page, the kernel's WebSocket and "
        "the widgets' state, as the page's scripts do, and is ready when that state "
        "holds the ready widget. Chromium tabs: each opens coachkit's page in a new "
        "tab of one browser; the CPU row says what Chromium itself took."
    )


def _burst_rows(run: Run, crowd: str, result: dict[str, Any]) -> None:
    """Time to ready, the slowest, the server's part and errors of one burst."""
    views = result["views"]
    seconds = [v.seconds for v in views]
    errors = [e for v in views for e in v.errors]
    worst = max(seconds) if seconds else math.nan
    run.add(Row("5. Burst", f"{crowd}: time to ready", seconds, "s"))
    # NaN (a visitor who never got a page) fails.
    run.add(
        Row(
            "5. Burst", "slowest visitor", [worst], "s", limit="≤ 15 s", met=worst <= 15
        )
    )
    answered = [v.answered for v in views]
    run.add(Row("5. Burst", "... the server's part: page sent in full", answered, "s"))
    failed = Row("5. Burst", "visitors with an error", [float(len(errors))], "")
    failed.limit, failed.met = "0", not errors
    run.add(failed)
    cpu = result["cpu"]
    for what, seconds in cpu.items():
        if what != "Chromium" or seconds > 1:
            run.add(Row("5. Burst", f"... CPU-seconds of {what}", [seconds], "s"))
    floor = sum(cpu.values()) / CPUS
    run.add(
        Row(
            "5. Burst",
            f"... the least time that CPU fits in ({CPUS} CPUs)",
            [floor],
            "s",
        )
    )
    if errors:
        run.notes.append(f"Burst errors ({crowd}): " + "; ".join(errors[:5]))


def store_writers(run: Run, db: Path) -> None:
    """Target 6: 10 processes save sessions into one SQLite store at once."""
    copy = run.tmp / "writers.db"
    shutil.copyfile(db, copy)
    _first, _lead, pairs = coaches_of(copy)
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
