"""Who may see and change what, enforced where the data is read and written.

A workbook opens the store *as* someone: a :class:`Viewer` (a coach, an enablement
lead who sees everyone, or a rep on their own page).
:meth:`coachkit.store.database.Store.as_viewer` gives a store whose connections
carry that viewer, and every public function that takes a coach, rep, session, plan,
goal, action, reflection, call or tracker hit id is wrapped in :func:`checks`, which
refuses ids outside the viewer's own team *before* anything is read or written. A
store opened without a viewer (the command line, an analyst's notebook, the tests)
is the whole store: whoever can open the file can read it.

So a rep id typed into the browser's console, or sent in a widget message, gets a
refusal, never data.

A rep is refused by every :func:`checks`, :func:`lead_only` and :func:`not_for_reps`
function, whatever the id: those are the coaches' functions. :func:`not_for_reps`
is for what takes no id but reads people across teams (every coach's name and
sign-in name, who a sign-in name belongs to). The rep's own page uses only functions
wrapped in :func:`rep_checks` (:mod:`coachkit.rep_side`), where every id must be
the rep's own; a coach may use them for their own team's reps (to see what the rep
sees), and a lead for anyone.
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
ROLES = ("coach", "lead", "rep")
#: The roles of coachkit's users (coaches and leads). A rep is not a user: a
#: rep's sign-in name is set with ``coachkit reps`` and opens only their own page.
USER_ROLES = ("coach", "lead")


class AccessDenied(ValidationError):
    """The viewer asked for another coach's data; nothing was read or written."""


#: What a rep is told when a coach's function refuses them.
_NOT_FOR_REPS = "this is for coaches; your own page shows what is yours"


@dataclass(frozen=True)
class Viewer:
    """The person a workbook works for.

    Attributes
    ----------
    coach_id
        Their row in ``coaches`` (for a rep: their coach's).
    name
        Their name, as shown on screen.
    role
        ``"coach"`` (their own reps only), ``"lead"`` (every coach's reps) or
        ``"rep"`` (only their own records, through :func:`rep_checks` functions).
    source
        How coachkit knows who they are: ``"hub"``, ``"proxy"``, ``"seat"``,
        ``"link"`` (a rep's secret link) or ``"picker"`` (single-user mode).
    rep_id
        A rep viewer's row in ``reps``; None for a coach or a lead.
    """

    coach_id: int
    name: str
    role: str
    source: str = "picker"
    rep_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")
        if (self.role == "rep") != (self.rep_id is not None):
            raise ValueError("a rep viewer, and only a rep viewer, has a rep_id")

    @property
    def sees_all(self) -> bool:
        """True for an enablement lead."""
        return self.role == "lead"

    @property
    def is_rep(self) -> bool:
        """True for a rep on their own page."""
        return self.role == "rep"

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
    if viewer.is_rep:
        raise AccessDenied(what, _NOT_FOR_REPS)
    if name == "coach_id":
        if value is None:
            raise AccessDenied(what, "only an enablement lead can see every coach")
        if _as_int(value) != viewer.coach_id:
            raise AccessDenied(what, "you can only see and change your own team")
        return
    if value is None:
        return  # "none of these" (for example every rep of an already checked coach)
    ident = _as_int(value)
    known = ident is not None and 0 < ident <= s.largest_id(conn.dialect.name)
    owner = conn.execute(_OWNER[name](ident)).scalar() if known else None
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
            if viewer.is_rep:
                raise AccessDenied("Access", _NOT_FOR_REPS)
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


def not_for_reps(fn: F) -> F:
    """Refuse a rep viewer; let a coach, a lead (or a store opened without a viewer)
    run ``fn``.

    For a function that takes no team's id but reads people across teams: every
    coach's name, role and sign-in name, or who a sign-in name belongs to. A rep
    gets the same refusal as from every other coach's function.
    """

    def guard(target: object, bound: inspect.BoundArguments) -> None:
        viewer = _viewer(target)
        if viewer is not None and viewer.is_rep:
            raise AccessDenied("Access", _NOT_FOR_REPS)

    return _guarded(fn, guard, ())


#: id parameter -> SQL giving the rep that id belongs to (for :func:`rep_checks`).
def _rep_of(table: sa.Table) -> Callable[[Any], sa.Select[Any]]:
    """SQL giving the rep of the row of ``table`` that has the id."""
    return lambda v: sa.select(table.c.rep_id).where(table.c.id == v)


_REP_OWNER: dict[str, Callable[[Any], sa.Select[Any]]] = {
    "rep_id": lambda v: sa.select(s.reps.c.id).where(s.reps.c.id == v),
    "session_id": _rep_of(s.sessions),
    "plan_id": _rep_of(s.plans),
    "goal_id": _rep_of(s.goals),
    "action_id": _rep_of(s.actions),
}
#: The id parameters :func:`rep_checks` knows (``coach_id`` only with
#: ``reps_may=False``: a rep never acts as a coach).
REP_ID_PARAMS = ("coach_id", *_REP_OWNER)


def rep_checks(*names: str, reps_may: bool = True) -> Callable[[F], F]:
    """Check the named id parameters of a function of the rep's own page.

    A rep viewer may pass only ids of their own records (their rep id, their
    sessions, plans, goals, actions), and none at all when ``reps_may`` is False
    (what only their coach may do, such as making their link). A coach viewer may
    pass ids of their own team, exactly as :func:`checks` allows, so a coach can
    see what their rep sees; a lead (or a store opened without a viewer) any.

    ``rep_checks()`` with no id and ``reps_may=True`` is refused when decorating:
    with nothing to check, a rep could read anyone's records (say
    ``reps_may=False``, or use :func:`not_for_reps`).
    """
    unknown = set(names) - set(REP_ID_PARAMS)
    if unknown:
        raise ValueError(f"no rep access check for {sorted(unknown)}")
    if not names and reps_may:
        raise ValueError("a rep could pass anything: name the ids to check")
    if "coach_id" in names and reps_may:
        raise ValueError("a rep never passes a coach_id: say reps_may=False")

    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)

        def guard(target: object, bound: inspect.BoundArguments) -> None:
            viewer = _viewer(target)
            if viewer is None or viewer.sees_all:
                return
            values = {p: _argument(signature, bound, p) for p in names}
            with _connection(target) as conn:
                for param, value in values.items():
                    if viewer.is_rep:
                        if not reps_may:
                            raise AccessDenied(
                                _WHAT[param], "only your coach can do this"
                            )
                        _check_rep(conn, viewer, param, value)
                    elif value is None:  # "none of these" is no rep's page
                        raise AccessDenied(_WHAT[param], "say which one")
                    else:
                        check(conn, viewer, param, value)
            if viewer.is_rep and not reps_may:
                raise AccessDenied("Access", "only your coach can do this")

        inner = _guarded(fn, guard, names)
        inner.__coachkit_rep_checks__ = reps_may  # type: ignore[attr-defined]
        return inner

    return wrap


def _check_rep(conn: Connection, viewer: Viewer, name: str, value: object) -> None:
    """Refuse ``value`` of id parameter ``name`` unless it is the rep viewer's own.

    Raises
    ------
    AccessDenied
        The id is another rep's, is missing, or names no row.
    """
    what = _WHAT[name]
    ident = _as_int(value)
    top = s.largest_id(conn.dialect.name)
    if name not in _REP_OWNER or ident is None or not 0 < ident <= top:
        owner = None
    else:
        owner = conn.execute(_REP_OWNER[name](ident)).scalar()
    if owner is None or int(owner) != viewer.rep_id:
        raise AccessDenied(
            what, f"this {what.lower()} is not yours, so it stays hidden"
        )


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
