"""Collecting what is wrong with an import file, and the error that lists it.

Checks run over whole columns; each hands its bad rows to :class:`Problems`, which
keeps the total count but only the first few messages of each check, so a file with
a million bad rows costs no more memory than one with twenty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from coachkit.errors import CoachkitError
from coachkit.model.text import quoted

#: How many problems a message lists; the rest are counted.
MAX_LISTED = 20


class ImportProblems(CoachkitError):
    """A file that cannot be imported; nothing was written.

    Attributes
    ----------
    source
        The file's name, for messages.
    problems
        At most :data:`MAX_LISTED` messages, such as "row 7, column 'date':
        expected a date like 2026-03-31, got '31/03/2026'", in file order.
    count
        How many problems there are in all.
    """

    def __init__(self, source: str, problems: Sequence[str], count: int) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.count = count
        super().__init__(self.describe())

    def describe(self) -> str:
        """The whole message: a first line, one line per problem, and the rest."""
        noun = "problem" if self.count == 1 else "problems"
        lines = [
            f"{self.source} was not imported (nothing was changed). "
            f"Fix {'this' if self.count == 1 else 'these'} {noun} and try again:"
        ]
        lines += [f"  {text}" for text in self.problems]
        rest = self.count - len(self.problems)
        if rest > 0:
            lines.append(f"  …and {rest:,} more problem{'s' if rest != 1 else ''}.")
        return "\n".join(lines)


@dataclass(frozen=True, order=True)
class _Problem:
    line: int
    position: int
    text: str


def shown(raw: str, limit: int = 40) -> str:
    """A cell as quoted in a message, cut short when long, with any character
    nobody can see named (a NUL byte would otherwise print as nothing)."""
    return quoted(raw, limit)


class Problems:
    """The problems found so far, in file order."""

    def __init__(self) -> None:
        self._listed: list[_Problem] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, text: str, line: int = 0, position: int = 0) -> None:
        """Add one problem; ``line`` 0 means the file as a whole."""
        self.count += 1
        self._listed.append(_Problem(line, position, text))

    def add_rows(
        self,
        lines: np.ndarray,
        bad: np.ndarray,
        column: str | None,
        position: int,
        what: Callable[[int], str],
    ) -> None:
        """Add a problem for every row where ``bad`` is true.

        ``what(i)`` says what is wrong with row index ``i``; it is only called for
        the first few rows, as the others are counted, not listed.
        """
        rows = np.flatnonzero(bad)
        self.count += len(rows)
        for i in rows[:MAX_LISTED].tolist():
            line = int(lines[i])
            where = f"row {line}" + (f", column '{column}'" if column else "")
            self._listed.append(_Problem(line, position, f"{where}: {what(i)}"))

    def listed(self) -> tuple[str, ...]:
        """The first :data:`MAX_LISTED` messages, in file order."""
        return tuple(p.text for p in sorted(self._listed)[:MAX_LISTED])

    def error(self, source: str) -> ImportProblems:
        """The error to raise for these problems."""
        return ImportProblems(source, self.listed(), self.count)
