"""Import reps, metric values, assessments, sessions, actions and goals from CSV
files.

The whole file is checked before anything is written: every problem is collected
with its row (the line in the file; the header is line 1), column and what was
expected, and :class:`ImportProblems` lists the first 20. Only a clean file is
written, in one transaction, so a failure (or a killed process) leaves the store as
it was. Rows already in the store are matched and updated, so importing the same
file twice adds nothing the second time. A rep is matched on coach and name; a
metric value on rep, metric and date; a rating (assessments) on rep, behaviour, date
and source; a session on rep, date and session type; an action on rep, text and due
date; a goal on rep, behaviour, metric and start date. :func:`export_file` writes
actions and goals back out in the same columns.

The columns of each kind are in :data:`~coachkit.exchange.importer.columns.COLUMNS`. An
empty
cell in an optional column means "not given": a new row gets the default, a stored
row keeps its value.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pandas as pd
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.exchange.importer import (
    actions,
    assessments,
    goals,
    metrics,
    reps,
    sessions,
)
from coachkit.exchange.importer.cells import Cells
from coachkit.exchange.importer.columns import COLUMNS, match_header
from coachkit.exchange.importer.export import EXPORT_KINDS, export_file
from coachkit.exchange.importer.problems import ImportProblems, Problems
from coachkit.exchange.importer.reading import read_table
from coachkit.store.database import Store

__all__ = [
    "COLUMNS",
    "EXPORT_KINDS",
    "KINDS",
    "Checked",
    "ImportProblems",
    "ImportResult",
    "check_file",
    "export_file",
    "import_file",
]

#: The kinds of file coachkit imports.
KINDS = ("reps", "metrics", "assessments", "sessions", "actions", "goals")
_MODULES: dict[str, ModuleType] = {
    "reps": reps,
    "metrics": metrics,
    "assessments": assessments,
    "sessions": sessions,
    "actions": actions,
    "goals": goals,
}
_NOUNS = {
    "reps": ("rep", "reps"),
    "metrics": ("metric value", "metric values"),
    "assessments": ("rating", "ratings"),
    "sessions": ("session", "sessions"),
    "actions": ("action", "actions"),
    "goals": ("goal", "goals"),
}

Source = str | os.PathLike[str] | bytes


@dataclass(frozen=True)
class Checked:
    """A checked file: its problems, or the clean values ready to write."""

    kind: str
    source: str
    rows: int
    problems: tuple[str, ...]
    problem_count: int
    frame: pd.DataFrame = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the file has no problems."""
        return self.problem_count == 0

    def error(self) -> ImportProblems:
        """The error listing the problems (the first 20, and how many more)."""
        return ImportProblems(self.source, self.problems, self.problem_count)


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, with ``written`` false, would do)."""

    kind: str
    rows: int
    added: int
    updated: int
    unchanged: int
    source: str = ""
    written: bool = True

    def summary(self) -> str:
        """One line for people, such as "Imported 1,000 metric values from m.csv:
        990 added, 10 updated."."""
        noun = _NOUNS[self.kind][self.rows != 1]
        parts = [f"{self.added:,} added", f"{self.updated:,} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged:,} unchanged")
        if self.written:
            return f"Imported {self.rows:,} {noun} from {self.source}: " + (
                ", ".join(parts) + "."
            )
        return (
            f"Checked {self.source}: {self.rows:,} {noun}, no problems. Importing "
            f"would give {', '.join(parts)}. Nothing was written (dry run)."
        )


def check_file(
    conn: Connection,
    kind: str,
    source: Source,
    coach: str | None = None,
    *,
    name: str | None = None,
) -> Checked:
    """Check a whole file against the store without writing anything.

    Parameters
    ----------
    conn
        A connection to read reps, coaches, metrics and behaviours from.
    kind
        One of :data:`KINDS`.
    source
        A file path, or the file's bytes (as a workbook upload gives them).
    coach
        The coach of every row that has no coach of its own (``--coach``).
    name
        The file's name in messages; defaults to the path's name, or "the file".

    Returns
    -------
    Checked
        With ``ok`` false and the problems listed when the file is not clean.

    Raises
    ------
    CoachkitError
        The path cannot be read.
    """
    if kind not in _MODULES:
        raise CoachkitError(f"cannot import '{kind}'; choose {', '.join(KINDS)}.")
    data, label = _read(source, name)
    try:
        table = read_table(data, label)
    except ImportProblems as exc:
        return Checked(kind, label, 0, exc.problems, exc.count, pd.DataFrame())
    problems = Problems()
    cells = Cells(table, match_header(kind, table.header, problems), problems)
    if problems:  # a broken header: the rows cannot be read column by column
        return Checked(
            kind, label, table.rows, problems.listed(), problems.count, pd.DataFrame()
        )
    frame = _MODULES[kind].check(conn, cells, coach)
    return Checked(kind, label, table.rows, problems.listed(), problems.count, frame)


def import_file(
    store: Store,
    kind: str,
    source: Source,
    coach: str | None = None,
    *,
    name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Check a file and, when it is clean, write it in one transaction.

    Parameters are those of :func:`check_file`, plus ``dry_run`` (check and count,
    write nothing) and ``progress`` (called with a line before writing starts).

    Raises
    ------
    ImportProblems
        The file has problems; nothing was written.
    """
    opened = store.read() if dry_run else store.write()
    with opened as conn:
        checked = check_file(conn, kind, source, coach, name=name)
        if not checked.ok:
            raise checked.error()
        if progress is not None and not dry_run:
            progress(f"Checked {checked.source}: {checked.rows:,} rows. Writing…")
        added, updated, unchanged = _MODULES[kind].write(
            conn, checked.frame, dry_run=dry_run
        )
    return ImportResult(
        kind, checked.rows, added, updated, unchanged, checked.source, not dry_run
    )


def _read(source: Source, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), name or "the file"
    path = Path(source)
    try:
        return path.read_bytes(), name or path.name
    except OSError as exc:
        raise CoachkitError(f"cannot read {path}: {exc.strerror}.") from exc
