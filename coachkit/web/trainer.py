"""What the trainer sees of the room: each seat's progress and a printable sheet.

:func:`seat_progress` counts, for each seat, what its participant saved in each
workbook since the practice team was made (rows written after the start).
:func:`seat_sheet` is a page to print and hand out: the address the room types,
and each seat's own link with a QR code to scan (drawn by ``segno``, loaded only
when a sheet is made).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.exchange.marks import HTML_MARK
from coachkit.model.pillars import PILLARS
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.web import workshop as ws
from coachkit.web.room import with_key

#: The team tables each workbook saves to, by the workbook's key.
WORKBOOK_TABLES: dict[str, tuple[sa.Table, ...]] = {
    "prioritize": (s.reps, s.assessments, s.goals, s.plans),
    "facilitate": (s.sessions, s.observations, s.actions),
    "improve": (s.reflections,),
}


@dataclass(frozen=True)
class Progress:
    """One seat and what its participant saved in each workbook since the start."""

    seat: ws.Seat
    saved: dict[str, int]

    @property
    def total(self) -> int:
        """Everything saved, in all three workbooks."""
        return sum(self.saved.values())


@access.lead_only
def seat_progress(conn: Connection) -> list[Progress]:
    """Every seat in order, with the rows saved in each workbook since the start."""
    made = ws.recipe(conn)
    seats = ws.list_seats(conn)
    counts: dict[int, dict[str, int]] = {seat.coach_id: {} for seat in seats}
    for key, tables in WORKBOOK_TABLES.items():
        for table in tables:
            rows = conn.execute(
                sa.select(table.c.coach_id, sa.func.count())
                .where(_written_at(table) > made.made_at)
                .group_by(table.c.coach_id)
            )
            for coach, count in rows:
                if coach in counts:
                    counts[coach][key] = counts[coach].get(key, 0) + int(count)
    return [
        Progress(seat, {p.key: counts[seat.coach_id].get(p.key, 0) for p in PILLARS})
        for seat in seats
    ]


def _written_at(table: sa.Table) -> sa.Column:
    """When a row was last written: observations keep the moment they were made."""
    for name in ("updated_at", "created_at", "observed_at"):
        if name in table.c:
            return table.c[name]
    raise ValueError(f"{table.name} has no time of writing")  # a schema change


def seat_url(address: str, seat: ws.Seat, key: str) -> str:
    """The full link of a claimed seat, or of the claim page for a free one."""
    root = address.rstrip("/")
    if seat.claimed_by:
        return root + ws.seat_link(seat.token, key=key)
    return with_key(root + PILLARS[0].path, key)


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as inline SVG (``segno`` is loaded here, when asked)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=3, omitsize=False))


def seat_sheet(seats: list[ws.Seat], address: str, key: str) -> str:
    """A page to print: the room's address and one card per seat with its QR code.

    A claimed seat's card holds that participant's own link (to give it back to
    someone who lost it); a free seat's card opens the page where a latecomer
    types their name.
    """
    cards = []
    for seat in seats:
        url = seat_url(address, seat, key)
        who = (
            f"for {html.escape(seat.claimed_by)}"
            if seat.claimed_by
            else "free: scan it, then type your name"
        )
        cards.append(
            "<section class='card'>"
            f"<h2>Seat {seat.number} <small>{who}</small></h2>"
            f"{qr_svg(url)}"
            f"<p class='link'>{html.escape(url)}</p>"
            "</section>"
        )
    start = with_key(address.rstrip("/") + "/", key)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"{HTML_MARK}"
        "<title>Workshop seats</title><style>"
        "body{font-family:sans-serif;margin:1cm}"
        ".card{display:inline-block;width:8.5cm;margin:0 .4cm .6cm 0;"
        "padding:.3cm;border:1px solid #999;vertical-align:top;"
        "break-inside:avoid}"
        ".card h2{font-size:14pt;margin:0 0 .2cm}.card small{font-weight:normal}"
        ".link{font-family:monospace;font-size:8pt;word-break:break-all}"
        "</style></head><body>"
        "<h1>Workshop seats</h1>"
        f"<p>Everyone opens <b>{html.escape(start)}</b> and types their name. "
        "Cut out a card for anyone who needs their own link again. Keep each "
        "link to its owner: it opens their team.</p>"
        "<section class='card room'>"
        "<h2>Everyone <small>scan it to open the workshop</small></h2>"
        f"{qr_svg(start)}<p class='link'>{html.escape(start)}</p></section>"
        "<h2 class='seats'>Each seat</h2>" + "".join(cards) + "</body></html>"
    )
