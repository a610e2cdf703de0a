"""Finding the coaches, reps, metrics and behaviours an import file names.

Names match as the team screens match them: case and extra spaces do not count.
Keys of metrics and behaviours match like headers ("Win rate" is win_rate), and so
do their display names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.importer.cells import BadCell, Cells, Parse, person, safe
from coachkit.exchange.importer.columns import normal
from coachkit.exchange.importer.problems import shown
from coachkit.model.names import difference, look_alike_key
from coachkit.model.team import NAME_MAX
from coachkit.model.text import name_key
from coachkit.store import access
from coachkit.store import schema as s

T = TypeVar("T")


def coach_ids(conn: Connection, cells: Cells, coach: str | None) -> np.ndarray:
    """Each row's coach id (None where unknown); problems go to ``cells``."""
    rows = conn.execute(sa.select(s.coaches.c.id, s.coaches.c.name)).all()
    by_name = {name_key(name): int(cid) for cid, name in rows}
    every = ", ".join(name for _, name in rows[:6]) or "none yet"
    default: int | None = None
    # Someone signed in as a coach imports only into their own team.
    viewer = access.viewer_of(conn)
    if viewer is not None and viewer.is_rep:  # a rep's page imports nothing
        raise access.AccessDenied("Access", "only a coach can import a team's data")
    own = None if viewer is None or viewer.sees_all else viewer.coach_id
    if coach is not None:
        default = by_name.get(name_key(coach))
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

    find = _finder(
        by_name,
        name_key,
        lambda name: (
            f"there is no coach named {name} in this store; the coaches are: {every}"
        ),
    )

    def parse(value: str) -> int:
        found = find(value)
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
    """Each row's rep name, cleaned (None where empty or unsafe).

    A name with a character nobody can see is refused; the others come back in
    Unicode NFC with single spaces.
    """
    names, _ = cells.parse(column, person(NAME_MAX), "the rep's name", required=True)
    return names


def rep_ids(conn: Connection, cells: Cells, coaches: np.ndarray) -> np.ndarray:
    """Each row's rep id from its coach and ``rep`` cell (None where unknown)."""
    names = rep_names(cells, "rep")
    r = s.reps
    stored = conn.execute(sa.select(r.c.id, r.c.coach_id, r.c.name)).all()
    known = {(int(cid), name_key(name)): int(rid) for rid, cid, name in stored}
    looks = {(int(cid), look_alike_key(name)): name for _, cid, name in stored}
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
            found[i] = known.get((cid, name_key(name)))
    ids = found[codes]
    missing = usable & pd.isna(ids)

    def why(i: int) -> str:
        coach_id, name = int(coaches[i]), str(names[i])
        alike = looks.get((coach_id, look_alike_key(name)))
        start = f"{coach_names[coach_id]} has no rep named {shown(name)}"
        if alike is not None:
            return (
                f"{start}, but has {alike}, which looks the same "
                f"({difference(name, alike)}); write the name as {alike}"
            )
        return f"{start}; add the rep first (coachkit import reps)"

    cells.report("rep", missing, why)
    return ids


def metric_parser(conn: Connection, *, rates: bool = False) -> Parse:
    """Turn a metric key or name into its id; rates are refused unless ``rates``
    (a goal may aim at a rate; a value of one is never imported)."""
    m = s.metrics
    rows = conn.execute(
        sa.select(m.c.id, m.c.key, m.c.name, m.c.kind, m.c.numerator, m.c.denominator)
    ).all()
    find = _by_key_or_name(rows, "metric", "wins")

    def parse(value: str) -> int:
        row = find(value)
        if row.kind == "rate" and not rates:
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
    find = _by_key_or_name(rows, "behaviour", "x")

    def parse(value: str) -> int:
        return int(find(value).id)

    return parse, {int(row.id): int(row.rubric_version) for row in rows}


def _by_key_or_name(
    rows: Sequence[Any], what: str, example: str
) -> Callable[[str], Any]:
    """Find the row whose key or display name a cell gives; BadCell when none does."""
    by = {normal(row.name): row for row in rows} | {
        normal(row.key): row for row in rows
    }
    example = rows[0].key if rows else example
    return _finder(
        by,
        normal,
        lambda name: (
            f"expected a {what} key such as {example}, got {name}; no "
            f"{what} has that key or name"
        ),
    )


def _finder(
    by: Mapping[str, T], key: Callable[[str], str], missing: Callable[[str], str]
) -> Callable[[str], T]:
    """Find what a cell names in ``by``, whose keys ``key`` made.

    A cell that names nothing raises BadCell with the ``missing`` sentence, given
    the cell as shown in a problem.
    """

    def find(value: str) -> T:
        safe(value)
        found = by.get(key(value))
        if found is None:
            raise BadCell(missing(shown(value)))
        return found

    return find
