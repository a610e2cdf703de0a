"""What a workbook page keeps in its address: coach, rep, tab and period.

A reload starts a new kernel that knows nothing but the store and the page address
(Voila hands the address's query string to the kernel as ``QUERY_STRING``). So the
view a coach has open is written into the address as they go, for example
``?coach=3&rep=12&tab=2&period=12``, and read back when the page is built: a reload
keeps the view, and a link opens the same view for a colleague.

:class:`Address` only parses and writes the words of the address; every value is
checked against what the viewer may see where it is used
(:meth:`coachkit.apps.base.Workbook.follow`). The kernel cannot run script in the
page, so it puts the query into a hidden widget (:func:`address_html`), and the
page's ``coachkit.js`` copies it into the address bar with
``history.replaceState``: no reload, no new history entry.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

#: The class of the hidden widget that holds the query (coachkit.js looks for it).
ADDRESS_CLASS = "ck-address"
#: The words of the address a workbook owns; every other word (``seat``) is kept.
KEYS = ("coach", "rep", "tab", "period")


def _number(values: list[str]) -> int | None:
    """A whole number from the address, or None for anything else."""
    if not values:
        return None
    value = values[0].strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


@dataclass(frozen=True)
class Address:
    """The view asked for in a page address; None where it asks for nothing.

    ``tab`` is the tab's number as its title shows it (1 is the first tab);
    ``period`` is a number of months. ``rep`` 0 is Improve's whole team.
    """

    coach: int | None = None
    rep: int | None = None
    tab: int | None = None
    period: int | None = None

    @classmethod
    def parse(cls, query: str) -> Address:
        """Read a query string; a value that is not a whole number is ignored."""
        words = parse_qs(query or "")
        return cls(
            coach=_number(words.get("coach", [])),
            rep=_number(words.get("rep", [])),
            tab=_number(words.get("tab", [])),
            period=_number(words.get("period", [])),
        )

    def query(self) -> str:
        """The query string of this view (``coach=3&rep=12``), empty parts left out."""
        parts = [(key, getattr(self, key)) for key in KEYS]
        return urlencode([(key, value) for key, value in parts if value is not None])


def address_html(address: Address) -> str:
    """The hidden widget's HTML: the query coachkit.js puts in the address."""
    return f"<span data-ck-address='{html.escape(address.query())}'></span>"
