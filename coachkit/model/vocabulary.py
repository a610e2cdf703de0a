"""Stored codes in words: the one place a key the store keeps becomes what people read.

The store keeps short codes (``call_review``, ``direct``, ``partly``, ``kept``); a
screen never shows them. Every screen asks :func:`words` (or one of the maps below)
for the words, so a style reads "Direct" on the Prep tab, the Guide tab and the
write-up alike. ``tests/test_vocabulary.py`` checks that every value a CHECK
constraint of :mod:`coachkit.store.schema` allows has words here, and that the
styles, stages and session types read as the shipped session guides name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: The coaching styles of the skill/will matrix (``plan_focus.style``,
#: ``sessions.style``).
STYLE: Mapping[str, str] = MappingProxyType(
    {"direct": "Direct", "guide": "Guide", "excite": "Excite", "delegate": "Delegate"}
)
#: The practice stages (``plan_focus.stage``).
STAGE: Mapping[str, str] = MappingProxyType(
    {"demonstrate": "Demonstrate", "prompt": "Prompt", "release": "Release"}
)
#: Kinds of session (``sessions.session_type``).
SESSION_TYPE: Mapping[str, str] = MappingProxyType(
    {
        "call_review": "Call review",
        "ride_along": "Ride-along",
        "skill_practice": "Skill practice",
        "one_on_one": "One-on-one",
    }
)
#: Where a session is (``sessions.status``).
SESSION_STATUS: Mapping[str, str] = MappingProxyType(
    {"draft": "Being written up", "done": "Held"}
)
#: What a coach saw in a live observation (``observations.outcome``).
OUTCOME: Mapping[str, str] = MappingProxyType(
    {"seen": "Seen", "partly": "Partly", "missed": "Missed"}
)
#: Who does an agreed action (``actions.owner``).
OWNER: Mapping[str, str] = MappingProxyType({"rep": "Rep", "coach": "Coach"})
#: What became of an agreed action (``actions.status``), and "overdue": still open
#: after its due day.
ACTION_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "open": "Not due yet",
        "overdue": "Overdue",
        "kept": "Kept",
        "missed": "Missed",
        "dropped": "Dropped",
    }
)
#: What became of a goal (``goals.status``).
GOAL_STATUS: Mapping[str, str] = MappingProxyType(
    {"open": "In progress", "met": "Met", "missed": "Missed", "dropped": "Dropped"}
)
#: A coaching plan's state (``plans.status``).
PLAN_STATUS: Mapping[str, str] = MappingProxyType(
    {"active": "Current", "closed": "Closed"}
)
#: Who gave a skill rating (``assessments.source``).
SOURCE: Mapping[str, str] = MappingProxyType(
    {"coach": "Coach's rating", "self": "Rep's own rating"}
)
#: A user's role (``coaches.role``).
ROLE: Mapping[str, str] = MappingProxyType(
    {"coach": "Coach", "lead": "Enablement lead"}
)
#: How a metric counts (``metrics.kind``).
METRIC_KIND: Mapping[str, str] = MappingProxyType(
    {"count": "Count", "rate": "Rate", "percent": "Percent"}
)
#: Who a speaker of a recorded call is (``call_speakers.side``, ``call_turns.side``).
SIDE: Mapping[str, str] = MappingProxyType(
    {"rep": "The rep", "buyer": "The buyer's side", "other": "Someone else on our side"}
)
#: What the coach made of a moment found in a call (``call_hits.status``).
HIT_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "open": "Still to decide",
        "confirmed": "Used as evidence",
        "dismissed": "Set aside",
    }
)

#: Every map by the name :func:`words` takes.
KINDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "style": STYLE,
        "stage": STAGE,
        "session_type": SESSION_TYPE,
        "session_status": SESSION_STATUS,
        "outcome": OUTCOME,
        "owner": OWNER,
        "action_status": ACTION_STATUS,
        "goal_status": GOAL_STATUS,
        "plan_status": PLAN_STATUS,
        "source": SOURCE,
        "role": ROLE,
        "metric_kind": METRIC_KIND,
        "side": SIDE,
        "hit_status": HIT_STATUS,
    }
)


def words(kind: str, code: object, *, lower: bool = False) -> str:
    """The words for a stored code: ``words("session_type", "ride_along")``.

    Parameters
    ----------
    kind
        Which list the code is from: a key of :data:`KINDS`.
    code
        The stored value. None or an empty value gives ``""``; a code the list
        does not hold (a newer store) is shown with its underscores as spaces,
        never as stored.
    lower
        Start with a small letter, for the middle of a sentence ("a direct style").

    Raises
    ------
    KeyError
        ``kind`` is not one of :data:`KINDS` (a programming error).
    """
    known = KINDS[kind]
    if code is None or code == "":
        return ""
    text = known.get(str(code))
    if text is None:
        raw = str(code).replace("_", " ").strip()
        text = raw[:1].upper() + raw[1:]
    return text[:1].lower() + text[1:] if lower else text


def choices(kind: str) -> list[tuple[str, str]]:
    """(words, code) pairs for a dropdown, in the list's order."""
    return [(text, code) for code, text in KINDS[kind].items()]
