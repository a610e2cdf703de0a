"""What switching to a team's framework file changes, said in words.

:class:`FrameworkChange` is what :func:`coachkit.model.forks.preview_framework`
finds and :func:`coachkit.model.forks.use_framework` applies: objectives and
behaviours added, renamed, moved, re-worded, re-weighted, removed or kept, each as
an :class:`Edit`, and :meth:`FrameworkChange.lines` says them one by one in plain
words, with what happens to existing ratings. Nothing here reads or writes a store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: The parts of a metric a file may describe differently from the store.
METRIC_PARTS = (
    "name",
    "unit",
    "kind",
    "higher_is_better",
    "numerator",
    "denominator",
    "description",
)


@dataclass(frozen=True)
class Edit:
    """One part of an objective or behaviour that stays but changes.

    ``part`` is one of ``name``, ``description``, ``weight``, ``target level``,
    ``objective`` (the behaviour moves), ``metrics``, ``trackers``, ``rubric``
    (``after`` lists the levels whose words change) and ``order``; ``before`` and
    ``after`` are in words, ready to show.
    """

    key: str
    part: str
    before: str = ""
    after: str = ""


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class FrameworkChange:
    """What :func:`use_framework` changes (or changed), each as a tuple of keys.

    ``objective_edits`` and ``behaviour_edits`` hold the changes to what stays;
    ``metrics_differ`` the metrics the file describes unlike the store, which keeps
    its own. The name maps give each key's name (the new one when renamed), and
    ``ratings`` the number of ratings of each kept or re-worded behaviour.
    """

    objectives_added: tuple[str, ...] = ()
    behaviours_added: tuple[str, ...] = ()
    rubrics_changed: tuple[str, ...] = ()
    behaviours_removed: tuple[str, ...] = ()
    behaviours_kept: tuple[str, ...] = ()
    objectives_removed: tuple[str, ...] = ()
    objectives_kept: tuple[str, ...] = ()
    metrics_added: tuple[str, ...] = ()
    objective_edits: tuple[Edit, ...] = ()
    behaviour_edits: tuple[Edit, ...] = ()
    metrics_differ: tuple[str, ...] = ()
    objective_names: Mapping[str, str] = field(default_factory=_empty, hash=False)
    behaviour_names: Mapping[str, str] = field(default_factory=_empty, hash=False)
    metric_names: Mapping[str, str] = field(default_factory=_empty, hash=False)
    ratings: Mapping[str, int] = field(default_factory=_empty, hash=False)

    def lines(self) -> list[str]:
        """Say every change in plain sentences, with what happens to ratings.

        The same list serves before the change (a dry run) and after it.
        """
        objective = _namer(self.objective_names)
        behaviour = _namer(self.behaviour_names)
        metric = _namer(self.metric_names)
        said = [
            _listed("new", "objective", objective, self.objectives_added),
            _listed("new", "behaviour", behaviour, self.behaviours_added),
            _listed("new", "metric", metric, self.metrics_added),
        ]
        said += [_objective_edit(e, objective) for e in self.objective_edits]
        said += [
            _behaviour_edit(e, behaviour, self.ratings) for e in self.behaviour_edits
        ]
        said += [
            _listed(
                "",
                "behaviour",
                behaviour,
                self.behaviours_removed,
                "{removed}, as no ratings, goals, plans or notes use {them}",
            ),
            _listed(
                "",
                "behaviour",
                lambda k: (
                    f"{behaviour(k)} ({_counted(self.ratings.get(k, 0), 'rating')})"
                ),
                self.behaviours_kept,
                "{kept} though the new framework drops {them}, because ratings, "
                "goals, plans or notes use {them}; {it} {stays} with {its} history",
            ),
            _listed(
                "",
                "objective",
                objective,
                self.objectives_removed,
                "{removed}, as no behaviours are left in {it}",
            ),
            _listed(
                "",
                "objective",
                objective,
                self.objectives_kept,
                "{kept} with weight 0 to hold the behaviours kept above, so {it} no "
                "longer {counts} in the ranking",
            ),
            _listed(
                "",
                "metric",
                metric,
                self.metrics_differ,
                "the store keeps its own version of {n} the file describes differently",
            ),
        ]
        return [line for line in said if line]


def reordered(before: Sequence[str], after: Sequence[str]) -> bool:
    """True when the keys in both lists come in another order."""
    both = set(before) & set(after)
    return [k for k in before if k in both] != [k for k in after if k in both]


def _counted(n: int, noun: str) -> str:
    """``1 behaviour``, ``2 behaviours``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _namer(names: Mapping[str, str]) -> Any:
    return lambda key: f'"{names.get(key, key)}"'


def quoted(names: Mapping[str, str], keys: Sequence[str]) -> str:
    """The keys' names, each in quotes, joined by commas."""
    return ", ".join(f'"{names.get(k, k)}"' for k in keys)


def _listed(
    adjective: str,
    noun: str,
    name: Any,
    keys: Sequence[str],
    sentence: str = "{n}",
) -> str:
    """One line for a group: "2 new behaviours: "A", "B"" (empty when none).

    ``sentence`` may use {n} (the count and noun) and words that follow it in number:
    {it}, {them}, {its}, {removed}, {kept}, {stays}, {counts}.
    """
    if not keys:
        return ""
    one = len(keys) == 1
    counted = _counted(len(keys), noun)
    n = f"{len(keys)} {adjective} {noun}{'' if one else 's'}" if adjective else counted
    text = sentence.format(
        n=n,
        it="it" if one else "they",
        them="it" if one else "them",
        its="its" if one else "their",
        removed=f"{counted} removed",
        kept=f"{counted} kept",
        stays="stays" if one else "stay",
        counts="counts" if one else "count",
    )
    return f"{text}: {', '.join(name(k) for k in keys)}"


def _objective_edit(edit: Edit, name: Any) -> str:
    if edit.part == "order" and not edit.key:
        return "the objectives come in the new file's order"
    if edit.part == "name":
        return f'objective "{edit.before}": renamed "{edit.after}"'
    said = {
        "weight": f"weight from {edit.before} to {edit.after}; the ranking uses the "
        "new weight",
        "description": "new description",
        "order": "its behaviours come in the new file's order",
    }[edit.part]
    return f"objective {name(edit.key)}: {said}"


def _behaviour_edit(edit: Edit, name: Any, ratings: Mapping[str, int]) -> str:
    if edit.part == "name":
        return f'behaviour "{edit.before}": renamed "{edit.after}"'
    if edit.part == "rubric":
        levels = edit.after.split(", ")
        which = "level" if len(levels) == 1 else "levels"
        n = ratings.get(edit.key, 0)
        past = {
            0: "no ratings use it yet",
            1: "its 1 rating keeps the words that scored it",
        }.get(n, f"its {n} ratings keep the words that scored them")
        said = (
            f"new words for rubric {which} {_and(levels)}, saved as a new rubric "
            f"version; {past}"
        )
    else:
        said = {
            "objective": f"moves to objective {edit.after}; its ratings move with it",
            "target level": f"target level from {edit.before} to {edit.after}; gaps "
            "are measured against the new target",
            "metrics": _metrics_said(edit),
            "trackers": _trackers_said(edit),
            "description": "new description",
        }[edit.part]
    return f"behaviour {name(edit.key)}: {said}"


def _metrics_said(edit: Edit) -> str:
    parts = []
    if edit.after:
        parts.append(f"now also shown by {edit.after}")
    if edit.before:
        parts.append(f"no longer shown by {edit.before}")
    return "; ".join(parts)


def _trackers_said(edit: Edit) -> str:
    parts = []
    if edit.after:
        parts.append(f"call transcripts are now also searched for {edit.after}")
    if edit.before:
        parts.append(f"no longer for {edit.before}")
    return "; ".join(parts) or "its trackers come in the new file's order"


def _and(items: Sequence[str]) -> str:
    """``3``, ``3 and 4``, ``2, 3 and 4``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
