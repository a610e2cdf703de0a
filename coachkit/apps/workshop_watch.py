"""A participant's open workbook in a workshop: keep the seat, notice a reset.

:func:`keep_watch` does two things for a page opened in a seat:

- it puts the seat (and the browser's own mark) in a hidden element, which the
  page script (``static/coachkit.js``) copies into cookies, so every link,
  Home included, opens the participant's own team;
- it remembers the seat's reset stamp (:mod:`coachkit.web.workshop_meta`). Every
  write this page makes first checks the stamp, and a timer checks it every
  :data:`POLL_SECONDS`: once the trainer has put the team back, the page shows
  "The trainer reset ... reload" and saves nothing more (a draft written on the
  old team would land on the new one). Each transaction the page opens looks
  once (reads too, so a page never shows the new team mixed into the old).
"""

from __future__ import annotations

import asyncio
import html
import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import sqlalchemy as sa

from coachkit.errors import CoachkitError
from coachkit.store import schema as s
from coachkit.store.access import viewer_of
from coachkit.store.database import Store
from coachkit.web import workshop as ws
from coachkit.web import workshop_meta as wm

#: Seconds between two looks at the reset stamp while the page is open.
POLL_SECONDS = 5.0
#: What a page says once its team was reset under it.
RESET_NOTICE = (
    "The trainer reset the workshop, so this page shows your team as it was "
    "before. Reload the page to see your team now. Nothing you type "
    "here is saved until you reload."
)
#: Where a connection notes the transaction whose stamp was looked at.
_CHECKED = "coachkit_reset_checked"
#: The class of the hidden element the page script (coachkit.js) reads.
KEEP_CLASS = "ck-seat-keep"


class WorkshopReset(CoachkitError):
    """The trainer reset this seat's team after the page was opened."""


def keep_html(seat: str, browser: str) -> str:
    """The hidden element's HTML: the seat ("-" forgets it) and the browser mark."""
    return (
        f"<span data-ck-seat='{html.escape(seat, quote=True)}' "
        f"data-ck-browser='{html.escape(browser, quote=True)}'></span>"
    )


def browser_mark(env: Mapping[str, str]) -> str:
    """This browser's own random mark: the cookie it sent, or a new one to keep."""
    sent = ws.cookie_value(env.get("HTTP_COOKIE", ""), ws.BROWSER_COOKIE)
    return sent or secrets.token_urlsafe(16)


def seat_token(env: Mapping[str, str]) -> str:
    """The seat this page was opened in: the address's, else the cookie's."""
    return ws.seat_in(env.get("QUERY_STRING", "")) or ws.cookie_value(
        env.get("HTTP_COOKIE", ""), ws.SEAT_COOKIE
    )


class SeatWatch:
    """Keeps one seated page from writing over a reset; shows the notice.

    Parameters
    ----------
    store
        The whole store (the page's own engine: its writes are the ones checked).
    coach_id
        The seat's coach.
    show
        Called once with the notice when the reset is first seen.
    """

    def __init__(
        self, store: Store, coach_id: int, show: Callable[[str], None]
    ) -> None:
        self.store = store
        self.coach_id = coach_id
        self.show = show
        self.noticed = False
        self._looking = False
        self.stamp = self._stamp()
        sa.event.listen(store.engine, "before_execute", self._before_execute)

    def _stamp(self) -> str:
        with self.store.read() as conn:
            return wm.reset_stamp(conn, self.coach_id)

    def check(self) -> bool:
        """Look at the stamp now; True (and the notice shown) once it changed."""
        if not self.noticed and self._stamp() != self.stamp:
            self.noticed = True
            self.show(RESET_NOTICE)
        return self.noticed

    def _before_execute(
        self, conn: sa.Connection, clause: Any, *_args: Any, **_kwargs: Any
    ) -> None:
        viewer = viewer_of(conn)
        if viewer is None or viewer.coach_id != self.coach_id:
            return  # not this page's seat (tests build several pages in one process)
        if self.noticed:
            raise WorkshopReset(RESET_NOTICE)
        if self._looking:
            return  # the look below
        transaction = conn.get_transaction()
        if transaction is not None and conn.info.get(_CHECKED) is transaction:
            return  # looked once in this transaction already
        self._looking = True
        try:
            stamp = conn.execute(
                sa.select(s.meta.c.value).where(
                    s.meta.c.key == f"{wm.RESET}{self.coach_id}"
                )
            ).scalar()
        finally:
            self._looking = False
        conn.info[_CHECKED] = conn.get_transaction()  # begun by the look
        if (stamp or "") != self.stamp:
            self.noticed = True
            self.show(RESET_NOTICE)
            raise WorkshopReset(RESET_NOTICE)


def keep_watch(workbook: Any) -> SeatWatch:
    """Watch a seated workbook: the seat cookie, the write check and the timer."""
    env = os.environ
    keep = w.HTML(
        keep_html(seat_token(env), browser_mark(env)),
        layout=w.Layout(display="none"),
    )
    keep.add_class(KEEP_CLASS)
    notice = w.HTML(layout=w.Layout(display="none"))
    notice.add_class("ck-reset-notice")
    root = workbook.shell.root
    root.children = (notice, *root.children, keep)

    def show(message: str) -> None:
        notice.value = (
            "<div class='ck-status ck-status-error' role='alert'>"
            f"<b>{html.escape(message)}</b></div>"
        )
        notice.layout.display = None
        workbook.state.fail(message)
        with workbook.whole_store.read() as conn:
            claimed = conn.execute(
                sa.select(s.seats.c.claimed_by).where(
                    s.seats.c.coach_id == watch.coach_id
                )
            ).scalar()
        if claimed is None:  # the seat was freed: the browser forgets it
            keep.value = keep_html("-", browser_mark(env))

    watch = SeatWatch(workbook.whole_store, workbook.visitor.coach_id, show)
    _every(POLL_SECONDS, watch.check)
    return watch


def _every(seconds: float, check: Callable[[], bool]) -> None:
    """Call ``check`` on the kernel's event loop every ``seconds`` until it is True.

    A workbook is built inside the kernel's running loop; built anywhere else (a
    test, a script), there is no loop and nothing is scheduled.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return

    def tick() -> None:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - a store that went away: saves say so
            return
        loop.call_later(seconds, tick)

    loop.call_later(seconds, tick)
