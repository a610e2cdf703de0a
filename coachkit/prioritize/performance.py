"""How each rep performs: activity, conversion and results, placed against the team.

Numbers come from ``metric_values`` (long form). Conversations, buyer-action
conversations, meetings and advanced meetings are stored once a week (on the week's
Monday); opportunities, wins, quota attainment (a fraction: 0.87 is 87% of quota)
and the average deal size once a month (on the month's first Monday). Sums and
averages are worked out in SQL, so the queries stay fast for 1,000 reps and years of
history. Pass ``coach_id=None`` to see every coach's reps (an enablement lead's view).

Where a rep stands
------------------
``standing`` (top, middle, bottom or unknown) and ``place`` (0 to 1) come from the
rep's own quota attainment in the window, against the fixed thresholds of
:mod:`coachkit.model.standing`: the same whoever looks, a coach or the lead.

Far below the bar
-----------------
A rep is ``far_below`` (a performance conversation, not coaching) when either:

- their quota attainment averaged under 50% over at least three monthly values in
  the last :data:`QUOTA_FLAG_WEEKS` weeks (one or two bad months are not a pattern)
  *and* they are in the bottom 20% of their own coach's team on results: far below
  both the bar and their peers (when a whole team misses quota, the quota is the
  problem, not every rep). The reason names the best and worst month, so the
  spread behind the average shows; or
- their action rate rests on enough conversations and even its upper bound is under
  half the median action rate of their own coach's team (the reps with enough data).

"Their own coach's team" is always the rep's whole team, whoever looks, so a flag
never depends on the viewer.

A rep who started less than :data:`RAMP_DAYS` days before ``today`` is still ramping
up and is never flagged: they need coaching, not a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.model import standing as st
from coachkit.model.formats import percent
from coachkit.model.rates import MIN_TRIALS, rate_columns
from coachkit.store import access
from coachkit.store import schema as s

#: Quota attainment under this (averaged over the window) is far below the bar.
QUOTA_FLOOR = 0.5
#: A quota average needs this many monthly values before it can flag a rep ...
QUOTA_MONTHS_NEEDED = 3
#: ... from this many weeks back (longer than the window: months are few).
QUOTA_FLAG_WEEKS = 26
#: An action rate whose upper bound is under this share of the team median is far
#: below the bar.
ACTION_RATE_FLOOR = 0.5
#: Reps who started fewer days ago than this are still ramping and never flagged.
RAMP_DAYS = 90
#: Bottom share of a rep's own team, on results, that a quota flag also needs.
PEER_SHARE = 0.2

_CONV, _BAC, _QUOTA = "conversations", "buyer_action_conversations", "quota_attainment"

PERFORMANCE_COLUMNS = [
    "rep_id",
    "rep",
    "weeks_with_data",
    "conversations",
    "conversations_per_week",
    "buyer_actions",
    "action_rate",
    "action_rate_low",
    "action_rate_high",
    "action_rate_enough",
    "quota_attainment",
    "quota_months",
    "standing",
    "place",
    "far_below",
    "far_below_reason",
]


@access.checks("coach_id", "rep_id")
def metric_history(
    conn: Connection,
    coach_id: int | None,
    rep_id: int | None = None,
    since: dt.date | None = None,
    *,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every stored number of the active reps, one row per rep, metric and day.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose reps to read; None for every coach.
    rep_id
        Only this rep, when given.
    since
        Only values observed on or after this day, when given.
    metrics
        Only these metric keys, when given.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, metric (the metric's key), observed_on (datetime64),
        value; sorted by rep, metric and day.
    """
    mv, m, r = s.metric_values, s.metrics, s.reps
    query = (
        sa.select(r.c.id, r.c.name, m.c.key, mv.c.observed_on, mv.c.value)
        .join(r, mv.c.rep_id == r.c.id)
        .join(m, mv.c.metric_id == m.c.id)
        .where(r.c.active.is_(True))
        .order_by(r.c.name, r.c.id, m.c.key, mv.c.observed_on)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    if rep_id is not None:
        query = query.where(mv.c.rep_id == rep_id)
    if since is not None:
        query = query.where(mv.c.observed_on >= since)
    if metrics is not None:
        query = query.where(mv.c.metric_id.in_(_metric_ids(conn, metrics).values()))
    rows = _rows(conn, query)
    frame = pd.DataFrame(
        rows, columns=["rep_id", "rep", "metric", "observed_on", "value"]
    )
    frame["observed_on"] = pd.to_datetime(frame["observed_on"])
    frame["value"] = frame["value"].astype(float)
    return frame


@access.checks("coach_id")
def rep_performance(
    conn: Connection,
    coach_id: int | None,
    today: dt.date,
    weeks: int = st.STANDING_WEEKS,
) -> pd.DataFrame:
    """One row per active rep: activity, action rate, quota and standing.

    The window is the last ``weeks`` complete weeks (Monday to Sunday) before the
    week holding ``today``: the current week is still being counted, so it is left
    out. Monthly values count when their day (the month's first Monday) falls in it.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose reps to read; None for every coach. A rep's row is the
        same either way.
    today
        The window ends on the Sunday before this day's week.
    weeks
        How many weeks to look back (at least 1).

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, weeks_with_data, conversations, conversations_per_week
        (NaN with no data), buyer_actions, action_rate (NaN with no conversations),
        action_rate_low, action_rate_high, action_rate_enough, quota_attainment
        (mean of the monthly values, NaN if none), quota_months, standing (top,
        middle, bottom or unknown: :func:`coachkit.model.standing.standing_of`),
        place (0–1 on the standing's fixed scale, NaN without quota numbers),
        far_below (bool), far_below_reason (a sentence, or ""). Sorted by rep
        name.

    Raises
    ------
    ValueError
        ``weeks`` is below 1.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be 1 or more, not {weeks}")
    start, end = window(today, weeks)
    frame = _team(conn, coach_id).join(_sums(conn, coach_id, start, end), on="rep_id")
    frame = _fill_counts(frame)
    longer = _sums(conn, coach_id, end - dt.timedelta(weeks=QUOTA_FLAG_WEEKS), end)
    quota = ["quota_attainment", "quota_months", "quota_lowest", "quota_highest"]
    frame = frame.join(longer[quota].add_prefix("flag_"), on="rep_id")
    frame = rate_columns(frame, "buyer_actions", "conversations", "action_rate")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["conversations_per_week"] = frame["conversations"] / frame[
            "weeks_with_data"
        ].where(frame["weeks_with_data"] > 0)
    frame["standing"] = st.standings(frame["quota_attainment"])
    frame["place"] = st.place(frame["quota_attainment"])
    ramping = pd.to_datetime(frame["start_date"]) > pd.Timestamp(
        today - dt.timedelta(days=RAMP_DAYS)
    )
    far, reason = _far_below(frame)
    frame["far_below"] = far & ~ramping
    frame["far_below_reason"] = reason.where(frame["far_below"], "")
    return frame[PERFORMANCE_COLUMNS].reset_index(drop=True)


def window(today: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """Return ``(first Monday, Monday of today's week)`` of the last complete weeks.

    Values observed on or after the first day and before the second are in the
    window that :func:`rep_performance` sums (:func:`coachkit.model.standing.window`).
    """
    return st.window(today, weeks)


@access.checks("coach_id")
def last_coached(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    """The last day each active rep was coached on each behaviour.

    Only sessions marked done count; a behaviour counts when it was among the
    session's focus behaviours.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, behaviour_id, last_coached_on (datetime.date).
    """
    se, sf, r = s.sessions, s.session_focus, s.reps
    query = (
        sa.select(se.c.rep_id, sf.c.behaviour_id, sa.func.max(se.c.held_on))
        .join(sf, sf.c.session_id == se.c.id)
        .join(r, se.c.rep_id == r.c.id)
        .where(se.c.status == "done", r.c.active.is_(True))
        .group_by(se.c.rep_id, sf.c.behaviour_id)
        .order_by(se.c.rep_id, sf.c.behaviour_id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    rows = _rows(conn, query)
    return pd.DataFrame(rows, columns=["rep_id", "behaviour_id", "last_coached_on"])


@access.checks("rep_id")
def weekly_rates(
    conn: Connection, rep_id: int, since: dt.date, min_trials: int = MIN_TRIALS
) -> pd.DataFrame:
    """A rep's conversations and action rate week by week, for a chart.

    Parameters
    ----------
    conn
        An open connection.
    rep_id
        The rep.
    since
        The first day to include.
    min_trials
        A week with fewer conversations says ``enough`` False.

    Returns
    -------
    pandas.DataFrame
        Columns week (datetime64, the week's Monday), conversations, buyer_actions,
        action_rate (NaN with no conversations), low, high, enough; one row per week
        with a conversations count, oldest first.
    """
    mv = s.metric_values
    ids = _metric_ids(conn, [_CONV, _BAC])
    conv, bac = ids.get(_CONV, -1), ids.get(_BAC, -1)
    query = (
        sa.select(
            mv.c.observed_on,
            sa.func.sum(sa.case((mv.c.metric_id == conv, mv.c.value), else_=0)),
            sa.func.sum(sa.case((mv.c.metric_id == bac, mv.c.value), else_=0)),
        )
        .where(
            mv.c.rep_id == rep_id,
            mv.c.metric_id.in_([conv, bac]),
            mv.c.observed_on >= since,
        )
        .group_by(mv.c.observed_on)
        .having(sa.func.sum(sa.case((mv.c.metric_id == conv, 1), else_=0)) > 0)
        .order_by(mv.c.observed_on)
    )
    rows = _rows(conn, query)
    frame = pd.DataFrame(rows, columns=["week", "conversations", "buyer_actions"])
    frame["week"] = pd.to_datetime(frame["week"])
    for col in ("conversations", "buyer_actions"):
        frame[col] = frame[col].astype(float)
    frame = rate_columns(frame, "buyer_actions", "conversations", "r", min_trials)
    return frame.rename(
        columns={
            "r": "action_rate",
            "r_low": "low",
            "r_high": "high",
            "r_enough": "enough",
        }
    )


def _rows(conn: Connection, query: sa.Select) -> list[tuple[object, ...]]:
    """Fetch plain tuples: pandas builds a frame from them ten times faster."""
    return [tuple(row) for row in conn.execute(query)]


def _metric_ids(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    m = s.metrics
    rows = conn.execute(sa.select(m.c.key, m.c.id).where(m.c.key.in_(list(keys))))
    return dict(rows.all())


def _team(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    r = s.reps
    query = (
        sa.select(r.c.id, r.c.name, r.c.start_date, r.c.coach_id)
        .where(r.c.active.is_(True))
        .order_by(r.c.name, r.c.id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    columns = ["rep_id", "rep", "start_date", "coach_id"]
    return pd.DataFrame(_rows(conn, query), columns=columns)


def _sums(
    conn: Connection, coach_id: int | None, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Per rep: weekly rows, conversation and buyer-action sums, quota mean.

    Counts values observed on or after ``start`` and before ``end``.
    """
    mv, r = s.metric_values, s.reps
    ids = _metric_ids(conn, [_CONV, _BAC, _QUOTA])
    query = (
        sa.select(
            mv.c.rep_id,
            mv.c.metric_id,
            sa.func.count(),
            sa.func.sum(mv.c.value),
            sa.func.min(mv.c.value),
            sa.func.max(mv.c.value),
        )
        .where(
            mv.c.metric_id.in_(list(ids.values())),
            mv.c.observed_on >= start,
            mv.c.observed_on < end,
        )
        .group_by(mv.c.rep_id, mv.c.metric_id)
    )
    if coach_id is not None:
        team = sa.select(r.c.id).where(r.c.coach_id == coach_id)
        query = query.where(mv.c.rep_id.in_(team))
    long = pd.DataFrame(
        _rows(conn, query),
        columns=["rep_id", "metric_id", "n", "total", "lowest", "highest"],
    )
    out = pd.DataFrame(index=pd.Index(long["rep_id"].unique(), name="rep_id"))

    def part(key: str, column: str) -> pd.Series:
        rows = long[long["metric_id"] == ids.get(key, -1)].set_index("rep_id")
        return rows[column].astype(float).reindex(out.index)

    out["weeks_with_data"] = part(_CONV, "n")
    out["conversations"] = part(_CONV, "total")
    out["buyer_actions"] = part(_BAC, "total")
    out["quota_months"] = part(_QUOTA, "n")
    out["quota_attainment"] = part(_QUOTA, "total") / out["quota_months"]
    out["quota_lowest"] = part(_QUOTA, "lowest")
    out["quota_highest"] = part(_QUOTA, "highest")
    return out


def _fill_counts(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("weeks_with_data", "conversations", "buyer_actions", "quota_months"):
        frame[col] = frame[col].fillna(0)
    for col in ("weeks_with_data", "quota_months"):
        frame[col] = frame[col].astype(int)
    return frame


def _pct_rank(values: pd.Series) -> pd.Series:
    """Share of the others each value beats: 0 for the lowest, 1 for the highest."""
    n = int(values.notna().sum())
    if n <= 1:
        return values.where(values.isna(), 0.5)
    return (values.rank(method="average") - 1) / (n - 1)


def _peer_place(frame: pd.DataFrame) -> pd.Series:
    """Share of their own coach's team each rep does better than, on results.

    The composite of the action rate (when it rests on enough conversations) and
    quota attainment, each as a percentile within the team, their mean ranked once
    more. Only the quota flag uses it; it never depends on who is looking.
    """
    rate = frame["action_rate"].where(frame["action_rate_enough"])
    teams = frame["coach_id"]
    parts = pd.concat(
        [
            rate.groupby(teams).transform(_pct_rank),
            frame["quota_attainment"].groupby(teams).transform(_pct_rank),
        ],
        axis=1,
    )
    return parts.mean(axis=1, skipna=True).groupby(teams).transform(_pct_rank)


def _far_below(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    quota, rate = frame["flag_quota_attainment"], frame["action_rate"]
    months = frame["flag_quota_months"].fillna(0).astype(int)
    enough, high = frame["action_rate_enough"], frame["action_rate_high"]
    median = rate.where(enough).groupby(frame["coach_id"]).transform("median")
    low_quota = (
        (quota < QUOTA_FLOOR)
        & (months >= QUOTA_MONTHS_NEEDED)
        & (_peer_place(frame) < PEER_SHARE)
    )
    low_rate = enough & (high < ACTION_RATE_FLOOR * median)
    quota_text = (
        "Reached only "
        + _pct_text(quota)
        + " of quota on average over "
        + months.astype(str)
        + " months (from "
        + _pct_text(frame["flag_quota_lowest"])
        + " in the worst month to "
        + _pct_text(frame["flag_quota_highest"])
        + " in the best), in the bottom fifth of the team."
    )
    rate_text = (
        "Buyers acted in only "
        + _pct_text(rate)
        + " of conversations (at most "
        + _pct_text(high)
        + "); the team's typical rate is "
        + _pct_text(median)
        + "."
    )
    both = low_quota & low_rate
    reason = pd.Series("", index=frame.index, dtype=object)
    reason = reason.where(~low_rate, rate_text).where(~low_quota, quota_text)
    reason = reason.where(~both, quota_text + " " + rate_text)
    return (low_quota | low_rate).astype(bool), reason


def _pct_text(values: pd.Series) -> pd.Series:
    return values.fillna(0).map(percent).astype(object)
