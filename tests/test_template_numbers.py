"""Numbers in a framework template (#23): a total that is 1 give or take rounding
loads, a total that is not says by how much, and 1e-1 is a number."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coachkit.errors import TemplateError
from coachkit.model.templates import METRIC_RANGES, load_framework, templates_dir


def _fork(tmp_path: Path, *weights: str) -> Path:
    """The shipped framework with its four objective weights written as given."""
    shutil.copy(templates_dir() / "metrics.yaml", tmp_path / "metrics.yaml")
    text = (templates_dir() / "framework.yaml").read_text(encoding="utf-8")
    parts = text.split("    weight: ")
    assert len(parts) == len(weights) + 1
    rebuilt = parts[0] + "".join(
        f"    weight: {w}{rest[rest.index(chr(10)) :]}"
        for w, rest in zip(weights, parts[1:], strict=True)
    )
    (tmp_path / "framework.yaml").write_text(rebuilt, encoding="utf-8")
    return tmp_path


def test_weights_adding_up_to_1_give_or_take_rounding_load(tmp_path: Path) -> None:
    framework = load_framework(_fork(tmp_path, "0.3000015", "0.3", "0.2", "0.2"))
    assert [o.weight for o in framework.objectives] == [0.3000015, 0.3, 0.2, 0.2]
    load_framework(_fork(tmp_path, "0.3333", "0.3333", "0.3334", "1e-300"))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            ("0.3015", "0.3", "0.2", "0.2"),
            "weights add up to 1.0015; they must add up to 1 (take 0.0015 off)",
        ),
        (
            ("0.3", "0.3", "0.2", "0.1"),
            "weights add up to 0.9; they must add up to 1 (add 0.1)",
        ),
    ],
)
def test_weights_off_by_more_than_rounding_say_by_how_much(
    tmp_path: Path, weights: tuple[str, ...], message: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        load_framework(_fork(tmp_path, *weights))
    assert message in str(caught.value)


def test_a_weight_in_e_notation_is_a_number(tmp_path: Path) -> None:
    # YAML 1.1 reads 3e-1 (no dot) as text; coachkit reads it as 0.3.
    framework = load_framework(_fork(tmp_path, "3e-1", "0.3", "0.2", "0.2"))
    assert framework.objectives[0].weight == pytest.approx(0.3)


def test_a_weight_that_is_text_says_so(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        load_framework(_fork(tmp_path, "high", "0.3", "0.2", "0.2"))
    assert (
        "must be a number, got 'high'; that is text, write a number such as 0.25"
    ) in str(caught.value)


def test_metric_ranges_cover_every_kind() -> None:
    assert METRIC_RANGES["count"][0] == 0
    assert METRIC_RANGES["rate"] == (0, 1)
    assert METRIC_RANGES["percent"] == (0, 10)  # 0.87 is 87%; up to 1,000%
