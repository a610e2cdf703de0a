"""How fast one observation tap updates the tally, next to a bare Voila button.

Builds (or reuses, with --db) a demo organisation of --coaches x --reps reps with
--months of history, starts ``coachkit serve`` on it and, beside it, a standalone
Voila with the same flags over a generated notebook whose one button updates a
Label. In headless Chromium it opens Facilitate, opens the top rep of the queue,
starts a session and taps "Seen" --taps times; then it clicks the bare button as
many times. Each sample is the time in the page from the click to the new text on
screen: ``performance.now()`` just before ``element.click()``, and again in a
MutationObserver when the tally's (or the Label's) text changes. Prints the median
and p90 in ms for both, and their ratio.

The target (issue 4): a tap shows in the tally in under 300 ms on the 1,000-rep
organisation. Times are for this machine and this run; compare the ratio. With --db,
the store is built there if missing and the taps go into a copy of it.

    python benchmarks/tap_latency.py [--db big.db] [--taps 20]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _report import pct, publish
from _servers import scratch, sync_chromium
from _setup import bare_notebook, make_demo, serve_beside_bare

from coachkit.model.pillars import pillar

BARE_SOURCE = """\
import ipywidgets as widgets
label = widgets.Label("0")
label.add_class("bare-label")
button = widgets.Button(description="Tap")
button.add_class("bare-button")
def tap(_button):
    label.value = str(int(label.value) + 1)
button.on_click(tap)
widgets.VBox([button, label])
"""
#: Waits for the page and for each round trip, in ms (the machine may be busy).
TIMEOUT_MS = 120_000
#: In the page: note the time, watch ``target`` for a text change, click ``button``.
CLICK_AND_WATCH = """([button, target]) => {
  const watched = document.querySelector(target);
  const before = watched.textContent;
  window.__tapDone = null;
  const observer = new MutationObserver(() => {
    if (watched.textContent !== before) {
      window.__tapDone = performance.now() - window.__tapStart;
      observer.disconnect();
    }
  });
  observer.observe(watched, {childList: true, subtree: true, characterData: true});
  window.__tapStart = performance.now();
  document.querySelector(button).click();
}"""
TAP_DONE = "() => window.__tapDone !== null"


def _count(page: Any, target: str) -> int:
    """The first number in ``target``'s text: the taps so far."""
    found = re.search(r"\d+", page.locator(target).first.inner_text())
    if found is None:
        sys.exit(f"no count in {target}")
    return int(found.group())


def _taps(
    page: Any, button: str, target: str, n: int, warmup: int, gap: float
) -> list[float]:
    """Click ``button`` ``warmup + n`` times; return the last n click-to-text times.

    Checks that the count in ``target`` went up by one per click, so no sample
    timed some other change of the text.
    """
    start = _count(page, target)
    times: list[float] = []
    for i in range(warmup + n):
        page.evaluate(CLICK_AND_WATCH, [button, target])
        page.wait_for_function(TAP_DONE, timeout=TIMEOUT_MS)
        took = float(page.evaluate("() => window.__tapDone"))
        if _count(page, target) != start + i + 1:
            sys.exit(f"{target} did not count tap {i + 1}")
        if i >= warmup:
            times.append(took)
        time.sleep(gap)
    return times


def _open_session(page: Any, url: str) -> str:
    """Open Facilitate, the top rep of the queue and a session; return the rep."""
    page.goto(url)
    page.locator(".coachkit-ready").wait_for(state="visible", timeout=TIMEOUT_MS)
    first = page.locator(".ck-open-rep").first
    rep = first.inner_text().strip()
    first.click()
    page.locator(".ck-brief", has_text=f"Prep for {rep}").wait_for(timeout=TIMEOUT_MS)
    page.locator(".ck-start-session").click()
    page.locator(".ck-tally", has_text="So far:").wait_for(
        state="visible", timeout=TIMEOUT_MS
    )
    return rep


def _report(results: dict[str, list[float]], taps: int) -> str:
    bare = statistics.median(results["bare one-button page"])
    lines = [
        f"click -> text on screen, ms, {taps} taps after a warm-up",
        f"{'page':<32}{'median':>8}{'p90':>8}{'max':>8}{'vs bare':>9}",
    ]
    for label, values in results.items():
        median = statistics.median(values)
        ratio = "" if label.startswith("bare") else f"{median / bare:.2f}x"
        lines.append(
            f"{label:<32}{median:>8.0f}{pct(values, 90):>8.0f}"
            f"{max(values):>8.0f}{ratio:>9}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="reuse (or build) this demo store")
    parser.add_argument("--coaches", type=int, default=50)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--taps", type=int, default=20, help="timed taps per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed taps first")
    parser.add_argument(
        "--gap", type=float, default=0.3, help="seconds between two taps"
    )
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args(argv)

    with scratch("coachkit-taps-") as (tmp, env):
        db = tmp / "big.db"
        size = ["--coaches", str(args.coaches), "--reps", str(args.reps)]
        size += ["--months", str(args.months)]
        if args.db is None:
            make_demo(db, env, *size)
        else:
            if not args.db.exists():
                make_demo(args.db, env, *size)
            # Tap into a copy: the session and its taps are not left in --db.
            shutil.copyfile(args.db, db)
        bare_notebook(tmp / "bare", BARE_SOURCE)
        results: dict[str, list[float]] = {}
        with ExitStack() as stack:
            ours, theirs = serve_beside_bare(stack, tmp, db, env)
            with sync_chromium() as browser:
                page = browser.new_page()
                url = f"http://127.0.0.1:{ours}{pillar('facilitate').path}"
                rep = _open_session(page, url)
                seen = page.locator(".ck-seen").first
                seen.wait_for(state="visible", timeout=TIMEOUT_MS)
                results[f"Facilitate tap ({rep})"] = _taps(
                    page,
                    ".ck-seen",
                    ".ck-tally",
                    args.taps,
                    args.warmup,
                    args.gap,
                )
                page.close(run_before_unload=True)

                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{theirs}/voila/render/bare.ipynb")
                page.locator(".bare-button").wait_for(
                    state="visible", timeout=TIMEOUT_MS
                )
                results["bare one-button page"] = _taps(
                    page,
                    ".bare-button",
                    ".bare-label",
                    args.taps,
                    args.warmup,
                    args.gap,
                )
                page.close(run_before_unload=True)
    results = dict(sorted(results.items(), key=lambda kv: not kv[0].startswith("b")))
    publish(_report(results, args.taps), results, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
