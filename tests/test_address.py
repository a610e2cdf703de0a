"""The view kept in the page address: read when a workbook is built, written as the
coach moves, and every value checked against what the viewer may see (issue #22).

In-process: the page address reaches the kernel as ``QUERY_STRING`` (Voila's way);
``tests/test_browser_address.py`` checks the reload and the link in Chromium.
"""

from __future__ import annotations

import datetime as dt
import re

import ipywidgets as w
import pytest
import sqlalchemy as sa

from coachkit.apps.address import Address, address_html
from coachkit.apps.improve import Improve
from coachkit.apps.prioritize import Prioritize
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _teams(store: Store) -> tuple[int, list[int], int, list[int]]:
    """Two plain coaches and their reps' ids."""
    with store.read() as conn:
        coaches = queries.coaches(conn)
        plain = [int(c) for c in coaches[coaches["role"] == "coach"]["coach_id"]]
        mine = [int(r) for r in queries.roster(conn, plain[0])["rep_id"]]
        other = [int(r) for r in queries.roster(conn, plain[1])["rep_id"]]
    return plain[0], mine, plain[1], other


def _html(widget: w.Widget) -> str:
    """Every HTML string inside ``widget``."""
    if isinstance(widget, w.HTML):
        return str(widget.value)
    return "".join(_html(c) for c in getattr(widget, "children", ()))


def _query(app: Improve | Prioritize) -> str:
    """The query the page would put in its address (the hidden widget's)."""
    found = re.search(r"data-ck-address='([^']*)'", app.shell.address.value)
    assert found, app.shell.address.value
    return found.group(1).replace("&amp;", "&")


def test_an_address_reads_whole_numbers_only_and_writes_what_it_holds() -> None:
    asked = Address.parse("coach=3&rep=12&tab=2&period=12&seat=abc")
    assert asked == Address(coach=3, rep=12, tab=2, period=12)
    assert asked.query() == "coach=3&rep=12&tab=2&period=12"
    junk = Address.parse("coach=x&rep=-4&tab=2.5&period=%3Cb%3E&rep=7")
    assert junk == Address()
    assert Address.parse("rep=１２").rep is None  # full-width digits are not ours
    assert Address.parse("") == Address()
    assert Address(rep=5).query() == "rep=5"
    held = address_html(Address(coach=1, rep=2))
    assert held == "<span data-ck-address='coach=1&amp;rep=2'></span>"


def test_a_link_opens_the_rep_tab_and_period_it_names_and_only_that_tab(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    coach, mine, _, _ = _teams(demo_store)
    rep = mine[2]
    monkeypatch.setenv("QUERY_STRING", f"coach={coach}&rep={rep}&tab=3&period=12")
    app = Improve(db=demo_store.location, today=today)
    assert app.state.coach_id == coach
    assert app.state.rep_id == rep
    assert app.rep_picker.value == rep
    assert app.tab_widget.selected_index == 2
    assert app.period_picker.value.label == "Last 12 months"
    assert list(app.timings) == ["signs"]  # drawn once, for that rep and period
    assert app.rep_name() in app.tab("signs").box.children[0].value
    assert "skipped" not in app.state.message
    assert _query(app) == f"coach={coach}&rep={rep}&tab=3&period=12"


def test_moving_around_the_page_rewrites_the_address(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    coach, mine, other_coach, _ = _teams(demo_store)
    monkeypatch.setenv("QUERY_STRING", "")
    app = Improve(db=demo_store.location, today=today)
    assert _query(app) == f"coach={coach}"
    app.rep_picker.value = mine[0]
    assert _query(app) == f"coach={coach}&rep={mine[0]}"
    app.tab_widget.selected_index = 4
    assert _query(app) == f"coach={coach}&rep={mine[0]}&tab=5"
    app.period_picker.value = app.period_picker.options[0][1]  # last month
    assert _query(app) == f"coach={coach}&rep={mine[0]}&tab=5&period=1"
    app.rep_picker.value = 0  # the whole team: no rep in the address
    assert _query(app) == f"coach={coach}&tab=5&period=1"
    app.shell.coach_picker.value = other_coach
    assert _query(app) == f"coach={other_coach}&tab=5&period=1"


def test_a_foreign_or_unknown_rep_in_a_link_is_skipped_quietly_without_a_name(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    coach, _, _, other = _teams(demo_store)
    with demo_store.read() as conn:
        roster = queries.roster(conn, None)
    foreign_name = str(roster[roster["rep_id"] == other[0]]["rep"].iloc[0])
    for rep in (other[0], 999_999):
        monkeypatch.setenv("QUERY_STRING", f"coach={coach}&rep={rep}&tab=42&period=5")
        app = Improve(db=demo_store.location, today=today)
        assert app.state.rep_id == 0, "the whole team, as with no rep asked"
        assert app.state.level == "info"
        assert app.state.message.endswith(
            "Part of the link was skipped: the rep, the tab and the period were "
            "not found."
        )
        assert app.tab_widget.selected_index == 0
        assert app.period_picker.value.label == "Last 6 months"
        page = _html(app.view) + _html(app.tab("look_back").box)
        assert foreign_name not in page
        assert str(rep) not in app.state.message
        assert _query(app) == f"coach={coach}"  # the address forgets it


def test_a_signed_in_coach_cannot_open_another_team_by_link(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachkit.web import identity

    coach, _, other_coach, other = _teams(demo_store)
    with demo_store.write() as conn:
        conn.execute(
            sa.update(schema.coaches)
            .where(schema.coaches.c.id == coach)
            .values(login="first-coach")
        )
    monkeypatch.setenv(identity.HEADER_VAR, "X-Coachkit-User")
    monkeypatch.setenv("HTTP_X_COACHKIT_USER", "first-coach")
    monkeypatch.setenv("QUERY_STRING", f"coach={other_coach}&rep={other[0]}")
    app = Improve(db=demo_store.location, today=today)
    assert app.visitor is not None
    assert app.state.coach_id == coach
    assert app.state.rep_id == 0
    assert "the coach and the rep were not found" in app.state.message
    assert "coach=" not in _query(app)  # a signed-in coach's team is fixed


def test_another_workbook_keeps_its_rep_and_tab_too(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    coach, mine, _, _ = _teams(demo_store)
    rep = mine[-1]
    monkeypatch.setenv("QUERY_STRING", f"coach={coach}&rep={rep}&tab=5")
    app = Prioritize(db=demo_store.location, today=today)
    assert app.state.rep_id == rep
    assert app.rep_picker.value == rep
    assert app.tab_widget.selected_index == 4
    assert len(app.timings) == 1  # only the tab asked for was drawn
    assert _query(app) == f"coach={coach}&rep={rep}&tab=5"


def test_a_page_built_before_its_visitor_follows_the_link_when_they_come(
    demo_store: Store, today: dt.date
) -> None:
    coach, mine, _, other = _teams(demo_store)
    app = Improve(db=demo_store.location, coach=coach, today=today)
    app.follow(Address(coach=coach, rep=mine[1], tab=2, period=3))
    assert app.state.rep_id == mine[1]
    assert app.tab_widget.selected_index == 1
    assert app.period_picker.value.label == "Last 3 months"
    assert _query(app) == f"coach={coach}&rep={mine[1]}&tab=2&period=3"
    app.follow(Address(rep=other[0]))
    assert app.state.rep_id == mine[1]
    assert app.state.message.endswith("the rep was not found.")
