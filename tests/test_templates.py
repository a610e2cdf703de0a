"""The shipped templates load and read plainly; a broken file gets one clear error."""

from __future__ import annotations

import copy
import math
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from coachkit.errors import TemplateError
from coachkit.model.readability import grade_level
from coachkit.model.templates import (
    GROW_PARTS,
    SESSION_TYPE_KEYS,
    STAGE_KEYS,
    STYLE_KEYS,
    Framework,
    SessionGuides,
    load_framework,
    load_session_guides,
    templates_dir,
)

FILES = ("framework.yaml", "metrics.yaml", "session_guides.yaml")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write(path: Path, data: Any) -> None:
    path.write_text(yaml.dump(data, Dumper=_DUMPER, sort_keys=False), encoding="utf-8")


@pytest.fixture
def fork(tmp_path: Path) -> Path:
    """A folder holding a copy of every shipped template, free to break."""
    for name in FILES:
        shutil.copy(templates_dir() / name, tmp_path / name)
    return tmp_path


def _load(folder: Path, name: str) -> Framework | SessionGuides:
    if name == "session_guides.yaml":
        return load_session_guides(folder)
    return load_framework(folder)


def _error(folder: Path, name: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        _load(folder, name)
    return info.value


# --- the shipped templates -----------------------------------------------------------


def test_shipped_templates_load_with_real_content() -> None:
    framework = load_framework()
    guides = load_session_guides()

    assert [o.name for o in framework.objectives] == [
        "Gain access to the right buyers",
        "Hold meetings that move the process forward",
        "Create a shared vision of success",
        "Build a business case",
    ]
    assert math.isclose(sum(o.weight for o in framework.objectives), 1.0)
    assert all(o.weight > 0 for o in framework.objectives)
    metric_keys = {m.key for m in framework.metrics}
    for objective in framework.objectives:
        assert 3 <= len(objective.behaviours) <= 5, objective.key
        for behaviour in objective.behaviours:
            assert behaviour.objective_key == objective.key
            assert len(behaviour.rubric) == 5
            assert all(len(text) > 20 for text in behaviour.rubric), behaviour.key
            assert len(set(behaviour.rubric)) == 5, behaviour.key
            assert 1 <= behaviour.target_level <= 5
            assert behaviour.metrics, behaviour.key
            assert set(behaviour.metrics) <= metric_keys, behaviour.key
    keys = [b.key for b in framework.behaviours()]
    assert len(keys) == len(set(keys))

    for key in ("conversations", "buyer_action_rate", "win_rate", "quota_attainment"):
        assert framework.metric(key).name
    rates = [m for m in framework.metrics if m.kind == "rate"]
    assert {m.key for m in rates} >= {"buyer_action_rate", "meeting_advance_rate"}
    for rate in rates:
        assert framework.metric(rate.numerator or "").kind == "count"
        assert framework.metric(rate.denominator or "").kind == "count"

    assert [s.key for s in guides.styles] == list(STYLE_KEYS)
    assert [(s.skill, s.will) for s in guides.styles] == [
        ("low", "low"),
        ("low", "high"),
        ("high", "low"),
        ("high", "high"),
    ]
    for style in guides.styles:
        assert tuple(style.grow) == GROW_PARTS
        assert all(3 <= len(style.grow[part]) <= 4 for part in GROW_PARTS), style.key
        assert all(q.endswith("?") for part in GROW_PARTS for q in style.grow[part])
        assert all([style.when, style.approach, style.opening]), style.key
    assert [s.key for s in guides.stages] == list(STAGE_KEYS)
    assert all(s.coach_does and s.rep_does for s in guides.stages)
    assert sorted(t.key for t in guides.session_types) == sorted(SESSION_TYPE_KEYS)


def test_lookups_find_by_key_and_explain_unknown_keys() -> None:
    framework = load_framework()
    guides = load_session_guides()

    step = framework.behaviour("agree_next_step")
    assert step.objective_key == "advance_meetings"
    assert framework.objective("advance_meetings").behaviours[-1] == step
    assert step.level_text(1) == step.rubric[0]
    assert step.level_text(5) == step.rubric[4]
    assert framework.metric("win_rate").denominator == "opportunities"
    assert guides.style("delegate").will == "high"
    assert guides.stage("release").name == "Release"
    with pytest.raises(ValueError, match="1 to 5"):
        step.level_text(6)
    with pytest.raises(KeyError, match="agree_next_step"):
        framework.behaviour("agree_next_stpe")
    with pytest.raises(KeyError, match="no style"):
        guides.style("coach")


def test_templates_are_frozen_and_hashable() -> None:
    framework = load_framework()
    guides = load_session_guides()
    with pytest.raises(AttributeError):
        framework.objectives[0].weight = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        guides.style("direct").grow["goal"] = ()  # type: ignore[index]
    assert len({framework, load_framework()}) == 1
    assert len({guides, load_session_guides()}) == 1


def test_rubrics_and_grow_questions_read_at_grade_10_or_below() -> None:
    framework = load_framework()
    guides = load_session_guides()
    rubric = " ".join(t for b in framework.behaviours() for t in b.rubric)
    grow = " ".join(
        q for s in guides.styles for part in GROW_PARTS for q in s.grow[part]
    )
    for text in (rubric, grow):
        grade = grade_level(text)
        assert grade is not None
        assert grade <= 10


def test_a_fork_with_only_a_framework_uses_the_shipped_metrics(tmp_path: Path) -> None:
    shutil.copy(templates_dir() / "framework.yaml", tmp_path / "framework.yaml")
    assert load_framework(tmp_path).metrics == load_framework().metrics
    assert load_framework(tmp_path / "framework.yaml") == load_framework()


def test_a_framework_file_can_name_its_metrics_file(fork: Path) -> None:
    metrics = fork / "team_metrics.yaml"
    (fork / "metrics.yaml").rename(metrics)
    framework = load_framework(fork / "framework.yaml", metrics_path=metrics)
    assert framework.metric("win_rate").kind == "rate"


# --- broken files: one error naming the file and the exact field ----------------------


def _set(*path: Any, value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for step in path[:-1]:
            data = data[step]
        data[path[-1]] = value

    return change


def _drop(*path: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        for step in path[:-1]:
            data = data[step]
        del data[path[-1]]

    return change


def _swap(name: str, i: int, j: int) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        items = data[name]
        items[i], items[j] = items[j], items[i]

    return change


F, M, G = FILES
BEHAVIOUR = ("objectives", 1, "behaviours", 2)
BROKEN = [
    (F, _drop(*BEHAVIOUR, "rubric", 4), "objectives[1].behaviours[2].rubric.4",
     "is missing"),
    (F, _set(*BEHAVIOUR, "rubric", 6, value="Does it all."),
     "objectives[1].behaviours[2].rubric.6", "is not a rubric level"),
    (F, _set(*BEHAVIOUR, "rubric", 3, value="  "),
     "objectives[1].behaviours[2].rubric.3", "is empty"),
    (F, _set(*BEHAVIOUR, "rubric", value=["a", "b", "c", "d", "e"]),
     "objectives[1].behaviours[2].rubric", "must map the levels 1 to 5 to text"),
    (F, _set(*BEHAVIOUR, "target_level", value="high"),
     "objectives[1].behaviours[2].target_level",
     "must be a whole number from 1 to 5, got 'high'"),
    (F, _set(*BEHAVIOUR, "target_level", value=6),
     "objectives[1].behaviours[2].target_level", "from 1 to 5, got 6"),
    (F, _set(*BEHAVIOUR, "target_level", value=3.5),
     "objectives[1].behaviours[2].target_level", "from 1 to 5, got 3.5"),
    (F, _set(*BEHAVIOUR, "metrics", 1, value="foo"),
     "objectives[1].behaviours[2].metrics[1]",
     "names metric 'foo', which metrics.yaml does not define"),
    (F, _set(*BEHAVIOUR, "metrics", value=[]),
     "objectives[1].behaviours[2].metrics", "at least one entry"),
    (F, _set(*BEHAVIOUR, "key", value="set_agenda"),
     "objectives[1].behaviours[2].key",
     "repeats 'set_agenda', which objectives[1].behaviours[0] already uses"),
    (F, _set("objectives", 2, "behaviours", 0, "key", value="research_account"),
     "objectives[2].behaviours[0].key", "repeats 'research_account'"),
    (F, _set(*BEHAVIOUR, "key", value="Handle Objections"),
     "objectives[1].behaviours[2].key", "must be snake_case"),
    (F, _drop(*BEHAVIOUR, "description"), "objectives[1].behaviours[2].description",
     "is missing"),
    (F, _set(*BEHAVIOUR, "name", value=2024), "objectives[1].behaviours[2].name",
     "must be text, got 2024; put it in quotes"),
    (F, _set(*BEHAVIOUR, "rubrik", value={}), "objectives[1].behaviours[2].rubrik",
     "is not a known field; did you mean 'rubric'? allowed fields are key, name,"),
    (F, _set("objectives", 3, "weight", value=-0.2), "objectives[3].weight",
     "weights must be positive"),
    (F, _set("objectives", 3, "weight", value="high"), "objectives[3].weight",
     "must be a number, got 'high'"),
    (F, _set("objectives", 0, "weight", value=0.4), "objectives",
     "weights add up to 1.1; they must add up to 1"),
    (F, _set("objectives", 0, "behaviours", value=[]), "objectives[0].behaviours",
     "at least one entry"),
    (F, _set("objectives", 0, "behaviors", value=[]), "objectives[0].behaviors",
     "did you mean 'behaviours'?"),
    (F, _set("objectives", 3, "key", value="gain_access"), "objectives[3].key",
     "repeats 'gain_access', which objectives[0] already uses"),
    (F, _set("objectives", 2, value="shared_vision"), "objectives[2]",
     "must be a mapping with the fields key, name, description, weight, behaviours"),
    (F, _drop("objectives"), "objectives", "is missing"),
    (M, _drop("metrics", 2, "numerator"), "metrics[2].numerator", "is missing"),
    (M, _set("metrics", 2, "numerator", value="replies"), "metrics[2].numerator",
     "names metric 'replies', which is not defined in this file"),
    (M, _set("metrics", 2, "denominator", value="win_rate"), "metrics[2].denominator",
     "names metric 'win_rate', which is a rate"),
    (M, _set("metrics", 0, "numerator", value="meetings"), "metrics[0].numerator",
     "is only for rates, but kind is 'count'"),
    (M, _set("metrics", 0, "kind", value="ratio"), "metrics[0].kind",
     "must be one of count, rate, percent, got 'ratio'"),
    (M, _set("metrics", 0, "higher_is_better", value="yes"),
     "metrics[0].higher_is_better", "must be true or false, got 'yes'"),
    (M, _set("metrics", 1, "key", value="conversations"), "metrics[1].key",
     "repeats 'conversations', which metrics[0] already uses"),
    (M, _set("metrics", 0, "units", value="per week"), "metrics[0].units",
     "did you mean 'unit'?"),
    (G, _swap("styles", 1, 2), "styles[1].key",
     "is 'excite', but 'guide' belongs here"),
    (G, _drop("styles", 3), "styles", "missing: delegate"),
    (G, _set("styles", 0, "key", value="coach"), "styles[0].key",
     "must be one of direct, guide, excite, delegate, got 'coach'"),
    (G, _set("styles", 0, "skill", value="high"), "styles[0].skill",
     "must be 'low' for the direct style, got 'high'"),
    (G, _set("styles", 3, "will", value="medium"), "styles[3].will",
     "must be one of low, high, got 'medium'"),
    (G, _drop("styles", 2, "grow", "options"), "styles[2].grow.options",
     "is missing"),
    (G, _set("styles", 3, "grow", "will", 1, value=""), "styles[3].grow.will[1]",
     "is empty"),
    (G, _set("styles", 1, "grow", "reality", value="How are you?"),
     "styles[1].grow.reality", "must be a list with at least one entry"),
    (G, _set("stages", 1, "key", value="practice"), "stages[1].key",
     "must be one of demonstrate, prompt, release, got 'practice'"),
    (G, _set("stages", 0, "coach", value="Shows it."), "stages[0].coach",
     "did you mean 'coach_does'?"),
    (G, _set("session_types", 3, "key", value="call_review"),
     "session_types[3].key", "repeats 'call_review'"),
    (G, _drop("session_types", 1), "session_types", "missing: ride_along"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "field", "problem"),
    BROKEN,
    ids=[f"{name}:{field}" for name, _, field, _ in BROKEN],
)
def test_a_broken_field_is_named_with_its_path(
    fork: Path, name: str, change: Callable[[Any], None], field: str, problem: str
) -> None:
    path = fork / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    _write(path, data)

    error = _error(fork, name)

    assert (error.path, error.field) == (str(path), field)
    assert str(error).startswith(f"{path}: field '{field}' ")
    assert problem in error.problem


def test_a_metric_the_framework_needs_cannot_vanish(fork: Path) -> None:
    path = fork / "metrics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["metrics"] = [m for m in data["metrics"] if m["key"] != "avg_deal_size"]
    _write(path, data)

    error = _error(fork, "framework.yaml")

    assert error.path == str(fork / "framework.yaml")
    assert error.field == "objectives[3].behaviours[0].metrics[2]"
    assert (
        error.problem
        == "names metric 'avg_deal_size', which metrics.yaml does not define"
    )


def test_invalid_yaml_reports_the_line(fork: Path) -> None:
    path = fork / "framework.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "weight: 0.3" in line)
    lines[number] = "    weight: [0.3"
    path.write_text("\n".join(lines), encoding="utf-8")

    error = _error(fork, "framework.yaml")

    assert (error.path, error.field) == (str(path), "(file)")
    assert error.problem.startswith("is not valid YAML at line ")
    reported = int(error.problem.split("at line ")[1].split(",")[0])
    assert number + 1 <= reported <= number + 3


def test_a_key_written_twice_is_rejected_not_silently_dropped(fork: Path) -> None:
    path = fork / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("          4: ")
    line = text[first : text.index("\n", first) + 1]
    path.write_text(text.replace(line, line + line, 1), encoding="utf-8")

    error = _error(fork, "framework.yaml")

    assert error.field == "objectives[0].behaviours[0].rubric.4"
    assert error.problem.startswith("is written twice, on lines ")


def test_a_missing_file_says_the_path_does_not_exist(tmp_path: Path) -> None:
    for load, path in [
        (load_framework, tmp_path / "nope.yaml"),
        (load_framework, tmp_path / "framework.yaml"),
        (load_session_guides, tmp_path / "session_guides.yaml"),
    ]:
        with pytest.raises(TemplateError) as info:
            load(path.parent if path.name != "nope.yaml" else path)
        assert info.value.path == str(path)
        assert info.value.field == "(file)"
        assert "this path does not exist" in str(info.value)


def test_a_missing_metrics_file_is_named(fork: Path) -> None:
    gone = fork / "gone.yaml"
    with pytest.raises(TemplateError, match="this path does not exist") as info:
        load_framework(fork, metrics_path=gone)
    assert info.value.path == str(gone)


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("", "(file)", "is empty"),
        ("# only a comment\n", "(file)", "is empty"),
        ("- a\n- b\n", "(top level)", "must be a mapping with the fields"),
        ("styles: []\n", "stages", "is missing"),
        ("nmae: x\n", "nmae", "is not a known field"),
        ("styles: !!python/object:os.system {}\n", "(file)", "is not valid YAML"),
    ],
)
def test_a_file_of_the_wrong_shape_gets_one_clear_error(
    tmp_path: Path, text: str, field: str, problem: str
) -> None:
    path = tmp_path / "session_guides.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_session_guides(path)
    assert info.value.field == field
    assert problem in info.value.problem


def test_a_file_that_is_not_text_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "framework.yaml"
    path.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(TemplateError, match="cannot be read"):
        load_framework(path)


# --- no malformed input escapes as a raw exception ---------------------------------

JUNK: list[Any] = [None, 7, True, "x", [], [1], {"a": 1}]


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field path in ``data``, visiting only the first item of each list."""
    if path:
        yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list) and data:
        yield from _paths(data[0], (*path, 0))


@pytest.mark.parametrize("name", FILES)
def test_any_field_replaced_by_junk_gives_a_template_error(
    fork: Path, name: str
) -> None:
    path = fork / name
    original = yaml.safe_load(path.read_text(encoding="utf-8"))
    for field_path in list(_paths(original)):
        for junk in JUNK:
            data = copy.deepcopy(original)
            _set(*field_path, value=junk)(data)
            _write(path, data)
            try:
                _load(fork, name)
            except TemplateError:
                pass
            except Exception as exc:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{name} {field_path} = {junk!r} raised {exc!r}")
