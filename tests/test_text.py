"""Typed names are compared one way everywhere."""

from __future__ import annotations

import pytest

from coachkit.model.text import name_key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Ana Díaz", "ana díaz", True),
        ("  Ana   Díaz ", "Ana Díaz", True),
        ("Ana\tDíaz", "ANA DÍAZ", True),
        ("Straße", "STRASSE", True),  # casefold, not lower
        ("Ana Díaz", "Ana Diaz", False),  # an accent makes another name
        ("Ana", "Anna", False),
    ],
)
def test_names_differing_only_in_case_or_spaces_are_the_same(
    a: str, b: str, same: bool
) -> None:
    assert (name_key(a) == name_key(b)) is same
