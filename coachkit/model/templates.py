"""Coaching templates: the framework, its metrics and the session guides.

The templates are YAML files (``framework.yaml``, ``metrics.yaml`` and
``session_guides.yaml``) that a team can copy and edit. This module is the one place
where they become frozen dataclasses. Any problem in a file raises one
:class:`~coachkit.errors.TemplateError` that names the file and the place in plain
words, counting from 1, with the line it starts on, such as
``line 57, objective 2, behaviour 3, rubric level 4``; :func:`framework_problems`
lists every problem in a framework instead of stopping at the first.

Inside, a place is a tuple of steps (``("objectives", 1, "rubric", "4")``: field
names, and list positions counted from 0); :func:`_spoken` says it in words and the
line comes from the YAML nodes, which carry their position in the file.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from coachkit.errors import TemplateError
from coachkit.model.tracker_phrases import clean_phrase, phrase_problem

METRIC_KINDS = ("count", "rate", "percent")
#: The values a metric of each kind can hold, as stored (lowest, highest). A count
#: is never below 0; a rate is a share from 0 to 1; a percent is stored as a share
#: too (0.87 means 87%) and may pass 100% (quota attainment does), up to 10
#: (1,000%), which no real team reaches.
METRIC_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"count": (0.0, math.inf), "rate": (0.0, 1.0), "percent": (0.0, 10.0)}
)
GROW_PARTS = ("goal", "reality", "options", "will")
STYLE_KEYS = ("direct", "guide", "excite", "delegate")
STAGE_KEYS = ("demonstrate", "prompt", "release")
SESSION_TYPE_KEYS = ("call_review", "ride_along", "skill_practice", "one_on_one")
# The skill/will matrix: style -> (skill, will).
_MATRIX = {
    "direct": ("low", "low"),
    "guide": ("low", "high"),
    "excite": ("high", "low"),
    "delegate": ("high", "high"),
}
_LEVELS = (1, 2, 3, 4, 5)
#: How far the objective weights may be from adding up to 1: rounding, such as
#: three weights of 0.3333, is fine.
WEIGHT_SLACK = 0.001
_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_EXPONENT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")
#: How one entry of each list is called when a message names it.
_ITEMS = {
    "objectives": "objective",
    "behaviours": "behaviour",
    "metrics": "metric",
    "styles": "style",
    "stages": "stage",
    "session_types": "session type",
    "trackers": "tracker",
}


@dataclass(frozen=True)
class Metric:
    """A number that shows whether a behaviour pays off; a rate is count / count."""

    key: str
    name: str
    unit: str
    kind: str
    higher_is_better: bool
    numerator: str | None = None
    denominator: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Behaviour:
    """Something a rep does, scored 1-5 against a rubric of observable levels."""

    key: str
    name: str
    description: str
    objective_key: str
    target_level: int
    rubric: tuple[str, str, str, str, str]
    metrics: tuple[str, ...]
    #: Phrases that point to it in a call transcript (``trackers:``; optional).
    trackers: tuple[str, ...] = ()

    def level_text(self, level: int) -> str:
        """Return what you would see the rep do at ``level``.

        Parameters
        ----------
        level
            A whole number from 1 to 5.

        Raises
        ------
        ValueError
            If ``level`` is not a whole number from 1 to 5.
        """
        if not _is_level(level):
            raise ValueError(f"level must be a whole number from 1 to 5, got {level!r}")
        return self.rubric[level - 1]


@dataclass(frozen=True)
class Objective:
    """A business objective with its leadership weight and its behaviours."""

    key: str
    name: str
    description: str
    weight: float
    behaviours: tuple[Behaviour, ...]


@dataclass(frozen=True)
class Framework:
    """Objectives -> behaviours -> metrics, as one team coaches to them."""

    name: str
    description: str
    objectives: tuple[Objective, ...]
    metrics: tuple[Metric, ...]

    def behaviours(self) -> tuple[Behaviour, ...]:
        """Return every behaviour, objective by objective, in file order."""
        return tuple(b for o in self.objectives for b in o.behaviours)

    def objective(self, key: str) -> Objective:
        """Return the objective with ``key``; raise ``KeyError`` if there is none."""
        return _find(self.objectives, key, "objective")

    def behaviour(self, key: str) -> Behaviour:
        """Return the behaviour with ``key``; raise ``KeyError`` if there is none."""
        return _find(self.behaviours(), key, "behaviour")

    def metric(self, key: str) -> Metric:
        """Return the metric with ``key``; raise ``KeyError`` if there is none."""
        return _find(self.metrics, key, "metric")


@dataclass(frozen=True)
class StyleGuide:
    """How to coach in one style of the skill/will matrix, with GROW questions."""

    key: str
    name: str
    when: str
    skill: str
    will: str
    approach: str
    opening: str
    grow: Mapping[str, tuple[str, ...]] = field(hash=False)


@dataclass(frozen=True)
class PracticeStage:
    """One step of demonstrate -> prompt -> release."""

    key: str
    name: str
    description: str
    coach_does: str
    rep_does: str


@dataclass(frozen=True)
class SessionType:
    """A kind of coaching session, such as a call review."""

    key: str
    name: str
    description: str


@dataclass(frozen=True)
class SessionGuides:
    """The coaching styles, practice stages and session types."""

    styles: tuple[StyleGuide, ...]
    stages: tuple[PracticeStage, ...]
    session_types: tuple[SessionType, ...]

    def style(self, key: str) -> StyleGuide:
        """Return the style with ``key``; raise ``KeyError`` if there is none."""
        return _find(self.styles, key, "style")

    def stage(self, key: str) -> PracticeStage:
        """Return the practice stage with ``key``; raise ``KeyError`` if none."""
        return _find(self.stages, key, "stage")


def templates_dir() -> Path:
    """Return the folder of shipped templates: in the wheel, else the source tree."""
    packaged = Path(__file__).resolve().parents[1] / "_data" / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "templates"


def load_framework(
    path: str | os.PathLike[str] | None = None,
    metrics_path: str | os.PathLike[str] | None = None,
) -> Framework:
    """Load and check a framework and the metrics it names.

    Parameters
    ----------
    path
        A framework file, or a folder holding ``framework.yaml``. Defaults to the
        shipped template.
    metrics_path
        The metrics file. Defaults to ``metrics.yaml`` beside the framework file if
        there is one there, else the shipped one.

    Raises
    ------
    TemplateError
        For the first problem found, naming the file and the field.
    """
    file = _file(path, "framework.yaml")
    if metrics_path is None:
        beside = file.parent / "metrics.yaml"
        metrics_path = beside if beside.is_file() else templates_dir() / beside.name
    metrics_file = Path(metrics_path)
    source, metrics_source = _Source(file), _Source(metrics_file)
    with _reporting(source):
        data = _load(source)
    with _reporting(metrics_source):
        metrics = _metrics(_load(metrics_source))
    known = [m.key for m in metrics if m.key is not None]
    label = metrics_file.name if metrics_file.parent == file.parent else metrics_file
    with _reporting(source):
        top = _record(
            (), data, {"name": _text, "description": _text, "objectives": _OBJECTIVES}
        )
        objectives = _indexed("objectives", top["objectives"] or ())
        _unique(objectives)
        behaviours = [
            ((*where, "behaviours", j), b)
            for where, o in objectives
            for j, b in enumerate(o.behaviours or ())
        ]
        _unique(behaviours)
        for where, b in behaviours:
            refs = b.metrics or ()
            for k, ref in enumerate(refs):
                if ref is not None and ref in refs[:k]:
                    _note((*where, "metrics", k), f"names metric '{ref}' twice")
                if ref is not None and ref not in known:
                    problem = f"names metric '{ref}', which {label} does not define"
                    _note((*where, "metrics", k), problem + _did_you_mean(ref, known))
        weights = [o.weight for o in top["objectives"] or ()]
        total = math.fsum(w for w in weights if w is not None)
        if None not in weights and not math.isclose(total, 1.0, abs_tol=WEIGHT_SLACK):
            _note(("objectives",), _weights_problem(total))
    if (collector := _COLLECTOR.get()) is not None and collector.errors:
        raise _Stop
    linked = tuple(
        replace(
            o, behaviours=tuple(replace(b, objective_key=o.key) for b in o.behaviours)
        )
        for o in top["objectives"]
    )
    return Framework(top["name"], top["description"], linked, metrics)


def framework_problems(
    path: str | os.PathLike[str] | None = None,
    metrics_path: str | os.PathLike[str] | None = None,
) -> tuple[TemplateError, ...]:
    """Check a framework like :func:`load_framework`, but list every problem.

    Parameters
    ----------
    path, metrics_path
        As for :func:`load_framework`.

    Returns
    -------
    tuple of TemplateError
        Every problem found, each naming its file and field: the fields first, in
        file order, then repeated keys, unknown metrics and the weights' total.
        Empty when the framework loads. A file that cannot be read gives one.
    """
    collector = _Collector()
    token = _COLLECTOR.set(collector)
    try:
        load_framework(path, metrics_path)
    except _Stop:
        pass
    finally:
        _COLLECTOR.reset(token)
    return tuple(collector.errors)


def load_session_guides(path: str | os.PathLike[str] | None = None) -> SessionGuides:
    """Load and check the coaching styles, practice stages and session types.

    Parameters
    ----------
    path
        A session-guides file, or a folder holding ``session_guides.yaml``.
        Defaults to the shipped template.

    Raises
    ------
    TemplateError
        For the first problem found, naming the file and the field.
    """
    source = _Source(_file(path, "session_guides.yaml"))
    with _reporting(source):
        top = _record((), _load(source), _GUIDES)
        for where, style in _indexed("styles", top["styles"]):
            for part, want in zip(("skill", "will"), _MATRIX[style.key], strict=True):
                if getattr(style, part) != want:
                    _fail(
                        (*where, part),
                        f"must be '{want}' for the {style.key} "
                        f"style, got '{getattr(style, part)}'",
                    )
        _exact("styles", top["styles"], STYLE_KEYS, ordered=True)
        _exact("stages", top["stages"], STAGE_KEYS, ordered=True)
        _exact("session_types", top["session_types"], SESSION_TYPE_KEYS)
    return SessionGuides(**top)


# --- checks: each takes (place, raw YAML value) and returns a clean value ---

#: A place in a file: field names and list positions (from 0), outermost first.
_Where = tuple[str | int, ...]
_Check = Callable[[_Where, Any], Any]


class _Problem(Exception):
    """A problem at ``where``; None means the file itself."""

    def __init__(self, where: _Where | None, problem: str) -> None:
        super().__init__(problem)
        self.where, self.problem = where, problem


class _Stop(Exception):
    """Listing every problem: what is left cannot be checked."""


@dataclass
class _Source:
    """A template file and the line each place in it starts on."""

    file: Path
    lines: dict[_Where, int] = field(default_factory=dict)

    def line(self, where: _Where) -> int | None:
        """The line of ``where``, else of the nearest place around it."""
        for end in range(len(where), -1, -1):
            if (found := self.lines.get(where[:end])) is not None:
                return found
        return None

    def place(self, where: _Where | None) -> str:
        """``where`` in words, line first: "line 57, objective 2, behaviour 3"."""
        if where is None:
            return "(file)"
        if not where:
            return "(top level)"
        line = self.line(where)
        return _spoken(where) if line is None else f"line {line}, {_spoken(where)}"

    def named(self, where: _Where) -> str:
        """``where`` inside a sentence: "objective 2, behaviour 1 (line 30)"."""
        line = self.line(where)
        return _spoken(where) if line is None else f"{_spoken(where)} (line {line})"

    def error(self, p: _Problem) -> TemplateError:
        return TemplateError(self.file, self.place(p.where), p.problem)


class _Collector:
    """The problems found so far while listing every problem (framework_problems)."""

    def __init__(self) -> None:
        self.errors: list[TemplateError] = []


_COLLECTOR: ContextVar[_Collector | None] = ContextVar("_COLLECTOR", default=None)
_SOURCE: ContextVar[_Source] = ContextVar("_SOURCE")


def _fail(where: _Where | None, problem: str) -> NoReturn:
    raise _Problem(where, problem)


def _note(where: _Where | None, problem: str) -> None:
    """Report a problem: raise it, or record it and go on when listing them all."""
    collector = _COLLECTOR.get()
    if collector is None:
        _fail(where, problem)
    collector.errors.append(_SOURCE.get().error(_Problem(where, problem)))


def _checked(check: _Check, where: _Where, raw: Any) -> Any:
    """Run ``check``; when listing every problem, record a failure as None."""
    collector = _COLLECTOR.get()
    if collector is None:
        return check(where, raw)
    try:
        return check(where, raw)
    except _Problem as p:
        collector.errors.append(_SOURCE.get().error(p))
        return None


@contextmanager
def _reporting(source: _Source) -> Iterator[None]:
    """Turn a problem found inside into one TemplateError naming ``source``'s file."""
    token = _SOURCE.set(source)
    try:
        yield
    except _Problem as p:
        collector = _COLLECTOR.get()
        if collector is None:
            raise source.error(p) from None
        collector.errors.append(source.error(p))
        raise _Stop from None
    finally:
        _SOURCE.reset(token)


def _file(path: str | os.PathLike[str] | None, name: str) -> Path:
    file = templates_dir() / name if path is None else Path(path)
    return file / name if file.is_dir() else file


def _load(source: _Source) -> Any:
    """Parse one YAML file, noting the line of each place in ``source.lines``.

    Rejects a missing file, bad YAML and repeated keys.
    """
    file = source.file
    if not file.exists():
        _fail(None, "cannot be read: this path does not exist")
    try:
        loader = _SAFE(file.read_text(encoding="utf-8"))  # in C when built
        try:
            node = loader.get_single_node()
            # Lines and repeats come from the nodes as written, before merge keys
            # (<<) are folded in by building the data.
            repeats = _walk(node, (), source.lines, set())
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(None, f"cannot be read: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        _fail(None, f"is not valid YAML{at}: {getattr(exc, 'problem', None) or exc}")
    for where, problem in repeats:
        _note(where, problem)
    if data is None:
        _fail(None, "is empty")
    return data


def _walk(
    node: Any, where: _Where, lines: dict[_Where, int], done: set[int]
) -> list[tuple[_Where, str]]:
    """Note the line where each place starts; return each key written twice in one
    mapping (YAML would silently keep only the last)."""
    if node is None or id(node) in done:
        return []
    done.add(id(node))
    lines.setdefault(where, node.start_mark.line + 1)
    repeats: list[tuple[_Where, str]] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            name, line = str(key_node.value), key_node.start_mark.line + 1
            at = (*where, name)
            lines.setdefault(at, line)
            if name in first:
                problem = f"is written twice, on lines {first[name]} and {line}"
                repeats.append((at, problem + "; keep one"))
            first.setdefault(name, line)
            repeats += _walk(value_node, at, lines, done)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            repeats += _walk(item, (*where, i), lines, done)
    return repeats


def _record(
    where: _Where, raw: Any, spec: dict[str, _Check], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Check a mapping against ``spec``: no unknown fields, none missing."""
    if not isinstance(raw, dict):
        _note(where, f"must hold the fields {', '.join(spec)}, got {_describe(raw)}")
        return dict.fromkeys(spec)  # only when listing every problem
    for name in raw:
        if name not in spec:
            close = difflib.get_close_matches(str(name), spec, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            _note(
                (*where, str(name)),
                f"is not a known field; {hint}allowed fields are {', '.join(spec)}",
            )
    missing = [n for n in spec if n not in raw and n not in optional]
    for name in missing:
        _note((*where, name), "is missing")
    found = dict.fromkeys(missing)  # only when listing every problem
    for name, check in spec.items():
        if name in raw:
            found[name] = _checked(check, (*where, name), raw[name])
    return found


def _of(cls: type, optional: tuple[str, ...] = (), **checks: _Check | None) -> _Check:
    """Check a mapping into ``cls``; fields are text unless ``checks`` says so."""
    every = {
        f.name: checks.get(f.name, _key if f.name == "key" else _text)
        for f in fields(cls)
    }
    spec = {name: check for name, check in every.items() if check is not None}
    derived = dict.fromkeys(every.keys() - spec.keys(), "")  # not in the file
    return lambda where, raw: cls(**derived, **_record(where, raw, spec, optional))


def _list(check: _Check) -> _Check:
    def items(where: _Where, raw: Any) -> tuple[Any, ...]:
        if not isinstance(raw, list) or not raw:
            _note(
                where, f"must be a list with at least one entry, got {_describe(raw)}"
            )
            return ()
        return tuple(_checked(check, (*where, i), item) for i, item in enumerate(raw))

    return items


def _text(where: _Where, raw: Any) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        _fail(where, "is empty")
    if not isinstance(raw, str):
        hint = "; put it in quotes" if isinstance(raw, int | float) else ""
        _fail(where, f"must be text, got {_describe(raw)}{hint}")
    return raw.strip()


def _key(where: _Where, raw: Any) -> str:
    if not _SNAKE.fullmatch(key := _text(where, raw)):
        _fail(
            where,
            "must use only lower-case letters, digits and _, starting with a "
            f"letter (such as handle_objections), got '{key}'",
        )
    return key


def _choice(*choices: str) -> _Check:
    def check(where: _Where, raw: Any) -> str:
        if (value := _text(where, raw)) not in choices:
            problem = f"must be one of {', '.join(choices)}, got '{value}'"
            _fail(where, problem + _did_you_mean(value, choices))
        return value

    return check


def _flag(where: _Where, raw: Any) -> bool:
    if not isinstance(raw, bool):
        _fail(where, f"must be true or false, got {_describe(raw)}")
    return raw


def _level(where: _Where, raw: Any) -> int:
    if not _is_level(raw):
        _fail(where, f"must be a whole number from 1 to 5, got {_describe(raw)}")
    return int(raw)


def _weight(where: _Where, raw: Any) -> float:
    if isinstance(raw, str) and _EXPONENT.fullmatch(raw.strip()):
        # YAML 1.1 reads 1e-3 (no dot) as text; it is a number to anyone else.
        raw = float(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        text = "; that is text, write a number such as 0.25"
        _fail(
            where,
            f"must be a number, got {_describe(raw)}"
            + (text if isinstance(raw, str) else ""),
        )
    if not (math.isfinite(raw) and raw > 0):
        _fail(where, f"must be more than 0 (weights must be positive), got {raw}")
    return float(raw)


def _weights_problem(total: float) -> str:
    """The weights' total in words, rounded to show how far it is from 1."""
    off = total - 1
    gap = f"{abs(off):.2g}"  # more than WEIGHT_SLACK, so never in e-notation
    places = max(2, len(gap.partition(".")[2]))
    shown = f"{total:.{places}f}".rstrip("0").rstrip(".")
    change = f"take {gap} off" if off > 0 else f"add {gap}"
    return f"weights add up to {shown}; they must add up to 1 ({change})"


def _rubric(where: _Where, raw: Any) -> tuple[str, str, str, str, str]:
    if not isinstance(raw, dict):
        _fail(
            where,
            "must give the words for each level from 1 to 5, one per line such as "
            f"'1: Never asks', got {_describe(raw)}",
        )
    texts: dict[int, str] = {}
    for level, text in raw.items():
        digits = isinstance(level, str) and level.isascii() and level.isdigit()
        number = int(level) if digits else level  # not int("²"): a ValueError
        if not _is_level(number):
            _note((*where, str(level)), "is not allowed; use the levels 1 to 5")
            continue
        texts[number] = _checked(_text, (*where, str(number)), text)
    for level in _LEVELS:
        if level not in texts:
            _note((*where, str(level)), "is missing")
    # Listing every problem, a level may be missing here; nothing is built then.
    one, two, three, four, five = (texts.get(level, "") for level in _LEVELS)
    return (one, two, three, four, five)


def _grow(where: _Where, raw: Any) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(
        _record(where, raw, dict.fromkeys(GROW_PARTS, _list(_text)))
    )


def _metrics(data: Any) -> tuple[Metric, ...]:
    metrics = _record((), data, {"metrics": _METRICS})
    pairs = _indexed("metrics", metrics["metrics"] or ())
    _unique(pairs)
    kinds = {m.key: m.kind for _, m in pairs}
    counts = [key for key, kind in kinds.items() if kind == "count"]
    for where, m in pairs:
        for part in ("numerator", "denominator"):
            ref, at = getattr(m, part), (*where, part)
            if m.kind is None:  # a bad kind, already noted
                continue
            if m.kind == "rate" and ref is None:
                _note(at, "is missing; a rate needs a numerator and a denominator")
            if m.kind != "rate" and ref is not None:
                _note(at, f"is only for rates, but kind is '{m.kind}'; remove it")
            if ref is not None and kinds.get(ref, "") not in ("count", None):
                why = (
                    f"a {kinds[ref]}"
                    if ref in kinds
                    else "not defined in this file" + _did_you_mean(ref, counts)
                )
                _note(
                    at,
                    f"names metric '{ref}', which is {why}; a rate divides "
                    "two count metrics",
                )
    return metrics["metrics"] or ()


def _trackers(where: _Where, raw: Any) -> tuple[str, ...]:
    """A behaviour's tracker phrases (see :mod:`coachkit.model.tracker_phrases`)."""
    phrases: list[str] = []
    for i, text in enumerate(_list(_text)(where, raw)):
        if text is None:  # not text, already noted
            continue
        phrase = clean_phrase(text)
        if (problem := phrase_problem(phrase, phrases)) is not None:
            _note((*where, i), problem)
            continue
        phrases.append(phrase)
    return tuple(phrases)


_LOW_HIGH = _choice("low", "high")
_METRICS = _list(
    _of(
        Metric,
        ("numerator", "denominator", "description"),
        kind=_choice(*METRIC_KINDS),
        higher_is_better=_flag,
        numerator=_key,
        denominator=_key,
    )
)
_BEHAVIOURS = _list(
    _of(
        Behaviour,
        ("trackers",),
        objective_key=None,
        target_level=_level,
        rubric=_rubric,
        metrics=_list(_key),
        trackers=_trackers,
    )
)
_OBJECTIVES = _list(_of(Objective, weight=_weight, behaviours=_BEHAVIOURS))
_STYLES = _list(
    _of(
        StyleGuide,
        key=_choice(*STYLE_KEYS),
        skill=_LOW_HIGH,
        will=_LOW_HIGH,
        grow=_grow,
    )
)
_GUIDES = {
    "styles": _STYLES,
    "stages": _list(_of(PracticeStage, key=_choice(*STAGE_KEYS))),
    "session_types": _list(_of(SessionType, key=_choice(*SESSION_TYPE_KEYS))),
}


def _indexed(name: str, items: Iterable[Any]) -> list[tuple[_Where, Any]]:
    return [((name, i), item) for i, item in enumerate(items)]


def _unique(pairs: Iterable[tuple[_Where, Any]]) -> None:
    seen: dict[str, _Where] = {}
    for where, item in pairs:
        if item.key is None:  # a bad key, already noted
            continue
        if item.key in seen:
            _note(
                (*where, "key"),
                f"repeats '{item.key}', which {_SOURCE.get().named(seen[item.key])} "
                "already uses; keys must be unique",
            )
        seen[item.key] = where


def _exact(
    name: str, items: tuple[Any, ...], keys: tuple[str, ...], ordered: bool = False
) -> None:
    """Check that ``items`` have each of ``keys`` once (and in that order)."""
    pairs = _indexed(name, items)
    _unique(pairs)
    if missing := [k for k in keys if k not in {item.key for item in items}]:
        _fail((name,), f"must list {', '.join(keys)}; missing: {', '.join(missing)}")
    for (where, item), want in zip(pairs, keys, strict=True):
        if ordered and item.key != want:
            _fail(
                (*where, "key"),
                f"is '{item.key}', but '{want}' belongs here; keep "
                f"the order {', '.join(keys)}",
            )


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in _LEVELS


def _spoken(where: _Where) -> str:
    """Say a place in words, counting from 1.

    ``("objectives", 1, "behaviours", 2, "rubric", "4")`` is "objective 2, behaviour
    3, rubric level 4"; a field is named as the file writes it.
    """
    words: list[str] = []
    for step, before in zip(where, (None, *where), strict=False):
        if isinstance(step, int) and isinstance(before, str) and before in _ITEMS:
            words[-1] = f"{_ITEMS[before]} {step + 1}"
        elif isinstance(step, int):
            item = "question" if before in GROW_PARTS else "entry"
            words.append(f"{item} {step + 1}")
        elif before == "rubric":
            words[-1] = f"rubric level {step}"
        else:
            words.append(step if step.strip() else "a field with no name")
    return ", ".join(words)


def _did_you_mean(value: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'conversations'?"`` for a near miss, else nothing."""
    named = [c for c in choices if isinstance(c, str)]  # a bad key is None
    close = difflib.get_close_matches(str(value), named, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a group of fields" if value else "an empty group of fields"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return repr(value) if isinstance(value, str) else str(value)


def _find(items: tuple[Any, ...], key: str, what: str) -> Any:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(
        f"no {what} with key {key!r}; known: {', '.join(i.key for i in items)}"
    )
