"""People's names: how a typed name is cleaned, and which names are too alike.

Every way a rep or a coach is added (the team screen, ``coachkit users add``, a CSV
import) goes through here, so the same name is refused the same way everywhere:

- a name is kept in Unicode NFC with single spaces, so "Aná" typed as "a" plus a
  combining accent is the same name as "Aná" typed as one letter;
- a name with a character nobody can see (a NUL byte, a zero-width space, a
  direction mark) is refused, naming where it is;
- a new name that only looks like one already there, differing by case, an accent
  or a look-alike letter from another alphabet (Cyrillic "а" for Latin "a"), is
  refused with the name that is there: two people whose names read the same on a
  screen cannot be told apart.

Names are still compared with :func:`coachkit.model.text.name_key` (case and spaces
do not count); :func:`look_alike_key` is only for finding names that are too alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from coachkit.model.text import hidden_note, name_key

#: Capitals of other alphabets that look like a Latin capital (Greek "Ν" is "N",
#: though its small letter "ν" looks like "v").
_LOOK_ALIKE_CAPITALS = str.maketrans(
    dict(
        zip(
            "АВЕКМНОРСТХІЈЅУΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
            "ABEKMHOPCTXIJSYABEZHIKMNOPTYX",
            strict=True,
        )
    )
)
#: Small letters of other alphabets that look like a Latin letter.
_LOOK_ALIKE = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ь": "b",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "ζ": "z",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "m",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ϲ": "c",
        # Latin letters that read as others
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
    }
)


def clean_name(value: object) -> str:
    """A typed name in NFC with single spaces and none around it."""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a person's name, or None when it can.

    Only its characters are checked here (its length and whether it is empty are
    the caller's).
    """
    note = hidden_note(name)
    if note:
        has = "has" + note.removeprefix("with")
        them = "it" if has.startswith("has a ") else "them"
        return f"the name '{_seen(name)}' {has}. Type the name again without {them}"
    return None


def look_alike_key(name: object) -> str:
    """A name as it looks: no case, accents or look-alike letters.

    ``look_alike_key("Éléna Gómez")`` and ``look_alike_key("Еlena Gomez")`` (with a
    Cyrillic "Е") are both ``elena gomez``.
    """
    text = unicodedata.normalize("NFKD", clean_name(name))
    bare = "".join(ch for ch in text if not unicodedata.combining(ch))
    return bare.translate(_LOOK_ALIKE_CAPITALS).casefold().translate(_LOOK_ALIKE)


def too_alike(name: str, existing: Iterable[str]) -> str | None:
    """The first of ``existing`` that ``name`` only looks like, else None.

    A name equal to one of ``existing`` by :func:`name_key` is the same name, not a
    look-alike: that is for the caller (to update it, or to refuse a duplicate).
    """
    key, looks = name_key(name), look_alike_key(name)
    for other in existing:
        if name_key(other) != key and look_alike_key(other) == looks:
            return other
    return None


def alike_problem(name: str, other: str, where: str) -> str:
    """Why ``name`` is refused beside ``other``, which is ``where`` already.

    Such as "'Еlena Gomez' looks the same as Elena Gomez, who is on this team
    already: it has the Cyrillic letter 'Е' (U+0415) where that name has 'E'. ..."
    """
    return (
        f"'{name}' looks the same as {other}, who is {where} already: "
        f"{difference(name, other)}. If this is {other}, use that name as it is "
        "written; if it is someone else, add something that tells them apart, "
        "such as a middle initial"
    )


def difference(name: str, other: str) -> str:
    """How two names that look alike differ, in words, first difference only."""
    a, b = clean_name(name), clean_name(other)
    if a.casefold() == b.casefold():
        return "only the capital letters differ"
    a_letters = unicodedata.normalize("NFC", a)
    b_letters = unicodedata.normalize("NFC", b)
    for x, y in zip(a_letters, b_letters, strict=False):
        if x.casefold() != y.casefold():
            return f"it has {_letter(x)} where that name has '{y}'"
    return "they differ in an accent or a letter"


def _letter(ch: str) -> str:
    """A letter as a message names it: "the Cyrillic small letter 'а'"."""
    name = unicodedata.name(ch, "")
    script = name.split()[0].capitalize() if name else ""
    if script and script not in ("Latin", "Digit"):
        return f"the {script} letter '{ch}' (U+{ord(ch):04X})"
    return f"'{ch}'"


def _seen(name: str) -> str:
    return "".join(ch for ch in name if ch.isprintable() or ch == " ")
