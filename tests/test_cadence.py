"""Coverage and cadence: hours against the plan and the research, who gets the time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from rows import add, add_plan, add_session, add_values
from sqlalchemy.engine import Connection

from coachkit.improve.cadence import (
    COVERAGE_COLUMNS,
    FOLLOWUP_COLUMNS,
    MONTHLY_COLUMNS,
    RESEARCH_HOURS_PER_MONTH,
    STANDING_COLUMNS,
    balance_sentence,
    coverage,
    coverage_by_coach,
    coverage_by_standing,
    coverage_chart,
    missed_followups,
    monthly_hours,
)
from coachkit.model.periods import Period
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store

D = dt.date
PERIOD = Period.between(D(2026, 4, 1), D(2026, 6, 30))  # 91 days
TODAY = D(2026, 7, 10)
QUOTA = "quota_attainment"


def _plan(
    conn: Connection, coach: int, rep: int, cadence: int, minutes: int | None
) -> None:
    add_plan(
        conn,
        coach,
        rep,
        D(2026, 1, 5),
        cadence_days=cadence,
        minutes_per_session=minutes,
    )


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Ada's six reps (all her hours go to the bottom two) and Otto's three."""
    ids: dict[str, int] = {}
    with store.write() as conn:
        ada = ids["ada"] = add(conn, s.coaches, name="Ada Coach")
        otto = ids["otto"] = add(conn, s.coaches, name="Otto Coach")
        levels = {
            "R1": [1.4, 1.6],
            "R2": [1.2],
            "R3": [1.0],
            "R4": [0.9],
            "R5": [0.5],
            "R6": [0.4],
        }
        for name, values in levels.items():
            rep = ids[name] = add(conn, s.reps, coach_id=ada, name=name)
            days = [D(2026, 4, 6), D(2026, 5, 4), D(2026, 6, 1)]
            quota = zip(days, values, strict=False)
            add_values(conn, ada, rep, [(QUOTA, d, v) for d, v in quota])
        # Before the period: does not count toward R1's average.
        add_values(conn, ada, ids["R1"], [(QUOTA, D(2026, 3, 2), 0.1)])
        for name, value in (("S1", 0.3), ("S2", 0.2), ("S3", 0.1)):
            rep = ids[name] = add(conn, s.reps, coach_id=otto, name=name)
            add_values(conn, otto, rep, [(QUOTA, D(2026, 5, 4), value)])
        _plan(conn, ada, ids["R1"], 14, None)  # never coached
        add_session(conn, ada, ids["R3"], D(2026, 3, 1), next_on=D(2026, 3, 15))
        add_session(conn, ada, ids["R4"], D(2026, 5, 1), status="draft")
        _plan(conn, ada, ids["R5"], 7, 60)
        add_session(conn, ada, ids["R5"], D(2026, 3, 31), 60)  # a day early: left out
        add_session(conn, ada, ids["R5"], D(2026, 4, 1), 60, next_on=D(2026, 4, 8))
        add_session(conn, ada, ids["R5"], D(2026, 6, 30), 60, next_on=D(2026, 7, 7))
        _plan(conn, ada, ids["R6"], 14, None)
        add_session(conn, ada, ids["R6"], D(2026, 5, 15), 45, next_on=D(2026, 5, 29))
        add_session(conn, ada, ids["R6"], D(2026, 7, 5), 30, next_on=D(2026, 7, 19))
        add_session(conn, otto, ids["S1"], D(2026, 6, 1), 30)
        add_session(conn, otto, ids["S2"], D(2026, 7, 1), 30, next_on=TODAY)
    return ids


def _by_rep(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return frame.set_index("rep").to_dict("index")


def test_hours_against_plan_and_research(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = coverage(conn, team["ada"], PERIOD, TODAY)
    assert list(frame.columns) == COVERAGE_COLUMNS
    assert list(frame["rep"]) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    rows = _by_rep(frame)
    months = 91 / 30.4375
    r5, r6 = rows["R5"], rows["R6"]
    assert (r5["sessions"], r5["hours"]) == (2, 2.0)  # the first and the last day
    assert r5["hours_per_month"] == pytest.approx(2.0 / months)
    assert r5["sessions_per_month"] == pytest.approx(2 / months)
    assert r5["planned_hours_per_month"] == pytest.approx(30.44 / 7)
    assert r5["gap_to_plan"] == pytest.approx(30.44 / 7 - 2.0 / months)
    assert r5["gap_to_research"] == pytest.approx(3.0 - 2.0 / months)
    assert r5["research_hours_per_month"] == RESEARCH_HOURS_PER_MONTH == 3.0
    # The July session is after the period: it counts as the last session only.
    assert (r6["sessions"], r6["hours"]) == (1, 0.75)
    assert r6["planned_hours_per_month"] == pytest.approx(30.44 / 14 * 0.5)
    assert r6["last_session_on"] == D(2026, 7, 5)
    assert pd.isna(rows["R2"]["planned_hours_per_month"])
    assert rows["R4"]["sessions"] == 0  # a draft is not a session held


def test_overdue_reps(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        rows = _by_rep(coverage(conn, team["ada"], PERIOD, TODAY))
    assert (rows["R5"]["days_since"], rows["R5"]["cadence_days"]) == (10, 7)
    assert (rows["R6"]["days_since"], rows["R6"]["cadence_days"]) == (5, 14)
    overdue = {rep for rep, row in rows.items() if row["overdue"]}
    # R1, R2 and R4 were never coached. R3 has no plan. R5 is 3 days past a weekly
    # cadence: within the week of slack, so on time.
    assert overdue == {"R1", "R2", "R4"}
    with store.read() as conn:
        later = _by_rep(coverage(conn, team["ada"], PERIOD, TODAY + dt.timedelta(5)))
    assert later["R5"]["overdue"]  # 15 days on a weekly cadence: late
    assert rows["R3"]["days_since"] == (TODAY - D(2026, 3, 1)).days


def test_standing_comes_from_each_reps_own_quota(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        rows = _by_rep(coverage(conn, None, PERIOD, TODAY))
        ada = _by_rep(coverage(conn, team["ada"], PERIOD, TODAY))
    assert rows["R1"]["quota_attainment"] == pytest.approx(1.5)  # March left out
    standing = {rep: row["standing"] for rep, row in rows.items()}
    assert standing == {
        "R1": "top",
        "R2": "top",
        "R3": "top",  # 100% of quota
        "R4": "middle",
        "R5": "bottom",
        "R6": "bottom",
        # The same thresholds for every team: 30% of quota is the bottom, even
        # when it is the best of Otto's team.
        "S1": "bottom",
        "S2": "bottom",
        "S3": "bottom",
    }
    assert {rep: row["standing"] for rep, row in ada.items()} == {
        rep: standing[rep] for rep in ada
    }


def test_all_hours_to_the_bottom(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = coverage(conn, team["ada"], PERIOD, TODAY)
    table = coverage_by_standing(frame)
    assert list(table.columns) == STANDING_COLUMNS
    assert list(table["standing"]) == ["top", "middle", "bottom"]
    assert list(table["reps"]) == [3, 1, 2]
    assert list(table["share_of_hours"]) == [0.0, 0.0, 1.0]
    sentence = (
        "100% of your coaching hours went to the reps at the bottom (under 70% of "
        "quota), who are 33% of your reps."
    )
    assert balance_sentence(frame) == balance_sentence(table) == sentence


def _pure(hours: list[float], standing: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"hours": hours, "standing": standing})


def test_balance_sentence_top_even_and_empty() -> None:
    top = _pure(
        [6, 6, 2, 2, 1, 1], ["top", "top", "middle", "middle", "bottom", "bottom"]
    )
    assert balance_sentence(top) == (
        "67% of your coaching hours went to the reps at the top (100% of quota or "
        "more), who are 33% of your reps."
    )
    even = _pure([3, 3, 3], ["top", "middle", "bottom"])
    assert balance_sentence(even) == (
        "Your coaching hours are spread fairly evenly across your team: "
        "the top got 33%, the middle got 33%, the bottom got 33%."
    )
    no_top = _pure([2, 2, 2], ["middle", "middle", "bottom"])
    assert balance_sentence(no_top) == (
        "Your coaching hours are spread fairly evenly across your team: "
        "the middle got 67%, the bottom got 33%."
    )
    assert balance_sentence(_pure([0, 0], ["top", "bottom"])) == (
        "No coaching hours were logged in this period."
    )
    assert "no quota numbers" in balance_sentence(_pure([2], ["unknown"]))


def test_coverage_by_standing_counts_the_unknown() -> None:
    table = coverage_by_standing(
        _pure([1, 3, 0, 4], ["top", "unknown", "bottom", "top"])
    )
    rows = table.set_index("standing").to_dict("index")
    assert list(table["standing"]) == ["top", "middle", "bottom", "unknown"]
    assert (rows["top"]["reps"], rows["top"]["hours"]) == (2, 5.0)
    assert rows["middle"]["reps"] == 0
    assert rows["unknown"]["share_of_hours"] == pytest.approx(3 / 8)
    assert rows["unknown"]["share_of_reps"] == pytest.approx(1 / 4)


def test_monthly_hours(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = monthly_hours(conn, team["ada"], PERIOD)
    assert list(frame.columns) == MONTHLY_COLUMNS
    got = [tuple(row) for row in frame[["month", "rep", "sessions", "hours"]].values]
    assert got == [
        (D(2026, 4, 1), "R5", 1, 1.0),
        (D(2026, 5, 1), "R6", 1, 0.75),
        (D(2026, 6, 1), "R5", 1, 1.0),
    ]


def test_missed_followups(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        ada = missed_followups(conn, team["ada"], TODAY)
        otto = missed_followups(conn, team["otto"], TODAY)
    assert list(ada.columns) == FOLLOWUP_COLUMNS
    # R5's April follow-up and R6's May one were made up by later sessions;
    # R6's next one is still ahead.
    got = [tuple(row) for row in ada[["rep", "session_on", "days_late"]].values]
    assert got == [("R3", D(2026, 3, 1), 117), ("R5", D(2026, 6, 30), 3)]
    assert otto.empty  # S1 set no follow-up; S2's is today, not missed yet


def test_coverage_chart(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = coverage(conn, team["ada"], PERIOD, TODAY)
    spec = coverage_chart(frame).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "tick", "rule"]
    bars, ticks, rule = spec["layer"]
    assert bars["encoding"]["x"]["field"] == "hours_per_month"
    assert ticks["encoding"]["x"]["field"] == "planned_hours_per_month"
    datasets = spec["datasets"]
    assert datasets[rule["data"]["name"]] == [{"hours": 3.0}]
    assert len(datasets[ticks["data"]["name"]]) == 3  # only reps with a plan
    assert spec["title"]["text"] == "Coaching hours per month, per rep"


def test_demo_columns(demo_store: Store, today: dt.date) -> None:
    period = Period.last_months(today, 3)
    with demo_store.read() as conn:
        coach = int(queries.coaches(conn).query("role == 'coach'")["coach_id"].iloc[0])
        mine = coverage(conn, coach, period, today)
        everyone = coverage(conn, None, period, today)
        months = monthly_hours(conn, None, period)
        late = missed_followups(conn, None, today)
    assert list(mine.columns) == list(everyone.columns) == COVERAGE_COLUMNS
    assert 0 < len(mine) < len(everyone)
    assert mine["hours"].sum() > 0
    assert set(everyone["standing"]) <= {"top", "middle", "bottom", "unknown"}
    assert list(months.columns) == MONTHLY_COLUMNS
    assert all(isinstance(m, dt.date) and m.day == 1 for m in months["month"])
    assert list(late.columns) == FOLLOWUP_COLUMNS
    assert balance_sentence(mine).endswith(".")


def test_coverage_by_coach_averages_each_coachs_reps() -> None:
    frame = pd.DataFrame(
        {
            "coach_id": [1, 1, 2],
            "coach": ["Ann", "Ann", "Bo"],
            "rep_id": [10, 11, 12],
            "hours_per_month": [1.0, 3.0, 0.5],
            "planned_hours_per_month": [2.0, float("nan"), 1.0],
            "overdue": [True, False, True],
        }
    )
    by = coverage_by_coach(frame).set_index("coach")
    assert list(by.index) == ["Bo", "Ann"]  # fewest hours first
    assert by.loc["Ann", "reps"] == 2
    assert by.loc["Ann", "hours_per_month"] == 2.0
    assert by.loc["Ann", "planned_hours_per_month"] == 2.0  # reps with a plan only
    assert by.loc["Ann", "overdue"] == 1
    chart = coverage_chart(by.reset_index(), label="coach").to_dict()
    assert "per coach's average rep" in str(chart["title"])
    assert coverage_by_coach(frame.iloc[:0]).empty
