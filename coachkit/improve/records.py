"""What several Improve views read: finished sessions and the coach's ratings.

A session counts when it is done and held inside the period, both ends included.
Ratings are the coach's own (not the rep's self-ratings) of active reps; "then"
is the latest rating on or before a day, and "now" the latest of all.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model.periods import Period
from coachkit.store import access
from coachkit.store import schema as s

RATING_COLUMNS = ["rep_id", "behaviour_id", "rated_on", "skill", "will"]


def done_in(
    period: Period, coach_id: int | None = None, rep_id: int | None = None
) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``sessions``: done, held in ``period``, of the coach and rep.

    ``coach_id`` or ``rep_id`` None means every coach or every rep.
    """
    se = s.sessions
    where = [
        se.c.status == "done",
        se.c.held_on >= period.start,
        se.c.held_on <= period.end,
    ]
    if coach_id is not None:
        where.append(se.c.coach_id == coach_id)
    if rep_id is not None:
        where.append(se.c.rep_id == rep_id)
    return where


@access.checks("coach_id")
def coach_ratings(
    conn: Connection, coach_id: int | None, until: dt.date
) -> pd.DataFrame:
    """The coach's ratings of active reps up to ``until``, oldest first.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RATING_COLUMNS`: rep_id, behaviour_id, rated_on (datetime64),
        skill and will (floats).
    """
    a, r = s.assessments, s.reps
    team = sa.select(r.c.id).where(r.c.active.is_(True))
    if coach_id is not None:
        team = team.where(r.c.coach_id == coach_id)
    query = (
        sa.select(a.c.rep_id, a.c.behaviour_id, a.c.assessed_on, a.c.skill, a.c.will)
        .where(a.c.source == "coach", a.c.assessed_on <= until, a.c.rep_id.in_(team))
        .order_by(a.c.assessed_on, a.c.id)
    )
    frame = read(conn, query, RATING_COLUMNS)
    frame["rated_on"] = pd.to_datetime(frame["rated_on"])
    return frame.astype(
        {"rep_id": "int64", "behaviour_id": "int64", "skill": float, "will": float}
    )


def rating_at(
    frame: pd.DataFrame, ratings: pd.DataFrame, day: str, suffix: str
) -> pd.DataFrame:
    """Add ``skill_<suffix>``, ``will_<suffix>``: the latest rating on or before.

    ``frame`` has rep_id, behaviour_id and a date column ``day``; ``ratings`` is
    from :func:`coach_ratings`. Rows keep their order and index.
    """
    left = frame.assign(_day=pd.to_datetime(frame[day]), _row=range(len(frame)))
    left = left.astype({"rep_id": "int64", "behaviour_id": "int64"})
    right = ratings.rename(
        columns={
            "rated_on": "_day",
            "skill": f"skill_{suffix}",
            "will": f"will_{suffix}",
        }
    )
    out = pd.merge_asof(
        left.sort_values("_day"),
        right.sort_values("_day", kind="stable"),
        on="_day",
        by=["rep_id", "behaviour_id"],
    )
    return out.sort_values("_row").drop(columns=["_day", "_row"]).set_axis(frame.index)


def then_and_now(frame: pd.DataFrame, ratings: pd.DataFrame, day: str) -> pd.DataFrame:
    """Add the ratings then and now: skill_then, will_then, skill, will, rated_on.

    "Then" is the latest rating on or before the date in column ``day``; a skill
    never rated by then falls back to its first rating after. "Now" (skill, will,
    rated_on) is the latest of ``ratings``. NaN where a behaviour was never rated.
    """
    keys = ["rep_id", "behaviour_id"]
    out = rating_at(frame, ratings, day, "then")
    latest = ratings.groupby(keys, as_index=False).last()
    first = ratings.groupby(keys)["skill"].first()
    out = out.merge(latest, on=keys, how="left").set_axis(frame.index)
    fallback = pd.Series(out.set_index(keys).index.map(first), out.index)
    out["skill_then"] = out["skill_then"].fillna(fallback)
    return out


def read(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    """Run ``query`` (built by a checked function) into a DataFrame of ``columns``."""
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes, which is slow.
    return pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)


def empty(columns: list[str]) -> pd.DataFrame:
    """A frame with no rows and the given columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
