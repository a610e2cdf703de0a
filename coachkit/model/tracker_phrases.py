"""Trackers: the phrases that point to a behaviour in a call transcript.

A behaviour of the framework file may list them under ``trackers:``::

    - key: agree_next_step
      ...
      trackers: [next step, by when, calendar invite]

:func:`phrase_problem` is the rule the template loader
(:mod:`coachkit.model.templates`) checks each phrase against; :func:`write_phrases`
keeps a behaviour's phrases in the store's ``trackers`` table (organisation-wide, like
the rest of the framework), and :func:`tracker_phrases` reads them all back for
:func:`coachkit.model.calls.trackers.find_tracker_hits`. A phrase matches whole
words, whatever the case (``"next step"`` finds "Next step?" but not "next steps").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.store import schema as s

#: Longest phrase, in characters.
PHRASE_MAX = 80
#: Most phrases one behaviour may list.
PHRASES_MAX = 30

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w")


def clean_phrase(phrase: str) -> str:
    """The phrase as kept: spaces at the ends dropped, runs of spaces made one."""
    return _SPACES.sub(" ", phrase).strip()


def phrase_problem(phrase: str, before: Sequence[str] = ()) -> str | None:
    """Say what is wrong with one tracker phrase, or None when it is fine.

    Parameters
    ----------
    phrase
        The phrase, as cleaned by :func:`clean_phrase`.
    before
        The behaviour's phrases listed above it (a repeat is refused).
    """
    if len(phrase) > PHRASE_MAX:
        return f"is {len(phrase)} characters long; a phrase may have {PHRASE_MAX}"
    if not _WORD.search(phrase):
        return f"'{phrase}' has no letters or digits, so it would match nothing"
    if phrase.casefold() in {p.casefold() for p in before}:
        return f"repeats '{phrase}' (case does not matter); keep one"
    if len(before) >= PHRASES_MAX:
        return f"is one phrase too many; a behaviour may list {PHRASES_MAX}"
    return None


def write_phrases(conn: Connection, behaviour_id: int, phrases: Sequence[str]) -> None:
    """Make ``phrases`` the behaviour's trackers, in this order (inside the caller's
    transaction; the callers are the framework's lead-only writers)."""
    t = s.trackers
    conn.execute(t.delete().where(t.c.behaviour_id == behaviour_id))
    if phrases:
        conn.execute(
            t.insert(),
            [
                {"behaviour_id": behaviour_id, "phrase": p, "position": i}
                for i, p in enumerate(phrases)
            ],
        )


def tracker_phrases(conn: Connection) -> dict[int, tuple[str, ...]]:
    """Every behaviour's tracker phrases: behaviour id -> phrases, in file order.

    Behaviours without trackers are left out.
    """
    t = s.trackers
    found: dict[int, list[str]] = {}
    query = sa.select(t.c.behaviour_id, t.c.phrase).order_by(
        t.c.behaviour_id, t.c.position
    )
    for behaviour_id, phrase in conn.execute(query):
        found.setdefault(int(behaviour_id), []).append(str(phrase))
    return {b: tuple(p) for b, p in found.items()}
