"""What the workshop's own pages share (the claim form, the trainer's page).

Neither is a workbook: each is a column of widgets with a status line, shown by
Voila like a workbook (``view`` or ``_ipython_display_``).
"""

from __future__ import annotations

import ipywidgets as w

from coachkit.apps.shell import text


class WorkshopPage:
    """A page with a root widget; subclasses build ``root``."""

    root: w.VBox

    @property
    def view(self) -> w.VBox:
        """The root widget to display."""
        return self.root

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)


def status_html(message: str, level: str) -> str:
    """The status line's HTML: ``message`` as text, in the look of ``level``."""
    return (
        f"<div class='ck-status ck-status-{level}' role='status'>{text(message)}</div>"
    )
