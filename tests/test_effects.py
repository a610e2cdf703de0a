"""Practice to performance: planted effects found, trends taken out, thin data said."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.improve.effects import (
    EFFECT_COLUMNS,
    METHOD_TEXT,
    Effect,
    coaching_starts,
    effect_chart,
    estimate_effect,
    practice_effects,
    rep_effects,
    t_quantile,
)
from coachkit.model.readability import grade_level
from coachkit.store import schema as s

MONDAY = dt.date(2025, 1, 6)


def _team(
    seed: int,
    *,
    lift: float,
    coached: int = 40,
    others: int = 60,
    trend: float = 0.005,
    kind: str = "rate",
    monthly: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly numbers for a made-up team: ``coached`` reps start coaching on staggered
    Wednesdays and gain ``lift`` from the week after; everyone drifts up by ``trend``
    a week (a busy season), so a plain before/after change overstates the lift."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, dt.date, float, float]] = []
    starts = []
    for rep in range(coached + others):
        base = 0.25 + rng.normal(0, 0.04)
        start = int(rng.integers(17, 49)) if rep < coached else None
        if start is not None:
            starts.append((rep, MONDAY + dt.timedelta(weeks=start, days=2)))
        for week in range(60):
            day = MONDAY + dt.timedelta(weeks=week)
            if monthly and day.day > 7:  # only the month's first Monday
                continue
            gain = lift if start is not None and week > start else 0.0
            level = base + trend * week + gain
            if kind == "rate":
                tries = int(rng.poisson(30))
                rows.append((rep, day, rng.binomial(tries, level), tries))
            else:
                rows.append((rep, day, rng.normal(20 * level, 1.5), 1))
    values = pd.DataFrame(rows, columns=["rep_id", "week", "num", "den"])
    return values, pd.DataFrame(starts, columns=["rep_id", "started_on"])


def test_a_planted_rise_is_found_and_the_common_trend_is_taken_out() -> None:
    values, starts = _team(1, lift=0.08)

    effect = estimate_effect(values, starts, kind="rate")

    assert effect.enough
    # The 60 never coached, and coached reps in the weeks before their own start.
    assert effect.coached == 40
    assert 60 < effect.comparison < 100
    assert effect.low < 0.08 < effect.high
    assert effect.low > 0
    assert effect.verdict() == "better"
    # A plain before/after change carries the season too (10 weeks x 0.005).
    assert effect.naive - 0.08 > 0.03
    assert abs(effect.estimate - 0.08) < abs(effect.naive - 0.08) / 3


def test_without_a_planted_effect_the_range_holds_zero() -> None:
    values, starts = _team(2, lift=0.0)

    effect = estimate_effect(values, starts, kind="rate")

    assert effect.enough
    assert effect.low < 0 < effect.high
    assert effect.verdict() == "no clear change"
    assert effect.naive > 0.03  # the season alone would have looked like progress


def test_the_range_holds_the_planted_effect_about_95_times_in_100() -> None:
    hits = 0
    for seed in range(40):
        values, starts = _team(100 + seed, lift=0.08, coached=12, others=25)
        effect = estimate_effect(values, starts, kind="rate")
        hits += effect.low <= 0.08 <= effect.high
    assert hits >= 35


def test_counts_use_the_mean_per_observed_week() -> None:
    values, starts = _team(3, lift=0.08, kind="count")  # 20 x 0.08 = 1.6 a week

    effect = estimate_effect(values, starts, kind="count")

    assert effect.low < 1.6 < effect.high
    assert effect.low > 0
    assert abs(effect.estimate - 1.6) < abs(effect.naive - 1.6)
    text = effect.sentence("per week", metric="Meetings with prospects", behaviour="X")
    assert text.startswith("Reps coached on X saw meetings with prospects rise by 1.")
    assert "per week (range" in text


def test_monthly_counts_work_the_same_way_with_fewer_points() -> None:
    values, starts = _team(4, lift=0.08, kind="count", monthly=True)

    effect = estimate_effect(values, starts, kind="count")

    assert effect.enough
    assert effect.low < 1.6 < effect.high


def test_too_few_coached_reps_says_how_many_more_are_needed() -> None:
    values, starts = _team(5, lift=0.08, coached=2)

    effect = estimate_effect(values, starts, kind="rate")

    assert not effect.enough
    assert math.isnan(effect.estimate)
    assert effect.verdict() == "not enough data yet"
    assert effect.need.startswith("not enough data yet: needs 1 more coached rep with")
    assert effect.sentence("share").startswith("Not enough data yet: needs 1 more")


def test_too_few_reps_to_compare_with_says_how_many_more() -> None:
    values, starts = _team(6, lift=0.08, coached=5, others=2)
    starts["started_on"] = MONDAY + dt.timedelta(weeks=20)  # none can stand in

    effect = estimate_effect(values, starts, kind="rate")

    assert not effect.enough
    assert effect.need == (
        "not enough data yet: needs coached reps who started in 2 different weeks or "
        "more and 3 more reps not coached on it to compare with"
    )


def test_thin_windows_are_left_out() -> None:
    values, starts = _team(7, lift=0.08)
    thin = values["rep_id"] == 0
    values.loc[thin, "den"] = 2  # 16 tries in 8 weeks: too few to trust a rate
    values.loc[thin, "num"] = values.loc[thin, "num"].clip(upper=2)
    counts = values[values["week"].map(lambda d: d.day % 2 == 0)]  # about half

    assert estimate_effect(values, starts, kind="rate").coached == 39
    assert estimate_effect(counts, starts, kind="count").coached == 40
    gaps = (counts["rep_id"] == 0) & counts["week"].map(lambda d: d.day > 9)
    assert estimate_effect(counts[~gaps], starts, kind="count").coached == 39


def test_reps_coached_in_the_same_weeks_are_not_compared_with() -> None:
    values, starts = _team(8, lift=0.08, coached=3, others=0)
    starts["started_on"] = MONDAY + dt.timedelta(weeks=20, days=2)
    others, _ = _team(9, lift=0.0, coached=0, others=6)
    others["rep_id"] += 100
    everyone = pd.concat([values, others])

    def compared(weeks: int) -> Effect:
        more = pd.DataFrame(
            {
                "rep_id": range(100, 106),
                "started_on": MONDAY + dt.timedelta(weeks=weeks),
            }
        )
        both = pd.concat([starts, more])
        return estimate_effect(everyone, both, kind="rate", coached_reps={0, 1, 2})

    later = compared(weeks=59)  # coached only after the windows: still compared
    assert (later.coached, later.comparison) == (3, 6)
    assert compared(weeks=15).comparison == 0  # coached during them: left out


def test_the_verdict_follows_which_way_is_better() -> None:
    rise = Effect(0.06, 0.02, 0.10, 5, 20, True, "rate")

    assert rise.verdict(higher_is_better=True) == "better"
    assert rise.verdict(higher_is_better=False) == "worse"
    assert Effect(-0.06, -0.1, -0.02, 5, 20, True, "rate").verdict(False) == "better"


def test_sentences_are_plain() -> None:
    rise = Effect(0.06, 0.02, 0.10, 5, 20, True, "rate")
    unsure = Effect(0.02, -0.02, 0.05, 5, 20, True, "rate")

    assert rise.sentence("share", metric="Buyer-action share", behaviour="X") == (
        "Reps coached on X saw buyer-action share rise by 6 points (range 2 to 10) "
        "more than reps who were not."
    )
    assert unsure.sentence("share", metric="Buyer-action share", behaviour="X") == (
        "No clear change: reps coached on X saw buyer-action share move somewhere "
        "between 2 points lower and 5 points higher than reps who were not."
    )
    one = Effect(0.02, -0.01, 0.05, 5, 20, True, "rate")
    assert "between 1 point lower and 5 points higher" in one.sentence(
        "share", metric="Buyer-action share", behaviour="X"
    )


def test_the_method_is_two_plain_sentences() -> None:
    assert METHOD_TEXT.count(". ") + METHOD_TEXT.endswith(".") == 2
    grade = grade_level(METHOD_TEXT)
    assert grade is not None
    assert grade <= 10


def test_t_quantiles_come_from_the_table() -> None:
    assert t_quantile(10) == pytest.approx(2.228)
    assert t_quantile(2) == pytest.approx(4.303)
    assert t_quantile(1e9) == pytest.approx(1.96, abs=1e-3)
    assert 2.0 < t_quantile(50) < 2.021


def test_kind_must_be_known() -> None:
    values, starts = _team(9, lift=0.0, coached=3, others=5)
    with pytest.raises(ValueError, match="kind must be"):
        estimate_effect(values, starts, kind="ratio")


# ---------------------------------------------------------------- with a store


def _small_org(conn: sa.Connection) -> dict[str, int]:
    from coachkit.model.framework import install_framework
    from coachkit.model.templates import load_framework

    install_framework(conn, load_framework())
    b = dict(conn.execute(sa.select(s.behaviours.c.key, s.behaviours.c.id)).all())
    conn.execute(
        s.coaches.insert(), [{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bo"}]
    )
    conn.execute(
        s.reps.insert(),
        [
            {"id": i, "coach_id": 1 if i < 3 else 2, "name": f"Rep {i}"}
            for i in (1, 2, 3)
        ],
    )
    return b


def test_coaching_starts_take_the_earliest_of_plan_and_done_session(store) -> None:
    with store.write() as conn:
        b = _small_org(conn)
        research, agenda = b["research_account"], b["set_agenda"]
        conn.execute(
            s.plans.insert(),
            [
                {
                    "id": 1,
                    "coach_id": 1,
                    "rep_id": 1,
                    "started_on": dt.date(2026, 3, 2),
                },
                {
                    "id": 2,
                    "coach_id": 2,
                    "rep_id": 3,
                    "started_on": dt.date(2026, 1, 5),
                },
            ],
        )
        focus = {"style": "guide", "stage": "prompt"}
        conn.execute(
            s.plan_focus.insert(),
            [
                {"coach_id": 1, "plan_id": 1, "behaviour_id": research, **focus},
                {"coach_id": 2, "plan_id": 2, "behaviour_id": research, **focus},
            ],
        )
        session = {"coach_id": 1, "rep_id": 1, "session_type": "call_review"}
        conn.execute(
            s.sessions.insert(),
            [
                {"id": 1, **session, "held_on": dt.date(2026, 2, 20), "status": "done"},
                {"id": 2, **session, "held_on": dt.date(2026, 1, 9), "status": "draft"},
                {"id": 3, **session, "held_on": dt.date(2026, 2, 23), "status": "done"},
            ],
        )
        conn.execute(
            s.session_focus.insert(),
            [
                {"session_id": 1, "behaviour_id": research, "coach_id": 1},
                {"session_id": 2, "behaviour_id": agenda, "coach_id": 1},
                {"session_id": 3, "behaviour_id": agenda, "coach_id": 1},
            ],
        )
    with store.read() as conn:
        mine = coaching_starts(conn, 1)
        everyone = coaching_starts(conn, None)

    assert list(mine.columns) == ["rep_id", "coach_id", "behaviour_id", "started_on"]
    got = {(r.rep_id, r.behaviour_id): r.started_on for r in mine.itertuples()}
    assert got == {
        (1, research): dt.date(2026, 2, 20),  # the session came before the plan
        (1, agenda): dt.date(2026, 2, 23),  # the draft session does not count
    }
    assert set(everyone["rep_id"]) == {1, 3}
    assert everyone.loc[everyone["rep_id"] == 3, "coach_id"].item() == 2


def test_a_team_with_no_coaching_or_no_numbers_gets_no_rows_or_a_need(store) -> None:
    with store.write() as conn:
        b = _small_org(conn)
    with store.read() as conn:
        assert practice_effects(conn, 1, dt.date(2026, 6, 15)).empty
        assert list(practice_effects(conn, None, dt.date(2026, 6, 15)).columns) == (
            EFFECT_COLUMNS
        )
    with store.write() as conn:
        conn.execute(
            s.plans.insert(),
            {"id": 1, "coach_id": 1, "rep_id": 1, "started_on": dt.date(2026, 1, 5)},
        )
        conn.execute(
            s.plan_focus.insert(),
            {
                "coach_id": 1,
                "plan_id": 1,
                "behaviour_id": b["research_account"],
                "style": "guide",
                "stage": "prompt",
            },
        )
    with store.read() as conn:
        team = practice_effects(conn, 1, dt.date(2026, 6, 15))
        rep = rep_effects(conn, 1, dt.date(2026, 6, 15))

    assert len(team) == 2  # research_account shows in two numbers
    assert not team["enough"].any()
    assert team["text"].str.startswith("Not enough data yet: needs 3 more").all()
    assert not team["text"].str.contains("compare with").any()
    assert rep["text"].str.contains("this rep has too few numbers").all()


def test_practice_effects_on_the_demo(demo_store, today) -> None:
    with demo_store.read() as conn:
        everyone = practice_effects(conn, None, today)
        team = practice_effects(conn, 1, today)

    assert list(everyone.columns) == EFFECT_COLUMNS
    assert len(everyone) > len(team) > 0
    ok = everyone[everyone["enough"]]
    assert len(ok) >= 3
    assert (ok["low"] <= ok["effect"]).all()
    assert (ok["effect"] <= ok["high"]).all()
    assert (ok["coached"] >= 3).all()
    assert (ok["comparison"] >= 5).all()
    shares = ok[ok["kind"] == "rate"]
    assert shares["effect"].abs().max() < 0.5
    assert set(everyone["verdict"]) <= {
        "better",
        "worse",
        "no clear change",
        "can't tell yet",
        "not enough data yet",
    }
    told = ok[ok["verdict"] != "can't tell yet"]
    assert (
        told["text"]
        .str.match(r"(Reps coached on|No clear change: reps coached on)")
        .all()
    )
    short = everyone[~everyone["enough"]]
    assert short["effect"].isna().all()
    assert short["text"].str.startswith("Not enough data yet: needs").all()
    # A verdict of better or worse always rests on a range that leaves zero out.
    found = everyone[everyone["verdict"].isin(["better", "worse"])]
    assert ((found["low"] > 0) | (found["high"] < 0)).all()


def test_since_counts_only_coaching_that_started_in_the_period(
    demo_store, today
) -> None:
    with demo_store.read() as conn:
        starts = coaching_starts(conn, None)
        cut = sorted(starts["started_on"])[len(starts) // 2]
        everything = practice_effects(conn, None, today)
        later = practice_effects(conn, None, today, since=cut)
        again = practice_effects(conn, None, today, since=starts["started_on"].min())
    key = ["behaviour_id", "metric_id"]
    both = everything.merge(later, on=key, how="left", suffixes=("", "_later"))
    assert (both["coached_later"].fillna(0) <= both["coached"]).all()
    assert later["coached"].sum() < everything["coached"].sum()
    pd.testing.assert_frame_equal(again, everything)


def test_the_fast_loader_agrees_with_a_plain_query(demo_store, today) -> None:
    with demo_store.read() as conn:
        effects = practice_effects(conn, None, today)
        row = effects[effects["enough"] & (effects["kind"] == "rate")].iloc[0]
        top, bottom = conn.execute(
            sa.select(s.metrics.c.numerator, s.metrics.c.denominator).where(
                s.metrics.c.id == int(row["metric_id"])
            )
        ).one()
        ids = dict(conn.execute(sa.select(s.metrics.c.key, s.metrics.c.id)).all())
        mv = s.metric_values

        def counts(key: str) -> pd.DataFrame:
            query = sa.select(mv.c.rep_id, mv.c.observed_on, mv.c.value).where(
                mv.c.metric_id == ids[key]
            )
            return pd.DataFrame(
                conn.execute(query).all(), columns=["rep_id", "week", key]
            )

        starts = coaching_starts(conn, None)
        values = counts(bottom).merge(counts(top), on=["rep_id", "week"], how="left")
        bm = s.behaviour_metrics
        sharing = (
            conn.execute(
                sa.select(bm.c.behaviour_id).where(
                    bm.c.metric_id == int(row["metric_id"])
                )
            )
            .scalars()
            .all()
        )
        teams = pd.Series(
            dict(conn.execute(sa.select(s.reps.c.id, s.reps.c.coach_id)).all())
        )

    values = values.rename(columns={top: "num", bottom: "den"}).fillna({"num": 0})
    mine = starts[starts["behaviour_id"] == row["behaviour_id"]]
    done = mine[
        mine["started_on"].map(lambda d: d - dt.timedelta(days=d.weekday()))
        <= today - dt.timedelta(weeks=10)
    ]
    shared = starts[
        starts["behaviour_id"].isin(set(sharing))
        & (starts["behaviour_id"] != row["behaviour_id"])
    ]
    effect = estimate_effect(
        values,
        mine,
        kind="rate",
        coached_reps=set(done["rep_id"]),
        teams=teams,
        shared=shared,
    )

    assert effect.estimate == pytest.approx(row["effect"])
    assert (effect.low, effect.high) == pytest.approx((row["low"], row["high"]))
    assert effect.coached == row["coached"]


def test_rep_effects_for_a_rep_coaching_helped(demo_store, today) -> None:
    with demo_store.read() as conn:
        # In the demo (seed 7) coaching on research lifted this rep's buyer actions.
        rep_id = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.name == "Yusuf Walsh")
        ).scalar_one()
        frame = rep_effects(conn, rep_id, today)
        early = rep_effects(conn, rep_id, dt.date(2026, 3, 10))

    assert list(frame.columns) == EFFECT_COLUMNS
    row = frame[frame["metric"].str.startswith("Share of conversations")].iloc[0]
    assert row["behaviour"] == "Research the account before reaching out"
    assert row["verdict"] == "better"
    assert (row["coached"], row["comparison"] >= 5) == (1, True)
    assert row["text"].startswith(
        "After coaching on Research the account before reaching out, this rep saw"
    )
    assert row["text"].endswith("more than reps who were not coached on it.")
    assert not early["enough"].any()
    assert early["text"].str.startswith("Not enough data yet: check back after").all()
    assert "2026-04-26" in early["text"].iloc[0]


def test_a_rep_never_coached_gets_no_rows(demo_store, today) -> None:
    with demo_store.read() as conn:
        coached = set(coaching_starts(conn, None)["rep_id"])
        ids = conn.execute(sa.select(s.reps.c.id)).scalars().all()
        never = next(i for i in ids if i not in coached)
        frame = rep_effects(conn, never, today)
    assert frame.empty
    assert list(frame.columns) == EFFECT_COLUMNS


def test_a_behaviour_with_no_linked_number_has_no_row(demo_store, today) -> None:
    with demo_store.read() as conn:
        before = practice_effects(conn, None, today)
    gone = int(before["behaviour_id"].iloc[0])
    with demo_store.write() as conn:
        conn.execute(
            s.behaviour_metrics.delete().where(
                s.behaviour_metrics.c.behaviour_id == gone
            )
        )
    with demo_store.read() as conn:
        after = practice_effects(conn, None, today)
    assert gone not in set(after["behaviour_id"])
    assert len(after) == len(before) - int((before["behaviour_id"] == gone).sum())


def test_the_chart_shows_a_dot_and_range_per_effect_with_a_zero_line(
    demo_store, today
) -> None:
    with demo_store.read() as conn:
        effects = practice_effects(conn, None, today)

    spec = effect_chart(effects).to_dict()

    layers = spec["spec"]["layer"]
    marks = [layer["mark"]["type"] for layer in layers]
    assert marks == ["rule", "point", "rule"]
    assert layers[2]["encoding"]["x"] == {"datum": 0}
    assert layers[0]["encoding"]["x"]["title"] == (
        "Change compared with reps not coached on it"
    )
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(rows) == int(effects["enough"].sum())
    share = [r for r in rows if r["units"] == "points"]
    assert share
    assert all(abs(r["effect"]) > 0.5 or r["effect"] == 0 for r in share)  # in points

    empty = effect_chart(effects[~effects["enough"]]).to_dict()
    assert empty["mark"]["type"] == "text"
    assert effect_chart(pd.DataFrame(columns=EFFECT_COLUMNS)).to_dict()["mark"]


def test_the_second_comparison_is_one_short_sentence() -> None:
    from coachkit.improve.effects.result import against

    others = "reps coached on other things"
    rise = Effect(0.06, 0.02, 0.10, 5, 20, True, "rate")
    unsure = Effect(0.02, -0.02, 0.05, 5, 20, True, "rate")
    held = Effect(0.06, 0.02, 0.10, 5, 20, True, "rate", check="can't tell yet: x")
    thin = Effect(math.nan, math.nan, math.nan, 1, 2, False, "rate", "not enough")
    assert against(rise, "share", others) == (
        "Against reps coached on other things: 6 points more (range 2 to 10)."
    )
    assert against(unsure, "share", others) == (
        "Against reps coached on other things: no clear difference."
    )
    assert against(held, "share", others) == ""
    assert against(thin, "share", others) == ""


def test_one_rep_already_moving_before_coaching_gets_cant_tell_yet() -> None:
    from coachkit.improve.effects.estimate import _Panel, _single
    from coachkit.improve.effects.weeks import _WINDOWS, _start_weeks

    values, starts = _team(11, lift=0.0, coached=1, others=30, trend=0.0)
    start = pd.Timestamp(starts["started_on"].iloc[0]).date()
    weeks = pd.to_datetime(values["week"]).dt.date
    early = (values["rep_id"] == 0) & (weeks < start - dt.timedelta(weeks=10))
    values.loc[early, "num"] = 0  # buyers never acted in the rep's early weeks
    panel = _Panel.from_frame(values, "rate")

    drifting = _single(panel, _start_weeks(starts), _WINDOWS, 0)
    assert drifting.verdict() == "can't tell yet"
    assert drifting.sentence("share").startswith(
        "Can't tell yet: before coaching started, this rep's number was already"
    )
    values, starts = _team(11, lift=0.0, coached=1, others=30, trend=0.0)
    steady = _single(
        _Panel.from_frame(values, "rate"), _start_weeks(starts), _WINDOWS, 0
    )
    assert steady.check == ""
