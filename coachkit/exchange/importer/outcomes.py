"""What became of an action or a goal: the status, closed_date and note columns.

They follow the rules of the screens that mark an action kept or a goal met
(:func:`coachkit.facilitate.actions.set_action_status`,
:func:`coachkit.model.goals.set_goal_status`): a closed one may have the day it was
closed, no later than today (older records often have none), and a note; an open
one has neither. An empty
status cell means "not given": a stored row keeps its status, day and note, and a
new row is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coachkit.exchange.importer.cells import Cells, choice, past_day, text
from coachkit.exchange.importer.upsert import CLEARED
from coachkit.model.typed import NOTE_MAX


@dataclass(frozen=True)
class Outcomes:
    """Each row's status, closed day and note, as the store keeps them.

    None means "not given"; :data:`~coachkit.exchange.importer.upsert.CLEARED`
    empties the stored day of a row opened again.
    """

    status: np.ndarray
    closed: np.ndarray
    note: np.ndarray


def outcomes(
    cells: Cells,
    statuses: Sequence[str],
    what: str,
    today: dt.date,
    earliest: np.ndarray | None = None,
    earliest_name: str = "",
) -> Outcomes:
    """Check the status, closed_date and note columns of ``what`` ("action").

    ``earliest`` holds, per row, the first day it can have been closed (a goal's
    start date), called ``earliest_name`` in messages; None where unknown.
    """
    closing = list(statuses[1:])
    status, _ = cells.parse(
        "status", choice(statuses), ", ".join(statuses), required=False
    )
    closed, _ = cells.parse(
        "closed_date", past_day(today), "a date like 2026-03-31", required=False
    )
    note, _ = cells.parse(
        "note", text(NOTE_MAX, one_line=False), "text", required=False
    )
    note = np.array(
        [None if n is None else " ".join(n.split()) for n in note.tolist()],
        dtype=object,
    )
    has_status, has_day = ~pd.isna(status), ~pd.isna(closed)
    is_open = has_status & (status == "open")
    is_closed = has_status & ~is_open
    words = f"{', '.join(closing[:-1])} or {closing[-1]}"
    for name, given in (("closed_date", has_day), ("note", ~pd.isna(note))):
        said = name.replace("_", " ")

        def why(i: int, said: str = said) -> str:
            if has_status[i]:
                return (
                    f"an open {what} has no {said}; empty this cell, or make the "
                    f"status {words}"
                )
            return f"a {said} is for {_a(what)} that is {words}; give the status too"

        cells.report(name, given & ~is_closed, why)
    if earliest is not None:
        early = is_closed & has_day & ~pd.isna(earliest)
        early[early] = closed[early] < earliest[early]
        cells.report(
            "closed_date",
            early,
            lambda i: (
                f"{closed[i].isoformat()} is before the {what}'s {earliest_name} "
                f"({earliest[i].isoformat()}); it cannot have been {status[i]} then"
            ),
        )
    closed = closed.copy()
    closed[is_open] = CLEARED
    note = note.copy()
    note[is_open] = ""
    return Outcomes(status, closed, note)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
