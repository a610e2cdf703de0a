"""Who to coach on what first: factors, weights, ties, suggestions and flags."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.errors import ValidationError
from coachkit.model.framework import behaviours_frame
from coachkit.prioritize.performance import last_coached, rep_performance
from coachkit.prioritize.ranking import (
    FACTORS,
    FLAG,
    Weights,
    common_reason,
    rank,
    rep_summary,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)
KEYS = [key for key, _, _ in FACTORS]


def _row(rep_id: int, rep: str, behaviour_id: int = 1, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rep_id": rep_id,
        "rep": rep,
        "behaviour_id": behaviour_id,
        "behaviour_key": f"b{behaviour_id}",
        "behaviour": f"Behaviour {behaviour_id}",
        "objective_key": "gain_access",
        "objective": "Gain access to the right buyers",
        "objective_weight": 0.3,
        "target_level": 4,
        "skill": 2.0,
        "will": 4.0,
        "assessed_on": TODAY - dt.timedelta(days=30),
        "self_skill": np.nan,
    }
    row.update(over)
    row["gap"] = row["target_level"] - row["skill"]
    return row


def _perf(rep_id: int, rep: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rep_id": rep_id,
        "rep": rep,
        "place": 0.5,
        "standing": "middle",
        "action_rate_enough": True,
        "far_below": False,
        "far_below_reason": "",
    }
    row.update(over)
    return row


def _coached(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    """(rep_id, behaviour_id, days ago) -> a last_coached frame."""
    return pd.DataFrame(
        [(r, b, TODAY - dt.timedelta(days=d)) for r, b, d in rows],
        columns=["rep_id", "behaviour_id", "last_coached_on"],
    )


def _rank(
    gaps: list[dict[str, Any]],
    perf: list[dict[str, Any]] | None = None,
    coached: Sequence[tuple[int, int, int]] = (),
    weights: Weights | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    if perf is None:
        reps = {(g["rep_id"], g["rep"]) for g in gaps}
        perf = [_perf(rid, name) for rid, name in sorted(reps)]
    return rank(
        pd.DataFrame(gaps),
        pd.DataFrame(perf),
        _coached(list(coached)),
        weights or Weights(),
        TODAY,
        **kwargs,
    )


# Each factor, as two reps who differ only in it: Ann should come first.
SCENARIOS: dict[str, dict[str, Any]] = {
    "gap": {"ann": {"skill": 1.0}, "ben": {"skill": 3.0}},
    "objective": {"ann": {"objective_weight": 0.3}, "ben": {"objective_weight": 0.1}},
    "spread": {"ann_perf": {"place": 0.5}, "ben_perf": {"place": 0.0}},
    "recency": {"ann_days": 90, "ben_days": 10},
    "confidence": {
        "ann": {"assessed_on": TODAY - dt.timedelta(days=10)},
        "ben": {"assessed_on": TODAY - dt.timedelta(days=300)},
    },
}


def _pair(factor: str, weights: Weights | None = None) -> pd.DataFrame:
    sc = SCENARIOS[factor]
    gaps = [_row(1, "Ann", **sc.get("ann", {})), _row(2, "Ben", **sc.get("ben", {}))]
    perf = [
        _perf(1, "Ann", **sc.get("ann_perf", {})),
        _perf(2, "Ben", **sc.get("ben_perf", {})),
    ]
    coached = []
    if "ann_days" in sc:
        coached = [(1, 1, sc["ann_days"]), (2, 1, sc["ben_days"])]
    return _rank(gaps, perf, coached, weights).set_index("rep")


@pytest.mark.parametrize("factor", KEYS)
def test_each_factor_moves_the_score_the_right_way(factor: str) -> None:
    ranked = _pair(factor)
    assert ranked.loc["Ann", "score"] > ranked.loc["Ben", "score"]
    assert ranked.loc["Ann", "rank"] == 1
    others = [f"{k}_factor" for k in KEYS if k != factor]
    assert (ranked.loc["Ann", others] == ranked.loc["Ben", others]).all()


@pytest.mark.parametrize("factor", KEYS)
def test_a_zero_weight_removes_the_factor(factor: str) -> None:
    ranked = _pair(factor, Weights(**{factor: 0.0}))
    assert ranked.loc["Ann", "score"] == pytest.approx(ranked.loc["Ben", "score"])
    assert (ranked[f"{factor}_points"] == 0).all()


def test_the_middle_of_the_team_beats_the_top_and_the_bottom() -> None:
    gaps = [_row(1, "Mid"), _row(2, "Top"), _row(3, "Low")]
    perf = [
        _perf(1, "Mid", place=0.5),
        _perf(2, "Top", place=1.0, standing="top"),
        _perf(3, "Low", place=0.0, standing="bottom"),
    ]
    ranked = _rank(gaps, perf).set_index("rep")
    assert ranked.loc["Mid", "spread_factor"] == 1.0
    assert ranked.loc["Top", "spread_factor"] == 0.0
    assert ranked.loc["Low", "spread_factor"] == 0.0
    assert ranked.loc["Mid", "rank"] == 1


def test_too_few_conversations_lower_the_confidence() -> None:
    gaps = [_row(1, "Ann"), _row(2, "Ben")]
    perf = [_perf(1, "Ann"), _perf(2, "Ben", action_rate_enough=False)]
    ranked = _rank(gaps, perf).set_index("rep")
    assert ranked.loc["Ann", "confidence_factor"] == 1.0
    assert ranked.loc["Ben", "confidence_factor"] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("over", "days_ago", "place", "factors"),
    [
        # gap 3 of a possible 3, top objective, median rep, never coached, fresh rating
        ({"skill": 1.0}, None, 0.5, (1.0, 1.0, 1.0, 1.0, 1.0)),
        # gap 1 of 3; a third of the top weight; place 0.8; coached 30 days ago
        (
            {"skill": 3.0, "objective_weight": 0.1},
            30,
            0.8,
            (1 / 3, 1 / 3, 1 - 0.6**1.5, 0.5, 1.0),
        ),
        # target 5: gap 2 of 4; a rating 365 days old; coached 200 days ago
        (
            {
                "target_level": 5,
                "skill": 3.0,
                "assessed_on": TODAY - dt.timedelta(days=365),
            },
            200,
            0.5,
            (0.5, 1.0, 1.0, 1.0, 0.3),
        ),
        # no performance data: spread 0.6 (the curve's average), thin data
        (
            {"assessed_on": TODAY - dt.timedelta(days=90)},
            None,
            None,
            (2 / 3, 1, 0.6, 1, 0.6),
        ),
    ],
)
def test_factor_values(
    over: dict[str, Any],
    days_ago: int | None,
    place: float | None,
    factors: tuple[float, ...],
) -> None:
    gaps = [_row(1, "Ann", **over), _row(2, "Top", objective_weight=0.3, skill=1.0)]
    perf = [_perf(2, "Top")]
    if place is not None:
        perf.append(_perf(1, "Ann", place=place))
    coached = [(1, 1, days_ago)] if days_ago is not None else []
    ann = _rank(gaps, perf, coached).set_index("rep").loc["Ann"]
    got = tuple(ann[f"{k}_factor"] for k in KEYS)
    assert got == pytest.approx(factors)


def test_confidence_fades_from_90_days_to_a_year() -> None:
    ages = [0, 90, 180, 365, 800]
    gaps = [
        _row(i, f"Rep {i}", assessed_on=TODAY - dt.timedelta(days=a))
        for i, a in enumerate(ages, 1)
    ]
    ranked = _rank(gaps).sort_values("rep_id")
    fade = 1 - 0.7 * 90 / 275
    assert ranked["confidence_factor"].tolist() == pytest.approx([1, 1, fade, 0.3, 0.3])


def test_points_add_up_to_the_score() -> None:
    gaps = [_row(1, "Ann", skill=1.0), _row(2, "Ben", skill=3.0, objective_weight=0.1)]
    ranked = _rank(gaps, coached=[(2, 1, 20)], weights=Weights(gap=2, spread=0.5))
    points = ranked[[f"{k}_points" for k in KEYS]].sum(axis=1)
    assert points.tolist() == pytest.approx(ranked["score"].tolist())
    assert ranked.loc[ranked["rep"] == "Ann", "score"].iloc[0] == pytest.approx(100)
    assert ((ranked["score"] >= 0) & (ranked["score"] <= 100)).all()


def test_changing_a_weight_re_ranks() -> None:
    # Ann: a big gap, but coached on it 5 days ago. Ben: a small gap, never coached.
    gaps = [_row(1, "Ann", skill=1.0), _row(2, "Ben", skill=3.0)]
    coached = [(1, 1, 5)]
    first = _rank(gaps, coached=coached)
    assert first["rep"].tolist() == ["Ben", "Ann"]
    heavier_gap = _rank(gaps, coached=coached, weights=Weights(gap=3))
    assert heavier_gap["rep"].tolist() == ["Ann", "Ben"]
    no_recency = _rank(gaps, coached=coached, weights=Weights(recency=0))
    assert no_recency["rep"].tolist() == ["Ann", "Ben"]


def test_ties_are_stable() -> None:
    # Same score: by rep name, then by the framework order of the behaviours.
    gaps = [
        _row(1, "Ben", 9),
        _row(1, "Ben", 3),
        _row(2, "Ann", 9),
        _row(2, "Ann", 3),
    ]
    ranked = _rank(gaps)
    order = list(zip(ranked["rep"], ranked["behaviour_id"], strict=True))
    assert order == [("Ann", 9), ("Ann", 3), ("Ben", 9), ("Ben", 3)]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked["score"].nunique() == 1
    again = _rank(list(reversed(gaps)))
    assert list(zip(again["rep"], again["behaviour_id"], strict=True)) == [
        ("Ann", 3),
        ("Ann", 9),
        ("Ben", 3),
        ("Ben", 9),
    ]


def test_only_gaps_above_zero_are_ranked() -> None:
    gaps = [
        _row(1, "Ann", 1, skill=4.0),
        _row(1, "Ann", 2, skill=5.0),
        _row(1, "Ann", 3, skill=2.0),
        _row(1, "Ann", 4, skill=np.nan),  # not assessed yet
    ]
    ranked = _rank(gaps)
    assert ranked["behaviour_id"].tolist() == [3]


def test_at_most_two_suggestions_per_rep() -> None:
    gaps = [_row(1, "Ann", b, skill=float(1 + b % 3)) for b in range(1, 7)]
    gaps += [_row(2, "Ben", 1, skill=3.0)]
    ranked = _rank(gaps)
    per_rep = ranked.groupby("rep")["suggested"].sum()
    assert per_rep.to_dict() == {"Ann": 2, "Ben": 1}
    ann = ranked[ranked["rep"] == "Ann"]
    assert ann["suggested"].tolist()[:2] == [True, True]  # the top two of Ann's
    assert _rank(gaps, max_focus=1).groupby("rep")["suggested"].sum().max() == 1
    assert not _rank(gaps, max_focus=0)["suggested"].any()


@pytest.mark.parametrize("bad", [3, -1, True])
def test_more_than_two_focus_areas_is_refused(bad: int) -> None:
    with pytest.raises(ValidationError, match="max_focus: choose 0, 1 or 2"):
        _rank([_row(1, "Ann")], max_focus=bad)


def test_flagged_reps_get_a_performance_conversation_not_coaching() -> None:
    gaps = [_row(1, "Ann", 1), _row(1, "Ann", 2), _row(2, "Ben", 1)]
    reason = "Reached only 30% of quota over the last 12 weeks."
    perf = [_perf(1, "Ann", far_below=True, far_below_reason=reason), _perf(2, "Ben")]
    ranked = _rank(gaps, perf)
    ann = ranked[ranked["rep"] == "Ann"]
    assert (ann["flag"] == FLAG).all()
    assert FLAG == "performance conversation"
    assert (ann["flag_reason"] == reason).all()
    assert not ann["suggested"].any()
    ben = ranked[ranked["rep"] == "Ben"]
    assert ben["suggested"].all()
    assert (ben["flag"] == "").all()
    summary = rep_summary(ranked).set_index("rep")
    assert summary.loc["Ann", "focus"] == ""
    assert summary.loc["Ann", "flag"] == FLAG
    assert summary.loc["Ben", "focus"] == "Behaviour 1"


def test_why_is_one_short_phrase_that_differs_where_reasons_differ() -> None:
    gaps = [
        _row(1, "Ann", skill=1.0),  # the biggest gap of the list
        _row(2, "Ben", skill=3.0),  # coached long ago, unlike the others
        _row(3, "Cy", skill=3.0),
        _row(4, "Dee", skill=3.0),
    ]
    perf = [
        _perf(1, "Ann"),
        _perf(2, "Ben"),
        _perf(3, "Cy"),
        _perf(4, "Dee", standing="bottom", place=0.0),
    ]
    coached = [(1, 1, 5), (2, 1, 120), (3, 1, 5), (4, 1, 5)]
    ranked = _rank(gaps, perf, coached).set_index("rep")
    assert ranked.loc["Ann", "why"] == "Skill 1 against a target of 4"
    assert ranked.loc["Ben", "why"] == "Last coached on this 120 days ago"
    assert ranked["why"].str.len().max() < 60
    assert ranked["why"].nunique() >= 3
    assert common_reason(ranked) == (
        "Most points come from the objective's weight and solid data."
    )
    never = _rank([_row(1, "Ann"), _row(2, "Ben")], coached=[(2, 1, 1)])
    assert never.set_index("rep").loc["Ann", "why"] == "Never coached on this"
    nothing = Weights(gap=1, objective=0, spread=0, recency=0, confidence=0)
    at_target = _rank([_row(1, "Ann", skill=1.0)], weights=nothing)
    assert at_target["why"].iloc[0] == "Skill 1 against a target of 4"
    assert common_reason(at_target.iloc[:0]) == ""


def test_rep_summary_one_row_per_rep_by_top_score() -> None:
    gaps = [
        _row(1, "Ann", 1, skill=3.0),
        _row(1, "Ann", 2, skill=np.nan),
        _row(2, "Ben", 1, skill=1.0),
        _row(2, "Ben", 2, skill=2.0),
        _row(2, "Ben", 3, skill=3.0),
        _row(3, "Cy", 1, skill=4.0),  # at target
        _row(4, "Dee", 1, skill=np.nan),  # not assessed at all
    ]
    frame = pd.DataFrame(gaps)
    perf = pd.DataFrame(
        [
            _perf(1, "Ann"),
            _perf(2, "Ben"),
            _perf(3, "Cy"),
            _perf(4, "Dee"),
            _perf(5, "Eve", far_below=True, far_below_reason="Far below."),
        ]
    )
    ranked = rank(frame, perf, _coached([]), Weights(), TODAY)
    summary = rep_summary(ranked, frame, perf)
    assert list(summary.columns) == [
        "rep_id",
        "rep",
        "top_score",
        "focus",
        "flag",
        "flag_reason",
        "note",
    ]
    assert summary["rep"].tolist()[:2] == ["Ben", "Ann"]
    by_rep = summary.set_index("rep")
    assert by_rep.loc["Ben", "focus"] == "Behaviour 1, Behaviour 2"
    assert by_rep.loc["Ann", "note"] == "Not assessed yet on 1 of 2 behaviours."
    assert by_rep.loc["Cy", "note"] == "At or above target on every behaviour."
    assert by_rep.loc["Dee", "note"] == "Not assessed yet: assess first."
    assert pd.isna(by_rep.loc["Dee", "top_score"])
    assert (by_rep.loc["Eve", "flag"], by_rep.loc["Eve", "flag_reason"]) == (
        FLAG,
        "Far below.",
    )
    assert rep_summary(ranked)["rep"].tolist() == ["Ben", "Ann"]


def test_missing_columns_are_named() -> None:
    frame = pd.DataFrame([_row(1, "Ann")]).drop(columns=["target_level"])
    with pytest.raises(ValueError, match="gaps: missing column.*target_level"):
        rank(frame, pd.DataFrame([_perf(1, "Ann")]), _coached([]), Weights(), TODAY)


def test_an_empty_team_ranks_to_an_empty_frame() -> None:
    gaps = pd.DataFrame([_row(1, "Ann")]).iloc[0:0]
    perf = pd.DataFrame([_perf(1, "Ann")]).iloc[0:0]
    ranked = rank(gaps, perf, _coached([]), Weights(), TODAY)
    assert ranked.empty
    assert {"score", "rank", "suggested", "why"} <= set(ranked.columns)
    assert rep_summary(ranked).empty


# Weights ---------------------------------------------------------------------


def test_weights_default_to_one_in_factor_order() -> None:
    assert Weights().as_dict() == dict.fromkeys(KEYS, 1.0)
    assert Weights.from_dict({"spread": 2}).as_dict()["spread"] == 2.0


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"gap": -1},
            "gap",
            "gap: the weight for gap to target must be 0 or more, not -1.",
        ),
        (
            {"recency": -0.5},
            "recency",
            "recency: the weight for time since coached must be 0 or more, not -0.5.",
        ),
        ({"spread": float("nan")}, "spread", "must be a number, not nan"),
        ({"objective": "2"}, "objective", "must be a number, not '2'"),
        (
            dict.fromkeys(KEYS, 0),
            "weights",
            "weights: set at least one weight above 0, or nothing can be ranked.",
        ),
        ({"speed": 1}, "speed", "speed: there is no such weight; use one of gap,"),
    ],
)
def test_bad_weights_get_a_plain_message(
    values: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Weights.from_dict(values)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_factors_are_explained_for_the_screen() -> None:
    assert list(Weights().as_dict()) == KEYS
    for _key, label, explanation in FACTORS:
        assert label[0].isupper()
        assert explanation.endswith(".")
        assert len(explanation) < 90


# Scale and the demo ------------------------------------------------------------


def test_a_thousand_reps_rank_in_well_under_a_second() -> None:
    rng = np.random.default_rng(3)
    n_reps, n_beh = 1000, 14
    rep_ids = np.repeat(np.arange(1, n_reps + 1), n_beh)
    skill = rng.integers(1, 6, n_reps * n_beh).astype(float)
    skill[rng.random(len(skill)) < 0.05] = np.nan
    gaps = pd.DataFrame(
        {
            "rep_id": rep_ids,
            "rep": [f"Rep {i:04d}" for i in rep_ids],
            "behaviour_id": np.tile(np.arange(1, n_beh + 1), n_reps),
            "behaviour": [f"Behaviour {b}" for b in np.tile(np.arange(n_beh), n_reps)],
            "objective_weight": np.tile(
                [0.3, 0.3, 0.2, 0.2, 0.3, 0.2, 0.2], 2 * n_reps
            ),
            "target_level": 4,
            "skill": skill,
            "assessed_on": TODAY - dt.timedelta(days=40),
        }
    )
    gaps["gap"] = gaps["target_level"] - gaps["skill"]
    perf = pd.DataFrame(
        {
            "rep_id": np.arange(1, n_reps + 1),
            "rep": [f"Rep {i:04d}" for i in range(1, n_reps + 1)],
            "place": rng.random(n_reps),
            "action_rate_enough": rng.random(n_reps) < 0.9,
            "far_below": rng.random(n_reps) < 0.05,
        }
    )
    coached = _coached(
        [
            (int(r), 1, int(d))
            for r, d in zip(range(1, 600), rng.integers(1, 200, 599), strict=True)
        ]
    )
    started = time.perf_counter()
    ranked = rank(gaps, perf, coached, Weights(spread=2), TODAY)
    summary = rep_summary(ranked, gaps, perf)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert len(summary) == n_reps
    assert ranked.groupby("rep_id")["suggested"].sum().max() == 2


def _demo_gaps(conn: sa.engine.Connection) -> pd.DataFrame:
    """Latest coach rating per active rep and behaviour (built elsewhere in the app)."""
    a, r = s.assessments, s.reps
    rows = conn.execute(
        sa.select(a.c.rep_id, a.c.behaviour_id, a.c.assessed_on, a.c.skill, a.c.will)
        .join(r, r.c.id == a.c.rep_id)
        .where(a.c.source == "coach", r.c.active.is_(True))
        .order_by(a.c.assessed_on, a.c.id)
    ).all()
    ratings = pd.DataFrame(
        [tuple(x) for x in rows],
        columns=["rep_id", "behaviour_id", "assessed_on", "skill", "will"],
    ).drop_duplicates(["rep_id", "behaviour_id"], keep="last")
    team = pd.DataFrame(
        [tuple(x) for x in conn.execute(sa.select(r.c.id, r.c.name).where(r.c.active))],
        columns=["rep_id", "rep"],
    )
    gaps = team.merge(behaviours_frame(conn), how="cross").merge(
        ratings, on=["rep_id", "behaviour_id"], how="left"
    )
    gaps["gap"] = gaps["target_level"] - gaps["skill"]
    return gaps


def test_demo_ranking(demo_store: Store, today: dt.date) -> None:
    with demo_store.read() as conn:
        gaps = _demo_gaps(conn)
        perf = rep_performance(conn, None, today)
        coached = last_coached(conn, None)
    ranked = rank(gaps, perf, coached, Weights(), today)
    assert len(ranked) == int((gaps["gap"] > 0).sum())
    flagged = set(perf.loc[perf["far_below"], "rep_id"])
    assert flagged
    assert not ranked.loc[ranked["rep_id"].isin(flagged), "suggested"].any()
    others = ranked[~ranked["rep_id"].isin(flagged)]
    assert others.groupby("rep_id")["suggested"].sum().between(1, 2).all()
    for key in KEYS:
        assert ranked[f"{key}_factor"].between(0, 1).all()
    reweighted = rank(gaps, perf, coached, Weights(gap=0, spread=5), today)
    assert ranked["rep"].head(10).tolist() != reweighted["rep"].head(10).tolist()
