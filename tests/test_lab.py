"""``coachkit lab``: JupyterLab on copies of the workbooks, kernels on one store."""

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

from coachkit.cli.lab import copy_workbooks

TOKEN = "coachkit-test-token"


def test_copies_are_made_once_and_edits_kept(tmp_path: Path) -> None:
    copied = copy_workbooks(tmp_path)
    names = [p.name for p in copied]
    assert names == ["1_prioritize.ipynb", "2_facilitate.ipynb", "3_improve.ipynb"]
    edited = tmp_path / "3_improve.ipynb"
    edited.write_text(edited.read_text() + "\n", encoding="utf-8")
    mine = edited.read_text()
    assert copy_workbooks(tmp_path) == []
    assert edited.read_text() == mine


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
    assert names == ["1_prioritize.ipynb", "2_facilitate.ipynb", "3_improve.ipynb"]
    unauthorised = urllib.request.Request(lab.url + "api/contents")
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(unauthorised, timeout=10)


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
