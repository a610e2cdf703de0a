"""The coaching plan as a rep reads it: a printable page, its readability, its time.

:func:`plan_markdown` and :func:`plan_html` write a saved
:class:`~coachkit.model.plans.Plan` as one page: who it is for, the focus behaviours
with
the coaching style and practice stage explained from the session guides, the goals
(now -> target by a date, and for a goal already judged, how it was judged), how
often to meet, and the coach's notes.
:func:`plan_readability` scores the plan's own words against grade 10, and
:class:`CoachingTime` compares the time per month with the hours research points to
(:data:`~coachkit.model.plans.RESEARCH_HOURS_PER_MONTH`).

Every value that a person typed (names, notes, goals, and the template texts a team
can edit) is HTML-escaped in both outputs, so the page shows it as text.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources

from coachkit.model.formats import day, hours
from coachkit.model.plans import RESEARCH_HOURS_PER_MONTH, Plan
from coachkit.model.readability import Readability
from coachkit.model.templates import SessionGuides
from coachkit.model.text import md

#: The research target (:data:`~coachkit.model.plans.RESEARCH_HOURS_PER_MONTH`) in
#: minutes of coaching per rep per month.
TARGET_MINUTES_PER_MONTH = round(60 * RESEARCH_HOURS_PER_MONTH)
#: Monthly minutes counted as about the research target: 2.5 to 4 hours.
ON_TARGET_MINUTES = (150, 240)

#: The page's style, in ``plan.css`` beside this module.
_CSS = (
    resources.files("coachkit.prioritize")
    .joinpath("plan.css")
    .read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class CoachingTime:
    """Coaching time per month against the research target (about 3 hours).

    Build one with :meth:`CoachingTime.of`.
    """

    sessions_per_month: int
    minutes_per_session: int

    @classmethod
    def of(cls, sessions_per_month: int, minutes_per_session: int) -> CoachingTime:
        """The time given by ``sessions_per_month`` sessions of so many minutes."""
        return cls(int(sessions_per_month), int(minutes_per_session))

    @property
    def minutes_per_month(self) -> int:
        """Minutes of coaching per month."""
        return self.sessions_per_month * self.minutes_per_session

    @property
    def on_target(self) -> bool:
        """True for 2.5 to 4 hours a month: about the hours research points to."""
        low, high = ON_TARGET_MINUTES
        return low <= self.minutes_per_month <= high

    def note(self) -> str:
        """Say in one or two sentences how the time compares with the research."""
        n = self.sessions_per_month
        given = (
            f"{n} session{'' if n == 1 else 's'} of {self.minutes_per_session} "
            f"minutes is {hours(self.minutes_per_month / 60)} a month"
        )
        research = (
            f"the {hours(RESEARCH_HOURS_PER_MONTH)} per rep that research points to"
        )
        if self.on_target:
            return f"{given}, in line with {research}."
        if self.minutes_per_month < ON_TARGET_MINUTES[0]:
            return (
                f"{given}, less than {research}. "
                "Add a session or make them longer if you can."
            )
        return (
            f"{given}, more than {research}. "
            "Check that you have this time for every rep on your team."
        )


def plan_readability(plan: Plan) -> Readability:
    """How easy the plan's own words (goal texts and notes) are to read."""
    parts = [g.description for g in plan.goals] + plan.notes.splitlines()
    return Readability.of("\n".join(_sentence(t) for t in parts if t.strip()))


def plan_markdown(plan: Plan, guides: SessionGuides) -> str:
    """Write the plan as Markdown, one page a rep can read.

    Parameters
    ----------
    plan
        A saved plan (:func:`coachkit.model.plans.current_plan`).
    guides
        The session guides (:func:`coachkit.model.templates.load_session_guides`), which
        explain each style and practice stage.

    Returns
    -------
    str
        Markdown. ``<``, ``>`` and ``&`` in typed text are written as HTML entities
        and ``[``, ``]`` are escaped, so rendering it never runs markup or makes a
        link that someone typed.
    """
    e = md
    lines = [f"# Coaching plan for {e(plan.rep)}", "", f"{e(_meta(plan))}", ""]
    lines += ["## What we will work on", ""]
    for i, (name, style, stage) in enumerate(plan.focus, start=1):
        st, sg = _style(guides, style), _stage(guides, stage)
        lines += [
            f"### {i}. {e(name)}",
            "",
            f"**How we will coach it: {e(st[0])}.** {e(st[1])}",
            "",
            f"**Practice stage: {e(sg[0])}.** {e(sg[1])}",
            "",
            f"- What you do: {e(sg[3])}",
            f"- What your coach does: {e(sg[2])}",
            "",
        ]
    lines += ["## Goals", ""]
    if not plan.goals:
        lines += ["No goals set yet.", ""]
    for g in plan.goals:
        measure = f" ({e(g.metric)}: {e(g.summary())})" if g.metric else ""
        status = "" if g.status == "open" else f" *{e(g.verdict())}*"
        lines.append(f"- **{e(g.description)}**{measure}{status}")
    lines.append("")
    if plan.notes.strip():
        notes = "  \n".join(e(line) for line in plan.notes.strip().splitlines())
        lines += ["## Notes", "", notes, ""]
    return "\n".join(lines)


def plan_html(plan: Plan, guides: SessionGuides) -> str:
    """Write the plan as an HTML block that prints as one page.

    Parameters
    ----------
    plan
        A saved plan (:func:`coachkit.model.plans.current_plan`).
    guides
        The session guides (:func:`coachkit.model.templates.load_session_guides`).

    Returns
    -------
    str
        A ``<div class="coachkit-plan">`` with its own ``<style>``; when the page
        is printed, only the plan is printed. Every typed value is escaped with
        :func:`html.escape`.
    """
    e = _esc
    out = [
        '<div class="coachkit-plan">',
        f"<style>\n{_CSS}</style>",
        f"<h1>Coaching plan for {e(plan.rep)}</h1>",
        f'<p class="meta">{e(_meta(plan))}</p>',
        "<section><h2>What we will work on</h2>",
    ]
    for i, (name, style, stage) in enumerate(plan.focus, start=1):
        st, sg = _style(guides, style), _stage(guides, stage)
        out += [
            f"<h3>{i}. {e(name)}</h3>",
            f"<p><strong>How we will coach it: {e(st[0])}.</strong> {e(st[1])}</p>",
            f"<p><strong>Practice stage: {e(sg[0])}.</strong> {e(sg[1])}</p>",
            f"<ul><li>What you do: {e(sg[3])}</li>",
            f"<li>What your coach does: {e(sg[2])}</li></ul>",
        ]
    out.append("</section><section><h2>Goals</h2>")
    if plan.goals:
        out.append(
            "<table><thead><tr><th>Goal</th><th>Number to watch</th><th>Now</th>"
            "<th>Target</th><th>By</th></tr></thead><tbody>"
        )
        for g in plan.goals:
            status = "" if g.status == "open" else f" <em>({e(g.verdict())})</em>"
            out.append(
                f"<tr><td>{e(g.description)}{status}</td><td>{e(g.metric or '')}</td>"
                f"<td>{e(g.show(g.baseline))}</td><td>{e(g.show(g.target))}</td>"
                f'<td class="date">{e(day(g.due_on))}</td></tr>'
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>No goals set yet.</p>")
    out.append("</section>")
    if plan.notes.strip():
        out.append(
            f'<section><h2>Notes</h2><p class="notes">{e(plan.notes.strip())}</p>'
            "</section>"
        )
    out.append("</div>")
    return "\n".join(out)


def _meta(plan: Plan) -> str:
    n = plan.sessions_per_month
    length = (
        ""
        if plan.minutes_per_session is None
        else f", {plan.minutes_per_session} minutes each"
    )
    return (
        f"Coach: {plan.coach} · Started {day(plan.started_on)} · "
        f"We meet every {plan.cadence_days} days "
        f"(about {n} session{'' if n == 1 else 's'} a month{length})."
    )


def _style(guides: SessionGuides, key: str) -> tuple[str, str]:
    try:
        style = guides.style(key)
    except KeyError:
        return key.title(), ""
    return style.name, style.approach


def _stage(guides: SessionGuides, key: str) -> tuple[str, str, str, str]:
    try:
        stage = guides.stage(key)
    except KeyError:
        return key.title(), "", "", ""
    return stage.name, stage.description, stage.coach_does, stage.rep_does


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":")) else f"{text}."
