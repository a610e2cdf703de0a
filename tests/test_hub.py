"""coachkit under a real JupyterHub, in a real browser.

JupyterHub (from PyPI) runs the shipped ``deploy/jupyterhub_config.py`` with its real
configurable-http-proxy (from npm; ``.ci/run`` installs it in ``.ci/node_modules``).
Only what cannot run here is swapped: the sign-in (DummyAuthenticator, one
password), the spawner (SimpleLocalProcessSpawner, homes in the test's folder), the
ports and the programs' paths. Each user's server is the shipped command,
:func:`coachkit.web.serve.hub_command`: jupyter-server-proxy's standalone proxy in
front of ``coachkit serve --jupyterhub``, on one shared PostgreSQL store.

Two coaches sign in through the Hub and each sees only their own team; a Hub user
coachkit does not know gets the plain "not set up yet" page; a request without a
sign-in is sent to the Hub's login; a coach cannot open another coach's server;
and the Hub's idle culler, with the shipped service's command and role but short
timeouts, stops the servers left idle.

Set ``COACHKIT_CHP`` to a configurable-http-proxy program to use another one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import (
    READY,
    READY_TIMEOUT_MS,
    _stop,
    free_port,
    launch,
    log_tail,
    process_tree,
    quiet_env,
    screenshot,
    wait_until_answers,
)
from postgres_fixtures import new_database

from coachkit.model.pillars import PILLARS
from coachkit.web.serve import hub_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "deploy" / "jupyterhub_config.py"
CHP = Path(
    os.environ.get(
        "COACHKIT_CHP",
        ROOT / ".ci" / "node_modules" / ".bin" / "configurable-http-proxy",
    )
)
PASSWORD = "hub-test-password-1"
COACHES = ("ann", "bo")
STRANGER = "zoe"  # a Hub user coachkit has never heard of
NOT_SET_UP = "coachkit has no coach with that sign-in name yet"
CULLER_TOKEN = "idle-culler-test-token-0123456789"
SPAWN_TIMEOUT_MS = 120_000


@dataclass
class Hub:
    """A running JupyterHub with coachkit as every user's server."""

    url: str  # http://127.0.0.1:PORT, the proxy's public address
    api: str  # the Hub's REST API
    proc: Any
    log: Path
    coach: dict[str, str]  # Hub user name -> coach name
    reps: dict[str, list[str]]  # Hub user name -> every rep of that coach
    shipped_culler: list[str]  # the shipped idle-culler service's command


def _config(tmp: Path, ports: dict[str, int], store_url: str) -> str:
    """The shipped config, then only what must differ on a test machine."""
    command = hub_command(
        [sys.executable, "-m", "coachkit"],
        proxy=str(Path(sys.executable).parent / "jupyter-standaloneproxy"),
    )
    return f"""
c = get_config()  # noqa: F821
load_subconfig({str(SHIPPED)!r})  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{ports["public"]}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports["hub"]}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["chp"]}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.ConfigurableHTTPProxy.pid_file = {str(tmp / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{tmp / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(tmp / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(tmp / "homes" / "{username}")!r}
c.LocalProcessSpawner.interrupt_timeout = 10
c.Spawner.cmd = {command!r}
c.Spawner.environment = {{"COACHKIT_DB": {store_url!r}}}
# The test runs the culler itself, with short timeouts, once the pages are seen.
culler = c.JupyterHub.services[0]["name"]
c.JupyterHub.services = [{{"name": culler, "api_token": {CULLER_TOKEN!r}}}]
"""


@pytest.fixture(scope="module")
def hub(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hub]:
    if not CHP.exists():
        pytest.fail(
            f"configurable-http-proxy not found at {CHP}: run "
            "`npm install --prefix .ci configurable-http-proxy` (.ci/run does), or "
            "point COACHKIT_CHP at it."
        )
    tmp = tmp_path_factory.mktemp("hub")
    env = quiet_env(tmp / "home")
    with new_database(postgres_server) as store_url:
        coach, reps = _team(env, store_url)
        ports = {name: free_port() for name in ("public", "hub", "chp")}
        config = tmp / "jupyterhub_config.py"
        config.write_text(_config(tmp, ports, store_url))
        log = tmp / "hub.log"
        proc = launch([sys.executable, "-m", "jupyterhub", "-f", str(config)], env, log)
        url = f"http://127.0.0.1:{ports['public']}"
        running = Hub(
            url,
            f"http://127.0.0.1:{ports['hub']}/hub/api",
            proc,
            log,
            coach,
            reps,
            _shipped_culler(),
        )
        try:
            wait_until_answers(
                proc, log, lambda: _status(url + "/hub/login") == 200, "JupyterHub"
            )
            yield running
        finally:
            _stop_everything(proc)


def _shipped_culler() -> list[str]:
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(SHIPPED.name, str(SHIPPED.parent)).load_config()
    command: list[str] = config.JupyterHub.services[0]["command"]
    return command


def _team(env: dict[str, str], store_url: str) -> tuple[dict[str, str], dict]:
    """The demo organisation on the shared store; two of its coaches get Hub names."""
    _coachkit(env, "demo", "--db", store_url)
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(store_url)
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            rows = coaches[coaches["role"] == "coach"].iloc[:2]
            names = dict(zip(COACHES, rows["coach"], strict=True))
            reps = {
                login: [
                    str(rep)
                    for rep in queries.roster(conn, int(cid), include_inactive=True)[
                        "rep"
                    ]
                ]
                for login, cid in zip(COACHES, rows["coach_id"], strict=True)
            }
    finally:
        store.dispose()
    for login, name in names.items():
        _coachkit(env, "users", "change", name, "--login", login, "--db", store_url)
    return names, reps


def _coachkit(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coachkit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"coachkit {args[0]} failed:\n{done.stderr}"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _stop_everything(proc: Any) -> None:
    """Stop the Hub (it stops the users' servers and its proxy), then anything left
    of what it started."""
    started = process_tree(proc.pid)
    _stop(proc)
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _sign_in(browser: Any, hub: Hub, login: str) -> Any:
    """A fresh browser context signed in to the Hub as ``login``; the Hub starts
    their server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(hub.url + "/hub/login")
    page.fill("#username_input", login)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    return page


def _wait_for_server(page: Any, hub: Hub, login: str) -> None:
    try:
        page.wait_for_url(f"{hub.url}/user/{login}/", timeout=SPAWN_TIMEOUT_MS)
    except Exception:
        pytest.fail(f"{login}'s server did not start:\n{log_tail(hub.log)}")


def _workbook(page: Any, hub: Hub, login: str) -> str:
    """Open the first workbook on ``login``'s server; return all the page shows."""
    url = f"{hub.url}/user/{login}{PILLARS[0].path}"
    page.goto(url)
    page.locator("#rendered_cells").wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    return _shown_text(page)


def _shown_text(page: Any) -> str:
    """The page's text plus every choice of every drop-down (the rep picker)."""
    text: str = page.evaluate(
        "() => document.body.innerText + '\\n' + Array.from("
        "document.querySelectorAll('option'), o => o.textContent).join('\\n')"
    )
    return text


def _close(page: Any) -> None:
    page.close(run_before_unload=True)
    page.context.close()


@pytest.fixture(scope="module")
def signed_in(hub: Hub, browser: Any) -> Iterator[dict[str, Any]]:
    """Ann and Bo, each signed in to the Hub in a browser of their own, their
    servers started."""
    pages = {login: _sign_in(browser, hub, login) for login in COACHES}
    try:
        for login, page in pages.items():
            _wait_for_server(page, hub, login)
        yield pages
    finally:
        for page in pages.values():
            _close(page)


def test_the_shipped_config_runs_coachkits_hub_command() -> None:
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(SHIPPED.name, str(SHIPPED.parent)).load_config()
    assert config.Spawner.cmd == hub_command()


def test_two_coaches_sign_in_to_the_hub_and_each_sees_only_their_team(
    hub: Hub, signed_in: dict[str, Any]
) -> None:
    for login, page in signed_in.items():
        other = next(name for name in COACHES if name != login)
        text = _workbook(page, hub, login)
        # The page's widgets reach it over its websocket, through the standalone
        # proxy (with jhsingle-native-proxy and tornado 6.6 they never did).
        try:
            page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
        except Exception:
            pytest.fail(f"{login}'s workbook did not build: {text[:500]}")
        text = _shown_text(page)
        assert f"Showing {hub.coach[login]}'s reps" in text, text[:800]
        assert any(rep in text for rep in hub.reps[login])
        assert hub.coach[other] not in text
        seen = [rep for rep in hub.reps[other] if rep in text]
        assert seen == [], f"{login} sees {other}'s reps: {seen}"
        # Links stay on the coach's own server.
        home = page.locator(".ck-nav a", has_text="Home")
        assert home.get_attribute("href") == f"/user/{login}/"
        screenshot(page, f"hub-{login}-prioritize")


def test_a_hub_user_coachkit_does_not_know_is_told_so(
    hub: Hub, browser: Any, signed_in: dict[str, Any]
) -> None:
    page = _sign_in(browser, hub, STRANGER)
    try:
        _wait_for_server(page, hub, STRANGER)
        text = _workbook(page, hub, STRANGER)
        message = page.locator(".coachkit-error")
        message.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
        shown = message.inner_text()
        assert f"You are signed in as {STRANGER}" in shown
        assert NOT_SET_UP in shown
        assert f'coachkit users add "Your Name" --login {STRANGER}' in shown
        text = _shown_text(page)
        for login in COACHES:
            assert hub.coach[login] not in text
            assert [rep for rep in hub.reps[login] if rep in text] == []
        screenshot(page, "hub-stranger")
    finally:
        _close(page)


def test_a_server_opened_without_signing_in_sends_to_the_hubs_login(
    hub: Hub, browser: Any, signed_in: dict[str, Any]
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/user/ann{PILLARS[0].path}")
        assert page.url.startswith(f"{hub.url}/hub/login"), page.url
        page.locator("#login_submit").wait_for(state="visible")
        assert hub.coach["ann"] not in _shown_text(page)
    finally:
        context.close()


def test_a_coach_cannot_open_another_coachs_server(
    hub: Hub, signed_in: dict[str, Any]
) -> None:
    page = signed_in["bo"]
    response = page.goto(f"{hub.url}/user/ann{PILLARS[0].path}")
    assert response is not None
    assert response.status == 403, (response.status, page.url)
    text = _shown_text(page)
    assert "You do not have permission to access Server at /user/ann/" in text
    assert hub.coach["ann"] not in text
    assert [rep for rep in hub.reps["ann"] if rep in text] == []
    screenshot(page, "hub-bo-opens-ann")


def test_the_idle_culler_stops_servers_left_idle(
    hub: Hub, signed_in: dict[str, Any], tmp_path: Path
) -> None:
    # The shipped service's command, with seconds where it says an hour.
    command = [
        sys.executable if part == "python3" else part
        for part in hub.shipped_culler
        if not part.startswith(("--timeout=", "--cull-every="))
    ]
    command += ["--timeout=5", "--cull-every=2"]
    servers = _servers(hub)
    assert set(servers) == {*COACHES, STRANGER}, servers
    time.sleep(5)  # nobody touches them
    env = quiet_env(tmp_path / "home")
    env["JUPYTERHUB_API_TOKEN"] = CULLER_TOKEN
    env["JUPYTERHUB_API_URL"] = hub.api
    log = tmp_path / "culler.log"
    culler = launch(command, env, log)
    try:
        deadline = time.monotonic() + 60
        while _servers(hub) and time.monotonic() < deadline:
            assert culler.poll() is None, log_tail(log)
            time.sleep(0.5)
        assert _servers(hub) == {}, log_tail(log)
    finally:
        _stop(culler)
    assert "Culling server" in log.read_text(errors="replace")
    left = [pid for pid in process_tree(hub.proc.pid) if _is_coachkit(pid)]
    assert left == [], "the culled servers' coachkit processes are still running"


def _servers(hub: Hub) -> dict[str, Any]:
    """Every user's running server, as the Hub's REST API sees them."""
    request = urllib.request.Request(
        hub.api + "/users", headers={"Authorization": f"token {CULLER_TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        users = json.load(response)
    return {
        user["name"]: user["servers"][""]
        for user in users
        if "" in (user.get("servers") or {})
    }


def _is_coachkit(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return any(
        mark in command
        for mark in (b"coachkit\x00serve", b"-m\x00voila", b"coachkit.web.kernels")
    )
