"""Kernel time of each Improve tab on a large organisation.

Builds (or reuses, with --db) a demo organisation of --coaches x --reps reps with
--months of history, then builds the Improve workbook in this process, as a Voila
kernel does, and opens every tab, for one coach (whole team and one rep) and for the
lead who sees everyone, over the first period (6 months) and over 12 months. Prints
the median seconds of --runs runs per tab: the time from a click on the tab to its
tables and charts being drawn. Times are for this machine and this run; compare
them with each other, not with a fixed number.

    python benchmarks/improve_kernel_time.py --coaches 50 --reps 20 --months 36
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from _setup import big_org, coaches_of

from coachkit.apps.improve import DEFAULT_MONTHS, Improve
from coachkit.model.periods import Period


def _tab_times(
    db: Path, coach: int, rep: int | None, months: int = DEFAULT_MONTHS
) -> dict[str, float]:
    began = time.perf_counter()
    app = Improve(db=str(db), coach=coach)
    build = time.perf_counter() - began
    if rep is not None:
        app.set_rep(rep)
    if months != DEFAULT_MONTHS:
        app.set_period(Period.last_months(app.today, months))
    for tab in app.tabs:
        tab.stale = True
    app.timings.clear()
    app.show_all()
    return {"workbook build (with tab 1)": build, **app.timings}


def main() -> None:
    args, db, _store = big_org(__doc__.splitlines()[0])
    coach, lead, pairs = coaches_of(db)
    rep = pairs[0][1]  # the coach's first rep
    _tab_times(db, coach, None)  # warm up imports and the SVG engine
    columns = {
        "coach, team": (coach, None, DEFAULT_MONTHS),
        "coach, one rep": (coach, rep, DEFAULT_MONTHS),
        "lead, everyone": (lead, None, DEFAULT_MONTHS),
        "lead, 12 months": (lead, None, 12),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in columns}
    for _ in range(args.runs):
        for name, (who, one, months) in columns.items():
            runs[name].append(_tab_times(db, who, one, months))
    steps = list(runs["coach, team"][0])
    print(f"{'seconds (median of ' + str(args.runs) + ')':<30}", end="")
    print("".join(f"{name:>16}" for name in columns))
    for step in steps:
        cells = [statistics.median(r[step] for r in runs[name]) for name in columns]
        print(f"{step:<30}" + "".join(f"{c:>15.3f}s" for c in cells))


if __name__ == "__main__":
    main()
