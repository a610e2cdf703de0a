"""The plan page a rep reads: escaped, printable, readable, with its coaching time."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from coachkit.model.goals import Goal
from coachkit.model.plans import Focus, Plan, current_plan
from coachkit.model.templates import load_session_guides
from coachkit.prioritize.planning import (
    CoachingTime,
    plan_html,
    plan_markdown,
    plan_readability,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

GUIDES = load_session_guides()


def _goal(**changes: object) -> Goal:
    goal = Goal(
        rep_id=1,
        behaviour_id=2,
        behaviour="Open with a reason that matters to the buyer",
        metric_id=3,
        metric="Share of conversations where the buyer took an action",
        kind="rate",
        unit="share",
        higher_is_better=True,
        description="Open each first call with the buyer's reason.",
        baseline=0.28,
        target=0.35,
        start_on=dt.date(2026, 6, 15),
        due_on=dt.date(2026, 7, 31),
    )
    return dataclasses.replace(goal, **changes)  # type: ignore[arg-type]


def _plan(**changes: object) -> Plan:
    plan = Plan(
        id=1,
        rep_id=1,
        rep="Ben Okafor",
        coach_id=1,
        coach="Ana Silva",
        started_on=dt.date(2026, 6, 15),
        cadence_days=8,
        notes="Start with the first two minutes of each call.\n"
        "Listen more than you talk.",
        row_version=1,
        focus=(
            Focus("Open with a reason that matters to the buyer", "guide", "prompt"),
        ),
        focus_ids=(2,),
        goals=(_goal(),),
        minutes_per_session=45,
    )
    return dataclasses.replace(plan, **changes)  # type: ignore[arg-type]


def test_the_page_says_who_what_how_and_by_when() -> None:
    page = plan_markdown(_plan(), GUIDES)
    assert page.startswith("# Coaching plan for Ben Okafor")
    assert "Coach: Ana Silva" in page
    assert "every 8 days (about 4 sessions a month, 45 minutes each)" in page
    assert "### 1. Open with a reason that matters to the buyer" in page
    assert GUIDES.style("guide").approach in page  # what the style means
    assert f"**Practice stage: Prompt.** {GUIDES.stage('prompt').description}" in page
    assert f"What you do: {GUIDES.stage('prompt').rep_does}" in page
    assert "28% → 35% by 2026-07-31" in page
    assert "Listen more than you talk." in page


def test_the_html_page_has_the_same_parts_and_prints_alone() -> None:
    page = plan_html(_plan(), GUIDES)
    assert page.startswith('<div class="coachkit-plan">')
    assert "@media print" in page
    assert "<h1>Coaching plan for Ben Okafor</h1>" in page
    assert '<td>28%</td><td>35%</td><td class="date">31 July 2026</td>' in page
    assert "Practice stage: Prompt." in page


def test_typed_html_comes_out_as_text() -> None:
    plan = _plan(
        rep="Ben <b>Okafor</b>",
        notes='<script>alert("hi")</script>\nCall & ask',
        goals=(_goal(description="<img src=x onerror=alert(1)> more calls"),),
        focus=(Focus("<i>Open</i>", "guide", "prompt"),),
    )
    page = plan_html(plan, GUIDES)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in page
    assert "Call &amp; ask" in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; more calls" in page
    assert "Ben &lt;b&gt;Okafor&lt;/b&gt;" in page
    assert "&lt;i&gt;Open&lt;/i&gt;" in page
    markdown = plan_markdown(plan, GUIDES)
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "<img" not in markdown


def test_a_plan_without_goals_or_notes_says_so() -> None:
    plan = _plan(goals=(), notes="", minutes_per_session=None)
    page = plan_markdown(plan, GUIDES)
    assert "No goals set yet." in page
    assert "## Notes" not in page
    assert "(about 4 sessions a month)." in page
    assert "No goals set yet." in plan_html(plan, GUIDES)


def test_plain_plans_pass_the_readability_check() -> None:
    r = plan_readability(_plan())
    assert r.ok
    assert r.label().endswith("easy to read")


def test_wordy_plans_are_flagged() -> None:
    notes = (
        "Systematically operationalize comprehensive stakeholder engagement "
        "methodologies, prioritizing organizational alignment considerations "
        "across heterogeneous procurement committees"
    )
    r = plan_readability(_plan(notes=notes))
    assert not r.ok
    assert r.label().endswith("hard to read; aim for grade 10 or below")


def test_readability_counts_only_the_plans_own_words() -> None:
    assert plan_readability(_plan(goals=(), notes="Call Sam.")).label() == (
        "Too short to score"
    )


@pytest.mark.parametrize(
    ("sessions", "minutes", "on_target", "note"),
    [
        (
            4,
            45,
            True,
            "4 sessions of 45 minutes is 3 hours a month, in line with the 3 hours "
            "per rep that research points to.",
        ),
        (
            2,
            30,
            False,
            "2 sessions of 30 minutes is 1 hour a month, less than the 3 hours per "
            "rep that research points to. Add a session or make them longer if you "
            "can.",
        ),
        (
            1,
            90,
            False,
            "1 session of 90 minutes is 1.5 hours a month, less than the 3 hours per "
            "rep that research points to. Add a session or make them longer if you "
            "can.",
        ),
        (
            8,
            60,
            False,
            "8 sessions of 60 minutes is 8 hours a month, more than the 3 hours per "
            "rep that research points to. Check that you have this time for every "
            "rep on your team.",
        ),
        (5, 30, True, None),
        (6, 40, True, None),
    ],
)
def test_coaching_time_against_three_hours_a_month(
    sessions: int, minutes: int, on_target: bool, note: str | None
) -> None:
    time = CoachingTime.of(sessions, minutes)
    assert time.minutes_per_month == sessions * minutes
    assert time.on_target is on_target
    if note is not None:
        assert time.note() == note


def test_a_demo_plan_renders(demo_store: Store) -> None:
    with demo_store.read() as conn:
        rep = conn.execute(
            sa.select(s.plans.c.rep_id).where(s.plans.c.status == "active").limit(1)
        ).scalar_one()
        plan = current_plan(conn, rep)
    assert plan is not None
    assert plan.goals
    page = plan_html(plan, GUIDES)
    assert plan.goals[0].show(plan.goals[0].target) in page
    assert plan_readability(plan).grade is not None


def test_a_typed_link_in_plan_notes_stays_text_in_markdown() -> None:
    plan = _plan(notes="See [my notes](javascript:alert(1)) and ![x](http://x/y.png)")
    markdown = plan_markdown(plan, GUIDES)
    assert "](javascript:" not in markdown.replace("\\]", "")
    assert "\\[my notes\\](javascript:alert(1))" in markdown
    assert "!\\[x\\]" in markdown


def test_a_judged_goal_says_how_in_words_not_its_stored_status() -> None:
    missed = _goal(status="missed", closed_value=0.31)
    met = _goal(status="met", closed_on=dt.date(2026, 7, 20), closed_value=0.36, id=9)
    plan = _plan(goals=(missed, met))
    page = plan_markdown(plan, GUIDES)
    html_page = plan_html(plan, GUIDES)
    said = "Missed: 31% on its due date, 31 July 2026; target 35%"
    assert f"*{said}*" in page
    assert f"<em>({said})</em>" in html_page
    assert "Met: 36% on 20 July 2026; target 35%" in html_page
    assert "<em>(missed)</em>" not in html_page
