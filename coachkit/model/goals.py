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
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import statistics
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from coachkit.errors import ValidationError
from coachkit.model import formats
from coachkit.store import access
from coachkit.store import schema as s

#: Statuses a goal can have.
GOAL_STATUSES = ("open", "met", "missed", "dropped")
#: Rates and percents are shares of a whole, stored as fractions (0.3 is 30%).
SHARE_KINDS = ("rate", "percent")

_TARGET_HELP = "type a number, like 35 or 0.3"
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


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
    due_on: str | dt.date
    baseline: float | None = None

    def __post_init__(self) -> None:
        for name in ("rep_id", "behaviour_id", "metric_id"):
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


def parse_target(raw: str | float, kind: str) -> float:
    """Read a typed target as a number; shares become fractions (``30%`` -> 0.3).

    Raises
    ------
    ValidationError
        On the ``Target`` field, when it is not a number that fits the metric.
    """
    share = kind in SHARE_KINDS
    percent = False
    if isinstance(raw, bool):
        raise ValidationError("Target", _TARGET_HELP)
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:  # an int too big for a float
            raise ValidationError("Target", _TARGET_HELP) from None
    else:
        text = str(raw).strip().replace(" ", "").lstrip("$")
        if text.endswith("%"):
            text, percent = text[:-1], True
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise ValidationError("Target", _TARGET_HELP) from None
    if not math.isfinite(value):
        raise ValidationError("Target", _TARGET_HELP)
    if value < 0:
        raise ValidationError("Target", "type a number of 0 or more")
    if percent and not share:
        raise ValidationError(
            "Target", "this number is a count, not a share; type it without %"
        )
    if percent or (kind == "rate" and value > 1) or (kind == "percent" and value > 3):
        value = value / 100  # "35" for a share means 35%; "90" for quota means 90%
    if kind == "rate" and value > 1:
        raise ValidationError("Target", "a share cannot be more than 100%")
    return round(value, 4)


def parse_due_date(raw: str | dt.date, today: dt.date) -> dt.date:
    """Read a typed due date; it must come after ``today``.

    Raises
    ------
    ValidationError
        On the ``Due date`` field, when it cannot be read or is not after today.
    """
    if isinstance(raw, dt.datetime):
        due = raw.date()
    elif isinstance(raw, dt.date):
        due = raw
    else:
        try:
            due = dt.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise ValidationError("Due date", "use the form 2026-07-31") from None
    if due <= today:
        raise ValidationError("Due date", "pick a day after today")
    return due


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
