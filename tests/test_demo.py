"""The demo team: the right size, repeatable, consistent and worth looking at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.demo import LEAD_NAME, DemoSummary, build_demo, clear_team_data
from coachkit.errors import CoachkitError
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

TODAY = dt.date(2026, 6, 15)

Query = Callable[[str], pd.DataFrame]


def _frame(store: Store, sql: str) -> pd.DataFrame:
    with store.read() as conn:
        result = conn.execute(sa.text(sql))
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _metric_table(store: Store) -> list[tuple[object, ...]]:
    v = s.metric_values
    query = sa.select(
        v.c.coach_id, v.c.rep_id, v.c.metric_id, v.c.observed_on, v.c.value
    ).order_by(v.c.id)
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Store, DemoSummary]]:
    """The default demo, built once for the read-only tests below."""
    store = open_store(tmp_path_factory.mktemp("demo") / "store.db")
    summary = build_demo(store, today=TODAY)
    yield store, summary
    store.dispose()


@pytest.fixture(scope="module")
def sql(demo: tuple[Store, DemoSummary]) -> Query:
    """Run a query on the default demo; its rows as a DataFrame."""
    store, _ = demo
    return lambda query: _frame(store, query)


@pytest.fixture(scope="module")
def summary(demo: tuple[Store, DemoSummary]) -> DemoSummary:
    """What building the default demo reported."""
    return demo[1]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "store.db")
    yield store
    store.dispose()


def test_default_demo_has_two_teams_of_ten_and_a_lead(
    sql: Query, summary: DemoSummary
) -> None:
    coaches = sql(
        "select c.name, c.role, count(r.id) as reps from coaches c "
        "left join reps r on r.coach_id = c.id group by c.id order by c.id",
    )
    assert coaches["role"].tolist() == ["coach", "coach", "lead"]
    assert coaches["reps"].tolist() == [10, 10, 0]
    assert coaches["name"].iloc[-1] == LEAD_NAME
    assert (summary.coaches, summary.reps) == (2, 20)
    rep_names = sql("select coach_id, name from reps")
    assert not rep_names.duplicated().any()
    inactive = sql("select count(*) as n from reps where not active")
    assert 0 <= inactive["n"].iloc[0] < 5


def test_summary_counts_match_the_tables(demo: tuple[Store, DemoSummary]) -> None:
    store, summary = demo
    assert summary.metric_values == _count(store, s.metric_values)
    assert summary.assessments == _count(store, s.assessments)
    assert summary.sessions == _count(store, s.sessions)
    assert summary.observations == _count(store, s.observations)
    assert summary.actions == _count(store, s.actions)
    assert summary.goals == _count(store, s.goals)
    assert summary.plans == _count(store, s.plans)
    assert summary.last_day == TODAY


def test_nine_months_of_weekly_numbers_on_mondays(
    sql: Query, summary: DemoSummary
) -> None:
    days = sql(
        "select distinct v.observed_on as day from metric_values v "
        "join metrics m on m.id = v.metric_id where m.key = 'conversations'",
    )
    weeks = pd.to_datetime(days["day"])
    assert 38 <= len(weeks) <= 40
    assert (weeks.dt.day_of_week == 0).all()
    assert weeks.min().date() == summary.first_day
    assert dt.date(2025, 9, 15) <= summary.first_day <= dt.date(2025, 9, 21)
    assert weeks.max().date() < TODAY  # only weeks that have ended


def test_rates_are_not_stored_and_monthly_numbers_sit_on_first_mondays(
    sql: Query,
) -> None:
    kinds = sql(
        "select m.kind, m.unit, m.key, v.observed_on from metric_values v "
        "join metrics m on m.id = v.metric_id",
    )
    assert "rate" not in set(kinds["kind"])
    monthly = kinds[kinds["unit"].str.contains("month") | (kinds["kind"] == "percent")]
    days = pd.to_datetime(monthly["observed_on"])
    assert not monthly.empty
    assert (days.dt.day <= 7).all()
    assert (days.dt.day_of_week == 0).all()
    quota = kinds[kinds["key"] == "quota_attainment"]
    assert quota.groupby("observed_on").size().max() <= 20


def test_every_team_row_belongs_to_its_reps_coach(sql: Query) -> None:
    for table in s.TEAM_TABLES:
        if "rep_id" not in table.c:
            continue
        bad = sql(
            f"select count(*) as n from {table.name} t "
            "join reps r on r.id = t.rep_id where t.coach_id != r.coach_id",
        )
        assert bad["n"].iloc[0] == 0, table.name
    for child, parent, key in (
        ("plan_focus", "plans", "plan_id"),
        ("session_focus", "sessions", "session_id"),
        ("observations", "sessions", "session_id"),
        ("actions", "sessions", "session_id"),
    ):
        bad = sql(
            f"select count(*) as n from {child} c join {parent} p on p.id = c.{key} "
            "where c.coach_id != p.coach_id",
        )
        assert bad["n"].iloc[0] == 0, child


def test_strong_and_struggling_reps_convert_differently(sql: Query) -> None:
    per_rep = sql(
        "select v.rep_id, "
        "sum(case when m.key = 'buyer_action_conversations' then v.value end) as acted,"
        " sum(case when m.key = 'conversations' then v.value end) as talks "
        "from metric_values v join metrics m on m.id = v.metric_id group by v.rep_id",
    )
    skill = sql(
        "select rep_id, avg(skill) as skill from assessments "
        "where source = 'coach' group by rep_id",
    )
    both = per_rep.merge(skill, on="rep_id")
    both["rate"] = both["acted"] / both["talks"]
    assert both["rate"].max() - both["rate"].min() > 0.12
    assert both["rate"].corr(both["skill"]) > 0.5


def test_coaching_moved_some_skills_and_not_others(sql: Query) -> None:
    change = sql(
        "select rep_id, behaviour_id, max(skill) - min(skill) as rise, "
        "count(*) as times from assessments where source = 'coach' "
        "group by rep_id, behaviour_id having count(*) > 1",
    )
    assert (change["rise"] > 0).any()
    assert (change["rise"] == 0).any()
    goals = set(sql("select status from goals")["status"])
    assert {"open", "met", "missed"} <= goals


def test_plans_use_styles_from_the_skill_will_matrix(sql: Query) -> None:
    focus = sql(
        "select f.style, f.stage, a.skill, a.will from plan_focus f "
        "join plans p on p.id = f.plan_id join assessments a "
        "on a.rep_id = p.rep_id and a.behaviour_id = f.behaviour_id "
        "and a.source = 'coach' and a.assessed_on = "
        "(select min(assessed_on) from assessments x where x.rep_id = p.rep_id)",
    )
    low = focus["skill"] <= 3
    keen = focus["will"] >= 4
    expected = pd.Series("direct", index=focus.index)
    expected[low & keen] = "guide"
    expected[~low & keen] = "delegate"
    expected[~low & ~keen] = "excite"
    assert (focus["style"] == expected).all()
    assert len(set(focus["style"])) >= 3
    plans = sql("select count(*) as n from plans")["n"].iloc[0]
    assert plans < 20  # someone needs a performance talk, not a plan


def test_actions_are_kept_missed_and_some_left_overdue(sql: Query) -> None:
    actions = sql("select status, due_on, done_on from actions")
    assert {"kept", "missed", "open"} <= set(actions["status"])
    assert actions.loc[actions["status"] == "kept", "done_on"].notna().all()
    assert actions.loc[actions["status"] != "kept", "done_on"].isna().all()
    due = pd.to_datetime(actions["due_on"]).dt.date
    overdue = (actions["status"] == "open") & (due < TODAY)
    assert overdue.any()


def test_one_draft_session_and_a_note_with_html_in_it(sql: Query) -> None:
    drafts = sql(
        "select s.coach_id, s.held_on, s.rep_id from sessions s "
        "where s.status = 'draft'",
    )
    assert len(drafts) == 1
    first_coach = sql("select min(id) as id from coaches")["id"].iloc[0]
    assert drafts["coach_id"].iloc[0] == first_coach
    notes = sql("select rep_view from sessions where rep_view like '%<b>%'")
    assert notes["rep_view"].tolist() == [
        '<b>Pricing</b> call went well & buyer said "yes"'
    ]


def test_sessions_are_done_in_the_past_with_observations(sql: Query) -> None:
    done = sql(
        "select s.id, s.held_on, s.duration_minutes, count(o.id) as seen "
        "from sessions s left join observations o on o.session_id = s.id "
        "where s.status = 'done' group by s.id",
    )
    assert len(done) > 50
    assert (pd.to_datetime(done["held_on"]).dt.date < TODAY).all()
    assert done["duration_minutes"].between(20, 60).all()
    assert done["seen"].between(2, 6).all()


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    tables = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        store = open_store(tmp_path / f"{name}.db")
        build_demo(store, coaches=1, reps=5, months=3, seed=seed, today=TODAY)
        tables.append(_metric_table(store))
        store.dispose()
    assert len(tables[0]) > 100
    assert tables[0] == tables[1]
    assert tables[0] != tables[2]


def test_refuses_a_store_that_already_has_coaches(
    demo: tuple[Store, DemoSummary],
) -> None:
    store, summary = demo
    with pytest.raises(CoachkitError, match="already has coaches.*--replace"):
        build_demo(store, today=TODAY)
    assert _count(store, s.reps) == summary.reps


def test_clear_team_data_then_build_again(fresh: Store) -> None:
    first = build_demo(fresh, coaches=1, reps=4, months=2, today=TODAY)
    with fresh.write() as conn:
        clear_team_data(conn)
    for table in (*s.TEAM_TABLES, s.coaches):
        assert _count(fresh, table) == 0, table.name
    assert _count(fresh, s.behaviours) > 0  # the framework stays
    again = build_demo(fresh, coaches=1, reps=4, months=2, today=TODAY)
    assert again == first


def test_a_small_scaled_run(fresh: Store) -> None:
    summary = build_demo(fresh, coaches=3, reps=4, months=2, today=TODAY)
    assert (summary.coaches, summary.reps) == (3, 12)
    assert _count(fresh, s.reps) == 12
    assert _count(fresh, s.coaches) == 4
    assert summary.metric_values > 12 * 6 * 4


def test_refuses_an_empty_team(fresh: Store) -> None:
    with pytest.raises(CoachkitError, match="at least 1 coach"):
        build_demo(fresh, coaches=0, today=TODAY)
