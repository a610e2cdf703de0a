import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.model.templates import templates_dir
from coachkit.store import schema
from coachkit.store.database import open_store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_init_creates_store_with_framework(tmp_path: Path) -> None:
    code, out = run("init", "--db", str(tmp_path / "s.db"))
    assert code == 0
    assert str(tmp_path / "s.db") in out
    store = open_store(tmp_path / "s.db")
    with store.read() as conn:
        objectives = conn.execute(sa.select(schema.objectives.c.name)).scalars().all()
    assert len(objectives) == 4


def test_demo_fills_an_empty_store_and_refuses_a_full_one(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    code, out = run(
        "demo", "--db", db, "--coaches", "2", "--reps", "3", "--months", "2"
    )
    assert code == 0, out
    assert "6 reps" in out
    code, out = run("demo", "--db", db)
    assert code == 1
    assert "already" in out
    code, out = run("demo", "--db", db, "--replace", "--coaches", "1", "--reps", "2")
    assert code == 0, out
    assert "2 reps" in out


def test_demo_rejects_zero_reps(tmp_path: Path) -> None:
    code, out = run("demo", "--db", str(tmp_path / "s.db"), "--reps", "0")
    assert code == 2
    assert "--reps" in out


def test_broken_template_names_file_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "framework.yaml"
    text = (templates_dir() / "framework.yaml").read_text()
    broken.write_text(text.replace("weight:", "wieght:", 1))
    code, out = run("init", "--db", str(tmp_path / "s.db"), "--framework", str(broken))
    assert code == 1
    assert str(broken) in out
    assert "wieght" in out
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_text("shopping list"), "not a coachkit database"),
        (lambda p: None, "cannot reach the database"),
    ],
    ids=["text-file", "unreachable-server"],
)
def test_bad_store_gives_one_line_and_nonzero_exit(
    tmp_path: Path, make: object, expected: str
) -> None:
    path = tmp_path / "notes.txt"
    make(path)  # type: ignore[operator]
    db = str(path) if path.exists() else "postgresql://nobody@127.0.0.1:1/coachkit"
    proc = subprocess.run(
        [sys.executable, "-m", "coachkit", "init", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr + proc.stdout


def test_serve_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code, out = run("serve", "--db", str(tmp_path / "s.db"), "--port", str(port))
    assert code == 1
    assert f"port {port}" in out
    assert "--port" in out
