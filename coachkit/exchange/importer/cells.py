"""Checking the cells of one column: dates, numbers, choices and safe text.

A column is checked once per distinct cell (a million rows of metric values hold a
few hundred distinct dates), then the results are spread back over the rows. Each
check is a small function from the cell's text to a value that raises
:class:`BadCell` with what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from coachkit.exchange.importer.columns import normal
from coachkit.exchange.importer.problems import Problems, shown
from coachkit.exchange.importer.reading import Table
from coachkit.model.names import clean_name, name_problem
from coachkit.model.text import hidden_characters

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_WHOLE = re.compile(r"[+-]?\d+")
#: A text cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@")

Parse = Callable[[str], object]


class BadCell(ValueError):
    """A cell that cannot be used; the message says what was expected."""


class Cells:
    """The cells of a file, checked column by column into ``problems``."""

    def __init__(self, table: Table, found: dict[str, int], problems: Problems):
        self.table = table
        self.found = found
        self.problems = problems
        self.rows = table.rows

    def has(self, name: str) -> bool:
        """True when the file has this column."""
        return name in self.found

    def header(self, name: str) -> str:
        """The column's name as written in the file."""
        return self.table.header[self.found[name]]

    def parse(
        self, name: str, parse: Parse, expected: str, *, required: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Check a column; return (values, bad).

        ``values`` holds None for empty and bad cells; ``bad`` is true where the
        cell was wrong (or empty while ``required``), which is added to problems.
        """
        if name not in self.found:
            return np.full(self.rows, None, dtype=object), np.zeros(self.rows, bool)
        position = self.found[name]
        codes, uniques = pd.factorize(
            np.asarray(self.table.columns[position], dtype=object)
        )
        values = np.full(len(uniques), None, dtype=object)
        bad = np.zeros(len(uniques), dtype=bool)
        why: list[str] = [""] * len(uniques)
        for i, raw in enumerate(uniques.tolist()):
            text = raw.strip()
            if not text:
                if required:
                    bad[i], why[i] = True, f"is empty; expected {expected}"
                continue
            try:
                values[i] = parse(text)
            except BadCell as exc:
                bad[i], why[i] = True, str(exc)
        row_bad = bad[codes]
        self.problems.add_rows(
            self.table.lines,
            row_bad,
            self.header(name),
            position,
            lambda r: why[codes[r]],
        )
        return values[codes], row_bad

    def report(self, name: str, bad: np.ndarray, what: Callable[[int], str]) -> None:
        """Add a problem for each row where ``bad`` is true, in column ``name``."""
        self.problems.add_rows(
            self.table.lines,
            bad,
            self.header(name) if self.has(name) else None,
            self.found.get(name, 0),
            what,
        )

    def line(self, row: int) -> int:
        """The file line a row starts on."""
        return int(self.table.lines[row])

    def repeats(
        self, keys: Sequence[np.ndarray], usable: np.ndarray, same: str
    ) -> None:
        """Report each usable row whose ``keys`` equal those of an earlier row."""
        codes = np.zeros(self.rows, dtype=np.int64)
        for key in keys:
            part, values = pd.factorize(key)
            codes, _ = pd.factorize(codes * (len(values) + 1) + part)
        codes = np.where(usable, codes, -1 - np.arange(self.rows))
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        first_of = first[inverse.ravel()]
        self.report(
            "",
            first_of != np.arange(self.rows),
            lambda i: (
                f"rows {self.line(first_of[i])} and {self.line(i)} are for the "
                f"same {same}; keep one of them"
            ),
        )


def day(text: str) -> dt.date:
    """A date written as 2026-03-31."""
    if not _DATE.fullmatch(text):
        raise BadCell(f"expected a date like 2026-03-31, got {shown(text)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadCell(
            f"expected a date like 2026-03-31, got {shown(text)}, which is not "
            "a day in the calendar"
        ) from None


def past_day(today: dt.date) -> Parse:
    """A date no later than ``today``."""

    def parse(text: str) -> dt.date:
        value = day(text)
        if value > today:
            raise BadCell(
                f"expected today ({today.isoformat()}) or an earlier day, got "
                f"{shown(text)}"
            )
        return value

    return parse


def number(text: str) -> float:
    """A plain number such as 1234.5, -3 or 1.5E+6 (as spreadsheets write big ones).

    A number too large to store (more than about 1.8e308, which would be kept as
    "infinity") is refused.
    """
    if not _NUMBER.fullmatch(text):
        hint = (
            " (no commas: write 1234.5, not 1,234.5 or 1234,5)" if "," in text else ""
        )
        raise BadCell(f"expected a plain number like 1234.5, got {shown(text)}{hint}")
    value = float(text)
    if not math.isfinite(value):
        digits = sum(ch.isdigit() for ch in text)
        raise BadCell(
            f"{shown(text)} ({digits:,} digits) is too large to be a real value; "
            "coachkit stores numbers up to about 1.8e308. Check the cell"
        )
    return value


def whole(low: int, high: int) -> Parse:
    """A whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
            raise BadCell(
                f"expected a whole number from {low} to {high}, got {shown(text)}"
            )
        return int(text)

    return parse


def text(limit: int, *, one_line: bool = True) -> Parse:
    """Text of at most ``limit`` characters that no spreadsheet runs as a formula.

    The ``'`` an export puts before a text starting with ``=``, ``+``, ``-`` or
    ``@`` is taken off again. Control characters (a NUL byte, say) are refused; a
    text of several lines may hold tabs and line breaks.
    """
    allow = "" if one_line else "\t\n\r"

    def parse(value: str) -> str:
        safe(value)
        if value.startswith("'") and value[1:2] and value[1] in FORMULA_START:
            value = value[1:]
        if one_line and ("\n" in value or "\r" in value):
            raise BadCell("expected text on one line; it has a line break")
        controls = [ch for _, ch in hidden_characters(value, allow=allow)]
        if any(unicodedata.category(ch) == "Cc" for ch in controls):
            raise BadCell(
                f"{shown(value)} has a control character; remove it "
                "(retype the text, or copy it again from where it came from)"
            )
        if len(value) > limit:
            raise BadCell(f"expected at most {limit:,} characters, got {len(value):,}")
        return value

    return parse


def person(limit: int) -> Parse:
    """A person's name: one line of at most ``limit`` characters, nothing hidden.

    The name comes back in Unicode NFC with single spaces
    (:func:`coachkit.model.names.clean_name`).
    """
    check = text(limit)

    def parse(value: str) -> str:
        safe(value)
        problem = name_problem(value)
        if problem is not None:
            raise BadCell(problem)
        return clean_name(check(value))

    return parse


def choice(options: Sequence[str]) -> Parse:
    """One of ``options``; "Call review" matches call_review."""

    def parse(value: str) -> str:
        key = normal(value)
        if key not in options:
            raise BadCell(f"expected {_either(options)}, got {shown(value)}")
        return key

    return parse


def safe(value: str) -> None:
    """Refuse text that a spreadsheet would run as a formula."""
    if value.startswith(FORMULA_START):
        mark = value[0]
        raise BadCell(
            f"starts with '{mark}', so a spreadsheet could run it as a formula "
            f"({shown(value)}); remove the '{mark}' at the start"
        )


def _either(options: Sequence[str]) -> str:
    return ", ".join(options[:-1]) + f" or {options[-1]}"
