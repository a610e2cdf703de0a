"""How an export writes each value as text, and the manifest that describes it.

The rule, cell by cell (one CSV per table, UTF-8, ``\\n`` line endings, a header row
with the column names in schema order):

- **Numbers**: whole numbers as digits; decimals with Python's shortest exact form
  (``0.1``, ``3.0``), so they read back to the very same number.
- **Dates and times**: ISO form, ``2026-06-15`` and ``2026-06-15T09:30:00``.
- **Yes/no**: ``true`` or ``false``.
- **Missing values**: an empty cell in number, date and yes/no columns. In text columns
  an empty cell is an empty text, and a missing one is written ``\\N`` (the marker
  PostgreSQL and MySQL use).
- **Text that a spreadsheet could run**: a text starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a ``'`` in front (the usual defence against
  formula injection), so ``=SUM(A1)`` is written ``'=SUM(A1)``. To keep this
  reversible, a text that already starts with ``'`` gets one more (``'x`` becomes
  ``''x``), and a text that is exactly ``\\N`` is written ``'\\N``.

A row holding a carriage return inside a text has every cell in quotes, so no reader
takes it for a line break. Reading back removes exactly one leading ``'`` from any
text cell that has one and turns ``\\N`` into a missing value, so every text comes
back exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coachkit.errors import CoachkitError

#: The name of the file that describes an export.
MANIFEST = "manifest.json"

#: The mark a missing text is written as.
NULL_TEXT = "\\N"

#: First characters a spreadsheet may treat as the start of a formula.
_RISKY = ("=", "+", "-", "@", "\t", "\r", "'")

Encode = Callable[[Any], str]
Decode = Callable[[str], Any]


def encode_text(value: str | None) -> str:
    """Write a text cell: neutralise formulas, mark a missing text as ``\\N``."""
    if value is None:
        return NULL_TEXT
    if value.startswith(_RISKY) or value == NULL_TEXT:
        return "'" + value
    return value


def decode_text(cell: str) -> str | None:
    """Read a text cell written by :func:`encode_text`; gives back the exact text."""
    if cell == NULL_TEXT:
        return None
    if cell.startswith("'"):
        return cell[1:]
    return cell


def _plain(write: Callable[[Any], str]) -> Encode:
    return lambda value: "" if value is None else write(value)


def _bool(cell: str) -> bool:
    if cell == "true":
        return True
    if cell == "false":
        return False
    raise ValueError(cell)


#: Python type of a column -> (how to write it, how to read it, what we expect).
_CODECS: dict[type, tuple[Encode, Decode, str]] = {
    bool: (_plain(lambda v: "true" if v else "false"), _bool, "true or false"),
    int: (_plain(lambda v: str(int(v))), int, "a whole number"),
    float: (_plain(lambda v: repr(float(v))), float, "a number"),
    dt.date: (_plain(dt.date.isoformat), dt.date.fromisoformat, "a date (YYYY-MM-DD)"),
    dt.datetime: (
        _plain(dt.datetime.isoformat),
        dt.datetime.fromisoformat,
        "a date and time (YYYY-MM-DDTHH:MM:SS)",
    ),
}


def codec(column: sa.Column) -> tuple[Encode, Decode | None, str]:
    """Return how to write and read ``column``'s values, and what a cell should be.

    The reader is None for text columns, which :func:`decode_text` reads.
    """
    kind = column.type.python_type
    if kind is str:
        return encode_text, None, "text"
    try:
        return _CODECS[kind]
    except KeyError:
        raise TypeError(f"no export rule for {column} ({kind.__name__})") from None


def file_sha256(path: Path) -> str:
    """Return the SHA-256 checksum of a file, as hex digits."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class TableFile:
    """One table's CSV file in an export."""

    file: str
    rows: int
    columns: tuple[str, ...]
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What an export holds: made by which coachkit, and each table's file."""

    app: str
    schema_version: int
    exported_at: str
    coachkit_version: str
    tables: dict[str, TableFile]

    @property
    def total_rows(self) -> int:
        """Rows in all tables together."""
        return sum(t.rows for t in self.tables.values())

    def others(self, folder: Path) -> list[str]:
        """The names of files (and folders) in ``folder`` that are not part of this
        export: neither the manifest nor a table's file. Sorted; empty when none."""
        ours = {t.file for t in self.tables.values()} | {MANIFEST}
        return sorted(p.name for p in folder.iterdir() if p.name not in ours)

    def to_json(self) -> str:
        """The manifest as JSON text (tables in the order they are restored)."""
        body = {
            "app": self.app,
            "schema_version": self.schema_version,
            "exported_at": self.exported_at,
            "coachkit_version": self.coachkit_version,
            "tables": {
                name: {
                    "file": t.file,
                    "rows": t.rows,
                    "columns": list(t.columns),
                    "sha256": t.sha256,
                }
                for name, t in self.tables.items()
            },
        }
        return json.dumps(body, indent=2) + "\n"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read ``manifest.json`` from an export folder.

        Raises
        ------
        CoachkitError
            The folder or its manifest is missing, or the manifest is not ours.
        """
        path = folder / MANIFEST
        if not folder.is_dir():
            raise CoachkitError(f"there is no export folder at {folder}.")
        if not path.is_file():
            raise CoachkitError(
                f"{folder} has no {MANIFEST}, so it is not a finished coachkit export."
            )
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            tables = {
                str(name): TableFile(
                    file=str(t["file"]),
                    rows=int(t["rows"]),
                    columns=tuple(str(c) for c in t["columns"]),
                    sha256=str(t["sha256"]),
                )
                for name, t in body["tables"].items()
            }
            return cls(
                app=str(body["app"]),
                schema_version=int(body["schema_version"]),
                exported_at=str(body["exported_at"]),
                coachkit_version=str(body["coachkit_version"]),
                tables=tables,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CoachkitError(
                f"{path} is damaged and cannot be read ({type(exc).__name__}: {exc})."
            ) from exc
