"""The coaching framework in the store: objectives, behaviours, rubrics, metrics.

:func:`install_framework` copies a template (see :mod:`coachkit.templates`) into the
store; later edits live in the store and old assessments keep the rubric version they
were made against.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import schema as s
from coachkit.templates import Framework


def install_framework(conn: Connection, framework: Framework) -> None:
    """Write ``framework`` into an empty store (objectives, behaviours, metrics).

    Metrics and objectives already present (same key) are left as they are, so this
    is safe to call on every start.
    """
    have_metrics = set(conn.execute(sa.select(s.metrics.c.key)).scalars())
    new_metrics = [
        {
            "key": m.key,
            "name": m.name,
            "unit": m.unit,
            "kind": m.kind,
            "higher_is_better": m.higher_is_better,
            "numerator": m.numerator,
            "denominator": m.denominator,
            "description": m.description,
        }
        for m in framework.metrics
        if m.key not in have_metrics
    ]
    if new_metrics:
        conn.execute(s.metrics.insert(), new_metrics)
    metric_ids = dict(conn.execute(sa.select(s.metrics.c.key, s.metrics.c.id)).all())
    have_objectives = set(conn.execute(sa.select(s.objectives.c.key)).scalars())
    for pos, objective in enumerate(framework.objectives):
        if objective.key in have_objectives:
            continue
        objective_id = conn.execute(
            s.objectives.insert()
            .values(
                key=objective.key,
                name=objective.name,
                description=objective.description,
                weight=objective.weight,
                position=pos,
            )
            .returning(s.objectives.c.id)
        ).scalar_one()
        for bpos, b in enumerate(objective.behaviours):
            behaviour_id = conn.execute(
                s.behaviours.insert()
                .values(
                    key=b.key,
                    objective_id=objective_id,
                    name=b.name,
                    description=b.description,
                    target_level=b.target_level,
                    rubric_version=1,
                    position=bpos,
                )
                .returning(s.behaviours.c.id)
            ).scalar_one()
            conn.execute(
                s.rubric_levels.insert(),
                [
                    {
                        "behaviour_id": behaviour_id,
                        "version": 1,
                        "level": i + 1,
                        "text": t,
                    }
                    for i, t in enumerate(b.rubric)
                ],
            )
            links = [
                {"behaviour_id": behaviour_id, "metric_id": metric_ids[key]}
                for key in b.metrics
            ]
            if links:
                conn.execute(s.behaviour_metrics.insert(), links)


def has_framework(conn: Connection) -> bool:
    """True when the store holds at least one objective."""
    count = conn.execute(sa.select(sa.func.count()).select_from(s.objectives))
    return count.scalar_one() > 0


def behaviours_frame(conn: Connection) -> pd.DataFrame:
    """One row per behaviour with its objective, weight and target level."""
    b, o = s.behaviours, s.objectives
    query = (
        sa.select(
            b.c.id.label("behaviour_id"),
            b.c.key.label("behaviour_key"),
            b.c.name.label("behaviour"),
            b.c.target_level,
            b.c.rubric_version,
            o.c.key.label("objective_key"),
            o.c.name.label("objective"),
            o.c.weight.label("objective_weight"),
        )
        .join(o, b.c.objective_id == o.c.id)
        .order_by(o.c.position, b.c.position)
    )
    return pd.DataFrame(conn.execute(query).mappings().all())


def metrics_frame(conn: Connection) -> pd.DataFrame:
    """One row per metric definition."""
    query = sa.select(s.metrics).order_by(s.metrics.c.id)
    return pd.DataFrame(conn.execute(query).mappings().all())
