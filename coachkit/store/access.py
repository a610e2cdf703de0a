"""Who may see and change what, enforced where the data is read and written.

A workbook opens the store *as* someone: a :class:`Viewer` (a coach, or an
enablement lead who sees everyone). :meth:`coachkit.store.database.Store.as_viewer`
gives a
store whose connections carry that viewer, and every public function that takes a
coach, rep, session, plan, goal, action, reflection, call or tracker hit id is
wrapped in :func:`checks`, which refuses ids outside the viewer's own team *before*
anything is read or written. A store opened without a viewer (the command line, an
analyst's notebook, the tests) is the whole store: whoever can open the file can
read it.

So a rep id typed into the browser's console, or sent in a widget message, gets a
refusal, never data.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.store import schema as s

F = TypeVar("F", bound=Callable[..., Any])

#: Key in ``Connection.info`` that holds the viewer while a store connection is open.
INFO_KEY = "coachkit.viewer"
ROLES = ("coach", "lead")


class AccessDenied(ValidationError):
    """The viewer asked for another coach's data; nothing was read or written."""


@dataclass(frozen=True)
class Viewer:
    """The person a workbook works for.

    Attributes
    ----------
    coach_id
        Their row in ``coaches``.
    name
        Their name, as shown on screen.
    role
        ``"coach"`` (their own reps only) or ``"lead"`` (every coach's reps).
    source
        How coachkit knows who they are: ``"hub"``, ``"proxy"``, ``"seat"`` or
        ``"picker"`` (single-user mode).
    """

    coach_id: int
    name: str
    role: str
    source: str = "picker"

    @property
    def sees_all(self) -> bool:
        """True for an enablement lead."""
        return self.role == "lead"

    @classmethod
    def from_row(cls, row: Mapping[str, Any], source: str = "picker") -> Viewer:
        """Build a viewer from a ``coaches`` row (``id``, ``name``, ``role``)."""
        return cls(int(row["id"]), str(row["name"]), str(row["role"]), source)


def viewer_of(conn: Connection) -> Viewer | None:
    """Return the viewer a connection works for; None means the whole store."""
    viewer = conn.info.get(INFO_KEY)
    return viewer if isinstance(viewer, Viewer) else None


def _reps_row(table: sa.Table) -> Callable[[Any], sa.Select[Any]]:
    """SQL giving the coach of the rep whose row of ``table`` has the id."""
    return lambda v: (
        sa.select(s.reps.c.coach_id)
        .join(table, table.c.rep_id == s.reps.c.id)
        .where(table.c.id == v)
    )


#: id parameter -> SQL giving the coach whose team owns that id.
_OWNER: dict[str, Callable[[Any], sa.Select[Any]]] = {
    "rep_id": lambda v: sa.select(s.reps.c.coach_id).where(s.reps.c.id == v),
    "session_id": _reps_row(s.sessions),
    "plan_id": _reps_row(s.plans),
    "goal_id": _reps_row(s.goals),
    # By the action's own rep: an imported action may have no session.
    "action_id": _reps_row(s.actions),
    "reflection_id": lambda v: sa.select(s.reflections.c.coach_id).where(
        s.reflections.c.id == v
    ),
    "call_id": _reps_row(s.calls),
    "hit_id": _reps_row(s.call_hits),
}
#: True while a checked function runs, so the public functions it calls in turn
#: are not checked again.
_CHECKED: ContextVar[bool] = ContextVar("coachkit_access_checked", default=False)
#: Every parameter name :func:`checks` knows how to check.
ID_PARAMS = ("coach_id", *_OWNER)

_WHAT = {
    "coach_id": "Coach",
    "rep_id": "Rep",
    "session_id": "Session",
    "plan_id": "Plan",
    "goal_id": "Goal",
    "action_id": "Action",
    "reflection_id": "Reflection",
    "call_id": "Call",
    "hit_id": "Tracker hit",
}


def check(conn: Connection, viewer: Viewer | None, name: str, value: object) -> None:
    """Refuse ``value`` of id parameter ``name`` unless ``viewer`` may use it.

    Raises
    ------
    AccessDenied
        A coach asked for another coach's team (or for every coach's).
    """
    if viewer is None or viewer.sees_all:
        return
    what = _WHAT[name]
    if name == "coach_id":
        if value is None:
            raise AccessDenied(what, "only an enablement lead can see every coach")
        if _as_int(value) != viewer.coach_id:
            raise AccessDenied(what, "you can only see and change your own team")
        return
    if value is None:
        return  # "none of these" (for example every rep of an already checked coach)
    ident = _as_int(value)
    owner = None if ident is None else conn.execute(_OWNER[name](ident)).scalar()
    if owner is None or int(owner) != viewer.coach_id:
        raise AccessDenied(
            what, f"this {what.lower()} is not on your team, so it stays hidden"
        )


def checks(
    *names: str, any_coach_with: str | None = None, **aliases: str
) -> Callable[[F], F]:
    """Check the named id parameters against the viewer before the function runs.

    The wrapped function's first parameter is a ``Connection`` or a ``Store``.
    ``names`` are parameters named like :data:`ID_PARAMS`; ``aliases`` map other
    parameter names to one of those (``coach="coach_id"``). ``any_coach_with``
    names a checked parameter that narrows the result by itself (say ``rep_id``):
    when it is given, ``coach_id=None`` means "whichever coach", not "every coach".
    """
    kinds = {name: name for name in names} | aliases
    unknown = set(kinds.values()) - set(ID_PARAMS)
    if unknown:
        raise ValueError(f"no access check for {sorted(unknown)}")
    if any_coach_with is not None and any_coach_with not in kinds:
        raise ValueError(f"any_coach_with names {any_coach_with!r}, not checked")

    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)

        def guard(target: object, bound: inspect.BoundArguments) -> None:
            viewer = _viewer(target)
            if viewer is None or viewer.sees_all:
                return
            values = {p: _argument(signature, bound, p) for p in kinds}
            narrowed = any_coach_with is not None and values[any_coach_with] is not None
            with _connection(target) as conn:
                for param, value in values.items():
                    if narrowed and kinds[param] == "coach_id" and value is None:
                        continue  # the narrowing id is checked on its own
                    check(conn, viewer, kinds[param], value)

        return _guarded(fn, guard, tuple(kinds))

    return wrap


def lead_only(fn: F) -> F:
    """Let only an enablement lead (or a store opened without a viewer) run ``fn``.

    For what changes or reads the whole organisation: the framework, exports,
    restores and the demo data.
    """

    def guard(target: object, bound: inspect.BoundArguments) -> None:
        viewer = _viewer(target)
        if viewer is not None and not viewer.sees_all:
            raise AccessDenied(
                "Access", "only an enablement lead can do this for every team"
            )

    return _guarded(fn, guard, ("lead",))


def _guarded(
    fn: F,
    guard: Callable[[object, inspect.BoundArguments], None],
    marks: tuple[str, ...],
) -> F:
    signature = inspect.signature(fn)
    first = next(iter(signature.parameters))

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if _CHECKED.get():
            # Called from a function whose ids were already checked: trust it.
            return fn(*args, **kwargs)
        bound = signature.bind_partial(*args, **kwargs)
        guard(bound.arguments.get(first), bound)
        token = _CHECKED.set(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _CHECKED.reset(token)

    inner.__coachkit_checks__ = marks  # type: ignore[attr-defined]
    return inner  # type: ignore[return-value]


@contextmanager
def _connection(target: object) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
    else:
        with target.read() as conn:  # type: ignore[attr-defined]
            yield conn


def _viewer(target: object) -> Viewer | None:
    if isinstance(target, Connection):
        return viewer_of(target)
    viewer = getattr(target, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None


def _argument(
    signature: inspect.Signature, bound: inspect.BoundArguments, name: str
) -> object:
    if name in bound.arguments:
        return bound.arguments[name]
    default = signature.parameters[name].default
    return None if default is inspect.Parameter.empty else default


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError, OverflowError):
        return None
