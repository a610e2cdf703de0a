"""Make a team's own framework file the framework in the store, keeping history.

A team forks ``framework.yaml`` (or starts from one under ``templates/frameworks``),
checks it with :func:`coachkit.model.templates.framework_problems` and switches to it
with
:func:`use_framework`. Everything is matched by key:

- an objective or behaviour whose key is in the store keeps its id, so ratings,
  goals, plans, sessions and notes keep pointing at it; its name, description,
  weight, target, order and metrics follow the file;
- a rubric whose words changed gets a new rubric version (as
  :func:`coachkit.model.framework.set_rubric` does), so an old rating still shows the
  words that scored it;
- new objectives and behaviours are added, and metrics the store lacks too;
- a behaviour the file no longer names is deleted when nothing uses it. When
  coaching records use it, it is kept, so their history stays readable. An
  objective the file no longer names goes the same way; one kept for its
  behaviours gets weight 0, so it no longer counts in the ranking.

The store has no "retired" mark, so kept behaviours still show in the workbooks
with their ratings; :class:`FrameworkChange` names them so a lead can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.framework import install_framework, set_rubric
from coachkit.model.templates import Behaviour, Framework
from coachkit.store import access
from coachkit.store import schema as s


@dataclass(frozen=True)
class FrameworkChange:
    """What :func:`use_framework` changed, each as a tuple of keys."""

    objectives_added: tuple[str, ...] = ()
    behaviours_added: tuple[str, ...] = ()
    rubrics_changed: tuple[str, ...] = ()
    behaviours_removed: tuple[str, ...] = ()
    behaviours_kept: tuple[str, ...] = ()
    objectives_removed: tuple[str, ...] = ()
    objectives_kept: tuple[str, ...] = ()
    metrics_added: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Say what changed, one plain sentence per kind of change."""
        said = [
            ("added {n}: {keys}", "objective", self.objectives_added),
            ("added {n}: {keys}", "behaviour", self.behaviours_added),
            ("added {n}: {keys}", "metric", self.metrics_added),
            (
                "wrote a new rubric version for {n}; older ratings keep the words "
                "that scored them: {keys}",
                "behaviour",
                self.rubrics_changed,
            ),
            (
                "removed {n} that nothing used: {keys}",
                "behaviour",
                self.behaviours_removed,
            ),
            ("removed {n} left empty: {keys}", "objective", self.objectives_removed),
            (
                "kept {n} that are not in the new framework because ratings, goals, "
                "plans or notes use them: {keys}",
                "behaviour",
                self.behaviours_kept,
            ),
            (
                "kept {n} that are not in the new framework to hold those "
                "behaviours, with weight 0 so they no longer count in the "
                "ranking: {keys}",
                "objective",
                self.objectives_kept,
            ),
        ]
        return [
            text.format(
                n=f"{len(keys)} {word}{'' if len(keys) == 1 else 's'}",
                keys=", ".join(keys),
            )
            for text, word, keys in said
            if keys
        ]


@access.lead_only
def use_framework(conn: Connection, framework: Framework) -> FrameworkChange:
    """Make ``framework`` the team's framework; return what changed.

    Call it inside one transaction (``with store.write() as conn``) with a
    framework from :func:`coachkit.model.templates.load_framework`, so the switch is
    all or nothing.

    Raises
    ------
    ValidationError
        A rubric text the store cannot take, such as one over 500 characters
        (the message names the behaviour).
    """
    m = s.metrics
    had_metrics = set(conn.execute(sa.select(m.c.key)).scalars())
    install_framework(conn, Framework(framework.name, "", (), framework.metrics))
    metric_ids = dict(conn.execute(sa.select(m.c.key, m.c.id)).all())
    o, b = s.objectives, s.behaviours
    have_objectives = dict(conn.execute(sa.select(o.c.key, o.c.id)).all())
    have_behaviours = dict(conn.execute(sa.select(b.c.key, b.c.id)).all())
    objectives_added: list[str] = []
    behaviours_added: list[str] = []
    rubrics_changed: list[str] = []
    for pos, objective in enumerate(framework.objectives):
        values = {
            "name": objective.name,
            "description": objective.description,
            "weight": objective.weight,
            "position": pos,
        }
        objective_id = have_objectives.get(objective.key)
        if objective_id is None:
            objective_id = _insert(conn, o, key=objective.key, **values)
            objectives_added.append(objective.key)
        else:
            _update(conn, o, objective_id, values)
        for bpos, behaviour in enumerate(objective.behaviours):
            values = {
                "objective_id": objective_id,
                "name": behaviour.name,
                "description": behaviour.description,
                "target_level": behaviour.target_level,
                "position": bpos,
            }
            behaviour_id = have_behaviours.get(behaviour.key)
            if behaviour_id is None:
                behaviour_id = _insert(
                    conn, b, key=behaviour.key, rubric_version=1, **values
                )
                _write_first_rubric(conn, behaviour_id, behaviour)
                behaviours_added.append(behaviour.key)
            else:
                _update(conn, b, behaviour_id, values)
                if _change_rubric(conn, behaviour, f"{objective.key}.{behaviour.key}"):
                    rubrics_changed.append(behaviour.key)
            _link_metrics(
                conn, behaviour_id, [metric_ids[k] for k in behaviour.metrics]
            )
    named = {bh.key for bh in framework.behaviours()}
    gone = {k: i for k, i in have_behaviours.items() if k not in named}
    used = _in_use(conn, list(gone.values()))
    removed = sorted(k for k, i in gone.items() if i not in used)
    _delete_behaviours(conn, [gone[k] for k in removed])
    objectives_removed, objectives_kept = _settle_objectives(conn, framework)
    return FrameworkChange(
        objectives_added=tuple(objectives_added),
        behaviours_added=tuple(behaviours_added),
        rubrics_changed=tuple(rubrics_changed),
        behaviours_removed=tuple(removed),
        behaviours_kept=tuple(sorted(k for k, i in gone.items() if i in used)),
        objectives_removed=objectives_removed,
        objectives_kept=objectives_kept,
        metrics_added=tuple(
            mt.key for mt in framework.metrics if mt.key not in had_metrics
        ),
    )


def _insert(conn: Connection, table: sa.Table, **values: object) -> int:
    row_id: int = conn.execute(
        table.insert().values(**values).returning(table.c.id)
    ).scalar_one()
    return row_id


def _update(
    conn: Connection, table: sa.Table, row_id: int, values: dict[str, object]
) -> None:
    """Update a row, marking it edited only when something really changed."""
    current = conn.execute(
        sa.select(*(table.c[name] for name in values)).where(table.c.id == row_id)
    ).one()
    if tuple(current) == tuple(values.values()):
        return
    bumped = {"row_version": table.c.row_version + 1, "updated_at": sa.func.now()}
    conn.execute(table.update().where(table.c.id == row_id).values(**values, **bumped))


def _write_first_rubric(conn: Connection, behaviour_id: int, bh: Behaviour) -> None:
    conn.execute(
        s.rubric_levels.insert(),
        [
            {"behaviour_id": behaviour_id, "version": 1, "level": i, "text": text}
            for i, text in enumerate(bh.rubric, start=1)
        ],
    )


def _change_rubric(conn: Connection, bh: Behaviour, where: str) -> bool:
    """Give the behaviour the file's rubric; True when that made a new version."""
    b = s.behaviours
    before = conn.execute(
        sa.select(b.c.rubric_version).where(b.c.key == bh.key)
    ).scalar_one()
    try:
        return set_rubric(conn, bh.key, bh.rubric) != before
    except ValidationError as exc:
        raise ValidationError(f"{where} {exc.field}", exc.problem) from None


def _link_metrics(conn: Connection, behaviour_id: int, metric_ids: list[int]) -> None:
    bm = s.behaviour_metrics
    conn.execute(bm.delete().where(bm.c.behaviour_id == behaviour_id))
    if metric_ids:
        conn.execute(
            bm.insert(),
            [{"behaviour_id": behaviour_id, "metric_id": m} for m in metric_ids],
        )


def _in_use(conn: Connection, behaviour_ids: list[int]) -> set[int]:
    """The behaviours that coaching records (not the framework itself) point at."""
    own = {s.rubric_levels, s.behaviour_metrics}
    used: set[int] = set()
    for table in s.metadata.sorted_tables:
        if table in own or not behaviour_ids:
            continue
        for column in table.c:
            if any(fk.column is s.behaviours.c.id for fk in column.foreign_keys):
                query = sa.select(column).distinct().where(column.in_(behaviour_ids))
                used.update(conn.execute(query).scalars())
    return used


def _delete_behaviours(conn: Connection, behaviour_ids: list[int]) -> None:
    for table in (s.rubric_levels, s.behaviour_metrics):
        conn.execute(table.delete().where(table.c.behaviour_id.in_(behaviour_ids)))
    conn.execute(s.behaviours.delete().where(s.behaviours.c.id.in_(behaviour_ids)))


def _settle_objectives(
    conn: Connection, framework: Framework
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Delete objectives the file dropped when empty; park the rest at weight 0."""
    o, b = s.objectives, s.behaviours
    named = {objective.key for objective in framework.objectives}
    count = (
        sa.select(sa.func.count()).where(b.c.objective_id == o.c.id).scalar_subquery()
    )
    rows = conn.execute(
        sa.select(o.c.id, o.c.key, count).order_by(o.c.position, o.c.id)
    ).all()
    removed = tuple(key for _id, key, n in rows if key not in named and n == 0)
    kept = [(oid, key) for oid, key, n in rows if key not in named and n > 0]
    conn.execute(o.delete().where(o.c.key.in_(removed)))
    for pos, (oid, _key) in enumerate(kept, start=len(framework.objectives)):
        _update(conn, o, oid, {"weight": 0.0, "position": pos})
    return removed, tuple(key for _oid, key in kept)
