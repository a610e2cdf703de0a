"""A made-up sales team with months of history, so every screen has something to show.

:func:`build_demo` fills an empty store with coaches, reps, weekly and monthly numbers,
assessments, plans, goals, coaching sessions (with observations and actions),
coaches' reflections and recorded calls (:mod:`.calls`). The same ``seed`` and
``today`` always give the same data.

How the story is made:

- Each rep has a hidden profile (strong, core or struggling) that sets their skill on
  every behaviour, their will, and their activity and conversion rates.
- Rates that a behaviour shows (via the framework's behaviour -> metric links) follow
  the rep's skill on it. For about half of the coached reps, coaching works: the rates
  tied to their focus behaviours rise a few points after the plan starts, and their
  skill ratings climb. For the others nothing moves.
- Metrics whose unit says "per month" (and percents, and the average deal size) are
  stored once a month, on the month's first Monday; the others once a week, on the
  week's Monday. Rates are never stored: they come from their two counts.

Each part has its module: :mod:`.people`, :mod:`.metrics`, :mod:`.assessments`,
:mod:`.goals`, :mod:`.sessions` and :mod:`.texts`, over :mod:`.framework` and
:mod:`.timeline`. This module writes them all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.demo.assessments import _assess
from coachkit.demo.calls import demo_calls
from coachkit.demo.framework import _Framework
from coachkit.demo.goals import _goals
from coachkit.demo.metrics import _metric_rows, _simulate, _write_metrics
from coachkit.demo.people import _email, _make_reps, _names
from coachkit.demo.sessions import _draft, _reflections, _sessions
from coachkit.demo.texts import _HTML_NOTE
from coachkit.demo.timeline import _Calendar
from coachkit.errors import CoachkitError
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import Store

__all__ = ["LEAD_NAME", "DemoSummary", "build_demo", "clear_team_data"]

#: The enablement lead: sees every coach's reps and has none of their own.
LEAD_NAME = "Morgan Lee (Enablement)"

_BATCH = 50_000


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` added: row counts and the span of the history.

    ``coaches`` counts the coaches who have reps; the enablement lead comes on top.
    """

    coaches: int
    reps: int
    metric_values: int
    assessments: int
    sessions: int
    observations: int
    actions: int
    goals: int
    plans: int
    first_day: dt.date
    last_day: dt.date
    calls: int = 0


@access.lead_only
def clear_team_data(conn: Connection) -> None:
    """Delete every coach and all their team's data; the framework stays.

    Child tables go first, so foreign keys never see a dangling row.
    """
    wanted = {*s.TEAM_TABLES, s.coach_settings, s.coaches}
    for table in reversed(s.metadata.sorted_tables):
        if table in wanted:
            conn.execute(table.delete())


@access.lead_only
def build_demo(
    store: Store,
    *,
    coaches: int = 2,
    reps: int = 10,
    months: int = 9,
    seed: int = 7,
    today: dt.date | None = None,
) -> DemoSummary:
    """Fill an empty store with a made-up sales team and ``months`` of history.

    Installs the default framework first when the store has none. Everything is
    written in one transaction: either the whole demo is there, or nothing.

    Parameters
    ----------
    store
        An open store with no coaches in it.
    coaches
        Coaches who have reps. One enablement lead (no reps) is added on top.
    reps
        Reps per coach.
    months
        Months of history, ending at ``today``.
    seed
        The same seed and ``today`` always give the same data.
    today
        The last day of the history; defaults to the real today.

    Raises
    ------
    CoachkitError
        The store already has coaches.
    """
    from coachkit.model.framework import has_framework, install_framework
    from coachkit.model.templates import load_framework

    if coaches < 1 or reps < 1 or months < 1:
        raise CoachkitError("the demo needs at least 1 coach, 1 rep and 1 month.")
    today = today or dt.date.today()
    rng = np.random.default_rng(seed)
    py = random.Random(int(rng.integers(2**62)))
    cal = _Calendar.ending(today, months)
    with store.write() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(s.coaches))
        if count.scalar_one():
            raise CoachkitError(
                "the store already has coaches; use an empty store, or pass --replace "
                "to delete the team data first."
            )
        if not has_framework(conn):
            install_framework(conn, load_framework())
        fw = _Framework.from_store(conn)
        with _roomy_cache(conn):
            return _write(conn, rng, py, fw, cal, coaches, reps, seed)


@contextmanager
def _roomy_cache(conn: Connection) -> Iterator[None]:
    """Let SQLite keep the whole transaction in memory; halves the build time."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql("PRAGMA cache_size = -262144")  # up to 256 MB
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _insert(conn: Connection, table: sa.Table, rows: list[dict[str, object]]) -> None:
    for i in range(0, len(rows), _BATCH):
        conn.execute(table.insert(), rows[i : i + _BATCH])


def _insert_ids(
    conn: Connection, table: sa.Table, rows: list[dict[str, object]]
) -> list[int]:
    if not rows:
        return []
    query = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(query, rows).scalars())


def _write(
    conn: Connection,
    rng: np.random.Generator,
    py: random.Random,
    fw: _Framework,
    cal: _Calendar,
    n_coaches: int,
    per_coach: int,
    seed: int,
) -> DemoSummary:
    names = _names(rng, n_coaches * (per_coach + 1))
    coach_names, rep_names = names[:n_coaches], names[n_coaches:]
    coach_rows: list[dict[str, object]] = [
        {"name": n, "email": _email(n), "role": "coach"} for n in coach_names
    ]
    coach_rows.append(
        {"name": LEAD_NAME, "email": "morgan.lee@example.com", "role": "lead"}
    )
    coach_ids = _insert_ids(conn, s.coaches, coach_rows)
    team = _make_reps(rng, py, fw, cal, rep_names, n_coaches, per_coach)
    for rep in team:
        rep.coach = coach_ids[rep.coach]
    rep_ids = _insert_ids(
        conn,
        s.reps,
        [
            {
                "coach_id": r.coach,
                "name": r.name,
                "role": r.role,
                "segment": r.segment,
                "start_date": r.start,
                "active": r.active,
            }
            for r in team
        ],
    )
    for rep, rid in zip(team, rep_ids, strict=True):
        rep.id = rid

    coached = [r for r in team if r.plan_start is not None]
    plan_ids = _insert_ids(
        conn,
        s.plans,
        [
            {
                "coach_id": r.coach,
                "rep_id": r.id,
                "started_on": r.plan_start,
                "cadence_days": r.cadence,
                "status": "active" if r.active else "closed",
                "notes": f"Start with: {r.focus[0].behaviour.name}. "
                f"Meet every {r.cadence} days and check the goals each month.",
            }
            for r in coached
        ],
    )
    for rep, pid in zip(coached, plan_ids, strict=True):
        rep.plan_id = pid
    _insert(
        conn,
        s.plan_focus,
        [
            {
                "coach_id": r.coach,
                "plan_id": r.plan_id,
                "behaviour_id": f.behaviour.id,
                "style": f.style,
                "stage": f.stage,
                "position": i,
            }
            for r in coached
            for i, f in enumerate(r.focus)
        ],
    )

    assessments: list[dict[str, object]] = []
    metric_rows = 0
    for rep in team:
        for row in _assess(rep, rng, py, fw, cal):
            row["coach_id"], row["rep_id"] = rep.coach, rep.id
            assessments.append(row)
        _simulate(rep, rng, fw, cal)
        metric_rows += _write_metrics(conn, _metric_rows(rep, rng, fw, cal))
    _insert(conn, s.assessments, assessments)

    goals = [g for r in coached for g in _goals(r, rng, fw, cal)]
    _insert(conn, s.goals, goals)

    sessions = [x for r in coached for x in _sessions(r, py, fw, cal)]
    held = {x.row["rep_id"] for x in sessions}
    showcase = next(
        (r for r in coached if r.coach == coach_ids[0] and r.active and r.id in held),
        None,
    )
    if showcase is not None:
        last = [x for x in sessions if x.row["rep_id"] == showcase.id][-1]
        last.row["rep_view"] = _HTML_NOTE  # the screens must show it as text
        sessions.append(_draft(showcase, py, fw, cal))
    session_ids = _insert_ids(conn, s.sessions, [x.row for x in sessions])
    focus_rows, observations, actions = [], [], []
    for x, sid in zip(sessions, session_ids, strict=True):
        cid = x.row["coach_id"]
        focus_rows += [
            {"session_id": sid, "behaviour_id": b, "coach_id": cid} for b in x.focus
        ]
        for row in x.observations:
            row["session_id"] = sid
        for row in x.actions:
            row["session_id"] = sid
        observations += x.observations
        actions += x.actions
    _insert(conn, s.session_focus, focus_rows)
    _insert(conn, s.observations, observations)
    _insert(conn, s.actions, actions)
    _insert(conn, s.reflections, _reflections(py, coach_ids[:n_coaches], cal))
    calls = demo_calls(conn, team, fw, cal, seed)
    metric_rows = conn.execute(
        sa.select(sa.func.count()).select_from(s.metric_values)
    ).scalar_one()  # the calls' weekly numbers too

    return DemoSummary(
        coaches=n_coaches,
        reps=len(team),
        metric_values=metric_rows,
        assessments=len(assessments),
        sessions=len(sessions),
        observations=len(observations),
        actions=len(actions),
        goals=len(goals),
        plans=len(coached),
        first_day=cal.weeks[0],
        last_day=cal.today,
        calls=calls,
    )
