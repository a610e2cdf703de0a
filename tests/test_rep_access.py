"""A rep sees and writes only their own records, and never a coach's private notes.

The store refuses, not only the screen (:mod:`coachkit.store.access`):

- every public function of coachkit wrapped in ``access.checks``, ``lead_only`` or
  ``not_for_reps`` (found by walking the package, so a new one is covered the day
  it is written) refuses a rep viewer, whatever the ids, even the rep's own;
- every other public function on the store is listed below, with why a rep may
  call it: a new one without a check fails until someone decides;
- what takes no id but reads people across teams (every coach's sign-in name,
  who a sign-in name belongs to) refuses a rep and still answers a coach;
- every function of :mod:`coachkit.rep_side` refuses another rep's ids (of the same
  team and of another), a forged id, and a coach's ids from another team;
- what a rep can read or download never holds a coach's private note.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from package_walk import public_functions, store_functions

import coachkit.rep_side
from coachkit.store import schema as s
from coachkit.store.access import AccessDenied, Viewer
from coachkit.store.database import Store

#: Modules that are not library code: running them starts something.
_NOT_LIBRARY = (".__main__", ".voila")
#: Views and commands: they call the store's functions, which check.
_NOT_STORE = (*_NOT_LIBRARY, ".apps", ".commands", ".cli")
#: Public functions on the store that do not refuse a rep, and why that is safe.
#: Every other one refuses a rep viewer (proved below by walking the package).
NO_REP_CHECK = {
    "coachkit.store.access.check": "the check itself",
    "coachkit.store.access.viewer_of": "says who the connection works for",
    "coachkit.store.migrations.upgrade": "runs when the store opens, before any viewer",
    "coachkit.store.versions.update_versioned": "called by checked functions only",
    # The framework is the whole organisation's; the rep's page shows behaviours.
    "coachkit.model.framework.behaviours_frame": "the framework, no person",
    "coachkit.model.framework.framework_frame": "the framework: the rep's page",
    "coachkit.model.framework.has_framework": "the framework, no person",
    "coachkit.model.framework.metrics_frame": "the framework, no person",
    "coachkit.model.framework.objective_weights": "the framework, no person",
    "coachkit.model.framework.rubric": "the framework, no person",
    "coachkit.model.goals.metrics_for_behaviour": "the framework, no person",
    "coachkit.model.goals.validate_goal": "checks a draft; reads no person",
    "coachkit.model.tracker_phrases.tracker_phrases": "the framework, no person",
    "coachkit.model.calls.weekly.call_metric_ids": "the framework, no person",
    "coachkit.prioritize.tables.framework": "the framework, no person",
    # Reached only through a function that checked (or refused) the viewer first.
    "coachkit.model.tracker_phrases.write_phrases": "called by lead-only writers",
    "coachkit.model.calls.weekly.recompute_weeks": "called by checked functions",
    "coachkit.improve.records.read": "runs a query a checked function built",
    "coachkit.improve.retro.data.read": "runs a query a checked function built",
    "coachkit.improve.retro.numbers.skill_table": "runs a checked function's query",
    "coachkit.demo.calls.demo_calls": "called by build_demo, which is lead-only",
    "coachkit.exchange.importer.import_file": "lookup.coach_ids refuses a rep",
    "coachkit.exchange.importer.check_file": "lookup.coach_ids refuses a rep",
    "coachkit.exchange.importer.lookup.coach_ids": "refuses a rep itself",
    "coachkit.exchange.importer.lookup.rep_ids": "after coach_ids, which refused",
    "coachkit.exchange.importer.lookup.metric_parser": "the framework, no person",
    "coachkit.exchange.importer.lookup.behaviour_parser": "the framework, no person",
    "coachkit.exchange.importer.upsert.upsert": "writes rows a check accepted",
    **{
        f"coachkit.exchange.importer.{kind}.{step}": "inside import_file only"
        for kind in ("reps", "metrics", "sessions", "assessments", "actions", "goals")
        for step in ("check", "write")
    },
    # A workshop's seats: a seat's secret names its one coach.
    "coachkit.web.workshop.has_seats": "says whether this is a workshop; no person",
    "coachkit.web.workshop.seat_viewer": "the seat's secret names its coach",
    "coachkit.web.workshop.workshop_visitor": "the seat's secret names its coach",
}
_ALIASES = {"coach": "coach_id", "rep": "rep_id", "scope": "coach_id"}
#: Ids no row has, and values that are no id at all.
FORGED = (0, -1, 10**9, s.MAX_ID, s.MAX_ID + 1, "1 OR 1=1", None)
MARKER = "PRIVATE-COACH-MARKER-7f3a"


def _guarded_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function of coachkit with an access guard, by full name."""
    for name, fn in public_functions(_NOT_LIBRARY):
        if hasattr(fn, "__coachkit_checks__"):
            yield name, fn


def _store_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function of the library that takes a connection or a store."""
    return store_functions(_NOT_STORE)


def _coach_functions() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (n, f)
        for n, f in _guarded_functions()
        if not hasattr(f, "__coachkit_rep_checks__")
    ]


def _rep_functions() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (n, f) for n, f in _guarded_functions() if hasattr(f, "__coachkit_rep_checks__")
    ]


#: The rep side's functions that find who opened the page, on the whole store:
#: a rep is refused them outright (they would name other reps).
_WHO_OPENED = {"rep_for_link", "rep_for_login"}


def test_every_function_of_rep_side_is_rep_checked_or_refuses_reps() -> None:
    public = [
        getattr(coachkit.rep_side, name)
        for name in coachkit.rep_side.__all__
        if inspect.isfunction(getattr(coachkit.rep_side, name))
        and next(iter(inspect.signature(getattr(coachkit.rep_side, name)).parameters))
        == "conn"
    ]
    assert public
    unchecked = {
        f.__name__ for f in public if not hasattr(f, "__coachkit_rep_checks__")
    }
    assert unchecked == _WHO_OPENED
    found = {f for _, f in _rep_functions()}
    assert {f for f in public if f.__name__ not in _WHO_OPENED} <= found
    for fn in public:
        if fn.__name__ in _WHO_OPENED:
            assert fn.__coachkit_checks__ == ()  # not_for_reps
        else:  # with no id to check, a rep could read anyone's records
            assert fn.__coachkit_checks__ or not fn.__coachkit_rep_checks__


def test_a_rep_checked_function_must_name_the_ids_a_rep_may_pass() -> None:
    from coachkit.store import access

    with pytest.raises(ValueError, match="name the ids"):
        access.rep_checks()
    assert access.rep_checks(reps_may=False)  # only the coach: nothing to pass


def test_every_function_on_the_store_refuses_a_rep_or_is_listed() -> None:
    functions = dict(_store_functions())
    unchecked = {
        n for n, f in functions.items() if not hasattr(f, "__coachkit_checks__")
    }
    listed = set(NO_REP_CHECK)
    assert sorted(unchecked - listed) == [], (
        "these take a connection or a store and do not refuse a rep: wrap them "
        "(access.checks, lead_only, not_for_reps, rep_checks) or list them in "
        "NO_REP_CHECK with the reason a rep may call them"
    )
    assert sorted(listed - unchecked) == [], "listed, but checked now (or gone)"


def test_the_walk_finds_the_coaches_functions() -> None:
    names = {n for n, _ in _coach_functions()}
    for known in (
        "coachkit.model.plans.current_plan",
        "coachkit.facilitate.actions.set_action_status",
        "coachkit.model.users.add_user",
        "coachkit.web.workshop.list_seats",
        "coachkit.exchange.archive.export.export_store",
        "coachkit.model.users.list_users",
        "coachkit.model.users.find_user",
        "coachkit.model.users.find_by_login",
        "coachkit.rep_side.links.rep_for_login",
        "coachkit.web.identity.visitor",
    ):
        assert known in names
    assert len(names) > 80


# --- a team with two reps, another team, and a lead -----------------------------


def _rep_ids(conn: sa.Connection, rep_id: int) -> dict[str, int]:
    """One id of each kind that belongs to ``rep_id``."""

    def first(table: sa.Table) -> int:
        return int(
            conn.execute(
                sa.select(table.c.id)
                .where(table.c.rep_id == rep_id)
                .order_by(table.c.id)
                .limit(1)
            ).scalar_one()
        )

    coach = conn.execute(sa.select(s.reps.c.coach_id).where(s.reps.c.id == rep_id))
    return {
        "coach_id": int(coach.scalar_one()),
        "rep_id": rep_id,
        "session_id": int(
            conn.execute(
                sa.select(s.sessions.c.id)
                .where(s.sessions.c.rep_id == rep_id, s.sessions.c.status == "done")
                .order_by(s.sessions.c.id)
                .limit(1)
            ).scalar_one()
        ),
        "plan_id": first(s.plans),
        "goal_id": first(s.goals),
        "action_id": int(
            conn.execute(
                sa.select(s.actions.c.id)
                .where(
                    s.actions.c.rep_id == rep_id,
                    s.actions.c.owner == "rep",
                    s.actions.c.status == "open",
                )
                .order_by(s.actions.c.id)
                .limit(1)
            ).scalar_one()
        ),
        "call_id": first(s.calls),
        "hit_id": first(s.call_hits),
    }


def _reflection(store: Store, coach_id: int) -> int:
    from coachkit.improve import reflections

    with store.write() as conn:
        return reflections.save_reflection(
            conn, coach_id, f"Reflection of coach {coach_id}", dt.date(2026, 3, 1)
        )


@pytest.fixture
def people(demo_store: Store) -> dict[str, Any]:
    """Rep ``me`` and rep ``mate`` (same coach), rep ``far`` (another coach)."""
    with demo_store.read() as conn:
        # Reps with an open action of their own, a call with a tracker hit, a plan
        # and a goal: every kind of id.
        a, h, p, g = s.actions, s.call_hits, s.plans, s.goals
        full = (
            sa.select(s.reps.c.id, s.reps.c.coach_id)
            .where(
                s.reps.c.active,
                s.reps.c.id.in_(
                    sa.select(a.c.rep_id).where(
                        a.c.owner == "rep", a.c.status == "open"
                    )
                ),
                s.reps.c.id.in_(sa.select(h.c.rep_id)),
                s.reps.c.id.in_(sa.select(p.c.rep_id)),
                s.reps.c.id.in_(sa.select(g.c.rep_id)),
            )
            .order_by(s.reps.c.coach_id, s.reps.c.id)
        )
        rows = conn.execute(full).all()
        by_coach: dict[int, list[int]] = {}
        for rep_id, coach_id in rows:
            by_coach.setdefault(int(coach_id), []).append(int(rep_id))
        coach, mine = next((c, r) for c, r in by_coach.items() if len(r) >= 2)
        other_coach = next(c for c in by_coach if c != coach)
        ids = {
            "me": _rep_ids(conn, mine[0]),
            "mate": _rep_ids(conn, mine[1]),
            "far": _rep_ids(conn, by_coach[other_coach][0]),
        }
        names = dict(conn.execute(sa.select(s.reps.c.id, s.reps.c.name)).all())
        lead = conn.execute(
            sa.select(s.coaches.c.id).where(s.coaches.c.role == "lead")
        ).scalar_one()
    ids["me"]["reflection_id"] = _reflection(demo_store, coach)
    ids["mate"]["reflection_id"] = ids["me"]["reflection_id"]
    ids["far"]["reflection_id"] = _reflection(demo_store, other_coach)
    me = ids["me"]["rep_id"]
    return {
        "ids": ids,
        "rep": Viewer(coach, names[me], "rep", "link", rep_id=me),
        "coach": Viewer(coach, "Coach", "coach"),
        "lead": Viewer(int(lead), "Lead", "lead"),
    }


def _snapshot(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            t.name: conn.execute(sa.select(t).order_by(*t.primary_key)).all()
            for t in s.metadata.sorted_tables
        }


def _call(fn: Callable[..., Any], store: Store, args: dict[str, Any]) -> None:
    first = next(iter(inspect.signature(fn).parameters))
    if first == "store":
        fn(store, **args)
        return
    with store.write() as conn:
        fn(conn, **args)


@pytest.mark.parametrize(
    ("name", "fn"), _coach_functions(), ids=[n for n, _ in _coach_functions()]
)
def test_a_rep_is_refused_by_every_coaches_function_even_with_their_own_ids(
    name: str, fn: Callable[..., Any], demo_store: Store, people: dict[str, Any]
) -> None:
    checked = fn.__coachkit_checks__  # type: ignore[attr-defined]
    params = [p for p in checked if p != "lead"]
    before = _snapshot(demo_store)
    as_rep = demo_store.as_viewer(people["rep"])
    own = {p: people["ids"]["me"][_ALIASES.get(p, p)] for p in params}
    tries = [own]
    for param in params:
        for who in ("mate", "far"):
            tries.append({**own, param: people["ids"][who][_ALIASES.get(param, param)]})
        tries.append({**own, param: None})
    for args in tries:
        with pytest.raises(AccessDenied):
            _call(fn, as_rep, args)
    assert _snapshot(demo_store) == before, f"{name} wrote something"


def _rep_args(fn: Callable[..., Any], ids: dict[str, int]) -> dict[str, Any]:
    return {p: ids[p] for p in fn.__coachkit_checks__}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "fn"), _rep_functions(), ids=[n for n, _ in _rep_functions()]
)
def test_a_rep_is_refused_every_id_that_is_not_their_own(
    name: str, fn: Callable[..., Any], demo_store: Store, people: dict[str, Any]
) -> None:
    checked = fn.__coachkit_checks__  # type: ignore[attr-defined]
    before = _snapshot(demo_store)
    as_rep = demo_store.as_viewer(people["rep"])
    own = _rep_args(fn, people["ids"]["me"])
    for param in checked:
        for who in ("mate", "far"):
            args = {**own, param: people["ids"][who][param]}
            with pytest.raises(AccessDenied):
                _call(fn, as_rep, args)
        for forged in FORGED:
            with pytest.raises(AccessDenied):
                _call(fn, as_rep, {**own, param: forged})
    if fn.__coachkit_rep_checks__ is False:  # type: ignore[attr-defined]
        with pytest.raises(AccessDenied, match="only your coach"):
            _call(fn, as_rep, own)
    assert _snapshot(demo_store) == before, f"{name} wrote something"


@pytest.mark.parametrize(
    ("name", "fn"), _rep_functions(), ids=[n for n, _ in _rep_functions()]
)
def test_a_coach_is_refused_another_teams_reps_on_the_reps_functions(
    name: str, fn: Callable[..., Any], demo_store: Store, people: dict[str, Any]
) -> None:
    checked = fn.__coachkit_checks__  # type: ignore[attr-defined]
    before = _snapshot(demo_store)
    as_coach = demo_store.as_viewer(people["coach"])
    own = _rep_args(fn, people["ids"]["me"])
    for param in checked:
        with pytest.raises(AccessDenied):
            _call(fn, as_coach, {**own, param: people["ids"]["far"][param]})
        for forged in FORGED:
            if param == "coach_id" and forged is None:
                continue  # None is "every coach": refused as such, see test_access
            with pytest.raises(AccessDenied):
                _call(fn, as_coach, {**own, param: forged})
    assert _snapshot(demo_store) == before, f"{name} wrote something"


# --- no id, but everyone's names: a rep is refused, a coach still answered ------

_PLAIN_REFUSAL = "Access: this is for coaches; your own page shows what is yours"


def _people_reads(store: Store, people: dict[str, Any]) -> dict[str, Any]:
    """Each no-id read of people, as a call on a connection: the lead signs in as
    ``lee``, rep ``mate`` as ``mate.login`` and has a link."""
    from coachkit import rep_side
    from coachkit.model import users
    from coachkit.web import identity

    mate = people["ids"]["mate"]
    with store.write() as conn:
        lead = next(u for u in users.list_users(conn) if u.role == "lead")
        users.change_user(conn, lead.name, login="lee")
        rep_side.set_rep_login(conn, mate["coach_id"], mate["rep_id"], "mate.login")
        secret = rep_side.make_rep_link(conn, mate["coach_id"], mate["rep_id"])
    return {
        "list_users": lambda c: users.list_users(c),
        "find_user": lambda c: users.find_user(c, lead.name),
        "find_by_login": lambda c: users.find_by_login(c, "lee"),
        "rep_for_login": lambda c: rep_side.rep_for_login(c, "mate.login"),
        "rep_for_link": lambda c: rep_side.rep_for_link(c, secret),
        "visitor": lambda c: identity.visitor(
            c, {"JUPYTERHUB_USER": "mate.login"}, reps=True
        ),
    }


@pytest.mark.parametrize(
    "read",
    [
        "list_users",
        "find_user",
        "find_by_login",
        "rep_for_login",
        "rep_for_link",
        "visitor",
    ],
)
def test_a_rep_cannot_list_or_look_up_people_but_a_coach_can(
    read: str, demo_store: Store, people: dict[str, Any]
) -> None:
    call = _people_reads(demo_store, people)[read]
    before = _snapshot(demo_store)
    as_rep = demo_store.as_viewer(people["rep"])
    with as_rep.write() as conn, pytest.raises(AccessDenied) as refused:
        call(conn)
    assert str(refused.value) == _PLAIN_REFUSAL
    assert _snapshot(demo_store) == before  # a link's "last opened" is not touched
    for who in ("coach", "lead"):
        with demo_store.as_viewer(people[who]).write() as conn:
            assert call(conn), who
    with demo_store.read() as conn:  # the whole store: how a page finds its visitor
        assert call(conn)


def test_a_rep_reads_and_writes_their_own_and_a_coach_previews_it(
    demo_store: Store, people: dict[str, Any], today: dt.date
) -> None:
    from coachkit import rep_side

    me = people["ids"]["me"]
    as_rep = demo_store.as_viewer(people["rep"])
    with as_rep.write() as conn:
        rep_side.mark_action(conn, me["rep_id"], me["action_id"], True, "", today)
        rep_side.rate_session(conn, me["rep_id"], me["session_id"], 4, 4, 5, "More")
    with as_rep.read() as conn:
        page = rep_side.my_page(conn, me["rep_id"], today)
    with demo_store.as_viewer(people["coach"]).read() as conn:
        preview = rep_side.my_page(conn, me["rep_id"], today)
    with demo_store.as_viewer(people["lead"]).read() as conn:
        lead_sees = rep_side.my_page(conn, people["ids"]["far"]["rep_id"], today)
    assert page == preview
    assert page.rep == people["rep"].name
    assert lead_sees.rep_id == people["ids"]["far"]["rep_id"]
    with as_rep.read() as conn, pytest.raises(AccessDenied, match="not yours"):
        rep_side.my_page(conn, people["ids"]["mate"]["rep_id"], today)


# --- the coach's private notes stay private --------------------------------------


def _plant(store: Store, rep_id: int) -> None:
    """Put MARKER in every field a rep must not see, on the rep's own rows."""
    with store.write() as conn:
        for table, column in (
            (s.observations, "note"),
            (s.actions, "note"),
            (s.goals, "note"),
            (s.plans, "notes"),
            (s.call_hits, "snippet"),
        ):
            conn.execute(
                table.update().where(table.c.rep_id == rep_id).values({column: MARKER})
            )
        conn.execute(
            s.assessments.update()
            .where(s.assessments.c.rep_id == rep_id, s.assessments.c.source == "coach")
            .values(evidence=MARKER)
        )
        calls = sa.select(s.calls.c.id).where(s.calls.c.rep_id == rep_id)
        conn.execute(
            s.call_turns.update()
            .where(s.call_turns.c.call_id.in_(calls))
            .values(text=MARKER)
        )
        conn.execute(
            s.sessions.update()
            .where(s.sessions.c.rep_id == rep_id)
            .values(coach_relevant=1, coach_developmental=1, coach_motivational=1)
        )
        # A draft session is the coach's work in progress.
        conn.execute(
            s.sessions.update()
            .where(s.sessions.c.rep_id == rep_id, s.sessions.c.status == "draft")
            .values(went_well=MARKER, to_change=MARKER)
        )


def test_a_private_note_never_reaches_the_reps_page_or_download(
    demo_store: Store, people: dict[str, Any], today: dt.date
) -> None:
    from coachkit import rep_side

    me = people["ids"]["me"]
    _plant(demo_store, me["rep_id"])
    with demo_store.read() as conn:  # the marker is really there to leak
        planted = conn.execute(
            sa.select(sa.func.count())
            .select_from(s.actions)
            .where(s.actions.c.rep_id == me["rep_id"], s.actions.c.note == MARKER)
        ).scalar_one()
    assert planted > 0
    with demo_store.as_viewer(people["rep"]).write() as conn:
        rep_side.mark_action(conn, me["rep_id"], me["action_id"], False, "Sick", today)
    with demo_store.as_viewer(people["rep"]).read() as conn:
        page = rep_side.my_page(conn, me["rep_id"], today)
        files = rep_side.my_data_csv(conn, me["rep_id"])
    for part in (page.actions, page.goals, page.sessions, page.focus):
        assert part
    assert MARKER not in repr(page)
    everything = b"".join(files.values()).decode("utf-8")
    assert MARKER not in everything
    assert "Sick" in everything  # the rep's own words are there
    for name, body in files.items():
        heading = body.decode("utf-8").splitlines()[0].split(",")
        assert not [h for h in heading if "coach" in h and "your" not in h], name
        assert "note" not in heading, name  # the coach's note column
        assert "notes" not in heading, name
    for field in ("coach_relevant", "coach_developmental", "coach_motivational"):
        assert all(not hasattr(x, field) for x in page.sessions)


def test_a_rep_cannot_import_rows_even_for_their_own_team(
    demo_store: Store, people: dict[str, Any]
) -> None:
    from coachkit.exchange.importer import import_file

    with demo_store.read() as conn:
        coach = conn.execute(
            sa.select(s.coaches.c.name).where(s.coaches.c.id == people["rep"].coach_id)
        ).scalar_one()
    before = _snapshot(demo_store)
    with pytest.raises(AccessDenied, match="only a coach can import"):
        import_file(
            demo_store.as_viewer(people["rep"]),
            "reps",
            f"name,coach\nNew Person,{coach}\n".encode(),
            name="reps.csv",
        )
    assert _snapshot(demo_store) == before
