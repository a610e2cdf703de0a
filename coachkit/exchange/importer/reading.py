"""Reading an import file: bytes to a header and rows, with the file's line numbers.

Files are UTF-8 (a byte-order mark is fine) with commas between columns. Problems
that stop the file being read at all (not UTF-8, another separator, a line far too
long, no rows) are raised at once; everything else is left for the column checks.
A file in another encoding is named, with the way to save it as UTF-8: UTF-16 is
what Excel writes as "Unicode Text", and Windows-1252 (Latin-1) is its plain "CSV".
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from operator import itemgetter
from typing import NoReturn

import numpy as np

from coachkit.exchange.importer.problems import ImportProblems, Problems

#: The longest line read, in bytes; a longer one is refused before it is parsed.
LINE_LIMIT = 1_000_000
_SAVE_AS = "In your spreadsheet, use Save As and pick 'CSV UTF-8 (comma delimited)'."


@dataclass(frozen=True)
class Table:
    """The cells of a file, as written (spaces around them are dropped later).

    ``header`` holds the column names as written; ``columns`` one list of cells
    per header column; ``lines`` the line each row starts on (the header is line 1).
    """

    header: tuple[str, ...]
    columns: tuple[list[str], ...]
    lines: np.ndarray

    @property
    def rows(self) -> int:
        """The number of rows below the header."""
        return len(self.lines)


def read_table(data: bytes, source: str) -> Table:
    """Parse ``data`` as CSV; raise :class:`ImportProblems` when it cannot be read."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    _check_encoding(data, source)
    if not data or data.isspace():
        _fail(source, "the file is empty; expected a header line and rows below it.")
    _check_line_lengths(data, source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fail(source, _not_utf8(data, exc.start))
    rows, starts = _rows(text, source)
    if not rows:
        _fail(source, "the file is empty; expected a header line and rows below it.")
    header = [cell.strip() for cell in rows[0]]
    _check_separator(header, source)
    if len(rows) == 1:
        _fail(source, "the file has a header line but no rows below it.")
    return Table(
        tuple(header),
        _columns(rows[1:], len(header), np.asarray(starts[1:]), source),
        np.asarray(starts[1:], dtype=np.int64),
    )


def _rows(text: str, source: str) -> tuple[list[list[str]], list[int]]:
    """The non-empty rows, and the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        _fail(source, f"row {reader.line_num}: the line cannot be read as CSV ({exc}).")
    if reader.line_num == len(rows):  # one line per row: the usual case, and fast
        keep = [i for i, row in enumerate(rows) if row and (row[0] or any(row))]
        return [rows[i] for i in keep], [i + 1 for i in keep]
    rows, starts, start = [], [], 1  # a quoted value runs over several lines
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for row in reader:
        if row and (row[0] or any(row)):
            rows.append(row)
            starts.append(start)
        start = reader.line_num + 1
    return rows, starts


def _fail(source: str, text: str) -> NoReturn:
    raise ImportProblems(source, [text], 1)


def _check_encoding(data: bytes, source: str) -> None:
    """Refuse a workbook or a UTF-16 file (Excel's "Unicode Text"), saying how to
    save it as CSV."""
    if data.startswith(b"PK\x03\x04"):
        _fail(
            source,
            "this is a spreadsheet workbook (such as .xlsx), not a CSV file. "
            + _SAVE_AS,
        )
    head = data[:4000]
    half = len(head) // 2
    # Without a byte-order mark, UTF-16 text has a zero byte beside most letters,
    # always on the same side.
    odd, even = head[1::2].count(0), head[0::2].count(0)
    lopsided = half >= 4 and max(odd, even) >= 0.6 * half and min(odd, even) <= 1
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or lopsided:
        _fail(
            source,
            "this file is saved as UTF-16 ('Unicode Text' in Excel), not UTF-8. "
            f"{_SAVE_AS} Then import that file.",
        )


def _not_utf8(data: bytes, start: int) -> str:
    """Why ``data`` is not UTF-8 (its first bad byte at ``start``), and the fix.

    A file that reads as Windows-1252 (Latin-1, what Excel writes when saving as
    plain 'CSV') is named so, with the cell the byte is in as that encoding reads
    it, so a person sees which value it was.
    """
    line = data.count(b"\n", 0, start) + 1
    byte = data[start]
    first = f"row {line}: the file is not UTF-8 text"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return f"{first} (byte 0x{byte:02x} is not a letter in UTF-8). {_SAVE_AS}"
    begin = data.rfind(b"\n", 0, start) + 1
    cell_start = max(data.rfind(b",", begin, start) + 1, begin)
    ends = [i for i in (data.find(b",", start), data.find(b"\n", start)) if i >= 0]
    cell = data[cell_start : min(ends, default=len(data))].decode("cp1252").strip()
    letter = bytes([byte]).decode("cp1252")
    return (
        f"{first}: it looks like Windows-1252 (Latin-1), which Excel writes when "
        f"you save as plain 'CSV' (byte 0x{byte:02x} there is '{letter}', in "
        f"'{cell[:40]}'). {_SAVE_AS}"
    )


def _check_line_lengths(data: bytes, source: str) -> None:
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    lengths = np.diff(np.concatenate(([-1], ends, [len(data)])))
    long = lengths > LINE_LIMIT + 1
    if long.any():
        problems = Problems()
        problems.add_rows(
            np.arange(1, len(lengths) + 1),
            long,
            None,
            0,
            lambda i: (
                f"the line is {lengths[i] - 1:,} bytes long; coachkit reads "
                f"lines of up to {LINE_LIMIT:,} bytes. Is this the right file?"
            ),
        )
        raise problems.error(source)


def _check_separator(header: list[str], source: str) -> None:
    if len(header) != 1:
        return
    for mark, name in ((";", "';'"), ("\t", "tabs")):
        if mark in header[0]:
            _fail(
                source,
                f"this file uses {name} between columns; save it as CSV with "
                "commas between columns.",
            )


def _columns(
    rows: list[list[str]], width: int, lines: np.ndarray, source: str
) -> tuple[list[str], ...]:
    """Cells by column; a row with extra non-empty cells is a problem."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    odd = np.flatnonzero(lengths != width)
    if len(odd):
        problems = Problems()
        extra = np.zeros(len(rows), dtype=bool)
        for i in odd.tolist():
            row = rows[i]
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                extra[i] = True
            rows[i] = (row + [""] * width)[:width]
        if extra.any():
            problems.add_rows(
                lines,
                extra,
                None,
                0,
                lambda i: (
                    f"the row has more values than the header has columns "
                    f"({width}); a value may hold a comma that needs quotes around it."
                ),
            )
            raise problems.error(source)
    return tuple(list(map(itemgetter(i), rows)) for i in range(width))
