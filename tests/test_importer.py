"""CSV import: every broken file gets a clear message and leaves the store untouched;
clean files of each kind import, and importing again adds no duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coachkit.exchange.importer import (
    ImportProblems,
    ImportResult,
    check_file,
    import_file,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

HEAD = "coach,rep,metric,date,value\n"
ROW = "Victor Garcia,Tara Bauer,wins,2026-03-30,{}\n"


def snapshot(store: Store) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """The store's files (sha256) and every table's rows, with no connection open."""
    store.dispose()
    with store.read() as conn:
        rows = {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
            for t in s.metadata.sorted_tables
        }
    store.dispose()
    db = Path(str(store.url.database))
    files = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (db, db.with_name(db.name + "-wal"))
        if p.exists()
    }
    return files, rows


def count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


#: The table each kind of file fills.
TABLES = {
    "metrics": s.metric_values,
    "reps": s.reps,
    "assessments": s.assessments,
    "sessions": s.sessions,
}


def import_twice(
    store: Store, kind: str, data: bytes, again: bytes, **kw: Any
) -> tuple[ImportResult, ImportResult, int]:
    """Import ``data``, then ``again``; also how many rows the kind's table gained."""
    before = count(store, TABLES[kind])
    first = import_file(store, kind, data, **kw)
    second = import_file(store, kind, again, **kw)
    return first, second, count(store, TABLES[kind]) - before


def refused(store: Store, kind: str, data: bytes, **kw: Any) -> ImportProblems:
    """Import ``data``; assert it is refused and the store is byte-for-byte the same."""
    before = snapshot(store)
    with pytest.raises(ImportProblems) as caught:
        import_file(store, kind, data, name="bad.csv", **kw)
    assert snapshot(store) == before
    assert str(caught.value).startswith(
        "bad.csv was not imported (nothing was changed)"
    )
    return caught.value


BIG_LINE = (HEAD + ROW.format(3) + "x" * 50_000_000 + "\n").encode()

BROKEN = {
    "semicolons": (
        b"coach;rep;metric;date;value\nVictor Garcia;Tara Bauer;wins;2026-03-30;3\n",
        "this file uses ';' between columns; save it as CSV with commas",
    ),
    "tabs": (
        b"coach\trep\tmetric\tdate\tvalue\n",
        "this file uses tabs between columns",
    ),
    "missing-column": (
        b"coach,rep,metric,date\nVictor Garcia,Tara Bauer,wins,2026-03-30\n",
        "row 1: the file has no 'value' column (a plain number like 1234.5)",
    ),
    "unknown-rep": (
        (HEAD + "Victor Garcia,Nobody Here,wins,2026-03-30,3\n").encode(),
        "row 2, column 'rep': Victor Garcia has no rep named 'Nobody Here'",
    ),
    "unknown-coach": (
        (HEAD + "Vic Garcia,Tara Bauer,wins,2026-03-30,3\n").encode(),
        "row 2, column 'coach': there is no coach named 'Vic Garcia' in this store",
    ),
    "unknown-metric": (
        (HEAD + "Victor Garcia,Tara Bauer,wns,2026-03-30,3\n").encode(),
        "row 2, column 'metric': expected a metric key such as conversations, "
        "got 'wns'",
    ),
    "date-format": (
        (
            HEAD + ROW.format(3) + "Victor Garcia,Tara Bauer,wins,31/03/2026,3\n"
        ).encode(),
        "row 3, column 'date': expected a date like 2026-03-31, got '31/03/2026'",
    ),
    "number-with-comma": (
        (HEAD + 'Victor Garcia,Tara Bauer,wins,2026-03-30,"1,5"\n').encode(),
        "row 2, column 'value': expected a plain number like 1234.5, got '1,5'",
    ),
    "thousands-comma": (
        (HEAD + 'Victor Garcia,Tara Bauer,wins,2026-03-30,"1,234"\n').encode(),
        "row 2, column 'value': expected a plain number like 1234.5, got '1,234'",
    ),
    "empty-file": (b"", "the file is empty"),
    "blank-lines-only": (b"\n\n  \n", "the file is empty"),
    "header-only": (HEAD.encode(), "the file has a header line but no rows"),
    "50mb-line": (BIG_LINE, "row 3: the line is 50,000,000 bytes long"),
    "invalid-utf8": (
        (HEAD + ROW.format(3)).encode()
        + b"Victor Garcia,Ren\xe9 Roy,wins,2026-03-30,1\n",
        "row 3: the file is not UTF-8 text",
    ),
    "duplicated-row": (
        (HEAD + ROW.format(3) + ROW.format(4) + ROW.format(3)).encode(),
        "row 4: rows 2 and 4 are for the same rep, metric and date; keep one of them",
    ),
    "formula": (
        (
            HEAD + 'Victor Garcia,"=HYPERLINK(""http://x"",""y"")",wins,2026-03-30,3\n'
        ).encode(),
        "row 2, column 'rep': starts with '=', so a spreadsheet could run it as a "
        "formula",
    ),
    "rate": (
        (HEAD + "Victor Garcia,Tara Bauer,win_rate,2026-03-30,0.3\n").encode(),
        "win_rate is a rate worked out from wins and opportunities",
    ),
    "unknown-column": (
        (HEAD.strip() + ",colour\n" + ROW.format(3).strip() + ",red\n").encode(),
        "row 1, column 'colour': coachkit does not know this column",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_metric_file_is_refused_and_store_unchanged(
    demo_store: Store, name: str
) -> None:
    data, expected = BROKEN[name]
    error = refused(demo_store, "metrics", data)
    assert expected in str(error)


def test_formula_in_text_column_is_refused(demo_store: Store) -> None:
    data = (
        b"coach,rep,behaviour,date,skill,will,evidence\n"
        b"Victor Garcia,Tara Bauer,set_agenda,2026-03-30,3,4,"
        b'"=HYPERLINK(""http://evil"",""click"")"\n'
        b"Victor Garcia,Tara Bauer,multi_thread,2026-03-30,3,4,@SUM(A1)\n"
    )
    error = refused(demo_store, "assessments", data)
    assert "row 2, column 'evidence': starts with '='" in str(error)
    assert "row 3, column 'evidence': starts with '@'" in str(error)


def test_negative_number_is_not_a_formula(store: Store) -> None:
    with store.write() as conn:
        cid = conn.execute(
            s.coaches.insert().values(name="Ann Coach").returning(s.coaches.c.id)
        ).scalar_one()
        conn.execute(s.reps.insert().values(coach_id=cid, name="Bo Rep"))
    data = b"rep,metric,date,value\nBo Rep,wins,2026-03-30,-2\n"
    with pytest.raises(ImportProblems) as caught:  # one coach: no coach column
        import_file(store, "metrics", data)
    # Refused as a count below 0 (#23), never as a formula.
    assert "wins is a count, so it cannot be below 0; got -2" in str(caught.value)
    assert "formula" not in str(caught.value)


def test_more_than_twenty_problems_lists_twenty_and_counts_the_rest(
    demo_store: Store,
) -> None:
    bad = "".join(
        f"Victor Garcia,Tara Bauer,wins,03/{day:02d}/2026,1\n" for day in range(1, 36)
    )
    error = refused(demo_store, "metrics", (HEAD + bad).encode())
    lines = str(error).splitlines()
    assert len(error.problems) == 20
    assert error.count == 35
    assert lines[1].strip().startswith("row 2, column 'date'")
    assert lines[20].strip().startswith("row 21, column 'date'")
    assert lines[-1].strip() == "…and 15 more problems."


def test_problems_from_the_whole_file_come_in_file_order(demo_store: Store) -> None:
    data = (
        HEAD
        + "Victor Garcia,Tara Bauer,wins,2026-03-30,x\n"
        + "Victor Garcia,Nobody,wins,2026-3-30,1\n"
    ).encode()
    problems = refused(demo_store, "metrics", data).problems
    assert problems == (
        "row 2, column 'value': expected a plain number like 1234.5, got 'x'",
        "row 3, column 'rep': Victor Garcia has no rep named 'Nobody'; add the rep "
        "first (coachkit import reps)",
        "row 3, column 'date': expected a date like 2026-03-31, got '2026-3-30'",
    )


def test_row_numbers_are_file_lines_even_with_multiline_notes(
    demo_store: Store,
) -> None:
    data = (
        b"coach,rep,date,type,went_well\n"
        b'Victor Garcia,Tara Bauer,2026-03-02,call_review,"line one\nline two"\n'
        b"Victor Garcia,Tara Bauer,2026-03-03,coffee,fine\n"
    )
    error = refused(demo_store, "sessions", data)
    assert "row 4, column 'type': expected call_review, ride_along" in str(error)


def test_metrics_import_adds_then_updates_without_duplicates(
    demo_store: Store,
) -> None:
    rows = "".join(
        f"Victor Garcia,Tara Bauer,wins,2030-01-{day:02d},{day}\n" for day in (1, 2, 3)
    )
    changed = rows.replace("2030-01-02,2", "2030-01-02,20")
    first, again, gained = import_twice(
        demo_store,
        "metrics",
        (HEAD + rows).encode(),
        (HEAD + changed).encode(),
        name="m.csv",
    )
    assert (first.rows, first.added, first.updated, first.unchanged) == (3, 3, 0, 0)
    assert first.summary() == "Imported 3 metric values from m.csv: 3 added, 0 updated."
    assert (again.added, again.updated, again.unchanged) == (0, 1, 2)
    assert gained == 3
    with demo_store.read() as conn:
        value = conn.execute(
            sa.select(s.metric_values.c.value).where(
                s.metric_values.c.observed_on == sa.func.date("2030-01-02")
            )
        ).scalar_one()
    assert value == 20


def test_lenient_headers_bom_and_coach_option(demo_store: Store) -> None:
    data = "\ufeff Rep Name ,METRIC_KEY,Observed-On,  Value\n".encode() + (
        b"tara   bauer, Wins ,2030-02-01,7\n"
    )
    result = import_file(demo_store, "metrics", data, coach="victor garcia")
    assert result.added == 1


def test_missing_coach_column_with_several_coaches(demo_store: Store) -> None:
    error = refused(
        demo_store, "metrics", b"rep,metric,date,value\nTara Bauer,wins,2030-02-01,7\n"
    )
    assert "the file has no 'coach' column" in str(error)
    assert "--coach" in str(error)


def test_reps_import_adds_and_updates(demo_store: Store) -> None:
    data = (
        b"Coach,Name,Role,Segment,Start Date\n"
        b"Victor Garcia,Tara Bauer,Team Lead,SMB,\n"
        b"Victor Garcia,New Person,,Enterprise,2026-01-05\n"
    )
    first, again, gained = import_twice(demo_store, "reps", data, data)
    assert (first.added, first.updated, first.unchanged) == (1, 1, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert gained == 1
    with demo_store.read() as conn:
        r = s.reps
        got = conn.execute(
            sa.select(r.c.name, r.c.role, r.c.segment, r.c.start_date)
            .where(r.c.name.in_(["Tara Bauer", "New Person"]))
            .order_by(r.c.name)
        ).all()
    assert [tuple(g) for g in got] == [
        ("New Person", "Account Executive", "Enterprise", dt.date(2026, 1, 5)),
        ("Tara Bauer", "Team Lead", "SMB", dt.date(2023, 5, 28)),
    ]


def test_assessments_import_and_reimport(demo_store: Store) -> None:
    data = (
        b"coach,rep,behavior,assessed_on,skill,will,source,evidence\n"
        b"Victor Garcia,Tara Bauer,Set agenda,2026-05-01,2,4,self,Says so\n"
        b"Victor Garcia,Tara Bauer,set_agenda,2026-05-01,3,4,,Heard it on a call\n"
    )
    changed = data.replace(b",3,4,,", b",5,4,,")
    first, second, gained = import_twice(demo_store, "assessments", data, changed)
    assert first.added == 2
    assert (second.added, second.updated, second.unchanged) == (0, 1, 1)
    assert gained == 2


def test_assessment_score_out_of_range(demo_store: Store) -> None:
    data = (
        b"coach,rep,behaviour,date,skill,will\n"
        b"Victor Garcia,Tara Bauer,set_agenda,2026-05-01,6,4\n"
    )
    error = refused(demo_store, "assessments", data)
    assert "row 2, column 'skill': expected a whole number from 1 to 5, got '6'" in str(
        error
    )


def test_sessions_import_and_reimport(demo_store: Store) -> None:
    data = (
        b"coach,rep,date,type,minutes,style,went_well,next_session\n"
        b"Victor Garcia,Tara Bauer,2026-06-20,Call review,45,Guide,Good questions,"
        b"2026-06-27\n"
        b"Victor Garcia,Tara Bauer,2026-06-21,ride-along,,,,\n"
    )
    changed = data.replace(b",45,", b",60,")
    first, again, gained = import_twice(demo_store, "sessions", data, changed)
    assert (first.added, first.updated) == (2, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    assert gained == 2
    with demo_store.read() as conn:
        t = s.sessions
        got = conn.execute(
            sa.select(t.c.duration_minutes, t.c.status, t.c.style, t.c.row_version)
            .where(t.c.held_on >= sa.func.date("2026-06-20"))
            .order_by(t.c.held_on)
        ).all()
    assert [tuple(g) for g in got] == [(60, "done", "guide", 2), (30, "done", None, 1)]


def test_check_file_reads_bytes_without_writing(demo_store: Store) -> None:
    with demo_store.read() as conn:
        checked = check_file(conn, "metrics", (HEAD + ROW.format(1)).encode())
    assert checked.ok
    assert checked.rows == 1
    assert checked.source == "the file"


def test_every_kind_imports_and_reimports_on_postgresql(postgres_url: str) -> None:
    from coachkit.model.framework import prepare_store

    store = prepare_store(postgres_url)
    try:
        with store.write() as conn:
            conn.execute(s.coaches.insert().values(name="Pat Coach"))
        files = {
            "reps": b"name,segment,start_date\nAna Diaz,SMB,2025-01-06\n",
            "metrics": b"rep,metric,date,value\nAna Diaz,conversations,2026-01-05,12\n"
            b"Ana Diaz,conversations,2026-01-12,15\n",
            "assessments": b"rep,behaviour,date,skill,will\n"
            b"Ana Diaz,research_account,2026-01-09,3,4\n",
            "sessions": b"rep,date,type,minutes\nAna Diaz,2026-01-14,call_review,40\n",
        }
        with store.read() as conn:
            key = conn.execute(sa.select(s.behaviours.c.key).limit(1)).scalar_one()
        files["assessments"] = files["assessments"].replace(
            b"research_account", key.encode()
        )
        for kind, data in files.items():
            first = import_file(store, kind, data, name=f"{kind}.csv")
            assert first.added == first.rows, kind
            again = import_file(store, kind, data, name=f"{kind}.csv")
            assert (again.added, again.updated) == (0, 0), kind
        changed = files["metrics"].replace(b",15\n", b",18\n")
        last = import_file(store, "metrics", changed)
        assert (last.added, last.updated, last.unchanged) == (0, 1, 1)
        for table, rows in (
            (s.reps, 1),
            (s.metric_values, 2),
            (s.assessments, 1),
            (s.sessions, 1),
        ):
            assert count(store, table) == rows, table.name
    finally:
        store.dispose()
