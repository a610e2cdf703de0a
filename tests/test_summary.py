"""The rep's session summary: plain words, typed text shown as text."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from rows import demo_draft, draft_rep
from sqlalchemy.engine import Connection

from coachkit.facilitate.actions import ActionDraft, add_action
from coachkit.facilitate.observations import log_observation, observation_log
from coachkit.facilitate.sessions import load_session, save_draft
from coachkit.facilitate.summary import (
    session_summary,
    summary_html,
    summary_markdown,
    summary_readability,
)
from coachkit.model.readability import Readability
from coachkit.model.templates import SessionGuides, load_session_guides
from coachkit.store import schema as s
from coachkit.store.database import Store

ATTACK = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def guides() -> SessionGuides:
    return load_session_guides()


def _draft(conn: Connection) -> tuple[int, int, int]:
    """The demo draft's id, version and focus behaviour, observations cleared."""
    draft = demo_draft(conn)
    o = s.observations
    conn.execute(o.delete().where(o.c.session_id == draft.id))
    return draft.id, draft.row_version, draft.focus_ids[0]


def _fill(store: Store) -> tuple[int, str]:
    """A session with taps, a hostile note, two actions; return it and its focus."""
    with store.write() as conn:
        sid, version, focus = _draft(conn)
        name = conn.execute(
            sa.select(s.behaviours.c.name).where(s.behaviours.c.id == focus)
        ).scalar_one()
        for outcome in ("seen", "seen", "missed"):
            log_observation(conn, session_id=sid, behaviour_id=focus, outcome=outcome)
        log_observation(
            conn, session_id=sid, behaviour_id=focus, outcome="partly", note=ATTACK
        )
        add_action(
            conn, sid, ActionDraft("Send the agenda & notes", "rep", "2026-06-22")
        )
        add_action(conn, sid, ActionDraft("Share a good call", "coach", "2026-06-19"))
    save_draft(
        store,
        sid,
        {
            "went_well": "You let the buyer talk <first>.",
            "to_change": "Ask one more question.",
            "next_session_on": dt.date(2026, 6, 29),
        },
        expected_version=version,
    )
    return sid, name


def test_a_hostile_note_is_stored_and_shown_as_text(
    demo_store: Store, guides: SessionGuides
) -> None:
    sid, _ = _fill(demo_store)
    with demo_store.read() as conn:
        stored = observation_log(conn, sid)["note"].tolist()
        summary = session_summary(conn, sid, guides)
    assert ATTACK in stored  # kept verbatim
    page = summary_html(summary)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;first&gt;" in page
    assert "<first>" not in page
    assert "agenda &amp; notes" in page
    text = summary_markdown(summary)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_the_summary_says_what_was_seen_and_agreed(
    demo_store: Store, guides: SessionGuides
) -> None:
    sid, behaviour = _fill(demo_store)
    with demo_store.read() as conn:
        summary = session_summary(conn, sid, guides)
    assert summary.seen[0] == (
        f"{behaviour}: done well twice, partly done once, missed once."
    )
    text = summary_markdown(summary)
    assert "## What we agreed" in text
    assert "- Share a good call. Your coach, by Friday 19 June 2026." in text
    assert "- Send the agenda &amp; notes. You, by Monday 22 June 2026." in text
    assert text.index("Share a good call") < text.index("Send the agenda")
    assert "We meet again on Monday 29 June 2026." in text
    assert "This is a draft." in text  # not finished yet
    assert summary.session_type == "Call review"
    assert behaviour in summary.focus


def test_the_demo_html_note_stays_text(
    demo_store: Store, guides: SessionGuides
) -> None:
    with demo_store.read() as conn:
        rep = draft_rep(conn)
        se = s.sessions
        last = conn.execute(
            sa.select(se.c.id)
            .where(se.c.rep_id == rep, se.c.status == "done")
            .order_by(se.c.held_on.desc())
            .limit(1)
        ).scalar_one()
        summary = session_summary(conn, last, guides)
    assert summary.rep_view.startswith("<b>Pricing</b>")
    page = summary_html(summary)
    assert "<b>" not in page
    assert (
        "&lt;b&gt;Pricing&lt;/b&gt; call went well &amp; buyer said &quot;yes&quot;"
        in page
    )


def test_the_summary_is_scored_for_readability(
    demo_store: Store, guides: SessionGuides
) -> None:
    sid, _ = _fill(demo_store)
    with demo_store.read() as conn:
        score = summary_readability(session_summary(conn, sid, guides))
    assert isinstance(score, Readability)
    assert score.grade is not None
    assert score.words > 30
    assert score.ok  # the page's own words are plain


def test_typed_text_cannot_make_a_markdown_link(
    demo_store: Store, guides: SessionGuides
) -> None:
    sid, _ = _fill(demo_store)
    with demo_store.read() as conn:
        version = load_session(conn, sid).row_version
    hostile = {"to_change": "See [this](javascript:alert(1)) first"}
    save_draft(demo_store, sid, hostile, expected_version=version)
    with demo_store.read() as conn:
        text = summary_markdown(session_summary(conn, sid, guides))
    assert r"See \[this\](javascript:alert(1)) first" in text
