"""The frame every workbook shares: header, links, "who am I", and a status line.

:class:`AppState` holds what the shell shows (no widgets); :class:`ShellView` binds
widgets to it. :func:`guarded` wraps every callback so an error becomes a plain
message in the status line, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import os
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit.apps.address import ADDRESS_CLASS
from coachkit.errors import CoachkitError
from coachkit.model.formats import day
from coachkit.model.pillars import PILLARS, Pillar, site_path
from coachkit.store.access import Viewer
from coachkit.web.serve import log_to_terminal

log = logging.getLogger("coachkit")
log_to_terminal(log)  # under coachkit serve, "the server log" is its terminal

F = TypeVar("F", bound=Callable[..., Any])

READY_CLASS = "coachkit-ready"

#: Every workbook's style block; the rules are in ``shell.css`` beside this module.
_CSS = (
    "\n<style>\n"
    + resources.files("coachkit.apps").joinpath("shell.css").read_text(encoding="utf-8")
    + "</style>\n"
)


class AppState(t.HasTraits):
    """What the shell shows: who is using it and the latest message."""

    coach_id = t.Int(allow_none=True, default_value=None)
    sees_all = t.Bool(False)
    message = t.Unicode("")
    level = t.Enum(["info", "ok", "error"], default_value="info")

    def say(self, message: str, level: str = "ok") -> None:
        """Show ``message`` in the status line."""
        self.level = level
        self.message = message

    def fail(self, message: str) -> None:
        """Show an error in the status line."""
        self.say(message, "error")


def guarded(state: AppState, doing: str) -> Callable[[F], F]:
    """Catch any error in a callback and show it as a message.

    ``doing`` finishes the sentence "Something went wrong while ...".
    """

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except CoachkitError as exc:
                state.fail(str(exc))
            except Exception:
                log.exception("error while %s", doing)
                state.fail(
                    f"Something went wrong while {doing}. Nothing was saved. "
                    "The details are in the server log."
                )
            return None

        return inner  # type: ignore[return-value]

    return wrap


#: Whether this kernel's visitor has come (a pooled kernel waits for it only once).
_VISITOR = {"came": False}


def pooled() -> bool:
    """True in a preheated kernel that is still waiting for its visitor."""
    return os.environ.get("VOILA_PREHEAT") == "True" and not _VISITOR["came"]


def await_visitor(warm_up: Callable[[], None] | None = None) -> None:
    """In a preheated kernel, call ``warm_up`` and wait until someone opens the page.

    Under Voila's preheated kernels the request arrives after the notebook starts;
    ``warm_up`` is the slow work that is the same for every visitor, done before
    anyone arrives. Voila then puts the request's details (``QUERY_STRING``) into
    the environment. Elsewhere, and once the visitor came, this does nothing.
    """
    if not pooled():
        return
    from voila.utils import wait_for_request

    if warm_up is not None:
        warm_up()
    wait_for_request()
    _VISITOR["came"] = True


def requested_coach(warm_up: Callable[[], None] | None = None) -> int | None:
    """The coach asked for in the page address (``?coach=3``), if any.

    A preheated kernel waits for the request first (see :func:`await_visitor`).
    """
    await_visitor(warm_up)
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("coach", [])
    return int(values[0]) if values and values[0].isdigit() else None


def text(value: object) -> str:
    """Escape anything a user typed before it goes into HTML."""
    return html.escape("" if value is None else str(value))


#: The class of a table the page script (static/coachkit.js) lets people sort by
#: any column and, past ten rows, filter with a box above it.
SORTABLE_CLASS = "ck-sortable"


def html_table(frame: pd.DataFrame, empty: str = "Nothing here yet.") -> str:
    """Render a DataFrame as an HTML table; every cell is escaped.

    Days read as every screen writes them, "7 December 2026"; an empty cell reads
    "–". On a served page a click (or Enter) on a column's heading sorts the rows
    by it, and a table longer than ten rows gets a filter box (the page script
    does both, in the browser: the table itself is plain HTML).
    """
    if frame.empty:
        return f"<p class='ck-note'>{text(empty)}</p>"
    frame = frame.apply(_days_in_words)
    frame = frame.astype(object).where(frame.notna(), "–")
    return frame.to_html(
        index=False,
        escape=True,
        na_rep="–",
        border=0,
        classes=["ck-table", *([SORTABLE_CLASS] if _sortable(frame) else [])],
    )


def _sortable(frame: pd.DataFrame) -> bool:
    """One row of plain headings (a grouped heading spans columns: no sorting)."""
    return frame.columns.nlevels == 1 and len(frame) > 1


def beside(message: str, level: str = "ok") -> str:
    """A message shown beside the control it is about: one line, escaped.

    ``level`` is "ok", "info" or "error". An error is an alert (a screen reader
    says it at once, and the page brings it into view); the others are a status.
    Empty ``message``: empty HTML.
    """
    if not message:
        return ""
    role = "alert" if level == "error" else "status"
    return (
        f"<div class='ck-status ck-status-{level} ck-problem' role='{role}'>"
        f"{text(message)}</div>"
    )


def _days_in_words(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.map(lambda v: day(v) if pd.notna(v) else v)
    if column.dtype == object and column.map(_is_day).any():
        return column.map(lambda v: day(v) if _is_day(v) else v)
    return column


def _is_day(value: object) -> bool:
    return isinstance(value, (dt.date, pd.Timestamp)) and pd.notna(value)


class ShellView:
    """The widgets of the shell, bound to an :class:`AppState`.

    Parameters
    ----------
    pillar
        Which workbook this is.
    state
        The app state the shell reads and writes.
    coaches
        The ``coachkit.store.queries.coaches`` frame: who can be picked.
    visitor
        Who signed in, if anyone; None in single-user mode.
    seat
        A workshop seat's token: the links to the other workbooks keep it.
    """

    def __init__(
        self,
        pillar: Pillar,
        state: AppState,
        coaches: pd.DataFrame,
        visitor: Viewer | None = None,
        seat: str = "",
    ) -> None:
        self.pillar = pillar
        self.seat = seat
        self.state = state
        self.header = w.HTML(
            _CSS
            + f"<h1>{pillar.number}. {text(pillar.title)}</h1>"
            + f"<p class='ck-purpose'>{text(pillar.purpose)}</p>"
        )
        self.nav = w.HTML()
        self.nav.add_class("ck-nav")
        options = [
            (
                f"{row.coach} (sees everyone)" if row.role == "lead" else row.coach,
                row.coach_id,
            )
            for row in coaches.itertuples()
        ]
        self.coach_picker = w.Dropdown(
            options=options,
            value=state.coach_id if state.coach_id in dict(options).values() else None,
            description="Who are you?" if visitor is None else "Whose team?",
            style={"description_width": "initial"},
            layout=w.Layout(width="420px", max_width="100%"),
        )
        if visitor is not None and not visitor.sees_all:
            self.coach_picker.description = "Signed in as"
            self.coach_picker.disabled = True
        self.coach_picker.add_class("ck-coach-picker")
        self.status = w.HTML()
        self.status.add_class("ck-status-line")
        self.body = w.VBox()
        # The view's query string; coachkit.js copies it into the address bar.
        self.address = w.HTML(layout=w.Layout(display="none"))
        self.address.add_class(ADDRESS_CLASS)
        self.root = w.VBox(
            [self.header, self.nav, self.coach_picker, self.status, self.body]
            + [self.address]
        )
        self.root.add_class("coachkit-app")
        w.link((self.coach_picker, "value"), (state, "coach_id"))
        state.observe(self._show_status, names=["message", "level"])
        state.observe(self._show_nav, names="coach_id")
        self._show_status()
        self._show_nav()

    def _show_status(self, _change: object = None) -> None:
        level = self.state.level
        self.status.value = (
            f"<div class='ck-status ck-status-{level}' role='status'>"
            f"{text(self.state.message)}</div>"
        )

    def _show_nav(self, _change: object = None) -> None:
        query = "" if self.state.coach_id is None else f"?coach={self.state.coach_id}"
        if self.seat:
            query = f"?seat={quote(self.seat, safe='')}"
        links = [f"<a href='{text(site_path('/'))}'>Home</a>"]
        for p in PILLARS:
            label = f"{p.number}. {text(p.title)}"
            if p.key == self.pillar.key:
                links.append(f"<b>{label}</b>")
            else:
                href = text(site_path(p.path))
                links.append(f"<a href='{href}{query}'>{label}</a>")
        # Shown only on a served page, where coachkit.js copies the address.
        copy = (
            "<span class='ck-copy'><button type='button' class='ck-copy-link'>"
            "Copy link to this view</button> "
            "<button type='button' class='ck-print'>"
            "Print or save as PDF</button> "
            "<span class='ck-copy-done' role='status' aria-live='polite'></span></span>"
        )
        self.nav.value = " ".join(links) + copy

    def ready(self) -> None:
        """Mark the workbook as built: browser tests wait for this class."""
        self.root.add_class(READY_CLASS)
