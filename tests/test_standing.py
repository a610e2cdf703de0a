"""One standing for a rep, whoever looks (issue #22, finding 4)."""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import pytest

from coachkit.apps.prioritize import Prioritize
from coachkit.improve import cadence
from coachkit.model import standing
from coachkit.model.periods import Period
from coachkit.prioritize.performance import rep_performance
from coachkit.store import queries
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


@pytest.mark.parametrize(
    ("quota", "expected"),
    [
        (1.4, "top"),
        (1.0, "top"),  # exactly 100% of quota
        (0.99, "middle"),
        (0.7, "middle"),  # exactly 70%
        (0.6999, "bottom"),
        (0.0, "bottom"),
        (None, "unknown"),
        (math.nan, "unknown"),
    ],
)
def test_fixed_thresholds(quota: float | None, expected: str) -> None:
    assert standing.standing_of(quota) == expected
    series = pd.Series([quota], index=[7], dtype=float)
    assert standing.standings(series).to_dict() == {7: expected}


def test_place_is_a_fixed_scale_with_the_middle_band_in_the_middle() -> None:
    got = standing.place(pd.Series([0.2, 0.7, 0.85, 1.0, 2.0, math.nan]))
    assert got.iloc[:5].tolist() == pytest.approx([0.0, 1 / 3, 0.5, 2 / 3, 1.0])
    assert math.isnan(got.iloc[5])


def test_words_and_rule() -> None:
    assert [standing.label(k) for k in standing.STANDINGS] == [
        "Top",
        "Middle",
        "Bottom",
        "No quota numbers",
    ]
    assert standing.label(math.nan) == "No quota numbers"
    rule = standing.rule_sentence()
    assert "100%" in rule
    assert "70%" in rule
    assert "12 weeks" in rule
    assert standing.window(dt.date(2026, 6, 18)) == (
        dt.date(2026, 3, 23),
        dt.date(2026, 6, 15),
    )


def _coaches(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
    lead = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
    return coach, lead


def _shown_standing(app: Prioritize, rep: int) -> tuple[str, str]:
    """What the Performance and Team tabs say about ``rep``'s standing."""
    app.rep_picker.value = rep
    titles = [t.title for t in app.tabs]
    app.tab_widget.selected_index = next(
        i for i, t in enumerate(titles) if t.endswith("Performance")
    )
    perf = app.tabs[app.tab_widget.selected_index]
    found = re.search(r"Standing: <b>([^<]+)</b>", perf.rep.value)
    assert found, perf.rep.value
    app.tab_widget.selected_index = next(
        i for i, t in enumerate(titles) if t.endswith("Team")
    )
    team = app.tabs[app.tab_widget.selected_index]
    assert standing.rule_sentence() in team.table.value
    return found.group(1), str(
        app.state.performance.set_index("rep_id").loc[rep, "standing"]
    )


def test_a_rep_has_the_same_standing_to_her_coach_and_to_the_lead(
    demo_store: Store, today: dt.date
) -> None:
    coach, lead = _coaches(demo_store)
    as_coach = Prioritize(db=demo_store.location, coach=coach, today=today)
    as_lead = Prioritize(db=demo_store.location, coach=lead, today=today)
    assert as_lead.state.sees_all
    assert len(as_lead.state.roster) > len(as_coach.state.roster)
    for rep in as_coach.state.roster["rep_id"]:
        seen_by_coach = _shown_standing(as_coach, int(rep))
        seen_by_lead = _shown_standing(as_lead, int(rep))
        assert seen_by_coach == seen_by_lead
    # ... and the same in the Improve workbook's coverage over the last 3 months.
    period = Period.last_months(today, 3)
    with demo_store.read() as conn:
        mine = rep_performance(conn, coach, today).set_index("rep_id")["standing"]
        everyone = rep_performance(conn, None, today).set_index("rep_id")["standing"]
        cover = cadence.coverage(conn, coach, period, today)
        cover_all = cadence.coverage(conn, None, period, today)
    assert mine.to_dict() == everyone.loc[mine.index].to_dict()
    assert cover.set_index("rep_id")["standing"].to_dict() == mine.to_dict()
    assert set(cover_all["standing"]) <= set(standing.STANDINGS)
    assert len(set(everyone)) >= 2  # the demo has more than one standing
