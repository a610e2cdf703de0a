"""Workbook 4, My coaching: the rep's own page.

Not a pillar: the page a rep opens from the link their coach sent
(``?me=SECRET``), or through the same sign-in the coaches use. It shows the rep's
plan, goals, actions, latest sessions and numbers, and takes the rep's voice:
an action ticked off (or why not), a rating of each session, a self-assessment
against the rubric. Everything is read and written through
:mod:`coachkit.rep_side`, which lets a rep reach their own records only.

The state (:class:`MyCoachingState`) holds the rep's page as read from the store,
no widgets; the sections (a module each) draw it and send the rep's answers back
through :class:`MyCoaching`.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from typing import Any, cast
from urllib.parse import parse_qs

import ipywidgets as w
import traitlets as t

from coachkit.apps.shell import AppState, await_visitor, guarded, text
from coachkit.errors import CoachkitError
from coachkit.store.access import Viewer
from coachkit.store.database import Store

#: The page's style, in ``my_coaching.css`` beside this module (after the shell's).
CSS = (
    "\n<style>\n"
    + resources.files("coachkit.apps.my_coaching")
    .joinpath("my_coaching.css")
    .read_text(encoding="utf-8")
    + "</style>\n"
)
#: What a page opened without a rep's link says.
NO_LINK = (
    "This page is a rep's own coaching page. Open it with the link your coach "
    "sent you. Coaches make that link in 2. Facilitate, on the 6. Progress tab."
)


class MyCoachingState(AppState):
    """The rep's page as read from the store (:class:`coachkit.rep_side.RepPage`)."""

    rep_id = t.Int(allow_none=True, default_value=None)
    page = t.Any(None)
    #: Behaviours with their rubric (``framework_frame``), for the self-assessment.
    behaviours = t.Any(None)


class MyCoaching:
    """The rep's page: header, status line, then one section under another.

    Parameters
    ----------
    db
        The store (path or URL); None means ``COACHKIT_DB``.
    rep
        A rep's id, for an analyst's or a test's own look (single-user mode
        only); a served page takes the rep from its link or sign-in.
    today
        The day to treat as today (tests pin it).
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        rep: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        from coachkit.apps.base import store_for

        self.today = today or dt.date.today()
        self.state = MyCoachingState()
        whole = store_for(db)
        self.store: Store = whole
        query = os.environ.get("QUERY_STRING", "") if rep is None else ""
        self.viewer = _visitor(whole, query)
        if self.viewer is not None:
            self.store = whole.as_viewer(self.viewer)
            rep = getattr(self.viewer, "rep_id", None) or _asked_rep(query)
        self.state.rep_id = None if rep is None else int(rep)
        self.status = w.HTML()
        self.status.add_class("ck-status-line")
        self.header = w.HTML()
        self.body = w.VBox()
        self.root = w.VBox([self.header, self.status, self.body])
        self.root.add_class("coachkit-app")
        self.root.add_class("ck-rep-page")
        self.state.observe(self._show_status, names=["message", "level"])
        self.sections: list[Any] = []
        if self.state.rep_id is None:
            self.header.value = _header("My coaching", "")
            self.state.say(NO_LINK, "info")
        else:
            guarded(self.state, "opening your page")(self._build)()
        self._show_status()
        self.root.add_class("coachkit-ready")

    # -- reading ---------------------------------------------------------------------
    def _build(self) -> None:
        from coachkit.apps.my_coaching.actions import ActionsSection
        from coachkit.apps.my_coaching.my_data import DataSection
        from coachkit.apps.my_coaching.overview import NumbersSection, PlanSection
        from coachkit.apps.my_coaching.self_view import SelfSection
        from coachkit.apps.my_coaching.sessions import SessionsSection

        self.sections = [
            PlanSection(self),
            ActionsSection(self),
            SessionsSection(self),
            SelfSection(self),
            NumbersSection(self),
            DataSection(self),
        ]
        self.body.children = [section.box for section in self.sections]
        self.reload()

    def reload(self) -> None:
        """Read the rep's page again and draw every section."""
        from coachkit.model.framework import framework_frame
        from coachkit.rep_side import my_page

        with self.store.read() as conn:
            self.state.page = my_page(conn, self.rep_id, self.today)
            self.state.behaviours = framework_frame(conn)
        page = self.state.page
        self.header.value = _header(
            "My coaching",
            f"Hello {text(page.rep)}. This page is yours: your plan, your goals, the "
            f"actions you agreed with {text(page.coach)}, and your view of each "
            "session. Only you and your coach see it.",
        )
        for section in self.sections:
            section.draw(page)

    @property
    def rep_id(self) -> int:
        """The rep whose page this is."""
        if self.state.rep_id is None:
            raise CoachkitError(NO_LINK)
        return int(self.state.rep_id)

    # -- the rep's answers (each one transaction, then the page is read again) -------
    def mark_action(self, action_id: int, done: bool, note: str) -> None:
        """Tick an action off as done, or say why it was not done."""
        from coachkit.rep_side import mark_action

        with self.store.write() as conn:
            mark_action(conn, self.rep_id, action_id, done, note, self.today)
        self.reload()

    def rate_session(
        self,
        session_id: int,
        relevant: int | None,
        developmental: int | None,
        motivational: int | None,
        wish: str,
    ) -> None:
        """Save the rep's rating of one session (it may be changed later)."""
        from coachkit.rep_side import rate_session

        with self.store.write() as conn:
            # A missing answer goes as None: rate_session names the field.
            rate_session(
                conn,
                self.rep_id,
                session_id,
                cast(int, relevant),
                cast(int, developmental),
                cast(int, motivational),
                wish,
            )
        self.reload()

    def self_assess(
        self, behaviour_id: int, skill: int | None, will: int | None, evidence: str
    ) -> None:
        """Save the rep's own view of one behaviour."""
        from coachkit.rep_side import self_assess

        with self.store.write() as conn:
            self_assess(  # a missing score goes as None: self_assess names it
                conn,
                self.rep_id,
                behaviour_id,
                cast(int, skill),
                cast(int, will),
                evidence,
                self.today,
            )
        self.reload()

    def my_data(self) -> dict[str, bytes]:
        """Every CSV file of what coachkit keeps about the rep, by file name."""
        from coachkit.rep_side import my_data_csv

        with self.store.read() as conn:
            return dict(my_data_csv(conn, self.rep_id))

    # -- the page --------------------------------------------------------------------
    @property
    def view(self) -> w.VBox:
        """The root widget to display."""
        return self.root

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)

    def section(self, key: str) -> Any:
        """The section called ``key`` ("plan", "actions", "sessions", ...)."""
        return next(s for s in self.sections if s.key == key)

    def _show_status(self, _change: object = None) -> None:
        level = self.state.level
        message = self.state.message
        self.status.value = (
            f"<div class='ck-status ck-status-{level}' role='status'>{text(message)}"
            "</div>"
            if message
            else ""
        )


def _header(title: str, intro: str) -> str:
    from coachkit.apps.shell import _CSS

    return (
        _CSS
        + CSS
        + f"<h1>{text(title)}</h1>"
        + (f"<p class='ck-rep-page-intro'>{intro}</p>" if intro else "")
    )


def _visitor(store: Store, query: str) -> Viewer | None:
    """Who opened the page: the rep of the link, someone signed in, or None."""
    from coachkit.web import identity

    with store.read() as conn:  # (identity records a link's use on its own)
        return identity.visitor(conn, os.environ, query, seats=False, reps=True)


def _asked_rep(query: str) -> int | None:
    """A coach's preview: ``?rep=ID`` (the store refuses a rep outside their team)."""
    values = parse_qs(query).get("rep", [])
    return int(values[0]) if values and values[0].isdigit() else None


def warm_up() -> None:
    """What a preheated kernel loads before its visitor comes."""
    import coachkit.apps.my_coaching.actions  # noqa: F401
    import coachkit.apps.my_coaching.my_data  # noqa: F401
    import coachkit.apps.my_coaching.overview  # noqa: F401
    import coachkit.apps.my_coaching.self_view  # noqa: F401
    import coachkit.apps.my_coaching.sessions  # noqa: F401
    import coachkit.rep_side  # noqa: F401


def build_my_coaching(**kwargs: Any) -> MyCoaching | w.HTML:
    """Build the rep's page, or a plain message when it cannot be opened.

    A preheated kernel waits here for its visitor (the link's secret is in the
    request's address).
    """
    if kwargs.get("rep") is None:
        await_visitor(warm_up)
    try:
        return MyCoaching(**kwargs)
    except CoachkitError as exc:
        return refusal(str(exc))


def refusal(message: str) -> w.HTML:
    """The whole page when it cannot be opened (an old link, a stranger), in words."""
    box = w.HTML(
        _header("My coaching", "")
        + f"<div class='ck-status ck-status-error' role='alert'>{text(message)}</div>"
    )
    box.add_class("coachkit-app")
    box.add_class("ck-rep-page")
    box.add_class("coachkit-error")
    box.add_class("coachkit-ready")
    return box
