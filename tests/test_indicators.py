"""The two leading indicators: conversations a week and the share where buyers acted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pytest
from rows import add, add_values, first_coach
from sqlalchemy.engine import Connection

from coachkit.improve.indicators import (
    NO_DATA,
    REP_COLUMNS,
    WEEKLY_COLUMNS,
    indicator_chart,
    indicator_sentence,
    rep_indicators,
    weekly_indicators,
)
from coachkit.model.periods import Period
from coachkit.model.rates import wilson_interval
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store

FIRST = dt.date(2026, 1, 5)  # a Monday
PERIOD = Period.between(FIRST, FIRST + dt.timedelta(weeks=12, days=-1))
WEEKS = 12


def _rep(
    conn: Connection,
    coach: int,
    name: str,
    conversations: Sequence[int],
    actions: Sequence[int],
    *,
    active: bool = True,
    first: dt.date = FIRST,
) -> int:
    rep_id = add(conn, s.reps, coach_id=coach, name=name, active=active)
    values = []
    for i, (conv, acted) in enumerate(zip(conversations, actions, strict=True)):
        day = first + dt.timedelta(weeks=i)
        values += [("conversations", day, conv)]
        values += [("buyer_action_conversations", day, acted)]
    add_values(conn, coach, rep_id, values)
    return rep_id


def _rising(start: int, step: int) -> list[int]:
    return [start + step * i for i in range(WEEKS)]


def _share(conversations: Sequence[int], start: float, step: float) -> list[int]:
    return [round((start + step * i) * c) for i, c in enumerate(conversations)]


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Coach A's reps each show one pattern; coach B has one rep of their own."""
    up, down, flat = _rising(20, 2), _rising(42, -2), [30] * WEEKS
    with store.write() as conn:
        a, b = (
            add(conn, s.coaches, name="Casey Coach"),
            add(conn, s.coaches, name="Blake Coach"),
        )
        ids = {
            "a": a,
            "b": b,
            "Ann": _rep(conn, a, "Ann", up, _share(up, 0.2, 0.02)),
            "Ben": _rep(conn, a, "Ben", flat, [9] * WEEKS),
            "Dee": _rep(conn, a, "Dee", up, _share(up, 0.4, -0.02)),
            "Eve": _rep(conn, a, "Eve", down, _share(down, 0.4, -0.02)),
            "Gil": _rep(conn, a, "Gil", [10, 10], [5, 5]),  # two quiet weeks
            "Fay": _rep(conn, a, "Fay", flat, [30] * WEEKS, active=False),
            "Cy": _rep(conn, b, "Cy", down, _share(down, 0.2, 0.02)),
        }
        # Outside the period (the week before): never counted.
        _rep(conn, a, "Hal", [500], [400], first=FIRST - dt.timedelta(weeks=1))
    return ids


def test_weekly_sums_the_active_reps_of_the_coach(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        weekly = weekly_indicators(conn, team["a"], PERIOD)
    assert list(weekly.columns) == WEEKLY_COLUMNS
    assert len(weekly) == WEEKS
    assert (weekly["week"].dt.day_of_week == 0).all()
    up, down = _rising(20, 2), _rising(42, -2)
    first = weekly.iloc[0]
    assert first["conversations"] == up[0] + 30 + up[0] + down[0] + 10  # not Fay
    assert first["reps"] == 5
    assert weekly.iloc[2]["reps"] == 4  # Gil's weeks are over
    assert weekly["conversations"].sum() == sum(up) * 2 + 30 * WEEKS + sum(down) + 20
    assert (weekly["low"] < weekly["share"]).all()
    assert (weekly["share"] < weekly["high"]).all()


def test_weekly_for_one_rep_carries_wilson_bounds(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        ben = weekly_indicators(conn, team["a"], PERIOD, rep_id=team["Ben"])
        gil = weekly_indicators(conn, None, PERIOD, rep_id=team["Gil"])
    low, high = wilson_interval(9, 30)
    assert ben["share"].tolist() == [0.3] * WEEKS
    assert ben["low"].tolist() == pytest.approx([low] * WEEKS)
    assert ben["high"].tolist() == pytest.approx([high] * WEEKS)
    # Ten conversations a week are too few to show a share, but the range stays.
    assert gil["share"].isna().all()
    assert gil["low"].notna().all()
    assert (gil["high"] - gil["low"] > 0.4).all()


def test_each_rep_gets_trends_and_a_pattern(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = rep_indicators(conn, team["a"], PERIOD)
        cy = rep_indicators(conn, team["b"], PERIOD).set_index("rep").loc["Cy"]
    assert list(frame.columns) == REP_COLUMNS
    reps = frame.set_index("rep")
    # Hal's only numbers fall before the period; Fay has left.
    assert sorted(reps.index) == ["Ann", "Ben", "Dee", "Eve", "Gil", "Hal"]
    assert reps.loc["Hal", "pattern"] == NO_DATA
    assert reps.loc["Ann", "pattern"] == "more conversations and a higher action share"
    assert reps.loc["Dee", "pattern"] == "more conversations but a lower action share"
    assert reps.loc["Eve", "pattern"] == "both falling"
    assert reps.loc["Ben", "pattern"] == "steady"
    assert cy["pattern"] == "higher action share with fewer conversations"
    # Two more conversations every week is 8.7 more a week per month.
    assert reps.loc["Ann", "volume_trend"] == pytest.approx(2 * 30.4375 / 7)
    assert reps.loc["Ann", "share_trend"] == pytest.approx(2 * 30.4375 / 7, rel=0.05)
    assert reps.loc["Eve", "share_trend"] < 0
    assert reps.loc["Ben", "volume_trend"] == pytest.approx(0)
    assert reps.loc["Ben", "conversations_per_week"] == 30
    assert reps.loc["Ben", "share"] == pytest.approx(0.3)
    assert reps.loc["Ben", "low"] < 0.3 < reps.loc["Ben", "high"]
    # Two weeks of ten conversations: no share, no trend.
    assert reps.loc["Gil", "pattern"] == NO_DATA
    assert pd.isna(reps.loc["Gil", "share"])
    assert pd.isna(reps.loc["Gil", "volume_trend"])


def test_chart_shows_volume_above_share_with_its_range(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        weekly = weekly_indicators(conn, team["a"], PERIOD, rep_id=team["Ann"])
    spec = indicator_chart(weekly).to_dict()
    bars, share = spec["vconcat"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["field"] == "conversations"
    assert "Conversations" in bars["title"]
    band, line = share["layer"]
    assert band["encoding"]["y2"]["field"] == "high"
    assert line["encoding"]["y"]["field"] == "share"
    assert "buyer took an action" in share["title"]


def test_sentence_names_the_pattern(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        ann = weekly_indicators(conn, team["a"], PERIOD, rep_id=team["Ann"])
        ben = weekly_indicators(conn, team["a"], PERIOD, rep_id=team["Ben"])
        gil = weekly_indicators(conn, team["a"], PERIOD, rep_id=team["Gil"])
    assert indicator_sentence(ann) == (
        "More conversations and a higher action share: from 20 to 42 conversations "
        "a week, with buyers acting in 21% to 42% of them."
    )
    assert indicator_sentence(ben) == (
        "No clear change: about 30 conversations a week, with buyers acting in about "
        "30% of them."
    )
    assert indicator_sentence(ann.head(2)) == (
        "In 2 weeks there were 42 conversations, and buyers acted in 21% of them."
    )
    assert indicator_sentence(gil) == (
        "In 2 weeks there were 20 conversations: too few to tell how often buyers "
        "acted."
    )


def test_no_data_gives_empty_frames(store: Store) -> None:
    with store.read() as conn:
        weekly = weekly_indicators(conn, None, PERIOD)
        reps = rep_indicators(conn, None, PERIOD)
    assert weekly.empty
    assert list(weekly.columns) == WEEKLY_COLUMNS
    assert reps.empty
    assert list(reps.columns) == REP_COLUMNS
    assert (
        indicator_sentence(weekly) == "No conversations were recorded in this period."
    )
    assert indicator_chart(weekly).to_dict()["vconcat"]


def test_a_framework_without_the_metrics_gives_empty_frames(
    store: Store, team: dict[str, int]
) -> None:
    with store.write() as conn:
        m = s.metrics
        conn.execute(
            m.update().where(m.c.key == "buyer_action_conversations").values(key="x")
        )
    with store.read() as conn:
        weekly = weekly_indicators(conn, team["a"], PERIOD)
        reps = rep_indicators(conn, team["a"], PERIOD)
    assert weekly.empty
    assert list(weekly.columns) == WEEKLY_COLUMNS
    assert reps.empty
    assert list(reps.columns) == REP_COLUMNS


@pytest.mark.parametrize("everyone", [False, True])
def test_demo_columns(demo_store: Store, today: dt.date, everyone: bool) -> None:
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        coach = None if everyone else first_coach(conn)
        weekly = weekly_indicators(conn, coach, period)
        reps = rep_indicators(conn, coach, period)
        active = queries.roster(conn, coach)
    assert list(weekly.columns) == WEEKLY_COLUMNS
    assert list(reps.columns) == REP_COLUMNS
    assert len(weekly) >= 25
    assert sorted(reps["rep_id"]) == sorted(active["rep_id"])
    assert reps["pattern"].ne(NO_DATA).all()
    assert weekly["share"].between(0, 1).all()
