"""Goals: what a rep will do, tied to a behaviour and a metric, by a due date.

A coach types a :class:`GoalDraft` (the target and due date as typed, text or
numbers); :func:`validate_goal` checks it against the store and returns a
:class:`Goal` ready to save, or raises a :class:`~coachkit.errors.ValidationError`
naming the field in plain words. The baseline, the rep's level today, comes from
their recent numbers (:func:`baseline_for`).

Shares (rates and percents) are stored as fractions: 0.3 is 30%. A target for a
share can be typed as ``30%``, ``0.3`` or ``30``: for a rate, which cannot pass
100%, a bare number above 1 is read as a percent; for a percent such as quota
attainment, which can (1.1 is 110%), a bare number above 3 is.

A goal is judged met, missed or dropped with :func:`set_goal_status`, on a day
and with an optional note; the store keeps the measure's value on that day
(``closed_value``), so the verdict and the number never drift apart.
:func:`judgement` says how a goal was judged in one line, such as ``Missed: 41% on
its due date, 30 June 2026; target 44%``.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import statistics
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from coachkit.errors import ValidationError
from coachkit.model import formats
from coachkit.model.typed import (
    SHARE_KINDS,
    check_note,
    parse_day,
    parse_due_date,
    parse_target,
)
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.versions import update_versioned

#: Statuses a goal can have.
GOAL_STATUSES = ("open", "met", "missed", "dropped")
#: What a coach can judge a goal.
GOAL_OUTCOMES = ("met", "missed", "dropped")
#: Each status in words, for a screen.
STATUS_WORDS = {"open": "Open", "met": "Met", "missed": "Missed", "dropped": "Dropped"}


@dataclass(frozen=True)
class GoalDraft:
    """A goal as the coach typed it, before it is checked.

    ``target`` may be text (``"35"``, ``"35.5"``, ``"30%"``) or a number;
    ``due_on`` a date or text such as ``"2026-07-31"``. Leave ``baseline`` as None to
    fill it from the rep's recent numbers.
    """

    rep_id: int
    behaviour_id: int
    metric_id: int
    description: str
    target: str | float
    due_on: str | dt.date | None
    baseline: float | None = None
    #: The saved goal this draft changes (a goal a new plan carries over), or None.
    goal_id: int | None = None

    def __post_init__(self) -> None:
        for name in ("rep_id", "behaviour_id", "metric_id", "goal_id"):
            object.__setattr__(self, name, as_id(getattr(self, name)))


@dataclass(frozen=True)
class Goal:
    """A checked goal: baseline -> target on a metric by a due date.

    ``metric``, ``kind`` and ``unit`` are None for an older goal with no metric (a
    rubric level to reach). ``id`` is None until the goal is saved.
    """

    rep_id: int
    behaviour_id: int
    behaviour: str
    metric_id: int | None
    metric: str | None
    kind: str | None
    unit: str | None
    higher_is_better: bool
    description: str
    baseline: float | None
    target: float | None
    start_on: dt.date
    due_on: dt.date
    status: str = "open"
    id: int | None = None
    closed_on: dt.date | None = None
    note: str = ""
    closed_value: float | None = None
    row_version: int = 1

    def show(self, value: float | None) -> str:
        """Write a value of this goal's metric for people: ``30%``, ``25 per week``."""
        return format_value(value, self.kind, self.unit)

    def summary(self) -> str:
        """Say baseline -> target by date, e.g. ``28% → 35% by 2026-07-31``."""
        by = f"by {self.due_on.isoformat()}"
        if self.target is None:
            return by
        start = "" if self.baseline is None else f"{self.show(self.baseline)} → "
        return f"{start}{self.show(self.target)} {by}"

    def verdict(self) -> str:
        """How a judged goal was judged (see :func:`judgement`); "" while open."""
        return "" if self.status == "open" else self.judged(self.due_on)

    def judged(self, today: dt.date) -> str:
        """How the goal was judged, or where it stands, in one line.

        Uses the value kept when it was judged; an open goal's line gives no
        number (see :func:`judgement` for one with the value now).
        """
        return judgement(
            self.status,
            value=self.closed_value,
            target=self.target,
            kind=self.kind,
            unit=self.unit,
            higher_is_better=self.higher_is_better,
            due_on=self.due_on,
            closed_on=self.closed_on,
            today=today,
        )


def reached(
    value: float | None, target: float | None, higher_is_better: bool
) -> bool | None:
    """Whether ``value`` reaches ``target``; None when either is not known."""
    if value is None or target is None:
        return None
    if math.isnan(float(value)) or math.isnan(float(target)):
        return None
    return value >= target if higher_is_better else value <= target


def judgement(
    status: str,
    *,
    value: float | None,
    target: float | None,
    kind: str | None,
    unit: str | None,
    higher_is_better: bool,
    due_on: dt.date,
    closed_on: dt.date | None,
    today: dt.date,
) -> str:
    """Say how a goal was judged, or where it stands, in one line.

    ``value`` is the measure on the day it was judged (for an open goal: now).
    A goal judged without a day counts as judged on its due date. When the coach's
    verdict and the number disagree, the line says so rather than contradict
    itself.

    Examples
    --------
    ``Missed: 41% on its due date, 30 June 2026; target 44%``;
    ``Met: 46% on 20 June 2026; target 44%``;
    ``Marked met on 20 June 2026: 41%, short of the target of 44%``;
    ``Dropped on 20 June 2026``; ``Open: 38% now; target 44% by 30 June 2026``;
    ``Not judged yet: due 30 June 2026; 45% now; target 44%``.
    """
    shown_target = format_value(target, kind, unit)
    known = value is not None and not (isinstance(value, float) and math.isnan(value))
    shown = format_value(value, kind, unit)
    if status == "open":
        now = f"{shown} now; " if known else ""
        if due_on < today:
            return (
                f"Not judged yet: due {formats.day(due_on)}; {now}target {shown_target}"
            )
        return f"Open: {now}target {shown_target} by {formats.day(due_on)}"
    word = STATUS_WORDS.get(status, status.capitalize())
    day = closed_on or due_on
    when = f"its due date, {formats.day(day)}" if day == due_on else formats.day(day)
    if status == "dropped":
        return f"Dropped on {formats.day(day)}"
    hit = reached(value, target, higher_is_better)
    if not known:
        return f"{word} on {when}; target {shown_target}"
    if status == "met" and hit is False:
        return f"Marked met on {when}: {shown}, short of the target of {shown_target}"
    if status == "missed" and hit is True:
        return (
            f"Marked missed on {when}: {shown}, though that reaches the target of "
            f"{shown_target}"
        )
    return f"{word}: {shown} on {when}; target {shown_target}"


@access.checks("goal_id")
def set_goal_status(
    conn: Connection,
    goal_id: int,
    status: str,
    today: dt.date,
    *,
    on: dt.date | str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> int:
    """Judge a goal met, missed or dropped, or open it again; return its version.

    The measure's value on the day judged (counted as a baseline is, over the
    weeks before it: :func:`baseline_for`) is kept as ``closed_value``, so the
    screen shows the number the verdict was based on, not today's.

    Parameters
    ----------
    conn
        A connection inside the caller's transaction.
    goal_id
        The goal.
    status
        ``met``, ``missed``, ``dropped``, or ``open`` to take a verdict back
        (which clears the day, the note and the value).
    today
        Today: the day judged when ``on`` is None, and the latest day allowed.
    on
        The day it was judged (a date or text such as ``2026-06-30``).
    note
        Why, in a few words (optional).
    expected_version
        The ``row_version`` the screen showed; None skips the check.

    Raises
    ------
    ValidationError
        ``Status``, ``Date`` or ``Note`` has a problem, or the goal is gone.
    ConflictError
        Someone changed the goal since ``expected_version``.
    """
    if status not in GOAL_STATUSES:
        raise ValidationError("Status", "pick met, missed, dropped or open")
    g = s.goals
    row = conn.execute(
        sa.select(g.c.rep_id, g.c.metric_id, g.c.start_on, g.c.row_version).where(
            g.c.id == as_id(goal_id)
        )
    ).first()
    if row is None:
        raise ValidationError("Goal", "it is no longer there; reload to see the list")
    values: dict[str, object] = {
        "status": status,
        "closed_on": None,
        "note": "",
        "closed_value": None,
    }
    if status != "open":
        day = parse_day(on, "Date", today) or today
        if day > today:
            raise ValidationError("Date", f"pick today or an earlier day, not {day}")
        if day < row.start_on:
            raise ValidationError(
                "Date",
                f"pick a day on or after the goal was set, {row.start_on.isoformat()}",
            )
        value = None
        if row.metric_id is not None:
            value = baseline_for(conn, int(row.rep_id), int(row.metric_id), day)
        values.update(closed_on=day, note=check_note(note), closed_value=value)
    version = row.row_version if expected_version is None else expected_version
    return update_versioned(conn, g, int(goal_id), version, values, "goal")


@access.checks("rep_id")
def value_when_judged(
    conn: Connection,
    rep_id: int,
    metric_id: int | None,
    status: str,
    closed_value: float | None,
    closed_on: dt.date | None,
    due_on: dt.date,
    today: dt.date,
) -> float | None:
    """The value a goal's line shows: kept when judged, else on that day, else now.

    A goal judged before coachkit kept the value (or imported without it) reads
    the measure on the day it was judged, or on its due date.
    """
    if metric_id is None:
        return None
    if status == "open":
        return baseline_for(conn, int(rep_id), int(metric_id), today)
    if closed_value is not None:
        return float(closed_value)
    day = min(closed_on or due_on, today)
    return baseline_for(conn, int(rep_id), int(metric_id), day)


def as_id(value: object) -> object:
    """Turn a whole number of any type (numpy's too) into an ``int`` id.

    Other values come back as they are, for the checks to refuse by name; a whole
    number beyond 64 bits (no row's id, and more than the database can even look
    up) comes back as None.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value) if abs(int(value)) <= s.MAX_ID else None
    return value


def format_value(value: float | None, kind: str | None, unit: str | None) -> str:
    """Write a metric value for people.

    Shares show as percents with at most one decimal, as typed targets often have
    one (``0.3`` -> ``30%``, ``0.285`` -> ``28.5%``); counts as numbers with their
    unit (``25 per week``, ``45,000 dollars``). Both round as
    :mod:`coachkit.model.formats` says. None shows as ``not known``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not known"
    if kind in SHARE_KINDS:
        return formats.percent(value, 1, trim=True)
    shown = formats.number(value, 1, trim=True)
    if not unit or unit == "share":
        return shown
    return f"{shown} {unit}"


def metrics_for_behaviour(conn: Connection, behaviour_id: int) -> pd.DataFrame:
    """The metrics that show a behaviour, to pick a goal's metric from.

    Columns: metric_id, key, name, unit, kind, higher_is_better, numerator,
    denominator, description. Rates come first (they say most about a behaviour),
    then counts and percents, each in the order the metrics were defined.
    """
    m, bm = s.metrics, s.behaviour_metrics
    query = (
        sa.select(
            m.c.id.label("metric_id"),
            m.c.key,
            m.c.name,
            m.c.unit,
            m.c.kind,
            m.c.higher_is_better,
            m.c.numerator,
            m.c.denominator,
            m.c.description,
        )
        .join(bm, bm.c.metric_id == m.c.id)
        .where(bm.c.behaviour_id == as_id(behaviour_id))
        .order_by(sa.case((m.c.kind == "rate", 0), else_=1), m.c.id)
    )
    columns = [
        "metric_id",
        "key",
        "name",
        "unit",
        "kind",
        "higher_is_better",
        "numerator",
        "denominator",
        "description",
    ]
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


@access.checks("rep_id")
def baseline_for(
    conn: Connection,
    rep_id: int,
    metric_key_or_id: str | int,
    today: dt.date,
    weeks: int = 8,
) -> float | None:
    """The rep's recent level of a metric: the starting point of a goal.

    Parameters
    ----------
    conn
        An open connection to the store.
    rep_id
        The rep.
    metric_key_or_id
        The metric's key (``"buyer_action_rate"``) or id.
    today
        Values up to and including this day count.
    weeks
        How far back to look for weekly numbers. Monthly numbers look back over
        ``max(3, round(weeks / 4.35))`` whole calendar months before this one.

    Returns
    -------
    float or None
        For a rate, the sum of its top count over the sum of its bottom count in the
        window (a fraction, 3 decimals). For a count or a percent, the mean per week
        or per month that has a value (1 decimal for counts, 3 for percents). None
        when the window holds no data (or, for a rate, nothing to divide by).

    Notes
    -----
    A metric is monthly when its unit says "month" or it is a percent; weekly when
    its unit says "week"; otherwise the spacing of the rep's own values decides
    (20 days or more apart: monthly). A rate follows the spacing of its bottom count.

    Raises
    ------
    ValidationError
        There is no such metric.
    """
    rep_id = int(rep_id)
    metric = _metric(conn, metric_key_or_id)
    if metric.kind == "rate":
        top = _metric(conn, str(metric.numerator))
        bottom = _metric(conn, str(metric.denominator))
        since = _window_start(conn, rep_id, bottom, today, weeks)
        num = _sum_and_count(conn, rep_id, top.id, since, today)[0]
        den = _sum_and_count(conn, rep_id, bottom.id, since, today)[0]
        return round(num / den, 3) if den > 0 else None
    since = _window_start(conn, rep_id, metric, today, weeks)
    total, count = _sum_and_count(conn, rep_id, metric.id, since, today)
    if count == 0:
        return None
    return round(total / count, 3 if metric.kind == "percent" else 1)


def validate_goal(conn: Connection, draft: GoalDraft, today: dt.date) -> Goal:
    """Check a goal as typed and return it ready to save.

    Parameters
    ----------
    conn
        An open connection to the store.
    draft
        The goal as the coach typed it.
    today
        The day the goal starts; the due date must come after it.

    Returns
    -------
    Goal
        With the target as a number, the due date as a date, and the baseline
        filled from the rep's recent numbers when the draft left it empty.

    Raises
    ------
    ValidationError
        For the first problem, naming the field: ``Goal`` (the description),
        ``Rep``, ``Behaviour``, ``Metric``, ``Target`` or ``Due date``.
    """
    description = " ".join(str(draft.description or "").split())
    if not description:
        raise ValidationError("Goal", "say what the rep will do")
    rep = conn.execute(sa.select(s.reps.c.id).where(s.reps.c.id == draft.rep_id))
    if rep.first() is None:
        raise ValidationError("Rep", "pick a rep from the list")
    behaviour = conn.execute(
        sa.select(s.behaviours.c.name).where(s.behaviours.c.id == draft.behaviour_id)
    ).scalar_one_or_none()
    if behaviour is None:
        raise ValidationError("Behaviour", "pick a behaviour from the framework")
    if draft.metric_id is None:
        raise ValidationError("Metric", "pick the number that will show progress")
    metric = conn.execute(
        sa.select(s.metrics).where(s.metrics.c.id == draft.metric_id)
    ).first()
    if metric is None:
        raise ValidationError("Metric", "pick one of the numbers listed")
    shows = conn.execute(
        sa.select(s.behaviour_metrics.c.metric_id).where(
            s.behaviour_metrics.c.behaviour_id == draft.behaviour_id,
            s.behaviour_metrics.c.metric_id == draft.metric_id,
        )
    ).first()
    if shows is None:
        raise ValidationError(
            "Metric",
            f"'{metric.name}' does not show '{behaviour}'; "
            "pick one of the numbers listed for it",
        )
    target = parse_target(draft.target, metric.kind)
    due_on = parse_due_date(draft.due_on, today)
    baseline = draft.baseline
    if baseline is None:
        baseline = baseline_for(conn, draft.rep_id, metric.id, today)
    if baseline is not None:
        _check_direction(target, baseline, metric)
    return Goal(
        rep_id=draft.rep_id,
        behaviour_id=draft.behaviour_id,
        behaviour=behaviour,
        metric_id=metric.id,
        metric=metric.name,
        kind=metric.kind,
        unit=metric.unit,
        higher_is_better=bool(metric.higher_is_better),
        description=description,
        baseline=baseline,
        target=target,
        start_on=today,
        due_on=due_on,
    )


def _check_direction(target: float, baseline: float, metric: Row) -> None:
    now = format_value(baseline, metric.kind, metric.unit)
    if metric.higher_is_better and target <= baseline:
        raise ValidationError(
            "Target",
            f"aim above the rep's current level of {now}; "
            "for this number, higher is better",
        )
    if not metric.higher_is_better and target >= baseline:
        raise ValidationError(
            "Target",
            f"aim below the rep's current level of {now}; "
            "for this number, lower is better",
        )


def _metric(conn: Connection, key_or_id: str | int) -> Row:
    m = s.metrics
    wanted = as_id(key_or_id)
    by = m.c.id if isinstance(wanted, int) else m.c.key
    row = conn.execute(sa.select(m).where(by == wanted)).first()
    if row is None:
        raise ValidationError("Metric", f"there is no metric '{key_or_id}'")
    return row


def _window_start(
    conn: Connection, rep_id: int, metric: Row, today: dt.date, weeks: int
) -> dt.date:
    if _is_monthly(conn, rep_id, metric, today):
        months = max(3, round(weeks / 4.35))
        y, m0 = divmod(today.year * 12 + today.month - 1 - months, 12)
        return dt.date(y, m0 + 1, 1)
    return today - dt.timedelta(days=7 * weeks - 1)


def _is_monthly(conn: Connection, rep_id: int, metric: Row, today: dt.date) -> bool:
    unit = str(metric.unit).lower()
    if "month" in unit:
        return True
    if "week" in unit:
        return False
    if metric.kind == "percent":
        return True
    mv = s.metric_values
    days = list(
        conn.execute(
            sa.select(mv.c.observed_on)
            .where(
                mv.c.rep_id == rep_id,
                mv.c.metric_id == metric.id,
                mv.c.observed_on <= today,
            )
            .order_by(mv.c.observed_on.desc())
            .limit(10)
        ).scalars()
    )
    if len(days) < 2:
        return False
    gaps = [(a - b).days for a, b in zip(days, days[1:], strict=False)]
    return statistics.median(gaps) >= 20


def _sum_and_count(
    conn: Connection, rep_id: int, metric_id: int, since: dt.date, until: dt.date
) -> tuple[float, int]:
    mv = s.metric_values
    total, count = conn.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(mv.c.value), 0.0), sa.func.count()
        ).where(
            mv.c.rep_id == rep_id,
            mv.c.metric_id == metric_id,
            mv.c.observed_on >= since,
            mv.c.observed_on <= until,
        )
    ).one()
    return float(total), int(count)
