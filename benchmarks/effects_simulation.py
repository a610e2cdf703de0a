"""How the "what coaching changed" estimate behaves when coaches pick reps as they do.

Runs the estimate on seeded made-up organisations (5 teams of 8 reps, 60 weeks, two
reps picked every 4 weeks; :mod:`coachkit.improve.effects.simulate`) for each way of
picking and each true effect, and prints one row per scenario: the bias of the
estimate, how often its 95% range held the truth, how often it said "better", how
often it held the answer back ("can't tell yet"), and the same estimate without
its two guards against regression to the mean (no weeks left out before the
start, no check on the weeks before, each rep on its own in the range): its bias,
and how often it would have said "better". Statistics, not timing: the numbers do
not depend on the machine.

    python benchmarks/effects_simulation.py            # 400 teams a scenario
    python benchmarks/effects_simulation.py --runs 1000
"""

from __future__ import annotations

import argparse
import time

from coachkit.improve.effects.simulate import Scenario, tally

SCENARIOS = [
    Scenario("random starts, no effect"),
    Scenario("random starts, +8 points", effect=0.08),
    Scenario("random starts, +3 points", effect=0.03),
    Scenario("worst last 4 weeks first, no effect", pick="worst_recent"),
    Scenario("worst last 4 weeks first, +3 points", pick="worst_recent", effect=0.03),
    Scenario(
        "worst first, spells that last (a real dip), no effect",
        pick="worst_recent",
        spell=0.8,
    ),
    Scenario("weakest all along first, no effect", pick="persistent"),
    Scenario("team shocks (3 points, lasting), no effect", team_shock=0.03),
    Scenario("staggered single starts, +4 points", per_pick=1, every=2, effect=0.04),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="Teams per scenario.")
    args = parser.parse_args()
    head = (
        "| scenario | bias (points) | range holds the truth | says better "
        "| can't tell yet | without the guards: bias "
        "| without the guards: says better |"
    )
    print(head)
    print("|---" * 7 + "|")
    started = time.monotonic()
    for scenario in SCENARIOS:
        now = tally(scenario, args.runs)
        old = tally(scenario, args.runs, gap_weeks=0, teams=None)
        print(
            f"| {scenario.name} | {now.bias:+.2f} | {now.covered:.1%} | "
            f"{now.better:.1%} | {now.held_back:.1%} | {old.bias:+.2f} | "
            f"{old.range_above_zero:.1%} |"
        )
    print(f"\n{args.runs} teams a scenario, {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
