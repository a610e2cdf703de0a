"""The rep's answers as the coach's screens show them (Prep and Progress).

Read through :func:`coachkit.rep_side.my_page` as the coach (a coach may read what
their own reps see), so the coach's screens show exactly what the rep answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from coachkit.apps.shell import text
from coachkit.model.formats import day
from coachkit.model.session_checks import CHECKS


def rep_answers(conn: Any, rep_id: int, today: dt.date) -> Any:
    """What the rep sees and answered (a :class:`coachkit.rep_side.RepPage`)."""
    from coachkit.rep_side import my_page

    return my_page(conn, rep_id, today)


def rep_words(page: Any, action_id: int) -> str:
    """The rep's own words on an action ("done", or why not), as a detail line."""
    for action in page.actions if page is not None else ():
        if int(action.id) == int(action_id) and action.rep_note:
            return f"The rep says: {action.rep_note}"
    return ""


def last_rating_html(sessions: tuple[Any, ...], session_id: int | None) -> str:
    """Prep's line: the rep's rating of the last session and what would help more."""
    if session_id is None:
        return ""
    found = next((x for x in sessions if int(x.id) == int(session_id)), None)
    if found is None or not found.rated:
        return (
            "<p class='ck-rep-rating'>The rep has not rated the last session yet "
            "(they can, on their own page).</p>"
        )
    scores = ", ".join(
        f"{check} {getattr(found, f'rep_{check}')}"
        for check in CHECKS
        if getattr(found, f"rep_{check}") is not None
    )
    line = (
        f"<p class='ck-rep-rating'><b>The rep's rating of the last session</b> "
        f"({text(day(found.held_on))}, 1 to 5): {text(scores)}.</p>"
    )
    if found.rep_wish:
        line += (
            "<p class='ck-rep-wish'><b>What would help more, in the rep's words:</b> "
            f"{text(found.rep_wish)}</p>"
        )
    return line
