"""The session summary a coach hands to the rep, as Markdown or HTML.

A short page in plain words, written to the rep ("you"): what the coach saw, what
went well, what to change, what was agreed and by when, and the next session.
:func:`summary_readability` scores it (target: grade 10 or below).

Everything typed by a person (notes, names, actions) is shown as text: escaped with
:func:`html.escape` in HTML, and with ``&``, ``<`` and ``>`` written as entities in
Markdown, so a note such as ``<img src=x onerror=alert(1)>`` can never become
markup in a viewer. In Markdown, ``[`` and ``]`` (and ``\\``) get a backslash too, so
typed text cannot make a link or an image.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.facilitate.actions import Action
from coachkit.facilitate.observations import Observation, tally
from coachkit.facilitate.sessions import load_session
from coachkit.model.formats import day
from coachkit.model.readability import Readability
from coachkit.model.templates import SessionGuides
from coachkit.model.text import md
from coachkit.store import access
from coachkit.store import schema as s

#: How a noted observation reads to the rep, beside its note.
_OUTCOME_WORDS = {
    "seen": "done well",
    "partly": "partly done",
    "missed": "missed this time",
}


@dataclass(frozen=True)
class Summary:
    """What the rep's summary page says; every text exactly as typed.

    ``seen`` has one sentence per behaviour in the tally ("Ask for the next step:
    done well twice, missed once."); ``notes`` are the observations that have a
    note, oldest first.
    """

    session_id: int
    rep: str
    coach: str
    held_on: dt.date
    session_type: str
    duration_minutes: int
    style: str | None
    focus: tuple[str, ...]
    seen: tuple[str, ...]
    notes: tuple[Observation, ...]
    went_well: str
    to_change: str
    rep_view: str
    actions: tuple[Action, ...]
    next_session_on: dt.date | None
    status: str


@access.checks("session_id")
def session_summary(
    conn: Connection, session_id: int, guides: SessionGuides
) -> Summary:
    """Gather the summary of one session (draft or done).

    Raises
    ------
    ValidationError
        There is no such session.
    """
    session = load_session(conn, session_id)
    coach = conn.execute(
        sa.select(s.coaches.c.name).where(s.coaches.c.id == session.coach_id)
    ).scalar_one()
    counts = tally(conn, session.id)
    types = {t.key: t.name for t in guides.session_types}
    styles = {g.key: g.name for g in guides.styles}
    return Summary(
        session_id=session.id,
        rep=session.rep,
        coach=coach,
        held_on=session.held_on,
        session_type=types.get(session.session_type, session.session_type),
        duration_minutes=session.duration_minutes,
        style=styles.get(session.style or ""),
        focus=tuple(counts.loc[counts["in_focus"], "behaviour"]),
        seen=tuple(
            _seen(r.behaviour, r.seen, r.partly, r.missed)
            for r in counts.itertuples(index=False)
        ),
        notes=tuple(o for o in session.observations if o.note.strip()),
        went_well=session.went_well,
        to_change=session.to_change,
        rep_view=session.rep_view,
        actions=session.actions,
        next_session_on=session.next_session_on,
        status=session.status,
    )


def summary_markdown(summary: Summary) -> str:
    """The summary as Markdown; typed text has ``&``, ``<``, ``>`` escaped."""
    lines = [f"# {md(_title(summary))}", "", md(_intro(summary)), ""]
    for heading, body in _sections(summary):
        lines += [f"## {heading}", ""]
        for kind, text in body:
            lines.append(f"- {md(text)}" if kind == "item" else md(text))
            if kind == "para":
                lines.append("")
        if body and body[-1][0] == "item":
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_body_html(summary: Summary) -> str:
    """The summary's content as HTML to place inside a page; every value escaped."""
    parts = [
        f"<h1>{_h(_title(summary))}</h1>",
        f"<p>{_h(_intro(summary))}</p>",
    ]
    for heading, body in _sections(summary):
        parts.append(f"<h2>{_h(heading)}</h2>")
        items = [text for kind, text in body if kind == "item"]
        parts += [f"<p>{_h(text)}</p>" for kind, text in body if kind == "para"]
        if items:
            parts.append("<ul>" + "".join(f"<li>{_h(t)}</li>" for t in items) + "</ul>")
    return "\n".join(parts) + "\n"


def summary_html(summary: Summary) -> str:
    """The summary as a small stand-alone HTML page; every typed value escaped."""
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8">',
                f"<title>{_h(_title(summary))}</title>",
                "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;"
                "line-height:1.5;padding:0 1em}h1{font-size:1.5em}</style>",
                "</head><body>",
                summary_body_html(summary).rstrip("\n"),
                "</body></html>",
            ]
        )
        + "\n"
    )


def summary_text(summary: Summary) -> str:
    """The summary as plain text, one sentence or item per line."""
    lines = [_intro(summary)]
    for _heading, body in _sections(summary):
        lines += [text for _kind, text in body]
    return "\n".join(lines)


def summary_readability(summary: Summary) -> Readability:
    """How easy the summary is to read (Flesch–Kincaid grade; target 10)."""
    return Readability.of(summary_text(summary))


# --- the words ---


def _sections(summary: Summary) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(``para`` or ``item``, text), ...]) in page order."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    seen = [("item", line) for line in summary.seen]
    seen += [
        ("item", f"{o.behaviour} ({_OUTCOME_WORDS[o.outcome]}): {o.note.strip()}")
        for o in summary.notes
    ]
    out.append(("What I saw", seen or [("para", "Nothing was logged this time.")]))
    if summary.went_well.strip():
        out.append(("What went well", _paras(summary.went_well)))
    if summary.to_change.strip():
        out.append(("What to change", _paras(summary.to_change)))
    if summary.actions:
        out.append(("What we agreed", [("item", _action(a)) for a in summary.actions]))
    if summary.rep_view.strip():
        out.append(("What you said", _paras(summary.rep_view)))
    if summary.next_session_on is not None:
        out.append(
            (
                "Next session",
                [
                    (
                        "para",
                        "We meet again on "
                        f"{day(summary.next_session_on, weekday=True)}.",
                    )
                ],
            )
        )
    return out


def _title(summary: Summary) -> str:
    return f"Coaching session with {summary.rep}, {day(summary.held_on, weekday=True)}"


def _intro(summary: Summary) -> str:
    text = (
        f"{summary.session_type}, {summary.duration_minutes} minutes, "
        f"with {summary.coach}."
    )
    if summary.focus:
        text += f" We worked on: {', '.join(summary.focus)}."
    if summary.status != "done":
        text += " This is a draft."
    return text


def _seen(behaviour: str, seen: int, partly: int, missed: int) -> str:
    parts = [
        f"{word} {_times(n)}"
        for word, n in (
            ("done well", seen),
            ("partly done", partly),
            ("missed", missed),
        )
        if n
    ]
    if not parts:
        return f"{behaviour}: not seen this time."
    return f"{behaviour}: {', '.join(parts)}."


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(int(n), f"{int(n)} times")


def _action(action: Action) -> str:
    who = "You" if action.owner == "rep" else "Your coach"
    text = action.text.rstrip(".")
    return f"{text}. {who}, by {day(action.due_on, weekday=True)}."


def _paras(text: str) -> list[tuple[str, str]]:
    return [("para", line.strip()) for line in text.splitlines() if line.strip()]


def _h(text: str) -> str:
    return html.escape(text, quote=True)
