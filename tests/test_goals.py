"""Goals: every field message, targets as typed, and baselines from the data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.goals import (
    GoalDraft,
    baseline_for,
    format_value,
    judgement,
    metrics_for_behaviour,
    set_goal_status,
    validate_goal,
)
from coachkit.model.typed import parse_target, target_example, target_text
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.store.versions import ConflictError

TODAY = dt.date(2026, 6, 15)


def _id(conn: Connection, table: sa.Table, key: str) -> int:
    return int(
        conn.execute(sa.select(table.c.id).where(table.c.key == key)).scalar_one()
    )


@pytest.fixture(scope="module")
def team_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with the framework, one coach and one rep (no numbers yet)."""
    from coachkit.model.framework import prepare_store

    store = prepare_store(str(tmp_path_factory.mktemp("goals") / "store.db"))
    with store.write() as c:
        coach = c.execute(
            s.coaches.insert().values(name="Ana Silva").returning(s.coaches.c.id)
        ).scalar_one()
        c.execute(s.reps.insert().values(coach_id=coach, name="Ben Okafor"))
    yield store
    store.dispose()


@pytest.fixture
def conn(team_store: Store) -> Iterator[Connection]:
    """A connection whose changes are rolled back after the test."""
    with team_store.engine.connect() as c:
        transaction = c.begin()
        yield c
        transaction.rollback()


def _draft(conn: Connection, **changes: object) -> GoalDraft:
    rep = conn.execute(sa.select(s.reps.c.id).order_by(s.reps.c.id)).scalars().first()
    assert rep is not None
    draft = GoalDraft(
        rep_id=rep,
        behaviour_id=_id(conn, s.behaviours, "open_with_buyer_reason"),
        metric_id=_id(conn, s.metrics, "buyer_action_rate"),
        description="Open every first call with a reason that matters to the buyer.",
        target="35%",
        due_on="2026-08-31",
    )
    return dataclasses.replace(draft, **changes)  # type: ignore[arg-type]


def test_a_good_goal_comes_back_ready_to_save(conn: Connection) -> None:
    goal = validate_goal(conn, _draft(conn, description="  Ask   why now.  "), TODAY)
    assert goal.description == "Ask why now."
    assert goal.target == 0.35
    assert goal.due_on == dt.date(2026, 8, 31)
    assert goal.start_on == TODAY
    assert goal.baseline is None  # a new rep has no numbers yet
    assert goal.metric == "Share of conversations where the buyer took an action"
    assert goal.behaviour
    assert goal.status == "open"
    assert goal.summary() == "35% by 2026-08-31"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "Goal: say what the rep will do"),
        ({"description": "   \n "}, "Goal: say what the rep will do"),
        ({"target": "lots"}, "Target: type a number, like 35 or 0.3"),
        ({"target": ""}, "Target: type a number, like 35 or 0.3"),
        ({"target": "nan"}, "Target: type a number, like 35 or 0.3"),
        ({"target": "-5"}, "Target: type a number of 0 or more"),
        ({"target": "150%"}, "Target: a share cannot be more than 100%"),
        ({"due_on": "31/08/2026"}, "Due date: use the form 2026-07-31"),
        ({"due_on": ""}, "Due date: pick the day the goal is due"),
        ({"due_on": "2026-02-30"}, "Due date: use the form 2026-07-31"),
        ({"due_on": "2026-06-15"}, "Due date: pick a day after today"),
        ({"due_on": dt.date(2026, 1, 5)}, "Due date: pick a day after today"),
        ({"rep_id": 999}, "Rep: pick a rep from the list"),
        ({"behaviour_id": 999}, "Behaviour: pick a behaviour from the framework"),
        ({"metric_id": 999}, "Metric: pick one of the numbers listed"),
        ({"metric_id": None}, "Metric: pick the number that will show progress"),
        (
            {"baseline": 0.4},
            "Target: aim above the rep's current level of 40%; "
            "for this number, higher is better",
        ),
        (
            {"baseline": 0.35},
            "Target: aim above the rep's current level of 35%; "
            "for this number, higher is better",
        ),
    ],
)
def test_each_field_gets_a_plain_message(
    conn: Connection, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        validate_goal(conn, _draft(conn, **changes), TODAY)
    assert str(err.value) == message


def test_a_metric_that_does_not_show_the_behaviour_is_refused(
    conn: Connection,
) -> None:
    quota = _id(conn, s.metrics, "quota_attainment")
    with pytest.raises(ValidationError) as err:
        validate_goal(conn, _draft(conn, metric_id=quota), TODAY)
    assert err.value.field == "Metric"
    assert "'Quota attainment' does not show" in err.value.problem


def test_a_count_target_with_percent_is_refused(conn: Connection) -> None:
    conversations = _id(conn, s.metrics, "conversations")
    with pytest.raises(ValidationError) as err:
        validate_goal(conn, _draft(conn, metric_id=conversations), TODAY)
    assert str(err.value) == (
        "Target: this number is a count, not a share; type it without %"
    )


def test_for_a_lower_is_better_metric_the_target_must_be_lower(
    conn: Connection,
) -> None:
    metric = conn.execute(
        s.metrics.insert()
        .values(
            key="days_to_reply",
            name="Days to reply",
            unit="days",
            kind="count",
            higher_is_better=False,
        )
        .returning(s.metrics.c.id)
    ).scalar_one()
    behaviour = _id(conn, s.behaviours, "open_with_buyer_reason")
    conn.execute(
        s.behaviour_metrics.insert().values(behaviour_id=behaviour, metric_id=metric)
    )
    draft = _draft(conn, metric_id=metric, baseline=3.0)
    with pytest.raises(ValidationError) as err:
        validate_goal(conn, dataclasses.replace(draft, target="4"), TODAY)
    assert str(err.value) == (
        "Target: aim below the rep's current level of 3 days; "
        "for this number, lower is better"
    )
    assert validate_goal(conn, dataclasses.replace(draft, target=2), TODAY).target == 2


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("35", "rate", 0.35),
        ("35%", "rate", 0.35),
        ("30 %", "rate", 0.30),
        ("0.3", "rate", 0.3),
        (0.3, "rate", 0.3),
        ("1", "rate", 1.0),
        ("35", "count", 35.0),
        ("35.5", "count", 35.5),
        (12, "count", 12.0),
        ("50,000", "count", 50_000.0),
        ("$45,000", "count", 45_000.0),
        ("1.1", "percent", 1.1),
        ("110%", "percent", 1.1),
        ("90", "percent", 0.9),
    ],
)
def test_targets_as_people_type_them(raw: str | float, kind: str, value: float) -> None:
    assert parse_target(raw, kind) == pytest.approx(value)


@pytest.mark.parametrize(
    ("value", "kind", "unit", "shown"),
    [
        (0.3, "rate", "share", "30%"),
        (0.285, "rate", "share", "28.5%"),
        (0.87, "percent", "share of quota", "87%"),
        (25.0, "count", "per week", "25 per week"),
        (4.7, "count", "per month", "4.7 per month"),
        (45000.0, "count", "dollars", "45,000 dollars"),
        (None, "rate", "share", "not known"),
    ],
)
def test_values_are_shown_in_plain_form(
    value: float | None, kind: str, unit: str, shown: str
) -> None:
    assert format_value(value, kind, unit) == shown


def test_the_metrics_of_a_behaviour_list_rates_first(conn: Connection) -> None:
    behaviour = _id(conn, s.behaviours, "open_with_buyer_reason")
    frame = metrics_for_behaviour(conn, behaviour)
    assert list(frame["key"])[0] == "buyer_action_rate"
    assert set(frame["key"]) == {
        "buyer_action_rate",
        "conversations",
        "buyer_action_conversations",
    }
    assert {"metric_id", "name", "unit", "kind", "higher_is_better"} <= set(
        frame.columns
    )


def test_a_rep_without_numbers_has_no_baseline(conn: Connection) -> None:
    rep = conn.execute(sa.select(s.reps.c.id)).scalar_one()
    assert baseline_for(conn, rep, "buyer_action_rate", TODAY) is None
    assert baseline_for(conn, rep, "conversations", TODAY) is None
    with pytest.raises(ValidationError, match="Metric: there is no metric 'nope'"):
        baseline_for(conn, rep, "nope", TODAY)
    # Beyond 64 bits: no metric's id, and more than SQLite can look up.
    with pytest.raises(ValidationError, match="Metric: there is no metric '9223"):
        baseline_for(conn, rep, 2**63, TODAY)


def _values(conn: Connection, rep: int, key: str, since: dt.date) -> list[float]:
    mv = s.metric_values
    return list(
        conn.execute(
            sa.select(mv.c.value).where(
                mv.c.rep_id == rep,
                mv.c.metric_id == _id(conn, s.metrics, key),
                mv.c.observed_on >= since,
                mv.c.observed_on <= TODAY,
            )
        ).scalars()
    )


def test_baselines_on_the_demo_team(demo_store: Store, today: dt.date) -> None:
    eight_weeks = today - dt.timedelta(days=55)
    three_months = dt.date(2026, 3, 1)
    with demo_store.read() as conn:
        rep = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.active.is_(True)).limit(1)
        ).scalar_one()
        rate = baseline_for(conn, rep, "buyer_action_rate", today)
        conversations = _values(conn, rep, "conversations", eight_weeks)
        actions = _values(conn, rep, "buyer_action_conversations", eight_weeks)
        per_week = baseline_for(conn, rep, "conversations", today)
        quota = baseline_for(conn, rep, "quota_attainment", today)
        quota_months = _values(conn, rep, "quota_attainment", three_months)
        opportunities = baseline_for(conn, rep, "opportunities", today)
        opportunity_months = _values(conn, rep, "opportunities", three_months)
    assert rate is not None
    assert 0 < rate < 1
    assert rate == round(sum(actions) / sum(conversations), 3)
    assert per_week == round(sum(conversations) / len(conversations), 1)
    assert 4 <= len(conversations) <= 8  # weekly: the weeks with values in 8
    assert len(quota_months) == 3  # monthly: March, April and May
    assert quota == round(sum(quota_months) / 3, 3)
    assert opportunities == round(sum(opportunity_months) / 3, 1)


def test_an_empty_baseline_is_filled_from_the_data(
    demo_store: Store, today: dt.date
) -> None:
    with demo_store.read() as conn:
        rep = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.active.is_(True)).limit(1)
        ).scalar_one()
        now = baseline_for(conn, rep, "buyer_action_rate", today)
        assert now is not None
        draft = dataclasses.replace(
            _draft(conn), rep_id=rep, target=round(now + 0.05, 3)
        )
        goal = validate_goal(conn, draft, today)
    assert goal.baseline == now
    assert goal.target == round(now + 0.05, 3)


def test_ids_taken_straight_from_a_table_work(conn: Connection) -> None:
    behaviour = _id(conn, s.behaviours, "open_with_buyer_reason")
    frame = metrics_for_behaviour(conn, behaviour)
    metric_id = frame["metric_id"].iloc[0]  # a numpy integer, as a widget hands it
    assert not isinstance(metric_id, int)
    draft = _draft(conn, metric_id=metric_id, rep_id=frame["metric_id"].dtype.type(1))
    goal = validate_goal(conn, draft, TODAY)
    assert goal.metric_id == int(metric_id)
    assert type(goal.rep_id) is int
    assert baseline_for(conn, draft.rep_id, metric_id, TODAY) is None


# --- judging a goal: met, missed, dropped, or open again -----------------------


def _open_goal(conn: Connection) -> sa.Row:
    g = s.goals
    return conn.execute(
        sa.select(g)
        .where(g.c.status == "open", g.c.metric_id.is_not(None))
        .order_by(g.c.id)
        .limit(1)
    ).one()


def _goal(conn: Connection, goal_id: int) -> sa.Row:
    return conn.execute(sa.select(s.goals).where(s.goals.c.id == goal_id)).one()


def test_a_judged_goal_keeps_its_day_note_and_value_then(demo_store: Store) -> None:
    judged_on = dt.date(2026, 6, 1)
    with demo_store.write() as conn:
        goal = _open_goal(conn)
        version = set_goal_status(
            conn,
            goal.id,
            "missed",
            TODAY,
            on="2026-06-01",
            note="  Two   big deals slipped ",
            expected_version=goal.row_version,
        )
        row = _goal(conn, goal.id)
        value_then = baseline_for(conn, goal.rep_id, goal.metric_id, judged_on)
    assert version == goal.row_version + 1 == row.row_version
    assert (row.status, row.closed_on, row.note) == (
        "missed",
        judged_on,
        "Two big deals slipped",
    )
    assert value_then is not None
    assert row.closed_value == pytest.approx(value_then)


def test_met_dropped_and_back_to_open(demo_store: Store) -> None:
    with demo_store.write() as conn:
        goal = _open_goal(conn)
        set_goal_status(conn, goal.id, "met", TODAY)
        assert _goal(conn, goal.id).closed_on == TODAY
        set_goal_status(conn, goal.id, "dropped", TODAY, note="New role")
        assert (_goal(conn, goal.id).status, _goal(conn, goal.id).note) == (
            "dropped",
            "New role",
        )
        set_goal_status(conn, goal.id, "open", TODAY)
        row = _goal(conn, goal.id)
    assert (row.status, row.closed_on, row.note, row.closed_value) == (
        "open",
        None,
        "",
        None,
    )


@pytest.mark.parametrize(
    ("status", "changes", "message"),
    [
        ("done", {}, "Status: pick met, missed, dropped or open"),
        ("met", {"on": "2026-06-16"}, "Date: pick today or an earlier day"),
        ("met", {"on": "1/6/2026"}, "Date: use the form 2026-06-15"),
        ("met", {"on": "2000-01-01"}, "Date: pick a day on or after the goal"),
        ("met", {"note": "x" * 501}, "Note: keep it to 500 characters"),
    ],
)
def test_each_judging_problem_names_its_field(
    demo_store: Store, status: str, changes: dict[str, object], message: str
) -> None:
    with demo_store.write() as conn:
        goal = _open_goal(conn)
        with pytest.raises(ValidationError, match=message):
            set_goal_status(conn, goal.id, status, TODAY, **changes)  # type: ignore[arg-type]
        assert _goal(conn, goal.id).status == "open"


def test_a_stale_screen_gets_a_conflict(demo_store: Store) -> None:
    with demo_store.write() as conn:
        goal = _open_goal(conn)
        set_goal_status(conn, goal.id, "met", TODAY)
        with pytest.raises(ConflictError, match="Someone else changed this goal"):
            set_goal_status(
                conn, goal.id, "missed", TODAY, expected_version=goal.row_version
            )
        assert _goal(conn, goal.id).status == "met"


_RATE = {"kind": "rate", "unit": "share", "higher_is_better": True}
_DUE = dt.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("status", "value", "closed_on", "today", "line"),
    [
        (
            "missed",
            0.41,
            None,
            dt.date(2026, 7, 2),
            "Missed: 41% on its due date, 30 June 2026; target 44%",
        ),
        (
            "met",
            0.46,
            dt.date(2026, 6, 20),
            TODAY,
            "Met: 46% on 20 June 2026; target 44%",
        ),
        (
            "met",
            0.41,
            dt.date(2026, 6, 20),
            TODAY,
            "Marked met on 20 June 2026: 41%, short of the target of 44%",
        ),
        (
            "missed",
            0.442,
            None,
            dt.date(2026, 7, 2),
            "Marked missed on its due date, 30 June 2026: 44.2%, though that "
            "reaches the target of 44%",
        ),
        ("dropped", 0.3, dt.date(2026, 6, 2), TODAY, "Dropped on 2 June 2026"),
        ("open", 0.38, None, TODAY, "Open: 38% now; target 44% by 30 June 2026"),
        (
            "open",
            0.45,
            None,
            dt.date(2026, 7, 2),
            "Not judged yet: due 30 June 2026; 45% now; target 44%",
        ),
        (
            "missed",
            None,
            None,
            dt.date(2026, 7, 2),
            "Missed on its due date, 30 June 2026; target 44%",
        ),
    ],
)
def test_a_goal_says_how_it_was_judged(
    status: str,
    value: float | None,
    closed_on: dt.date | None,
    today: dt.date,
    line: str,
) -> None:
    said = judgement(
        status,
        value=value,
        target=0.44,
        due_on=_DUE,
        closed_on=closed_on,
        today=today,
        **_RATE,  # type: ignore[arg-type]
    )
    assert said == line


@pytest.mark.parametrize(
    ("baseline", "kind", "higher"),
    [
        (0.44, "rate", True),
        (0.2, "rate", False),
        (None, "rate", True),
        (24.3, "count", True),
        (3.0, "count", True),
        (12.0, "count", False),
        (1.05, "percent", True),
    ],
)
def test_the_target_example_is_one_the_checks_accept(
    baseline: float | None, kind: str, higher: bool
) -> None:
    example = target_example(baseline, kind, higher)
    value = parse_target(example, kind)
    if baseline is not None:
        assert value > baseline if higher else value < baseline
    assert target_text(value, kind) == example


def test_a_35_percent_target_is_refused_only_when_below_the_rep(
    conn: Connection,
) -> None:
    """The old hint said "e.g. 35%": right for a share the rep is below, wrong
    for one they are above, and never right for a count."""
    ok = validate_goal(conn, _draft(conn, target="35%", baseline=0.28), TODAY)
    assert ok.target == 0.35
    with pytest.raises(ValidationError, match="aim above the rep's current level"):
        validate_goal(conn, _draft(conn, target="35%", baseline=0.44), TODAY)
    count = _id(conn, s.metrics, "conversations")
    with pytest.raises(ValidationError, match="this number is a count"):
        validate_goal(conn, _draft(conn, metric_id=count, target="35%"), TODAY)
