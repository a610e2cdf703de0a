"""Reflections: saved as typed, listed newest first; notes scored for readability."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.improve.reflections import (
    REFLECTION_COLUMNS,
    WRITING_COLUMNS,
    last_reflection,
    reflections,
    save_reflection,
    writing_check,
)
from coachkit.model.periods import Period
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)
PLAIN = (
    "Ask one more question after the buyer answers. "
    "Then stop and listen. Write down what they say."
)
HARD = (
    "Systematically operationalise comprehensive stakeholder-alignment "
    "methodologies, prioritising organisational considerations, institutional "
    "interdependencies and multidimensional commercial implications throughout "
    "every consultative engagement."
)


def _coach(conn: Connection, name: str = "Ada Coach") -> int:
    result = conn.execute(s.coaches.insert().values(name=name))
    return int(result.inserted_primary_key[0])


def _count(store: Store) -> int:
    with store.read() as conn:
        query = sa.select(sa.func.count()).select_from(s.reflections)
        return int(conn.execute(query).scalar_one())


def test_saved_reflections_are_listed_newest_first_with_date_and_grade(
    store: Store,
) -> None:
    with store.write() as conn:
        coach = _coach(conn)
        other = _coach(conn, "Bo Coach")
        save_reflection(conn, coach, "  " + PLAIN + "  ", TODAY)
        older = save_reflection(
            conn, coach, "Book the time on Mondays.", TODAY.replace(day=1)
        )
        save_reflection(conn, other, "Not mine.", TODAY)
    with store.read() as conn:
        mine = reflections(conn, coach)
        everyone = reflections(conn, None, limit=2)
        last = last_reflection(conn, coach)
    assert list(mine.columns) == REFLECTION_COLUMNS
    assert mine["written_on"].to_list() == [TODAY, TODAY.replace(day=1)]
    assert mine["text"].to_list() == [PLAIN, "Book the time on Mondays."]
    assert mine["coach"].to_list() == ["Ada Coach", "Ada Coach"]
    assert 0 < mine.loc[0, "grade"] <= 10  # easy to read
    assert mine["grade"].isna().to_list() == [False, True]  # five words: too short
    assert mine.loc[1, "reflection_id"] == older
    assert len(everyone) == 2
    assert last is not None
    assert (last.written_on, last.text) == (TODAY, PLAIN)
    assert last.grade == mine.loc[0, "grade"]


def test_no_reflection_yet(store: Store) -> None:
    with store.write() as conn:
        coach = _coach(conn)
    with store.read() as conn:
        assert last_reflection(conn, coach) is None
        assert reflections(conn, coach).empty


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("   \n ", "Reflection", "write what you will change first."),
        ("x" * 4001, "Reflection", "4,000"),
    ],
)
def test_a_bad_reflection_is_refused_and_nothing_is_written(
    store: Store, text: str, field: str, words: str
) -> None:
    with store.write() as conn:
        coach = _coach(conn)
    with pytest.raises(ValidationError) as caught, store.write() as conn:
        save_reflection(conn, coach, text, TODAY)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert _count(store) == 0


def test_the_longest_reflection_fits_and_an_unknown_coach_is_refused(
    store: Store,
) -> None:
    with store.write() as conn:
        coach = _coach(conn)
        save_reflection(conn, coach, "x" * 4000, TODAY)
    for who in (coach + 99, None):
        with pytest.raises(ValidationError) as caught, store.write() as conn:
            save_reflection(conn, who, "Plan less.", TODAY)  # type: ignore[arg-type]
        assert caught.value.field == "Coach"
    assert _count(store) == 1


def test_html_looking_text_is_stored_exactly_as_typed(store: Store) -> None:
    typed = "<b>Ask</b> & listen; <script>alert('x')</script> 5 < 6"
    with store.write() as conn:
        coach = _coach(conn)
        new_id = save_reflection(conn, coach, typed, TODAY)
    with store.read() as conn:
        stored = conn.execute(
            sa.select(s.reflections.c.text).where(s.reflections.c.id == new_id)
        ).scalar_one()
        listed = reflections(conn, coach)
    assert stored == typed
    assert listed.loc[0, "text"] == typed


def _rep_with_plan(conn: Connection, coach: int, name: str, notes: str) -> int:
    rep = int(
        conn.execute(
            s.reps.insert().values(coach_id=coach, name=name)
        ).inserted_primary_key[0]
    )
    conn.execute(
        s.plans.insert().values(
            coach_id=coach, rep_id=rep, started_on=TODAY.replace(day=1), notes=notes
        )
    )
    return rep


def test_writing_check_flags_a_hard_plan_note_and_passes_a_plain_one(
    store: Store,
) -> None:
    with store.write() as conn:
        coach = _coach(conn)
        hard = _rep_with_plan(conn, coach, "Hana", HARD)
        plain = _rep_with_plan(conn, coach, "Pete", PLAIN)
        _rep_with_plan(conn, coach, "Ed", "")  # no notes: nothing to score
        conn.execute(
            s.sessions.insert(),
            [
                {
                    "coach_id": coach,
                    "rep_id": plain,
                    "session_type": "call_review",
                    "held_on": day,
                    "status": "done",
                    "went_well": PLAIN,
                    "to_change": "",
                }
                for day in (TODAY, TODAY.replace(year=2025))  # the second is too old
            ],
        )
    with store.read() as conn:
        check = writing_check(conn, coach, Period.last_months(TODAY, 3))
    assert list(check.columns) == WRITING_COLUMNS
    # Hardest first; the two plain notes grade the same, so the newer comes first.
    assert check["what"].to_list() == [
        "Plan notes",
        "Session: what went well",
        "Plan notes",
    ]
    first = check.iloc[0]  # hardest to read first
    assert (first["rep_id"], first["rep"]) == (hard, "Hana")
    assert first["grade"] > 10
    assert not first["ok"]
    assert len(first["excerpt"]) == 80
    assert first["excerpt"].endswith("…")
    rest = check.iloc[1:]
    assert set(rest["rep_id"]) == {plain}
    assert (rest["grade"] <= 10).all()
    assert rest["ok"].all()
    assert rest["written_on"].to_list() == [TODAY, TODAY.replace(day=1)]
    assert rest["excerpt"].to_list() == [PLAIN[:79] + "…"] * 2


def test_the_writing_check_is_summed_up_per_rep_and_in_a_sentence() -> None:
    import pandas as pd

    from coachkit.improve.reflections import writing_by_rep, writing_sentence

    writing = pd.DataFrame(
        {
            "rep_id": [1, 1, 2, 3],
            "rep": ["Ana", "Ana", "Bo", "Cy"],
            "grade": [12.5, 4.0, 11.0, float("nan")],
            "ok": [False, True, False, True],
        }
    )
    by = writing_by_rep(writing)
    assert list(by["rep"]) == ["Ana", "Bo", "Cy"]
    assert list(by["notes"]) == [2, 1, 1]
    assert list(by["hard"]) == [1, 1, 0]
    assert by["hardest"].iloc[0] == 12.5
    assert pd.isna(by["hardest"].iloc[2])
    assert writing_sentence(writing) == (
        "2 of 4 notes in this period are hard to read. The hardest are listed below."
    )
    easy = writing[writing["ok"]]
    assert writing_sentence(easy) == (
        "All 2 notes in this period are easy to read (grade 10 or below)."
    )
    assert writing_sentence(writing.iloc[:1]).startswith("1 of 1 note in this")
    assert writing_sentence(writing.iloc[:0]) == (
        "There are no plan or session notes in this period."
    )
    assert writing_by_rep(writing.iloc[:0]).empty
