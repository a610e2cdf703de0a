"""The two leading indicators: conversations a week, and the share where buyers acted.

Both come from two weekly count metrics (keys ``conversations`` and
``buyer_action_conversations``). A framework without them gets empty frames. Every
share carries a Wilson interval (:mod:`coachkit.model.rates`); a share resting on fewer
than :data:`coachkit.model.rates.MIN_TRIALS` conversations is NaN.

Trends
------
A trend is the slope of a least-squares line over the period's weeks that have a
conversations count, per month: conversations a week per month for volume, and
percentage points per month for the share (each week weighted by its conversations,
so a quiet week counts less). A trend counts as a rise or a fall only when it is
clear of week-to-week noise (beyond its 95% range, over at least :data:`MIN_WEEKS`
weeks) and large enough to matter over the period (volume: :data:`MIN_VOLUME_CHANGE`
of the average week; share: :data:`MIN_SHARE_CHANGE`). Otherwise it is steady. A
good or bad spell lasts more than a week, so neighbouring weeks are not independent
and the range is widened for it (:func:`_line`): on made-up reps whose share never
changes but whose spells carry over from week to week, twice the plain error over 4
weeks called a trend for a third of them; this calls one for about 1 in 20
(``tests/test_indicators.py``). Only active reps count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.effects.result import t_quantile
from coachkit.model.formats import number, percent
from coachkit.model.periods import Period
from coachkit.model.rates import MIN_TRIALS, rate_columns
from coachkit.store import access
from coachkit.store import schema as s

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: A trend needs at least this many weeks with data.
MIN_WEEKS = 8
#: Volume must move by this share of an average week over the period to count.
MIN_VOLUME_CHANGE = 0.05
#: The share must move by this much (0.01 = one point) over the period to count.
MIN_SHARE_CHANGE = 0.01

_CONV, _BAC = "conversations", "buyer_action_conversations"
_MONTH_DAYS = 30.4375

WEEKLY_COLUMNS = ["week", "conversations", "buyer_actions", "share", "low", "high"]
WEEKLY_COLUMNS += ["reps"]
REP_COLUMNS = ["rep_id", "rep", "conversations_per_week", "share", "low", "high"]
REP_COLUMNS += ["volume_trend", "share_trend", "pattern"]

#: (volume direction, share direction) -> the pattern in plain words.
PATTERNS = {
    (1, 1): "more conversations and a higher action share",
    (-1, 1): "higher action share with fewer conversations",
    (0, 1): "higher action share, same number of conversations",
    (1, -1): "more conversations but a lower action share",
    (1, 0): "more conversations, same action share",
    (-1, -1): "both falling",
    (-1, 0): "fewer conversations, same action share",
    (0, -1): "lower action share, same number of conversations",
    (0, 0): "steady",
}
NO_DATA = "not enough data"


@access.checks("coach_id", "rep_id")
def weekly_indicators(
    conn: Connection, coach_id: int | None, period: Period, rep_id: int | None = None
) -> pd.DataFrame:
    """Conversations and the share where the buyer acted, week by week.

    Parameters
    ----------
    conn
        An open connection.
    coach_id
        The coach whose active reps to sum; None for every coach.
    period
        The days to read.
    rep_id
        Only this rep, when given.

    Returns
    -------
    pandas.DataFrame
        Columns week (datetime64, the week's Monday), conversations, buyer_actions
        (sums over the reps), share (NaN under ``MIN_TRIALS`` conversations), low,
        high (its Wilson interval), reps (how many reps had a count that week).
        Oldest week first; empty when the metrics are missing or there is no data.
    """
    query = _rep_week_query(conn, coach_id, period, rep_id)
    if query is None:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in WEEKLY_COLUMNS})
    inner = query.subquery()
    per_day = sa.select(
        inner.c.day,
        sa.func.sum(inner.c.conv),
        sa.func.sum(inner.c.bac),
        sa.func.count(),
    ).group_by(inner.c.day)
    raw = _weeks(conn, per_day, ["week", "conversations", "buyer_actions", "reps"])
    weekly = raw.groupby("week", as_index=False).sum()
    return _with_share(weekly)[WEEKLY_COLUMNS]


@access.checks("coach_id")
def rep_indicators(
    conn: Connection, coach_id: int | None, period: Period
) -> pd.DataFrame:
    """Each active rep's volume and action share over the period, with their trends.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, conversations_per_week (over the weeks with a count),
        share, low, high (all conversations of the period; share NaN under
        ``MIN_TRIALS``), volume_trend (conversations a week, per month),
        share_trend (points per month), pattern (see :data:`PATTERNS`, or
        :data:`NO_DATA`). One row per active rep, by name; empty when the metrics
        are missing.
    """
    raw = _rep_weeks(conn, coach_id, period, None)
    if raw.empty and not _have_metrics(conn):
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in REP_COLUMNS})
    team = _team(conn, coach_id)
    per_rep = raw.groupby("rep_id").agg(
        conversations=("conversations", "sum"),
        buyer_actions=("buyer_actions", "sum"),
        weeks=("week", "nunique"),
    )
    frame = team.join(per_rep, on="rep_id")
    frame["conversations_per_week"] = frame["conversations"] / frame["weeks"]
    frame = _with_share(frame.fillna({"conversations": 0, "buyer_actions": 0}))
    x = (raw["week"] - pd.Timestamp(period.start)).dt.days / _MONTH_DAYS
    raw = raw.assign(x=x, rate=raw["buyer_actions"] / raw["conversations"])
    volume = _fit(raw, "conversations", None)
    share = _fit(raw[raw["conversations"] > 0], "rate", "conversations")
    frame["volume_trend"] = frame["rep_id"].map(volume["slope"])
    frame["share_trend"] = 100 * frame["rep_id"].map(share["slope"])
    v = _direction(volume, MIN_VOLUME_CHANGE * volume["mean"], period.months)
    d = _direction(share, pd.Series(MIN_SHARE_CHANGE, share.index), period.months)
    v, d = frame["rep_id"].map(v), frame["rep_id"].map(d)
    frame.loc[frame["conversations"] < MIN_TRIALS, "share_trend"] = np.nan
    frame["pattern"] = [
        NO_DATA if pd.isna(a) or pd.isna(b) else PATTERNS[(int(a), int(b))]
        for a, b in zip(v, d.where(frame["conversations"] >= MIN_TRIALS), strict=True)
    ]
    return frame[REP_COLUMNS].reset_index(drop=True)


def indicator_chart(weekly: pd.DataFrame) -> alt.VConcatChart:
    """Conversations a week (bars) above the action share with its range (line).

    ``weekly`` has the columns of :func:`weekly_indicators`. Both charts share the
    weeks, so a reader sees whether a rising share goes with rising volume.
    """
    import altair as alt

    base = alt.Chart(weekly).encode(x=alt.X("week:T", title="Week"))
    bars = (
        base.mark_bar(color="#72b7b2")
        .encode(
            y=alt.Y("conversations:Q", title="Conversations"),
            tooltip=[alt.Tooltip("week:T"), alt.Tooltip("conversations:Q")],
        )
        .properties(width=560, height=140, title="Conversations each week")
    )
    band = base.mark_area(opacity=0.25, color="#4c78a8").encode(
        y=alt.Y("low:Q", title="Buyer took an action", axis=alt.Axis(format="%")),
        y2="high:Q",
    )
    line = base.mark_line(color="#4c78a8", point=True).encode(
        y="share:Q",
        tooltip=[
            alt.Tooltip("week:T"),
            alt.Tooltip("share:Q", format=".0%", title="Share"),
            alt.Tooltip("low:Q", format=".0%", title="At least"),
            alt.Tooltip("high:Q", format=".0%", title="At most"),
        ],
    )
    share = (band + line).properties(
        width=560,
        height=180,
        title="Share of conversations where the buyer took an action (shaded: "
        "likely range)",
    )
    return alt.vconcat(bars, share).resolve_scale(x="shared")


def indicator_sentence(weekly: pd.DataFrame) -> str:
    """Say in one sentence how volume and action share moved together.

    ``weekly`` has the columns of :func:`weekly_indicators`.
    """
    data = weekly[weekly["conversations"] > 0]
    if data.empty:
        return "No conversations were recorded in this period."
    n = len(data)
    total, acted = data["conversations"].sum(), data["buyer_actions"].sum()
    if n < MIN_WEEKS:
        weeks = f"In {n} {'week' if n == 1 else 'weeks'} there were {number(total, 0)} "
        if total < MIN_TRIALS:
            return weeks + "conversations: too few to tell how often buyers acted."
        return (
            weeks
            + f"conversations, and buyers acted in {percent(acted / total)} of them."
        )
    frame = data.assign(
        rep_id=0,
        x=(data["week"] - data["week"].min()).dt.days / _MONTH_DAYS,
        rate=data["buyer_actions"] / data["conversations"],
    )
    months = float(frame["x"].max()) + 7 / _MONTH_DAYS
    volume = _fit(frame, "conversations", None)
    rate = _fit(frame, "rate", "conversations")
    v = _direction(volume, MIN_VOLUME_CHANGE * volume["mean"], months)
    d = _direction(rate, pd.Series(MIN_SHARE_CHANGE, rate.index), months)
    pattern = PATTERNS[(int(v.iloc[0]), int(d.iloc[0]))]
    ends = float(frame["x"].min()), float(frame["x"].max())
    a, b = (volume["intercept"].iloc[0] + volume["slope"].iloc[0] * x for x in ends)
    p, q = (rate["intercept"].iloc[0] + rate["slope"].iloc[0] * x for x in ends)
    if pattern == "steady":
        pattern = "no clear change"
    volume_text = _span(number(a, 0), number(b, 0))
    if total < MIN_TRIALS:
        return (
            f"{volume_text[0].upper()}{volume_text[1:]} conversations a week: too "
            "few to tell how often buyers acted."
        )
    share_text = _span(percent(p), percent(q), "")
    return (
        f"{pattern[0].upper()}{pattern[1:]}: {volume_text} conversations a week, "
        f"with buyers acting in {share_text} of them."
    )


def _span(first: str, last: str, start: str = "from ") -> str:
    return f"about {last}" if first == last else f"{start}{first} to {last}"


def _rep_weeks(
    conn: Connection, coach_id: int | None, period: Period, rep_id: int | None
) -> pd.DataFrame:
    """Per active rep and week: conversations and buyer actions (weeks with a count)."""
    columns = ["rep_id", "week", "conversations", "buyer_actions"]
    query = _rep_week_query(conn, coach_id, period, rep_id)
    if query is None:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in columns})
    raw = _weeks(conn, query, columns)
    return raw.groupby(["rep_id", "week"], as_index=False).sum()


def _rep_week_query(
    conn: Connection, coach_id: int | None, period: Period, rep_id: int | None
) -> sa.Select | None:
    """Per active rep and day with a conversations count: rep_id, day, conv, bac.

    The day comes as text: pandas parses 100,000 dates far faster than the driver.
    None when the framework lacks either metric.
    """
    ids = _metric_ids(conn)
    if len(ids) < 2:
        return None
    mv, r = s.metric_values, s.reps
    conv, bac = ids[_CONV], ids[_BAC]
    team = sa.select(r.c.id).where(r.c.active.is_(True))
    if coach_id is not None:
        team = team.where(r.c.coach_id == coach_id)
    query = (
        sa.select(
            mv.c.rep_id,
            sa.cast(mv.c.observed_on, sa.String).label("day"),
            sa.func.sum(sa.case((mv.c.metric_id == conv, mv.c.value), else_=0)).label(
                "conv"
            ),
            sa.func.sum(sa.case((mv.c.metric_id == bac, mv.c.value), else_=0)).label(
                "bac"
            ),
        )
        .where(
            mv.c.metric_id.in_([conv, bac]),
            mv.c.observed_on >= period.start,
            mv.c.observed_on <= period.end,
            mv.c.rep_id.in_(team),
        )
        .group_by(mv.c.rep_id, mv.c.observed_on)
        .having(sa.func.sum(sa.case((mv.c.metric_id == conv, 1), else_=0)) > 0)
    )
    if rep_id is not None:
        query = query.where(mv.c.rep_id == rep_id)
    return query


def _weeks(conn: Connection, query: sa.Select, columns: list[str]) -> pd.DataFrame:
    """Run ``query``; turn its day into the week's Monday and its counts into floats.

    Buyer actions above the conversations count (a bad import) are capped at it.
    """
    raw = pd.DataFrame([tuple(row) for row in conn.execute(query)], columns=columns)
    day = pd.to_datetime(raw["week"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
    raw["week"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    for col in ("conversations", "buyer_actions"):
        raw[col] = raw[col].astype(float)
    raw["buyer_actions"] = raw["buyer_actions"].clip(upper=raw["conversations"])
    return raw


def _metric_ids(conn: Connection) -> dict[str, int]:
    m = s.metrics
    rows = conn.execute(sa.select(m.c.key, m.c.id).where(m.c.key.in_([_CONV, _BAC])))
    return dict(rows.all())


def _have_metrics(conn: Connection) -> bool:
    return len(_metric_ids(conn)) == 2


def _team(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    r = s.reps
    query = sa.select(r.c.id, r.c.name).where(r.c.active.is_(True))
    if coach_id is not None:
        query = query.where(r.c.coach_id == coach_id)
    rows = [tuple(row) for row in conn.execute(query.order_by(r.c.name, r.c.id))]
    return pd.DataFrame(rows, columns=["rep_id", "rep"])


def _with_share(frame: pd.DataFrame) -> pd.DataFrame:
    out = rate_columns(frame, "buyer_actions", "conversations", "share")
    out["share"] = out["share"].where(out["share_enough"])
    return out.rename(columns={"share_low": "low", "share_high": "high"})


def _fit(frame: pd.DataFrame, y: str, weight: str | None) -> pd.DataFrame:
    """Least-squares line of ``y`` on ``x`` per rep: slope, intercept, se, n, mean.

    ``se`` is the slope's standard error, widened for spells that last (see
    :func:`_line`); NaN under :data:`MIN_WEEKS` weeks.
    """
    w = pd.Series(1.0, frame.index) if weight is None else frame[weight].astype(float)
    rows = {}
    for rep_id, group in frame.assign(_w=w).groupby("rep_id", sort=True):
        rows[rep_id] = _line(
            group["x"].to_numpy(float), group[y].to_numpy(float), group["_w"].to_numpy()
        )
    columns = ["slope", "intercept", "se", "n", "mean"]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out.index.name = "rep_id"
    return out


def _line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, ...]:
    """One rep's weighted line: slope, intercept, se, weeks, mean.

    ``se`` is the least-squares error of the slope, widened for spells that carry
    over from week to week: by ``sqrt((1 + r) / (1 - r))``, where ``r`` is the
    correlation of neighbouring residuals, corrected for its pull towards zero in
    short series (``r + (1 + 3 r) / n``, Kendall 1954) and kept within 0 and 0.9.
    """
    order = np.argsort(x, kind="stable")
    x, y, w = x[order], y[order], w[order]
    n, total = len(x), w.sum()
    nan = float("nan")
    if total <= 0:
        return nan, nan, nan, n, nan
    mx, my = (w * x).sum() / total, (w * y).sum() / total
    dx = x - mx
    sxx = (w * dx * dx).sum()
    if n < MIN_WEEKS or sxx <= 1e-12:
        return nan, nan, nan, n, my
    slope = (w * dx * (y - my)).sum() / sxx
    resid = y - my - slope * dx
    plain = np.sqrt((w * resid * resid).sum() / (n - 2) / sxx)
    spread = (resid * resid).sum()
    r = (resid[1:] * resid[:-1]).sum() / spread if spread > 0 else 0.0
    r = min(max(r + (1 + 3 * r) / n, 0.0), 0.9)
    return slope, my - slope * mx, float(plain * np.sqrt((1 + r) / (1 - r))), n, my


def _direction(fit: pd.DataFrame, material: pd.Series, months: float) -> pd.Series:
    """+1 rising, -1 falling, 0 steady, NaN with too few weeks to tell."""
    slope = fit["slope"]
    sure = fit["n"].map(lambda n: t_quantile(n - 2) if n > 2 else np.inf)
    clear = (slope.abs() >= sure * fit["se"]) & (slope.abs() * months >= material)
    out = np.sign(slope).where(clear, 0.0)
    return out.where(slope.notna())


def _dtype(column: str) -> str:
    if column == "week":
        return "datetime64[ns]"
    if column in ("rep_id", "reps"):
        return "int64"
    return "object" if column in ("rep", "pattern") else "float64"
