"""A sample coachkit plugin: a "Notes count" tab in the Improve workbook.

It shows how many reflections the coach has written, read from the store. Enable it
with ``COACHKIT_PLUGINS=example_plugin`` (this folder on ``PYTHONPATH``); the same
code is the example in ``docs/extending.md``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import sqlalchemy as sa

from coachkit.apps.improve.tabs import ImproveTab, say
from coachkit.apps.plugins import register_tab
from coachkit.store import schema


class NotesCountTab(ImproveTab):
    """How many reflections the coach has written."""

    key = "notes_count"
    title = "Notes count"
    redraws_on = frozenset({"reflection"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.count = 0
        self.shown = w.HTML()
        self.shown.add_class("ck-notes-count")
        self.box.children = [self.shown]

    def load(self, conn: Any) -> None:
        r = schema.reflections
        query = sa.select(sa.func.count()).where(r.c.coach_id == self.state.coach_id)
        self.count = int(conn.execute(query).scalar_one())

    def draw(self, changed: frozenset[str]) -> None:
        self.shown.value = say(f"You have written {self.count} reflections.")


register_tab("improve", NotesCountTab)
