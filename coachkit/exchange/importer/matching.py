"""Finding the stored action or goal a row is about: by its id, else by what it says.

Two actions can say the same thing and be due the same day (a coach may agree the
same step twice in one session), so what a row says cannot always tell them apart.
An export therefore writes each row's ``id``; a row with an id is about that action
or goal (and may change its text or dates), a row without one is matched on what it
says (for an action: rep, text and due date) and is new when nothing matches. A row
that matches two stored ones is refused, and asks for the id.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from coachkit.exchange.importer.cells import Cells, whole
from coachkit.store.schema import MAX_ID


def stored_matches(
    cells: Cells,
    reps: np.ndarray,
    said: Sequence[Hashable | None],
    stored: Mapping[int, tuple[int, Hashable]],
    what: str,
    same: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's stored id (None for a new row), and whether the row gave it in
    its ``id`` cell (else it was found from what the row says); problems go to
    ``cells``.

    Parameters
    ----------
    cells
        The file, with an optional ``id`` column.
    reps
        Each row's rep id (None where unknown).
    said
        Each row's key from what it says (None where a cell is bad).
    stored
        Each stored id's rep id and key, for the reps of the file.
    what
        "action" or "goal", for messages.
    same
        What the key is made of, in words ("rep, text and due date").
    """
    ids, _ = cells.parse(
        "id",
        whole(1, MAX_ID),
        "a whole number (the id export-csv wrote)",
        required=False,
    )
    by_key: dict[Hashable, list[int]] = {}
    for stored_id, (_, key) in stored.items():
        by_key.setdefault(key, []).append(stored_id)
    found = np.full(cells.rows, None, dtype=object)
    unknown = np.zeros(cells.rows, dtype=bool)
    twice = np.zeros(cells.rows, dtype=bool)
    for i in range(cells.rows):
        if reps[i] is None:
            continue
        if ids[i] is not None:
            rep = stored.get(int(ids[i]), (None, None))[0]
            unknown[i] = rep != int(reps[i])
            found[i] = None if unknown[i] else int(ids[i])
        elif said[i] is not None:
            matches = by_key.get(said[i], [])
            twice[i] = len(matches) > 1
            found[i] = matches[0] if len(matches) == 1 else None
    cells.report(
        "id",
        unknown,
        lambda i: (
            f"this rep has no {what} with id {ids[i]}; leave the id empty to add a "
            f"new {what}"
        ),
    )
    cells.report(
        "",
        twice,
        lambda i: (
            f"the store has {len(by_key[said[i]])} {what}s with the same {same} as "
            f"this row; add the id column (coachkit export-csv {what}s writes it) to "
            "say which one"
        ),
    )
    target = [
        repr(("id", found[i]) if found[i] is not None else ("new", said[i]))
        for i in range(cells.rows)
    ]
    usable = ~pd.isna(reps) & np.array(
        [found[i] is not None or said[i] is not None for i in range(cells.rows)],
        dtype=bool,
    )
    cells.repeats([np.array(target, dtype=object)], usable, what)
    return found, ~pd.isna(ids)


def match_key(row: Mapping[str, object]) -> tuple[object, ...]:
    """The key :func:`~coachkit.exchange.importer.upsert.upsert` matches a checked
    row on: its stored id, or nothing any stored row has (a new row)."""
    match = row.get("match")
    return ("id", int(match)) if match is not None else ("new", id(row))  # type: ignore[call-overload]


def stored_key(row: Mapping[str, object]) -> tuple[object, ...]:
    """A stored row's key for :func:`~coachkit.exchange.importer.upsert.upsert`."""
    return ("id", int(row["id"]))  # type: ignore[call-overload]
