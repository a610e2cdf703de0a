"""The rep's plan, goals and numbers: read, not changed, on the rep's page.

Each focus behaviour shows the rubric's words for where the rep is now and where
they are heading; each goal where it stands; each number with the same range the
coach sees (a rate from few conversations is shown as the range it may really be
in, not as one precise number).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import field
from coachkit.model.formats import day
from coachkit.model.vocabulary import words

_BETTER = {True: "yes", False: "not yet", None: "–"}


def _now(number: Any) -> str:
    """The number now, with its range when it is a rate (and a warning when few)."""
    shown = str(number.now_text)
    if number.range_text:
        shown += f" ({number.range_text})"
    if not number.enough:
        shown += ": too few conversations yet to be sure"
    return shown


class PlanSection:
    """ "Your plan" and "Your goals"."""

    key = "plan"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plan = field(w.HTML(), "ck-my-plan")
        self.goals = field(w.HTML(), "ck-my-goals")
        self.box = w.VBox([self.plan, self.goals])

    def draw(self, page: Any) -> None:
        self.plan.value = "<h2>Your plan</h2>" + plan_html(page)
        self.goals.value = "<h2>Your goals</h2>" + goals_html(page)


#: Whose rating says where the rep is now.
_WHOSE = {"coach": ", your coach's rating", "self": ", your own rating"}


def plan_html(page: Any) -> str:
    """The plan's focus behaviours, each with where the rep is and is heading."""
    if not page.focus:
        return (
            "<p class='ck-note'>You have no coaching plan yet. Your coach makes one "
            "with you.</p>"
        )
    cards = []
    for f in page.focus:
        whose = _WHOSE.get(f.level_from, "")
        now = (
            f"<p class='ck-level'><b>Where you are (level {int(f.level_now)} of 5"
            f"{whose}):</b> {text(f.now_text)}</p>"
            if f.level_now
            else "<p class='ck-level'><b>Where you are:</b> not rated yet. Say how "
            "you see yourself below.</p>"
        )
        heading = (
            f"<p class='ck-level'><b>Where you are heading (level "
            f"{int(f.target_level)} of 5):</b> {text(f.target_text)}</p>"
        )
        cards.append(
            f"<div class='ck-card'><h3>{text(f.behaviour)}</h3>{now}{heading}</div>"
        )
    return "".join(cards)


def goals_html(page: Any) -> str:
    """The rep's goals: what, by when, and where each stands."""
    if not page.goals:
        return "<p class='ck-note'>No goals yet.</p>"
    cards = []
    for g in page.goals:
        status = words("goal_status", g.status)
        cards.append(
            f"<div class='ck-card'><p><b>{text(g.description)}</b></p>"
            f"<p>By {text(day(g.due_on))} · {text(status)}</p>"
            f"<p>{text(g.progress)}</p></div>"
        )
    return "".join(cards)


class NumbersSection:
    """ "Your numbers": the plan's numbers, with the honest range of each."""

    key = "numbers"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.numbers = field(w.HTML(), "ck-my-numbers")
        self.box = w.VBox([self.numbers])

    def draw(self, page: Any) -> None:
        self.numbers.value = "<h2>Your numbers</h2>" + numbers_html(page)


def numbers_html(page: Any) -> str:
    """The rep's numbers, one card each (a table is too wide for a phone)."""
    if not page.numbers:
        return "<p class='ck-note'>No numbers yet: they come with a coaching plan.</p>"
    cards = [
        f"<div class='ck-card'><p><b>{text(n.metric)}</b></p>"
        f"<p class='ck-note'>For: {text(n.behaviour)}</p>"
        f"<p>When your plan started: {text(n.at_start_text)}</p>"
        f"<p>Now: {text(_now(n))}</p>"
        f"<p>Better? {_BETTER[n.better]}</p></div>"
        for n in page.numbers
    ]
    return "".join(cards) + (
        "<p class='ck-note'>A rate from few conversations could really be anywhere "
        "in its range: the range is what the numbers can tell, and it gets narrower "
        "as more conversations come in. Your coach sees the same.</p>"
    )
