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
    """Redraw the tab on screen now, and every other tab when it is opened.

    A workbook asks its tabs to redraw (``refresh``, ``refresh_rep``, ...) whenever
    its data changes. Drawing all of them each time cost a Prioritize page 1.4 s
    at start, most of it in charts nobody had looked at yet (benchmarks/RESULTS.md);
    a tab now catches up on what it missed, in order, when the coach opens it.

    Parameters
    ----------
    tabs
        The workbook's tabs, in the order of ``widget``'s children.
    widget
        The ``ipywidgets.Tab`` that shows them.
    state
        Where an error while catching up is shown.
    """

    def __init__(self, tabs: list[Any], widget: w.Tab, state: Any) -> None:
        self.tabs = tabs
        self.widget = widget
        self._due: list[list[str]] = [[] for _ in tabs]
        catch_up = guarded(state, "opening this tab")(self._catch_up)
        widget.observe(lambda _change: catch_up(), names="selected_index")

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
        due, self._due[index] = self._due[index], []
        for method in due:
            getattr(self.tabs[index], method)()


def field(widget: w.Widget, css: str) -> w.Widget:
    """Give a widget a stable class name (browser tests find it by that)."""
    widget.add_class(css)
    return widget
