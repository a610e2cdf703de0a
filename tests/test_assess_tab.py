"""The Assess tab in-process: only what the coach changed is saved, and every
problem shows next to its field (issue #22, finding 2)."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.apps.prioritize import Prioritize
from coachkit.apps.prioritize.assess_tab import NOT_RATED
from coachkit.store import queries
from coachkit.store import schema as s
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


def _assess(app: Prioritize):  # noqa: ANN202
    """Open the Assess tab on a rep with ratings on every behaviour."""
    form_full = None
    for rep in app.state.roster["rep_id"]:
        app.rep_picker.value = int(rep)
        if app.state.rep_form["coach_skill"].notna().all():
            form_full = int(rep)
            break
    assert form_full is not None, "the demo has a fully assessed rep"
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith("Assess"))
    app.tab_widget.selected_index = index
    return app.tabs[index]


def _rows(store: Store, rep: int) -> pd.DataFrame:
    a = s.assessments
    with store.read() as conn:
        found = conn.execute(
            sa.select(
                a.c.id, a.c.behaviour_id, a.c.skill, a.c.will, a.c.evidence
            ).where(a.c.rep_id == rep)
        ).all()
    return pd.DataFrame(
        [tuple(r) for r in found],
        columns=["id", "behaviour_id", "skill", "will", "evidence"],
    )


def _name(app: Prioritize) -> str:
    return str(app.state.roster.set_index("rep_id").loc[app.state.rep_id, "rep"])


def test_one_changed_rating_with_evidence_saves_exactly_one_row(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    before = _rows(demo_store, rep)
    dated_today = (app.state.rep_history["assessed_on"] == app.today).sum()
    row = tab.rows[2]
    new_skill = 1 if row.skill.value != 1 else 2
    row.skill.value = new_skill
    row.evidence.value = "Asked three <questions> before the pitch"
    tab.save.click()

    after = _rows(demo_store, rep)
    added = after[~after["id"].isin(before["id"])]
    assert len(added) == 1  # not 14: the other 13 were left as they were
    assert added["behaviour_id"].iloc[0] == row.behaviour_id
    assert added["skill"].iloc[0] == new_skill
    assert added["evidence"].iloc[0] == "Asked three <questions> before the pitch"
    said = f"Saved 1 rating for {_name(app)}."
    assert app.state.message == said
    assert said in tab.save_msg.value  # next to the Save button
    assert app.state.level == "ok"
    # The form starts again from what is stored now; nothing else moved.
    assert tab.rows[2].skill.value == new_skill
    assert tab.rows[2].evidence.value == ""
    history = app.state.rep_history
    assert (history["assessed_on"] == app.today).sum() == dated_today + 1
    assert "Asked three &lt;questions&gt;" in tab.history.value


def test_evidence_alone_saves_the_rating_as_it_stands(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    row = tab.rows[0]
    skill, will = row.skill.value, row.will.value
    before = _rows(demo_store, rep)
    row.evidence.value = "Kept the call to time"
    tab.save.click()
    after = _rows(demo_store, rep)
    added = after[~after["id"].isin(before["id"])]
    assert len(added) == 1
    assert (added["skill"].iloc[0], added["will"].iloc[0]) == (skill, will)
    assert tab.save_msg.value.count("Saved 1 rating for") == 1


def test_an_unchanged_form_saves_nothing(app: Prioritize, demo_store: Store) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    before = _rows(demo_store, rep)
    tab.save.click()
    assert len(_rows(demo_store, rep)) == len(before)
    assert "Nothing to save yet" in tab.save_msg.value
    assert "Saved" not in app.state.message


def test_not_rated_is_a_choice_and_means_skip(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    assert "Not rated" in tab.rows[0].skill._options_labels
    assert "Not rated" in tab.rows[0].will._options_labels
    before = _rows(demo_store, rep)
    for row in tab.rows:
        row.skill.value = row.will.value = NOT_RATED
    tab.save.click()
    # Blank is skip: no row written, and no earlier rating removed.
    assert _rows(demo_store, rep)["id"].tolist() == before["id"].tolist()
    assert "Nothing to save yet" in tab.save_msg.value

    for row in tab.rows:
        row.skill.value = row.will.value = NOT_RATED
    tab.rows[4].skill.value = 3
    tab.rows[4].will.value = 5
    tab.save.click()
    after = _rows(demo_store, rep)
    added = after[~after["id"].isin(before["id"])]
    assert added["behaviour_id"].tolist() == [tab.rows[4].behaviour_id]
    assert set(before["id"]) <= set(after["id"])


def test_every_problem_shows_at_once_next_to_its_field(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    names = list(app.state.rep_form["behaviour"])
    before = _rows(demo_store, rep)
    tab.rows[1].skill.value = 3
    tab.rows[1].will.value = NOT_RATED
    tab.rows[3].skill.value = NOT_RATED
    tab.rows[3].will.value = 2
    tab.rows[4].skill.value = tab.rows[4].will.value = NOT_RATED
    tab.rows[4].evidence.value = "Saw it on Tuesday's call"
    tab.rows[5].evidence.value = "x" * 2001
    tab.save.click()

    assert len(_rows(demo_store, rep)) == len(before)  # nothing half-written
    assert f"{names[1]} — will: pick a score from 1 to 5" in tab.rows[1].will_msg.value
    assert tab.rows[1].skill_msg.value == ""
    assert f"{names[3]} — skill: pick a score" in tab.rows[3].skill_msg.value
    for part in (tab.rows[4].skill_msg, tab.rows[4].will_msg):
        assert "to go with the evidence" in part.value
    assert "2,000 characters" in tab.rows[5].evidence_msg.value
    assert "Nothing was saved: 5 things to fix" in tab.save_msg.value
    assert f"(first: {names[1]} — will)" in app.state.message
    assert "\n" not in app.state.message
    assert app.state.level == "error"

    # Fixed, the same form saves, and the marks go away.
    tab.rows[1].will.value = 4
    tab.rows[3].skill.value = 2
    tab.rows[4].evidence.value = ""
    tab.rows[5].evidence.value = "Short note"
    form = app.state.rep_form
    changed = 1 + sum(  # row 5 has evidence; rows 1 and 3 count if they changed
        (form["coach_skill"].iloc[i], form["coach_will"].iloc[i]) != new
        for i, new in ((1, (3, 4)), (3, (2, 2)))
    )
    tab.save.click()
    assert tab.rows[1].will_msg.value == ""
    assert f"Saved {changed} ratings for" in tab.save_msg.value


def test_a_future_date_is_named_next_to_the_date(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    before = _rows(demo_store, rep)
    tab.day.value = app.today + dt.timedelta(days=3)
    tab.rows[0].evidence.value = "Seen today"
    tab.save.click()
    assert len(_rows(demo_store, rep)) == len(before)
    assert "Date:" in tab.day_msg.value
    assert "in the future" in tab.day_msg.value
    assert "Nothing was saved" in tab.save_msg.value


def test_the_reps_own_view_is_saved_as_theirs(
    app: Prioritize, demo_store: Store
) -> None:
    tab = _assess(app)
    rep = app.state.rep_id
    tab.source.value = "self"
    tab.rows[0].skill.value = 5
    tab.rows[0].will.value = 5
    tab.save.click()
    a = s.assessments
    with demo_store.read() as conn:
        today_self = conn.execute(
            sa.select(sa.func.count()).where(
                a.c.rep_id == rep, a.c.source == "self", a.c.assessed_on == app.today
            )
        ).scalar_one()
    assert today_self == 1
    said = f"Saved 1 rating for {_name(app)} (the rep's own view)."
    assert app.state.message == said
    assert html.escape(said) in tab.save_msg.value
