"""The shipped templates load and read plainly; a broken file gets one clear error."""

from __future__ import annotations

import copy
import math
import re
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
B = "objective 2, behaviour 3"  # BEHAVIOUR in words, counting from 1
BROKEN = [
    (F, _set(*BEHAVIOUR, "trackers", value=[]), f"{B}, trackers",
     "must be a list with at least one entry, got an empty list"),
    (F, _set(*BEHAVIOUR, "trackers", 1, value="x" * 81), f"{B}, tracker 2",
     "is 81 characters long; a phrase may have 80"),
    (F, _set(*BEHAVIOUR, "trackers", 1, value="WHAT'S   behind"), f"{B}, tracker 2",
     "repeats 'WHAT'S behind' (case does not matter); keep one"),
    (F, _set(*BEHAVIOUR, "trackers", 2, value="?!"), f"{B}, tracker 3",
     "'?!' has no letters or digits, so it would match nothing"),
    (F, _set(*BEHAVIOUR, "trackers", 0, value=12), f"{B}, tracker 1",
     "must be text, got 12; put it in quotes"),
    (F, _set(*BEHAVIOUR, "trackers", value="next step"), f"{B}, trackers",
     "must be a list with at least one entry"),
    (F, _drop(*BEHAVIOUR, "rubric", 4), f"{B}, rubric level 4", "is missing"),
    (F, _set(*BEHAVIOUR, "rubric", 6, value="Does it all."),
     f"{B}, rubric level 6", "is not allowed; use the levels 1 to 5"),
    (F, _set(*BEHAVIOUR, "rubric", 3, value="  "), f"{B}, rubric level 3",
     "is empty"),
    (F, _set(*BEHAVIOUR, "rubric", value=["a", "b", "c", "d", "e"]), f"{B}, rubric",
     "must give the words for each level from 1 to 5, one per line such as "
     "'1: Never asks', got a list"),
    (F, _set(*BEHAVIOUR, "target_level", value="high"), f"{B}, target_level",
     "must be a whole number from 1 to 5, got 'high'"),
    (F, _set(*BEHAVIOUR, "target_level", value=6), f"{B}, target_level",
     "from 1 to 5, got 6"),
    (F, _set(*BEHAVIOUR, "target_level", value=3.5), f"{B}, target_level",
     "from 1 to 5, got 3.5"),
    (F, _set(*BEHAVIOUR, "metrics", 1, value="foo"), f"{B}, metric 2",
     "names metric 'foo', which metrics.yaml does not define"),
    (F, _set(*BEHAVIOUR, "metrics", value=[]), f"{B}, metrics",
     "at least one entry"),
    (F, _set(*BEHAVIOUR, "key", value="set_agenda"), f"{B}, key",
     "repeats 'set_agenda', which objective 2, behaviour 1 (line "),
    (F, _set("objectives", 2, "behaviours", 0, "key", value="research_account"),
     "objective 3, behaviour 1, key",
     "repeats 'research_account', which objective 1, behaviour 1 (line "),
    (F, _set(*BEHAVIOUR, "key", value="Handle Objections"), f"{B}, key",
     "must use only lower-case letters, digits and _, starting with a letter "
     "(such as handle_objections), got 'Handle Objections'"),
    (F, _drop(*BEHAVIOUR, "description"), f"{B}, description", "is missing"),
    (F, _set(*BEHAVIOUR, "name", value=2024), f"{B}, name",
     "must be text, got 2024; put it in quotes"),
    (F, _set(*BEHAVIOUR, "rubrik", value={}), f"{B}, rubrik",
     "is not a known field; did you mean 'rubric'? allowed fields are key, name,"),
    (F, _set("objectives", 3, "weight", value=-0.2), "objective 4, weight",
     "weights must be positive"),
    (F, _set("objectives", 3, "weight", value="high"), "objective 4, weight",
     "must be a number, got 'high'"),
    (F, _set("objectives", 0, "weight", value=0.4), "objectives",
     "weights add up to 1.1; they must add up to 1"),
    (F, _set("objectives", 0, "behaviours", value=[]), "objective 1, behaviours",
     "at least one entry"),
    (F, _set("objectives", 0, "behaviors", value=[]), "objective 1, behaviors",
     "did you mean 'behaviours'?"),
    (F, _set("objectives", 3, "key", value="gain_access"), "objective 4, key",
     "repeats 'gain_access', which objective 1 (line "),
    (F, _set("objectives", 2, value="shared_vision"), "objective 3",
     "must hold the fields key, name, description, weight, behaviours, "
     "got 'shared_vision'"),
    (F, _drop("objectives"), "objectives", "is missing"),
    (M, _drop("metrics", 2, "numerator"), "metric 3, numerator", "is missing"),
    (M, _set("metrics", 2, "numerator", value="replies"), "metric 3, numerator",
     "names metric 'replies', which is not defined in this file"),
    (M, _set("metrics", 2, "denominator", value="win_rate"), "metric 3, denominator",
     "names metric 'win_rate', which is a rate"),
    (M, _set("metrics", 0, "numerator", value="meetings"), "metric 1, numerator",
     "is only for rates, but kind is 'count'"),
    (M, _set("metrics", 0, "kind", value="ratio"), "metric 1, kind",
     "must be one of count, rate, percent, got 'ratio'; did you mean 'rate'?"),
    (M, _set("metrics", 0, "higher_is_better", value="yes"),
     "metric 1, higher_is_better", "must be true or false, got 'yes'"),
    (M, _set("metrics", 1, "key", value="conversations"), "metric 2, key",
     "repeats 'conversations', which metric 1 (line "),
    (M, _set("metrics", 0, "units", value="per week"), "metric 1, units",
     "did you mean 'unit'?"),
    (G, _swap("styles", 1, 2), "style 2, key",
     "is 'excite', but 'guide' belongs here"),
    (G, _drop("styles", 3), "styles", "missing: delegate"),
    (G, _set("styles", 0, "key", value="coach"), "style 1, key",
     "must be one of direct, guide, excite, delegate, got 'coach'"),
    (G, _set("styles", 0, "skill", value="high"), "style 1, skill",
     "must be 'low' for the direct style, got 'high'"),
    (G, _set("styles", 3, "will", value="medium"), "style 4, will",
     "must be one of low, high, got 'medium'"),
    (G, _drop("styles", 2, "grow", "options"), "style 3, grow, options",
     "is missing"),
    (G, _set("styles", 3, "grow", "will", 1, value=""),
     "style 4, grow, will, question 2", "is empty"),
    (G, _set("styles", 1, "grow", "reality", value="How are you?"),
     "style 2, grow, reality", "must be a list with at least one entry"),
    (G, _set("stages", 1, "key", value="practice"), "stage 2, key",
     "must be one of demonstrate, prompt, release, got 'practice'"),
    (G, _set("stages", 0, "coach", value="Shows it."), "stage 1, coach",
     "did you mean 'coach_does'?"),
    (G, _set("session_types", 3, "key", value="call_review"),
     "session type 4, key", "repeats 'call_review'"),
    (G, _drop("session_types", 1), "session_types", "missing: ride_along"),
]  # fmt: skip


def _break(folder: Path, name: str, change: Callable[[Any], None]) -> Path:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    _write(path, data)
    return path


@pytest.mark.parametrize(
    ("name", "change", "place", "problem"),
    BROKEN,
    ids=[f"{name}:{place}" for name, _, place, _ in BROKEN],
)
def test_a_broken_field_is_named_in_words_with_its_line(
    fork: Path, name: str, change: Callable[[Any], None], place: str, problem: str
) -> None:
    path = _break(fork, name, change)

    error = _error(fork, name)

    assert error.path == str(path)
    assert re.fullmatch(rf"line \d+, {re.escape(place)}", error.field), error.field
    assert str(error).startswith(f"{path}: {error.field} ")
    assert problem in error.problem
    assert "[" not in str(error), "positions are said in words, not as [0]"


# Each problem's line holds the thing it is about: (file, change, text on that line).
LINES = [
    (F, _set(*BEHAVIOUR, "metrics", 1, value="coffee_breaks"), "- coffee_breaks"),
    (F, _set(*BEHAVIOUR, "target_level", value=6), "target_level: 6"),
    (F, _set(*BEHAVIOUR, "key", value="set_agenda"), "- key: set_agenda"),
    (F, _set("objectives", 3, "key", value="gain_access"), "- key: gain_access"),
    (F, _set("objectives", 0, "weight", value=0.4), "objectives:"),
    (F, _drop(*BEHAVIOUR, "rubric", 4), "rubric:"),
    (F, _drop(*BEHAVIOUR, "description"), "- key: handle_objections"),
    (M, _set("metrics", 2, "numerator", value="replies"), "numerator: replies"),
    (M, _set("metrics", 0, "kind", value="ratio"), "kind: ratio"),
    (G, _set("styles", 3, "grow", "will", 1, value=""), "- ''"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "change", "text"), LINES, ids=[text for _, _, text in LINES]
)
def test_a_problem_names_the_line_that_holds_it(
    fork: Path, name: str, change: Callable[[Any], None], text: str
) -> None:
    """Not just bad YAML: a wrong value, a repeated key or a bad total is found by
    its line too, counted from 1 as an editor counts."""
    path = _break(fork, name, change)

    error = _error(fork, name)

    line = int(error.field.split(",")[0].removeprefix("line "))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == text


def test_a_repeated_key_names_the_line_of_the_first_one(fork: Path) -> None:
    path = _break(fork, F, _set(*BEHAVIOUR, "key", value="set_agenda"))
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("  - key: set_agenda") + 1

    error = _error(fork, F)

    assert error.problem == (
        f"repeats 'set_agenda', which objective 2, behaviour 1 (line {first}) "
        "already uses; keys must be unique"
    )


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        (F, _set(*BEHAVIOUR, "metrics", 0, value="conversation"),
         "names metric 'conversation', which metrics.yaml does not define; "
         "did you mean 'conversations'?"),
        (F, _set(*BEHAVIOUR, "metrics", 0, value="win_rates"),
         "names metric 'win_rates', which metrics.yaml does not define; "
         "did you mean 'win_rate'?"),
        (M, _set("metrics", 2, "numerator", value="conversation"),
         "names metric 'conversation', which is not defined in this file; did "
         "you mean 'conversations'?; a rate divides two count metrics"),
        (M, _set("metrics", 0, "kind", value="rates"),
         "must be one of count, rate, percent, got 'rates'; did you mean 'rate'?"),
        (G, _set("styles", 0, "skill", value="lo"),
         "must be one of low, high, got 'lo'; did you mean 'low'?"),
    ],
    ids=["metric", "metric plural", "numerator", "kind", "skill"],
)  # fmt: skip
def test_a_near_miss_gets_did_you_mean(
    fork: Path, name: str, change: Callable[[Any], None], problem: str
) -> None:
    _break(fork, name, change)
    assert _error(fork, name).problem == problem


def test_a_far_miss_gets_no_guess(fork: Path) -> None:
    _break(fork, F, _set(*BEHAVIOUR, "metrics", 0, value="zzz"))
    error = _error(fork, F)
    assert error.problem == "names metric 'zzz', which metrics.yaml does not define"


def test_a_metric_the_framework_needs_cannot_vanish(fork: Path) -> None:
    path = fork / "metrics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["metrics"] = [m for m in data["metrics"] if m["key"] != "avg_deal_size"]
    _write(path, data)

    error = _error(fork, "framework.yaml")

    text = (fork / "framework.yaml").read_text(encoding="utf-8").splitlines()
    line = 1 + next(i for i, t in enumerate(text) if "avg_deal_size" in t)
    assert error.path == str(fork / "framework.yaml")
    assert error.field == f"line {line}, objective 4, behaviour 1, metric 3"
    assert error.problem.startswith(
        "names metric 'avg_deal_size', which metrics.yaml does not define"
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
    number = text[:first].count("\n") + 1

    error = _error(fork, "framework.yaml")

    assert error.field == f"line {number}, objective 1, behaviour 1, rubric level 4"
    assert error.problem == (
        f"is written twice, on lines {number} and {number + 1}; keep one"
    )


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
        ("- a\n- b\n", "(top level)", "must hold the fields styles, stages,"),
        ("styles: []\n", "line 1, stages", "is missing"),
        ("nmae: x\n", "line 1, nmae", "is not a known field"),
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


def test_the_readme_example_of_a_place_is_what_a_user_sees(fork: Path) -> None:
    path = fork / "framework.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("      - key: handle_objections")
    four = next(i for i, t in enumerate(lines) if i > start and "    4: " in t)
    lines[four] = "          4: ''"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    error = _error(fork, "framework.yaml")

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert f"`{error.field}`" in readme
    assert error.problem == "is empty"
