"""``coachkit serve`` for a team: a token, a trusted proxy header, a base URL, the Hub.

What Voila is told for each option (read back through Voila's own option parser),
what the server's environment may not carry into a page, the refusal to open the
server to the network without a way to sign in, a team's own workbooks served
beside the three (``--workbooks``), and a real server that turns away a browser
without its key, on every workbook.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser_fixtures import (
    _stop,
    free_port,
    launch,
    process_tree,
    quiet_env,
    wait_until_answers,
)
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.errors import CoachkitError
from coachkit.model.pillars import PILLARS
from coachkit.web.front_door import SIGN_IN_PAGE, FrontDoor
from coachkit.web.identity import HEADER_VAR, HUB_VAR
from coachkit.web.serve import (
    REP_PAGE,
    UPLOAD_LIMIT_BYTES,
    VOILA_MAIN,
    WEBSOCKET_MAX_MESSAGE_BYTES,
    gather_workbooks,
    own_workbooks,
    voila_argv,
    voila_env,
    workbooks_dir,
)

KEY = "k3y-for-the-test-only-0123456789"
OWN = "west_improve.ipynb"
HUB_ENV = {HUB_VAR: "ann", "JUPYTERHUB_SERVICE_PREFIX": "/user/ann/"}


def _voila_reads(argv: list[str]) -> Any:
    """Voila's settings after it parsed ``argv`` (what ``coachkit serve`` runs)."""
    from voila.app import Voila

    class Parsed(Voila):  # type: ignore[misc]
        def start(self) -> None:  # pragma: no cover - never started
            pass

    Parsed.clear_instance()
    app = Parsed()
    app.initialize(argv[argv.index(VOILA_MAIN) + 1 :])
    return app


def _argv(door: FrontDoor, host: str = "127.0.0.1") -> list[str]:
    settings = door.tornado_settings(remote=host != "127.0.0.1")
    argv = voila_argv(
        workbooks_dir(), host=host, port=8866, pool_size=0, settings=settings
    )
    return argv + door.voila_args()


def test_plain_serve_keeps_the_host_check_and_needs_no_key() -> None:
    app = _voila_reads(_argv(FrontDoor()))
    assert app.base_url == "/"
    assert app.voila_configuration.http_header_envs == []
    assert not app.auto_token
    assert not app.tornado_settings["allow_remote_access"]


@pytest.mark.parametrize(
    "door",
    [
        FrontDoor(),
        FrontDoor(token=KEY),
        FrontDoor.from_options(HUB_ENV, jupyterhub=True),
    ],
)
def test_a_page_may_send_an_upload_as_big_as_the_page_allows(door: FrontDoor) -> None:
    # Tornado's default closed a page's connection, without a word, on a file over
    # 10 MiB. Every front door keeps the bigger limit, as a number (text would
    # break every message), with room for the message around the file.
    settings = _voila_reads(_argv(door)).tornado_settings
    limit = settings["websocket_max_message_size"]
    assert limit == WEBSOCKET_MAX_MESSAGE_BYTES
    assert limit > UPLOAD_LIMIT_BYTES + 1024 * 1024
    assert UPLOAD_LIMIT_BYTES >= 100 * 1024 * 1024
    # The page refuses a bigger file before sending it: the same number there.
    upload_js = (
        Path(__file__).parents[1] / "frontend" / "src" / "upload.js"
    ).read_text()
    stated = re.search(r"UPLOAD_LIMIT_BYTES = ([\d *]+);", upload_js)
    assert stated, "frontend/src/upload.js no longer states UPLOAD_LIMIT_BYTES"
    assert eval(stated.group(1)) == UPLOAD_LIMIT_BYTES  # noqa: S307 - digits and *


def test_trusted_header_and_base_url_reach_voila() -> None:
    door = FrontDoor.from_options(
        {}, trusted_header="X-Forwarded-User", base_url="coachkit"
    )
    assert door.base_url == "/coachkit/"
    app = _voila_reads(_argv(door))
    assert app.voila_configuration.http_header_envs == ["X-Forwarded-User"]
    # nginx passes the path on unchanged, so Voila serves under it too.
    assert (app.base_url, app.server_url) == ("/coachkit/", "/coachkit/")
    # Behind the proxy, browsers use the proxy's name; the proxy checks it.
    assert app.tornado_settings["allow_remote_access"]


def test_jupyterhub_serves_at_the_root_its_proxy_strips_the_prefix_to() -> None:
    door = FrontDoor.from_options(HUB_ENV, jupyterhub=True)
    app = _voila_reads(_argv(door))
    assert (app.base_url, app.server_url) == ("/user/ann/", "/")
    assert app.voila_configuration.http_header_envs == []


def test_the_key_stays_off_the_command_line() -> None:
    door = FrontDoor.from_options({}, token=KEY)
    argv = _argv(door)
    assert not any(KEY in arg for arg in argv)
    env = voila_env("sqlite:///x.db", "127.0.0.1", base={}, door=door)
    os.environ["JUPYTER_TOKEN"] = env["JUPYTER_TOKEN"]
    try:
        app = _voila_reads(argv)
        app.init_settings()  # makes the sign-in checker, which reads the key
        assert app.identity_provider.token == KEY
    finally:
        del os.environ["JUPYTER_TOKEN"]
    assert app.tornado_settings["login_url"] == "/" + SIGN_IN_PAGE
    # On this machine only, the Host check stays on even though the command line
    # replaced voila.json's settings.
    assert not app.tornado_settings["allow_remote_access"]


def test_the_servers_environment_cannot_speak_for_a_visitor() -> None:
    inherited = {
        "HTTP_X_FORWARDED_USER": "lee",
        "HTTP_X_OTHER": "x",
        HEADER_VAR: "X-Forwarded-User",
        HUB_VAR: "ann",
        "COACHKIT_TOKEN": KEY,
        "JUPYTER_TOKEN": "old",
        "PATH": "/usr/bin",
    }
    plain = voila_env("sqlite:///x.db", "127.0.0.1", base=inherited)
    assert not [name for name in plain if name.startswith("HTTP_")]
    assert HEADER_VAR not in plain  # only --trusted-header turns header trust on
    assert "JUPYTER_TOKEN" not in plain
    assert "COACHKIT_TOKEN" not in plain
    assert plain[HUB_VAR] == "ann"  # under JupyterHub: the server's owner
    assert plain["PATH"] == "/usr/bin"

    door = FrontDoor(trusted_header="X-Forwarded-User")
    proxied = voila_env("sqlite:///x.db", "127.0.0.1", base=inherited, door=door)
    assert not [name for name in proxied if name.startswith("HTTP_")]
    assert proxied[HEADER_VAR] == "X-Forwarded-User"
    assert HUB_VAR not in proxied  # the header alone decides


def test_open_host_without_a_way_to_sign_in_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    result = CliRunner().invoke(
        main, ["serve", "--db", str(db), "--host", "0.0.0.0", "--port", "1"]
    )
    assert result.exit_code == 1
    assert "--host 0.0.0.0 lets anyone" in result.output
    assert "--token" in result.output
    assert "--trusted-header X-Forwarded-User" in result.output
    assert not db.exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("options", "env", "problem"),
    [
        ({"token": "short"}, {}, "at least 16"),
        ({"token": "a key with spaces in it"}, {}, "at least 16"),
        ({"trusted_header": "X-User: ann"}, {}, "is not a header name"),
        ({"base_url": "/a/../b/"}, {}, "is not an address path"),
        ({"base_url": "/x'onmouseover=1/"}, {}, "is not an address path"),
        ({"jupyterhub": True}, {}, "only as a JupyterHub user's server"),
        ({"jupyterhub": True, "trusted_header": "X-User"}, HUB_ENV, "both say who"),
        ({"jupyterhub": True, "base_url": "/x/"}, HUB_ENV, "--base-url"),
    ],
)
def test_bad_options_say_what_to_change(
    options: dict[str, Any], env: dict[str, str], problem: str
) -> None:
    with pytest.raises(CoachkitError, match=problem):
        FrontDoor.from_options(env, **options)


def test_each_way_in_opens_the_network_or_warns() -> None:
    assert FrontDoor(token=KEY).check("0.0.0.0", 8866) == []
    (warning,) = FrontDoor(trusted_header="X-Forwarded-User").check("0.0.0.0", 8866)
    assert "only your sign-in proxy may reach 0.0.0.0 port 8866" in warning
    assert FrontDoor(trusted_header="X-Forwarded-User").check("127.0.0.1", 1)
    with pytest.raises(CoachkitError, match="Leave out --host"):
        FrontDoor(hub=True).check("0.0.0.0", 8866)
    assert FrontDoor().check("127.0.0.1", 8866) == []


# -- a team's own workbooks (--workbooks DIR) ---------------------------------------


def _own_folder(folder: Path) -> Path:
    """A team's folder: a customised copy of Improve, and a file that is no notebook."""
    folder.mkdir()
    notebook = nbformat.read(workbooks_dir() / "3_improve.ipynb", as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell("# The West team's review"))
    nbformat.write(notebook, folder / OWN)
    (folder / "notes.txt").write_text("not served", encoding="utf-8")
    return folder


def test_own_workbooks_are_served_beside_the_three_by_the_same_voila(
    tmp_path: Path,
) -> None:
    own = own_workbooks(_own_folder(tmp_path / "team"))
    assert own == {OWN: tmp_path / "team" / OWN}  # notebooks only
    (tmp_path / "served").mkdir()
    served = gather_workbooks(workbooks_dir(), own, tmp_path / "served")
    names = sorted(path.name for path in served.iterdir())
    assert names == sorted([*(p.notebook for p in PILLARS), REP_PAGE, OWN])
    assert (served / OWN).read_bytes() == (tmp_path / "team" / OWN).read_bytes()

    # One Voila serves them all: the command differs only in the folder, so every
    # page gets the same template, sign-in, limits and kernel pools.
    door = FrontDoor(token=KEY)
    plain = voila_argv(workbooks_dir(), host="127.0.0.1", port=8866)
    both = voila_argv(served, host="127.0.0.1", port=8866)
    assert [arg for arg in both if arg != str(served)] == [
        arg for arg in plain if arg != str(workbooks_dir())
    ]
    app = _voila_reads(both + door.voila_args())
    assert Path(app.root_dir) == served
    assert app.voila_configuration.template == "coachkit"
    assert app.voila_configuration.strip_sources
    assert app.auto_token


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: d / "missing", "there is no such folder"),
        (lambda d: d, "holds no notebook"),
        (lambda d: _named(d, "3_improve.ipynb", "{}"), "has the name of one of"),
        (lambda d: _named(d, "broken.ipynb", "not json"), "is not a notebook"),
    ],
)
def test_a_bad_workbooks_folder_is_refused_before_anything_is_made(
    tmp_path: Path, make: Any, problem: str
) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    given = make(folder)
    with pytest.raises(CoachkitError, match=problem):
        own_workbooks(given)
    db = tmp_path / "store.db"
    result = CliRunner().invoke(
        main, ["serve", "--db", str(db), "--port", "1", "--workbooks", str(given)]
    )
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert problem in line
    assert not db.exists()


def _named(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


# -- a real server with a key ----------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, Any]]:
    """``coachkit serve --token KEY`` (the key from $COACHKIT_TOKEN) on a demo store,
    with a team's own workbook (``--workbooks``)."""
    tmp = tmp_path_factory.mktemp("keyed")
    env = {**quiet_env(tmp / "home"), "COACHKIT_TOKEN": KEY}
    port = free_port()
    log = tmp / "serve.log"
    shutil.copy(demo_db, tmp / "s.db")
    command = [sys.executable, "-m", "coachkit", "serve", "--db", str(tmp / "s.db")]
    command += ["--host", "127.0.0.1", "--port", str(port), "--pool-size", "0"]
    command += ["--workbooks", str(_own_folder(tmp / "team"))]
    proc = launch(command, env, log)
    try:
        wait_until_answers(
            proc, log, lambda: _get(port, "/")[0] == 302, "coachkit serve --token"
        )
        yield port, proc
    finally:
        _stop(proc)


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    """GET ``path``; the answer's headers hold the cookies it set under "Cookie"."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        headers = dict(response.getheaders())
        cookies = response.headers.get_all("Set-Cookie") or []
        headers["Cookie"] = "; ".join(c.split(";")[0] for c in cookies)
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def test_a_page_without_the_key_is_turned_away(keyed: tuple[int, Any]) -> None:
    port, _proc = keyed
    for path in ("/", PILLARS[0].path, "/voila/tree"):
        status, headers, body = _get(port, path)
        assert status == 302, path
        assert headers["Location"].startswith("/" + SIGN_IN_PAGE), path
        assert "coachkit-pillars" not in body
    # The page it is sent to says what to do, in plain words.
    status, _headers, body = _get(port, "/" + SIGN_IN_PAGE + "?next=%2F")
    assert status == 200
    assert "needs its key" in body
    assert "?token=" in body
    # A wrong key is no key.
    assert _get(port, "/?token=" + KEY[:-1] + "x")[0] == 302


def test_the_key_opens_the_door_once_then_a_cookie_does(
    keyed: tuple[int, Any],
) -> None:
    port, _proc = keyed
    status, headers, body = _get(port, "/?token=" + KEY)
    assert status == 200
    assert "coachkit-pillars" in body
    status, _headers, body = _get(port, PILLARS[0].path, Cookie=headers["Cookie"])
    assert status == 200
    assert "jupyter-config-data" in body
    # A proxy can carry the key in a header instead (deploy/ mentions it).
    assert _get(port, "/", Authorization=f"token {KEY}")[0] == 200
    # Still only this machine's names: a page reached through DNS rebinding is not
    # served, key or no key.
    bad_host = {"Host": f"attacker.example:{port}", "Authorization": f"token {KEY}"}
    assert _get(port, "/", **bad_host)[0] == 403


def test_a_teams_own_workbook_needs_the_key_too(keyed: tuple[int, Any]) -> None:
    port, _proc = keyed
    status, headers, body = _get(port, f"/voila/render/{OWN}")
    assert status == 302
    assert headers["Location"].startswith("/" + SIGN_IN_PAGE)
    assert "West team" not in body
    status, headers, body = _get(port, "/?token=" + KEY)
    assert f'href="/voila/render/{OWN}"' in body  # listed on the landing page
    cookie = headers["Cookie"]
    status, _headers, body = _get(port, f"/voila/render/{OWN}", Cookie=cookie)
    assert status == 200
    assert "jupyter-config-data" in body
    # Its file is not handed out, any more than the three workbooks' are.
    assert _get(port, f"/voila/files/{OWN}", Cookie=cookie)[0] == 403


def test_the_key_is_in_no_command_line(keyed: tuple[int, Any]) -> None:
    _port, proc = keyed
    ours = process_tree(proc.pid)
    assert len(ours) >= 2, "coachkit serve and its Voila should both be running"
    for pid in ours:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert KEY.encode() not in cmdline, cmdline


def test_the_workbook_kernels_know_their_pages_draw_charts() -> None:
    from coachkit.apps.charts import PAGE_DRAWS_CHARTS

    env = voila_env("sqlite:///x.db", "127.0.0.1", base={})
    assert env[PAGE_DRAWS_CHARTS] == "1"
