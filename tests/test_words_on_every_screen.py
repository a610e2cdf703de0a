"""No stored code and one way of writing a day on every Prioritize and Improve tab.

The rules are those of ``test_words_on_screen`` (issue #22, finding 6), which
checks the Facilitate tabs: no stored code or column name reaches a screen, and
days read "7 December 2026" everywhere but on a chart's axis. Here every tab of
the two other workbooks is drawn on the demo store, as a coach with a rep open
and as the enablement lead with the whole team, and read as a person would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from screen_text import visible_texts
from test_words_on_screen import other_days, raw_codes

from coachkit.apps.improve import Improve
from coachkit.apps.prioritize import Prioritize
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")

WORKBOOKS = {"prioritize": Prioritize, "improve": Improve}
TABS = {
    "prioritize": ["Team", "Framework", "Priorities", "Performance", "Assess", "Plan"],
    "improve": [
        "Look back",
        "What worked",
        "Leading signs",
        "Coverage",
        "Styles",
        "Long term",
        "Reflect",
        "Self-check",
    ],
}


def _person(store: Store, role: str) -> int:
    with store.read() as conn:
        frame = queries.coaches(conn)
    return int(frame[frame["role"] == role]["coach_id"].iloc[0])


def _reading(
    store: Store, today: dt.date, workbook: str, role: str, tab: str
) -> list[str]:
    """Every text on the page with ``tab`` open, as ``role`` sees it."""
    app: Any = WORKBOOKS[workbook](
        db=store.location, coach=_person(store, role), today=today
    )
    if role == "coach" and len(app.rep_picker.options) > 1:
        app.rep_picker.value = app.rep_picker.options[1][1]  # a rep, not the team
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(tab))
    app.tab_widget.selected_index = index
    shell = app.shell
    texts = [
        t
        for widget in (shell.header, shell.nav, shell.coach_picker, shell.status)
        for t in visible_texts(widget)
    ]
    texts += list(app.tab_widget.titles)
    for widget in app.controls():
        texts += visible_texts(widget)
    return texts + visible_texts(app.tabs[index].box, charts=False)


CASES = [
    (workbook, role, tab)
    for workbook, tabs in TABS.items()
    for role in ("coach", "lead")
    for tab in tabs
]


def _typed(store: Store) -> set[str]:
    """What people wrote in their own words (a reflection may say "direct style")."""
    with store.read() as conn:
        return set(conn.execute(sa.select(schema.reflections.c.text)).scalars())


def _ours(texts: list[str], typed: set[str]) -> list[str]:
    """The texts coachkit wrote. The import panel's list of a CSV file's columns
    names them as the file must spell them ("start_date"), with days as the file
    writes them; that is the one place a column name is the right word."""
    return [t for t in texts if t not in typed and not t.startswith("Columns: ")]


@pytest.mark.parametrize(("workbook", "role", "tab"), CASES)
def test_every_tab_reads_in_words(
    demo_store: Store, today: dt.date, workbook: str, role: str, tab: str
) -> None:
    texts = _ours(_reading(demo_store, today, workbook, role, tab), _typed(demo_store))
    assert len(texts) > 10, texts  # the tab really drew something
    assert raw_codes(texts) == []
    assert other_days(texts) == []
