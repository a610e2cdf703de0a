"""Per-rep performance: sums in a window, rates with ranges, place in the team."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_values
from sqlalchemy.engine import Connection

from coachkit.prioritize.performance import (
    PERFORMANCE_COLUMNS,
    last_coached,
    metric_history,
    rep_performance,
    weekly_rates,
    window,
)
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)  # a Monday: the window is 2026-03-23 .. 2026-06-14
FIRST_WEEK = dt.date(2026, 3, 23)
MONTHS = (dt.date(2026, 4, 6), dt.date(2026, 5, 4), dt.date(2026, 6, 1))  # 1st Mondays


def _rep(
    conn: Connection,
    coach: int,
    name: str,
    *,
    weeks: int = 12,
    conversations: int = 30,
    actions: int = 9,
    quota: Sequence[float] = (1.0, 1.0, 1.0),
    start: dt.date = dt.date(2024, 1, 8),
    active: bool = True,
) -> int:
    rep_id = add(
        conn, s.reps, coach_id=coach, name=name, start_date=start, active=active
    )
    values = []
    for i in range(weeks):
        day = FIRST_WEEK + dt.timedelta(weeks=i)
        values.append(("conversations", day, conversations))
        values.append(("buyer_action_conversations", day, actions))
    values += [
        ("quota_attainment", day, value)
        for day, value in zip(MONTHS, quota, strict=False)
    ]
    add_values(conn, coach, rep_id, values)
    return rep_id


@pytest.fixture(scope="module")
def teams(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, dict[str, int]]]:
    """Two small teams with known numbers in the 12 weeks before TODAY; read only."""
    from coachkit.model.framework import prepare_store

    store = prepare_store(str(tmp_path_factory.mktemp("teams") / "teams.db"))
    with store.write() as conn:
        a = add(conn, s.coaches, name="Casey Coach")
        b = add(conn, s.coaches, name="Blake Coach")
        ids = {
            "coach_a": a,
            "coach_b": b,
            "Ann": _rep(conn, a, "Ann", actions=9, quota=(0.9, 1.1, 1.0)),
            "Ben": _rep(conn, a, "Ben", actions=15, quota=(1.2, 1.4, 1.4)),
            # converts almost no conversation: far below on the action rate
            "Cy": _rep(conn, a, "Cy", actions=1, quota=(0.6, 0.6, 0.6)),
            "Dee": _rep(conn, a, "Dee", weeks=0, quota=()),  # no numbers at all
            # bad numbers, but started 75 days ago: still ramping, never flagged
            "Fay": _rep(
                conn,
                a,
                "Fay",
                weeks=6,
                conversations=20,
                actions=0,
                quota=(0.2, 0.2, 0.2),
                start=TODAY - dt.timedelta(days=75),
            ),
            "Eve": _rep(conn, a, "Eve", actions=30, active=False),  # has left
            # team B: Gus is under half of quota and last in his team
            "Gus": _rep(conn, b, "Gus", actions=7, quota=(0.4, 0.4, 0.4)),
            # Hal is under half of quota too, but converts best in his team
            "Hal": _rep(conn, b, "Hal", actions=14, quota=(0.45, 0.45, 0.45)),
            "Ida": _rep(conn, b, "Ida", actions=9, quota=(1.0, 1.1, 1.1)),
            "Jo": _rep(conn, b, "Jo", actions=10, quota=(1.2, 1.0, 1.0)),
            "Kim": _rep(conn, b, "Kim", actions=11, quota=(0.9, 0.95, 0.95)),
        }
        # Outside the window: the week before it, and the week still running.
        outside = (dt.date(2026, 3, 16), TODAY)
        add_values(conn, a, ids["Ann"], [("conversations", d, 999) for d in outside])
    yield store, ids
    store.dispose()


@pytest.fixture
def store(teams: tuple[Store, dict[str, int]]) -> Store:
    """The shared two-team store (tests here only read it)."""
    return teams[0]


@pytest.fixture
def team(teams: tuple[Store, dict[str, int]]) -> dict[str, int]:
    """Ids of the coaches and reps in the shared store, by name."""
    return teams[1]


def _by_rep(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("rep")


def test_window_is_the_last_complete_weeks() -> None:
    assert window(TODAY, 12) == (FIRST_WEEK, TODAY)
    assert window(dt.date(2026, 6, 18), 12) == (FIRST_WEEK, TODAY)  # a Thursday
    assert window(dt.date(2026, 6, 21), 1) == (dt.date(2026, 6, 8), TODAY)


def test_one_row_per_active_rep_with_known_sums(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        frame = rep_performance(conn, team["coach_a"], TODAY)
    assert list(frame.columns) == PERFORMANCE_COLUMNS
    assert frame["rep"].tolist() == ["Ann", "Ben", "Cy", "Dee", "Fay"]  # no Eve
    ann = _by_rep(frame).loc["Ann"]
    assert ann["weeks_with_data"] == 12  # the 999s outside the window do not count
    assert ann["conversations"] == 360
    assert ann["conversations_per_week"] == 30
    assert ann["buyer_actions"] == 108
    assert ann["action_rate"] == pytest.approx(0.3)
    assert ann["action_rate_low"] < 0.3 < ann["action_rate_high"]
    assert ann["action_rate_enough"]
    assert ann["quota_attainment"] == pytest.approx(1.0)
    assert ann["quota_months"] == 3


def test_a_rep_without_numbers_says_so(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        dee = _by_rep(rep_performance(conn, team["coach_a"], TODAY)).loc["Dee"]
    assert dee["weeks_with_data"] == 0
    assert dee["conversations"] == 0
    assert pd.isna(dee["conversations_per_week"])
    assert pd.isna(dee["action_rate"])
    assert (dee["action_rate_low"], dee["action_rate_high"]) == (0.0, 1.0)
    assert not dee["action_rate_enough"]
    assert pd.isna(dee["quota_attainment"])
    assert pd.isna(dee["place"])
    assert dee["standing"] == "unknown"
    assert not dee["far_below"]


def test_standing_comes_from_the_reps_own_quota(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        a = _by_rep(rep_performance(conn, team["coach_a"], TODAY))
        b = _by_rep(rep_performance(conn, team["coach_b"], TODAY))
        everyone = _by_rep(rep_performance(conn, None, TODAY))
    # Fixed thresholds: 100% of quota or more is top, under 70% bottom.
    assert a["standing"].to_dict() == {
        "Ann": "top",  # 100%
        "Ben": "top",
        "Cy": "bottom",  # 60%
        "Dee": "unknown",  # no quota numbers
        "Fay": "bottom",
    }
    assert b.loc["Kim", "standing"] == "middle"  # 93%
    assert a.loc["Ann", "place"] == pytest.approx(2 / 3)
    assert set(everyone.index) == set(a.index) | set(b.index)


def test_a_rep_reads_the_same_to_her_coach_and_to_the_lead(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        a = _by_rep(rep_performance(conn, team["coach_a"], TODAY))
        b = _by_rep(rep_performance(conn, team["coach_b"], TODAY))
        everyone = _by_rep(rep_performance(conn, None, TODAY))
    mine = pd.concat([a, b]).sort_index()
    shown = ["standing", "place", "far_below", "far_below_reason"]
    pd.testing.assert_frame_equal(mine[shown], everyone.loc[mine.index, shown])


@pytest.mark.parametrize(
    ("rep", "coach", "flagged", "reason"),
    [
        (
            "Cy",
            "coach_a",
            True,
            "Buyers acted in only 3% of conversations (at most 6%); "
            "the team's typical rate is 17%.",
        ),
        (
            "Gus",
            "coach_b",
            True,
            "Reached only 40% of quota on average over 3 months (from 40% in the "
            "worst month to 40% in the best), in the bottom fifth of the team.",
        ),
        ("Hal", "coach_b", False, ""),  # under half of quota, but not at the bottom
        ("Fay", "coach_a", False, ""),  # still ramping up
        ("Ann", "coach_a", False, ""),
    ],
)
def test_far_below_the_bar(
    store: Store,
    team: dict[str, int],
    rep: str,
    coach: str,
    flagged: bool,
    reason: str,
) -> None:
    with store.read() as conn:
        row = _by_rep(rep_performance(conn, team[coach], TODAY)).loc[rep]
    assert row["far_below"] == flagged
    assert row["far_below_reason"] == reason


def test_weeks_must_be_positive(store: Store) -> None:
    with store.read() as conn, pytest.raises(ValueError, match="weeks must be 1"):
        rep_performance(conn, None, TODAY, weeks=0)


def test_metric_history_is_long_form(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        history = metric_history(conn, team["coach_a"], team["Ann"])
        recent = metric_history(
            conn, team["coach_a"], since=dt.date(2026, 6, 1), metrics=["conversations"]
        )
    assert list(history.columns) == ["rep_id", "rep", "metric", "observed_on", "value"]
    assert set(history["metric"]) == {
        "conversations",
        "buyer_action_conversations",
        "quota_attainment",
    }
    assert len(history) == 12 + 12 + 3 + 2  # plus the two 999s outside the window
    assert history.equals(
        history.sort_values(["metric", "observed_on"]).reset_index(drop=True)
    )
    assert (history["observed_on"].dt.day_of_week == 0).all()
    assert set(recent["metric"]) == {"conversations"}
    assert recent["observed_on"].min() >= pd.Timestamp("2026-06-01")
    assert "Eve" not in set(recent["rep"])


def test_weekly_rates_for_a_chart(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        weeks = weekly_rates(conn, team["Ann"], FIRST_WEEK)
        fay = weekly_rates(conn, team["Fay"], FIRST_WEEK, min_trials=10)
    assert list(weeks.columns) == [
        "week",
        "conversations",
        "buyer_actions",
        "action_rate",
        "low",
        "high",
        "enough",
    ]
    assert len(weeks) == 13  # 12 weeks and the week still running (999)
    first = weeks.iloc[0]
    assert (first["week"], first["conversations"], first["buyer_actions"]) == (
        pd.Timestamp(FIRST_WEEK),
        30,
        9,
    )
    assert first["enough"]
    assert weeks.iloc[-1]["buyer_actions"] == 0  # no buyer-action count that week
    assert (weeks["low"] <= weeks["action_rate"]).all()
    assert (weeks["action_rate"] <= weeks["high"]).all()
    assert fay["action_rate"].tolist() == [0.0] * 6
    assert fay["enough"].all()


# The demo organisation ---------------------------------------------------------


def test_demo_reps_with_more_skill_stand_higher(
    demo_store: Store, today: dt.date
) -> None:
    """The demo gives strong reps more skill and better numbers than struggling ones."""
    a = s.assessments
    with demo_store.read() as conn:
        frame = rep_performance(conn, None, today)
        rows = conn.execute(
            sa.select(a.c.rep_id, sa.func.avg(a.c.skill))
            .where(a.c.source == "coach")
            .group_by(a.c.rep_id)
        ).all()
    skill = pd.Series(dict(rows))
    ranked = frame.assign(skill=frame["rep_id"].map(skill)).sort_values("skill")
    assert ranked["place"].head(5).mean() < ranked["place"].tail(5).mean()
    assert ranked.head(5)["standing"].isin(["bottom", "middle"]).all()
    assert set(frame["standing"]) <= {"top", "middle", "bottom", "unknown"}
    assert (frame["standing"] == "top").sum() == (frame["quota_attainment"] >= 1).sum()


def test_demo_far_below_reps_have_a_reason(demo_store: Store, today: dt.date) -> None:
    with demo_store.read() as conn:
        frame = rep_performance(conn, None, today)
        roster = queries.roster(conn, None)
    assert set(frame["rep_id"]) == set(roster["rep_id"])  # the active reps
    flagged = frame[frame["far_below"]]
    assert 1 <= len(flagged) <= len(frame) // 4
    assert flagged["far_below_reason"].str.endswith(".").all()
    assert (frame.loc[~frame["far_below"], "far_below_reason"] == "").all()
    assert (flagged["standing"] == "bottom").all()


def test_demo_sums_match_the_history(demo_store: Store, today: dt.date) -> None:
    start, end = window(today, 12)
    with demo_store.read() as conn:
        frame = rep_performance(conn, None, today).set_index("rep_id")
        rep_id = int(frame.index[0])
        history = metric_history(conn, None, rep_id, since=start)
        weeks = weekly_rates(conn, rep_id, start)
    inside = history[history["observed_on"] < pd.Timestamp(end)]
    sums = inside.groupby("metric")["value"].sum()
    assert frame.loc[rep_id, "conversations"] == sums["conversations"]
    assert frame.loc[rep_id, "buyer_actions"] == sums["buyer_action_conversations"]
    assert weeks["conversations"].sum() == sums["conversations"]
    assert (weeks["week"].dt.day_of_week == 0).all()


def test_demo_last_coached_matches_the_roster(demo_store: Store) -> None:
    with demo_store.read() as conn:
        coached = last_coached(conn, None)
        roster = queries.roster(conn, None).set_index("rep_id")
        mine = last_coached(conn, 1)
        team = set(queries.roster(conn, 1)["rep_id"])
    assert list(coached.columns) == ["rep_id", "behaviour_id", "last_coached_on"]
    assert not coached.duplicated(["rep_id", "behaviour_id"]).any()
    latest = coached.groupby("rep_id")["last_coached_on"].max()
    assert latest.to_dict() == roster["last_session"].dropna().to_dict()
    assert set(mine["rep_id"]) <= team
    assert len(mine) > 0
