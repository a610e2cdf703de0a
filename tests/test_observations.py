"""Live observation: fast taps, a running tally, and notes kept exactly as typed."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pandas as pd
import pytest
import sqlalchemy as sa
from rows import demo_draft
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.facilitate.observations import (
    NOTE_MAX,
    log_observation,
    observation_log,
    tally,
    tally_from,
    undo_last,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

AT = dt.datetime(2026, 6, 15, 10, 0)


def _draft(conn: Connection) -> tuple[int, int, int]:
    """The demo's draft session, its focus behaviour and another behaviour."""
    draft = demo_draft(conn)
    focus = draft.focus_ids[0]
    other = conn.execute(
        sa.select(s.behaviours.c.id)
        .where(s.behaviours.c.id.not_in(draft.focus_ids))
        .order_by(s.behaviours.c.id)
        .limit(1)
    ).scalar_one()
    return draft.id, focus, other


def _clear(conn: Connection, session_id: int) -> None:
    o = s.observations
    conn.execute(o.delete().where(o.c.session_id == session_id))


def test_taps_add_up_in_the_tally(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid, focus, other = _draft(conn)
        _clear(conn, sid)
        for i, (bid, outcome) in enumerate(
            [
                (focus, "seen"),
                (focus, "missed"),
                (other, "partly"),
                (focus, "seen"),
                (other, "partly"),
            ]
        ):
            at = AT + dt.timedelta(minutes=i)
            log_observation(
                conn, session_id=sid, behaviour_id=bid, outcome=outcome, at=at
            )
        counts = tally(conn, sid)
    rows = counts.set_index("behaviour_id")
    assert list(counts["behaviour_id"]) == [focus, other]  # focus first
    assert rows.loc[focus, ["seen", "partly", "missed", "total"]].tolist() == [
        2,
        0,
        1,
        3,
    ]
    assert rows.loc[other, ["seen", "partly", "missed", "total"]].tolist() == [
        0,
        2,
        0,
        2,
    ]
    # Outside the focus: allowed, and flagged.
    assert rows.loc[focus, "in_focus"]
    assert not rows.loc[other, "in_focus"]


def test_a_focus_behaviour_shows_before_its_first_tap(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid, focus, _ = _draft(conn)
        _clear(conn, sid)
        counts = tally(conn, sid)
    assert counts["behaviour_id"].tolist() == [focus]
    assert counts["total"].tolist() == [0]


def test_undo_takes_back_the_latest_tap(demo_store: Store) -> None:
    with demo_store.write() as conn:
        sid, focus, _ = _draft(conn)
        _clear(conn, sid)
        log_observation(conn, session_id=sid, behaviour_id=focus, outcome="seen")
        wrong = log_observation(
            conn, session_id=sid, behaviour_id=focus, outcome="missed"
        )
        assert undo_last(conn, sid) == wrong
        counts = tally(conn, sid)
        assert (counts["seen"].sum(), counts["missed"].sum()) == (1, 0)
        assert undo_last(conn, sid) is not None
        assert undo_last(conn, sid) is None  # nothing left to take back


def test_a_note_is_stored_exactly_as_typed(demo_store: Store) -> None:
    note = "<img src=x onerror=alert(1)>"
    with demo_store.write() as conn:
        sid, focus, _ = _draft(conn)
        new = log_observation(
            conn, session_id=sid, behaviour_id=focus, outcome="seen", note=note
        )
        log = observation_log(conn, sid)
    assert log.set_index("id").loc[new, "note"] == note


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "great"}, "Outcome: pick seen, partly or missed"),
        ({"note": "x" * (NOTE_MAX + 1)}, "Note: keep it to 500 characters or fewer"),
        ({"behaviour_id": 99_999}, "Behaviour: pick a behaviour from the framework"),
        ({"session_id": 99_999}, "Session: it is no longer there"),
    ],
)
def test_bad_taps_say_what_is_wrong(
    demo_store: Store, kwargs: dict[str, object], message: str
) -> None:
    with demo_store.write() as conn:
        sid, focus, _ = _draft(conn)
        before = len(observation_log(conn, sid))
        args: dict[str, object] = {
            "session_id": sid,
            "behaviour_id": focus,
            "outcome": "seen",
        }
        args.update(kwargs)
        with pytest.raises(ValidationError) as caught:
            log_observation(conn, **args)  # type: ignore[arg-type]
        assert str(caught.value).startswith(message)
        assert len(observation_log(conn, sid)) == before


def test_a_finished_session_takes_no_more_taps(demo_store: Store) -> None:
    with demo_store.write() as conn:
        se = s.sessions
        done, focus = conn.execute(
            sa.select(se.c.id, s.session_focus.c.behaviour_id)
            .join(s.session_focus, s.session_focus.c.session_id == se.c.id)
            .where(se.c.status == "done")
            .limit(1)
        ).one()
        with pytest.raises(ValidationError, match="already finished"):
            log_observation(conn, session_id=done, behaviour_id=focus, outcome="seen")


@pytest.mark.parametrize(
    ("rows", "focus", "expected"),
    [
        # behaviour 2 is in focus but never tapped: it still shows, first.
        (
            [(1, "Open", "seen"), (1, "Open", "missed"), (1, "Open", "seen")],
            {2: "Close"},
            [(2, "Close", True, 0, 0, 0), (1, "Open", False, 2, 0, 1)],
        ),
        # others come in the order they were first seen.
        (
            [(3, "C", "partly"), (1, "A", "seen"), (3, "C", "partly")],
            {},
            [(3, "C", False, 0, 2, 0), (1, "A", False, 1, 0, 0)],
        ),
        ([], {5: "E"}, [(5, "E", True, 0, 0, 0)]),
        ([], {}, []),
    ],
)
def test_tally_from_counts_per_behaviour(
    rows: list[tuple[int, str, str]],
    focus: dict[int, str],
    expected: list[tuple[object, ...]],
) -> None:
    frame = pd.DataFrame(rows, columns=["behaviour_id", "behaviour", "outcome"])
    out = tally_from(frame, focus)
    got = [
        tuple(r)
        for r in out[
            ["behaviour_id", "behaviour", "in_focus", "seen", "partly", "missed"]
        ].itertuples(index=False)
    ]
    assert got == expected
    assert (out["total"] == out[["seen", "partly", "missed"]].sum(axis=1)).all()


def test_tally_from_refuses_an_unknown_outcome() -> None:
    frame = pd.DataFrame(
        [(1, "A", "maybe")], columns=["behaviour_id", "behaviour", "outcome"]
    )
    with pytest.raises(ValueError, match="maybe"):
        tally_from(frame)


def test_logging_keeps_up_with_fast_tapping(demo_store: Store) -> None:
    """1,000 taps, each in its own transaction as the view saves them."""
    with demo_store.read() as conn:
        sid, focus, other = _draft(conn)
    times = []
    for i in range(1000):
        start = time.perf_counter()
        with demo_store.write() as conn:
            log_observation(
                conn,
                session_id=sid,
                behaviour_id=focus if i % 3 else other,
                outcome=("seen", "partly", "missed")[i % 3],
                note="quick note" if i % 5 == 0 else "",
            )
        times.append(time.perf_counter() - start)
    per_call_ms = 1000 * statistics.median(times)
    slowest_ms = 1000 * max(times)
    print(f"log_observation: median {per_call_ms:.2f} ms, max {slowest_ms:.1f} ms")
    assert per_call_ms < 50
    with demo_store.read() as conn:
        assert tally(conn, sid)["total"].sum() == 1000 + 2  # and the demo's two
