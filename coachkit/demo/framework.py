"""The coaching framework as the demo reads it from the store."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.calls.weekly import CALL_METRIC_KEYS
from coachkit.store import schema as s


@dataclass(frozen=True)
class _Metric:
    id: int
    key: str
    name: str
    unit: str
    kind: str
    numerator: str | None
    denominator: str | None

    @property
    def monthly(self) -> bool:
        return (
            "month" in self.unit.lower()
            or self.kind == "percent"
            or self.key == "avg_deal_size"
        )


@dataclass(frozen=True)
class _Behaviour:
    id: int
    key: str
    name: str
    target: int
    weight: float
    linked: tuple[str, ...]  # metric keys linked in the framework
    rates: tuple[str, ...]  # rate metrics this behaviour shows
    counts: tuple[str, ...]  # linked counts that are not part of a rate


@dataclass(frozen=True)
class _Framework:
    behaviours: tuple[_Behaviour, ...]
    metrics: dict[str, _Metric]

    @classmethod
    def from_store(cls, conn: Connection) -> _Framework:
        m = s.metrics
        metrics = {
            row.key: _Metric(
                row.id,
                row.key,
                row.name,
                row.unit,
                row.kind,
                row.numerator,
                row.denominator,
            )
            for row in conn.execute(sa.select(m).order_by(m.c.id))
            # The call metrics come from the demo's calls (coachkit.demo.calls).
            if row.key not in CALL_METRIC_KEYS
        }
        by_id = {mt.id: mt for mt in metrics.values()}
        links: dict[int, list[_Metric]] = {}
        for b_id, m_id in conn.execute(sa.select(s.behaviour_metrics)):
            if m_id in by_id:
                links.setdefault(b_id, []).append(by_id[m_id])
        rates = [mt for mt in metrics.values() if mt.kind == "rate"]
        in_rates = {k for r in rates for k in (r.numerator, r.denominator)}
        b, o = s.behaviours, s.objectives
        query = (
            sa.select(b.c.id, b.c.key, b.c.name, b.c.target_level, o.c.weight)
            .join(o, b.c.objective_id == o.c.id)
            .order_by(o.c.position, b.c.position, b.c.id)
        )
        behaviours = []
        for row in conn.execute(query):
            linked = links.get(row.id, [])
            keys = {mt.key for mt in linked}
            shown = tuple(r.key for r in rates if r.key in keys or r.numerator in keys)
            counts = tuple(
                mt.key for mt in linked if mt.kind == "count" and mt.key not in in_rates
            )
            behaviours.append(
                _Behaviour(
                    row.id,
                    row.key,
                    row.name,
                    row.target_level,
                    row.weight,
                    tuple(sorted(keys)),
                    shown,
                    counts,
                )
            )
        return cls(tuple(behaviours), metrics)
