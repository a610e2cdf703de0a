"""Text a person typed, made safe for where it goes: HTML, Markdown, a file name.

Every screen and report escapes typed text with these, so a name like ``<b>Ana</b>``
shows as those characters and never becomes markup, a link or a table cell. Two
typed names are compared through :func:`name_key`, everywhere the same way.
"""

from __future__ import annotations

import html
import re
import unicodedata


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
