"""Practice teams: one made-up team, copied row for row to many coaches.

Workshop seats (:mod:`coachkit.web.workshop`) each get a copy of the same demo team, so
a trainer can say "open Priya's plan" and everyone finds it. The team is built once
by the demo builder in a scratch SQLite file (:func:`make_template`) and copied
with fixed row ids: coach ``k`` (counting from 0) holds the template's id plus ``k``
times the template's largest id, in every team table. Made again from the same
:class:`Recipe`, the copies come out identical, ids included, which is how a reset
puts the start state back exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import continue_ids

#: History each practice team has, and the demo seed they are made from.
MONTHS = 9
SEED = 7

_BATCH = 20_000
_STAMPS = ("created_at", "updated_at")
_TEAM = frozenset(s.TEAM_TABLES)
#: The organisation's framework: copied into the template so behaviour ids match.
_FRAMEWORK = tuple(
    t
    for t in s.metadata.sorted_tables
    if t not in _TEAM and t not in (s.coaches, s.seats, s.meta)
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Recipe:
    """How the practice teams were made: enough to make them again, row for row."""

    today: dt.date
    reps: int
    months: int
    seed: int
    made_at: dt.datetime

    def to_json(self) -> str:
        """The recipe as it is kept in ``meta``."""
        return json.dumps(
            {
                "today": self.today.isoformat(),
                "reps": self.reps,
                "months": self.months,
                "seed": self.seed,
                "made_at": self.made_at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Recipe:
        """Read a recipe kept by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            today=dt.date.fromisoformat(data["today"]),
            reps=int(data["reps"]),
            months=int(data["months"]),
            seed=int(data["seed"]),
            made_at=dt.datetime.fromisoformat(data["made_at"]),
        )


@dataclass(frozen=True)
class Template:
    """One demo team's rows, per team table, with the largest id of each table."""

    rows: dict[sa.Table, list[Row]]
    span: dict[sa.Table, int]
    first_day: dt.date


@access.lead_only
def make_template(conn: Connection, made: Recipe) -> Template:
    """Build one demo team in a scratch SQLite file, on this store's framework.

    The same recipe and framework always give the same rows (the demo builder is
    seeded), so a reset can make the start state again.
    """
    from coachkit.demo import build_demo
    from coachkit.store.database import open_store

    with tempfile.TemporaryDirectory(prefix="coachkit-workshop-") as folder:
        scratch = open_store(Path(folder) / "template.db")
        try:
            with scratch.write() as out:
                for table in _FRAMEWORK:
                    found = conn.execute(sa.select(table)).mappings()
                    copied = [dict(r) for r in found]
                    if copied:
                        out.execute(table.insert(), copied)
            summary = build_demo(
                scratch,
                coaches=1,
                reps=made.reps,
                months=made.months,
                seed=made.seed,
                today=made.today,
            )
            with scratch.read() as src:
                coach = src.execute(
                    sa.select(s.coaches.c.id).where(s.coaches.c.role == "coach")
                ).scalar_one()
                rows = {
                    table: [
                        dict(r)
                        for r in src.execute(
                            sa.select(table)
                            .where(table.c.coach_id == coach)
                            .order_by(*table.primary_key.columns)
                        ).mappings()
                    ]
                    for table in s.TEAM_TABLES
                }
        finally:
            scratch.dispose()
    span = {
        table: max((r["id"] for r in found), default=0) if "id" in table.c else 0
        for table, found in rows.items()
    }
    return Template(rows, span, summary.first_day)


@access.lead_only
def insert_teams(
    conn: Connection,
    template: Template,
    coach_ids: list[int],
    stamp: dt.datetime,
    slots: list[int] | None = None,
) -> int:
    """Copy the template to each coach; the ``k``-th shifts ids by ``k`` spans.

    ``slots`` gives each coach's ``k`` instead of its place in ``coach_ids`` (a
    seat added later uses a block of ids past every row already there). Every
    copied row is stamped ``stamp`` (``created_at``, ``updated_at``). Returns the
    number of rows written.
    """
    places = list(range(len(coach_ids))) if slots is None else slots
    written = 0
    for table in s.metadata.sorted_tables:
        if table not in _TEAM:
            continue
        move = _mover(table, template.span, stamp)
        rows = [
            move(row, k, coach)
            for k, coach in zip(places, coach_ids, strict=True)
            for row in template.rows[table]
        ]
        for i in range(0, len(rows), _BATCH):
            conn.execute(table.insert(), rows[i : i + _BATCH])
        written += len(rows)
    continue_ids(conn, s.TEAM_TABLES)
    return written


def _mover(
    table: sa.Table, span: Mapping[sa.Table, int], stamp: dt.datetime
) -> Callable[[Row, int, int], Row]:
    """A function giving a template row as seat ``k`` (coach ``coach``) holds it."""
    shifts: dict[str, int] = {}  # column -> span of the table its ids belong to
    coach_columns: list[str] = []
    for column in table.columns:
        if column is table.autoincrement_column:
            shifts[column.name] = span[table]
        for fk in column.foreign_keys:
            target = fk.column.table
            if target is s.coaches:
                coach_columns.append(column.name)
            elif target in _TEAM:
                shifts[column.name] = span[target]
    stamps = [name for name in _STAMPS if name in table.c]

    def move(row: Row, k: int, coach: int) -> Row:
        moved = dict(row)
        for name, size in shifts.items():
            if moved[name] is not None:
                moved[name] += k * size
        for name in coach_columns:
            moved[name] = coach
        for name in stamps:
            moved[name] = stamp
        return moved

    return move


@access.lead_only
def free_slot(conn: Connection, template: Template) -> int:
    """The first block of ids past every row of every team table (for a new seat)."""
    slot = 0
    for table, size in template.span.items():
        if size:
            top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            slot = max(slot, -(-int(top) // size))
    return slot


@access.lead_only
def delete_teams(conn: Connection, coach_ids: list[int]) -> None:
    """Delete every team row of these coaches (child tables first)."""
    for table in reversed(s.metadata.sorted_tables):
        if table in _TEAM:
            conn.execute(table.delete().where(table.c.coach_id.in_(coach_ids)))
