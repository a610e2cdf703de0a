"""Fuzzing the template loader: any file gives a framework (or session guides) or one
TemplateError naming the file and a field, never a traceback.

The inputs are random YAML documents, random text and bytes, and mutations of the
shipped templates (a key deleted, a value of the wrong type, an unknown field, an
entry repeated, a line copied or cut). :func:`framework_problems` must never raise for
a file it can read, and must agree with :func:`load_framework` about the first problem.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from coachkit.errors import TemplateError
from coachkit.model.templates import (
    Framework,
    SessionGuides,
    framework_problems,
    load_framework,
    load_session_guides,
    templates_dir,
)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SHIPPED = templates_dir()
FRAMEWORK = yaml.safe_load((SHIPPED / "framework.yaml").read_text(encoding="utf-8"))
METRICS = yaml.safe_load((SHIPPED / "metrics.yaml").read_text(encoding="utf-8"))
GUIDES = yaml.safe_load((SHIPPED / "session_guides.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A template folder each example overwrites (one per module, for speed)."""
    path = tmp_path_factory.mktemp("fuzz-templates")
    for name in ("framework.yaml", "metrics.yaml", "session_guides.yaml"):
        shutil.copy(SHIPPED / name, path / name)
    return path


# --- values and mutations ---

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["", "  ", "3", "²", "٣", "0.5", "Not_Snake", "rate", "low"]),
    st.dates(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(0, 6)), inner, max_size=4
        ),
    ),
    max_leaves=8,
)

_KEYS = st.one_of(
    st.text(min_size=1, max_size=10),
    st.integers(-1, 7),
    st.sampled_from(["²", "٣", "03", "key", "weight", "metrics", "Name"]),
)
_RUBRIC = FRAMEWORK["objectives"][0]["behaviours"][0]["rubric"]


def _with_rubric(rubric: dict[Any, Any]) -> Any:
    tree = copy.deepcopy(FRAMEWORK)
    tree["objectives"][0]["behaviours"][0]["rubric"] = rubric
    return tree


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a YAML tree: keys of mappings and indexes of lists."""
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


def _parent(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


@st.composite
def mutated(draw: st.DrawFn, shipped: Any) -> Any:
    """The shipped tree with one to three random changes."""
    tree = copy.deepcopy(shipped)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(tree)))
        op = draw(st.sampled_from(["delete", "replace", "add", "repeat"]))
        if not path:  # the whole document
            tree = draw(_VALUES) if op == "replace" else tree
            continue
        parent, last = _parent(tree, path), path[-1]
        if op == "delete":
            del parent[last]
        elif op == "replace":
            parent[last] = draw(_VALUES)
        elif op == "add" and isinstance(parent[last], dict):
            parent[last][draw(_KEYS)] = draw(_VALUES)
        elif op == "repeat" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        if not isinstance(tree, dict | list):
            break
    return tree


def _dump(tree: Any) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


@st.composite
def edited_text(draw: st.DrawFn, name: str) -> str:
    """The shipped file's text with a line copied, cut, or replaced by random text."""
    lines = (SHIPPED / name).read_text(encoding="utf-8").splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["copy", "cut", "replace", "insert"]))
    if op == "copy":
        lines.insert(i, lines[i])
    elif op == "cut":
        del lines[i]
    elif op == "replace":
        lines[i] = draw(st.text(max_size=40))
    else:
        lines.insert(i, draw(st.text(max_size=40)))
    return "\n".join(lines) + "\n"


# --- the properties ---

T = TypeVar("T")
#: Where a problem is: the file, its top level, or a line and a place in words.
_PLACE = re.compile(r"\(file\)|\(top level\)|line [1-9]\d*, .+", re.DOTALL)


def attempt(call: Callable[[], T]) -> T | TemplateError:
    """The call's result, or the TemplateError it raised (any other error fails)."""
    try:
        return call()
    except TemplateError as exc:
        return exc


def check_framework(folder: Path, text: str | bytes) -> None:
    """Load it: a Framework or one TemplateError naming the file and a field; the
    list of every problem agrees."""
    file = folder / "framework.yaml"
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    framework = attempt(lambda: load_framework(folder))
    if isinstance(framework, Framework):
        event("loaded")
        assert framework.objectives
        assert framework_problems(folder) == ()
        return
    event(f"refused: {framework.field.split('.')[0].split('[')[0]}")
    assert framework.path in (str(file), str(folder / "metrics.yaml"))
    assert _PLACE.fullmatch(framework.field), framework.field
    assert str(framework).startswith(f"{framework.path}: {framework.field} ")
    problems = framework_problems(folder)
    assert problems, "load_framework refused it, but framework_problems found none"
    assert str(problems[0]) == str(framework)


@FUZZ
@given(tree=mutated(FRAMEWORK))
@example(tree={**FRAMEWORK, "objectives": "none"})
@example(tree={**FRAMEWORK, "name": 3})
@example(tree=_with_rubric({**_RUBRIC, "²": "x"}))  # was a ValueError from int("²")
def test_mutated_framework(folder: Path, tree: Any) -> None:
    check_framework(folder, _dump(tree))


@FUZZ
@given(text=edited_text("framework.yaml"))
def test_edited_framework_text(folder: Path, text: str) -> None:
    check_framework(folder, text)


@settings(FUZZ, max_examples=60)
@given(
    doc=st.one_of(
        _VALUES.map(_dump),
        st.text(max_size=200),
        st.binary(max_size=200),
    )
)
@example(doc=b"\xff\xfe")
@example(doc="")
@example(doc="a: &x [*x]\n")
@example(doc="a: 1\na: 2\n")
@example(doc="? [a]\n: b\n")
@example(doc="'': 1\n")  # was the place "line 1, " with nothing after it
def test_random_framework_document(folder: Path, doc: str | bytes) -> None:
    check_framework(folder, doc)


@FUZZ
@given(tree=mutated(METRICS))
def test_mutated_metrics(folder: Path, tree: Any) -> None:
    (folder / "metrics.yaml").write_text(_dump(tree), encoding="utf-8")
    try:
        check_framework(folder, _dump(FRAMEWORK))
    finally:
        shutil.copy(SHIPPED / "metrics.yaml", folder / "metrics.yaml")


def check_guides(folder: Path, text: str) -> None:
    file = folder / "session_guides.yaml"
    file.write_text(text, encoding="utf-8")
    guides = attempt(lambda: load_session_guides(file))
    if isinstance(guides, SessionGuides):
        event("loaded")
        assert [g.key for g in guides.styles] == [
            "direct",
            "guide",
            "excite",
            "delegate",
        ]
        return
    event("refused")
    assert guides.path == str(file)
    assert _PLACE.fullmatch(guides.field), guides.field
    assert str(guides).startswith(f"{file}: {guides.field} ")


@FUZZ
@given(tree=mutated(GUIDES))
def test_mutated_session_guides(folder: Path, tree: Any) -> None:
    check_guides(folder, _dump(tree))


@settings(FUZZ, max_examples=60)
@given(text=st.one_of(edited_text("session_guides.yaml"), _VALUES.map(_dump)))
def test_edited_session_guides(folder: Path, text: str) -> None:
    check_guides(folder, text)


def test_the_shipped_templates_still_load(folder: Path) -> None:
    """The fuzz baseline: unmutated files load, so a refusal is the mutation's doing."""
    shutil.copy(SHIPPED / "framework.yaml", folder / "framework.yaml")
    assert load_framework(folder).objectives
    assert framework_problems(folder) == ()
    assert load_session_guides(SHIPPED).styles


@pytest.mark.parametrize("level", ["²", "٣"])
def test_a_rubric_level_in_other_digits_is_named(folder: Path, level: str) -> None:
    """Found by fuzzing: "²" crashed with a ValueError, and "٣" silently replaced
    the text of level 3."""
    (folder / "framework.yaml").write_text(
        _dump(_with_rubric({**_RUBRIC, level: "x"})), encoding="utf-8"
    )
    place = f"objective 1, behaviour 1, rubric level {level}"
    with pytest.raises(TemplateError, match="use the levels 1 to 5") as caught:
        load_framework(folder)
    assert re.fullmatch(rf"line \d+, {place}", caught.value.field)
    assert [p.field for p in framework_problems(folder)] == [caught.value.field]
