"""A workshop day, compressed: do kernels end with their pages (issue 24, item 7)?

```bash
python benchmarks/workshop_day.py                      # 30 participants, ~12 minutes
python benchmarks/workshop_day.py --participants 6 --rounds 1   # a quick look
```

``coachkit workshop --participants N`` makes the store and ``coachkit serve``
serves it with its defaults (two kernels kept ready per workbook, a page's kernel
kept two minutes after its page goes). Each participant is a Chromium browser
context of its own: they claim a seat on the Prioritize page as a person does
(type a name, press "Get my team", follow the link), keep that tab, then over
``--rounds`` rounds open each workbook in a new tab and close the previous one:
some tabs close without a word (no ``beforeunload``: the server hears nothing but
the connection closing), some reload, the rest close as a browser usually does. At
most ``--batch`` participants act at once (this 2-CPU machine runs the browser and
the server); between actions a participant reads for a few seconds. At the end
everyone leaves without a word, and the run waits out the grace.

Every ``--sample`` seconds it reads the server's kernels (count) and the memory of
the server and everything it started (PSS: each page shared by n processes counts
1/n, so the sum is what the machine really holds; and RSS for comparison). It
checks the promise: kernels never exceed the open pages (a page being opened
counts: it has its kernel from its first request), plus the pools, plus the pages
closed less than the grace ago (plus ``SLACK`` seconds for a kernel to stop).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from _browser import WORKBOOK_READY, close, launch, open_view
from _servers import free_port, kernels, memory, running, scratch
from _setup import MB
from playwright.async_api import async_playwright

from coachkit.model.pillars import PILLARS
from coachkit.web.page_kernels import GRACE_SECONDS
from coachkit.web.serve import POOL_SIZE

#: Seconds a kernel may take to stop after its grace (the server's own timers,
#: and a shutdown on a busy machine).
SLACK = 20


@dataclass
class Day:
    """What happened, as the participants and the sampler saw it."""

    #: Pages open or being opened (a page has its kernel from its first request).
    open_pages: int = 0
    #: When each page was left (closed, reloaded, navigated away), monotonic.
    left: list[float] = field(default_factory=list)
    seconds: list[tuple[float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    samples: list[dict[str, float]] = field(default_factory=list)
    over: list[str] = field(default_factory=list)

    def leave(self) -> None:
        self.open_pages -= 1
        self.left.append(time.monotonic())


async def _timed_open(day: Day, context: Any, url: str, what: str) -> Any:
    day.open_pages += 1
    page, view = await open_view(context, url, WORKBOOK_READY)
    day.seconds.append((view.seconds, what))
    day.errors += [f"{what}: {e}" for e in view.errors if "did not build" in e]
    return page


async def _claim(day: Day, context: Any, base: str, name: str) -> tuple[Any, str]:
    """Claim a seat as a person does; the tab now shows their own Prioritize."""
    page = await _timed_open(day, context, base + PILLARS[0].path.lstrip("/"), "claim")
    await page.locator(".ck-seat-name input").fill(name)
    await page.locator(".ck-claim").click()
    link = page.locator(".ck-seat-link")
    await link.wait_for(timeout=60_000)
    seat = str(await link.get_attribute("href")).split("?seat=")[1]
    started = time.perf_counter()
    day.open_pages += 1
    await link.click()
    day.leave()  # the claim page goes; its kernel is left to the grace
    await page.locator(WORKBOOK_READY).wait_for(timeout=120_000)
    day.seconds.append((time.perf_counter() - started, "own Prioritize"))
    return page, seat


async def _participant(
    day: Day,
    browser: Any,
    base: str,
    number: int,
    rounds: int,
    turns: asyncio.Semaphore,
    rng: random.Random,
) -> Any:
    context = await browser.new_context()
    async with turns:
        home, seat = await _claim(day, context, base, f"Participant {number}")
    previous = None
    for _ in range(rounds):
        for pillar in PILLARS:
            await asyncio.sleep(rng.uniform(2, 8))  # reading, typing
            async with turns:
                url = f"{base}{pillar.path.lstrip('/')}?seat={seat}"
                page = await _timed_open(day, context, url, pillar.notebook)
                if previous is not None:
                    how = rng.random()
                    if how < 0.15:  # a reload: a new kernel, the old one alone
                        started = time.perf_counter()
                        day.open_pages += 1
                        await previous.reload()
                        day.leave()
                        await previous.locator(WORKBOOK_READY).wait_for(timeout=120_000)
                        day.seconds.append((time.perf_counter() - started, "reload"))
                    await close(previous, tell_server=how > 0.5)
                    day.leave()
                previous = page
    return context, [home, previous]


def _age(kernel: psutil.Process, now: float) -> float:
    """Seconds since ``kernel`` started (``now`` is monotonic, as in :class:`Day`)."""
    try:
        return time.time() - (time.monotonic() - now) - kernel.create_time()
    except psutil.Error:
        return float("nan")


async def _sample(day: Day, server_pid: int, every: float, grace: float) -> None:
    pool = POOL_SIZE * len(PILLARS)
    while True:
        now = time.monotonic()  # before reading: a busy machine reads slowly
        found = kernels(server_pid)
        root = psutil.Process(server_pid)
        used = [memory(p) for p in [root, *root.children(recursive=True)]]
        in_kernels = sum(memory(k)["pss"] for k in found)
        recent = sum(1 for t in day.left if now - t < grace + SLACK)
        allowed = day.open_pages + pool + recent
        day.samples.append(
            {
                "kernels": len(found),
                "allowed": allowed,
                "open": day.open_pages,
                "pss": sum(u["pss"] for u in used),
                "kernels_pss": in_kernels,
                "rss": sum(u["rss"] for u in used),
            }
        )
        if len(found) > allowed:
            ages = sorted(_age(k, now) for k in found)
            since = now - max(day.left) if day.left else float("nan")
            day.over.append(
                f"{len(found)} kernels > {allowed} allowed ({day.open_pages} pages "
                f"open, the last page left {since:.0f} s ago; kernels' ages in s: "
                f"{', '.join(f'{a:.0f}' for a in ages)})"
            )
        await asyncio.sleep(every)


async def _day(args: argparse.Namespace, base: str, server_pid: int) -> Day:
    day = Day()
    rng = random.Random(args.seed)
    turns = asyncio.Semaphore(args.batch)
    sampler = asyncio.create_task(_sample(day, server_pid, args.sample, args.grace))
    started = time.monotonic()
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        people = await asyncio.gather(
            *(
                _participant(day, browser, base, n + 1, args.rounds, turns, rng)
                for n in range(args.participants)
            )
        )
        print(f"day over after {time.monotonic() - started:.0f} s", file=sys.stderr)
        for _context, pages in people:  # everyone leaves without a word
            for page in pages:
                await close(page, tell_server=False)
                day.leave()
        await browser.close()
    await asyncio.sleep(args.grace + SLACK)
    sampler.cancel()
    day.samples.append({"kernels": len(kernels(server_pid)), "final": 1.0})
    return day


def _at_peak(samples: list[dict[str, float]], key: str) -> float:
    """``key`` in the sample where the server held the most memory."""
    return max(samples, key=lambda s: s["pss"])[key]


def _report(day: Day, args: argparse.Namespace) -> str:
    during = [s for s in day.samples if "pss" in s]
    seconds = sorted(day.seconds)
    slowest = seconds[-1] if seconds else (float("nan"), "")
    in_kernels = _at_peak(during, "kernels_pss")
    at_peak = _at_peak(during, "kernels")
    lines = [
        f"| participants | {args.participants} (batches of {args.batch}, "
        f"{args.rounds} round(s) of the three workbooks) |",
        f"| page views | {len(seconds)} |",
        f"| peak kernels | {max(s['kernels'] for s in during):.0f} "
        f"(open pages at that moment + pools + recently left: "
        f"{max(during, key=lambda s: s['kernels'])['allowed']:.0f}) |",
        f"| final kernels, {args.grace + SLACK:.0f} s after everyone left | "
        f"{day.samples[-1]['kernels']:.0f} (pools: {POOL_SIZE * len(PILLARS)}) |",
        f"| peak server memory, PSS | {max(s['pss'] for s in during) / MB:,.0f} MB |",
        f"| at that peak: kernels' PSS, each on average | {in_kernels / MB:,.0f} MB "
        f"in {at_peak:.0f} kernels, {in_kernels / at_peak / MB:.0f} MB |",
        f"| peak server memory, RSS added up | "
        f"{max(s['rss'] for s in during) / MB:,.0f} MB |",
        f"| page to ready, median | {statistics.median(s for s, _ in seconds):.1f} s |",
        f"| page to ready, 95th percentile | "
        f"{seconds[int(0.95 * (len(seconds) - 1))][0]:.1f} s |",
        f"| slowest page | {slowest[0]:.1f} s ({slowest[1]}); "
        f"{sum(1 for s, _ in seconds if s > 15)} over 15 s |",
        f"| samples with more kernels than allowed | {len(day.over)} |",
        f"| pages that did not build | {len(day.errors)} |",
    ]
    return "| measure | value |\n|---|---|\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--batch", type=int, default=5, help="acting at once")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sample", type=float, default=2.0, help="seconds")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument(
        "--grace", type=float, default=GRACE_SECONDS, help="the server's grace, s"
    )
    parser.add_argument("--log", type=Path, help="keep the server's log here")
    args = parser.parse_args(argv)
    with scratch("coachkit-workshop-day-") as (tmp, env):
        db = tmp / "workshop.db"
        made = [sys.executable, "-m", "coachkit", "workshop", "--db", str(db)]
        made += ["--participants", str(args.participants)]
        subprocess.run(made, env=env, check=True, stdout=subprocess.DEVNULL)
        env["COACHKIT_KERNEL_GRACE"] = str(args.grace)
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
        command += ["--port", str(port)]
        log = tmp / "serve.log"
        with running(command, env, log, base) as proc:
            time.sleep(30)  # the pools fill, as before a workshop starts
            day = asyncio.run(_day(args, base, proc.pid))
        if args.log:
            args.log.write_bytes(log.read_bytes())
    print(_report(day, args))
    for line in (day.errors + day.over)[:20]:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
