"""The Prioritize workbook in-process: drive its widgets, check the store."""

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.apps.prioritize import Prioritize
from coachkit.model.plans import current_plan
from coachkit.prioritize import tables as prioritize
from coachkit.prioritize.ranking import Weights, rank
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _first_coach(store: Store) -> int:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])


def _lead(store: Store) -> int:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())


@pytest.fixture
def app(demo_store: Store, today: dt.date) -> Prioritize:
    return Prioritize(
        db=demo_store.location, coach=_first_coach(demo_store), today=today
    )


def _tab(app: Prioritize, title: str):  # noqa: ANN202
    """Open the tab, as a coach does: a tab is drawn when it is opened."""
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def test_assess_every_behaviour_then_rank_then_plan(
    app: Prioritize, demo_store: Store, today: dt.date
) -> None:
    rep = int(app.state.roster["rep_id"].iloc[3])
    app.rep_picker.value = rep
    assert app.state.rep_id == rep

    assess = _tab(app, "Assess")
    form = app.state.rep_form
    for i, row in enumerate(assess.rows):
        row.skill.value = 2 if i < 2 else 4
        row.will.value = 4
    assess.rows[0].evidence.value = "<b>bold</b> & more"
    changed = sum(
        i == 0 or (old.coach_skill, old.coach_will) != (2 if i < 2 else 4, 4)
        for i, old in enumerate(form.itertuples())
    )
    assess.save.click()
    name = app.state.roster.set_index("rep_id").loc[rep, "rep"]
    plural = "rating" if changed == 1 else "ratings"
    assert app.state.message == f"Saved {changed} {plural} for {name}."
    assert f"Saved {changed} {plural} for {name}." in assess.save_msg.value
    with demo_store.read() as conn:
        saved = (
            conn.execute(
                sa.select(schema.assessments.c.skill).where(
                    schema.assessments.c.rep_id == rep,
                    schema.assessments.c.assessed_on == today,
                    schema.assessments.c.source == "coach",
                )
            )
            .scalars()
            .all()
        )
    assert len(saved) == changed
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in assess.history.value

    before = list(
        zip(app.state.ranking["rep"], app.state.ranking["behaviour"], strict=True)
    )
    priorities = _tab(app, "Priorities")
    priorities.sliders["gap"].value = 3.0
    priorities.sliders["recency"].value = 0.0
    after = list(
        zip(app.state.ranking["rep"], app.state.ranking["behaviour"], strict=True)
    )
    assert before != after
    s = app.state
    expected = rank(
        s.gaps, s.performance, s.last_coached, Weights(gap=3, recency=0), today
    )
    pd.testing.assert_frame_equal(s.ranking, expected)
    assert str(s.ranking["rep"].iloc[0]) in priorities.table.value

    plan_tab = _tab(app, "Plan")
    plan_tab.use.click()
    suggested = s.ranking[(s.ranking["rep_id"] == rep) & s.ranking["suggested"]]
    first = plan_tab.rows[0]
    assert first.behaviour.value == int(suggested["behaviour_id"].iloc[0])
    assert first.style.value == "guide"  # skill 2, will 4: keen but still learning
    assert first.stage.value == "demonstrate"
    first.goal.value = "Research every account before the first call"
    first.target.value = "99%" if first.metric.value else ""
    if not first.metric.value:
        first.goal.value = ""
    first.due.value = today + dt.timedelta(days=45)
    plan_tab.notes.value = "We meet every week. Bring one call to review."
    chosen = first.behaviour.value
    plan_tab.save.click()
    assert "Saved the plan" in s.message, s.message
    with demo_store.read() as conn:
        plan = current_plan(conn, rep)
    assert plan is not None
    assert plan.focus_ids[0] == chosen
    assert first.behaviour.value is None  # the form is ready for the next plan
    assert "Bring one call to review" in plan_tab.current.value
    assert "Readability" in plan_tab.current.value


def test_rep_form_messages_name_the_field(app: Prioritize, demo_store: Store) -> None:
    team_tab = _tab(app, "Team")
    reps = _count(demo_store, schema.reps)
    team_tab.new_name.value = "   "
    team_tab.add.click()
    assert app.state.level == "error"
    assert app.state.message.startswith("Name:")
    existing = str(app.state.roster["rep"].iloc[0])
    team_tab.new_name.value = existing.upper()
    team_tab.add.click()
    assert app.state.message.startswith("Name:")
    assert "already" in app.state.message
    assert _count(demo_store, schema.reps) == reps

    team_tab.new_name.value = "Zoe <i>Quinn</i>"
    team_tab.add.click()
    assert app.state.level == "ok"
    assert "Zoe &lt;i&gt;Quinn&lt;/i&gt;" in team_tab.table.value
    assert _count(demo_store, schema.reps) == reps + 1


def test_deactivating_keeps_history_and_hides_the_rep(
    app: Prioritize, demo_store: Store
) -> None:
    team_tab = _tab(app, "Team")
    rep = int(app.state.roster["rep_id"].iloc[0])
    app.rep_picker.value = rep
    sessions = _count(demo_store, schema.sessions)
    team_tab.deactivate.click()
    assert "inactive" in app.state.message
    assert rep not in set(app.state.roster["rep_id"])
    assert _count(demo_store, schema.sessions) == sessions
    team_tab.former.value = rep
    team_tab.reactivate.click()
    assert rep in set(app.state.roster["rep_id"])


def test_assessment_with_skill_but_no_will_names_the_behaviour(
    app: Prioritize, demo_store: Store
) -> None:
    assess = _tab(app, "Assess")
    for row in assess.rows:
        row.skill.value = row.will.value = None
    assess.rows[1].skill.value = 3
    before = _count(demo_store, schema.assessments)
    assess.save.click()
    name = str(app.state.rep_form["behaviour"].iloc[1])
    problem = f"{name} — will: pick a score from 1 to 5"
    assert app.state.message == f"{problem}. Nothing was saved."
    assert problem in assess.rows[1].will_msg.value
    assert assess.rows[1].skill_msg.value == ""
    assert _count(demo_store, schema.assessments) == before


@pytest.mark.parametrize(
    ("target", "due", "message"),
    [
        ("lots", "+30", "Target: type a number"),
        ("99%", "-1", "Due date: pick a day after today"),
        ("99%", "", "Due date: pick the day the goal is due"),
    ],
)
def test_goal_field_messages(
    app: Prioritize,
    demo_store: Store,
    today: dt.date,
    target: str,
    due: str,
    message: str,
) -> None:
    plan_tab = _tab(app, "Plan")
    row = plan_tab.rows[0]
    row.behaviour.value = int(app.state.framework["behaviour_id"].iloc[0])
    row.goal.value = "Research the account"
    row.target.value = target
    days = due.lstrip("+-")
    # The due date is a date picker: a day, or nothing picked.
    row.due.value = today + dt.timedelta(days=int(due)) if days.isdigit() else None
    plans = _count(demo_store, schema.plans)
    plan_tab.save.click()
    assert app.state.level == "error"
    assert app.state.message.startswith(message), app.state.message
    assert _count(demo_store, schema.plans) == plans


def test_plan_needs_a_focus(app: Prioritize) -> None:
    plan_tab = _tab(app, "Plan")
    assert plan_tab.rows[0].behaviour.value is None  # nothing picked yet
    plan_tab.save.click()
    assert app.state.message.startswith("Focus:")


def test_only_a_lead_edits_the_framework(app: Prioritize, demo_store: Store) -> None:
    framework_tab = _tab(app, "Framework")
    assert framework_tab.editor.layout.display == "none"
    app.shell.coach_picker.value = _lead(demo_store)
    assert framework_tab.editor.layout.display is None

    key, box = next(iter(framework_tab._weight_inputs.items()))
    box.value = 0.9
    framework_tab.save_weights.click()
    assert "Saved the objective weights" in app.state.message
    frame = prioritize.framework(demo_store)
    assert frame[frame["objective_key"] == key]["weight"].iloc[0] == pytest.approx(0.9)

    framework_tab.rubric_level.value = 3
    framework_tab.rubric_text.value = "Looks up the account's news before calling."
    framework_tab.save_level.click()
    assert "version 2" in app.state.message
    assert "news before calling" in framework_tab.table.value


def test_analyst_functions_match_the_workbook(
    app: Prioritize, demo_store: Store
) -> None:
    coach = app.state.coach_id
    gaps = prioritize.skill_gaps(demo_store, coach)
    pd.testing.assert_frame_equal(gaps, app.state.gaps)
    ranked = prioritize.ranking(demo_store, coach, today=app.today)
    pd.testing.assert_frame_equal(ranked, app.state.ranking)
    styles = prioritize.styles(demo_store, coach)
    rated = styles[styles["skill"].notna() & styles["will"].notna()]
    assert set(rated["style"]) <= {"direct", "guide", "excite", "delegate"}


def test_the_plan_downloads_as_a_page_to_print_and_as_markdown(
    app: Prioritize, demo_store: Store, today: dt.date
) -> None:
    import base64
    import re

    with demo_store.read() as conn:
        plans = conn.execute(
            sa.select(schema.plans.c.rep_id).where(
                schema.plans.c.coach_id == app.state.coach_id,
                schema.plans.c.status == "active",
            )
        ).all()
    rep = int(plans[0][0])
    app.rep_picker.value = rep
    plan = _tab(app, "Plan")
    box = plan.download.children[1]
    html_button, markdown_button, link = box.children
    html_button.click()
    found = re.search(r"href='data:text/html;base64,([^']+)'", link.value)
    assert found, link.value
    page = base64.b64decode(found.group(1)).decode()
    name = app.state.roster.set_index("rep_id").loc[rep, "rep"]
    assert name in page
    assert "@media print" in page
    markdown_button.click()
    assert "coaching-plan" in link.value
    assert re.search(r"href='data:(text/markdown|application/zip);base64,", link.value)


def test_a_plan_saved_without_a_change_writes_nothing_and_says_so(
    app: Prioritize, demo_store: Store
) -> None:
    with demo_store.read() as conn:
        rep = conn.execute(
            sa.select(schema.plans.c.rep_id).where(
                schema.plans.c.status == "active",
                schema.plans.c.coach_id == app.state.coach_id,
            )
        ).scalar()
    app.rep_picker.value = rep
    plan_tab = _tab(app, "Plan")
    plans, goals = _count(demo_store, schema.plans), _count(demo_store, schema.goals)
    plan_tab.edit.click()
    plan_tab.notes.value = plan_tab.notes.value + "  "  # spaces are no change
    plan_tab.save.click()
    assert "Nothing was saved" in plan_tab.save_message.value
    assert (_count(demo_store, schema.plans), _count(demo_store, schema.goals)) == (
        plans,
        goals,
    )
    plan_tab.notes.value = "Meet on Mondays."
    plan_tab.save.click()
    assert "Saved the plan" in plan_tab.save_message.value
    assert _count(demo_store, schema.plans) == plans + 1  # the old one kept as history


def test_the_plan_form_shows_every_problem_at_once_beside_its_field(
    app: Prioritize, demo_store: Store, today: dt.date
) -> None:
    plan_tab = _tab(app, "Plan")
    behaviours = [int(b) for b in app.state.framework["behaviour_id"].iloc[:2]]
    first, second = plan_tab.rows
    for row, behaviour in zip(plan_tab.rows, behaviours, strict=True):
        row.behaviour.value = behaviour
        row.goal.value = "Ask about budget on every call"
    first.target.value = "lots"  # not a number
    second.target.value = "50%"
    second.due.value = today - dt.timedelta(days=1)  # in the past
    plans = _count(demo_store, schema.plans)
    plan_tab.save.click()
    assert "Target (goal 1): type a number" in first.goal_message.value
    assert "Due date (goal 2): pick a day after today" in second.goal_message.value
    assert "2 things to fix" in plan_tab.save_message.value
    assert app.state.level == "error"
    assert _count(demo_store, schema.plans) == plans
