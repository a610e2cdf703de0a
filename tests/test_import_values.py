"""Values and names an import must not take in, and messages that point the right
way (#23): numbers a metric cannot hold, names that only look like a rep's, hidden
characters, and files saved in another encoding."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
import sqlalchemy as sa

from coachkit.exchange.importer import ImportProblems, import_file
from coachkit.store import schema as s
from coachkit.store.database import Store

HEAD = "coach,rep,metric,date,value\n"


def refused(store: Store, kind: str, data: bytes) -> str:
    """Import ``data``; assert it is refused with nothing written; the message."""
    before = _rows(store)
    with pytest.raises(ImportProblems) as caught:
        import_file(store, kind, data, name="bad.csv")
    assert _rows(store) == before
    return str(caught.value)


def _rows(store: Store) -> tuple[int, int, int]:
    with store.read() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (s.reps, s.metric_values, s.assessments)
        )


def _value(metric: str, value: str, rep: str = "Tara Bauer") -> bytes:
    return (HEAD + f"Victor Garcia,{rep},{metric},2026-03-30,{value}\n").encode()


def test_a_number_too_large_to_store_is_refused_not_kept_as_infinity(
    demo_store: Store,
) -> None:
    message = refused(demo_store, "metrics", _value("wins", "9" * 400))
    assert "row 2, column 'value':" in message
    assert "(400 digits) is too large to be a real value" in message


def test_a_number_in_e_notation_is_read_as_spreadsheets_write_it(
    demo_store: Store,
) -> None:
    import_file(demo_store, "metrics", _value("avg_deal_size", "1.5E+4"))
    with demo_store.read() as conn:
        stored = conn.execute(
            sa.select(s.metric_values.c.value).where(
                s.metric_values.c.observed_on == dt.date(2026, 3, 30),
                s.metric_values.c.metric_id
                == sa.select(s.metrics.c.id)
                .where(s.metrics.c.key == "avg_deal_size")
                .scalar_subquery(),
            )
        ).scalar_one()
    assert stored == 15000.0


def test_a_negative_count_is_refused(demo_store: Store) -> None:
    message = refused(demo_store, "metrics", _value("wins", "-2"))
    assert "row 2, column 'value': wins is a count, so it cannot be below 0" in message
    assert "formula" not in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", "got 50 (5,000%). If 50 means 50%, write 0.5."),
        ("-0.1", "got -0.1 (-10%)"),
        ("2000", "got 2000 (200,000%)"),
    ],
)
def test_a_percent_outside_0_to_1000_percent_is_refused(
    demo_store: Store, value: str, expected: str
) -> None:
    message = refused(demo_store, "metrics", _value("quota_attainment", value))
    assert (
        "quota_attainment is a percent written as a share (0.87 means 87%), "
        "from 0 to 10 (1,000%)"
    ) in message
    assert expected in message


def test_quota_attainment_above_100_percent_is_kept(demo_store: Store) -> None:
    result = import_file(demo_store, "metrics", _value("quota_attainment", "1.35"))
    assert result.rows == 1


def test_a_rep_cell_with_a_nul_byte_says_where_the_hidden_character_is(
    demo_store: Store,
) -> None:
    message = refused(demo_store, "metrics", _value("wins", "3", "Tara Bauer\x00"))
    assert "\x00" not in message
    assert (
        "row 2, column 'rep': the name 'Tara Bauer' has a hidden character after "
        "'Bauer': a NUL byte, U+0000. Type the name again without it"
    ) in message


def test_a_rep_cell_with_a_look_alike_letter_names_the_rep_it_looks_like(
    demo_store: Store,
) -> None:
    cyrillic = "T\u0430ra Bauer"  # a Cyrillic а
    message = refused(demo_store, "metrics", _value("wins", "3", cyrillic))
    assert (
        f"Victor Garcia has no rep named '{cyrillic}', but has Tara Bauer, which "
        "looks the same (it has the Cyrillic letter 'а' (U+0430) where that name "
        "has 'a'); write the name as Tara Bauer"
    ) in message


REPS = "coach,name,role\n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dana\u200b Reyes", "a zero-width space, U+200B"),
        ("Dana Reyes\x00", "a NUL byte, U+0000"),
        ("\u200fDana Reyes", "at the start: right-to-left mark, U+200F"),
    ],
)
def test_a_new_rep_with_a_hidden_character_is_refused(
    demo_store: Store, name: str, expected: str
) -> None:
    data = (REPS + f"Victor Garcia,{name},Account Executive\n").encode()
    message = refused(demo_store, "reps", data)
    assert "row 2, column 'name': the name 'Dana Reyes' has a hidden character" in (
        message
    )
    assert expected in message


@pytest.mark.parametrize(
    ("name", "difference"),
    [
        ("T\u0430ra Bauer", "the Cyrillic letter 'а' (U+0430) where that name has 'a'"),
        ("Tára Bauer", "'á' where that name has 'a'"),
        ("Tara Bauer\u0301", "'ŕ' where that name has 'r'"),  # a stray accent
    ],
)
def test_a_new_rep_who_only_looks_like_one_on_the_team_is_refused(
    demo_store: Store, name: str, difference: str
) -> None:
    data = (REPS + f"Victor Garcia,{name},Account Executive\n").encode()
    message = refused(demo_store, "reps", data)
    assert "row 2, column 'name': '" in message
    assert "looks the same as Tara Bauer, who is on this team already" in message
    assert difference in message
    assert "If this is Tara Bauer, use that name as it is written" in message


def test_two_new_reps_who_look_alike_in_one_file_are_refused(store: Store) -> None:
    with store.write() as conn:
        conn.execute(s.coaches.insert().values(name="Ann Coach"))
    data = "name\nDana Reyes\nDána Reyes\n".encode()
    message = refused(store, "reps", data)
    assert (
        "row 3, column 'name': 'Dána Reyes' looks the same as Dana Reyes, who is "
        "on row 2 already: it has 'á' where that name has 'a'"
    ) in message


def test_a_name_typed_with_a_combining_accent_is_stored_as_one_letter(
    store: Store,
) -> None:
    with store.write() as conn:
        conn.execute(s.coaches.insert().values(name="Ann Coach"))
    decomposed = "Jose\u0301 Ruiz"
    import_file(store, "reps", f"name\n{decomposed}\n".encode())
    again = import_file(store, "reps", "name,role\nJosé Ruiz,SDR\n".encode())
    assert (again.added, again.updated) == (0, 1)
    with store.read() as conn:
        assert conn.execute(sa.select(s.reps.c.name)).scalars().all() == ["José Ruiz"]


def test_a_control_character_in_evidence_is_refused(demo_store: Store) -> None:
    data = (
        b"coach,rep,behaviour,date,skill,will,evidence\n"
        b"Victor Garcia,Tara Bauer,set_agenda,2026-03-30,3,4,asked\x07 well\n"
    )
    message = refused(demo_store, "assessments", data)
    assert "row 2, column 'evidence': 'asked well' (with a hidden character after " in (
        message
    )
    assert "a control character, U+0007) has a control character; remove it" in (
        message
    )


def test_a_utf16_file_says_how_to_save_it_as_utf8(demo_store: Store) -> None:
    text = HEAD + "Victor Garcia,Tara Bauer,wins,2026-03-30,3\n"
    for data in (
        text.encode("utf-16"),  # with a byte-order mark, as Excel writes it
        codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        text.encode("utf-16-le"),  # without one
    ):
        message = refused(demo_store, "metrics", data)
        assert "this file is saved as UTF-16 ('Unicode Text' in Excel), not UTF-8." in (
            message
        )
        assert "use Save As and pick 'CSV UTF-8 (comma delimited)'" in message
        assert "0xff" not in message


def test_a_windows_1252_file_names_the_encoding_and_the_cell(
    demo_store: Store,
) -> None:
    data = (REPS + "Victor Garcia,René Roy,Account Executive\n").encode("cp1252")
    message = refused(demo_store, "reps", data)
    assert (
        "row 2: the file is not UTF-8 text: it looks like Windows-1252 (Latin-1), "
        "which Excel writes when you save as plain 'CSV' (byte 0xe9 there is 'é', "
        "in 'René Roy')."
    ) in message


def test_a_workbook_is_not_a_csv_file(demo_store: Store) -> None:
    message = refused(demo_store, "metrics", b"PK\x03\x04" + bytes(range(256)) * 4)
    assert "this is a spreadsheet workbook (such as .xlsx), not a CSV file." in message
