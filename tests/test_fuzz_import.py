"""Fuzzing the CSV import: any file gives a result or a clear error, never a traceback
or a partial write.

Random bytes, random text, and CSVs built from the real column names with cells drawn
from what people type (real names, dates good and bad, numbers, formulas, quotes, line
breaks, long cells, a byte-order mark). Each property runs against one copy of the
demo store per test function; when a file is refused, every table must be unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from coachkit.exchange.importer import (
    COLUMNS,
    KINDS,
    ImportProblems,
    ImportResult,
    import_file,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

NAME = "fuzz.csv"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
#: A problem names a row ("row 7, column 'date': ...", "rows 3 and 5 ...") or speaks
#: of the file as a whole ("the file is empty", "--coach" for the whole file).
_WHERE = re.compile(r"^rows? \d+|\bfile\b|--coach")


@pytest.fixture(scope="module")
def names(shared_demo_store: Store) -> dict[str, list[str]]:
    """Real coach, rep, metric and behaviour names, so some rows match the store."""
    with shared_demo_store.read() as conn:
        return {
            "coach": list(conn.execute(sa.select(s.coaches.c.name)).scalars()),
            "rep": list(conn.execute(sa.select(s.reps.c.name)).scalars()),
            "metric": list(conn.execute(sa.select(s.metrics.c.key)).scalars()),
            "behaviour": list(conn.execute(sa.select(s.behaviours.c.key)).scalars()),
        }


@pytest.fixture(scope="module")
def teams(shared_demo_store: Store) -> list[tuple[str, str]]:
    """(coach, active rep) name pairs, for rows that name a real rep."""
    c, r = s.coaches, s.reps
    query = sa.select(c.c.name, r.c.name).join(r, r.c.coach_id == c.c.id)
    with shared_demo_store.read() as conn:
        return [tuple(row) for row in conn.execute(query.where(r.c.active))]


def dump(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of the sorted rows, for every table."""
    out = {}
    with store.read() as conn:
        for table in s.metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in conn.execute(sa.select(table)))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
    return out


def attempt_import(
    store: Store, kind: str, data: bytes
) -> ImportResult | ImportProblems:
    """The import's result, or the ImportProblems it raised (any other error fails)."""
    try:
        return import_file(store, kind, data, name=NAME)
    except ImportProblems as exc:
        return exc


#: The last dump of each store; only an import that went through changes it.
_DUMPS: dict[str, dict[str, tuple[int, str]]] = {}


def import_and_check(store: Store, kind: str, data: bytes) -> None:
    """The property: a result, or ImportProblems naming where, with nothing written."""
    before = _DUMPS.get(store.location) or dump(store)
    outcome = attempt_import(store, kind, data)
    if isinstance(outcome, ImportResult):
        _DUMPS[store.location] = dump(store)
        event(f"imported, {outcome.added} added")
        assert outcome.rows == outcome.added + outcome.updated + outcome.unchanged
        assert NAME in outcome.summary()
        return
    event("refused")
    assert outcome.source == NAME
    assert str(outcome).startswith(f"{NAME} was not imported (nothing was changed).")
    assert outcome.count >= len(outcome.problems) >= 1
    for problem in outcome.problems:
        assert _WHERE.search(problem), problem
    assert dump(store) == before, "a refused file changed the store"
    _DUMPS[store.location] = before


# --- cells people type ---

_DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2026-03-31",
            "2026-02-30",
            "31/03/2026",
            "2026-3-1",
            "2999-01-01",
            "0000-00-00",
        ]
    ),
)
_NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1,234.5", "1234,5", "3", "5", "0", "6", "1e400", ".5", "+7"]),
)
_FREE = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(
        [
            '=HYPERLINK("http://x")',
            "+1",
            "-1",
            "@SUM(A1)",
            'say "hi"',
            "two\nlines",
            "cr\rhere",
            "<script>alert(1)</script>",
            "\ufeffbom",
            "  ",
            "x" * 5000,
            "coach",
            "self",
            "done",
            "draft",
            "call review",
            "ride_along",
            "guide",
            "30 min",
        ]
    ),
)


def _cell(names: dict[str, list[str]]) -> st.SearchStrategy[str]:
    real = [st.sampled_from(values) for values in names.values() if values]
    return st.one_of(st.just(""), _DATES, _NUMBERS, _FREE, *real)


def _header(kind: str) -> st.SearchStrategy[list[str]]:
    spellings = [
        st.sampled_from([c.name, *c.aliases, c.name.upper().replace("_", " ")])
        for c in COLUMNS[kind]
    ]
    extra = st.sampled_from(["", "notes?", "Date", "rep", "unknown column"])
    return st.lists(st.one_of(*spellings, extra), min_size=1, max_size=8).flatmap(
        st.permutations
    )


@st.composite
def csv_files(draw: st.DrawFn, kind: str, names: dict[str, list[str]]) -> bytes:
    """A CSV with a header of real (or near) column names and random cells."""
    header = draw(_header(kind))
    width = len(header)
    rows = draw(
        st.lists(
            st.lists(_cell(names), min_size=max(0, width - 1), max_size=width + 1),
            max_size=6,
        )
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + out.getvalue().encode("utf-8")


_PAST = st.dates(dt.date(2020, 1, 1), dt.date(2026, 6, 15)).map(dt.date.isoformat)
_SCORE = st.integers(1, 5).map(str)
_WORDS = st.text(st.characters(codec="utf-8", exclude_characters="=+-@"), max_size=40)


def _good_cells(kind: str, names: dict[str, list[str]]) -> dict[str, st.SearchStrategy]:
    """A strategy for a clean cell of each column other than coach and rep."""
    if kind == "reps":
        return {
            "role": st.sampled_from(["Account Executive", "SDR", "Ñandú – AE"]),
            "segment": st.sampled_from(["", "SMB", "Enterprise"]),
            "start_date": st.one_of(st.just(""), _PAST),
        }
    if kind == "metrics":
        return {
            "metric": st.sampled_from(names["metric"]),
            "date": _PAST,
            "value": st.floats(0, 1e6).map(lambda v: f"{v:.2f}"),
        }
    if kind == "assessments":
        return {
            "behaviour": st.sampled_from(names["behaviour"]),
            "date": _PAST,
            "skill": _SCORE,
            "will": _SCORE,
            "source": st.sampled_from(["", "coach", "self", "Self"]),
            "evidence": _WORDS,
        }
    return {
        "date": _PAST,
        "type": st.sampled_from(["call_review", "Ride along", "one-on-one"]),
        "minutes": st.integers(5, 480).map(str),
        "style": st.sampled_from(["", "direct", "guide", "excite", "delegate"]),
        "status": st.sampled_from(["", "done", "draft"]),
        "went_well": _WORDS,
        "to_change": _WORDS,
        "rep_view": _WORDS,
        "next_session": st.one_of(st.just(""), _PAST),
        "coach_relevant": _SCORE,
        "rep_motivational": st.one_of(st.just(""), _SCORE),
    }


@st.composite
def near_valid_files(
    draw: st.DrawFn,
    kind: str,
    names: dict[str, list[str]],
    teams: list[tuple[str, str]],
) -> bytes:
    """A clean file for the store, with a few cells replaced by random ones."""
    good = _good_cells(kind, names)
    header = ["coach", "name" if kind == "reps" else "rep", *good]
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        coach, rep = draw(st.sampled_from(teams))
        if kind == "reps":
            rep = draw(st.sampled_from([rep, "Fuzz " + draw(_WORDS).strip()]))
        row = [coach, rep, *(draw(cell) for cell in good.values())]
        if draw(st.integers(0, 3)) == 0:  # one cell in four rows is spoiled
            row[draw(st.integers(0, len(row) - 1))] = draw(_cell(names))
        rows.append(row)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


# --- the properties ---


@FUZZ
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=600))
@example(kind="reps", data=b"")
@example(kind="metrics", data=b"\xef\xbb\xbf")
@example(kind="sessions", data=b"\xff\xfe r\x00e\x00p\x00")
@example(kind="assessments", data=b'rep,"unclosed\n')
def test_random_bytes_are_refused_or_imported(
    shared_demo_store: Store, kind: str, data: bytes
) -> None:
    import_and_check(shared_demo_store, kind, data)


@FUZZ
@given(kind=st.sampled_from(KINDS), text=st.text(max_size=400))
@example(kind="reps", text="name\n\x00\n")
@example(kind="metrics", text="rep;metric;date;value\nA;b;2026-01-01;3\n")
@example(kind="reps", text='name\n"a""b\n')
def test_random_text_is_refused_or_imported(
    shared_demo_store: Store, kind: str, text: str
) -> None:
    import_and_check(shared_demo_store, kind, text.encode())


@settings(FUZZ, max_examples=120)
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_structured_csv_is_refused_or_imported(
    shared_demo_store: Store,
    names: dict[str, list[str]],
    data: st.DataObject,
    kind: str,
) -> None:
    import_and_check(shared_demo_store, kind, data.draw(csv_files(kind, names)))


@settings(FUZZ, max_examples=100)
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_near_valid_csv_is_refused_or_imported(
    shared_demo_store: Store,
    names: dict[str, list[str]],
    teams: list[tuple[str, str]],
    data: st.DataObject,
    kind: str,
) -> None:
    import_and_check(
        shared_demo_store, kind, data.draw(near_valid_files(kind, names, teams))
    )


def test_a_refused_file_after_good_rows_writes_none_of_them(
    shared_demo_store: Store,
) -> None:
    """The good first rows of a file with one bad last row are not written."""
    before = dump(shared_demo_store)
    good = "".join(
        f"Victor Garcia,Fuzz Rep {i},AE,SMB,2026-01-0{i}\n" for i in range(1, 6)
    )
    data = "coach,name,role,segment,start_date\n" + good + "Victor Garcia,=cmd,AE,,\n"
    with pytest.raises(ImportProblems, match=r"row 7, column 'name'"):
        import_file(shared_demo_store, "reps", data.encode(), name=NAME)
    assert dump(shared_demo_store) == before
