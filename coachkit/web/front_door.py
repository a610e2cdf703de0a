"""How people reach a served coachkit, and how it knows who they are.

``coachkit serve`` alone listens on this machine only and knows nobody (the "Who are
you?" picker decides). To serve a team, pick one way in:

- a sign-in proxy in front (nginx with passwords, oauth2-proxy, your single sign-on)
  that puts the person's sign-in name in a request header:
  ``--trusted-header X-Forwarded-User``;
- JupyterHub: each coach gets their own server behind jupyter-server-proxy's
  standalone proxy, which lets only that coach in: ``--jupyterhub``;
- Voila's own key: ``--token``. Whoever has the key gets in; it says nothing about
  who they are.

``--base-url /coachkit/`` serves every page under that path, for a proxy that
passes the path on unchanged. ``deploy/`` holds working examples of each.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

from coachkit.errors import CoachkitError
from coachkit.web.identity import HEADER_VAR, HUB_VAR

#: Where the sign-in page lives, under the base URL (a static file of our template).
SIGN_IN_PAGE = "voila/templates/coachkit/static/sign-in.html"
#: Voila reads its key from this variable when started with ``--Voila.auto_token``,
#: which keeps it off the command line (any user of the machine can read that).
TOKEN_VAR = "JUPYTER_TOKEN"
#: Where the key comes from when ``--token`` is not given.
TOKEN_ENV = "COACHKIT_TOKEN"
#: What JupyterHub calls the address prefix of a user's server (``/user/ann/``).
HUB_PREFIX_VAR = "JUPYTERHUB_SERVICE_PREFIX"
TOKEN_MIN = 16

_HEADER = re.compile(r"\A[A-Za-z0-9]+(-[A-Za-z0-9]+)*\Z")
_PATH = re.compile(r"\A/([A-Za-z0-9._~@%+-]+/)*\Z")
_TOKEN = re.compile(r"\A[A-Za-z0-9_-]+\Z")
_NEW_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"


@dataclass(frozen=True)
class FrontDoor:
    """How visitors reach the server and how it learns their names.

    Attributes
    ----------
    base_url
        The path every address starts with in the browser, such as ``/coachkit/``.
    token
        Voila's key; "" for none.
    trusted_header
        The request header a sign-in proxy fills in; "" for none.
    hub
        Behind jupyter-server-proxy's standalone proxy, which removes ``base_url``
        before passing a request on; ``JUPYTERHUB_USER`` says who the server belongs to.
    seat_cookies
        A workshop: each page's ``Cookie`` header reaches its kernel
        (``HTTP_COOKIE``), so the seat a browser keeps in a cookie opens that
        participant's team from any link, Home included.
    """

    base_url: str = "/"
    token: str = ""
    trusted_header: str = ""
    hub: bool = False
    seat_cookies: bool = False

    @classmethod
    def from_options(
        cls,
        env: Mapping[str, str],
        *,
        base_url: str | None = None,
        token: str | None = None,
        trusted_header: str | None = None,
        jupyterhub: bool = False,
    ) -> FrontDoor:
        """Check the ``coachkit serve`` options and return the front door they make.

        Parameters
        ----------
        env
            The environment coachkit runs in (JupyterHub's variables, for
            ``jupyterhub``).
        base_url, token, trusted_header, jupyterhub
            The options as given; None when left out.

        Raises
        ------
        CoachkitError
            An option is malformed, or two options contradict each other.
        """
        header = (trusted_header or "").strip()
        if header and not _HEADER.match(header):
            raise CoachkitError(
                f"--trusted-header {header!r} is not a header name; use letters, "
                "digits and single dashes, such as X-Forwarded-User."
            )
        key = token or ""
        if key and (len(key) < TOKEN_MIN or not _TOKEN.match(key)):
            raise CoachkitError(
                f"--token must be at least {TOKEN_MIN} letters, digits, - or _, so "
                f"that nobody can guess it. Make one with: {_NEW_TOKEN}"
            )
        if jupyterhub:
            if header:
                raise CoachkitError(
                    "--jupyterhub and --trusted-header both say who is signed in; "
                    "under JupyterHub, leave out --trusted-header."
                )
            if base_url is not None:
                raise CoachkitError(
                    "--jupyterhub takes the address from JupyterHub; leave out "
                    "--base-url."
                )
            if not env.get(HUB_VAR, "").strip() or not env.get(HUB_PREFIX_VAR):
                raise CoachkitError(
                    f"--jupyterhub works only as a JupyterHub user's server ({HUB_VAR} "
                    f"and {HUB_PREFIX_VAR} are not set). See "
                    "deploy/jupyterhub_config.py."
                )
            base_url = env[HUB_PREFIX_VAR]
        return cls(_path(base_url or "/"), key, header, jupyterhub)

    def check(self, host: str, port: int) -> list[str]:
        """Refuse a server open to the network without a way to sign in.

        Returns
        -------
        list of str
            Warnings to print before the server starts.

        Raises
        ------
        CoachkitError
            ``host`` reaches beyond this machine and neither a key nor a sign-in
            proxy guards the door, or JupyterHub's proxy would be bypassed.
        """
        if not is_loopback(host):
            if self.hub:
                raise CoachkitError(
                    "under JupyterHub, coachkit listens on this machine only: "
                    "the Hub's proxy checks each sign-in and passes visitors on. "
                    "Leave out --host."
                )
            if not (self.token or self.trusted_header):
                raise CoachkitError(
                    f"--host {host} lets anyone who can reach this machine open every "
                    "coach's notes, and Voila has no sign-in of its own. Pass --token "
                    "KEY (people open the address with ?token=KEY once), or put a "
                    "sign-in proxy in front and pass --trusted-header "
                    "X-Forwarded-User (see docs/deploy.md). Leave out --host to keep "
                    "coachkit on this machine only."
                )
        if self.trusted_header:
            return [
                f"coachkit believes the {self.trusted_header} header of every "
                f"request: only your sign-in proxy may reach {host} port {port}, and "
                "it must set that header itself, replacing any a browser sent."
            ]
        return []

    @property
    def remote_names(self) -> bool:
        """Whether browsers call the server by a name other than this machine's.

        Behind a proxy the request still carries the public name (``Host``), so
        the check against DNS rebinding, which accepts only this machine's names,
        is left to the proxy.
        """
        return bool(self.trusted_header) or self.hub

    def voila_args(self) -> list[str]:
        """Voila's command-line options for this front door (its web server
        settings are :meth:`tornado_settings`)."""
        args: list[str] = []
        if self.base_url != "/":
            # JupyterHub's proxy removes the prefix; nginx here passes it on.
            served = "/" if self.hub else self.base_url
            args += [
                f"--Voila.base_url={self.base_url}",
                f"--Voila.server_url={served}",
            ]
        if self.trusted_header:
            args += ["--VoilaConfiguration.http_header_envs", self.trusted_header]
        if self.seat_cookies:
            args += ["--VoilaConfiguration.http_header_envs", "Cookie"]
        if self.token:
            args.append("--Voila.auto_token=True")  # the key itself: TOKEN_VAR
        return args

    def tornado_settings(self, *, remote: bool) -> dict[str, object]:
        """The web server settings this front door needs (see ``voila_argv``).

        Parameters
        ----------
        remote
            The server listens beyond this machine.
        """
        settings: dict[str, object] = {}
        if self.token:
            settings["login_url"] = self.base_url + SIGN_IN_PAGE
        if remote or self.remote_names:
            settings["allow_remote_access"] = True
        return settings

    def prepare_env(self, env: MutableMapping[str, str]) -> None:
        """Set Voila's environment (which its kernels inherit) for this front door.

        Nothing in the server's own environment may speak for a visitor: request
        headers (``HTTP_*``) are dropped, and so is ``COACHKIT_USER_HEADER`` unless
        ``--trusted-header`` sets it. With a trusted header, ``JUPYTERHUB_USER`` is
        dropped too, so that the header alone decides. Without one it stays: under
        JupyterHub it names the owner of the server, and elsewhere it can only
        narrow a page to that one coach.
        """
        for name in [n for n in env if n.startswith("HTTP_")]:
            del env[name]
        for name in (HEADER_VAR, TOKEN_VAR, "JUPYTER_TOKEN_FILE", TOKEN_ENV):
            env.pop(name, None)
        if self.trusted_header:
            env[HEADER_VAR] = self.trusted_header
            env.pop(HUB_VAR, None)
        if self.token:
            env[TOKEN_VAR] = self.token


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _path(base_url: str) -> str:
    path = base_url.strip()
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    if not _PATH.match(path) or "/../" in path or "/./" in path:
        raise CoachkitError(
            f"--base-url {base_url!r} is not an address path; use one like /coachkit/ "
            "(letters, digits, and . _ ~ @ % + - between the slashes)."
        )
    return path
