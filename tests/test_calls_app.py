"""Recorded calls in the workbooks, in-process: what a coach reads and what is saved.

Performance shows the rep's calls of the last 12 weeks with their ranges; on
Assess, "Use as evidence" puts the moment's words into the evidence box, and saving
keeps them with the rating; the hit is marked as used in the store.
"""

from __future__ import annotations

import datetime as dt

import pytest

from coachkit.apps.prioritize import Prioritize
from coachkit.improve.calls import rep_call_signs
from coachkit.model.calls.store import calls_table, hits
from coachkit.model.formats import percent
from coachkit.store import queries
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _first_coach(store: Store) -> int:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    return int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])


@pytest.fixture
def app(demo_store: Store, today: dt.date) -> Prioritize:
    return Prioritize(
        db=demo_store.location, coach=_first_coach(demo_store), today=today
    )


def _tab(app: Prioritize, title: str):  # noqa: ANN202
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def test_performance_says_what_the_reps_calls_say(
    app: Prioritize, demo_store: Store, today: dt.date
) -> None:
    rep = int(app.state.roster["rep_id"].iloc[0])
    app.rep_picker.value = rep
    tab = _tab(app, "Performance")
    since = today - dt.timedelta(weeks=12)
    signs = rep_call_signs(calls_table(demo_store, rep_id=rep, since=since)).iloc[0]
    shown = tab.rep.value
    assert f"On {int(signs['calls'])} recorded calls in the last 12 weeks" in shown
    assert f"talked <b>{percent(signs['talk_share'])} (likely" in shown


def test_a_rep_with_no_calls_is_told_so(app: Prioritize, demo_store: Store) -> None:
    with demo_store.write() as conn:
        from coachkit.model import team

        new = team.add_rep(conn, app.state.coach_id, "Nell New", today=app.today)
    app.reload_team()
    app.rep_picker.value = int(new.id)
    tab = _tab(app, "Performance")
    # A rep with no numbers at all says so first; one with numbers but no calls:
    assert "Recorded calls: none" in tab.rep.value or "No numbers" in tab.rep.value


def test_a_moment_used_as_evidence_is_saved_with_the_rating(
    app: Prioritize, demo_store: Store
) -> None:
    rep = int(app.state.roster["rep_id"].iloc[0])
    app.rep_picker.value = rep
    tab = _tab(app, "Assess")
    open_hits = [h for h in hits(demo_store, rep) if h.status == "open"]
    assert open_hits, "the demo rep has no moments to judge"
    hit = open_hits[0]
    row = next(r for r in tab.rows if r.behaviour_id == hit.behaviour_id)
    use = next(
        b
        for box in row.calls.box.children
        for part in getattr(box, "children", ())
        for b in getattr(part, "children", ())
        if "ck-hit-use" in b._dom_classes
    )
    use.click()
    assert hit.snippet in row.evidence.value
    assert {h.id: h.status for h in hits(demo_store, rep)}[hit.id] == "confirmed"
    row.skill.value = 3
    row.will.value = 3
    tab.save.click()
    assert "Saved" in tab.save_msg.value
    saved = app.state.rep_history  # read again from the store after the save
    latest = saved[saved["behaviour_id"] == hit.behaviour_id].iloc[0]
    assert hit.snippet in str(latest["evidence"])
