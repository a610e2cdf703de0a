"""The Rep picker: a coach's plain list; a lead's reps grouped by coach, found by name.

Issue #25. In-process, on the demo store (two coaches and Morgan Lee, the lead);
``tests/test_browser_tables.py`` types into the box in Chromium.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from coachkit.apps.facilitate import Facilitate
from coachkit.apps.improve import Improve
from coachkit.apps.prioritize import Prioritize
from coachkit.apps.rep_picker import by_team, matching
from coachkit.model.text import name_key
from coachkit.store import queries
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _people(store: Store) -> tuple[int, int, Any]:
    """The first plain coach, the lead, and every active rep with their coach."""
    with store.read() as conn:
        coaches = queries.coaches(conn)
        roster = queries.roster(conn, None)
    coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
    lead = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
    return coach, lead, roster


def _note(app: Any) -> str:
    return re.sub(r"<[^>]+>", "", app.rep_search.note.value)


def test_reps_are_labelled_with_their_team_and_sorted_by_coach_then_rep() -> None:
    teams = {
        7: ("zoe Park", "Ana Diaz"),
        3: ("Ben Ode", "Victor Garcia"),
        5: ("Ángel Ruiz", "Ana Diaz"),
        9: ("Cleo Moss", "ana diaz"),  # the same coach, typed another way
    }
    choices = [("Everyone (all coaches)", 0), ("x", 3), ("y", 7), ("z", 5), ("w", 9)]
    assert by_team(choices, teams) == [
        ("Everyone (all coaches)", 0),
        ("Ángel Ruiz — Ana Diaz's team", 5),
        ("Cleo Moss — ana diaz's team", 9),
        ("zoe Park — Ana Diaz's team", 7),
        ("Ben Ode — Victor Garcia's team", 3),
    ]


def test_a_search_needs_every_word_and_ignores_case_and_accents() -> None:
    choices = [
        ("Inés Jung — Uma Iyer's team", 1),
        ("Ines Park — Victor Garcia's team", 2),
        ("Victor Rossi — Uma Iyer's team", 3),
    ]
    assert matching(choices, "INES") == choices[:2]
    assert matching(choices, "  inés   uma ") == choices[:1]
    assert matching(choices, "victor") == choices[1:]  # a coach or a rep
    assert matching(choices, "nobody") == []
    assert matching(choices, "   ") == choices


def test_a_lead_sees_every_rep_grouped_by_coach_and_a_search_box(
    demo_store: Store,
) -> None:
    _coach, lead, roster = _people(demo_store)
    app = Prioritize(db=demo_store.location, coach=lead)
    labels = [label for label, _rep in app.rep_picker.options]
    ordered = roster.sort_values(
        ["coach", "rep"], key=lambda column: column.map(name_key)
    )
    assert labels == [f"{r.rep} — {r.coach}'s team" for r in ordered.itertuples()]
    assert [rep for _label, rep in app.rep_picker.options] == list(ordered["rep_id"])
    assert app.rep_search.box.layout.display == "flex"
    assert app.rep_search.text.description == "Find a rep:"
    assert app.rep_search.text.value == ""
    assert _note(app) == ""


def test_a_coach_keeps_a_plain_list_and_no_search_box(demo_store: Store) -> None:
    coach, _lead, roster = _people(demo_store)
    app = Prioritize(db=demo_store.location, coach=coach)
    mine = roster[roster["coach_id"] == coach]
    assert app.rep_picker.options == tuple(
        (str(r.rep), int(r.rep_id)) for r in mine.itertuples()
    )
    assert app.rep_search.box.layout.display == "none"


def test_typing_narrows_the_list_and_a_pick_opens_the_rep(demo_store: Store) -> None:
    _coach, lead, roster = _people(demo_store)
    app = Prioritize(db=demo_store.location, coach=lead)
    opened = app.state.rep_id
    other = roster[roster["rep_id"] != opened]
    team = str(other["coach"].iloc[0])  # a coach whose team has several reps
    theirs = other[other["coach"] == team]
    assert len(theirs) > 1

    app.rep_search.text.value = team.split()[0].lower()
    listed = [rep for _label, rep in app.rep_picker.options]
    matches = [
        r.rep_id
        for r in roster.itertuples()
        if team.split()[0].lower() in f"{r.rep} {r.coach}".lower()
    ]
    assert sorted(listed) == sorted(matches)
    assert set(theirs["rep_id"]) <= set(listed)
    assert _note(app) == f"{len(listed)} matches. Pick one in the Rep list."
    # The rep still open is not one of them: the picker shows nobody, and the
    # tabs still show that rep until the lead picks.
    if opened not in listed:
        assert app.rep_picker.value is None
    assert app.state.rep_id == opened

    wanted = int(theirs["rep_id"].iloc[1])
    app.rep_picker.value = wanted
    assert app.state.rep_id == wanted
    assert app.rep_picker.value == wanted
    assert "rep=" + str(wanted) in app.shell.address.value


def test_a_name_only_one_rep_has_opens_that_rep(demo_store: Store) -> None:
    _coach, lead, roster = _people(demo_store)
    app = Improve(db=demo_store.location, coach=lead)
    assert app.rep_picker.options[0] == ("Everyone (all coaches)", 0)
    rep = next(
        r for r in roster.itertuples() if len(matching(app._all_reps, r.rep)) == 1
    )
    app.rep_search.text.value = str(rep.rep).upper()  # as a person might type it
    assert app.state.rep_id == int(rep.rep_id)
    assert app.rep_picker.value == int(rep.rep_id)
    label = f"{rep.rep} — {rep.coach}'s team"
    assert app.rep_picker.label == label
    # The whole team stays a choice while the list is narrowed.
    assert app.rep_picker.options == (
        ("Everyone (all coaches)", 0),
        (label, rep.rep_id),
    )
    assert _note(app) == "One match: it is open now."
    assert app.state.message == f"Showing {rep.rep}."

    app.rep_search.text.value = ""  # the whole list again, the rep still picked
    assert len(app.rep_picker.options) == len(roster) + 1
    assert app.rep_picker.value == int(rep.rep_id)
    assert _note(app) == ""


def test_a_name_nobody_has_keeps_every_rep_and_says_so_as_text(
    demo_store: Store,
) -> None:
    _coach, lead, roster = _people(demo_store)
    app = Facilitate(db=demo_store.location, coach=lead)
    before = app.state.rep_id
    app.rep_search.text.value = "<b>Nobody</b>"
    assert len(app.rep_picker.options) == len(app.rep_choices())
    assert app.rep_picker.value == before
    assert "<b>" not in app.rep_search.note.value
    assert "&lt;b&gt;Nobody&lt;/b&gt;" in app.rep_search.note.value
    said = "No rep or coach has “&lt;b&gt;Nobody&lt;/b&gt;” in their name."
    assert _note(app) == said


def test_a_rep_opened_elsewhere_clears_the_search(demo_store: Store) -> None:
    _coach, lead, roster = _people(demo_store)
    app = Improve(db=demo_store.location, coach=lead)
    first, last = roster.iloc[0], roster.iloc[-1]
    app.rep_search.text.value = str(first.rep)
    assert int(last.rep_id) not in [rep for _label, rep in app.rep_picker.options]
    app.open_rep(int(last.rep_id))  # a tab or a link opens a rep not listed
    assert app.rep_search.text.value == ""
    assert len(app.rep_picker.options) == len(roster) + 1
    assert app.rep_picker.value == int(last.rep_id)


def test_a_lead_who_picks_a_coach_gets_the_plain_list_back(demo_store: Store) -> None:
    coach, lead, roster = _people(demo_store)
    app = Prioritize(db=demo_store.location, coach=lead)
    app.rep_search.text.value = "a"
    app.shell.coach_picker.value = coach
    mine = roster[roster["coach_id"] == coach]
    assert [label for label, _rep in app.rep_picker.options] == list(mine["rep"])
    assert app.rep_search.box.layout.display == "none"
    assert app.rep_search.text.value == ""
