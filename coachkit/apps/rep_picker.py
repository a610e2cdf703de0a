"""The Rep picker's list for a lead: reps grouped by coach, and a box to find one.

A coach picks among their own team, a short plain list. An enablement lead picks
among every coach's reps, so each rep is labelled with their team ("Ana Ruiz —
Victor Garcia's team"), the list is sorted by coach and then by rep (an accent
does not move a name), and a "Find a rep" box narrows it to the reps whose label
holds every word typed. The picker's value stays a rep id, so nothing that reads
it changes.
:class:`coachkit.apps.base.Workbook` binds these to its ``rep_picker``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.model.text import name_key

Choice = tuple[str, int]


def by_team(
    choices: Sequence[Choice], teams: Mapping[int, tuple[str, str]]
) -> list[Choice]:
    """Label each rep with their coach's team and sort by coach, then rep.

    ``teams`` maps a rep id to (rep, coach). A choice it does not hold (Improve's
    "Everyone", id 0) keeps its label and its place before the reps.
    """
    first = [choice for choice in choices if choice[1] not in teams]
    reps = [teams[rep_id] + (rep_id,) for _label, rep_id in choices if rep_id in teams]
    reps.sort(key=lambda r: (_plain(r[1]), _plain(r[0]), r[2]))
    return first + [(f"{rep} — {coach}'s team", rep_id) for rep, coach, rep_id in reps]


def matching(choices: Sequence[Choice], typed: str) -> list[Choice]:
    """The choices whose label holds every word of ``typed``.

    Case and accents do not count ("ines" finds "Inés"); nothing typed finds
    every choice.
    """
    words = _plain(typed).split()
    return [c for c in choices if all(word in _plain(c[0]) for word in words)]


def _plain(words: str) -> str:
    decomposed = unicodedata.normalize("NFD", name_key(words))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class RepSearch:
    """The "Find a rep" box and the line under it that says how many match.

    Shown only while the picker lists every coach's reps (:meth:`show`).
    """

    def __init__(self) -> None:
        self.text = w.Text(
            description="Find a rep:",
            placeholder="Type part of a rep's or coach's name",
            continuous_update=True,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px", max_width="100%"),
        )
        self.text.add_class("ck-rep-search")
        self.note = w.HTML()
        self.note.add_class("ck-rep-search-note")
        self.box = w.HBox(
            [self.text, self.note],
            layout=w.Layout(display="none", flex_flow="row wrap", max_width="100%"),
        )

    def show(self, shown: bool) -> None:
        """Show the box (empty) or hide it."""
        self.text.value = ""
        self.note.value = ""
        self.box.layout.display = "flex" if shown else "none"

    def say(self, typed: str, found: Sequence[Choice]) -> None:
        """Say how many choices hold ``typed`` (nothing when nothing is typed)."""
        if not typed.strip():
            words = ""
        elif not found:
            words = f"No rep or coach has “{typed.strip()}” in their name."
        elif len(found) == 1:
            words = "One match: it is open now."
        else:
            words = f"{len(found)} matches. Pick one in the Rep list."
        self.note.value = (
            f"<span class='ck-note' role='status'>{text(words)}</span>" if words else ""
        )
