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


def field(widget: w.Widget, css: str) -> w.Widget:
    """Give a widget a stable class name (browser tests find it by that)."""
    widget.add_class(css)
    return widget
