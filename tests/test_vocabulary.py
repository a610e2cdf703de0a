"""One vocabulary: every stored code has words, the same on every screen (#22)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coachkit.model import vocabulary
from coachkit.model.templates import load_session_guides
from coachkit.model.vocabulary import KINDS, choices, words
from coachkit.store import schema

#: Which list of words each CHECK constraint's values read from.
_KIND_OF = {
    ("coaches", "role"): "role",
    ("metrics", "kind"): "metric_kind",
    ("assessments", "source"): "source",
    ("goals", "status"): "goal_status",
    ("plans", "status"): "plan_status",
    ("plan_focus", "style"): "style",
    ("plan_focus", "stage"): "stage",
    ("sessions", "status"): "session_status",
    ("sessions", "session_type"): "session_type",
    ("observations", "outcome"): "outcome",
    ("actions", "owner"): "owner",
    ("actions", "status"): "action_status",
    ("call_speakers", "side"): "side",
    ("call_turns", "side"): "side",
    ("call_hits", "status"): "hit_status",
}


def _checked_values() -> dict[tuple[str, str], list[str]]:
    found = {}
    for table in schema.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                match = re.match(r"\s*(\w+)\s+in\s*\((.*)\)", str(constraint.sqltext))
                if match:
                    values = re.findall(r"'([^']*)'", match.group(2))
                    found[(table.name, match.group(1))] = values
    return found


def test_every_value_the_store_allows_has_words() -> None:
    checked = _checked_values()
    assert set(checked) == set(_KIND_OF), "a new CHECK constraint needs its words"
    for where, values in checked.items():
        kind = KINDS[_KIND_OF[where]]
        assert set(values) <= set(kind), (where, set(values) - set(kind))
        for value in values:
            shown = kind[value]
            assert shown != value, (where, value)  # never the code itself
            assert "_" not in shown
            assert shown[0].isupper()


def test_styles_stages_and_session_types_read_as_the_session_guides_name_them() -> None:
    guides = load_session_guides()
    assert {g.key: g.name for g in guides.styles} == dict(vocabulary.STYLE)
    assert {g.key: g.name for g in guides.stages} == dict(vocabulary.STAGE)
    assert {t.key: t.name for t in guides.session_types} == dict(
        vocabulary.SESSION_TYPE
    )


@pytest.mark.parametrize(
    ("kind", "code", "shown"),
    [
        ("session_type", "ride_along", "Ride-along"),
        ("session_type", "video_call", "Video call"),  # a code from a newer store
        ("style", None, ""),
        ("owner", "coach", "Coach"),
        ("action_status", "dropped", "Dropped"),
    ],
)
def test_words_for_a_code(kind: str, code: object, shown: str) -> None:
    assert words(kind, code) == shown


def test_words_in_a_sentence_and_as_choices() -> None:
    assert words("session_type", "call_review", lower=True) == "call review"
    assert choices("owner") == [("Rep", "rep"), ("Coach", "coach")]
    with pytest.raises(KeyError):
        words("colour", "red")
