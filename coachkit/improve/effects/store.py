"""Reading the store: when coaching started, and the numbers around it.

:func:`coaching_starts` finds the first day each rep was coached on each behaviour;
:func:`practice_effects` (a coach's team, or everyone) and :func:`rep_effects` (one
rep) read the behaviours' linked metrics and estimate each effect. The loader
(:func:`_load`, :class:`_Loaded`) reads only the values the coached reps' windows
need, in one query, and turns each metric into a panel once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.improve.effects.estimate import (
    _event_study,
    _Others,
    _Panel,
    _single,
    _stacked,
)
from coachkit.improve.effects.result import (
    EFFECT_COLUMNS,
    _not_ready,
    _row,
    against,
    many_at_once,
)
from coachkit.improve.effects.weeks import (
    _EPOCH_DAY,
    _WINDOWS,
    _monday,
    _spans,
    _week_of,
    _Windows,
    _with_weeks,
)
from coachkit.store import access
from coachkit.store import schema as s

# Values are read as one whole number (metric * _DAYS + day) * _REPS + rep, and
# the value: days since 1970 stay under _DAYS until the year 2149.
_DAYS, _REPS = 2**16, 2**24
_PACKED = np.dtype([("key", np.int64), ("value", np.float64)])


@access.checks("coach_id")
def coaching_starts(conn: Connection, coach_id: int | None) -> pd.DataFrame:
    """The first day each rep was coached on each behaviour.

    That is the earliest of a plan's start (for each of its focus behaviours) and the
    first done session with the behaviour among its focus behaviours.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, coach_id (the rep's coach), behaviour_id, started_on
        (datetime.date); reps who have left count too. ``coach_id`` None: every coach.
    """
    p, pf, se, sf, r = s.plans, s.plan_focus, s.sessions, s.session_focus, s.reps
    planned = sa.select(p.c.rep_id, pf.c.behaviour_id, p.c.started_on.label("day"))
    held = sa.select(se.c.rep_id, sf.c.behaviour_id, se.c.held_on.label("day"))
    both = sa.union_all(
        planned.join(pf, pf.c.plan_id == p.c.id),
        held.join(sf, sf.c.session_id == se.c.id).where(se.c.status == "done"),
    ).subquery()
    query = (
        sa.select(
            both.c.rep_id, r.c.coach_id, both.c.behaviour_id, sa.func.min(both.c.day)
        )
        .join(r, r.c.id == both.c.rep_id)
        .group_by(both.c.rep_id, r.c.coach_id, both.c.behaviour_id)
        .order_by(both.c.rep_id, both.c.behaviour_id)
    )
    if coach_id is not None:
        query = query.where(r.c.coach_id == int(coach_id))
    cols = ["rep_id", "coach_id", "behaviour_id", "started_on"]
    return pd.DataFrame(_rows(conn, query), columns=cols)


@access.checks("coach_id")
def practice_effects(
    conn: Connection,
    coach_id: int | None,
    today: dt.date,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """One row per behaviour the coach's reps were coached on and each linked metric.

    Coached reps are the coach's reps (everyone's for None) whose coaching on the
    behaviour started on or after ``since`` (any time for None) and whose window
    after the start ended by ``today``; they are compared with reps across the
    whole organisation who were not coached on the behaviour in those weeks (one
    team is too small), of whom only averages are shown.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`EFFECT_COLUMNS`: behaviour_id, behaviour, metric_id,
        metric, kind, unit, higher_is_better, coached, comparison (rep counts),
        effect, low, high (fractions for shares, 0.06 is 6 points; NaN without
        enough data), enough, verdict (better, worse, no clear change, not enough
        data yet) and text (one plain sentence). A behaviour with no linked metric
        has no row.
    """
    starts = _with_weeks(coaching_starts(conn, None))
    mine = starts if coach_id is None else starts[starts["coach_id"] == coach_id]
    if since is not None:
        mine = mine[pd.to_datetime(mine["started_on"]) >= pd.Timestamp(since)]
    done = mine[mine["week"] + _WINDOWS.end <= _week_of(today)]
    links, data, by_behaviour = _prepare(conn, starts, mine, done)
    teams, every_link = _teams(conn), _links(conn, list(by_behaviour))
    found, others = [], []
    for link in links.itertuples(index=False):
        coached = set(done.loc[done["behaviour_id"] == link.behaviour_id, "rep_id"])
        before = by_behaviour[link.behaviour_id]
        panel, ways = data.panel(link), _others(link, every_link, starts)
        found.append(_stacked(panel, before, _WINDOWS, coached, teams, ways))
        ways = replace(ways, only_coached=True)
        others.append(_stacked(panel, before, _WINDOWS, coached, teams, ways))
    rows = []
    for link, effect, other in zip(
        links.itertuples(index=False), many_at_once(found), others, strict=True
    ):
        text = effect.sentence(link.unit, metric=link.metric, behaviour=link.behaviour)
        if effect.enough and not effect.check:
            also = against(other, link.unit, "reps coached on other things")
            text = f"{text} {also}".strip()
        rows.append(_row(link, effect, text))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


@access.checks("coach_id")
def effect_weeks(
    conn: Connection,
    coach_id: int | None,
    behaviour_id: int,
    metric_id: int,
    today: dt.date,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """Week by week around coaching on one behaviour, for one linked number: the
    event study behind a row of :func:`practice_effects`.

    Returns
    -------
    pandas.DataFrame
        Columns week (from the start's week), part, gap, low, high and reps; see
        :func:`coachkit.improve.effects.estimate._event_study`. Empty when nobody
        was coached on the behaviour long enough ago.
    """
    starts = _with_weeks(coaching_starts(conn, None))
    mine = starts if coach_id is None else starts[starts["coach_id"] == coach_id]
    mine = mine[mine["behaviour_id"] == int(behaviour_id)]
    if since is not None:
        mine = mine[pd.to_datetime(mine["started_on"]) >= pd.Timestamp(since)]
    done = mine[mine["week"] + _WINDOWS.end <= _week_of(today)]
    links, data, by_behaviour = _prepare(conn, starts, mine, done)
    links = links[links["metric_id"] == int(metric_id)]
    if links.empty or done.empty:
        return _event_study_frame()
    link = next(links.itertuples(index=False))
    ways = _others(link, _links(conn, list(by_behaviour)), starts)
    before = by_behaviour[int(behaviour_id)]
    return _event_study(data.panel(link), before, _WINDOWS, set(done["rep_id"]), ways)


def _event_study_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=["week", "part", "gap", "low", "high", "reps"])


def _teams(conn: Connection) -> pd.Series:
    """Each rep's coach (their team), for ranges that count a team together."""
    r = s.reps
    rows = _rows(conn, sa.select(r.c.id, r.c.coach_id))
    return pd.Series({int(str(rep)): coach for rep, coach in rows}, dtype=object)


def _others(link: Any, every_link: pd.DataFrame, starts: pd.DataFrame) -> _Others:
    """Coaching on behaviours other than the link's, in start weeks by rep."""
    other = starts[starts["behaviour_id"] != link.behaviour_id]
    sharing = every_link.loc[
        every_link["metric_id"] == link.metric_id, "behaviour_id"
    ].unique()
    shared = other[other["behaviour_id"].isin(sharing)]
    return _Others(
        shared.groupby("rep_id")["week"].min(), other.groupby("rep_id")["week"].min()
    )


@access.checks("rep_id")
def rep_effects(conn: Connection, rep_id: int, today: dt.date) -> pd.DataFrame:
    """Like :func:`practice_effects`, for one rep against reps not coached on it.

    The range is where one rep's change would fall by chance: the comparison reps'
    spread times ``sqrt(1 + 1/n)``. Until the rep's window after the start is over,
    the text says "not enough data yet" and the day to check back.
    """
    starts = _with_weeks(coaching_starts(conn, None))
    mine = starts[starts["rep_id"] == int(rep_id)]
    done = mine[mine["week"] + _WINDOWS.end <= _week_of(today)]
    links, data, by_behaviour = _prepare(conn, starts, mine, done)
    first = dict(zip(mine["behaviour_id"], mine["week"], strict=True))
    rows = []
    for link in links.itertuples(index=False):
        if link.behaviour_id in set(done["behaviour_id"]):
            before = by_behaviour[link.behaviour_id]
            effect = _single(data.panel(link), before, _WINDOWS, int(rep_id))
        else:
            end = _monday(first[link.behaviour_id] + _WINDOWS.end)
            ready = (end - dt.timedelta(days=1)).isoformat()
            effect = _not_ready(link.kind, f"check back after {ready}")
        text = effect.sentence(
            link.unit,
            metric=link.metric,
            subject=f"after coaching on {link.behaviour}, this rep",
            others="reps who were not coached on it",
        )
        rows.append(_row(link, effect, text))
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


# ---------------------------------------------------------------- the loader


@dataclass(frozen=True)
class _Loaded:
    """Count values read once for every link: ``key`` (see :func:`_load`, sorted)
    and ``value``, with each value's week and its rep's place in ``reps``."""

    key: np.ndarray
    value: np.ndarray
    week: np.ndarray
    reps: np.ndarray
    at: np.ndarray
    ids: dict[str, int]
    cache: dict[int, _Panel] = field(default_factory=dict)

    @classmethod
    def of(cls, packed: np.ndarray, ids: dict[str, int]) -> _Loaded:
        key, value = packed["key"], packed["value"].astype(float)
        if np.any(key[1:] < key[:-1]):
            order = np.argsort(key, kind="stable")
            key, value = key[order], value[order]
        day = key // _REPS % _DAYS
        rep = key % _REPS
        present = np.bincount(rep) > 0  # by rep id; faster than np.unique
        place = np.cumsum(present) - 1  # each rep id's column in a panel
        reps = np.flatnonzero(present)
        return cls(key, value, (day - _EPOCH_DAY) // 7, reps, place[rep], ids)

    def panel(self, link: Any) -> _Panel:
        """The link's metric as a panel (for a rate, its two counts lined up)."""
        metric_id = int(link.metric_id)
        if metric_id not in self.cache:
            self.cache[metric_id] = self._build(link)
        return self.cache[metric_id]

    def _slice(self, metric_id: int) -> slice:
        first = metric_id * _DAYS * _REPS
        lo, hi = np.searchsorted(self.key, [first, first + _DAYS * _REPS])
        return slice(int(lo), int(hi))

    def _build(self, link: Any) -> _Panel:
        if link.kind != "rate":
            m = self._slice(int(link.metric_id))
            ones = np.ones(m.stop - m.start)
            args = (self.at[m], self.week[m], self.value[m], ones)
            return _Panel.build(link.kind, self.reps, *args)
        top = self._slice(self.ids.get(str(link.numerator), -1))
        bottom = self._slice(self.ids.get(str(link.denominator), -1))
        # Within a metric the keys run by day, then rep: line the top count up.
        top_keys = self.key[top] % (_DAYS * _REPS)
        wanted = self.key[bottom] % (_DAYS * _REPS)
        num = np.zeros(len(wanted))
        if len(top_keys):
            i = np.searchsorted(top_keys, wanted).clip(max=len(top_keys) - 1)
            found = top_keys[i] == wanted
            num[found] = self.value[top][i[found]]
        args = (self.at[bottom], self.week[bottom], num, self.value[bottom])
        return _Panel.build("rate", self.reps, *args)


def _links(conn: Connection, behaviour_ids: list[int]) -> pd.DataFrame:
    b, bm, m = s.behaviours, s.behaviour_metrics, s.metrics
    query = (
        sa.select(
            b.c.id,
            b.c.name,
            m.c.id,
            m.c.name,
            m.c.kind,
            m.c.unit,
            m.c.higher_is_better,
            m.c.numerator,
            m.c.denominator,
        )
        .join(bm, bm.c.behaviour_id == b.c.id)
        .join(m, bm.c.metric_id == m.c.id)
        .where(b.c.id.in_([int(x) for x in behaviour_ids]))
        .order_by(
            b.c.position, b.c.id, sa.case((m.c.kind == "rate", 0), else_=1), m.c.id
        )
    )
    cols = ["behaviour_id", "behaviour", "metric_id", "metric", "kind", "unit"]
    cols += ["higher_is_better", "numerator", "denominator"]
    return pd.DataFrame(_rows(conn, query), columns=cols)


def _prepare(
    conn: Connection, starts: pd.DataFrame, mine: pd.DataFrame, done: pd.DataFrame
) -> tuple[pd.DataFrame, _Loaded, dict[int, pd.Series]]:
    """The links of ``mine``'s behaviours, the values their windows need, and every
    rep's start week per behaviour."""
    links = _links(conn, mine["behaviour_id"].unique().tolist())
    data = _load(conn, links, done["week"].to_numpy(), _WINDOWS)
    by_behaviour = {
        int(b): group.set_index("rep_id")["week"]
        for b, group in starts.groupby("behaviour_id")
    }
    return links, data, by_behaviour


def _load(
    conn: Connection, links: pd.DataFrame, weeks: np.ndarray, wins: _Windows
) -> _Loaded:
    """Read the count values the links need, in the weeks of the coached reps' windows.

    One query over the covering index (metric, day, rep, value). Half a million
    values (a large organisation) must load in well under a second, so SQL packs
    each value's metric, day and rep into one whole number and the rows are read
    straight from the driver's cursor: fewer and plainer Python objects.
    """
    m, mv = s.metrics, s.metric_values
    ids = {str(k): int(i) for k, i in conn.execute(sa.select(m.c.key, m.c.id))}
    wanted = {int(x) for x in links.loc[links["kind"] != "rate", "metric_id"]}
    rates = links[links["kind"] == "rate"]
    wanted |= {ids[k] for k in [*rates["numerator"], *rates["denominator"]] if k in ids}
    spans = _spans(weeks, wins)
    if not wanted or not spans:
        return _Loaded.of(np.zeros(0, _PACKED), ids)
    day = _day_number(conn, mv.c.observed_on)
    key = (sa.cast(mv.c.metric_id, sa.BigInteger) * _DAYS + day) * _REPS + mv.c.rep_id
    query = sa.select(key, mv.c.value).where(
        mv.c.metric_id.in_(sorted(wanted)),
        sa.or_(*(mv.c.observed_on.between(a, b) for a, b in spans)),
    )
    result = conn.execute(query)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return _Loaded.of(np.fromiter(rows, dtype=_PACKED, count=len(rows)), ids)


def _day_number(conn: Connection, day: sa.Column) -> sa.ColumnElement[int]:
    """Days since 1970-01-01, worked out by the database."""
    if conn.dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(day) - 2440587.5, sa.Integer)
    return day - sa.cast(sa.literal("1970-01-01"), sa.Date)  # PostgreSQL: days


# ---------------------------------------------------------------- small helpers


def _rows(conn: Connection, query: sa.Select) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(query)]
