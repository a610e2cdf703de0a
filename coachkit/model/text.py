"""Text a person typed, made safe for where it goes: HTML, Markdown, a file name.

Every screen and report escapes typed text with these, so a name like ``<b>Ana</b>``
shows as those characters and never becomes markup, a link or a table cell. Two
typed names are compared through :func:`name_key`, everywhere the same way, and a
form field's text is checked through :func:`checked_text`. Characters nobody can
see (a NUL byte, a zero-width space) are found by :func:`hidden_characters` and
named in messages by :func:`quoted`, so a message never shows two names that look
the same.
"""

from __future__ import annotations

import html
import re
import unicodedata

from coachkit.errors import ValidationError


def slug(*parts: object) -> str:
    """A safe file-name stem: ``slug("Plan", "Ana Díaz")`` gives ``plan-ana-diaz``."""
    text = " ".join(str(p) for p in parts)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:80].rstrip("-") or "report"


def esc(text: object) -> str:
    """Typed text for HTML."""
    return html.escape(str(text), quote=True)


def md(text: object) -> str:
    """Typed text for Markdown: no HTML, no links or images, no table cells."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return out.replace("|", "\\|")


def name_key(name: object) -> str:
    """A name as names are compared: ``name_key(" Ana  DÍAZ")`` is ``ana díaz``.

    Case, runs of spaces and how an accent is encoded (one character or a letter
    plus a combining mark, Unicode NFC) do not count, so "ana diaz" and "Ana  Diaz"
    are the same person; accents do, so "Ana" and "Aná" are two names (which
    :mod:`coachkit.model.names` refuses to keep side by side on one team).
    """
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


#: Unicode categories nobody sees: controls, format marks (zero-width space,
#: byte-order mark, direction marks), line and paragraph separators, private use,
#: surrogates and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def hidden_characters(text: str, *, allow: str = "") -> list[tuple[int, str]]:
    """Each character of ``text`` a reader cannot see, with its position.

    ``allow`` lists characters that are fine where the text goes, such as
    ``"\t\n\r"`` in a note.
    """
    return [
        (i, ch)
        for i, ch in enumerate(text)
        if ch not in allow
        and unicodedata.category(ch) in _HIDDEN
        and not _part_of_emoji(text, i)
    ]


#: Tag characters: after a black flag they spell a region's flag (Scotland's).
_TAGS = range(0xE0020, 0xE0080)
_BLACK_FLAG = "\U0001f3f4"
#: A variation selector and the five skin tones: they follow the picture they change.
_EMOJI_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def _part_of_emoji(text: str, i: int) -> bool:
    """Whether the format character at ``i`` is drawn as part of an emoji.

    A zero-width joiner between two pictures makes one (👩‍💻 is a woman, a joiner
    and a laptop), and tag characters after a black flag make a region's flag:
    people put those in names, and a reader sees them.
    """
    ch = text[i]
    if ch == "\u200d":
        before = text[:i].rstrip(_EMOJI_MODIFIERS)
        after = text[i + 1 : i + 2]
        return (
            bool(before)
            and bool(after)
            and unicodedata.category(before[-1]) == "So"
            and unicodedata.category(after) == "So"
        )
    if ord(ch) in _TAGS:
        start = text[:i].rstrip("".join(map(chr, _TAGS)))
        return start.endswith(_BLACK_FLAG)
    return False


def character_name(ch: str) -> str:
    """A character as a message names it: "a zero-width space, U+200B"."""
    code = f"U+{ord(ch):04X}"
    known = _CALLED.get(ch)
    if known:
        return f"{known}, {code}"
    if unicodedata.category(ch) == "Cc":
        return f"a control character, {code}"
    name = unicodedata.name(ch, "")
    return f"{name.lower()}, {code}" if name else code


_CALLED = {
    "\x00": "a NUL byte",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a line break",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a byte-order mark",
    "\u00ad": "a soft hyphen",
}


def hidden_note(text: str, *, allow: str = "") -> str:
    """Where ``text``'s hidden characters are, in words; "" when it has none.

    ``hidden_note("Elena Gomez\x00")`` is "with a hidden character after 'Gomez':
    a NUL byte, U+0000".
    """
    found = hidden_characters(text, allow=allow)
    if not found:
        return ""
    if len(found) == 1:
        i, ch = found[0]
        return f"with a hidden character {_place(text, i)}: {character_name(ch)}"
    places = [f"{character_name(ch)}, {_place(text, i)}" for i, ch in found[:3]]
    more = f"; and {len(found) - 3} more" if len(found) > 3 else ""
    return f"with {len(found)} hidden characters: {'; '.join(places)}{more}"


def quoted(text: str, limit: int = 40) -> str:
    """Text as a message quotes it: in quotes, cut short when long, and with its
    hidden characters named so two names that look the same can be told apart.

    ``quoted("Elena Gomez\x00")`` is "'Elena Gomez' (with a hidden character after
    'Gomez': a NUL byte, U+0000)".
    """
    seen = _visible(text)
    shown = f"'{seen}'" if len(seen) <= limit else f"'{seen[:limit]}…'"
    note = hidden_note(text)
    return f"{shown} ({note})" if note else shown


def _visible(text: str) -> str:
    """``text`` without the characters :func:`hidden_characters` finds."""
    hidden = {i for i, _ in hidden_characters(text)}
    return "".join(ch for i, ch in enumerate(text) if i not in hidden)


def _place(text: str, i: int) -> str:
    """Where position ``i`` is: "after 'Gomez'", "at the start"."""
    before = _visible(text[:i]).rstrip()
    if not before:
        return "at the start"
    word = before.split()[-1][-20:]
    return f"after '{word}'"


def checked_text(
    field: str,
    value: object,
    limit: int,
    empty: str | None = None,
    *,
    one_line: bool = False,
) -> str:
    """A form field's typed text with the spaces around it dropped.

    Parameters
    ----------
    field
        The field's label, named by the error.
    value
        What was typed; None counts as empty.
    limit
        The most characters the text may have.
    empty
        What to tell the person when the text is empty; None lets it be empty.
    one_line
        Refuse a text with a line break in it.

    Raises
    ------
    ValidationError
        ``value`` is not text, is empty when it may not be, has a line break when
        ``one_line``, or is longer than ``limit``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "type it as text")
    text = value.strip()
    if not text and empty is not None:
        raise ValidationError(field, empty)
    if one_line and ("\n" in text or "\r" in text):
        raise ValidationError(field, "keep it on one line")
    if len(text) > limit:
        raise ValidationError(
            field,
            f"keep it to {limit} characters or fewer (this one has {len(text)})",
        )
    return text
