"""A rep's recorded calls as weekly numbers in ``metric_values``.

Every week (Monday to Sunday) in which a rep has recorded calls gets one value of
each metric below on its Monday, like the weekly conversations: the sums over the
week's calls. :func:`recompute_weeks` works them out again from the ``calls`` table
for the weeks a save or a purge touched, so they never drift from the calls.

===================== =========================================================
key                   the week's value
===================== =========================================================
recorded_calls        calls
recorded_call_minutes sum of the calls' durations, in minutes
talk_minutes          sum of rep and buyer talk time, in minutes
rep_talk_minutes      sum of the rep's talk time, in minutes
rep_questions         sum of the rep's questions (approximate)
questions_per_call    rep_questions / recorded_calls (an average)
===================== =========================================================

``talk_share`` is a rate of two of them (rep_talk_minutes / talk_minutes), so it is
never stored: every range of weeks works it out from the two sums, with its range.
The metrics come from the shipped ``metrics.yaml``; a store that lacks them (one
made before calls existed) gets them the first time calls are saved.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.templates import Metric, load_framework
from coachkit.store import schema as s

#: The metrics worked out from calls, stored or (talk_share) made of two stored.
CALL_METRIC_KEYS = (
    "recorded_calls",
    "recorded_call_minutes",
    "talk_minutes",
    "rep_talk_minutes",
    "talk_share",
    "rep_questions",
    "questions_per_call",
)
_STORED = tuple(k for k in CALL_METRIC_KEYS if k != "talk_share")


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


@functools.cache
def _shipped() -> tuple[Metric, ...]:
    return tuple(m for m in load_framework().metrics if m.key in CALL_METRIC_KEYS)


def call_metric_ids(conn: Connection) -> dict[str, int]:
    """The ids of the call metrics, adding those the store lacks (from the shipped
    ``metrics.yaml``) inside the caller's transaction."""
    m = s.metrics
    have = dict(
        conn.execute(
            sa.select(m.c.key, m.c.id).where(m.c.key.in_(CALL_METRIC_KEYS))
        ).all()
    )
    missing = [x for x in _shipped() if x.key not in have]
    if missing:
        conn.execute(
            m.insert(),
            [
                {
                    "key": x.key,
                    "name": x.name,
                    "unit": x.unit,
                    "kind": x.kind,
                    "higher_is_better": x.higher_is_better,
                    "numerator": x.numerator,
                    "denominator": x.denominator,
                    "description": x.description,
                }
                for x in missing
            ],
        )
        have = dict(
            conn.execute(
                sa.select(m.c.key, m.c.id).where(m.c.key.in_(CALL_METRIC_KEYS))
            ).all()
        )
    return {str(k): int(v) for k, v in have.items()}


def recompute_weeks(conn: Connection, weeks: Iterable[tuple[int, dt.date]]) -> None:
    """Work out again the call metrics of each ``(rep_id, any day of the week)``.

    Runs inside the caller's transaction: the week's old values go, and new ones
    come from the calls the week holds now (none when it holds no calls).
    """
    wanted = sorted({(int(rep), monday(day)) for rep, day in weeks})
    if not wanted:
        return
    ids = call_metric_ids(conn)
    stored = [ids[k] for k in _STORED if k in ids]
    c, mv = s.calls, s.metric_values
    rows: list[dict[str, object]] = []
    for rep_id, first in wanted:
        last = first + dt.timedelta(days=6)
        conn.execute(
            mv.delete().where(
                mv.c.rep_id == rep_id,
                mv.c.metric_id.in_(stored),
                mv.c.observed_on == first,
            )
        )
        found = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.max(c.c.coach_id),
                sa.func.sum(c.c.duration_s),
                sa.func.sum(c.c.rep_talk_s + c.c.buyer_talk_s),
                sa.func.sum(c.c.rep_talk_s),
                sa.func.sum(c.c.rep_questions),
            ).where(c.c.rep_id == rep_id, c.c.held_on.between(first, last))
        ).one()
        n, coach_id, duration, talk, rep_talk, questions = found
        if not n:
            continue
        values = {
            "recorded_calls": float(n),
            "recorded_call_minutes": round(float(duration) / 60, 2),
            "talk_minutes": round(float(talk) / 60, 2),
            "rep_talk_minutes": round(float(rep_talk) / 60, 2),
            "rep_questions": float(questions),
            "questions_per_call": round(float(questions) / n, 2),
        }
        rows += [
            {
                "coach_id": coach_id,
                "rep_id": rep_id,
                "metric_id": ids[key],
                "observed_on": first,
                "value": value,
            }
            for key, value in values.items()
            if key in ids
        ]
    if rows:
        conn.execute(mv.insert(), rows)
