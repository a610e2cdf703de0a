"""One step of a workbook, shown as a tab, and the deck that builds and redraws them.

Every tab follows one protocol, in all three workbooks and in plugins:

- **built when first opened**: ``Tab(app)`` builds the tab's widgets into ``box``;
- **redrawn on named events**: the workbook announces what changed
  (:meth:`TabDeck.announce`); every tab redraws on ``"data"`` (the team's data was
  read again) and on the events it lists in ``redraws_on``;
- **off screen, it catches up**: a tab not on screen only remembers the events it
  missed, and redraws once, for all of them, when it is opened;
- **never blank**: a tab not built yet says "Loading…" (``role=status``, so a screen
  reader says it too) from the moment it is opened until it is drawn.

To redraw, the deck calls :meth:`Tab.load` with a connection to the store (only a
tab that reads for itself defines it), then :meth:`Tab.draw` with the events since
the tab was last drawn.
"""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import guarded

#: What a tab not drawn yet shows, in every workbook.
LOADING_HTML = "<p class='ck-loading' role='status' aria-live='polite'>Loading…</p>"
LOADING_CLASS = "ck-tab-loading"

#: Every tab redraws on it: the team's data was read again (and the first draw).
DATA = "data"
#: The events a workbook announces, with what each means.
EVENTS = {
    DATA: "the team's data was read again: draw everything",
    "rep": "another rep was picked (``app.state.rep_id``)",
    "ranking": "Prioritize: the weights changed the ranking",
    "draft": "Facilitate: the session draft changed",
    "period": "Improve: another period was picked",
    "reflection": "Improve: the coach saved a reflection",
    "calls": "a recorded call was imported, or one of its moments judged",
}


class Tab:
    """Base class of every workbook tab, built-in or from a plugin.

    Subclasses set ``title`` (and ``key``, a short name for ``app.tab(key)``),
    build their widgets into ``self.box`` in ``__init__``, list in ``redraws_on`` the
    events besides ``"data"`` they redraw on, and redraw in :meth:`draw`.

    Parameters
    ----------
    app
        The workbook: its ``state``, ``store`` and ``today``.
    """

    title = ""
    key = ""
    #: The events, besides ``"data"``, this tab redraws on (see :data:`EVENTS`).
    redraws_on: frozenset[str] = frozenset()

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.box = w.VBox()
        self._due: set[str] = {DATA}  # not drawn yet: everything

    @property
    def stale(self) -> bool:
        """Whether something changed since the tab was last drawn."""
        return bool(self._due)

    @stale.setter
    def stale(self, value: bool) -> None:
        self._due = {DATA} if value else set()

    def load(self, conn: Any) -> None:
        """Read what this tab shows from the store (before each :meth:`draw`).

        Only a tab that reads for itself defines it; the others draw from
        ``app.state``, which the workbook keeps up to date.
        """

    def draw(self, changed: frozenset[str]) -> None:
        """Show the tab's data again.

        ``changed`` holds the events since the last draw; with ``"data"`` among
        them (always, the first time), draw everything.
        """

    def action(self, doing: str, fn: Any) -> Any:
        """Wrap a button handler: errors become messages in the status line."""
        return guarded(self.state, doing)(fn)


class TabDeck:
    """The workbook's tabs: each is built when first opened, and redrawn when on screen.

    Building and drawing every tab at start cost a Prioritize page 1.4 s in the
    kernel and 750 widget models in the browser, most of it for tabs nobody had
    opened yet (benchmarks/RESULTS.md). So a tab given as a class is built when the
    coach first opens it, and a tab off screen redraws, once, when it is opened.
    ``timings`` records the kernel seconds each tab's latest drawing took.

    Parameters
    ----------
    app
        The workbook; a tab class is called with it.
    tabs
        Tab classes (built when opened) or tabs already built (plugins), in order.
    start
        The index of the tab on screen first (a page address may ask for one).
    """

    def __init__(self, app: Any, tabs: list[Any], start: int = 0) -> None:
        self.app = app
        # One "Loading…" shared by every tab not built yet: the browser shows it
        # the moment a tab is opened, while the kernel builds and draws the tab.
        loading = w.HTML(LOADING_HTML)
        loading.add_class(LOADING_CLASS)
        self.tabs: list[Any] = [
            _Unopened(tab, loading) if isinstance(tab, type) else tab for tab in tabs
        ]
        self.widget = w.Tab(children=[tab.box for tab in self.tabs])
        self.widget.titles = tuple(tab.title for tab in self.tabs)
        self.widget.add_class("ck-tabs")
        if 0 < start < len(self.tabs):
            self.widget.selected_index = start
        self.timings: dict[str, float] = {}
        show = guarded(app.state, "opening this tab")(self.show_current)
        self.widget.observe(lambda _change: show(), names="selected_index")

    def announce(self, event: str) -> None:
        """Say ``event`` happened: the tab on screen redraws, the others when opened."""
        if event not in EVENTS:
            raise ValueError(f"no such event: {event!r}; one of {', '.join(EVENTS)}")
        for tab in self.tabs:
            if isinstance(tab, Tab) and (event == DATA or event in tab.redraws_on):
                tab._due.add(event)
        self.show_current()

    def show_current(self) -> None:
        """Build or redraw the tab on screen, if it missed something."""
        index = self.widget.selected_index or 0
        if index < len(self.tabs):
            self.show(index)

    def show(self, index: int) -> Tab:
        """The tab at ``index``, built and up to date (on screen or not)."""
        tab = self.tabs[index]
        if not tab.stale:
            return tab
        began = time.perf_counter()
        holder = None  # the box on screen, saying "Loading…" until the tab is drawn
        if isinstance(tab, _Unopened):
            holder = tab.box
            self.tabs[index] = tab = tab.kind(self.app)
        changed, tab._due = frozenset(tab._due), set()
        try:
            if type(tab).load is not Tab.load:
                with self.app.store.read() as conn:
                    tab.load(conn)
            tab.draw(changed)
        except BaseException:
            tab._due |= changed  # tried again when next shown
            raise
        finally:
            if holder is not None:
                holder.children = [tab.box]
        self.timings[tab.key or tab.title] = time.perf_counter() - began
        return tab

    def find(self, key: str) -> int:
        """The index of the tab called ``key``."""
        for index, tab in enumerate(self.tabs):
            if tab.key == key:
                return index
        raise KeyError(key)


class _Unopened:
    """A tab not opened yet: its title, and a box saying "Loading…" till drawn."""

    stale = True

    def __init__(self, kind: type[Tab], loading: w.Widget) -> None:
        self.kind = kind
        self.title = kind.title
        self.key = kind.key
        self.box = w.VBox([loading])


def field(widget: w.Widget, css: str) -> w.Widget:
    """Give a widget a stable class name (browser tests find it by that)."""
    widget.add_class(css)
    return widget
