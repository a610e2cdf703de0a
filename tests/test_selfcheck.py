"""Programme self-check: each team's weakest pillar is named, with the counts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import add, add_plan, add_rating, add_session
from sqlalchemy.engine import Connection

from coachkit.improve.selfcheck import (
    CHECK_COLUMNS,
    COACH_COLUMNS,
    checklist_by_coach,
    pillar_scores,
    programme_check,
    summary_sentence,
    weakest_pillar,
)
from coachkit.model.framework import install_framework
from coachkit.model.templates import load_framework
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)
REPS = 8
SCORES = ("coach_relevant", "coach_developmental", "coach_motivational")


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _team(conn: Connection, name: str, spoil: str | None = None) -> int:
    """A coach with 8 active reps (and one who left), every pillar's data in place.

    ``spoil`` leaves out most of one pillar's data:
    - Prioritize: only 3 reps assessed lately; only 2 plans keep a live goal.
    - Facilitate: notes and kept actions on rep 0's sessions only; the last
      sessions were 50 days ago on a 14-day plan.
    - Improve: the last reflection was 100 days ago; only rep 0's sessions have
      their coach checks scored.
    """
    behaviour = int(conn.execute(sa.select(s.behaviours.c.id).limit(1)).scalar_one())
    coach = add(conn, s.coaches, name=name)
    add(conn, s.reps, coach_id=coach, name="Left Already", active=False)
    for i in range(REPS):
        rep = add(conn, s.reps, coach_id=coach, name=f"Rep {i}")
        mine = {"coach_id": coach, "rep_id": rep}
        stale = spoil == "Prioritize" and i >= 3
        add_rating(conn, coach, rep, behaviour, _ago(200 if stale else 30), 3)
        plan = add_plan(
            conn, coach, rep, _ago(120), [behaviour], cadence_days=14, notes="Meet."
        )
        add(
            conn,
            s.goals,
            **mine,
            plan_id=plan,
            behaviour_id=behaviour,
            description="Hold more first calls",
            start_on=_ago(120),
            due_on=_ago(-30),
            status="dropped" if spoil == "Prioritize" and i >= 2 else "open",
        )
        late = spoil == "Facilitate"
        for held in (_ago(60), _ago(50)) if late else (_ago(20), _ago(6)):
            quiet = late and i > 0
            unchecked = spoil == "Improve" and i > 0
            session = add_session(
                conn,
                coach,
                rep,
                held,
                plan_id=plan,
                session_type="call_review",
                went_well="" if quiet else "You asked good questions.",
                to_change="" if quiet else "Send the agenda sooner.",
                **dict.fromkeys(SCORES, None if unchecked else 4),
            )
            add(
                conn,
                s.actions,
                **mine,
                session_id=session,
                text="Send the agenda",
                due_on=held + dt.timedelta(days=5),
                status="missed" if quiet else "kept",
            )
    written = _ago(100 if spoil == "Improve" else 10)
    add(conn, s.reflections, coach_id=coach, written_on=written, text="Plan less.")
    return coach


@pytest.fixture
def teams(store: Store) -> tuple[Store, dict[str | None, int]]:
    """One store, four teams: one complete, three each missing a pillar."""
    with store.write() as conn:
        install_framework(conn, load_framework())
        ids = {
            spoil: _team(conn, f"Coach {spoil}", spoil)
            for spoil in (None, "Prioritize", "Facilitate", "Improve")
        }
    return store, ids


def _details(check: pd.DataFrame) -> dict[str, str]:
    return dict(zip(check["check"], check["detail"], strict=True))


def test_a_complete_team_passes_every_check(
    teams: tuple[Store, dict[str | None, int]],
) -> None:
    store, ids = teams
    with store.read() as conn:
        check = programme_check(conn, ids[None], TODAY)
    assert list(check.columns) == CHECK_COLUMNS
    assert check["passed"].all(), check
    assert set(check["pillar"]) == {"Prioritize", "Facilitate", "Improve"}
    details = _details(check)
    # The rep who left is not counted.
    assert details["Assessments current"] == (
        "8 of 8 reps were assessed in the last 90 days."
    )
    assert details["Retrospectives done"] == (
        "You wrote your last reflection 10 days ago."
    )
    assert summary_sentence(check).startswith("All 7 checks pass.")


@pytest.mark.parametrize(
    ("spoil", "score", "details"),
    [
        (
            "Prioritize",
            (3 / 8 + 2 / 8) / 2,
            {
                "Assessments current": "3 of 8 reps were assessed in the last 90 days.",
                "Plans with goals": "2 of 8 reps have an active plan with a goal.",
            },
        ),
        (
            "Facilitate",
            (2 / 16 + 2 / 16 + 0) / 3,
            {
                "Sessions documented": "2 of 16 sessions in the last 90 days have "
                "notes on what went well or what to change.",
                "Follow-ups kept": "2 of 16 actions due in the last 90 days were "
                "kept (open and dropped ones are not counted).",
                "Coached on cadence": "0 of 8 reps with a plan were coached on time "
                "(the plan's days between sessions, plus a week).",
            },
        ),
        (
            "Improve",
            (0 + 2 / 16) / 2,
            {
                "Retrospectives done": "Your last reflection was 100 days ago; "
                "write one at least every 45 days.",
                "Session checks filled": "2 of 16 sessions in the last 90 days have "
                "all three coach checks scored.",
            },
        ),
    ],
)
def test_the_missing_pillar_is_named_with_its_counts(
    teams: tuple[Store, dict[str | None, int]],
    spoil: str,
    score: float,
    details: dict[str, str],
) -> None:
    store, ids = teams
    with store.read() as conn:
        check = programme_check(conn, ids[spoil], TODAY)
    assert weakest_pillar(check) == spoil
    pillars = pillar_scores(check).set_index("pillar")
    assert pillars.loc[spoil, "score"] == pytest.approx(score)
    assert pillars.loc[spoil, "passed_checks"] == 0
    assert _details(check).items() >= details.items()
    # Only the spoiled pillar fails.
    assert set(check.loc[~check["passed"], "pillar"]) == {spoil}
    assert summary_sentence(check).startswith(f"Your weakest pillar is {spoil}: ")


def test_the_summary_names_the_lowest_check_with_its_target(
    teams: tuple[Store, dict[str | None, int]],
) -> None:
    store, ids = teams
    with store.read() as conn:
        check = programme_check(conn, ids["Facilitate"], TODAY)
    assert summary_sentence(check) == (
        "Your weakest pillar is Facilitate: coached on cadence is 0%, aim for 80%."
    )


def test_the_lead_sees_every_coach_added_up(
    teams: tuple[Store, dict[str | None, int]],
) -> None:
    store, ids = teams
    with store.read() as conn:
        check = programme_check(conn, None, TODAY)
        by_coach = checklist_by_coach(conn, TODAY)
    details = _details(check)
    assert details["Assessments current"] == (
        f"{8 + 3 + 8 + 8} of 32 reps were assessed in the last 90 days."
    )
    assert details["Retrospectives done"] == (
        "3 of 4 coaches wrote a reflection in the last 45 days."
    )
    assert list(by_coach.columns) == COACH_COLUMNS
    assert len(by_coach) == 4 * 3
    for spoil in ("Prioritize", "Facilitate", "Improve"):
        mine = by_coach[by_coach["coach_id"] == ids[spoil]]
        assert mine.loc[mine["score"].idxmin(), "pillar"] == spoil
        # The same numbers as the coach's own checklist.
        with store.read() as conn:
            own = pillar_scores(programme_check(conn, ids[spoil], TODAY))
        assert mine["score"].to_list() == pytest.approx(own["score"].to_list())
    complete = by_coach[by_coach["coach_id"] == ids[None]]
    assert complete["score"].to_list() == [1.0, 1.0, 1.0]


def test_an_empty_team_has_no_scores_and_says_what_is_missing(store: Store) -> None:
    with store.write() as conn:
        coach = add(conn, s.coaches, name="New Coach")
    with store.read() as conn:
        check = programme_check(conn, coach, TODAY)
        everyone = programme_check(conn, None, TODAY)
    assert len(check) == 7
    scores = check.set_index("check")["score"]
    assert scores.drop("Retrospectives done").isna().all()  # nothing to count: no 0%
    assert scores["Retrospectives done"] == 0  # the coach wrote none
    assert not check["passed"].any()
    assert check["passed"].dtype == bool
    details = _details(check)
    assert details["Assessments current"].startswith("No active reps yet")
    assert details["Sessions documented"].startswith("No finished sessions")
    assert details["Follow-ups kept"].startswith("No actions were settled")
    assert details["Coached on cadence"].startswith("No rep has an active plan")
    assert details["Retrospectives done"].startswith("No reflection written yet")
    assert weakest_pillar(check) == "Prioritize"  # a tie goes to the first pillar
    assert summary_sentence(check) == (
        "Your weakest pillar is Prioritize: assessments current has nothing to count "
        f"yet. {details['Assessments current']}"
    )
    assert "0%" not in summary_sentence(check)
    assert everyone["score"].isna().sum() == 6
    assert everyone.set_index("check").loc["Retrospectives done", "score"] == 0
    assert _details(everyone)["Retrospectives done"] == (
        "0 of 1 coach wrote a reflection in the last 45 days."
    )


def test_ties_go_to_the_earlier_pillar() -> None:
    check = pd.DataFrame(
        {
            "pillar": ["Prioritize", "Facilitate", "Facilitate", "Improve"],
            "check": ["a", "b", "c", "d"],
            "score": [0.9, 0.5, 0.6, 0.55],
            "target": 0.8,
            "passed": [True, False, False, False],
            "detail": "",
        }
    )
    assert weakest_pillar(check) == "Facilitate"
    check.loc[3, "score"] = 0.4
    assert weakest_pillar(check) == "Improve"
    check.loc[3, "score"] = 0.55
    check.loc[0, "score"] = 0.55
    assert weakest_pillar(check) == "Prioritize"


@pytest.mark.parametrize("who", [1, None])
def test_the_demo_checklist_has_the_documented_columns(
    demo_store: Store, today: dt.date, who: int | None
) -> None:
    with demo_store.read() as conn:
        check = programme_check(conn, who, today)
    assert list(check.columns) == CHECK_COLUMNS
    assert check["score"].between(0, 1).all()
    assert check["passed"].to_list() == (check["score"] >= check["target"]).to_list()
    assert all(" of " in d or "reflection" in d for d in check["detail"])
    assert weakest_pillar(check) in {"Prioritize", "Facilitate", "Improve"}


def test_dropped_actions_count_neither_as_kept_nor_as_missed(
    teams: tuple[Store, dict[str | None, int]],
) -> None:
    store, ids = teams
    coach = ids["Facilitate"]  # 2 of 16 kept
    with store.write() as conn:
        a = s.actions
        missed = sa.select(a.c.id).where(a.c.coach_id == coach, a.c.status == "missed")
        some = list(conn.execute(missed.limit(6)).scalars())
        conn.execute(
            sa.update(a).where(a.c.id.in_(some)).values(status="dropped", done_on=TODAY)
        )
        check = programme_check(conn, coach, TODAY)
    assert _details(check)["Follow-ups kept"].startswith(
        "2 of 10 actions due in the last 90 days were kept"
    )
