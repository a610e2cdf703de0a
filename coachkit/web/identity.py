"""Who is using a workbook.

In order, coachkit believes:

0. A rep's secret link: ``?me=SECRET`` (:mod:`coachkit.rep_side.links`) is the rep
   that link was made for. A stopped or unknown link is refused.
1. JupyterHub: ``JUPYTERHUB_USER``, which the Hub sets for each user's own server.
2. A trusted reverse proxy: when ``coachkit serve --trusted-header X-Forwarded-User``
   runs, Voila hands that request header to the kernel (``http_header_envs``) and
   ``COACHKIT_USER_HEADER`` names it. A page without the header is refused.
3. A workshop seat: the secret ``?seat=`` link a participant got when they claimed it,
   or the seat cookie their browser kept (the ``Cookie`` header reaches the kernel
   as ``HTTP_COOKIE``).
4. Otherwise single-user mode: the coach picker on the page.

Sign-in names are matched against ``coaches.login`` (``coachkit users add NAME
--login LOGIN``) and ``reps.login`` (``coachkit reps login NAME LOGIN``): a rep
who signs in is a viewer with role ``"rep"``. A sign-in name belongs to one person
(:func:`coachkit.model.users.refuse_taken_login`); a store that still gives one to
a coach and a rep (set before that rule) opens for neither, with a plain message
(:data:`TWO_PEOPLE`), rather than picking one. Only the rep's own page takes a rep
(``visitor(..., reps=True)``); a coach's workbook refuses them with a plain
message. A proxy sends a name such as ``josé`` in UTF-8, but HTTP header
values reach Python as Latin-1 text (``josÃ©``); :func:`header_text` undoes that.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError
from coachkit.model.users import find_by_login
from coachkit.rep_side.links import LINK_PARAM, rep_for_link, rep_for_login
from coachkit.store import access
from coachkit.store.access import Viewer

HUB_VAR = "JUPYTERHUB_USER"
#: Names the request header a trusted proxy puts the user name in.
HEADER_VAR = "COACHKIT_USER_HEADER"


class NotSignedIn(CoachkitError):
    """The page was opened without a sign-in coachkit trusts, or by a stranger."""


#: What a stopped, unknown or mistyped rep link is told.
LINK_GONE = "This link no longer works. Ask your coach for a new one."
#: What a rep who opens a coach's workbook is told.
FOR_COACHES = (
    "This page is for coaches. Your own page is the one your coach's link opens "
    "(My coaching)."
)
#: What someone is told when their sign-in name is both a coach's and a rep's.
TWO_PEOPLE = (
    "You are signed in as {login}, but two people in coachkit have that sign-in "
    "name: {coach} and {rep}. coachkit cannot tell which of them you are, so it "
    "opens nothing. Ask your enablement lead to give one of them another sign-in "
    "name."
)


def header_env_name(header: str) -> str:
    """The variable Voila puts a request header in (``X-Forwarded-User`` ->
    ``HTTP_X_FORWARDED_USER``, RFC 3875)."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def header_text(value: str) -> str:
    """A request header's value as the text the proxy meant.

    Tornado decodes header bytes as Latin-1, so a UTF-8 ``josé`` arrives as
    ``josÃ©``: the value is turned back into its bytes and read as UTF-8. A value
    that is not UTF-8 (a proxy that really sends Latin-1) or holds characters
    Latin-1 cannot (already decoded) is kept as it came.
    """
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


@access.not_for_reps
def visitor(
    conn: Connection,
    env: Mapping[str, str],
    query: str = "",
    *,
    seats: bool = True,
    reps: bool = False,
) -> Viewer | None:
    """Return who opened the page, or None in single-user mode (the picker decides).

    Parameters
    ----------
    conn
        A store connection (the whole store).
    env
        The kernel's environment, after Voila added the request's details.
    query
        The page address's query string.
    seats
        False skips workshop seats (a notebook run for a given coach, as papermill
        does).
    reps
        True on the rep's own page: a rep (by link or sign-in) is let in. False
        (a coach's workbook) refuses a rep.

    Raises
    ------
    NotSignedIn
        A sign-in is expected but missing, names nobody coachkit knows, or
        names both a coach and a rep; a rep link that no longer works; a rep on
        a coach's workbook.
    """
    found = _visitor(conn, env, query, seats)
    if found is not None and found.is_rep and not reps:
        raise NotSignedIn(FOR_COACHES)
    return found


def _visitor(
    conn: Connection, env: Mapping[str, str], query: str, seats: bool
) -> Viewer | None:
    me = parse_qs(query).get(LINK_PARAM, [""])[0].strip()
    if me or LINK_PARAM in parse_qs(query, keep_blank_values=True):
        return _rep_by_link(conn, me)
    hub_user = env.get(HUB_VAR, "").strip()
    if hub_user:
        return _known(conn, hub_user, "hub")
    header = env.get(HEADER_VAR, "").strip()
    if header:
        login = header_text(env.get(header_env_name(header), "")).strip()
        if not login:
            raise NotSignedIn(
                "This page needs you to sign in first. Open coachkit through your "
                "team's sign-in address, not straight from the server."
            )
        return _known(conn, login, "proxy")
    seat = parse_qs(query).get("seat", [""])[0]
    from coachkit.web import workshop

    if seats and (seat or workshop.has_seats(conn)):
        return workshop.workshop_visitor(conn, query, env.get("HTTP_COOKIE", ""))
    return None


def _rep_by_link(conn: Connection, secret: str) -> Viewer:
    """The rep of a ``?me=`` link; the day it was last used is kept on its own
    short write (the page's own connection only reads)."""
    try:
        with conn.engine.begin() as write:
            found = rep_for_link(write, secret)
    except sa.exc.DBAPIError:  # a store opened to read, say: still let them in
        found = rep_for_link(conn, secret, touch=False)
    if found is None:
        raise NotSignedIn(LINK_GONE)
    return found


def _known(conn: Connection, login: str, source: str) -> Viewer:
    user = find_by_login(conn, login)
    rep = rep_for_login(conn, login, source)
    if user is not None and rep is not None:
        raise NotSignedIn(
            TWO_PEOPLE.format(
                login=login,
                coach=f"{user.name} ({user.a_role})",
                rep=f"{rep.name} (a rep)",
            )
        )
    if rep is not None:
        return rep
    if user is None:
        raise NotSignedIn(
            f"You are signed in as {login}, but coachkit has no coach with that "
            "sign-in name yet. Ask your enablement lead to run: "
            f'coachkit users add "Your Name" --login {login}'
        )
    return Viewer(user.id, user.name, user.role, source)
