"""The skill/will matrix: style, practice stage and the reason in one sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from coachkit.demo.people import _stage, _style
from coachkit.model.styles import StyleChoice, choose_style, style_columns


@pytest.mark.parametrize(
    ("skill", "will", "style"),
    [
        # the four corners
        (1, 1, "direct"),
        (1, 5, "guide"),
        (5, 1, "excite"),
        (5, 5, "delegate"),
        # the edges: 3 is still low, 4 is already high
        (3, 3, "direct"),
        (3, 4, "guide"),
        (4, 3, "excite"),
        (4, 4, "delegate"),
        (2, 4, "guide"),
        (4, 2, "excite"),
    ],
)
def test_style_follows_the_skill_will_matrix(skill: int, will: int, style: str) -> None:
    assert choose_style(skill, will).style == style


@pytest.mark.parametrize(
    ("skill", "stage"),
    [
        (1, "demonstrate"),
        (2, "demonstrate"),
        (3, "prompt"),
        (4, "release"),
        (5, "release"),
    ],
)
def test_stage_follows_skill(skill: int, stage: str) -> None:
    for will in range(1, 6):
        assert choose_style(skill, will).stage == stage


def test_same_thresholds_as_the_demo_plans() -> None:
    for skill in range(1, 6):
        for will in range(1, 6):
            choice = choose_style(skill, will)
            assert (choice.style, choice.stage) == (_style(skill, will), _stage(skill))


def test_reason_is_one_plain_sentence() -> None:
    assert choose_style(2, 4).reason == (
        "Skill 2 of 5 and will 4 of 5: keen but still learning, so guide them step "
        "by step."
    )
    for skill in range(1, 6):
        for will in range(1, 6):
            reason = choose_style(skill, will).reason
            assert reason.startswith(f"Skill {skill} of 5 and will {will} of 5: ")
            assert reason.endswith(".")
            assert reason.count(".") == 1


def test_each_style_has_its_own_reason() -> None:
    reasons = {
        choose_style(s, w).reason.split(": ")[1]
        for s, w in [(1, 1), (1, 5), (5, 1), (5, 5)]
    }
    assert len(reasons) == 4


def test_choice_is_a_frozen_value() -> None:
    choice = choose_style(4, 5)
    assert choice == StyleChoice("delegate", "release", choice.reason)
    with pytest.raises(AttributeError):
        choice.style = "direct"  # type: ignore[misc]


def test_whole_number_floats_are_fine() -> None:
    assert choose_style(4.0, 2.0).style == "excite"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("skill", "will", "message"),
    [
        (0, 3, "skill must be a whole number from 1 to 5, not 0"),
        (6, 3, "skill must be a whole number from 1 to 5, not 6"),
        (3, 0, "will must be a whole number from 1 to 5, not 0"),
        (3, 2.5, "will must be a whole number from 1 to 5, not 2.5"),
        (float("nan"), 3, "skill is missing"),
        (None, 3, "skill must be a whole number"),
        ("4", 3, "skill must be a whole number"),
        (True, 3, "skill must be a whole number"),
    ],
)
def test_scores_outside_one_to_five_are_refused(
    skill: object, will: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        choose_style(skill, will)  # type: ignore[arg-type]


def test_style_columns_fill_every_rated_row() -> None:
    frame = pd.DataFrame(
        {"rep": ["Ann", "Ben", "Cy"], "skill": [2, 4, None], "will": [4.0, 2.0, 3.0]}
    )
    out = style_columns(frame)
    assert out["style"].tolist() == ["guide", "excite", ""]
    assert out["stage"].tolist() == ["demonstrate", "release", ""]
    assert out["style_reason"].iloc[0] == choose_style(2, 4).reason
    assert out["style_reason"].iloc[2] == ""
    assert "style" not in frame.columns


def test_style_columns_refuse_a_bad_score() -> None:
    frame = pd.DataFrame({"skill": [2, 7], "will": [4, 4]})
    with pytest.raises(ValueError, match="skill must be a whole number from 1 to 5"):
        style_columns(frame)
