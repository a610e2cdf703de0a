"""The rep's own page (workbook 4) and the coach's side of it, in-process (#28).

A coach makes a rep's link on Facilitate's Progress tab; the page opened with it
(``QUERY_STRING`` holds ``me=SECRET``, as Voila hands it to the kernel) is that
rep's. The rep ticks an action off, rates a session and says how they see
themselves; each answer is in the store and on the coach's Prep, Progress and
Assess. A stopped link, a forged one and another rep's ids get nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from screen_text import visible_texts
from test_words_on_screen import other_days, raw_codes

from coachkit.apps.facilitate import Facilitate
from coachkit.apps.my_coaching import NO_LINK, MyCoaching, build_my_coaching
from coachkit.apps.my_coaching.share import REP_PAGE, rep_page_link
from coachkit.apps.prioritize import Prioritize
from coachkit.rep_side import make_rep_link, my_page
from coachkit.store import schema as s
from coachkit.store.access import AccessDenied
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _two_reps(store: Store, today: dt.date) -> tuple[int, int, int]:
    """A coach and two of their reps; the first has an open action of their own
    and a finished session."""
    with store.read() as conn:
        reps = conn.execute(
            sa.select(s.reps.c.id, s.reps.c.coach_id).order_by(s.reps.c.id)
        ).all()
        for rep in reps:
            page = my_page(conn, rep.id, today)
            if any(a.can_mark for a in page.actions) and page.sessions and page.focus:
                others = [r.id for r in reps if r.coach_id == rep.coach_id]
                other = next(r for r in others if r != rep.id)
                return int(rep.coach_id), int(rep.id), int(other)
    raise AssertionError("the demo has no rep with an open action of their own")


def _link(store: Store, coach: int, rep: int) -> str:
    with store.write() as conn:
        return make_rep_link(conn, coach, rep)


def _page(
    monkeypatch: pytest.MonkeyPatch, store: Store, today: dt.date, query: str
) -> Any:
    monkeypatch.setenv("QUERY_STRING", query)
    return build_my_coaching(db=store.location, today=today)


@pytest.fixture
def team(demo_store: Store, today: dt.date) -> tuple[int, int, int]:
    return _two_reps(demo_store, today)


def test_the_link_opens_the_reps_own_page(
    monkeypatch: pytest.MonkeyPatch,
    demo_store: Store,
    today: dt.date,
    team: tuple[int, int, int],
) -> None:
    coach, rep, _other = team
    app = _page(monkeypatch, demo_store, today, f"me={_link(demo_store, coach, rep)}")
    assert isinstance(app, MyCoaching)
    texts = visible_texts(app.root)
    with demo_store.read() as conn:
        page = my_page(conn, rep, today)
    assert f"Hello {page.rep}." in " ".join(texts)
    for heading in (
        "Your plan",
        "Your goals",
        "Your actions",
        "Your sessions",
        "How you see yourself",
        "Your numbers",
        "What coachkit keeps about you",
    ):
        assert heading in texts
    assert "Where you are heading (level" in " ".join(texts)
    # Plain words: no stored code or column name, every day written one way.
    assert raw_codes(texts) == []
    assert other_days(texts) == []


def test_the_rep_ticks_rates_and_assesses(
    monkeypatch: pytest.MonkeyPatch,
    demo_store: Store,
    today: dt.date,
    team: tuple[int, int, int],
) -> None:
    coach, rep, _other = team
    app = _page(monkeypatch, demo_store, today, f"me={_link(demo_store, coach, rep)}")
    actions = app.section("actions")
    card = next(c for c in actions.cards if c.markable)
    action_id = card.action_id
    # "Not done" needs the rep's words: nothing is saved without them.
    card.choice.value = False
    card.save.click()
    assert "Why not" in card.message.value
    with demo_store.read() as conn:
        status = conn.execute(
            sa.select(s.actions.c.status).where(s.actions.c.id == action_id)
        ).scalar()
    assert status == "open"
    card = next(c for c in app.section("actions").cards if c.action_id == action_id)
    card.choice.value = True
    card.note.value = "Done on Tuesday <b>early</b>"
    card.save.click()
    with demo_store.read() as conn:
        row = conn.execute(
            sa.select(s.actions.c.status, s.actions.c.rep_note).where(
                s.actions.c.id == action_id
            )
        ).one()
    assert tuple(row) == ("kept", "Done on Tuesday <b>early</b>")
    assert "Your words: Done on Tuesday &lt;b&gt;early&lt;/b&gt;" in str(
        [c.info.value for c in app.section("actions").cards]
    )

    # Rate the last session: a missing answer is named; then all three are kept.
    session = app.section("sessions").cards[0]
    session.scores["relevant"].value = 4
    session.scores["developmental"].value = None
    session.save.click()
    assert "Developmental" in session.message.value
    session = app.section("sessions").cards[0]
    session.scores["relevant"].value = 4
    session.scores["developmental"].value = 2
    session.scores["motivational"].value = 5
    session.wish.value = "More practice with real calls"
    session.save.click()
    with demo_store.read() as conn:
        rated = conn.execute(
            sa.select(
                s.sessions.c.rep_relevant,
                s.sessions.c.rep_developmental,
                s.sessions.c.rep_motivational,
                s.sessions.c.rep_wish,
            ).where(s.sessions.c.id == session.session_id)
        ).one()
    assert tuple(rated) == (4, 2, 5, "More practice with real calls")
    assert "You rated this session" in app.section("sessions").cards[0].info.value

    # How you see yourself: the plan's behaviour first, its rubric shown.
    own = app.section("self")
    behaviour = own.behaviour.value
    assert "Level 5:" in own.rubric.value
    own.skill.value = 5
    own.will.value = 4
    own.evidence.value = "I research every account now"
    own.save.click()
    with demo_store.read() as conn:
        mine = conn.execute(
            sa.select(s.assessments.c.skill, s.assessments.c.will)
            .where(
                s.assessments.c.rep_id == rep,
                s.assessments.c.source == "self",
                s.assessments.c.behaviour_id == behaviour,
            )
            .order_by(s.assessments.c.id.desc())
        ).first()
    assert tuple(mine) == (5, 4)
    assert "Your last answer" in app.section("self").rubric.value

    # The coach's screens show the answers and the gap.
    facilitate = Facilitate(db=demo_store.location, coach=coach, today=today)
    facilitate.open_rep(rep)
    prep = _tab(facilitate, "Prep")
    last = prep.last.value
    assert "rating of the last session" in last
    assert "More practice with real calls" in last
    progress = _tab(facilitate, "Progress")
    assert "How the rep rated their sessions" in progress.ratings.value
    assert "More practice with real calls" in progress.ratings.value
    assert "The rep says: Done on Tuesday" in str(
        [b.value for b in _htmls(progress.action_marks.box)]
    )
    prioritize = Prioritize(db=demo_store.location, coach=coach, today=today)
    prioritize.open_rep(rep)
    assess = _tab(prioritize, "Assess")
    row = next(r for r in assess.rows if r.behaviour_id == behaviour)
    assert "The rep's own latest skill rating: 5" in row.other.value


def test_the_download_holds_the_reps_data_without_the_coachs_notes(
    monkeypatch: pytest.MonkeyPatch,
    demo_store: Store,
    today: dt.date,
    team: tuple[int, int, int],
) -> None:
    coach, rep, _other = team
    app = _page(monkeypatch, demo_store, today, f"me={_link(demo_store, coach, rep)}")
    data = app.section("data")
    data.download.click()
    found = re.search(r"base64,([A-Za-z0-9+/=]+)", data.link.value)
    assert found, data.link.value
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(found.group(1))))
    assert "sessions.csv" in archive.namelist()
    sessions = archive.read("sessions.csv").decode()
    assert "coach_relevant" not in sessions
    assert "Download my-coaching-data.zip" in data.link.value


def test_another_reps_ids_and_forged_links_get_nothing(
    monkeypatch: pytest.MonkeyPatch,
    demo_store: Store,
    today: dt.date,
    team: tuple[int, int, int],
) -> None:
    coach, rep, other = team
    with demo_store.read() as conn:
        theirs = my_page(conn, other, today)
    app = _page(monkeypatch, demo_store, today, f"me={_link(demo_store, coach, rep)}")
    # A value changed in the browser: another rep's action or session.
    if theirs.actions:
        with pytest.raises(AccessDenied):
            app.mark_action(theirs.actions[0].id, True, "")
    if theirs.sessions:
        with pytest.raises(AccessDenied):
            app.rate_session(theirs.sessions[0].id, 1, 1, 1, "")
    # A forged secret and an empty one: a refusal in words, no rep's data.
    for query in ("me=forged-secret-1234567890", "me=", f"me=x&rep={other}"):
        page = _page(monkeypatch, demo_store, today, query)
        assert not isinstance(page, MyCoaching)
        assert "This link no longer works" in page.value
        assert theirs.rep not in page.value
    # A stopped link: the same refusal.
    old = _link(demo_store, coach, rep)
    _link(demo_store, coach, rep)  # a new link stops the old one
    page = _page(monkeypatch, demo_store, today, f"me={old}")
    assert "This link no longer works" in page.value


def test_without_a_link_the_page_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, demo_store: Store, today: dt.date
) -> None:
    app = _page(monkeypatch, demo_store, today, "")
    assert isinstance(app, MyCoaching)
    assert app.state.message == NO_LINK
    assert app.sections == []


def test_the_coach_makes_copies_and_stops_the_link_on_progress(
    demo_store: Store, today: dt.date, team: tuple[int, int, int]
) -> None:
    coach, rep, _other = team
    facilitate = Facilitate(db=demo_store.location, coach=coach, today=today)
    facilitate.open_rep(rep)
    share = _tab(facilitate, "Progress").share
    assert "has no link yet" in share.heading.value
    share.make.click()
    shown = share.link.value
    found = re.search(r"href='([^']+)'", shown)
    assert found
    assert found.group(1).startswith(REP_PAGE + "?me=")
    assert "Copy the link" in shown
    assert "not opened yet" in share.heading.value
    secret = found.group(1).split("?me=", 1)[1]
    assert rep_page_link(secret) == found.group(1)
    share.stop.click()
    assert "has no link yet" in share.heading.value
    assert share.link.value == ""
    with demo_store.read() as conn:
        live = conn.execute(
            sa.select(sa.func.count())
            .select_from(s.rep_links)
            .where(s.rep_links.c.rep_id == rep, s.rep_links.c.revoked_at.is_(None))
        ).scalar()
    assert live == 0


# -- helpers -------------------------------------------------------------------------
def _tab(app: Any, title: str) -> Any:
    index = next(i for i, t in enumerate(app.deck.tabs) if t.title.endswith(title))
    app.tab_widget.selected_index = index
    return app.deck.show(index)


def _htmls(widget: Any) -> list[Any]:
    """Every HTML widget under ``widget``."""
    import ipywidgets as w

    found = []
    todo = [widget]
    while todo:
        current = todo.pop()
        if isinstance(current, w.HTML):
            found.append(current)
        todo += list(getattr(current, "children", ()))
    return found


def test_a_workshop_seat_opens_the_practice_reps_own_page(
    demo_store: Store, today: dt.date, team: tuple[int, int, int]
) -> None:
    """On a seat, the panel is how a participant sees the other side."""
    from coachkit.apps.my_coaching.share import SharePanel
    from coachkit.store.access import Viewer

    coach, rep, _other = team
    facilitate = Facilitate(db=demo_store.location, coach=coach, today=today)
    facilitate.open_rep(rep)
    facilitate.visitor = Viewer(coach, "Participant", "coach", "seat")
    panel = SharePanel(facilitate)
    panel.show()
    assert panel.make.description == "See this rep's own page"
    panel.make.click()
    assert "Open this rep's own page" in panel.link.value
    found = re.search(r"href='([^']+)'", panel.link.value)
    assert found
    assert found.group(1).startswith(REP_PAGE + "?me=")
