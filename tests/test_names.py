"""People's names (#23): hidden characters refused, look-alikes refused with the
name already there, on every way in: the team screen's functions and users."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coachkit.errors import ValidationError
from coachkit.model.names import look_alike_key, name_problem, too_alike
from coachkit.model.team import add_rep, update_rep
from coachkit.model.users import add_user
from coachkit.store import schema as s
from coachkit.store.database import Store


@pytest.mark.parametrize(
    ("name", "existing", "alike"),
    [
        ("Еlena Gomez", ["Elena Gomez"], "Elena Gomez"),  # Cyrillic Е
        ("Elena Gómez", ["Ana", "Elena Gomez"], "Elena Gomez"),
        ("ΑΝΑ", ["Ana"], "Ana"),  # Greek capitals
        ("elena gomez", ["Elena Gomez"], None),  # the same name: not a look-alike
        ("Elena Gomes", ["Elena Gomez"], None),  # another name
        ("Anna", ["Ana"], None),
    ],
)
def test_too_alike_finds_names_that_read_the_same(
    name: str, existing: list[str], alike: str | None
) -> None:
    assert too_alike(name, existing) == alike


def test_look_alike_key_drops_case_accents_and_other_alphabets() -> None:
    assert look_alike_key("  ÉLÉNA   Gómez ") == look_alike_key("Еlena Gomez")


@pytest.mark.parametrize("name", ["Ana\x00", "A\u200bna", "\u202eAna", "Ana\x1b"])
def test_a_name_with_a_hidden_character_has_a_problem(name: str) -> None:
    problem = name_problem(name)
    assert problem is not None
    assert problem.startswith("the name 'Ana' has a hidden character")


def test_an_ordinary_name_has_no_problem() -> None:
    assert name_problem("Zoë O'Brien-Łukasz 李") is None


@pytest.fixture
def coach(store: Store) -> int:
    with store.write() as conn:
        return int(
            conn.execute(
                s.coaches.insert().values(name="Sam Okafor").returning(s.coaches.c.id)
            ).scalar_one()
        )


def test_add_rep_refuses_a_hidden_character(store: Store, coach: int) -> None:
    with store.write() as conn, pytest.raises(ValidationError) as caught:
        add_rep(conn, coach, "Elena Gomez\x00")
    assert str(caught.value) == (
        "Name: the name 'Elena Gomez' has a hidden character after 'Gomez': a NUL "
        "byte, U+0000. Type the name again without it"
    )


@pytest.mark.parametrize("typed", ["Еlena Gomez", "Elena Gómez"])
def test_add_rep_refuses_a_look_alike_naming_the_rep_already_there(
    store: Store, coach: int, typed: str
) -> None:
    with store.write() as conn:
        add_rep(conn, coach, "Elena Gomez")
    with store.write() as conn, pytest.raises(ValidationError) as caught:
        add_rep(conn, coach, typed)
    assert str(caught.value).startswith(
        f"Name: '{typed}' looks the same as Elena Gomez, who is on this team already"
    )
    with store.read() as conn:
        assert conn.execute(sa.select(s.reps.c.name)).scalars().all() == ["Elena Gomez"]


def test_renaming_a_rep_to_look_like_another_is_refused(
    store: Store, coach: int
) -> None:
    with store.write() as conn:
        add_rep(conn, coach, "Elena Gomez")
        other = add_rep(conn, coach, "Dana Reyes")
    with store.write() as conn, pytest.raises(ValidationError, match="looks the same"):
        update_rep(
            conn,
            other.id,
            expected_version=other.row_version,
            name="Elena Gomèz",
            role=other.role,
            segment="",
            start_date=None,
        )


def test_add_rep_keeps_a_name_in_one_form(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Jose\u0301  Ruiz")
    assert rep.name == "José Ruiz"


def test_add_user_refuses_a_look_alike_and_a_hidden_character(store: Store) -> None:
    with store.write() as conn:
        add_user(conn, "Sam Okafor")
    with store.write() as conn, pytest.raises(ValidationError) as caught:
        add_user(conn, "Sаm Okafor")  # Cyrillic а
    assert "looks the same as Sam Okafor, who is a user already" in str(caught.value)
    with store.write() as conn, pytest.raises(ValidationError) as caught:
        add_user(conn, "Lee\u200b Park")
    assert "a zero-width space, U+200B" in str(caught.value)
