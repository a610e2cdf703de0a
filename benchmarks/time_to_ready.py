"""How long each workbook takes to become usable, next to a bare Voila page.

Starts ``coachkit serve`` on a demo store, and a second Voila with the same flags
and kernel pool over a generated one-button notebook. After one warm-up view of each
page, it opens every page ``--runs`` times in headless Chromium and times ``goto``
until the page is usable: ``.coachkit-ready`` visible for a workbook, the button
visible for the bare page. Prints the medians and each workbook's ratio to the bare
page. See benchmarks/README.md.

Run: python benchmarks/time_to_ready.py [--runs 5] [--pool-size 1]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _report import publish
from _servers import scratch, sync_chromium
from _setup import bare_notebook, make_demo, serve_beside_bare

from coachkit.model.pillars import PILLARS

BARE_SOURCE = """\
import ipywidgets as widgets
button = widgets.Button(description="Go")
button.add_class("bare-ready")
widgets.VBox([button])
"""
#: Voila logs this each time a notebook's kernel pool is full again.
POOL_FILLED = "Kernel pool of {} is filled"


@dataclass
class Target:
    """One page to time, and the server log that says when its pool is refilled."""

    label: str
    url: str
    ready: str
    notebook: str
    log: Path


def _pool_fills(target: Target) -> int:
    text = target.log.read_text(errors="replace")
    return len(re.findall(re.escape(POOL_FILLED.format(target.notebook)), text))


def _wait_for_pool(target: Target, at_least: int, timeout: float = 60) -> None:
    """Wait until the page's kernel pool has been refilled ``at_least`` times."""
    deadline = time.monotonic() + timeout
    while _pool_fills(target) < at_least and time.monotonic() < deadline:
        time.sleep(0.2)


def _time_once(context: Any, target: Target) -> float:
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(target.url)
        page.locator(target.ready).wait_for(state="visible", timeout=120_000)
        return time.perf_counter() - started
    finally:
        page.close(run_before_unload=True)


def _measure(browser: Any, targets: list[Target], runs: int, pooled: bool) -> dict:
    timings: dict[str, list[float]] = {t.label: [] for t in targets}
    contexts = {t.label: browser.new_context() for t in targets}
    for run in range(runs + 1):  # run 0 is the warm-up
        for target in targets:
            fills = _pool_fills(target)
            if pooled:
                _wait_for_pool(target, max(fills, 1))
            seconds = _time_once(contexts[target.label], target)
            if run:
                timings[target.label].append(seconds)
            if pooled:  # let the pool refill before the next view of this page
                _wait_for_pool(target, fills + 1)
        if run:
            print(f"  run {run}/{runs} done", file=sys.stderr)
    for context in contexts.values():
        context.close()
    return timings


def _report(timings: dict[str, list[float]], bare: str, runs: int, pool: int) -> str:
    base = statistics.median(timings[bare])
    lines = [
        f"goto -> usable, seconds, {runs} runs after one warm-up, pool size {pool}",
        f"{'page':<26}{'median':>8}{'min':>8}{'max':>8}{'vs bare':>9}",
    ]
    for label, values in timings.items():
        median = statistics.median(values)
        ratio = "" if label == bare else f"{median / base:.2f}x"
        lines.append(
            f"{label:<26}{median:>8.2f}{min(values):>8.2f}{max(values):>8.2f}{ratio:>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed views per page")
    parser.add_argument("--pool-size", type=int, default=1, help="kernels per page")
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args(argv)

    with scratch("coachkit-bench-") as (tmp, env):
        db = tmp / "store.db"
        make_demo(db, env)
        bare_notebook(tmp / "bare", BARE_SOURCE)
        with ExitStack() as stack:
            ours, theirs = serve_beside_bare(stack, tmp, db, env, args.pool_size)
            targets = [
                Target(
                    "bare one-button page",
                    f"http://127.0.0.1:{theirs}/voila/render/bare.ipynb",
                    ".bare-ready",
                    "bare.ipynb",
                    tmp / "bare.log",
                )
            ]
            targets += [
                Target(
                    p.notebook.removesuffix(".ipynb"),
                    f"http://127.0.0.1:{ours}{p.path}",
                    ".coachkit-ready",
                    p.notebook,
                    tmp / "serve.log",
                )
                for p in PILLARS
            ]
            with sync_chromium() as browser:
                timings = _measure(browser, targets, args.runs, args.pool_size > 0)

    publish(
        _report(timings, targets[0].label, args.runs, args.pool_size),
        timings,
        args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
