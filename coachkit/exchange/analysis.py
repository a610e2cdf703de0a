"""Analyst access: every table and every view the workbooks show, as DataFrames.

Open one with :meth:`Analysis.open` (a store, a file path or a database URL)::

    from coachkit.analysis import Analysis
    a = Analysis.open("coachkit.db")
    a.table("sessions").head()
    a.retrospective(coach="Uma Iyer", months=6)
    a.effects().query("enough")

Each view takes ``coach``: a coach's name or id, or None for every coach. Views
over a stretch of time take ``months`` (back from ``today``) or a
:class:`~coachkit.model.periods.Period`. The views are the functions the workbooks call
(:mod:`coachkit.prioritize.tables`, :mod:`coachkit.improve.retro.look_back`,
:mod:`coachkit.improve.cadence`, ...),
so the numbers match what a coach sees.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import sqlalchemy as sa

from coachkit.errors import CoachkitError
from coachkit.exchange.reports.lookup import find_coach
from coachkit.facilitate import queue
from coachkit.improve import (
    cadence,
    development,
    effects,
    indicators,
    quality,
    reflections,
    selfcheck,
    style_review,
)
from coachkit.improve.retro import look_back as retro
from coachkit.model.periods import Period
from coachkit.prioritize import tables as prioritize
from coachkit.store import queries, schema
from coachkit.store.database import Store, open_existing

Coach = int | str | None


class Analysis:
    """DataFrames of one store's tables and views.

    Parameters
    ----------
    store
        An open store.
    today
        The day views count to; the real today when None.
    """

    def __init__(self, store: Store, today: dt.date | None = None) -> None:
        self.store = store
        self.today = today or dt.date.today()

    @classmethod
    def open(
        cls,
        where: Store | str | os.PathLike[str] | None = None,
        today: dt.date | None = None,
    ) -> Analysis:
        """Open a store (a file path or URL; None: ``COACHKIT_DB`` or the default).

        Reading never creates a store: a path that holds none is refused with a
        :class:`~coachkit.errors.StoreError` that says how to make one.
        """
        return cls(where if isinstance(where, Store) else open_existing(where), today)

    def close(self) -> None:
        """Close the store's connections."""
        self.store.dispose()

    # --- the tables ---

    def table(self, name: str) -> pd.DataFrame:
        """Every row of one table; dates as datetimes. Unknown names list the rest."""
        table = schema.metadata.tables.get(name)
        if table is None:
            names = ", ".join(sorted(schema.metadata.tables))
            raise CoachkitError(f"there is no table called '{name}'. Tables: {names}.")
        with self.store.read() as conn:
            rows = conn.execute(sa.select(table)).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in table.columns])
        for column in table.columns:
            if isinstance(column.type, sa.Date | sa.DateTime):
                frame[column.name] = pd.to_datetime(frame[column.name])
        return frame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by name."""
        return {name: self.table(name) for name in schema.metadata.tables}

    # --- Prioritize ---

    def coaches(self) -> pd.DataFrame:
        """Every coach with their role and number of active reps."""
        with self.store.read() as conn:
            return queries.coaches(conn)

    def roster(self, coach: Coach = None) -> pd.DataFrame:
        """Active reps with their coach, last assessment and last session."""
        return prioritize.roster(self.store, self._coach(coach))

    def ranking(self, coach: Coach = None) -> pd.DataFrame:
        """Who to coach on what first: one row per rep and behaviour."""
        return prioritize.ranking(self.store, self._coach(coach), today=self.today)

    def performance(self, coach: Coach = None) -> pd.DataFrame:
        """Each rep's recent rates, ranges and standing (top, middle or bottom)."""
        return prioritize.performance(self.store, self._coach(coach), self.today)

    # --- Facilitate ---

    def queue(self, coach: Coach = None) -> pd.DataFrame:
        """Today's coaching queue: who needs a session, most urgent first."""
        with self.store.read() as conn:
            return queue.todays_queue(conn, self._coach(coach, conn), self.today)

    # --- Improve ---

    def retrospective(
        self, coach: Coach = None, months: int = 3, period: Period | None = None
    ) -> pd.DataFrame:
        """One row per rep: sessions, hours, goals, actions and skill change."""
        with self.store.read() as conn:
            return retro.team_retrospective(
                conn, self._coach(coach, conn), self._period(months, period), self.today
            )

    def coverage(
        self, coach: Coach = None, months: int = 3, period: Period | None = None
    ) -> pd.DataFrame:
        """One row per rep: hours of coaching a month against plan and research."""
        with self.store.read() as conn:
            return cadence.coverage(
                conn, self._coach(coach, conn), self._period(months, period), self.today
            )

    def effects(self, coach: Coach = None, months: int | None = None) -> pd.DataFrame:
        """Did coaching on a behaviour move its numbers? (``months``: starts since)."""
        since = None if months is None else self._period(months, None).start
        with self.store.read() as conn:
            return effects.practice_effects(
                conn, self._coach(coach, conn), self.today, since=since
            )

    def indicators(
        self, coach: Coach = None, months: int = 3, period: Period | None = None
    ) -> pd.DataFrame:
        """Per rep: conversations a week, buyer-action share and their trends."""
        with self.store.read() as conn:
            return indicators.rep_indicators(
                conn, self._coach(coach, conn), self._period(months, period)
            )

    def styles(self, coach: Coach = None) -> pd.DataFrame:
        """Per plan focus: does the coaching style still fit the latest ratings?"""
        with self.store.read() as conn:
            return style_review.style_suggestions(
                conn, self._coach(coach, conn), self.today
            )

    def quality(
        self, coach: Coach = None, months: int = 3, period: Period | None = None
    ) -> pd.DataFrame:
        """Session checks by month: the coach's scores against the reps'."""
        with self.store.read() as conn:
            return quality.quality_by_month(
                conn, self._coach(coach, conn), self._period(months, period)
            )

    def time_by_objective(
        self, coach: Coach = None, months: int = 3, period: Period | None = None
    ) -> pd.DataFrame:
        """Share of coaching time per objective beside the weight it was given."""
        with self.store.read() as conn:
            return development.time_by_objective(
                conn, self._coach(coach, conn), self._period(months, period)
            )

    def selfcheck(self, coach: Coach = None) -> pd.DataFrame:
        """The programme checklist: one row per check with its score and aim."""
        with self.store.read() as conn:
            return selfcheck.programme_check(conn, self._coach(coach, conn), self.today)

    def reflections(self, coach: Coach = None, limit: int = 20) -> pd.DataFrame:
        """The coaches' latest reflections, newest first, with a reading grade."""
        with self.store.read() as conn:
            return reflections.reflections(conn, self._coach(coach, conn), limit)

    # --- helpers ---

    def _coach(self, coach: Coach, conn: sa.Connection | None = None) -> int | None:
        if coach is None:
            return None
        if conn is None:
            with self.store.read() as own:
                return find_coach(own, coach)[0]
        return find_coach(conn, coach)[0]

    def _period(self, months: int, period: Period | None) -> Period:
        return period if period is not None else Period.last_months(self.today, months)
