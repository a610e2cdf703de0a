"""One step of a workbook, shown as a tab: a box of widgets over the app's state."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import guarded


class Tab:
    """Base class of a workbook tab.

    ``app`` is the workbook (its ``state``, ``store`` and ``today``). Subclasses
    set ``title``, build widgets into ``self.box`` and redraw in the ``refresh*``
    methods, which the workbook calls when its data changes.
    """

    title = ""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.box = w.VBox()

    def refresh(self) -> None:
        """Redraw after the team's data was read again."""
        self.refresh_rep()
        self.refresh_ranking()

    def refresh_rep(self) -> None:
        """Redraw after another rep was picked."""

    def refresh_ranking(self) -> None:
        """Redraw after the ranking changed."""

    def refresh_draft(self) -> None:
        """Redraw after the session draft changed (Facilitate)."""

    def action(self, doing: str, fn: Any) -> Any:
        """Wrap a button handler: errors become messages in the status line."""
        return guarded(self.state, doing)(fn)


class TabDeck:
    """The workbook's tabs: each is built when first opened, and redrawn when on screen.

    A workbook asks its tabs to redraw (``refresh``, ``refresh_rep``, ...) whenever
    its data changes. Building and drawing all of them at start cost a Prioritize
    page 1.4 s in the kernel and 750 widget models in the browser, most of it for
    tabs nobody had opened yet (benchmarks/RESULTS.md). Now a tab given as a class is
    built when the coach first opens it, and a tab off screen catches up on the
    redraws it missed, in order, when it is opened.

    Parameters
    ----------
    app
        The workbook; a tab class is called with it.
    tabs
        Tab classes (built when opened) or tabs already built (plugins), in order.
    """

    def __init__(self, app: Any, tabs: list[Any]) -> None:
        self.app = app
        self.tabs: list[Any] = [
            _Unopened(tab) if isinstance(tab, type) else tab for tab in tabs
        ]
        self.widget = w.Tab(children=[tab.box for tab in self.tabs])
        self.widget.titles = tuple(tab.title for tab in self.tabs)
        self.widget.add_class("ck-tabs")
        self._due: list[list[str]] = [[] for _ in self.tabs]
        catch_up = guarded(app.state, "opening this tab")(self._catch_up)
        self.widget.observe(lambda _change: catch_up(), names="selected_index")

    def redraw(self, method: str) -> None:
        """Call ``method`` on the tab on screen; the others call it when opened."""
        for due in self._due:
            if method in due:
                due.remove(method)  # keep one call, in the latest order
            due.append(method)
        self._catch_up()

    def _catch_up(self) -> None:
        index = self.widget.selected_index or 0
        if index >= len(self.tabs):
            return
        tab = self.tabs[index]
        due, self._due[index] = self._due[index], []
        if isinstance(tab, _Unopened):
            built = tab.kind(self.app)
            tab.box.children = [built.box]
            self.tabs[index] = tab = built
            due = ["refresh", "refresh_draft"]  # draw it whole, once
        for method in due:
            getattr(tab, method)()


class _Unopened:
    """A tab not opened yet: its title and an empty box that will hold it."""

    def __init__(self, kind: type[Tab]) -> None:
        self.kind = kind
        self.title = kind.title
        self.box = w.VBox()


def field(widget: w.Widget, css: str) -> w.Widget:
    """Give a widget a stable class name (browser tests find it by that)."""
    widget.add_class(css)
    return widget
