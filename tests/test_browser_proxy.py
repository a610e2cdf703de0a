"""coachkit for a team, in a real browser: nginx in front, signing people in.

Real nginx runs the shipped ``deploy/nginx-coachkit.conf`` (with test ports, a test
certificate, a test password file and the name ``coachkit.test``) in front of
``coachkit serve --trusted-header X-Forwarded-User --base-url /coachkit/``. Two
coaches sign in with their own passwords and each sees only their own team; a
stranger gets nginx's 401; a header the browser sends to pose as someone else is
replaced; and coachkit reached without nginx asks to sign in instead of showing
data. A second server runs the JupyterHub way (``--jupyterhub``, the coach named by
``JUPYTERHUB_USER``) behind a stand-in for jhsingle-native-proxy, which, like it,
strips the ``/user/<name>/`` prefix.

Needs nginx (``apt-get install nginx``; ``.ci/run`` installs it) and openssl.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    READY,
    READY_TIMEOUT_MS,
    _stop,
    free_port,
    launch,
    log_tail,
    quiet_env,
    screenshot,
    wait_until_answers,
)

from coachkit.model.pillars import PILLARS

pytestmark = pytest.mark.browser

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "nginx-coachkit.conf"
NAME = "coachkit.test"  # the browser resolves it to 127.0.0.1
PASSWORDS = {"ann": "ann-password-1", "bo": "bo-password-2"}
#: A coach whose sign-in name is not ASCII: nginx sends it in UTF-8.
JOSE = ("José Test", "josé", "josé-password-3")
SIGN_IN_FIRST = "sign in first"


@dataclass
class Team:
    """The demo store with two coaches who have sign-in names."""

    db: Path
    env: dict[str, str]
    coach: dict[str, str]  # login -> coach name
    reps: dict[str, list[str]]  # login -> every rep of that coach


@dataclass
class Site:
    """nginx in front of coachkit."""

    https: str  # https://coachkit.test:PORT
    https_port: int
    http_port: int
    hub: str  # the JupyterHub stand-in: http://coachkit.test:PORT/user/ann/
    voila_port: int
    log: Path


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Team:
    tmp = tmp_path_factory.mktemp("team")
    env = quiet_env(tmp / "home")
    db = tmp / "store.db"
    _coachkit(env, "demo", "--db", str(db))
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(str(db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            rows = coaches[coaches["role"] == "coach"].iloc[:2]
            ids = dict(zip(PASSWORDS, rows["coach_id"], strict=True))
            names = dict(zip(PASSWORDS, rows["coach"], strict=True))
            reps = {
                login: [
                    str(r)
                    for r in queries.roster(conn, int(cid), include_inactive=True)[
                        "rep"
                    ]
                ]
                for login, cid in ids.items()
            }
    finally:
        store.dispose()
    for login, name in names.items():
        _coachkit(env, "users", "change", name, "--login", login, "--db", str(db))
    _coachkit(env, "users", "add", JOSE[0], "--login", JOSE[1], "--db", str(db))
    return Team(db, env, names, reps)


def _coachkit(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coachkit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"coachkit {args[0]} failed:\n{done.stderr}"


@pytest.fixture(scope="module")
def site(team: Team, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """coachkit serve behind the shipped nginx config, plus the Hub stand-in."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: apt-get install nginx (.ci/run does)")
    tmp = tmp_path_factory.mktemp("site")
    voila, hub = free_port(), free_port()
    https, http_port, hub_proxy = free_port(), free_port(), free_port()

    proxied = [sys.executable, "-m", "coachkit", "serve", "--db", str(team.db)]
    proxied += ["--port", str(voila), "--trusted-header", "X-Forwarded-User"]
    proxied += ["--base-url", "/coachkit/"]
    hub_env = {
        **team.env,
        "JUPYTERHUB_USER": "ann",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/ann/",
    }
    hubbed = [sys.executable, "-m", "coachkit", "serve", "--db", str(team.db)]
    hubbed += ["--port", str(hub), "--jupyterhub", "--pool-size", "0"]

    users = [*PASSWORDS.items(), JOSE[1:]]
    (tmp / "htpasswd").write_text(
        "".join(f"{user}:{_ssha(pw)}\n" for user, pw in users), encoding="utf-8"
    )
    _certificate(tmp)
    (tmp / "coachkit.conf").write_text(_render(tmp, voila, https, http_port))
    (tmp / "nginx.conf").write_text(_main_conf(tmp, hub, hub_proxy))

    procs = []
    try:
        log = tmp / "serve.log"
        procs.append(launch(proxied, team.env, log))
        procs.append(launch(hubbed, hub_env, tmp / "hub.log"))
        command = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
        procs.append(launch([*command, "-g", "daemon off;"], {}, tmp / "nginx.log"))
        for port, proc, what in (
            (voila, procs[0], "coachkit serve --trusted-header"),
            (hub, procs[1], "coachkit serve --jupyterhub"),
            (https, procs[2], "nginx"),
        ):
            wait_until_answers(
                proc, _log_of(tmp, what), lambda p=port: _listening(p), what
            )
        # The landing page answers once Voila is up (it needs no sign-in).
        wait_until_answers(
            procs[0],
            log,
            lambda: _get_direct(voila, "/coachkit/")[0] == 200,
            "coachkit serve --base-url",
        )
        yield Site(
            f"https://{NAME}:{https}",
            https,
            http_port,
            f"http://{NAME}:{hub_proxy}/user/ann/",
            voila,
            log,
        )
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _log_of(tmp: Path, what: str) -> Path:
    if what.startswith("nginx"):
        return tmp / "nginx.log"
    return tmp / ("hub.log" if "jupyterhub" in what else "serve.log")


def _listening(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def _ssha(password: str) -> str:
    """A password hash nginx reads (RFC 2307 salted SHA-1), made without tools."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _certificate(tmp: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed: apt-get install openssl")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={NAME}", "-keyout", str(tmp / "key.pem")]
        + ["-out", str(tmp / "cert.pem")],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _render(tmp: Path, voila: int, https: int, http_port: int) -> str:
    """The shipped config with this test's ports, names and files."""
    text = DEPLOY.read_text()
    for old, new in (
        ("server 127.0.0.1:8866;", f"server 127.0.0.1:{voila};"),
        ("listen 443 ssl;\n    listen [::]:443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("listen 80;\n    listen [::]:80;", f"listen 127.0.0.1:{http_port};"),
        (
            "/etc/letsencrypt/live/coach.example.com/fullchain.pem",
            str(tmp / "cert.pem"),
        ),
        ("/etc/letsencrypt/live/coach.example.com/privkey.pem", str(tmp / "key.pem")),
        ("/etc/nginx/coachkit.htpasswd", str(tmp / "htpasswd")),
        ("server_name coach.example.com;", f"server_name {NAME};"),
    ):
        assert old in text, f"deploy/nginx-coachkit.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def _main_conf(tmp: Path, hub: int, hub_proxy: int) -> str:
    """nginx.conf around the site: files in ``tmp``, and the JupyterHub stand-in.

    The stand-in does what jhsingle-native-proxy does once the Hub has signed the
    coach in: it strips ``/user/ann/`` and passes the request on, Host included.
    """
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"};
events {{ worker_connections 256; }}
http {{
    access_log {tmp / "access.log"};
    {temp}
    include {tmp / "coachkit.conf"};
    server {{
        listen 127.0.0.1:{hub_proxy};
        location /user/ann/ {{
            proxy_pass http://127.0.0.1:{hub}/;
            proxy_set_header Host $http_host;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
        }}
    }}
}}
"""


def _get_direct(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _get_proxy(
    site: Site, path: str, *, port: int | None = None, **headers: str
) -> tuple[int, dict[str, str]]:
    """GET ``path`` from nginx by https (or plain http on ``port``)."""
    if port is None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", site.https_port, timeout=30, context=context
        )
        host = f"{NAME}:{site.https_port}"
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        host = f"{NAME}:{port}"
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def named_browser(browser: Any) -> Iterator[Any]:
    """Chromium that finds coachkit.test at 127.0.0.1, like a real name in DNS."""
    launched = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"],
    )
    yield launched
    launched.close()


def _page(
    browser: Any, login: str | None = None, password: str = "", **options: Any
) -> Any:
    """A fresh browser context signed in as ``login`` (nginx's password prompt)."""
    if login is not None:
        options["http_credentials"] = {
            "username": login,
            "password": password or PASSWORDS[login],
        }
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, ignore_https_errors=True, **options
    )
    page = context.new_page()
    page.on("pageerror", lambda exc: pytest.fail(f"page error: {exc}"))
    return page


def _close(page: Any) -> None:
    page.close(run_before_unload=True)
    page.context.close()


def _open(page: Any, url: str, site: Site) -> str:
    """Open a workbook, wait until it is built; return every name the page shows."""
    page.goto(url)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    try:
        page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    except Exception:
        shown = page.locator("#rendered_cells").inner_text()
        pytest.fail(f"{url} did not build: {shown[:500]}\n{log_tail(site.log)}")
    return _shown_text(page)


def _shown_text(page: Any) -> str:
    """The page's text plus every choice of every drop-down (the rep picker)."""
    text: str = page.evaluate(
        "() => document.body.innerText + '\\n' + Array.from("
        "document.querySelectorAll('option'), o => o.textContent).join('\\n')"
    )
    return text


def _shows_only(text: str, team: Team, login: str) -> None:
    other = next(name for name in PASSWORDS if name != login)
    assert team.coach[login] in text
    assert any(rep in text for rep in team.reps[login]), text[:800]
    assert team.coach[other] not in text
    seen = [rep for rep in team.reps[other] if rep in text]
    assert seen == [], f"{login} sees {other}'s reps: {seen}"


def test_two_coaches_through_the_proxy_see_two_teams(
    site: Site, team: Team, named_browser: Any
) -> None:
    workbook = site.https + "/coachkit" + PILLARS[0].path
    pages = {}
    for login in PASSWORDS:
        page = _page(named_browser, login)
        pages[login] = page
        _shows_only(_open(page, workbook, site), team, login)
        screenshot(page, f"proxy-{login}-prioritize")
    try:
        # The workbook's own links stay under /coachkit/ and keep the sign-in.
        ann = pages["ann"]
        home = ann.locator(".ck-nav a", has_text="Home")
        assert home.get_attribute("href") == "/coachkit/"
        ann.locator(".ck-nav a", has_text=PILLARS[1].title).click()
        ann.wait_for_url(f"**/coachkit{PILLARS[1].path}*")
        ann.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
        _shows_only(_shown_text(ann), team, "ann")
        # The landing page links to the workbooks under /coachkit/ too.
        ann.goto(site.https + "/")
        assert ann.url == site.https + "/coachkit/"
        link = ann.get_by_role("link", name=PILLARS[2].title)
        assert link.get_attribute("href") == "/coachkit" + PILLARS[2].path
    finally:
        for page in pages.values():
            _close(page)


def test_a_coach_with_a_non_ascii_sign_in_name_gets_in(
    site: Site, named_browser: Any
) -> None:
    name, login, password = JOSE
    # Chromium sends the name in UTF-8; nginx passes those bytes on unchanged.
    page = _page(named_browser, login, password)
    try:
        text = _open(page, site.https + "/coachkit" + PILLARS[0].path, site)
        screenshot(page, "proxy-jose-prioritize")
        picker = page.locator(".ck-coach-picker")
        assert "Signed in as" in picker.inner_text()
        shown = picker.locator("select").evaluate(
            "s => s.options[s.selectedIndex].textContent"
        )
        assert shown.replace("\xa0", " ") == name  # the drop-down's spaces are nbsp
        assert "josÃ©" not in text
        assert "no coach with that sign-in name" not in text
    finally:
        _close(page)


def test_the_proxy_lets_no_stranger_in_and_no_one_pose_as_another(
    site: Site, team: Team, named_browser: Any
) -> None:
    workbook = "/coachkit" + PILLARS[0].path
    assert _get_proxy(site, workbook)[0] == 401
    assert _get_proxy(site, "/coachkit/")[0] == 401
    wrong = _basic("ann", PASSWORDS["bo"])
    assert _get_proxy(site, workbook, Authorization=wrong)[0] == 401
    # A header alone gets nobody in.
    assert _get_proxy(site, workbook, **{"X-Forwarded-User": "ann"})[0] == 401
    # Plain http only sends people to https.
    status, headers = _get_proxy(site, workbook, port=site.http_port)
    assert status == 301
    assert headers["Location"].startswith(f"https://{NAME}/coachkit/")

    # Ann, signed in, claims to be Bo in the header: nginx replaces it.
    page = _page(named_browser, "ann", extra_http_headers={"X-Forwarded-User": "bo"})
    try:
        _shows_only(_open(page, site.https + workbook, site), team, "ann")
    finally:
        _close(page)


def test_coachkit_reached_without_the_proxy_asks_to_sign_in(
    site: Site, team: Team, named_browser: Any
) -> None:
    page = _page(named_browser)
    try:
        page.goto(f"http://127.0.0.1:{site.voila_port}/coachkit{PILLARS[0].path}")
        message = page.locator(".coachkit-error")
        message.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
        assert SIGN_IN_FIRST in message.inner_text()
        text = _shown_text(page)
        for login in PASSWORDS:
            assert team.coach[login] not in text
            assert not [rep for rep in team.reps[login] if rep in text]
        screenshot(page, "proxy-bypassed")
    finally:
        _close(page)


def test_under_jupyterhub_the_servers_owner_sees_only_their_team(
    site: Site, team: Team, named_browser: Any
) -> None:
    page = _page(named_browser)
    try:
        # Asking for Bo's team in the address changes nothing.
        bo = _coach_id(team, "bo")
        text = _open(
            page, f"{site.hub}voila/render/1_prioritize.ipynb?coach={bo}", site
        )
        _shows_only(text, team, "ann")
        home = page.locator(".ck-nav a", has_text="Home")
        assert home.get_attribute("href") == "/user/ann/"
        screenshot(page, "hub-ann-prioritize")
    finally:
        _close(page)


def _coach_id(team: Team, login: str) -> int:
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(str(team.db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
    finally:
        store.dispose()
    row = coaches[coaches["coach"] == team.coach[login]]
    return int(row["coach_id"].iloc[0])
