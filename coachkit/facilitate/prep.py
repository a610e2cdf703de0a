"""Before and during the session: the prep brief and the conversation guide.

:func:`prep_brief` gathers what a coach reads before a session: the rep's plan, the
commitments from the last session and whether each was kept, how the focus
behaviours' metrics moved since the plan started, and GROW questions for the
plan's style. :func:`conversation_steps` lays out the conversation itself, in the
order that fits the style: a *direct* session shows first and ends with one tight
next step; a *delegate* session lets the rep lead with their own answers.

With no plan, the brief uses the ``guide`` style and the ``prompt`` stage: teach one
step at a time, which suits a rep the coach does not know well yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.facilitate.actions import Action, outcome_words, session_actions
from coachkit.model.goals import baseline_for, format_value, metrics_for_behaviour
from coachkit.model.plans import Plan, current_plan
from coachkit.model.templates import GROW_PARTS, SessionGuides
from coachkit.store import access
from coachkit.store import schema as s

DEFAULT_STYLE = "guide"
DEFAULT_STAGE = "prompt"

TREND_COLUMNS = [
    "behaviour_id",
    "behaviour",
    "metric_id",
    "metric_key",
    "metric",
    "kind",
    "unit",
    "higher_is_better",
    "at_start",
    "now",
    "change",
    "better",
    "at_start_text",
    "now_text",
]


@dataclass(frozen=True)
class Commitment:
    """An action from the last session, and what became of it."""

    action_id: int
    text: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    status: str
    overdue: bool
    note: str = ""
    row_version: int = 1
    outcome: str = ""

    @property
    def state(self) -> str:
        """``kept``, ``missed``, ``dropped``, ``open`` or ``overdue``."""
        return "overdue" if self.overdue else self.status

    @classmethod
    def of(cls, action: Action, today: dt.date) -> Commitment:
        """The commitment an action is on ``today``."""
        return cls(
            action_id=action.id,
            text=action.text,
            owner=action.owner,
            due_on=action.due_on,
            done_on=action.done_on,
            status=action.status,
            overdue=action.is_overdue(today),
            note=action.note,
            row_version=action.row_version,
            outcome=outcome_words(action.status, action.done_on, action.due_on, today),
        )


@dataclass(frozen=True)
class FocusPrep:
    """A focus behaviour with its style, stage and GROW questions (part -> list)."""

    behaviour_id: int
    behaviour: str
    style: str
    stage: str
    questions: Mapping[str, tuple[str, ...]] = field(hash=False)


@dataclass(frozen=True)
class Step:
    """One step of the conversation: what the coach does, and questions that fit.

    ``grow_part`` names the GROW part the questions come from (None for a step
    without questions, such as practice).
    """

    key: str
    title: str
    coach_does: str
    questions: tuple[str, ...]
    grow_part: str | None


@dataclass(frozen=True)
class PrepBrief:
    """What a coach reads before a session with one rep.

    ``style`` and ``stage`` are the first focus behaviour's (or the defaults without
    a plan); ``questions`` are that style's GROW questions, part -> questions;
    ``focus`` has the questions per focus behaviour. ``trends`` is a small table,
    columns :data:`TREND_COLUMNS` (see :func:`metric_trends`).
    """

    rep_id: int
    rep: str
    today: dt.date
    plan: Plan | None
    last_session_id: int | None
    last_session_on: dt.date | None
    commitments: tuple[Commitment, ...]
    style: str
    stage: str
    questions: Mapping[str, tuple[str, ...]] = field(hash=False)
    focus: tuple[FocusPrep, ...] = field(hash=False)
    trends: pd.DataFrame = field(hash=False, compare=False, repr=False)

    @property
    def kept(self) -> int:
        """How many of the last commitments were kept."""
        return sum(c.status == "kept" for c in self.commitments)

    @property
    def counted(self) -> int:
        """How many of the last commitments count: all but the dropped ones."""
        return sum(c.status != "dropped" for c in self.commitments)

    def kept_sentence(self) -> str:
        """``1 of 2 commitments kept.``, saying how many were dropped, if any."""
        n = self.counted
        line = f"{self.kept} of {n} commitment{'' if n == 1 else 's'} kept"
        dropped = len(self.commitments) - n
        if dropped:
            line += f" ({dropped} dropped, not counted)"
        return line + "."


@access.checks("rep_id")
def prep_brief(
    conn: Connection, rep_id: int, today: dt.date, guides: SessionGuides
) -> PrepBrief:
    """Gather the prep brief for one rep.

    Parameters
    ----------
    conn
        An open connection.
    rep_id
        The rep.
    today
        The day of the session.
    guides
        The session guides (:func:`coachkit.model.templates.load_session_guides`).

    Raises
    ------
    ValidationError
        There is no such rep.
    """
    rep_id = int(rep_id)
    name = conn.execute(
        sa.select(s.reps.c.name).where(s.reps.c.id == rep_id)
    ).scalar_one_or_none()
    if name is None:
        raise ValidationError("Rep", "pick a rep from the list")
    plan = current_plan(conn, rep_id)
    se = s.sessions
    last = conn.execute(
        sa.select(se.c.id, se.c.held_on)
        .where(se.c.rep_id == rep_id, se.c.status == "done", se.c.held_on <= today)
        .order_by(se.c.held_on.desc(), se.c.id.desc())
        .limit(1)
    ).first()
    commitments: tuple[Commitment, ...] = ()
    if last is not None:
        commitments = tuple(
            Commitment.of(a, today) for a in session_actions(conn, last.id)
        )
    focus = tuple(
        FocusPrep(bid, f.behaviour, f.style, f.stage, guides.style(f.style).grow)
        for bid, f in zip(
            plan.focus_ids if plan else (), plan.focus if plan else (), strict=True
        )
    )
    style = focus[0].style if focus else DEFAULT_STYLE
    stage = focus[0].stage if focus else DEFAULT_STAGE
    return PrepBrief(
        rep_id=rep_id,
        rep=name,
        today=today,
        plan=plan,
        last_session_id=None if last is None else int(last.id),
        last_session_on=None if last is None else last.held_on,
        commitments=commitments,
        style=style,
        stage=stage,
        questions=guides.style(style).grow,
        focus=focus,
        trends=metric_trends(conn, rep_id, plan, today),
    )


@access.checks("rep_id")
def metric_trends(
    conn: Connection, rep_id: int, plan: Plan | None, today: dt.date
) -> pd.DataFrame:
    """How each focus behaviour's metrics moved since the plan started.

    A value is the rep's level over the weeks before a day, counted as a goal's
    baseline is (:func:`coachkit.model.goals.baseline_for`): ``at_start`` over the weeks
    before the plan started, ``now`` over the weeks before ``today``.

    Returns
    -------
    pandas.DataFrame
        Columns behaviour_id, behaviour, metric_id, metric_key, metric, kind, unit,
        higher_is_better, at_start and now (floats, NaN with no data), change
        (now - at_start), better (True when the change goes the good way, False
        the other way, None when flat or unknown), at_start_text and now_text
        (written for people: ``30%``, ``25 per week``). Empty without a plan.
    """
    rows = []
    focus = zip(plan.focus_ids, plan.focus, strict=True) if plan else iter(())
    for bid, f in focus:
        for m in metrics_for_behaviour(conn, bid).itertuples(index=False):
            start = baseline_for(conn, rep_id, int(m.metric_id), plan.started_on)  # type: ignore[union-attr]
            now = baseline_for(conn, rep_id, int(m.metric_id), today)
            change = None if start is None or now is None else round(now - start, 3)
            better = None
            if change:
                better = (change > 0) == bool(m.higher_is_better)
            rows.append(
                (
                    bid,
                    f.behaviour,
                    int(m.metric_id),
                    m.key,
                    m.name,
                    m.kind,
                    m.unit,
                    bool(m.higher_is_better),
                    start,
                    now,
                    change,
                    better,
                    format_value(start, m.kind, m.unit),
                    format_value(now, m.kind, m.unit),
                )
            )
    frame = pd.DataFrame(rows, columns=TREND_COLUMNS)
    for col in ("at_start", "now", "change"):
        frame[col] = frame[col].astype(float)
    return frame


# --- the conversation guide ---

# Per style: (key, title, what the coach does, GROW part). "{opening}" is the
# style's opening from the guides; the "practice" step takes the stage's words.
_STEPS: dict[str, tuple[tuple[str, str, str, str | None], ...]] = {
    "direct": (
        (
            "show",
            "Show how it is done",
            "{opening} Then do the behaviour yourself, on a real call or as a role "
            "play, and say what you do at each step and why.",
            "options",
        ),
        ("practice", "Have the rep try it now", "", None),
        (
            "review",
            "Talk through what happened",
            "Ask what the rep noticed. Name one thing that worked and one to change.",
            "reality",
        ),
        (
            "next",
            "Agree one small next step",
            "Agree one clear thing to do in the next meeting, and when you will "
            "check in.",
            "will",
        ),
    ),
    "guide": (
        ("open", "Open", "{opening}", "reality"),
        (
            "goal",
            "Set a goal for today",
            "Agree what the rep wants to be able to do by the end.",
            "goal",
        ),
        (
            "teach",
            "Teach one step",
            "Explain one step at a time. Answer questions and make it safe to get "
            "it wrong.",
            "options",
        ),
        ("practice", "Try it together", "", None),
        (
            "next",
            "Agree the first step and a check-in",
            "Let the rep pick the first step. Set a day to check in.",
            "will",
        ),
    ),
    "excite": (
        ("open", "Open with a real example", "{opening}", None),
        (
            "reality",
            "Find what changed",
            "Ask what drains the rep's energy. Listen more than you talk.",
            "reality",
        ),
        (
            "goal",
            "Find what is worth it",
            "Ask what result the rep would be proud of.",
            "goal",
        ),
        (
            "options",
            "Offer a new challenge",
            "Offer a fresh challenge or a chance to teach others.",
            "options",
        ),
        ("practice", "Practice", "", None),
        (
            "next",
            "Ask for a commitment",
            "Ask what the rep will commit to, and how you will mark success.",
            "will",
        ),
    ),
    "delegate": (
        ("open", "Let the rep set the goal", "{opening}", "goal"),
        (
            "reality",
            "Let the rep review their work",
            "Ask the rep what works and where they see room to grow. Hold back "
            "your own view.",
            "reality",
        ),
        (
            "options",
            "Let the rep find options",
            "Ask for several ways forward. Offer a view only when asked.",
            "options",
        ),
        ("practice", "Practice", "", None),
        (
            "next",
            "Let the rep commit",
            "Ask which option they pick, their first step, and the help they want.",
            "will",
        ),
    ),
}


def conversation_steps(
    style: str, stage: str, guides: SessionGuides
) -> tuple[Step, ...]:
    """The conversation guide for a style and practice stage, step by step.

    The view shows where the coach is by the step's index.

    Parameters
    ----------
    style
        ``direct``, ``guide``, ``excite`` or ``delegate``.
    stage
        ``demonstrate``, ``prompt`` or ``release``: the practice step says what the
        coach and the rep do at this stage.
    guides
        The session guides, for the opening and the GROW questions.

    Raises
    ------
    ValidationError
        ``Style`` or ``Stage`` is not one of the known keys.
    """
    if style not in _STEPS:
        raise ValidationError("Style", "pick direct, guide, excite or delegate")
    try:
        practice = guides.stage(stage)
    except KeyError:
        raise ValidationError(
            "Stage", "pick one of demonstrate, prompt or release"
        ) from None
    guide = guides.style(style)
    steps = []
    for key, title, does, part in _STEPS[style]:
        if key == "practice":
            title = f"{title} ({practice.name} stage)"
            does = f"{practice.coach_does} The rep: {_lower_first(practice.rep_does)}"
        does = does.replace("{opening}", guide.opening)
        questions = guide.grow[part] if part in GROW_PARTS else ()
        steps.append(Step(key, title, does, tuple(questions), part))
    return tuple(steps)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
