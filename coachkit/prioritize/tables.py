"""Pillar 1, Prioritize, for analysts: each table a DataFrame, each chart a function.

Each function takes a :class:`~coachkit.store.database.Store` (or a path/URL of a
store that is already there; none is created) and ``coach``: a coach's id, or None
for every coach (an enablement lead's view). The Prioritize workbook calls exactly
these. Example::

    from coachkit import open_store
    from coachkit.prioritize import tables
    store = open_store("coachkit.db")
    tables.ranking(store, coach=1).head()
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.engine import Connection

from coachkit.model import charts
from coachkit.model.formats import number
from coachkit.model.framework import framework_frame
from coachkit.model.plans import Plan, current_plan
from coachkit.model.styles import style_columns
from coachkit.prioritize import assessing
from coachkit.prioritize import performance as perf
from coachkit.prioritize import ranking as rk
from coachkit.store import access, queries
from coachkit.store.database import Store, open_existing

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

StoreLike = Store | str | os.PathLike[str]

#: Above this many reps the heat map shows one row per coach's team.
HEATMAP_MAX_REPS = 40


def _store(store: StoreLike) -> Store:
    return store if isinstance(store, Store) else open_existing(store)


@access.checks(coach="coach_id")
def roster(store: StoreLike, coach: int | None = None) -> pd.DataFrame:
    """Active reps with their coach, last assessment and last coaching session."""
    with _store(store).read() as conn:
        return queries.roster(conn, coach)


def framework(store: StoreLike) -> pd.DataFrame:
    """Objectives, weights, behaviours, rubric levels and metrics, one row each."""
    with _store(store).read() as conn:
        return framework_frame(conn)


@access.checks(rep="rep_id")
def assessments(store: StoreLike, rep: int) -> pd.DataFrame:
    """Every assessment of one rep, newest first, with the rubric text it used."""
    with _store(store).read() as conn:
        return assessing.assessment_history(conn, rep)


@access.checks(coach="coach_id")
def skill_gaps(store: StoreLike, coach: int | None = None) -> pd.DataFrame:
    """Latest skill and will per rep × behaviour, the self view, and the gap."""
    with _store(store).read() as conn:
        return assessing.skill_gaps(conn, coach)


@access.checks(coach="coach_id")
def performance(
    store: StoreLike, coach: int | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """Rates with intervals, and each rep's standing (top, middle or bottom).

    Standing comes from the rep's own quota attainment against fixed thresholds
    (:mod:`coachkit.model.standing`): the same for every viewer.
    """
    with _store(store).read() as conn:
        return perf.rep_performance(conn, coach, today or dt.date.today())


@access.checks(coach="coach_id")
def styles(store: StoreLike, coach: int | None = None) -> pd.DataFrame:
    """The coaching style and practice stage per rep × behaviour, with the reason."""
    return style_columns(skill_gaps(store, coach))


@access.checks(coach="coach_id")
def ranking_inputs(
    conn: Connection, coach: int | None, today: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three frames the ranking is built from: gaps, performance, last coached."""
    return (
        assessing.skill_gaps(conn, coach),
        perf.rep_performance(conn, coach, today),
        perf.last_coached(conn, coach),
    )


@access.checks(coach="coach_id")
def ranking(
    store: StoreLike,
    coach: int | None = None,
    weights: rk.Weights | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Who to coach on what first: one row per rep × behaviour, every factor shown."""
    day = today or dt.date.today()
    with _store(store).read() as conn:
        gaps, performance_, coached = ranking_inputs(conn, coach, day)
    return rk.rank(gaps, performance_, coached, weights or rk.Weights(), day)


@access.checks(rep="rep_id")
def plan(store: StoreLike, rep: int) -> Plan | None:
    """The rep's current coaching plan, or None."""
    with _store(store).read() as conn:
        return current_plan(conn, rep)


def heatmap_cells(
    gaps: pd.DataFrame,
    max_reps: int = HEATMAP_MAX_REPS,
    coach_of: pd.Series | None = None,
) -> pd.DataFrame:
    """The cells of the team heat map: one per rep (or team) × behaviour.

    With more than ``max_reps`` reps and ``coach_of`` (rep_id → coach name) given,
    reps are averaged into one row per coach's team, so the chart never carries more
    rows than it draws.
    """
    frame = gaps.copy()
    order = {b: i for i, b in enumerate(dict.fromkeys(frame["behaviour"]))}
    frame["behaviour_order"] = frame["behaviour"].map(order)
    if frame["rep_id"].nunique() > max_reps and coach_of is not None:
        frame["row"] = frame["rep_id"].map(coach_of)
        cells = frame.groupby(["row", "behaviour", "behaviour_order"], as_index=False)
        out = cells.agg(gap=("gap", "mean"), skill=("skill", "mean"))
        out["label"] = out["skill"].map(lambda v: "" if pd.isna(v) else number(v, 1))
    else:
        out = frame.rename(columns={"rep": "row"})[
            ["row", "behaviour", "behaviour_order", "gap", "skill"]
        ].copy()
        out["label"] = out["skill"].map(lambda v: number(v, 0))
    return out.reset_index(drop=True)


@access.checks(coach="coach_id")
def heatmap(store: StoreLike, coach: int | None = None) -> alt.LayerChart:
    """The team heat map: reps × behaviours, coloured by the gap to target."""
    gaps = skill_gaps(store, coach)
    team = roster(store, coach).set_index("rep_id")["coach"]
    cells = heatmap_cells(gaps, coach_of=team)
    row_title = "Rep" if cells["row"].isin(gaps["rep"]).all() else "Team (average)"
    return charts.heatmap_chart(cells, row_title=row_title)
