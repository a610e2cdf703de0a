"""The Priorities tab in-process: a table that fits, short reasons, and weights a
coach keeps (issue #22, findings 8 and 9)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from coachkit.apps.prioritize import WEIGHTS_SETTING, Prioritize
from coachkit.apps.prioritize.priorities_tab import SCROLL_STYLE
from coachkit.model.settings import load_setting
from coachkit.prioritize.ranking import Weights
from coachkit.store import queries
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _coaches(store: Store) -> list[int]:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return [int(c) for c in coaches[coaches["role"] == "coach"]["coach_id"]]


def _open(store: Store, coach: int, today: dt.date):  # noqa: ANN202
    app = Prioritize(db=store.location, coach=coach, today=today)
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith("Priorities"))
    app.tab_widget.selected_index = index
    return app, app.tabs[index]


def _saved(store: Store, coach: int) -> object:
    with store.read() as conn:
        return load_setting(conn, coach, WEIGHTS_SETTING)


def test_weights_are_kept_for_the_coach_and_come_back(
    demo_store: Store, today: dt.date
) -> None:
    coach, other = _coaches(demo_store)[:2]
    app, tab = _open(demo_store, coach, today)
    assert "team&#x27;s weights" in tab.weights_source.value
    assert _saved(demo_store, coach) is None
    tab.sliders["gap"].value = 3.0
    tab.sliders["recency"].value = 0.0
    assert app.state.weights == Weights(gap=3, recency=0)
    assert "Saved your weights" in tab.weights_msg.value
    assert _saved(demo_store, coach) == Weights(gap=3, recency=0).as_dict()
    ranking = app.state.ranking

    again, tab2 = _open(demo_store, coach, today)  # the page opened again
    assert again.state.weights == Weights(gap=3, recency=0)
    assert tab2.sliders["gap"].value == 3.0
    assert tab2.sliders["recency"].value == 0.0
    assert "your own weights" in tab2.weights_source.value
    assert again.state.ranking["rank"].tolist() == ranking["rank"].tolist()
    assert again.state.ranking["rep_id"].tolist() == ranking["rep_id"].tolist()

    _, theirs = _open(demo_store, other, today)  # another coach: the team's
    assert theirs.sliders["gap"].value == 1.0
    assert "team&#x27;s weights" in theirs.weights_source.value


def test_reset_restores_the_teams_weights(demo_store: Store, today: dt.date) -> None:
    coach = _coaches(demo_store)[0]
    app, tab = _open(demo_store, coach, today)
    default_order = app.state.ranking["rep_id"].tolist()
    tab.sliders["spread"].value = 0.0
    tab.sliders["gap"].value = 2.5
    assert _saved(demo_store, coach) is not None
    tab.reset.click()
    assert app.state.weights == Weights()
    assert [s.value for s in tab.sliders.values()] == [1.0] * 5
    assert _saved(demo_store, coach) is None
    assert "Back to the team&#x27;s weights" in tab.weights_msg.value
    assert "team&#x27;s weights" in tab.weights_source.value
    assert app.state.ranking["rep_id"].tolist() == default_order
    again, tab2 = _open(demo_store, coach, today)
    assert again.state.weights == Weights()


def test_all_weights_at_zero_is_refused_next_to_the_sliders(
    demo_store: Store, today: dt.date
) -> None:
    coach = _coaches(demo_store)[0]
    app, tab = _open(demo_store, coach, today)
    for slider in list(tab.sliders.values())[:-1]:
        slider.value = 0.0
    saved = _saved(demo_store, coach)
    tab.sliders["confidence"].value = 0.0
    assert "Weights: set at least one weight above 0" in tab.weights_msg.value
    assert "Nothing was saved" in tab.weights_msg.value
    assert _saved(demo_store, coach) == saved
    assert app.state.level == "error"


def test_the_ranking_table_fits_and_says_why_in_a_phrase(
    demo_store: Store, today: dt.date
) -> None:
    coach = _coaches(demo_store)[0]
    app, tab = _open(demo_store, coach, today)
    html = tab.table.value
    # The table scrolls inside its own box, never past the page's edge.
    scrolls = "<div class='ck-table-scroll ck-ranking-detail' style='{}'><table"
    assert scrolls.format(SCROLL_STYLE) in html
    assert "overflow-x:auto" in SCROLL_STYLE
    assert f"style='{SCROLL_STYLE}'" in tab.summary.value
    # What most rows share is said once, above the table.
    assert "Most points come from" in html.split("<table")[0]
    shown = app.state.ranking.head(25)["why"]
    assert shown.str.len().max() <= 60  # one short phrase: rows stay one line high
    assert shown.nunique() >= 3  # reasons differ where they differ
    cells = re.findall(r"<td>([^<]*)</td>\s*</tr>", html)
    assert len(cells) == len(shown)
    assert "Mostly" not in html
