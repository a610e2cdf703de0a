"""``coachkit lab``: JupyterLab on copies of the workbooks, kernels on one store.

The copies follow an upgrade without losing an analyst's edit, Lab opens on the
analyst example, an empty store gets the demo team as with ``coachkit serve``, and
root gets one line naming ``--allow-root``. Most tests stand in for JupyterLab
(``fake_lab``); the module's ``lab`` fixture runs the real one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser_fixtures import free_port, launch, quiet_env, wait_until_answers
from click.testing import CliRunner, Result

from coachkit.cli import lab as lab_module
from coachkit.cli.lab import MANIFEST, copy_workbooks, example_notebook
from coachkit.cli.main import main

TOKEN = "coachkit-test-token"
ROOT = Path(__file__).resolve().parents[1]


def test_copies_are_made_once_and_edits_kept(tmp_path: Path) -> None:
    copied = copy_workbooks(tmp_path).copied
    names = [p.name for p in copied]
    assert names == [
        "1_prioritize.ipynb",
        "2_facilitate.ipynb",
        "3_improve.ipynb",
        "4_my_coaching.ipynb",
    ]
    edited = tmp_path / "3_improve.ipynb"
    edited.write_text(edited.read_text() + "\n", encoding="utf-8")
    mine = edited.read_text()
    assert copy_workbooks(tmp_path).copied == []
    assert edited.read_text() == mine


def _ship(folder: Path, **notebooks: str) -> list[Path]:
    """Write made-up "shipped" notebooks (name without .ipynb = text) to ``folder``."""
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in notebooks.items():
        path = folder / f"{name}.ipynb"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_an_upgrade_refreshes_unchanged_copies_and_keeps_edited_ones(
    tmp_path: Path,
) -> None:
    mine = tmp_path / "lab"
    v1 = _ship(tmp_path / "v1", a="a, version 1", b="b, version 1")
    copies = copy_workbooks(mine, v1)
    assert [p.name for p in copies.copied] == ["a.ipynb", "b.ipynb"]
    (mine / "b.ipynb").write_text("b, version 1, with my analysis", encoding="utf-8")
    assert copy_workbooks(mine, v1) == lab_module.Copies([], [], [])

    v2 = _ship(tmp_path / "v2", a="a, version 2", b="b, version 2")
    copies = copy_workbooks(mine, v2)
    assert copies.copied == []
    assert copies.refreshed == [mine / "a.ipynb"]
    assert (mine / "a.ipynb").read_text() == "a, version 2"
    ((edited, beside),) = copies.kept
    assert edited == mine / "b.ipynb"
    assert edited.read_text() == "b, version 1, with my analysis"  # never replaced
    assert beside.parent == mine
    assert beside.name.startswith("b-coachkit-")
    assert beside.read_text() == "b, version 2"
    assert MANIFEST not in [item["name"] for item in _listed(mine)]
    # Said once: the next start finds nothing new, and the copies stay as they are.
    assert copy_workbooks(mine, v2) == lab_module.Copies([], [], [])
    assert edited.read_text() == "b, version 1, with my analysis"

    # A file already where the new version would go is never written over.
    beside.write_text("my notes on version 2", encoding="utf-8")
    v3 = _ship(tmp_path / "v3", a="a, version 3", b="b, version 3")
    copies = copy_workbooks(mine, v3)
    assert (mine / "a.ipynb").read_text() == "a, version 3"
    ((edited, beside_v3),) = copies.kept
    assert beside.read_text() == "my notes on version 2"
    assert beside_v3 != beside
    assert beside_v3.read_text() == "b, version 3"


def _listed(folder: Path) -> list[dict[str, Any]]:
    """The folder as Jupyter's contents API lists it (hidden files left out)."""
    from jupyter_server.services.contents.filemanager import FileContentsManager

    return list(FileContentsManager(root_dir=str(folder)).get("")["content"])


def test_copies_made_before_the_hashes_are_treated_as_edited(tmp_path: Path) -> None:
    mine = tmp_path / "lab"
    mine.mkdir()
    (mine / "a.ipynb").write_text("a, version 2", encoding="utf-8")  # as shipped
    (mine / "b.ipynb").write_text("b, version 1", encoding="utf-8")  # unknown
    copies = copy_workbooks(mine, _ship(tmp_path / "v2", a="a, version 2", b="b, v2"))
    assert copies.refreshed == []
    assert [edited.name for edited, _beside in copies.kept] == ["b.ipynb"]
    assert (mine / "b.ipynb").read_text() == "b, version 1"


class FakeLab:
    """Stands in for the JupyterLab process: keeps its command, exits at once."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv = argv
        self.env = env

    def wait(self) -> int:
        return 0


@pytest.fixture
def fake_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[FakeLab]:
    """``coachkit lab`` with JupyterLab stood in for, its data folder in tmp_path,
    and not as root; returns each Lab it started."""
    started: list[FakeLab] = []

    def popen(argv: list[str], env: dict[str, str]) -> FakeLab:
        started.append(FakeLab(argv, env))
        return started[-1]

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("COACHKIT_DB", raising=False)
    monkeypatch.setattr(lab_module.subprocess, "Popen", popen)
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    return started


def _lab(db: Path | None, *options: str) -> Result:
    args = ["lab", "--port", str(free_port()), "--no-browser"]
    args += ["--db", str(db)] if db is not None else []
    return CliRunner().invoke(main, [*args, *options])


def test_root_gets_one_line_naming_allow_root(
    fake_lab: list[FakeLab],
    demo_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    result = _lab(None)
    assert result.exit_code == 1
    assert fake_lab == []  # JupyterLab was never started
    (line,) = result.output.splitlines()
    assert line.startswith("coachkit: JupyterLab does not run as root")
    assert line.endswith("coachkit lab --allow-root")
    assert not (tmp_path / "data").exists()  # refused before anything was made

    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)

    result = _lab(db, "--allow-root")
    assert result.exit_code == 0, result.output
    (started,) = fake_lab
    assert "--ServerApp.allow_root=True" in started.argv


def _coaches(db: Path) -> int:
    from coachkit.analysis import Analysis

    a = Analysis.open(db)
    try:
        return len(a.table("coaches"))
    finally:
        a.close()


def test_an_empty_or_new_store_gets_the_demo_team_as_with_serve(
    fake_lab: list[FakeLab], tmp_path: Path
) -> None:
    added = "The store was empty, so coachkit added a demo team"
    # An empty store, made with coachkit init.
    empty = tmp_path / "empty.db"
    assert CliRunner().invoke(main, ["init", "--db", str(empty)]).exit_code == 0
    assert _coaches(empty) == 0
    result = _lab(empty)
    assert result.exit_code == 0, result.output
    assert added in result.output
    assert _coaches(empty) >= 2
    assert fake_lab[-1].env["COACHKIT_DB"].endswith("empty.db")
    # No store yet at the default place: the first start, as with coachkit serve.
    result = _lab(None)
    assert result.exit_code == 0, result.output
    assert added in result.output
    made = Path(result.output.split("Your data is stored in ")[1].split("\n")[0])
    assert made.is_relative_to(tmp_path / "data")
    assert _coaches(made) >= 2


def test_lab_gives_the_analyst_example_and_opens_on_it(
    fake_lab: list[FakeLab], demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)
    result = _lab(db)
    assert result.exit_code == 0, result.output
    assert "demo team" not in result.output  # a store with a team is left as is
    folder = Path(
        result.output.split("Your copies of the workbooks are in ")[1].split("\n")[0]
    )
    example = folder / "analyst.ipynb"
    assert example.read_bytes() == (ROOT / "examples" / "analyst.ipynb").read_bytes()
    (started,) = fake_lab
    assert f"--ServerApp.file_to_run={example}" in started.argv
    assert f"--ServerApp.root_dir={folder}" in started.argv


def test_the_wheel_ships_the_analyst_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyproject.toml puts the example where an installed coachkit looks for it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    target = shipped["examples/analyst.ipynb"]
    here = Path(lab_module.__file__).resolve()
    beside = here.parents[2]  # the checkout, or site-packages when installed
    if (beside / "pyproject.toml").is_file():  # run from a source checkout
        assert example_notebook() == ROOT / "examples" / "analyst.ipynb"
        # Installed from the wheel, there is no checkout beside the package.
        monkeypatch.setattr(Path, "is_file", lambda self: False)
        assert example_notebook() == beside / target
    else:  # run against the installed wheel (as .ci/run does): it is really there
        assert example_notebook() == beside / target
        assert example_notebook().is_file()


def test_lab_says_which_copies_it_updated_and_which_it_kept(
    fake_lab: list[FakeLab],
    demo_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)
    shipped = _ship(tmp_path / "v1", a="a, version 1", b="b, version 1")
    monkeypatch.setattr(lab_module, "shipped_notebooks", lambda: shipped)
    monkeypatch.setattr(lab_module, "EXAMPLE", "a.ipynb")
    assert _lab(db).exit_code == 0
    folder = Path(fake_lab[0].argv[3].removeprefix("--ServerApp.root_dir="))
    (folder / "b.ipynb").write_text("b, with my analysis", encoding="utf-8")

    _ship(tmp_path / "v1", a="a, version 2", b="b, version 2")  # an upgrade
    result = _lab(db)
    assert result.exit_code == 0, result.output
    assert "Updated to this coachkit's version (you had not changed them): a.ipynb" in (
        result.output
    )
    kept = [line for line in result.output.splitlines() if "b.ipynb" in line]
    assert len(kept) == 1
    assert kept[0].startswith("You changed b.ipynb, so it is kept as it is")
    beside = Path(kept[0].split("beside it: ")[1])
    assert beside.parent == folder
    assert beside.read_text() == "b, version 2"
    assert (folder / "b.ipynb").read_text() == "b, with my analysis"


@dataclass
class Lab:
    url: str
    log: Path
    env: dict[str, str]

    def copies(self) -> Path:
        """The folder ``coachkit lab`` said it put the workbooks in."""
        said = "Your copies of the workbooks are in "
        for line in self.log.read_text().splitlines():
            if line.startswith(said):
                return Path(line.removeprefix(said))
        raise AssertionError(f"coachkit lab did not say where:\n{self.log.read_text()}")

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}{path}?token={TOKEN}")
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}?token={TOKEN}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read())


@pytest.fixture(scope="module")
def lab(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``coachkit lab --no-browser`` on a copy of the demo store, with a fixed token."""
    tmp = tmp_path_factory.mktemp("lab")
    db = tmp / "demo.db"
    shutil.copy(demo_db, db)
    home = tmp / "home"
    env = {**quiet_env(home), "XDG_DATA_HOME": str(home / "data")}
    port = free_port()
    command = [sys.executable, "-m", "coachkit", "lab", "--db", str(db)]
    command += ["--port", str(port), "--no-browser"]
    command += ["--allow-root", f"--IdentityProvider.token={TOKEN}"]
    log = tmp / "lab.log"
    proc = launch(command, env, log)
    running = Lab(f"http://127.0.0.1:{port}/", log, env)
    try:
        wait_until_answers(
            proc, log, lambda: running.get("lab")[0] == 200, "coachkit lab"
        )
        yield running
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_lab_shows_the_workbooks(lab: Lab) -> None:
    status, page = lab.get("lab")
    assert status == 200
    assert b"JupyterLab" in page
    status, body = lab.get("api/contents")
    names = sorted(item["name"] for item in json.loads(body)["content"])
    assert names == [
        "1_prioritize.ipynb",
        "2_facilitate.ipynb",
        "3_improve.ipynb",
        "4_my_coaching.ipynb",
        "analyst.ipynb",
    ]
    unauthorised = urllib.request.Request(lab.url + "api/contents")
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(unauthorised, timeout=10)


def test_lab_opens_on_the_analyst_example(lab: Lab) -> None:
    """The page JupyterLab opens first (its browser-open file) is the example."""
    runtime = Path(lab.env["JUPYTER_RUNTIME_DIR"])
    (opener,) = runtime.glob("jpserver-file-to-run-*-open.html")
    assert "lab/tree/analyst.ipynb" in opener.read_text()


def test_a_lab_kernel_builds_the_workbook_on_the_store(lab: Lab) -> None:
    """Run the Improve copy's cells in a kernel Lab started, as an analyst would."""
    from jupyter_client import BlockingKernelClient

    kernel = lab.post("api/kernels", {"name": "python3"})
    runtime = Path(lab.env["JUPYTER_RUNTIME_DIR"])
    connection = runtime / f"kernel-{kernel['id']}.json"
    deadline = time.monotonic() + 30
    while not connection.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        copies = lab.copies()
        assert copies.is_relative_to(lab.env["HOME"])
        notebook = nbformat.read(copies / "3_improve.ipynb", as_version=4)
        code = "\n".join(cell.source for cell in notebook.cells[:-1])
        code += "\nprint(type(app).__name__, app.coaches['coach'].tolist())"
        printed: list[str] = []

        def keep(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                printed.append(msg["content"]["evalue"])

        reply = client.execute_interactive(code, timeout=120, output_hook=keep)
        assert reply["content"]["status"] == "ok", printed
        assert "Improve" in "".join(printed)
        assert "Uma Iyer" in "".join(printed)
    finally:
        client.stop_channels()


def test_a_busy_port_gets_one_clear_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coachkit.cli.main import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["lab", "--db", str(tmp_path / "x.db"), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output
    assert not (tmp_path / "x.db").exists()  # nothing made before the check
