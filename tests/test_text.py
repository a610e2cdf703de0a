"""Typed names are compared one way everywhere."""

from __future__ import annotations

import pytest

from coachkit.model.text import name_key, quoted


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


def test_an_accent_typed_as_a_combining_mark_is_the_same_name() -> None:
    assert name_key("Jose\u0301") == name_key("José")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Elena Gomez", "'Elena Gomez'"),
        (
            "Elena Gomez\x00",
            "'Elena Gomez' (with a hidden character after 'Gomez': a NUL byte, U+0000)",
        ),
        (
            "Elena\u200b Gomez",
            "'Elena Gomez' (with a hidden character after 'Elena': a zero-width "
            "space, U+200B)",
        ),
        (
            "\ufeffAna\u200d",
            "'Ana' (with 2 hidden characters: a byte-order mark, U+FEFF, at the "
            "start; a zero-width joiner, U+200D, after 'Ana')",
        ),
    ],
)
def test_quoted_text_names_the_characters_nobody_can_see(text: str, shown: str) -> None:
    assert quoted(text) == shown


@pytest.mark.parametrize(
    "emoji",
    [
        "Ana 👩🏽\u200d💻",  # a joiner between a skin-toned woman and a laptop
        "👨\u200d👩\u200d👧\u200d👦",  # a family of four pictures
        "🏳️\u200d🌈",  # a variation selector, then a joiner
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ],
)
def test_joiners_and_tags_inside_an_emoji_are_seen_not_hidden(emoji: str) -> None:
    assert quoted(emoji) == f"'{emoji}'"


@pytest.mark.parametrize("text", ["Ana\u200dMaria", "\u200d👩", "x\U000e0067"])
def test_a_joiner_or_tag_outside_an_emoji_is_still_named(text: str) -> None:
    assert "hidden character" in quoted(text)
