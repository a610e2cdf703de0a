"""No stored code reaches a Facilitate screen (issue #22, finding 6).

The store keeps short codes (``call_review``, ``direct``, ``partly``) and column names
(``kept_share``, ``coach_relevant``); a coach should read words. Each test builds
one Facilitate tab on the demo store, as a coach sees it with a rep open, collects
every text a person can read there (:mod:`screen_text`: HTML with its tags
stripped, labels, descriptions, option labels, text values, table headers) and
checks three rules:

- no piece of text (a cell, a label, a part of a sentence between brackets, commas
  or colons) is a stored code or a column name on its own: "(rep, by ...)" or a
  cell "open";
- no code or column name with an underscore appears anywhere, in any case
  ("Kept_share");
- no code is followed by the name of its column, as in "guide style" or
  "demonstrate stage" (the words are "Guide style" and "Demonstrate stage").

The codes are read from the schema itself: every value a CHECK constraint allows,
and every column name, so a new status is checked the day it is added.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import pytest
import sqlalchemy as sa
from rows import draft_rep
from screen_text import visible_texts

from coachkit.apps.facilitate import Facilitate
from coachkit.store import schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")

_PIECES = re.compile(r"[()\[\]:;,!?\n·•|/→]|\.(?:\s|$)")


@cache
def stored_codes() -> dict[str, str]:
    """Every value a CHECK constraint allows -> the column it is stored in."""
    codes: dict[str, str] = {}
    for table in schema.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, sa.CheckConstraint):
                continue
            found = re.match(r"\s*(\w+)\s+in\s*\((.*)\)", str(constraint.sqltext))
            if found:
                for value in re.findall(r"'([^']*)'", found.group(2)):
                    codes[value] = found.group(1)
    return codes


@cache
def column_names() -> frozenset[str]:
    return frozenset(
        c.name for table in schema.metadata.sorted_tables for c in table.columns
    )


def test_the_schema_gives_the_codes_to_look_for() -> None:
    codes = stored_codes()
    for code in ("call_review", "ride_along", "direct", "demonstrate", "partly"):
        assert code in codes
    assert codes["dropped"] == "status"
    assert {"kept_share", "coach_relevant"} & column_names() == {"coach_relevant"}


def raw_codes(texts: list[str]) -> list[tuple[str, str]]:
    """(code, the text it is in) for every rule a text breaks."""
    codes = stored_codes()
    words = set(codes) | column_names() | {"kept_share"}
    joined = [c for c in words if "_" in c]
    named = [f"{code} {column.replace('_', ' ')}" for code, column in codes.items()]
    found: list[tuple[str, str]] = []

    def add(code: str, shown: str) -> None:
        if (code.lower(), shown) not in {(c.lower(), s) for c, s in found}:
            found.append((code, shown))

    for shown in texts:
        for piece in _PIECES.split(shown):
            if piece.strip() in words:
                add(piece.strip(), shown)
        for code in joined:
            if re.search(rf"\b{re.escape(code)}\b", shown, re.I):
                add(code, shown)
        for pair in named:
            if re.search(rf"\b{re.escape(pair)}\b", shown):
                add(pair, shown)
    return found


def test_the_rules_catch_what_issue_22_found() -> None:
    leaked = [
        "call_review",
        "Kept_share",
        "(rep, by 22 June 2026)",
        "Conversation guide: guide style",
        "Try it together (demonstrate stage)",
        "open",
    ]
    assert [code for code, _ in raw_codes(leaked)] == [
        "call_review",
        "kept_share",
        "rep",
        "guide style",
        "demonstrate stage",
        "open",
    ]
    fine = [
        "Call review",
        "Share kept",
        "(Rep, by 22 June 2026)",
        "Conversation guide: Guide style",
        "Not due yet",
        "2 actions overdue, a draft is waiting",
        "Relevant (coach's score): pick a score from 1 to 5",
    ]
    assert raw_codes(fine) == []


@pytest.fixture
def app(demo_store: Store, today: dt.date) -> Facilitate:
    """The coach of the demo's draft session, with that rep open."""
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        coach = conn.execute(
            sa.select(schema.reps.c.coach_id).where(schema.reps.c.id == rep)
        ).scalar_one()
    facilitate = Facilitate(db=demo_store.location, coach=coach, today=today)
    facilitate.open_rep(rep)
    return facilitate


def _open(app: Facilitate, title: str) -> Any:
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def _page(app: Facilitate, tab: Any, *, charts: bool = True) -> list[str]:
    """What the coach reads with ``tab`` open: the page's frame and the tab."""
    shell = app.shell
    frame = [shell.header, shell.nav, shell.coach_picker, shell.status]
    texts = [t for widget in frame for t in visible_texts(widget)]
    texts += list(app.tab_widget.titles)
    texts += visible_texts(app.rep_picker)
    return texts + visible_texts(tab.box, charts=charts)


@pytest.mark.parametrize("title", ["Queue", "Prep", "Observe", "Guide", "Progress"])
def test_no_stored_code_on_the_tab(app: Facilitate, title: str) -> None:
    texts = _page(app, _open(app, title))
    assert len(texts) > 10, texts  # the tab really drew something
    assert raw_codes(texts) == []


def test_the_guide_names_its_style_in_words(app: Facilitate) -> None:
    guide = _open(app, "Guide")
    heading = visible_texts(guide.view)[0]
    assert re.fullmatch(
        r"Conversation guide: (Direct|Guide|Excite|Delegate) style", heading
    )
    steps = [t for t in visible_texts(guide.view) if "stage)" not in t]
    assert raw_codes(steps) == []


#: A day written any other way than :func:`coachkit.model.formats.day` does:
#: ``2026-06-15``, ``15/06/2026``, ``06/15/26``, ``06 Jul 2026``, ``Jul 6``.
_OTHER_DAYS = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b0\d [A-Z][a-z]{2}\b"
    r"|\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
)


def other_days(texts: list[str]) -> list[str]:
    """The texts that show a day in another format than "3 March 2026"."""
    return [t for t in texts if _OTHER_DAYS.search(t)]


def test_the_date_rule_catches_the_three_formats_of_issue_22() -> None:
    assert other_days(
        ["2026-06-15", "06/15/2026", "06 Jul 2026", "next due 12 Dec"]
    ) == [
        "2026-06-15",
        "06/15/2026",
        "06 Jul 2026",
        "next due 12 Dec",
    ]
    assert other_days(["next due 12 December 2026", "Tuesday 3 March 2026"]) == []


@pytest.mark.parametrize(
    "title",
    [
        "Queue",
        "Prep",
        "Observe",
        "Guide",
        "Progress",
    ],
)
def test_days_read_one_way_on_the_tab(app: Facilitate, title: str) -> None:
    # A chart's axis keeps its short ticks ("Jan 25"); every sentence, table and
    # form reads one way.
    texts = _page(app, _open(app, title), charts=False)
    assert other_days(texts) == []


def test_no_stored_code_in_the_write_up_from_draft_to_summary(
    app: Facilitate, today: dt.date
) -> None:
    write = _open(app, "Write up")
    texts = _page(app, write)
    assert "Ride-along" in texts
    assert raw_codes(texts) == []

    # Every problem at once, each next to its field.
    write.fields["style"].value = None
    write.fields["next_session_on"].value = None
    write.action_text.value = "Call the buyer"
    write.action_due.value = today - dt.timedelta(days=2)
    write.add_action.click()
    write.finish.click()
    texts = _page(app, write)
    assert any(t.startswith("Style: pick Direct") for t in texts), texts
    assert any(t.startswith("Due date: pick a day on or after") for t in texts)
    assert raw_codes(texts) == []
    assert other_days(texts) == []

    # Finished: the summary for the rep.
    write.fields["style"].value = "guide"
    write.fields["next_session_on"].value = today + dt.timedelta(days=14)
    write.fields["to_change"].value = write.fields["to_change"].value or "Ask more."
    write.fields["went_well"].value = write.fields["went_well"].value or "Listened."
    if not write.fields["focus"].value:
        write.fields["focus"].value = (write.fields["focus"].options[0][1],)
    for part in ("relevant", "developmental", "motivational"):
        write.fields[f"coach_{part}"].value = 4
    write.finish.click()
    assert "Summary for the rep" in write.summary.value, app.state.message
    texts = _page(app, write)
    assert raw_codes(texts) == []
    assert other_days(texts) == []


def test_no_stored_code_on_the_reps_own_page(demo_store: Store, today: dt.date) -> None:
    """The rep's page (#28), every rep of the demo: words, and days read one way,
    on the page and in the coach's Share panel."""
    from coachkit.apps.my_coaching import MyCoaching

    with demo_store.read() as conn:
        reps = conn.execute(sa.select(schema.reps.c.id).limit(6)).scalars().all()
    for rep in reps:
        page = MyCoaching(db=demo_store.location, rep=int(rep), today=today)
        texts = visible_texts(page.root)
        assert "Your actions" in texts
        assert raw_codes(texts) == [], rep
        assert other_days(texts) == [], rep
