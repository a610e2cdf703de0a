"""The tick-box list that replaces a Ctrl-click multiple-choice list."""

from __future__ import annotations

from typing import Any

from coachkit.apps.checklist import CheckList

OPTIONS = [("Open the call", 1), ("Ask about budget", 2), ("Agree a next step", 3)]


def _boxes(picker: CheckList) -> list[Any]:
    return list(picker.children[0].children[1].children)


def test_each_click_adds_to_what_is_picked_without_dropping_the_rest() -> None:
    picker = CheckList(OPTIONS, description="Focus")
    heard: list[tuple[int, ...]] = []
    picker.observe(lambda change: heard.append(change["new"]), names="value")
    third, first = _boxes(picker)[2], _boxes(picker)[0]
    third.value = True
    first.value = True
    assert picker.value == (1, 3)  # in the options' order
    assert heard == [(3,), (1, 3)]
    third.value = False
    assert picker.value == (1,)


def test_setting_the_value_ticks_the_boxes_and_drops_what_is_not_offered() -> None:
    picker = CheckList(OPTIONS)
    picker.value = (2, 99)
    assert picker.value == (2,)
    assert [box.value for box in _boxes(picker)] == [False, True, False]


def test_new_options_keep_what_is_still_offered() -> None:
    picker = CheckList(OPTIONS)
    picker.value = (1, 2)
    picker.options = [("Ask about budget", 2), ("Handle objections", 4)]
    assert [box.description for box in _boxes(picker)] == [
        "Ask about budget",
        "Handle objections",
    ]
    assert [box.value for box in _boxes(picker)] == [True, False]
    assert picker.value == (2,)
