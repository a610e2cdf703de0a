"""Coach A cannot read or change coach B's data through any public function.

The store refuses, not only the screen: every public function that takes a coach,
rep, session, plan, goal, action, reflection, call or tracker hit id checks it
against the viewer the store was opened as (:mod:`coachkit.store.access`) before it
reads or writes anything.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from package_walk import store_functions

from coachkit.exchange.importer import ImportProblems, import_file
from coachkit.facilitate import sessions
from coachkit.improve import reflections
from coachkit.model import team
from coachkit.model.plans import current_plan
from coachkit.store import access, queries, schema
from coachkit.store.access import AccessDenied, Viewer
from coachkit.store.database import Store

#: Public functions that take a connection or a store but no team's ids, and why
#: each may run for anyone.
SHARED = {
    "coachkit.store.access.check": "the check itself",
    "coachkit.store.access.viewer_of": "says who the connection works for",
    "coachkit.model.framework.behaviours_frame": "the framework is the whole team's",
    "coachkit.model.framework.framework_frame": "the framework is the whole team's",
    "coachkit.model.framework.has_framework": "the framework is the whole team's",
    "coachkit.model.framework.metrics_frame": "the framework is the whole team's",
    "coachkit.model.framework.objective_weights": "the framework is the whole team's",
    "coachkit.model.framework.rubric": "the framework is the whole team's",
    "coachkit.model.goals.metrics_for_behaviour": "the framework is the whole team's",
    "coachkit.model.goals.validate_goal": "checks a draft; writes nothing",
    "coachkit.prioritize.tables.framework": "the framework is the whole team's",
    "coachkit.store.queries.coaches": "names and roles, for the picker",
    "coachkit.web.workshop.has_seats": "says whether this is a workshop",
    "coachkit.web.workshop.seat_viewer": "decides who the viewer is",
    "coachkit.web.workshop.workshop_visitor": "decides who the viewer is",
    "coachkit.store.migrations.upgrade": "runs when the store opens, before any viewer",
    "coachkit.exchange.importer.check_file": (
        "rows are checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.import_file": (
        "rows are checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.lookup.coach_ids": (
        "refuses another coach's rows itself"
    ),
    "coachkit.exchange.importer.lookup.rep_ids": "reps of coaches checked by coach_ids",
    "coachkit.exchange.importer.lookup.metric_parser": (
        "the framework is the whole team's"
    ),
    "coachkit.exchange.importer.lookup.behaviour_parser": (
        "the framework is the whole team's"
    ),
    "coachkit.exchange.importer.reps.check": (
        "rows are checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.metrics.check": (
        "rows are checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.sessions.check": (
        "rows are checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.assessments.check": (
        "rows checked in importer.lookup.coach_ids"
    ),
    "coachkit.exchange.importer.reps.write": "writes only rows its check accepted",
    "coachkit.exchange.importer.metrics.write": "writes only rows its check accepted",
    "coachkit.exchange.importer.sessions.write": "writes only rows its check accepted",
    "coachkit.exchange.importer.assessments.write": (
        "writes only rows its check accepted"
    ),
    "coachkit.exchange.importer.upsert.upsert": "writes only rows its check accepted",
    "coachkit.exchange.importer.actions.check": "rows checked in lookup.coach_ids",
    "coachkit.exchange.importer.goals.check": "rows checked in lookup.coach_ids",
    "coachkit.exchange.importer.actions.write": "writes only rows its check accepted",
    "coachkit.exchange.importer.goals.write": "writes only rows its check accepted",
    "coachkit.exchange.reports.lookup.find_coach": (
        "turns a name into an id; reads no data"
    ),
    "coachkit.exchange.reports.lookup.find_rep": (
        "turns names into ids for checked functions"
    ),
    "coachkit.improve.records.read": "runs a query a checked function built",
    "coachkit.improve.retro.data.read": "runs a query a checked function built",
    "coachkit.improve.retro.numbers.skill_table": (
        "runs a query a checked function built"
    ),
    "coachkit.store.versions.update_versioned": "called by checked functions only",
    "coachkit.model.tracker_phrases.tracker_phrases": (
        "the framework is the whole team's"
    ),
    "coachkit.model.tracker_phrases.write_phrases": (
        "called by the framework's lead-only writers only"
    ),
    "coachkit.model.calls.weekly.call_metric_ids": "the framework is the whole team's",
    "coachkit.model.calls.weekly.recompute_weeks": "called by checked functions only",
    "coachkit.demo.calls.demo_calls": "called by build_demo, which is lead-only",
}
_SKIPPED_MODULES = (".apps", ".commands", ".__main__", ".voila", ".cli")


def _public_store_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    return store_functions(_SKIPPED_MODULES)


def test_every_public_function_on_the_store_checks_the_viewer() -> None:
    unchecked = [
        name
        for name, fn in _public_store_functions()
        if not hasattr(fn, "__coachkit_checks__") and name not in SHARED
    ]
    assert unchecked == [], (
        "these take a connection or a store but neither check the viewer "
        "(coachkit.store.access.checks / lead_only) nor are listed as shared"
    )


def test_functions_taking_team_ids_check_each_of_them() -> None:
    aliases = {"coach": "coach_id", "rep": "rep_id", "scope": "coach_id"}
    for name, fn in _public_store_functions():
        if name in SHARED:
            continue  # their coach and rep parameters are names, checked later
        params = inspect.signature(fn).parameters
        ids = {
            p
            for p, spec in params.items()
            if p in access.ID_PARAMS
            or (p in aliases and "str" not in str(spec.annotation))  # names: later
        }
        checked = set(getattr(fn, "__coachkit_checks__", ()))
        assert ids <= checked, f"{name} does not check {sorted(ids - checked)}"


# --- two coaches and a lead on the demo store ----------------------------------


def _ids_of(store: Store, coach_id: int) -> dict[str, int]:
    """One id of each kind on ``coach_id``'s team."""
    s = schema
    with store.write() as conn:
        reps = sa.select(s.reps.c.id).where(s.reps.c.coach_id == coach_id)

        def first(query: sa.Select[Any]) -> int:
            return int(conn.execute(query.limit(1)).scalar_one())

        ids = {
            "coach_id": coach_id,
            "rep_id": first(reps.order_by(s.reps.c.id)),
            "session_id": first(
                sa.select(s.sessions.c.id).where(s.sessions.c.rep_id.in_(reps))
            ),
            "plan_id": first(sa.select(s.plans.c.id).where(s.plans.c.rep_id.in_(reps))),
            "goal_id": first(sa.select(s.goals.c.id).where(s.goals.c.rep_id.in_(reps))),
            "action_id": first(
                sa.select(s.actions.c.id)
                .join(s.sessions, s.sessions.c.id == s.actions.c.session_id)
                .where(s.sessions.c.rep_id.in_(reps))
            ),
        }
        ids["call_id"] = first(
            sa.select(s.calls.c.id).where(s.calls.c.rep_id == ids["rep_id"])
        )
        ids["hit_id"] = first(
            sa.select(s.call_hits.c.id).where(s.call_hits.c.rep_id.in_(reps))
        )
        ids["reflection_id"] = reflections.save_reflection(
            conn, coach_id, f"Reflection of coach {coach_id}", dt.date(2026, 3, 1)
        )
    return ids


@pytest.fixture
def people(demo_store: Store) -> dict[str, Any]:
    with demo_store.read() as conn:
        coaches = queries.coaches(conn)
    coach_rows = coaches[coaches["role"] == "coach"]
    lead_row = coaches[coaches["role"] == "lead"].iloc[0]
    a, b = (int(x) for x in coach_rows["coach_id"].iloc[:2])
    return {
        "a": Viewer(a, "A", "coach"),
        "b": Viewer(b, "B", "coach"),
        "lead": Viewer(int(lead_row["coach_id"]), "Lead", "lead"),
        "ids_a": _ids_of(demo_store, a),
        "ids_b": _ids_of(demo_store, b),
    }


def _snapshot(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }


_ALIASES = {"coach": "coach_id", "rep": "rep_id", "scope": "coach_id"}


def _checked_functions() -> list[tuple[str, Callable[..., Any]]]:
    """Functions that check ids (not lead-only, not only refusing a rep)."""
    return [
        (name, fn)
        for name, fn in _public_store_functions()
        if getattr(fn, "__coachkit_checks__", ()) not in ((), ("lead",))
    ]


@pytest.mark.parametrize(
    ("name", "fn"), _checked_functions(), ids=[n for n, _ in _checked_functions()]
)
def test_coach_a_is_refused_each_id_of_coach_bs_team(
    name: str, fn: Callable[..., Any], demo_store: Store, people: dict[str, Any]
) -> None:
    params = inspect.signature(fn).parameters
    first = next(iter(params))
    checked = fn.__coachkit_checks__  # type: ignore[attr-defined]
    before = _snapshot(demo_store)
    store_a = demo_store.as_viewer(people["a"])
    for param in checked:
        kind = _ALIASES.get(param, param)
        # A's own ids everywhere, except B's in this one parameter.
        args = {p: people["ids_a"][_ALIASES.get(p, p)] for p in checked}
        args[param] = people["ids_b"][kind]
        with store_a.read() as conn:
            target = conn if first == "conn" else store_a
            with pytest.raises(AccessDenied):
                fn(**{first: target}, **args)
    assert _snapshot(demo_store) == before, f"{name} wrote something"


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        (n, f)
        for n, f in _public_store_functions()
        if f.__dict__.get("__coachkit_checks__") == ("lead",)
    ],
)
def test_only_a_lead_runs_what_covers_every_team(
    name: str, fn: Callable[..., Any], demo_store: Store, people: dict[str, Any]
) -> None:
    first = next(iter(inspect.signature(fn).parameters))
    store_a = demo_store.as_viewer(people["a"])
    before = _snapshot(demo_store)
    with store_a.read() as conn, pytest.raises(AccessDenied, match="enablement lead"):
        fn(conn if first == "conn" else store_a)
    assert _snapshot(demo_store) == before


# --- what a user would notice ---------------------------------------------------


def test_coach_a_cannot_read_bs_plans_sessions_or_reflections(
    demo_store: Store, people: dict[str, Any]
) -> None:
    b = people["ids_b"]
    with demo_store.as_viewer(people["a"]).read() as conn:
        with pytest.raises(AccessDenied, match="Rep: this rep is not on your team"):
            current_plan(conn, b["rep_id"])
        with pytest.raises(AccessDenied, match="Session"):
            sessions.load_session(conn, b["session_id"])
        with pytest.raises(AccessDenied, match="Coach"):
            reflections.reflections(conn, people["b"].coach_id)
        with pytest.raises(AccessDenied, match="only an enablement lead"):
            queries.roster(conn, None)
        mine = queries.roster(conn, people["a"].coach_id)
    assert len(mine) > 0
    assert set(mine["coach_id"]) == {people["a"].coach_id}


def test_coach_a_cannot_change_bs_reps_sessions_or_reflections(
    demo_store: Store, people: dict[str, Any], today: dt.date
) -> None:
    b = people["ids_b"]
    store_a = demo_store.as_viewer(people["a"])
    before = _snapshot(demo_store)
    with pytest.raises(AccessDenied), store_a.write() as conn:
        rep = team.get_rep(conn, b["rep_id"])
    with demo_store.read() as conn:
        rep = team.get_rep(conn, b["rep_id"])
    with pytest.raises(AccessDenied), store_a.write() as conn:
        team.update_rep(
            conn,
            rep.id,
            expected_version=rep.row_version,
            name="Renamed by A",
            role=rep.role,
            segment=rep.segment,
            start_date=rep.start_date,
        )
    with pytest.raises(AccessDenied), store_a.write() as conn:
        sessions.start_draft(
            conn, coach_id=people["a"].coach_id, rep_id=b["rep_id"], today=today
        )
    with pytest.raises(AccessDenied), store_a.write() as conn:
        reflections.save_reflection(conn, people["b"].coach_id, "Not mine", today)
    with pytest.raises(AccessDenied):
        sessions.save_draft(
            store_a, b["session_id"], {"notes": "x"}, expected_version=1
        )
    assert _snapshot(demo_store) == before


def test_a_lead_reads_every_team(demo_store: Store, people: dict[str, Any]) -> None:
    b = people["ids_b"]
    with demo_store.as_viewer(people["lead"]).read() as conn:
        everyone = queries.roster(conn, None)
        plan = current_plan(conn, b["rep_id"])
        session = sessions.load_session(conn, b["session_id"])
        written = reflections.reflections(conn, people["b"].coach_id)
    assert {people["a"].coach_id, people["b"].coach_id} <= set(everyone["coach_id"])
    assert plan is not None
    assert session.rep_id == b["rep_id"]
    assert "Reflection of coach" in " ".join(written["text"])


def test_a_coach_cannot_import_rows_for_another_team(
    demo_store: Store, people: dict[str, Any]
) -> None:
    with demo_store.read() as conn:
        names = dict(
            conn.execute(sa.select(schema.coaches.c.id, schema.coaches.c.name)).all()
        )
    other = names[people["b"].coach_id]
    data = f"name,coach\nNew Person,{other}\n".encode()
    before = _snapshot(demo_store)
    with pytest.raises(ImportProblems) as caught:
        import_file(demo_store.as_viewer(people["a"]), "reps", data, name="reps.csv")
    assert "is another coach; you can only import your own team" in str(caught.value)
    assert _snapshot(demo_store) == before
    mine = names[people["a"].coach_id]
    result = import_file(
        demo_store.as_viewer(people["a"]),
        "reps",
        f"name,coach\nNew Person,{mine}\n".encode(),
        name="reps.csv",
    )
    assert "1" in result.summary()


def test_coach_a_cannot_read_or_decide_bs_calls_and_a_lead_can(
    demo_store: Store, people: dict[str, Any]
) -> None:
    from coachkit.model.calls import store as calls

    a, b = people["ids_a"], people["ids_b"]
    store_a = demo_store.as_viewer(people["a"])
    before = _snapshot(demo_store)
    with pytest.raises(AccessDenied, match="Call: this call is not on your team"):
        calls.call_turns(store_a, b["call_id"])
    with pytest.raises(AccessDenied, match="Tracker hit"):
        calls.decide_hit(store_a, b["hit_id"], "confirmed")
    with pytest.raises(AccessDenied, match="only an enablement lead"):
        calls.calls_table(store_a)
    with pytest.raises(AccessDenied, match="only an enablement lead"):
        calls.purge_calls(store_a, dt.date(2100, 1, 1))
    assert _snapshot(demo_store) == before
    with pytest.raises(AccessDenied, match="Rep: this rep is not on your team"):
        calls.calls_table(store_a, rep_id=b["rep_id"])
    mine = calls.calls_table(store_a, coach_id=people["a"].coach_id)
    assert len(mine) > 0
    one = calls.calls_table(store_a, rep_id=a["rep_id"])
    assert set(one["rep_id"]) == {a["rep_id"]}
    assert len(calls.call_turns(store_a, a["call_id"])) > 0
    lead = demo_store.as_viewer(people["lead"])
    assert len(calls.call_turns(lead, b["call_id"])) > 0
    everyone = calls.calls_table(lead)
    assert set(everyone["rep_id"]) > set(mine["rep_id"])
