"""Text a person typed, made safe for where it goes: HTML, Markdown, a file name.

Every screen and report escapes typed text with these, so a name like ``<b>Ana</b>``
shows as those characters and never becomes markup, a link or a table cell. Two
typed names are compared through :func:`name_key`, everywhere the same way, and a
form field's text is checked through :func:`checked_text`.
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

    Case and runs of spaces do not count, so "ana diaz" and "Ana  Diaz" are the
    same person; accents do, so "Ana" and "Aná" are two people.
    """
    return " ".join(str(name).split()).casefold()


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
