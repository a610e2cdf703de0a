"""Session quality over time: coach and rep scores, and the gap between them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pytest
from rows import add, add_session, first_coach
from sqlalchemy.engine import Connection

from coachkit.improve.quality import (
    CHECKS,
    GAP_COLUMNS,
    MONTH_COLUMNS,
    quality_by_month,
    quality_chart,
    quality_gaps,
    quality_sentence,
)
from coachkit.model.periods import Period
from coachkit.model.readability import TARGET_GRADE, grade_level
from coachkit.store import schema as s
from coachkit.store.database import Store

PERIOD = Period.between(dt.date(2026, 1, 1), dt.date(2026, 2, 28))
D = dt.date


def _session(
    conn: Connection,
    coach: int,
    rep: int,
    held: dt.date,
    mine: Sequence[int],
    theirs: Sequence[int | None] = (None, None, None),
    status: str = "done",
) -> None:
    scores = {f"coach_{c}": v for c, v in zip(CHECKS, mine, strict=True)}
    scores |= {f"rep_{c}": v for c, v in zip(CHECKS, theirs, strict=True)}
    add_session(conn, coach, rep, held, status=status, **scores)


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Coach A: Ann (three sessions) and Ben (left, one); coach B: Cy (one)."""
    with store.write() as conn:
        a = add(conn, s.coaches, name="Casey Coach")
        b = add(conn, s.coaches, name="Blake Coach")
        ann = add(conn, s.reps, coach_id=a, name="Ann")
        ben = add(conn, s.reps, coach_id=a, name="Ben", active=False)
        cy = add(conn, s.reps, coach_id=b, name="Cy")
        _session(conn, a, ann, D(2026, 1, 10), (5, 5, 4), (4, 3, 4))
        _session(conn, a, ann, D(2026, 1, 20), (4, 4, 4))  # the rep gave no scores
        _session(conn, a, ann, D(2026, 2, 5), (4, 5, 3), (4, 4, 4))
        _session(conn, a, ben, D(2026, 2, 10), (3, 3, 3), (3, 3, 3))
        _session(conn, a, ann, D(2026, 2, 12), (1, 1, 1), (5, 5, 5), status="draft")
        _session(conn, a, ann, D(2026, 3, 2), (1, 1, 1), (5, 5, 5))  # after the period
        _session(conn, b, cy, D(2026, 1, 15), (5, 5, 5), (1, 1, 1))
    return {"a": a, "b": b, "ann": ann}


def test_monthly_means_and_gaps(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        monthly = quality_by_month(conn, team["a"], PERIOD)
    assert list(monthly.columns) == MONTH_COLUMNS
    assert monthly["check"].tolist() == list(CHECKS) * 2
    assert monthly["month"].dt.strftime("%Y-%m").unique().tolist() == [
        "2026-01",
        "2026-02",
    ]
    got = monthly[["coach", "rep", "gap", "sessions", "rep_answers"]].values.tolist()
    assert got == [
        [4.5, 4.0, 1.0, 2, 1],  # January: the rep scored one of two sessions
        [4.5, 3.0, 2.0, 2, 1],
        [4.0, 4.0, 0.0, 2, 1],
        [3.5, 3.5, 0.0, 2, 2],  # February: Ben's session counts (he left later)
        [4.0, 3.5, 0.5, 2, 2],
        [3.0, 3.5, -0.5, 2, 2],
    ]


def test_monthly_for_one_rep(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        ann = quality_by_month(conn, None, PERIOD, rep_id=team["ann"])
    assert ann["sessions"].tolist() == [2, 2, 2, 1, 1, 1]
    assert ann.iloc[3]["gap"] == 0  # relevant in February: 4 and 4


def test_gaps_biggest_first_for_active_reps(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        gaps = quality_gaps(conn, team["a"], PERIOD)
        other = quality_gaps(conn, team["b"], PERIOD)
    assert list(gaps.columns) == GAP_COLUMNS
    assert set(gaps["rep"]) == {"Ann"}
    assert gaps["check"].tolist() == ["developmental", "relevant", "motivational"]
    top = gaps.iloc[0]
    assert top["coach"] == pytest.approx(14 / 3)
    assert (top["rep_score"], top["gap"], top["sessions"], top["rep_answers"]) == (
        3.5,
        1.5,
        3,
        2,
    )
    assert gaps.iloc[2]["gap"] == -0.5  # Ann rates motivation higher than the coach
    assert (other["gap"] == 4).all()  # Cy scores 1 where the coach scores 5


def test_sentences_name_the_biggest_gap(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        monthly = quality_by_month(conn, team["a"], PERIOD)
        gaps = quality_gaps(conn, team["a"], PERIOD)
    team_text = quality_sentence(monthly)
    assert team_text == (
        "Reps rate how developmental sessions are 1.0 points lower than you do."
    )
    assert quality_sentence(gaps) == (
        "Ann rates how developmental sessions are 1.5 points lower than you do."
    )
    grade = grade_level(team_text)
    assert grade is not None
    assert grade <= TARGET_GRADE


@pytest.mark.parametrize(
    ("gaps", "sentence"),
    [
        ((-0.8, 0.1, 0.0), "Reps rate how relevant sessions are 0.8 points higher"),
        ((0.2, -0.1, 0.1), "Reps rate your sessions about the same as you do."),
        ((None, None, None), "No rep has scored a session in this period yet"),
    ],
)
def test_sentence_sides(gaps: tuple[float | None, ...], sentence: str) -> None:
    frame = pd.DataFrame(
        {"check": list(CHECKS), "gap": gaps, "rep_answers": [4, 4, 4]}
    ).astype({"gap": float})
    assert quality_sentence(frame).startswith(sentence)


def test_chart_shows_coach_and_rep_per_check(
    store: Store, team: dict[str, int]
) -> None:
    with store.read() as conn:
        monthly = quality_by_month(conn, team["a"], PERIOD)
    spec = quality_chart(monthly).to_dict()
    assert spec["facet"]["column"]["field"] == "check"
    assert spec["spec"]["encoding"]["strokeDash"]["field"] == "who"
    assert spec["spec"]["encoding"]["y"]["scale"]["domain"] == [1, 5]
    values = next(iter(spec["datasets"].values()))
    assert {v["who"] for v in values} == {"Coach's score", "Rep's score"}
    assert len(values) == 2 * len(monthly)


def test_no_data_gives_empty_frames(store: Store) -> None:
    with store.read() as conn:
        monthly = quality_by_month(conn, None, PERIOD)
        gaps = quality_gaps(conn, None, PERIOD)
    assert monthly.empty
    assert list(monthly.columns) == MONTH_COLUMNS
    assert gaps.empty
    assert list(gaps.columns) == GAP_COLUMNS
    assert quality_sentence(monthly).startswith("No rep has scored")
    assert "facet" in quality_chart(monthly).to_dict()


@pytest.mark.parametrize("everyone", [False, True])
def test_demo_columns(demo_store: Store, today: dt.date, everyone: bool) -> None:
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        coach = None if everyone else first_coach(conn)
        monthly = quality_by_month(conn, coach, period)
        gaps = quality_gaps(conn, coach, period)
    assert list(monthly.columns) == MONTH_COLUMNS
    assert list(gaps.columns) == GAP_COLUMNS
    months = monthly["month"].nunique()
    assert months >= 6
    assert len(monthly) == 3 * months
    assert monthly["coach"].between(1, 5).all()
    assert (gaps["rep_answers"] <= gaps["sessions"]).all()
