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

:func:`preview_framework` says all of this before it happens, reading only: new,
renamed, moved and removed objectives and behaviours, new weights, targets,
descriptions, rubric levels and metrics, and what happens to existing ratings.
:func:`use_framework` makes exactly the changes the preview lists and returns it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.framework import install_framework, set_rubric
from coachkit.model.framework_changes import (
    METRIC_PARTS,
    Edit,
    FrameworkChange,
    quoted,
    reordered,
)
from coachkit.model.templates import Behaviour, Framework
from coachkit.model.tracker_phrases import tracker_phrases, write_phrases
from coachkit.store import access
from coachkit.store import schema as s


@access.lead_only
def preview_framework(conn: Connection, framework: Framework) -> FrameworkChange:
    """Say what :func:`use_framework` would change, writing nothing.

    Parameters
    ----------
    framework
        A framework from :func:`coachkit.model.templates.load_framework`.

    Returns
    -------
    FrameworkChange
        Every change, as :func:`use_framework` would make it; its ``lines()`` say
        them in words.
    """
    return _Plan.read(conn, framework).change(framework)


@access.lead_only
def use_framework(conn: Connection, framework: Framework) -> FrameworkChange:
    """Make ``framework`` the team's framework; return what changed.

    Call it inside one transaction (``with store.write() as conn``) with a
    framework from :func:`coachkit.model.templates.load_framework`, so the switch is
    all or nothing. The change returned is the one :func:`preview_framework` gave
    just before.

    Raises
    ------
    ValidationError
        A rubric text the store cannot take, such as one over 500 characters
        (the message names the behaviour).
    """
    change = preview_framework(conn, framework)
    install_framework(conn, Framework(framework.name, "", (), framework.metrics))
    m = s.metrics
    metric_ids = dict(conn.execute(sa.select(m.c.key, m.c.id)).all())
    o, b = s.objectives, s.behaviours
    have_objectives = dict(conn.execute(sa.select(o.c.key, o.c.id)).all())
    have_behaviours = dict(conn.execute(sa.select(b.c.key, b.c.id)).all())
    for pos, objective in enumerate(framework.objectives):
        values: dict[str, object] = {
            "name": objective.name,
            "description": objective.description,
            "weight": objective.weight,
            "position": pos,
        }
        objective_id = have_objectives.get(objective.key)
        if objective_id is None:
            objective_id = _insert(conn, o, key=objective.key, **values)
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
            else:
                _update(conn, b, behaviour_id, values)
                _change_rubric(conn, behaviour)
            _link_metrics(
                conn, behaviour_id, [metric_ids[k] for k in behaviour.metrics]
            )
            write_phrases(conn, behaviour_id, behaviour.trackers)
    _delete_behaviours(conn, [have_behaviours[k] for k in change.behaviours_removed])
    _settle_objectives(conn, framework, change)
    return change


@dataclass(frozen=True)
class _Plan:
    """The framework in the store, read once to compare with a file."""

    objectives: dict[str, Any]  # key -> row, in framework order
    behaviours: dict[str, Any]  # key -> row, in framework order
    metrics: dict[str, Any]  # key -> row
    links: dict[int, set[str]]  # behaviour id -> metric keys
    rubrics: dict[int, tuple[str, ...]]  # behaviour id -> current texts
    ratings: dict[int, int]  # behaviour id -> number of ratings
    in_use: set[int]  # behaviours that coaching records point at
    trackers: dict[int, tuple[str, ...]]  # behaviour id -> tracker phrases

    @classmethod
    def read(cls, conn: Connection, framework: Framework) -> _Plan:
        o, b, m, a = s.objectives, s.behaviours, s.metrics, s.assessments
        objectives = {
            row.key: row
            for row in conn.execute(sa.select(o).order_by(o.c.position, o.c.id))
        }
        order = {row.id: i for i, row in enumerate(objectives.values())}
        rows = sorted(
            conn.execute(sa.select(b).order_by(b.c.position, b.c.id)),
            key=lambda row: order.get(row.objective_id, len(order)),
        )
        behaviours = {row.key: row for row in rows}
        bm = s.behaviour_metrics
        links: dict[int, set[str]] = {}
        for bid, key in conn.execute(
            sa.select(bm.c.behaviour_id, m.c.key).join(m, bm.c.metric_id == m.c.id)
        ):
            links.setdefault(bid, set()).add(key)
        r = s.rubric_levels
        texts: dict[int, list[str]] = {}
        for bid, text in conn.execute(
            sa.select(r.c.behaviour_id, r.c.text)
            .join(b, (r.c.behaviour_id == b.c.id) & (r.c.version == b.c.rubric_version))
            .order_by(r.c.behaviour_id, r.c.level)
        ):
            texts.setdefault(bid, []).append(text)
        counts = conn.execute(
            sa.select(a.c.behaviour_id, sa.func.count()).group_by(a.c.behaviour_id)
        ).all()
        named = {bh.key for bh in framework.behaviours()}
        gone = [row.id for key, row in behaviours.items() if key not in named]
        return cls(
            objectives=objectives,
            behaviours=behaviours,
            metrics={row.key: row for row in conn.execute(sa.select(m))},
            links=links,
            rubrics={bid: tuple(t) for bid, t in texts.items()},
            ratings={bid: int(n) for bid, n in counts},
            in_use=_in_use(conn, gone),
            trackers=tracker_phrases(conn),
        )

    def change(self, framework: Framework) -> FrameworkChange:
        """Compare the store with ``framework``: every change, nothing written."""
        named = {bh.key for bh in framework.behaviours()}
        gone = [key for key in self.behaviours if key not in named]
        kept = tuple(k for k in gone if self.behaviours[k].id in self.in_use)
        keeping = {self.behaviours[k].objective_id for k in kept}
        in_file = {objective.key for objective in framework.objectives}
        left = [row for key, row in self.objectives.items() if key not in in_file]
        objective_names = {key: row.name for key, row in self.objectives.items()}
        objective_names.update({ob.key: ob.name for ob in framework.objectives})
        behaviour_names = {key: row.name for key, row in self.behaviours.items()}
        behaviour_names.update({bh.key: bh.name for bh in framework.behaviours()})
        metric_names = {key: row.name for key, row in self.metrics.items()}
        metric_names.update(
            {mt.key: mt.name for mt in framework.metrics if mt.key not in self.metrics}
        )
        rubrics = [
            bh.key
            for bh in framework.behaviours()
            if bh.key in self.behaviours
            and self.rubrics.get(self.behaviours[bh.key].id) != bh.rubric
        ]
        ratings = {
            key: self.ratings.get(self.behaviours[key].id, 0)
            for key in (*kept, *rubrics)
        }
        return FrameworkChange(
            objectives_added=tuple(
                ob.key for ob in framework.objectives if ob.key not in self.objectives
            ),
            behaviours_added=tuple(
                bh.key for bh in framework.behaviours() if bh.key not in self.behaviours
            ),
            rubrics_changed=tuple(rubrics),
            behaviours_removed=tuple(k for k in gone if k not in kept),
            behaviours_kept=kept,
            objectives_removed=tuple(r.key for r in left if r.id not in keeping),
            objectives_kept=tuple(r.key for r in left if r.id in keeping),
            metrics_added=tuple(
                mt.key for mt in framework.metrics if mt.key not in self.metrics
            ),
            objective_edits=tuple(self._objective_edits(framework)),
            behaviour_edits=tuple(self._behaviour_edits(framework, metric_names)),
            metrics_differ=tuple(
                mt.key
                for mt in framework.metrics
                if mt.key in self.metrics
                and any(
                    getattr(mt, part) != getattr(self.metrics[mt.key], part)
                    for part in METRIC_PARTS
                )
            ),
            objective_names=MappingProxyType(objective_names),
            behaviour_names=MappingProxyType(behaviour_names),
            metric_names=MappingProxyType(metric_names),
            ratings=MappingProxyType(ratings),
        )

    def _objective_edits(self, framework: Framework) -> list[Edit]:
        edits: list[Edit] = []
        for objective in framework.objectives:
            row = self.objectives.get(objective.key)
            if row is None:
                continue
            if row.name != objective.name:
                edits.append(Edit(objective.key, "name", row.name, objective.name))
            if row.weight != objective.weight:
                edits.append(
                    Edit(
                        objective.key,
                        "weight",
                        f"{row.weight:g}",
                        f"{objective.weight:g}",
                    )
                )
            if row.description != objective.description:
                edits.append(Edit(objective.key, "description"))
            before = [k for k, r in self.behaviours.items() if r.objective_id == row.id]
            after = [bh.key for bh in objective.behaviours]
            if reordered(before, after):
                edits.append(Edit(objective.key, "order", after=", ".join(after)))
        if reordered(list(self.objectives), [ob.key for ob in framework.objectives]):
            edits.append(Edit("", "order"))
        return edits

    def _behaviour_edits(
        self, framework: Framework, metric_names: Mapping[str, str]
    ) -> list[Edit]:
        ids = {key: row.id for key, row in self.objectives.items()}
        was = {row.id: row.name for row in self.objectives.values()}
        edits: list[Edit] = []
        for objective in framework.objectives:
            for bh in objective.behaviours:
                row = self.behaviours.get(bh.key)
                if row is None:
                    continue
                if row.name != bh.name:
                    edits.append(Edit(bh.key, "name", row.name, bh.name))
                if ids.get(objective.key) != row.objective_id:
                    old = f'"{was.get(row.objective_id, "")}"'
                    edits.append(Edit(bh.key, "objective", old, f'"{objective.name}"'))
                if row.target_level != bh.target_level:
                    edits.append(
                        Edit(
                            bh.key,
                            "target level",
                            str(row.target_level),
                            str(bh.target_level),
                        )
                    )
                texts = self.rubrics.get(row.id, ())
                levels = [
                    str(level)
                    for level, text in enumerate(bh.rubric, start=1)
                    if level > len(texts) or texts[level - 1] != text
                ]
                if levels:
                    edits.append(Edit(bh.key, "rubric", after=", ".join(levels)))
                have, want = self.links.get(row.id, set()), set(bh.metrics)
                if have != want:
                    edits.append(
                        Edit(
                            bh.key,
                            "metrics",
                            quoted(metric_names, sorted(have - want)),
                            quoted(
                                metric_names, [k for k in bh.metrics if k not in have]
                            ),
                        )
                    )
                if row.description != bh.description:
                    edits.append(Edit(bh.key, "description"))
                had = self.trackers.get(row.id, ())
                if had != bh.trackers:
                    edits.append(
                        Edit(
                            bh.key,
                            "trackers",
                            ", ".join(f'"{p}"' for p in had if p not in bh.trackers),
                            ", ".join(f'"{p}"' for p in bh.trackers if p not in had),
                        )
                    )
        return edits


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


def _change_rubric(conn: Connection, bh: Behaviour) -> None:
    """Give the behaviour the file's rubric (a new version when its words differ)."""
    try:
        set_rubric(conn, bh.key, bh.rubric)
    except ValidationError as exc:
        raise ValidationError(
            f'Behaviour "{bh.name}", {exc.field}', exc.problem
        ) from None


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
    own = {s.rubric_levels, s.behaviour_metrics, s.trackers}
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
    for table in (s.rubric_levels, s.behaviour_metrics, s.trackers):
        conn.execute(table.delete().where(table.c.behaviour_id.in_(behaviour_ids)))
    conn.execute(s.behaviours.delete().where(s.behaviours.c.id.in_(behaviour_ids)))


def _settle_objectives(
    conn: Connection, framework: Framework, change: FrameworkChange
) -> None:
    """Delete the objectives the file dropped that are left empty; park the rest at
    weight 0, after the file's objectives."""
    o = s.objectives
    conn.execute(o.delete().where(o.c.key.in_(change.objectives_removed)))
    rows = dict(
        conn.execute(
            sa.select(o.c.key, o.c.id).where(o.c.key.in_(change.objectives_kept))
        ).all()
    )
    for pos, key in enumerate(change.objectives_kept, start=len(framework.objectives)):
        _update(conn, o, rows[key], {"weight": 0.0, "position": pos})
