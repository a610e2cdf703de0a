"""The columns each kind of import file has, and how a header is matched to them.

Headers match leniently: case, spaces around them, and spaces, underscores or hyphens
inside them do not count ("Rep Name", "rep_name" and "rep-name" are the same), and
each column has a few other names (``observed_on`` for ``date``). A rep is named by
coach and rep name; the ``coach`` column can be left out when the coach is given for
the whole file (``--coach``) or the store has one coach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coachkit.exchange.importer.problems import Problems


@dataclass(frozen=True)
class Column:
    """One column of an import file: its name, other names, and what it holds."""

    name: str
    required: bool
    holds: str
    aliases: tuple[str, ...] = ()


_COACH = Column("coach", False, "the coach's name", ("coach_name",))
_REP = Column("rep", True, "the rep's name", ("rep_name", "name"))
_ID = Column(
    "id", False, "the number coachkit export-csv wrote (empty: matched on the rest)"
)
_SCORES = tuple(
    Column(f"{who}_{part}", False, "a whole number from 1 to 5")
    for who in ("coach", "rep")
    for part in ("relevant", "developmental", "motivational")
)

#: The columns of each kind of file, in the order the README lists them.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "reps": (
        _COACH,
        Column("name", True, "the rep's name", ("rep", "rep_name")),
        Column("role", False, "such as Account Executive", ("title", "job_title")),
        Column("segment", False, "such as SMB"),
        Column("start_date", False, "a date like 2026-03-31", ("start", "started_on")),
    ),
    "metrics": (
        _COACH,
        _REP,
        Column("metric", True, "a metric key or name", ("metric_key", "key")),
        Column("date", True, "a date like 2026-03-31", ("observed_on", "day")),
        Column("value", True, "a plain number like 1234.5", ("amount",)),
    ),
    "assessments": (
        _COACH,
        _REP,
        Column(
            "behaviour",
            True,
            "a behaviour key or name",
            ("behavior", "behaviour_key", "behavior_key"),
        ),
        Column("date", True, "a date like 2026-03-31", ("assessed_on", "day")),
        Column("skill", True, "a whole number from 1 to 5"),
        Column("will", True, "a whole number from 1 to 5"),
        Column("source", False, "coach or self (empty: coach)"),
        Column("evidence", False, "text", ("notes", "note")),
    ),
    "sessions": (
        _COACH,
        _REP,
        Column("date", True, "a date like 2026-03-31", ("held_on", "day")),
        Column(
            "type",
            True,
            "call_review, ride_along, skill_practice or one_on_one",
            ("session_type",),
        ),
        Column(
            "minutes",
            False,
            "a whole number from 5 to 480 (empty: 30)",
            ("duration", "duration_minutes"),
        ),
        Column("style", False, "direct, guide, excite or delegate"),
        Column("status", False, "done or draft (empty: done)"),
        Column("went_well", False, "text"),
        Column("to_change", False, "text"),
        Column("rep_view", False, "text"),
        Column("next_session", False, "a date like 2026-03-31", ("next_session_on",)),
        *_SCORES,
    ),
    "actions": (
        _COACH,
        _REP,
        Column("text", True, "what will be done", ("action",)),
        Column("owner", False, "rep or coach (empty: rep)"),
        Column("due_date", True, "a date like 2026-03-31", ("due", "due_on")),
        Column("status", False, "open, kept, missed or dropped (empty: open)"),
        Column(
            "closed_date",
            False,
            "the day it was kept, missed or dropped",
            ("closed", "closed_on", "done_on"),
        ),
        Column("note", False, "what became of it", ("notes",)),
        _ID,
    ),
    "goals": (
        _COACH,
        _REP,
        Column(
            "behaviour",
            True,
            "a behaviour key or name",
            ("behavior", "behaviour_key", "behavior_key"),
        ),
        Column(
            "metric",
            False,
            "a metric key or name (empty: the target is a rubric level)",
            ("metric_key",),
        ),
        Column("description", True, "what the rep will do", ("goal",)),
        Column("baseline", False, "a plain number like 0.28 (28%) or 12"),
        Column("target", True, "a plain number like 0.35 (35%) or 15"),
        Column("start_date", True, "a date like 2026-03-31", ("start", "start_on")),
        Column("due_date", True, "a date like 2026-03-31", ("due", "due_on")),
        Column("status", False, "open, met, missed or dropped (empty: open)"),
        Column(
            "closed_date",
            False,
            "the day it was met, missed or dropped",
            ("closed", "closed_on"),
        ),
        Column("note", False, "what became of it", ("notes",)),
        _ID,
    ),
}


def normal(text: str) -> str:
    """A header or choice as compared: "Rep Name" and "rep_name" give "rep_name"."""
    return re.sub(r"[\s_\-]+", "_", text.strip().casefold()).strip("_")


def match_header(
    kind: str, header: tuple[str, ...], problems: Problems
) -> dict[str, int]:
    """Map each known column name to its position in ``header``.

    Unknown, repeated and missing required columns are added to ``problems``
    (as line 1); ``coach`` is never required here.
    """
    names: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for alias in (column.name, *column.aliases):
            names[normal(alias)] = column.name
    found: dict[str, int] = {}
    for position, written in enumerate(header):
        if not written:
            continue
        name = names.get(normal(written))
        if name is None:
            known = ", ".join(c.name for c in COLUMNS[kind])
            problems.add(
                f"row 1, column '{written}': coachkit does not know this column in "
                f"a {kind} file; the columns are: {known}.",
                1,
                position,
            )
        elif name in found:
            problems.add(
                f"row 1, column '{written}': this is the {name} column again "
                f"(also column '{header[found[name]]}'); keep one.",
                1,
                position,
            )
        else:
            found[name] = position
    for column in COLUMNS[kind]:
        if column.required and column.name not in found:
            problems.add(
                f"row 1: the file has no '{column.name}' column ({column.holds}); "
                "add it to the header line.",
                1,
                len(header),
            )
    return found
