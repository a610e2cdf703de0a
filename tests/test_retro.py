"""Look backs: sessions held against planned, skills and numbers before and after."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_plan, add_rating, add_session, add_values
from sqlalchemy.engine import Connection

from coachkit.improve.retro.look_back import (
    METRIC_COLUMNS,
    SKILL_COLUMNS,
    TEAM_COLUMNS,
    rep_retrospective,
    team_by_coach,
    team_retrospective,
)
from coachkit.model.periods import Period
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store

D = dt.date
PERIOD = Period.between(D(2026, 3, 1), D(2026, 5, 31))
TODAY = D(2026, 6, 15)


def _ids(conn: Connection, table: sa.Table) -> dict[str, int]:
    return dict(conn.execute(sa.select(table.c.key, table.c.id)).all())


def _mondays(first: D, count: int) -> list[D]:
    return [first + dt.timedelta(weeks=i) for i in range(count)]


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Coach Ada's team (Ana coached, Ben not, Cara on a second plan) and Eve's."""
    with store.write() as conn:
        b, m = _ids(conn, s.behaviours), _ids(conn, s.metrics)
        opening, agenda, research = (
            b["open_with_buyer_reason"],
            b["set_agenda"],
            b["research_account"],
        )
        ada = add(conn, s.coaches, name="Ada Coach")
        other = add(conn, s.coaches, name="Otto Coach")
        ana = add(conn, s.reps, coach_id=ada, name="Ana")
        ben = add(conn, s.reps, coach_id=ada, name="Ben")
        cara = add(conn, s.reps, coach_id=ada, name="Cara")
        add(conn, s.reps, coach_id=ada, name="Dan", active=False)
        eve = add(conn, s.reps, coach_id=other, name="Eve")

        # Ana: coached on two behaviours since 15 March, every 14 days.
        add_plan(conn, ada, ana, D(2026, 3, 15), [opening, agenda], cadence_days=14)
        first = add_session(conn, ada, ana, D(2026, 3, 1), 30)  # the period's first day
        add_session(conn, ada, ana, D(2026, 3, 15), 45)
        april = add_session(conn, ada, ana, D(2026, 4, 1), 60)
        add_session(conn, ada, ana, D(2026, 5, 31), 45)  # the period's last day
        add_session(conn, ada, ana, D(2026, 2, 28), 90)  # the day before: not counted
        draft = add_session(conn, ada, ana, D(2026, 4, 15), 30, status="draft")
        for day, skill in [
            (D(2026, 1, 10), 1),
            (D(2026, 3, 15), 2),  # on the day coaching started: "before"
            (D(2026, 5, 1), 3),
            (D(2026, 5, 20), 4),  # the latest in the period: "after"
            (D(2026, 6, 5), 5),  # after the period
        ]:
            add_rating(conn, ada, ana, opening, day, skill)
        add_rating(conn, ada, ana, opening, D(2026, 5, 25), 5, 5, source="self")
        add_rating(conn, ada, ana, agenda, D(2026, 3, 1), 3)
        add_rating(conn, ada, ana, research, D(2026, 2, 1), 2)
        add_rating(conn, ada, ana, research, D(2026, 4, 1), 3)
        # Eight weeks before 15 March, and the period's last eight weeks.
        values = []
        for i, day in enumerate(_mondays(D(2026, 1, 19), 8)):
            values += [("conversations", day, 10 if i % 2 else 20)]
            values += [("buyer_action_conversations", day, 1 if i % 2 else 9)]
        for day in _mondays(D(2026, 4, 6), 8):
            values += [
                ("conversations", day, 25),
                ("buyer_action_conversations", day, 10),
            ]
        values += [("conversations", D(2026, 1, 12), 1000)]  # too early
        values += [("conversations", D(2026, 3, 16), 1000)]  # between the windows
        add_values(conn, ada, ana, values)
        for start, due, status in [
            (D(2026, 3, 15), D(2026, 4, 30), "met"),
            (D(2026, 3, 15), D(2026, 5, 31), "missed"),  # due on the last day
            (D(2026, 3, 1), D(2026, 8, 31), "open"),  # started on the first day
            (D(2026, 1, 1), D(2026, 2, 28), "met"),  # all before the period
            (D(2026, 3, 15), D(2026, 4, 15), "dropped"),
        ]:
            add(
                conn,
                s.goals,
                coach_id=ada,
                rep_id=ana,
                behaviour_id=opening,
                description=f"A goal due {due}",
                start_on=start,
                due_on=due,
                status=status,
                metric_id=m["buyer_action_rate"],
            )
        for session, due, status in [
            (first, D(2026, 3, 5), "kept"),
            (april, D(2026, 4, 10), "kept"),
            (None, D(2026, 5, 31), "missed"),
            (None, D(2026, 5, 10), "open"),
            (None, D(2026, 6, 1), "open"),  # after the period
            (None, D(2026, 2, 27), "missed"),  # before the period
            (draft, D(2026, 4, 20), "open"),  # on a draft: not agreed yet
        ]:
            add(
                conn,
                s.actions,
                coach_id=ada,
                rep_id=ana,
                session_id=session,
                text="Do it",
                due_on=due,
                status=status,
            )

        # Cara: a weekly plan replaced by a fortnightly one on 1 April.
        add_plan(
            conn, ada, cara, D(2026, 1, 1), [agenda], cadence_days=7, status="closed"
        )
        add_plan(conn, ada, cara, D(2026, 4, 1), [research], cadence_days=14)
        add_session(conn, ada, cara, D(2026, 4, 10), 60)
        add_rating(conn, ada, cara, research, D(2025, 12, 1), 2)
        add_rating(conn, ada, cara, research, D(2026, 5, 1), 4)

        # Eve, on another team: no plan, first coached in December.
        add_session(conn, other, eve, D(2025, 12, 1), 30)
        add_session(conn, other, eve, D(2026, 4, 1), 30)
    return {
        "ada": ada,
        "other": other,
        "ana": ana,
        "ben": ben,
        "cara": cara,
        "eve": eve,
    }


def test_sessions_held_against_planned(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        retro = rep_retrospective(conn, team["ana"], PERIOD, TODAY)
    assert retro.started_on == D(2026, 3, 15)
    assert (
        retro.sessions_held == 4
    )  # first and last day in; the day before and draft out
    assert retro.hours == pytest.approx(3.0)
    assert retro.sessions_planned == pytest.approx(78 / 14)  # 15 March to 31 May


@pytest.mark.parametrize(
    ("start", "end", "held"),
    [
        (D(2026, 3, 1), D(2026, 5, 31), 4),
        (D(2026, 3, 2), D(2026, 5, 31), 3),  # starts a day after a session
        (D(2026, 2, 28), D(2026, 5, 30), 4),  # takes the day before, drops the last
        (D(2026, 5, 31), D(2026, 5, 31), 1),  # one day
    ],
)
def test_period_boundaries(
    store: Store, team: dict[str, int], start: D, end: D, held: int
) -> None:
    with store.read() as conn:
        retro = rep_retrospective(conn, team["ana"], Period.between(start, end), TODAY)
    assert retro.sessions_held == held


def test_skill_ratings_before_and_after(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        skills = rep_retrospective(conn, team["ana"], PERIOD, TODAY).skills
    assert list(skills.columns) == SKILL_COLUMNS
    rows = skills.set_index("behaviour").to_dict("index")
    names = list(skills["behaviour"])
    opening = next(n for n in names if n.startswith("Open with"))
    agenda = next(n for n in names if "agenda" in n)
    research = next(n for n in names if n.startswith("Research"))
    assert names[:2] == [opening, agenda]  # focus behaviours first, in plan order
    assert list(skills["focus"]) == [True, True, False]
    assert (rows[opening]["before"], rows[opening]["after"]) == (2.0, 4.0)
    assert rows[opening]["change"] == 2.0
    assert rows[agenda]["before"] == 3.0
    assert math.isnan(rows[agenda]["after"])  # not rated again
    assert (rows[research]["before"], rows[research]["after"]) == (2.0, 3.0)


def test_skill_before_is_the_period_start_when_coaching_started_earlier(
    store: Store, team: dict[str, int]
) -> None:
    later = Period.between(D(2026, 5, 10), D(2026, 5, 31))
    with store.read() as conn:
        skills = rep_retrospective(conn, team["ana"], later, TODAY).skills
    opening = skills[skills["behaviour"].str.startswith("Open with")].iloc[0]
    assert (opening["before"], opening["after"]) == (3.0, 4.0)


def test_numbers_before_and_after(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        metrics = rep_retrospective(conn, team["ana"], PERIOD, TODAY).metrics
    assert list(metrics.columns) == METRIC_COLUMNS
    rows = metrics.set_index("metric").to_dict("index")
    rate = next(r for name, r in rows.items() if name.startswith("Share of conv"))
    count = rows["Conversations with prospects"]
    # A rate from the sums (40 of 120), not the mean of weekly rates (27.5%).
    assert rate["before"] == pytest.approx(40 / 120)
    assert rate["after"] == pytest.approx(0.4)
    assert (rate["before_text"], rate["after_text"]) == ("33.3%", "40%")
    assert rate["change_text"] == "up 6.7 points"
    assert rate["better"] is True
    assert (count["before"], count["after"]) == (15.0, 25.0)
    assert count["change_text"] == "up 10 per week"
    assert metrics["kind"].iloc[0] == "rate"  # rates first
    agenda_rate = next(r for name, r in rows.items() if "moved the deal" in name)
    assert agenda_rate["before_text"] == "not known"
    assert agenda_rate["better"] is None


def test_goal_and_action_counts(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        retro = rep_retrospective(conn, team["ana"], PERIOD, TODAY)
    assert retro.goal_counts == {"open": 1, "met": 1, "missed": 1, "dropped": 1}
    assert len(retro.goal_rows) == 4
    assert list(retro.goal_rows["due_on"]) == sorted(retro.goal_rows["due_on"])
    assert retro.actions == {"kept": 2, "missed": 1, "open": 1}


def test_headline(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        ana = rep_retrospective(conn, team["ana"], PERIOD, TODAY).headline()
        ben = rep_retrospective(conn, team["ben"], PERIOD, TODAY).headline()
    assert ana == (
        "Ana had 4 of about 6 planned coaching sessions (3.0 hours); focus skills "
        "went up 2.0 levels on average in the coach's own ratings; 1 of 2 goals was "
        "met."
    )
    assert ben == "Ben had no coaching sessions in this period."


def test_a_rep_that_does_not_exist(store: Store) -> None:
    with store.read() as conn, pytest.raises(LookupError):
        rep_retrospective(conn, 999, PERIOD, TODAY)


def test_team_retrospective(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = team_retrospective(conn, team["ada"], PERIOD, TODAY)
        ana = rep_retrospective(conn, team["ana"], PERIOD, TODAY)
    assert list(frame.columns) == TEAM_COLUMNS
    assert list(frame["rep"]) == ["Ana", "Ben", "Cara"]  # Dan left; Eve is Otto's
    rows = frame.set_index("rep").to_dict("index")
    a = rows["Ana"]
    assert a["started_on"] == ana.started_on
    assert (a["sessions_held"], a["hours"]) == (ana.sessions_held, ana.hours)
    assert a["sessions_planned"] == pytest.approx(ana.sessions_planned)
    assert (a["goals_met"], a["goals_missed"], a["goals_open"]) == (1, 1, 1)
    assert (a["actions_kept"], a["actions_missed"]) == (2, 1)
    assert a["kept_share"] == pytest.approx(2 / 3)
    assert a["skill_change"] == 2.0  # the agenda has no "after" yet
    assert rows["Ben"]["note"] == "No coaching in this period"
    assert rows["Ben"]["started_on"] is None
    assert math.isnan(rows["Ben"]["kept_share"])
    c = rows["Cara"]
    # March under the weekly plan (31 days / 7), April and May under the new one.
    assert c["sessions_planned"] == pytest.approx(31 / 7 + 61 / 14)
    assert c["started_on"] == D(2026, 4, 1)
    assert c["skill_change"] == 2.0
    assert c["note"] == "Fewer than half the planned sessions"


def test_team_retrospective_for_every_coach(store: Store, team: dict[str, int]) -> None:
    with store.read() as conn:
        frame = team_retrospective(conn, None, PERIOD, TODAY)
    assert list(frame["rep"]) == ["Ana", "Ben", "Cara", "Eve"]
    eve = frame.set_index("rep").loc["Eve"]
    assert eve["coach"] == "Otto Coach"
    assert eve["started_on"] == D(2025, 12, 1)  # no plan: the first session
    assert eve["sessions_held"] == 1


def test_demo_look_backs(demo_store: Store, today: dt.date) -> None:
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        coach = int(queries.coaches(conn).query("role == 'coach'")["coach_id"].iloc[0])
        mine = team_retrospective(conn, coach, period, today)
        everyone = team_retrospective(conn, None, period, today)
        coached = mine[mine["sessions_held"] > 0]
        retro = rep_retrospective(conn, int(coached["rep_id"].iloc[0]), period, today)
    assert list(mine.columns) == list(everyone.columns) == TEAM_COLUMNS
    assert 0 < len(mine) < len(everyone)
    assert not coached.empty
    assert retro.started_on is not None
    assert retro.sessions_held > 0
    assert retro.skills["focus"].any()
    assert not retro.metrics.empty
    assert retro.headline().startswith(retro.rep)


def test_team_by_coach_sums_each_coachs_reps() -> None:
    team = pd.DataFrame(
        {
            "rep_id": [1, 2, 3],
            "coach": ["Ann", "Ann", "Bo"],
            "sessions_held": [4, 0, 1],
            "sessions_planned": [4.0, 2.0, 4.0],
            "hours": [2.0, 0.0, 0.5],
            "goals_met": [1, 0, 0],
            "goals_missed": [0, 1, 1],
            "goals_open": [1, 1, 0],
            "actions_kept": [3, 0, 0],
            "actions_missed": [1, 0, 0],
            "skill_change": [1.0, float("nan"), 0.0],
        }
    )
    by = team_by_coach(team)
    assert list(by["coach"]) == ["Bo", "Ann"]  # 1 of 4 planned before 4 of 6
    ann = by.set_index("coach").loc["Ann"]
    assert (ann["reps"], ann["coached"], ann["sessions_held"]) == (2, 1, 4)
    assert ann["kept_share"] == 0.75
    assert ann["skill_change"] == 1.0  # the rep without a change is left out
    assert pd.isna(by.set_index("coach").loc["Bo", "kept_share"])  # none settled
    assert team_by_coach(team.iloc[:0]).empty


def test_focus_skills_are_compared_with_skills_rated_the_same_before() -> None:
    """Pure rating noise: a coach rates 14 behaviours, makes the 3 lowest the focus,
    and rates again later; nothing changed. Taken alone, focus skills "went up" for
    most reps (they were picked for a low rating); against non-focus behaviours
    rated the same before, rarely."""
    from coachkit.improve.retro.look_back import SKILL_MARGIN, skill_vs_others

    rng = np.random.default_rng(5)
    rows = []
    for rep in range(200):
        true = rng.uniform(1.5, 4.5, 14)
        before = np.clip(np.round(true + rng.normal(0, 0.7, 14)), 1, 5)
        after = np.clip(np.round(true + rng.normal(0, 0.7, 14)), 1, 5)
        focus = set(np.argsort(before, kind="stable")[:3])
        for b in range(14):
            rows.append((rep, b, b in focus, before[b], after[b]))
    ratings = pd.DataFrame(
        rows, columns=["rep_id", "behaviour_id", "focus", "before", "after"]
    )
    mine = ratings[ratings["focus"]]
    alone = (mine["after"] - mine["before"]).groupby(mine["rep_id"]).mean()
    assert alone.mean() > 0.3  # what the look back used to call progress
    assert (alone > 0).mean() > 0.6
    relative = skill_vs_others(ratings)
    assert len(relative) > 150
    assert abs(relative.mean()) < 0.15
    assert (relative >= SKILL_MARGIN).mean() < 0.15
