"""How a rep gets to their own page: a secret link their coach sends, or a sign-in.

A link holds a secret of 32 random bytes (``secrets.token_urlsafe``); the store keeps
only its SHA-256 (``rep_links.token_hash``), so a copy of the store lets nobody in.
A rep has at most one live link: making a new one stops the old. A coach can stop a
link at any time (:func:`revoke_rep_link`); a stopped link names nobody.

A rep who signs in through JupyterHub or a trusted proxy is found by
``reps.login`` (:func:`set_rep_login`, ``coachkit reps login NAME LOGIN``). A
sign-in name belongs to one person: a coach's, a lead's or another rep's is
refused (:func:`coachkit.model.users.refuse_taken_login`).

:func:`rep_for_link` and :func:`rep_for_login` find who opened the page, on the
whole store, before there is a viewer; a rep viewer is refused them
(:func:`coachkit.store.access.not_for_reps`): they would name other reps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.users import refuse_taken_login
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.access import Viewer

#: The query parameter of a rep's page that holds their secret (``?me=...``).
LINK_PARAM = "me"
#: Where the rep's page is served (``workbooks/4_my_coaching.ipynb``).
REP_PAGE = "/voila/render/4_my_coaching.ipynb"
#: Longest sign-in name, as ``reps.login`` keeps it.
LOGIN_MAX = 120


@dataclass(frozen=True)
class LinkState:
    """A rep's live link, without its secret: when it was made and last opened."""

    created_at: dt.datetime
    last_used_at: dt.datetime | None


def rep_page_url(base: str, secret: str) -> str:
    """The full link a coach sends: ``base`` (the server's address) + the rep's page
    + ``?me=SECRET``."""
    return f"{base.rstrip('/')}{REP_PAGE}?{urlencode({LINK_PARAM: secret})}"


def token_hash(secret: str) -> str:
    """The SHA-256 (hex) of a link's secret: what the store keeps."""
    return hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@access.rep_checks("coach_id", "rep_id", reps_may=False)
def make_rep_link(conn: Connection, coach_id: int, rep_id: int) -> str:
    """Make the rep's secret link and return its secret (shown once, never kept).

    Any live link of the rep stops working. ``coach_id`` is who makes it: the
    rep's coach, or an enablement lead.

    Raises
    ------
    ValidationError
        ``Rep``: there is no such rep, they are on another coach's team, or they
        are no longer active (a link of an inactive rep names nobody).
    """
    rep = _rep_row(conn, coach_id, rep_id)
    if not rep.active:
        raise ValidationError(
            "Rep", f"{rep.name} is no longer active, so a link would not open"
        )
    now = _now()
    _revoke(conn, int(rep.id), now)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        s.rep_links.insert().values(
            coach_id=int(rep.coach_id),
            rep_id=int(rep.id),
            token_hash=token_hash(secret),
            created_at=now,
        )
    )
    return secret


@access.rep_checks("coach_id", "rep_id", reps_may=False)
def revoke_rep_link(conn: Connection, coach_id: int, rep_id: int) -> bool:
    """Stop the rep's live link; return False when they had none."""
    rep = _rep_row(conn, coach_id, rep_id)
    return _revoke(conn, int(rep.id), _now()) > 0


@access.rep_checks("rep_id")
def rep_link_state(conn: Connection, rep_id: int) -> LinkState | None:
    """The rep's live link (made when, last opened when), or None without one."""
    link = s.rep_links
    row = conn.execute(
        sa.select(link.c.created_at, link.c.last_used_at)
        .where(link.c.rep_id == int(rep_id), link.c.revoked_at.is_(None))
        .order_by(link.c.id.desc())
    ).first()
    return None if row is None else LinkState(row.created_at, row.last_used_at)


@access.not_for_reps
def rep_for_link(conn: Connection, secret: str, touch: bool = True) -> Viewer | None:
    """The rep a link's secret belongs to, as a viewer; None for an unknown or
    stopped link (or an inactive rep).

    With ``touch`` the link's ``last_used_at`` becomes now (on ``conn``: inside
    ``store.write()`` for it to be kept).
    """
    secret = str(secret or "").strip()
    if not secret or len(secret) > 200:
        return None
    link, r = s.rep_links, s.reps
    row = conn.execute(
        sa.select(link.c.id, r.c.id.label("rep_id"), r.c.coach_id, r.c.name)
        .join(r, r.c.id == link.c.rep_id)
        .where(
            link.c.token_hash == token_hash(secret),
            link.c.revoked_at.is_(None),
            r.c.active == sa.true(),
        )
    ).first()
    if row is None:
        return None
    if touch:
        conn.execute(
            link.update().where(link.c.id == row.id).values(last_used_at=_now())
        )
    return _viewer(row, "link")


@access.not_for_reps
def rep_for_login(conn: Connection, login: str, source: str = "hub") -> Viewer | None:
    """The active rep whose ``reps.login`` is ``login``, as a viewer; or None."""
    login = str(login or "").strip()
    if not login:
        return None
    r = s.reps
    row = conn.execute(
        sa.select(r.c.id.label("rep_id"), r.c.coach_id, r.c.name).where(
            r.c.login == login, r.c.active == sa.true()
        )
    ).first()
    return None if row is None else _viewer(row, source)


@access.rep_checks("coach_id", "rep_id", reps_may=False)
def set_rep_login(
    conn: Connection, coach_id: int, rep_id: int, login: str | None
) -> None:
    """Set (or with None or "" clear) the name a sign-in service knows the rep by.

    Raises
    ------
    ValidationError
        ``Login``: too long, or already a coach's, a lead's or another rep's (case
        does not count); the message names who has it.
    """
    rep = _rep_row(conn, coach_id, rep_id)
    text = str(login or "").strip() or None
    if text is not None:
        if len(text) > LOGIN_MAX or any(c.isspace() for c in text):
            raise ValidationError(
                "Login", f"use one word of at most {LOGIN_MAX} characters"
            )
        refuse_taken_login(conn, text, changing_rep=int(rep.id))
    conn.execute(s.reps.update().where(s.reps.c.id == rep.id).values(login=text))


def _viewer(row: sa.Row, source: str) -> Viewer:
    return Viewer(
        int(row.coach_id), str(row.name), "rep", source, rep_id=int(row.rep_id)
    )


def _rep_row(conn: Connection, coach_id: int, rep_id: int) -> sa.Row:
    r, c = s.reps, s.coaches
    top = s.largest_id(conn.dialect.name)
    rep = conn.execute(
        sa.select(r.c.id, r.c.coach_id, r.c.name, r.c.active).where(
            r.c.id == _id(rep_id, "Rep", top)
        )
    ).first()
    if rep is None:
        raise ValidationError("Rep", "there is no such rep")
    acting = _id(coach_id, "Coach", top)
    if int(rep.coach_id) != acting:
        role = conn.execute(sa.select(c.c.role).where(c.c.id == acting)).scalar()
        if role != "lead":
            raise ValidationError("Rep", f"{rep.name} is on another coach's team")
    return rep


def _revoke(conn: Connection, rep_id: int, now: dt.datetime) -> int:
    link = s.rep_links
    done = conn.execute(
        link.update()
        .where(link.c.rep_id == rep_id, link.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(done.rowcount or 0)


def _id(value: object, field: str, top: int) -> int:
    try:
        ident = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(field, f"{value!r} is not an id") from None
    if not 0 < ident <= top:
        raise ValidationError(field, f"there is no {field.lower()} with id {ident}")
    return ident
