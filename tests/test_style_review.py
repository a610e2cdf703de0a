"""Styles each rep was coached with, what followed, and which style fits now."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_rating, add_session, first_coach

from coachkit.improve.style_review import (
    HISTORY_COLUMNS,
    NOT_RATED,
    OUTCOME_COLUMNS,
    SUGGESTION_COLUMNS,
    style_history,
    style_outcomes,
    style_suggestions,
)
from coachkit.model.periods import Period
from coachkit.model.styles import STYLES
from coachkit.store import schema as s
from coachkit.store.database import Store

PERIOD = Period.between(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 4, 1)
D = dt.date


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Ann is coached on three behaviours; Ben has left; Cy is another coach's."""
    with store.write() as conn:
        b1, b2, b3 = conn.execute(
            sa.select(s.behaviours.c.id).order_by(s.behaviours.c.id).limit(3)
        ).scalars()
        a = add(conn, s.coaches, name="Casey Coach")
        c = add(conn, s.coaches, name="Blake Coach")
        ann = add(conn, s.reps, coach_id=a, name="Ann")
        ben = add(conn, s.reps, coach_id=a, name="Ben", active=False)
        cy = add(conn, s.reps, coach_id=c, name="Cy")
        plan = add(conn, s.plans, coach_id=a, rep_id=ann, started_on=D(2026, 1, 5))
        for pos, (b, style) in enumerate(
            ((b2, "direct"), (b1, "guide"), (b3, "guide"))
        ):
            add(
                conn,
                s.plan_focus,
                coach_id=a,
                plan_id=plan,
                behaviour_id=b,
                style=style,
                stage="prompt",
                position=pos,
            )
        add_rating(conn, a, ann, b1, D(2026, 1, 2), 3, 5)
        add_rating(conn, a, ann, b1, D(2026, 3, 2), 4, 5)
        add_rating(conn, a, ann, b2, D(2026, 1, 2), 2, 2)
        add_rating(
            conn, a, ann, b2, D(2026, 3, 15), 5, 5, source="self"
        )  # not the coach's
        add_session(conn, a, ann, D(2026, 1, 12), style="guide", focus=[b1])
        add_session(conn, a, ann, D(2026, 1, 26), style="guide", focus=[b1])
        add_session(conn, a, ann, D(2026, 2, 9), style="direct", focus=[b2])
        add_session(conn, a, ann, D(2026, 3, 9), style="delegate", focus=[b1])
        add_session(
            conn, a, ann, D(2026, 3, 20), style="guide", focus=[b1], status="draft"
        )
        # Before the period:
        add_session(conn, a, ann, D(2025, 12, 1), style="excite", focus=[b1])
        add_session(conn, a, ben, D(2026, 2, 2), style="guide", focus=[b1])
        add_session(conn, c, cy, D(2026, 2, 3), style="excite", focus=[b2])
    return {"a": a, "c": c, "ann": ann, "b1": b1, "b2": b2, "b3": b3}


def test_history_counts_done_sessions_per_style(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        mine = style_history(conn, team["a"], PERIOD)
        everyone = style_history(conn, None, PERIOD)
    assert list(mine.columns) == HISTORY_COLUMNS
    rows = mine[["rep", "style", "sessions", "first_on", "last_on"]]
    assert rows.values.tolist() == [
        ["Ann", "guide", 2, D(2026, 1, 12), D(2026, 1, 26)],
        ["Ann", "direct", 1, D(2026, 2, 9), D(2026, 2, 9)],
        ["Ann", "delegate", 1, D(2026, 3, 9), D(2026, 3, 9)],
    ]
    assert sorted(set(everyone["rep"])) == ["Ann", "Cy"]  # Ben has left


def test_outcomes_compare_ratings_before_and_after_a_style(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        out = style_outcomes(conn, team["a"], PERIOD).set_index("style")
    guide, direct, delegate = out.loc["guide"], out.loc["direct"], out.loc["delegate"]
    assert guide["sessions"] == 2
    assert (guide["skill_before"], guide["skill_after"]) == (3, 4)
    assert guide["skill_change"] == 1
    assert (guide["will_before"], guide["will_after"], guide["will_change"]) == (
        5,
        5,
        0,
    )
    # No coach rating on b2 after the direct session: nothing to compare.
    assert direct["skill_before"] == 2
    assert pd.isna(direct["skill_after"])
    assert pd.isna(direct["skill_change"])
    assert delegate["skill_before"] == 4
    assert pd.isna(delegate["skill_change"])


def test_outcome_columns(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        out = style_outcomes(conn, None, PERIOD)
    assert list(out.columns) == OUTCOME_COLUMNS
    assert len(out) == 4  # Ann's three styles and Cy's one


def test_suggestions_put_needed_changes_first(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        out = style_suggestions(conn, team["a"], TODAY)
    assert list(out.columns) == SUGGESTION_COLUMNS
    assert out["behaviour_id"].tolist() == [team["b1"], team["b2"], team["b3"]]
    first = out.iloc[0]
    assert (first["current_style"], first["skill"], first["will"]) == ("guide", 4, 5)
    assert first["suggested_style"] == "delegate"
    assert first["change"] == "guide → delegate"
    assert first["reason"] == (
        "Skill rose from 3 to 4 and will is high, so hand them the lead (the "
        "Delegate style)."
    )
    fits = out.iloc[1]  # the rep's own rating of 5 does not count
    assert (fits["skill"], fits["suggested_style"], fits["change"]) == (2, "direct", "")
    assert fits["reason"].startswith("Skill is still 2 and will is low")
    unrated = out.iloc[2]
    assert pd.isna(unrated["skill"])
    assert (unrated["suggested_style"], unrated["change"]) == ("", "")
    assert unrated["reason"] == NOT_RATED


def test_suggestions_use_the_rating_known_on_the_day(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        out = style_suggestions(conn, team["a"], D(2026, 2, 1))
    b1 = out.set_index("behaviour_id").loc[team["b1"]]
    assert (b1["skill"], b1["suggested_style"], b1["change"]) == (3, "guide", "")


def test_no_data_gives_empty_frames(store: Store) -> None:
    with store.read() as conn:
        frames = [
            (style_history(conn, None, PERIOD), HISTORY_COLUMNS),
            (style_outcomes(conn, None, PERIOD), OUTCOME_COLUMNS),
            (style_suggestions(conn, None, TODAY), SUGGESTION_COLUMNS),
        ]
    for frame, columns in frames:
        assert frame.empty
        assert list(frame.columns) == columns


@pytest.mark.parametrize("everyone", [False, True])
def test_demo_columns(demo_store: Store, today: dt.date, everyone: bool) -> None:
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        coach = None if everyone else first_coach(conn)
        history = style_history(conn, coach, period)
        outcomes = style_outcomes(conn, coach, period)
        suggestions = style_suggestions(conn, coach, today)
    assert list(history.columns) == HISTORY_COLUMNS
    assert list(outcomes.columns) == OUTCOME_COLUMNS
    assert list(suggestions.columns) == SUGGESTION_COLUMNS
    assert set(history["style"]) <= set(STYLES)
    assert outcomes["sessions"].sum() == history["sessions"].sum()
    assert len(suggestions) > 0
    changes = suggestions["change"] != ""
    assert not changes.iloc[changes.sum() :].any()  # changes come first
