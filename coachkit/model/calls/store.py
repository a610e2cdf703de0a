"""Recorded calls in the store: the one API the workbooks and the command line use.

A coach imports transcripts for one rep (:func:`save_calls`). Each speaker's side
(the rep, the buyer, or someone else on the seller's side) is said once and
remembered per coach (:func:`remembered_sides`); a speaker nobody has placed yet
stops the import (:func:`unmapped_speakers` lists them first). The rep's own name
needs no mapping, and a coach's own name is on the seller's side ("other").

Saving is all or nothing, in one transaction: the turns (with e-mail addresses and
phone numbers taken out unless asked not to), the call's numbers
(:func:`coachkit.model.calls.metrics.call_metrics`), the framework's tracker
phrases found in the rep's turns (:mod:`coachkit.model.tracker_phrases`), and the
rep's weekly call metrics (:mod:`coachkit.model.calls.weekly`). Importing the same
call again (the same ``source_key``) replaces it: never a second copy, and a
tracker hit the coach already confirmed or dismissed keeps that decision when the
same phrase is found at the same time.

Every function checks the viewer (:mod:`coachkit.store.access`): a coach never
reads or decides another coach's calls. Each takes a
:class:`~coachkit.store.database.Store` or an open connection (then it works
inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.calls.metrics import call_metrics
from coachkit.model.calls.redact import redact as redacted
from coachkit.model.calls.trackers import find_tracker_hits
from coachkit.model.calls.transcript import SIDES, Transcript, Turn
from coachkit.model.calls.weekly import recompute_weeks
from coachkit.model.text import name_key
from coachkit.model.tracker_phrases import tracker_phrases
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import Store

#: What a coach may decide about a tracker hit.
HIT_STATUSES = ("open", "confirmed", "dismissed")
#: Longest title, speaker name and source key kept (the columns' widths).
_TITLE_MAX, _SPEAKER_MAX, _KEY_MAX = 200, 120, 200
#: The numbers measured from a call, as the ``calls`` table keeps them.
METRIC_COLUMNS = (
    "duration_s",
    "rep_talk_s",
    "buyer_talk_s",
    "talk_share",
    "longest_monologue_s",
    "longest_story_s",
    "switches_per_min",
    "rep_words_per_min",
    "rep_questions",
    "patience_s",
)
#: The columns of :func:`calls_table`, in order.
CALL_COLUMNS = [
    "call_id",
    "rep_id",
    "rep",
    "held_on",
    "title",
    "format",
    *METRIC_COLUMNS,
    "tracker_hits",
    "redacted",
]

Target = Store | Connection


class UnmappedSpeakers(ValidationError):
    """Speakers of a call have no side yet; ``names`` lists them, ``title`` names
    the call."""

    def __init__(self, title: str, names: Sequence[str]) -> None:
        self.title, self.names = title, tuple(names)
        quoted = ", ".join(f'"{n}"' for n in names)
        one = len(names) == 1
        super().__init__(
            title,
            f"{'the speaker' if one else 'the speakers'} {quoted} "
            f"{'is' if one else 'are'} not on a side yet; say for "
            f"{'them' if one else 'each'} whether they are the rep, the buyer or "
            "other (someone else on the seller's side)",
        )


@dataclass(frozen=True)
class SavedCall:
    """One call :func:`save_calls` wrote: new (``created``) or replaced."""

    call_id: int
    title: str
    held_on: dt.date
    created: bool


class CallHit(NamedTuple):
    """A tracker phrase found in a call, with the coach's decision on it.

    ``at_s`` is when the rep's turn that says it starts (seconds into the call);
    ``snippet`` the sentence around it; ``status`` open, confirmed or dismissed.
    """

    id: int
    call_id: int
    call_title: str
    held_on: dt.date
    behaviour_id: int
    behaviour: str
    phrase: str
    at_s: float
    speaker: str
    snippet: str
    status: str


@contextmanager
def _reading(target: Target) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
    else:
        with target.read() as conn:
            yield conn


@contextmanager
def _writing(target: Target) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
    else:
        with target.write() as conn:
            yield conn


@access.checks("coach_id", "rep_id")
def remembered_sides(store: Target, coach_id: int, rep_id: int) -> dict[str, str]:
    """The side of every speaker name the coach placed before, for one rep's calls.

    Returns
    -------
    dict
        Name as last typed -> ``"rep"``, ``"buyer"`` or ``"other"``. The rep's own
        name is ``"rep"``; a name placed as another rep's is ``"other"`` (a
        colleague on the seller's side); the coach's own name is ``"other"``.
    """
    with _reading(store) as conn:
        return {row[0]: row[1] for row in _sides(conn, coach_id, rep_id).values()}


@access.checks("coach_id", "rep_id")
def unmapped_speakers(
    store: Target, coach_id: int, rep_id: int, transcripts: Sequence[Transcript]
) -> list[str]:
    """The speakers of ``transcripts`` with no remembered side, in order of first
    turn (each name once, as the file writes it)."""
    with _reading(store) as conn:
        known = _sides(conn, coach_id, rep_id)
    names = dict.fromkeys(n for t in transcripts for n in t.speakers())
    return [n for n in names if name_key(n) not in known]


@access.checks("coach_id", "rep_id")
def save_calls(
    store: Target,
    coach_id: int,
    rep_id: int,
    transcripts: Sequence[Transcript],
    *,
    sides: Mapping[str, str] | None = None,
    held_on: dt.date | None = None,
    redact: bool = True,
) -> list[SavedCall]:
    """Save one rep's calls, all of them or none; remember the speakers' sides.

    Parameters
    ----------
    store
        The store, or a connection inside the caller's transaction.
    coach_id, rep_id
        The rep's coach and the rep.
    transcripts
        The calls, as :mod:`coachkit.exchange.calls` reads them.
    sides
        Speaker name -> ``"rep"``, ``"buyer"`` or ``"other"``, for names not
        remembered yet or to change a remembered one; remembered for next time.
    held_on
        The day of the calls whose file does not say it.
    redact
        Replace e-mail addresses and phone numbers in what was said (the default).

    Returns
    -------
    list of SavedCall
        One per transcript, in the same order.

    Raises
    ------
    UnmappedSpeakers
        A speaker has no side (the message names them); nothing is saved.
    ValidationError
        A side that is not rep, buyer or other; the rep is not the coach's; a call
        with no day; a call in which nobody is the rep. Nothing is saved.
    """
    chosen = _checked_sides(sides or {})
    with _writing(store) as conn:
        _check_rep(conn, coach_id, rep_id)
        known = {k: side for k, (_, side) in _sides(conn, coach_id, rep_id).items()}
        known |= {name_key(n): side for n, side in chosen.items()}
        for t in transcripts:
            _check_call(t, known, held_on)
        _remember(conn, coach_id, rep_id, chosen)
        phrases = _phrases_by_key(conn)
        saved, weeks = [], set()
        for t in transcripts:
            call, old_day = _save_one(
                conn, coach_id, rep_id, t, known, phrases, held_on, redact
            )
            saved.append(call)
            weeks.add((rep_id, call.held_on))
            if old_day is not None:
                weeks.add((rep_id, old_day))
        recompute_weeks(conn, weeks)
    return saved


@access.checks("rep_id", "coach_id", any_coach_with="rep_id")
def calls_table(
    store: Target,
    rep_id: int | None = None,
    coach_id: int | None = None,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """One row per recorded call, newest first, in the columns :data:`CALL_COLUMNS`:
    the call's numbers as :class:`~coachkit.model.calls.metrics.CallMetrics` names
    them (``METRIC_NOTES`` says how each is worked out).

    Give ``rep_id`` for one rep's calls, ``coach_id`` for a coach's team; with
    neither, every call (only an enablement lead may ask for that).
    ``since`` keeps calls held on or after that day. Times are in seconds;
    ``talk_share`` is a share (0.43 is 43%), empty when nobody on either side
    spoke; ``tracker_hits`` counts the hits the coach has not dismissed.
    """
    c, r, h = s.calls, s.reps, s.call_hits
    hits = (
        sa.select(sa.func.count())
        .where(h.c.call_id == c.c.id, h.c.status != "dismissed")
        .scalar_subquery()
    )
    query = (
        sa.select(
            c.c.id,
            c.c.rep_id,
            r.c.name,
            c.c.held_on,
            c.c.title,
            c.c.format,
            *(c.c[name] for name in METRIC_COLUMNS),
            hits,
            c.c.redacted,
        )
        .join(r, c.c.rep_id == r.c.id)
        .order_by(c.c.held_on.desc(), c.c.id.desc())
    )
    if rep_id is not None:
        query = query.where(c.c.rep_id == rep_id)
    if coach_id is not None:
        query = query.where(c.c.coach_id == coach_id)
    if since is not None:
        query = query.where(c.c.held_on >= since)
    with _reading(store) as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=CALL_COLUMNS)
    floats = [name for name in METRIC_COLUMNS if name != "rep_questions"]
    frame[floats] = frame[floats].astype(float)
    frame["redacted"] = frame["redacted"].astype(bool)
    return frame


@access.checks("call_id")
def call_turns(store: Target, call_id: int) -> pd.DataFrame:
    """What was said on a call: columns seq, speaker, side, start_s, end_s, text."""
    t = s.call_turns
    query = (
        sa.select(t.c.seq, t.c.speaker, t.c.side, t.c.start_s, t.c.end_s, t.c.text)
        .where(t.c.call_id == call_id)
        .order_by(t.c.seq)
    )
    with _reading(store) as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    return pd.DataFrame(
        rows, columns=["seq", "speaker", "side", "start_s", "end_s", "text"]
    )


@access.checks("rep_id")
def hits(
    store: Target,
    rep_id: int,
    behaviour_id: int | None = None,
    status: str | None = None,
) -> list[CallHit]:
    """A rep's tracker hits, newest call first, then by time in the call.

    ``behaviour_id`` and ``status`` (open, confirmed or dismissed) narrow them.
    """
    if status is not None:
        _check_status(status)
    h, c, b = s.call_hits, s.calls, s.behaviours
    query = (
        sa.select(
            h.c.id,
            h.c.call_id,
            c.c.title,
            c.c.held_on,
            h.c.behaviour_id,
            b.c.name,
            h.c.phrase,
            h.c.at_s,
            h.c.speaker,
            h.c.snippet,
            h.c.status,
        )
        .join(c, h.c.call_id == c.c.id)
        .join(b, h.c.behaviour_id == b.c.id)
        .where(h.c.rep_id == rep_id)
        .order_by(c.c.held_on.desc(), c.c.id.desc(), h.c.at_s, h.c.id)
    )
    if behaviour_id is not None:
        query = query.where(h.c.behaviour_id == behaviour_id)
    if status is not None:
        query = query.where(h.c.status == status)
    with _reading(store) as conn:
        return [CallHit(*row) for row in conn.execute(query)]


@access.checks("hit_id")
def decide_hit(store: Target, hit_id: int, status: str) -> None:
    """Confirm or dismiss a tracker hit as evidence (``"open"`` undecides it).

    Raises
    ------
    ValidationError
        ``status`` is not open, confirmed or dismissed, or there is no such hit.
    """
    _check_status(status)
    h = s.call_hits
    when = None if status == "open" else dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with _writing(store) as conn:
        done = conn.execute(
            h.update().where(h.c.id == hit_id).values(status=status, decided_at=when)
        )
        if done.rowcount != 1:
            raise ValidationError("Tracker hit", f"there is no tracker hit {hit_id}")


@access.checks("coach_id")
def purge_calls(store: Target, older_than: dt.date, coach_id: int | None = None) -> int:
    """Delete the calls held before ``older_than`` with their turns and hits, and
    work out the weekly call metrics of their weeks again.

    ``coach_id`` limits it to one coach's team; None (an enablement lead, or the
    command line) purges every team. Remembered speakers stay. Returns the number
    of calls deleted.
    """
    c = s.calls
    where = [c.c.held_on < older_than]
    if coach_id is not None:
        where.append(c.c.coach_id == coach_id)
    with _writing(store) as conn:
        gone = conn.execute(sa.select(c.c.id, c.c.rep_id, c.c.held_on).where(*where))
        rows = gone.all()
        ids = [row.id for row in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for table in (s.call_hits, s.call_turns):
                conn.execute(table.delete().where(table.c.call_id.in_(chunk)))
            conn.execute(c.delete().where(c.c.id.in_(chunk)))
        recompute_weeks(conn, {(row.rep_id, row.held_on) for row in rows})
    return len(ids)


# ---------------------------------------------------------------- the parts


def _sides(conn: Connection, coach_id: int, rep_id: int) -> dict[str, tuple[str, str]]:
    """name key -> (name, side) as the coach placed them, for ``rep_id``'s calls."""
    sp, r, co = s.call_speakers, s.reps, s.coaches
    found: dict[str, tuple[str, str]] = {}
    coach_name = conn.execute(sa.select(co.c.name).where(co.c.id == coach_id)).scalar()
    if coach_name:
        found[name_key(coach_name)] = (str(coach_name), "other")
    query = sa.select(sp.c.name_key, sp.c.name, sp.c.side, sp.c.rep_id).where(
        sp.c.coach_id == coach_id
    )
    for key, name, side, owner in conn.execute(query):
        mine = side != "rep" or owner == rep_id
        found[str(key)] = (str(name), side if mine else "other")
    rep_name = conn.execute(sa.select(r.c.name).where(r.c.id == rep_id)).scalar()
    if rep_name:
        found[name_key(rep_name)] = (str(rep_name), "rep")
    return found


def _checked_sides(sides: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, side in sides.items():
        clean = " ".join(str(name).split())
        if not clean:
            raise ValidationError("Speaker", "a speaker needs a name")
        if len(clean) > _SPEAKER_MAX:
            raise ValidationError(
                f'Speaker "{clean[:40]}…"', f"a name may have {_SPEAKER_MAX} characters"
            )
        if side not in SIDES:
            raise ValidationError(
                f'Speaker "{clean}"',
                f"the side must be rep, buyer or other, not '{side}'",
            )
        out[clean] = side
    return out


def _check_rep(conn: Connection, coach_id: int, rep_id: int) -> None:
    owner = conn.execute(
        sa.select(s.reps.c.coach_id).where(s.reps.c.id == rep_id)
    ).scalar()
    if owner is None or int(owner) != int(coach_id):
        raise ValidationError("Rep", "this rep is not on that coach's team")


def _check_call(
    t: Transcript, known: Mapping[str, str], held_on: dt.date | None
) -> None:
    missing = [n for n in t.speakers() if name_key(n) not in known]
    if missing:
        raise UnmappedSpeakers(t.title, missing)
    if not any(known[name_key(n)] == "rep" for n in t.speakers()):
        raise ValidationError(
            t.title, "nobody in this call is the rep; say which speaker is the rep"
        )
    if t.held_on is None and held_on is None:
        raise ValidationError(
            t.title, "the file does not say the day of the call; give the day"
        )


def _remember(
    conn: Connection, coach_id: int, rep_id: int, chosen: Mapping[str, str]
) -> None:
    sp = s.call_speakers
    for name, side in chosen.items():
        key = name_key(name)
        conn.execute(sp.delete().where(sp.c.coach_id == coach_id, sp.c.name_key == key))
        conn.execute(
            sp.insert().values(
                coach_id=coach_id,
                name_key=key,
                name=name,
                side=side,
                rep_id=rep_id if side == "rep" else None,
            )
        )


def _phrases_by_key(conn: Connection) -> dict[str, tuple[int, tuple[str, ...]]]:
    """behaviour key -> (behaviour id, tracker phrases)."""
    keys = dict(conn.execute(sa.select(s.behaviours.c.id, s.behaviours.c.key)).all())
    return {
        str(keys[bid]): (bid, phrases)
        for bid, phrases in tracker_phrases(conn).items()
        if bid in keys
    }


def _save_one(
    conn: Connection,
    coach_id: int,
    rep_id: int,
    t: Transcript,
    known: Mapping[str, str],
    phrases: Mapping[str, tuple[int, tuple[str, ...]]],
    held_on: dt.date | None,
    redact: bool,
) -> tuple[SavedCall, dt.date | None]:
    """Write one call; return it and the day it had before (None when new)."""
    c, h = s.calls, s.call_hits
    day = t.held_on or held_on
    assert day is not None  # _check_call refused it
    turns = [
        Turn(x.speaker, x.start, x.end, redacted(x.text)) if redact else x
        for x in t.turns
    ]
    side_of = {n: known[name_key(n)] for n in t.speakers()}
    numbers = call_metrics(turns, side_of)
    title = (redacted(t.title) if redact else t.title)[:_TITLE_MAX]
    values: dict[str, object] = {
        "held_on": day,
        "format": t.format,
        "title": title,
        "redacted": redact,
        **{col: getattr(numbers, col) for col in METRIC_COLUMNS},
    }
    key = t.source_key[:_KEY_MAX]
    old = conn.execute(
        sa.select(c.c.id, c.c.held_on).where(
            c.c.coach_id == coach_id, c.c.rep_id == rep_id, c.c.source_key == key
        )
    ).one_or_none()
    decided: dict[tuple[int, str, float], tuple[str, object]] = {}
    if old is None:
        call_id = int(
            conn.execute(
                c.insert()
                .values(coach_id=coach_id, rep_id=rep_id, source_key=key, **values)
                .returning(c.c.id)
            ).scalar_one()
        )
    else:
        call_id = int(old.id)
        for bid, phrase, at, status, when in conn.execute(
            sa.select(
                h.c.behaviour_id, h.c.phrase, h.c.at_s, h.c.status, h.c.decided_at
            ).where(h.c.call_id == call_id, h.c.status != "open")
        ):
            decided[(int(bid), str(phrase), round(float(at), 1))] = (status, when)
        for table in (s.call_hits, s.call_turns):
            conn.execute(table.delete().where(table.c.call_id == call_id))
        conn.execute(
            c.update()
            .where(c.c.id == call_id)
            .values(
                **values,
                updated_at=sa.func.now(),
                row_version=c.c.row_version + 1,
            )
        )
    conn.execute(
        s.call_turns.insert(),
        [
            {
                "coach_id": coach_id,
                "call_id": call_id,
                "seq": i,
                "speaker": x.speaker[:_SPEAKER_MAX],
                "side": side_of[x.speaker],
                "start_s": x.start,
                "end_s": x.end,
                "text": x.text,
            }
            for i, x in enumerate(turns)
        ],
    )
    _save_hits(conn, coach_id, rep_id, call_id, turns, side_of, phrases, decided)
    saved = SavedCall(call_id, title, day, old is None)
    return saved, (None if old is None else old.held_on)


def _save_hits(
    conn: Connection,
    coach_id: int,
    rep_id: int,
    call_id: int,
    turns: Sequence[Turn],
    side_of: Mapping[str, str],
    phrases: Mapping[str, tuple[int, tuple[str, ...]]],
    decided: Mapping[tuple[int, str, float], tuple[str, object]],
) -> None:
    """Find the tracker phrases in the rep's turns (what the buyer says is not the
    rep's behaviour); keep the decisions the coach made on an earlier import."""
    if not phrases:
        return
    wanted = {key: p for key, (_, p) in phrases.items()}
    said = [x for x in turns if side_of.get(x.speaker) == "rep"]
    rows = []
    for hit in find_tracker_hits(said, wanted):
        bid = phrases[hit.behaviour_key][0]
        status, when = decided.get(
            (bid, hit.phrase, round(float(hit.at_s), 1)), ("open", None)
        )
        rows.append(
            {
                "coach_id": coach_id,
                "rep_id": rep_id,
                "call_id": call_id,
                "behaviour_id": bid,
                "phrase": hit.phrase,
                "at_s": hit.at_s,
                "speaker": hit.speaker[:_SPEAKER_MAX],
                "snippet": hit.snippet,
                "status": status,
                "decided_at": when,
            }
        )
    if rows:
        conn.execute(s.call_hits.insert(), rows)


def _check_status(status: str) -> None:
    if status not in HIT_STATUSES:
        raise ValidationError(
            "Status", f"must be open, confirmed or dismissed, not '{status}'"
        )
