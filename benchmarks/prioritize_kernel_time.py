"""Kernel time of the Prioritize workbook's heavy parts on a large organisation.

Builds (or reuses, with --db) a demo organisation of --coaches x --reps reps with
--months of history, then times, in this process, what a Voila kernel runs: the
ranking inputs, the ranking, the heat map cells and its SVG, a re-rank after a
weight change, and the whole workbook build, for one coach and for the lead who sees
everyone. Prints medians of --runs runs. Times are for this machine and this run;
compare them with each other, not with a fixed number.

    python benchmarks/prioritize_kernel_time.py --coaches 50 --reps 20 --months 36
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from _setup import big_org, coaches_of

from coachkit.model import charts
from coachkit.prioritize import tables as prioritize
from coachkit.prioritize.ranking import Weights, rank


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    args, db, store = big_org(__doc__.splitlines()[0])
    coach, lead, _pairs = coaches_of(db)
    from coachkit.apps.prioritize import Prioritize

    Prioritize(db=str(db), coach=coach)  # warm up imports and the SVG engine
    print(f"{'step':<38}{'one coach':>12}{'lead (all)':>12}")
    rows = []
    for label, make in (
        ("ranking inputs (3 queries)", lambda c: _inputs(store, c)),
        ("rank", lambda c: _rank(store, c)),
        ("heat map cells + SVG", lambda c: _heatmap(store, c)),
    ):
        mine = _median(lambda make=make: make(coach), args.runs)
        everyone = _median(lambda make=make: make(None), args.runs)
        rows.append((label, mine, everyone))
    rows.append(
        (
            "whole workbook build",
            _median(lambda: Prioritize(db=str(db), coach=coach), args.runs),
            _median(lambda: Prioritize(db=str(db), coach=lead), args.runs),
        )
    )
    for label, mine, everyone in rows:
        print(f"{label:<38}{mine:>11.3f}s{everyone:>11.3f}s")


_CACHE: dict[object, object] = {}


def _inputs(store, coach):  # type: ignore[no-untyped-def]
    import datetime as dt

    with store.read() as conn:
        out = prioritize.ranking_inputs(conn, coach, dt.date.today())
    _CACHE[coach] = out
    return out


def _rank(store, coach):  # type: ignore[no-untyped-def]
    import datetime as dt

    gaps, perf, coached = _CACHE.get(coach) or _inputs(store, coach)
    return rank(gaps, perf, coached, Weights(gap=2.0), dt.date.today())


def _heatmap(store, coach):  # type: ignore[no-untyped-def]
    gaps = (_CACHE.get(coach) or _inputs(store, coach))[0]
    coach_of = prioritize.roster(store, coach).set_index("rep_id")["coach"]
    cells = prioritize.heatmap_cells(gaps, coach_of=coach_of)
    return charts.to_svg(charts.heatmap_chart(cells))


if __name__ == "__main__":
    main()
