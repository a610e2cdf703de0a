"""Recorded calls in the store: saving, re-importing, deciding hits, weekly metrics,
purging, remembered speakers (coachkit.model.calls.store)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coachkit.errors import ValidationError
from coachkit.model.calls import store as calls
from coachkit.model.calls.transcript import Transcript, Turn
from coachkit.model.calls.weekly import CALL_METRIC_KEYS
from coachkit.store import schema as s
from coachkit.store.database import Store

DAY = dt.date(2026, 12, 2)  # a Wednesday; its week's Monday is 30 November
MONDAY = dt.date(2026, 11, 30)


def _call(
    key: str = "call-1.vtt",
    day: dt.date | None = DAY,
    buyer: str = "Dana Ruiz",
    extra: tuple[Turn, ...] = (),
) -> Transcript:
    """A 100-second call: the rep speaks 40 s (two questions, one e-mail), the
    buyer 50 s."""
    turns = (
        Turn("Ana Diaz", 0, 20, "Hi Dana. What is the next step? Mail a@b.com"),
        Turn(buyer, 25, 75, "We lose two days a month to reports. Call 415-555-0134."),
        Turn("Ana Diaz", 80, 100, "What does that cost you per year?"),
        *extra,
    )
    return Transcript(turns, "zoom_vtt", day, key, key.rsplit(".", 1)[0])


@pytest.fixture
def team(store: Store) -> tuple[int, int]:
    with store.write() as conn:
        coach = conn.execute(
            s.coaches.insert().values(name="Cora Coach").returning(s.coaches.c.id)
        ).scalar_one()
        rep = conn.execute(
            s.reps.insert()
            .values(name="Ana Diaz", coach_id=coach)
            .returning(s.reps.c.id)
        ).scalar_one()
    return int(coach), int(rep)


def _count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        )


def _weekly(store: Store, rep_id: int) -> dict[tuple[str, dt.date], float]:
    m, mv = s.metrics, s.metric_values
    with store.read() as conn:
        rows = conn.execute(
            sa.select(m.c.key, mv.c.observed_on, mv.c.value)
            .join(m, m.c.id == mv.c.metric_id)
            .where(mv.c.rep_id == rep_id, m.c.key.in_(CALL_METRIC_KEYS))
        ).all()
    return {(k, d): float(v) for k, d, v in rows}


def test_an_unmapped_speaker_is_refused_by_name_and_nothing_is_saved(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    assert calls.unmapped_speakers(store, coach, rep, [_call()]) == ["Dana Ruiz"]
    with pytest.raises(calls.UnmappedSpeakers, match='"Dana Ruiz"') as caught:
        calls.save_calls(store, coach, rep, [_call()])
    assert caught.value.names == ("Dana Ruiz",)
    assert "\n" not in str(caught.value)
    for table in (s.calls, s.call_turns, s.call_hits, s.call_speakers):
        assert _count(store, table) == 0


def test_a_saved_call_has_its_numbers_turns_hits_and_weekly_metrics(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    (saved,) = calls.save_calls(
        store, coach, rep, [_call()], sides={"Dana Ruiz": "buyer"}
    )
    assert saved.created
    assert saved.held_on == DAY
    assert saved.title == "call-1"
    table = calls.calls_table(store, coach_id=coach)
    assert list(table.columns) == calls.CALL_COLUMNS
    row = table.iloc[0]
    assert row["held_on"] == DAY
    assert row["duration_s"] == pytest.approx(100)
    assert row["talk_share"] == pytest.approx(40 / 90)
    assert row["tracker_hits"] == 3
    assert row["rep_questions"] == 2
    assert row["redacted"]
    turns = calls.call_turns(store, saved.call_id)
    assert list(turns["side"]) == ["rep", "buyer", "rep"]
    assert "[e-mail]" in turns["text"][0]
    assert "a@b.com" not in turns["text"][0]
    assert "[phone]" in turns["text"][1]
    found = {(h.phrase, h.at_s) for h in calls.hits(store, rep)}
    assert ("next step", 0.0) in found
    assert ("what does that cost", 80.0) in found
    weekly = _weekly(store, rep)
    assert weekly[("recorded_calls", MONDAY)] == 1
    assert weekly[("recorded_call_minutes", MONDAY)] == pytest.approx(1.67)
    assert weekly[("talk_minutes", MONDAY)] == pytest.approx(1.5)
    assert weekly[("rep_talk_minutes", MONDAY)] == pytest.approx(0.67)
    assert weekly[("rep_questions", MONDAY)] == 2
    assert weekly[("questions_per_call", MONDAY)] == 2
    assert not any(key == "talk_share" for key, _ in weekly)  # a rate: never stored


def test_the_buyers_words_are_no_tracker_hit(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    said = (Turn("Dana Ruiz", 110, 120, "What is the next step for us?"),)
    calls.save_calls(
        store, coach, rep, [_call(extra=said)], sides={"Dana Ruiz": "buyer"}
    )
    assert [h.at_s for h in calls.hits(store, rep) if h.phrase == "next step"] == [0]


def test_sides_are_remembered_and_the_reps_own_name_needs_none(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    assert calls.remembered_sides(store, coach, rep) == {
        "Cora Coach": "other",
        "Ana Diaz": "rep",
    }
    calls.save_calls(store, coach, rep, [_call()], sides={"dana  ruiz": "buyer"})
    assert calls.remembered_sides(store, coach, rep)["dana ruiz"] == "buyer"
    assert calls.unmapped_speakers(store, coach, rep, [_call("b.vtt")]) == []
    calls.save_calls(store, coach, rep, [_call("b.vtt")])  # no sides needed now
    assert len(calls.calls_table(store, coach_id=coach)) == 2


def test_reimport_replaces_the_call_and_keeps_decided_hits(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    sides = {"Dana Ruiz": "buyer"}
    calls.save_calls(store, coach, rep, [_call()], sides=sides)
    first = {h.phrase: h for h in calls.hits(store, rep)}
    calls.decide_hit(store, first["next step"].id, "confirmed")
    calls.decide_hit(store, first["per year"].id, "dismissed")
    turns_before = _count(store, s.call_turns)
    (again,) = calls.save_calls(store, coach, rep, [_call()], sides=sides)
    assert not again.created
    assert _count(store, s.calls) == 1
    assert _count(store, s.call_turns) == turns_before
    status = {h.phrase: h.status for h in calls.hits(store, rep)}
    assert status["next step"] == "confirmed"
    assert status["per year"] == "dismissed"
    assert status["what does that cost"] == "open"
    assert calls.hits(store, rep, status="dismissed")[0].phrase == "per year"
    assert _weekly(store, rep)[("recorded_calls", MONDAY)] == 1


def test_a_moved_call_moves_its_weekly_numbers(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    calls.save_calls(store, coach, rep, [_call()], sides={"Dana Ruiz": "buyer"})
    later = DAY + dt.timedelta(days=7)
    calls.save_calls(store, coach, rep, [_call(day=later)])
    weekly = _weekly(store, rep)
    assert ("recorded_calls", MONDAY) not in weekly
    assert weekly[("recorded_calls", MONDAY + dt.timedelta(days=7))] == 1


def test_one_bad_call_saves_none_of_them(store: Store, team: tuple[int, int]) -> None:
    coach, rep = team
    good, undated = _call("good.vtt"), _call("undated.vtt", day=None)
    with pytest.raises(ValidationError, match="undated: .*day of the call"):
        calls.save_calls(
            store, coach, rep, [good, undated], sides={"Dana Ruiz": "buyer"}
        )
    assert _count(store, s.calls) == 0
    assert _count(store, s.call_speakers) == 0  # the sides were not remembered
    saved = calls.save_calls(
        store, coach, rep, [good, undated], sides={"Dana Ruiz": "buyer"}, held_on=DAY
    )
    assert [c.held_on for c in saved] == [DAY, DAY]


def test_a_call_without_the_rep_and_a_wrong_side_are_refused(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    with pytest.raises(ValidationError, match="rep, buyer or other, not 'seller'"):
        calls.save_calls(store, coach, rep, [_call()], sides={"Dana Ruiz": "seller"})
    with pytest.raises(ValidationError, match="nobody in this call is the rep"):
        calls.save_calls(
            store,
            coach,
            rep,
            [_call()],
            sides={"Dana Ruiz": "buyer", "Ana Diaz": "buyer"},
        )
    assert _count(store, s.calls) == 0


def test_keep_contacts_leaves_the_text_as_it_was(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    (saved,) = calls.save_calls(
        store, coach, rep, [_call()], sides={"Dana Ruiz": "buyer"}, redact=False
    )
    assert "a@b.com" in calls.call_turns(store, saved.call_id)["text"][0]
    assert not calls.calls_table(store, rep_id=rep, coach_id=coach)["redacted"][0]


def test_decide_hit_refuses_a_status_it_does_not_know(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    calls.save_calls(store, coach, rep, [_call()], sides={"Dana Ruiz": "buyer"})
    hit = calls.hits(store, rep)[0]
    with pytest.raises(ValidationError, match="confirmed or dismissed, not 'maybe'"):
        calls.decide_hit(store, hit.id, "maybe")
    calls.decide_hit(store, hit.id, "confirmed")
    calls.decide_hit(store, hit.id, "open")
    assert calls.hits(store, rep)[0].status == "open"


def test_purge_removes_old_calls_turns_and_hits_and_their_weekly_numbers(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    old, new = _call("old.vtt", day=DAY), _call("new.vtt", day=DAY + dt.timedelta(7))
    calls.save_calls(store, coach, rep, [old, new], sides={"Dana Ruiz": "buyer"})
    assert calls.purge_calls(store, DAY + dt.timedelta(days=1)) == 1
    assert list(calls.calls_table(store, coach_id=coach)["title"]) == ["new"]
    with store.read() as conn:
        left = conn.execute(sa.select(s.call_hits.c.call_id).distinct()).scalars()
        assert set(left) == {
            int(calls.calls_table(store, coach_id=coach)["call_id"][0])
        }
    weekly = _weekly(store, rep)
    assert ("recorded_calls", MONDAY) not in weekly
    assert weekly[("recorded_calls", MONDAY + dt.timedelta(days=7))] == 1
    assert calls.remembered_sides(store, coach, rep)["Dana Ruiz"] == "buyer"
    assert calls.purge_calls(store, DAY) == 0


def test_the_call_metrics_join_a_store_that_lacks_them(
    store: Store, team: tuple[int, int]
) -> None:
    coach, rep = team
    with store.write() as conn:  # a store made before calls existed
        ids = sa.select(s.metrics.c.id).where(s.metrics.c.key.in_(CALL_METRIC_KEYS))
        bm = s.behaviour_metrics
        conn.execute(bm.delete().where(bm.c.metric_id.in_(ids)))
        conn.execute(s.metrics.delete().where(s.metrics.c.key.in_(CALL_METRIC_KEYS)))
    calls.save_calls(store, coach, rep, [_call()], sides={"Dana Ruiz": "buyer"})
    with store.read() as conn:
        keys = set(conn.execute(sa.select(s.metrics.c.key)).scalars())
    assert set(CALL_METRIC_KEYS) <= keys
    assert _weekly(store, rep)[("recorded_calls", MONDAY)] == 1
