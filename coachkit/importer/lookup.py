"""Finding the coaches, reps, metrics and behaviours an import file names.

Names match as the team screens match them: case and extra spaces do not count.
Keys of metrics and behaviours match like headers ("Win rate" is win_rate), and so
do their display names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit import access
from coachkit import schema as s
from coachkit.importer.cells import BadCell, Cells, Parse, safe, text
from coachkit.importer.columns import normal
from coachkit.importer.problems import shown
from coachkit.team import NAME_MAX


def same_name(name: str) -> str:
    """A person's name as compared: case and extra spaces do not count."""
    return " ".join(name.split()).casefold()


def coach_ids(conn: Connection, cells: Cells, coach: str | None) -> np.ndarray:
    """Each row's coach id (None where unknown); problems go to ``cells``."""
    rows = conn.execute(sa.select(s.coaches.c.id, s.coaches.c.name)).all()
    by_name = {same_name(name): int(cid) for cid, name in rows}
    every = ", ".join(name for _, name in rows[:6]) or "none yet"
    default: int | None = None
    # Someone signed in as a coach imports only into their own team.
    viewer = access.viewer_of(conn)
    own = None if viewer is None or viewer.sees_all else viewer.coach_id
    if coach is not None:
        default = by_name.get(same_name(coach))
        if default is None:
            cells.problems.add(
                f"there is no coach named {shown(coach)} in this store (given with "
                f"--coach); the coaches are: {every}."
            )
            return np.full(cells.rows, None, dtype=object)
        if own is not None and default != own:
            cells.problems.add(
                f"{shown(coach)} is another coach; you can only import your own team."
            )
            return np.full(cells.rows, None, dtype=object)
    elif len(rows) == 1:
        default = int(rows[0][0])
    elif not cells.has("coach"):
        cells.problems.add(
            "row 1: the file has no 'coach' column; add one with each rep's coach, "
            "or name the coach for the whole file with --coach.",
            1,
        )
        return np.full(cells.rows, None, dtype=object)

    def parse(value: str) -> int:
        safe(value)
        found = by_name.get(same_name(value))
        if found is None:
            raise BadCell(
                f"there is no coach named {shown(value)} in this store; the coaches "
                f"are: {every}"
            )
        if own is not None and found != own:
            raise BadCell(
                f"{shown(value)} is another coach; you can only import your own team"
            )
        return found

    ids, _ = cells.parse("coach", parse, "a coach's name", required=default is None)
    if default is not None:
        ids[pd.isna(ids)] = default
    return ids


def rep_names(cells: Cells, column: str) -> np.ndarray:
    """Each row's rep name as written (None where empty or unsafe)."""
    names, _ = cells.parse(column, text(NAME_MAX), "the rep's name", required=True)
    return names


def rep_ids(conn: Connection, cells: Cells, coaches: np.ndarray) -> np.ndarray:
    """Each row's rep id from its coach and ``rep`` cell (None where unknown)."""
    names = rep_names(cells, "rep")
    r = s.reps
    known = {
        (int(cid), same_name(name)): int(rid)
        for rid, cid, name in conn.execute(sa.select(r.c.id, r.c.coach_id, r.c.name))
    }
    coach_names = dict(conn.execute(sa.select(s.coaches.c.id, s.coaches.c.name)).all())
    coach_codes, coach_values = pd.factorize(coaches)
    name_codes, name_values = pd.factorize(names)
    usable = (coach_codes >= 0) & (name_codes >= 0)
    pair = np.where(usable, coach_codes * (len(name_values) + 1) + name_codes, -1)
    codes, pairs = pd.factorize(pair)
    found = np.full(len(pairs), None, dtype=object)
    for i, code in enumerate(pairs.tolist()):
        if code >= 0:
            cid = int(coach_values[code // (len(name_values) + 1)])
            name = name_values[code % (len(name_values) + 1)]
            found[i] = known.get((cid, same_name(name)))
    ids = found[codes]
    missing = usable & pd.isna(ids)
    cells.report(
        "rep",
        missing,
        lambda i: (
            f"{coach_names[int(coaches[i])]} has no rep named "
            f"{shown(str(names[i]))}; add the rep first (coachkit import reps)"
        ),
    )
    return ids


def metric_parser(conn: Connection) -> Parse:
    """Turn a metric key or name into its id; rates are refused."""
    m = s.metrics
    rows = conn.execute(
        sa.select(m.c.id, m.c.key, m.c.name, m.c.kind, m.c.numerator, m.c.denominator)
    ).all()
    by = {normal(row.name): row for row in rows} | {
        normal(row.key): row for row in rows
    }

    def parse(value: str) -> int:
        safe(value)
        row = by.get(normal(value))
        if row is None:
            raise BadCell(
                f"expected a metric key such as {rows[0].key if rows else 'wins'}, "
                f"got {shown(value)}; no metric has that key or name"
            )
        if row.kind == "rate":
            raise BadCell(
                f"{row.key} is a rate worked out from {row.numerator} and "
                f"{row.denominator}; import those two numbers instead"
            )
        return int(row.id)

    return parse


def behaviour_parser(conn: Connection) -> tuple[Parse, dict[int, int]]:
    """Turn a behaviour key or name into its id; also each one's rubric version."""
    b = s.behaviours
    query = sa.select(b.c.id, b.c.key, b.c.name, b.c.rubric_version)
    rows = conn.execute(query).all()
    by = {normal(row.name): row for row in rows} | {
        normal(row.key): row for row in rows
    }

    def parse(value: str) -> int:
        safe(value)
        row = by.get(normal(value))
        if row is None:
            raise BadCell(
                f"expected a behaviour key such as {rows[0].key if rows else 'x'}, "
                f"got {shown(value)}; no behaviour has that key or name"
            )
        return int(row.id)

    return parse, {int(row.id): int(row.rubric_version) for row in rows}
