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


# -- reading never creates a store; a failed command leaves no file (issue 26) ----
@pytest.mark.parametrize(
    "args",
    [
        ("lab", "--allow-root", "--no-browser", "--port", "{port}"),
        ("serve", "--port", "{port}"),
        ("users", "list"),
        ("users", "change", "Ann", "--role", "lead"),
        ("workshop", "--list"),
        ("workshop", "--reset"),
        ("import", "reps", "{tmp}/reps.csv", "--dry-run"),
    ],
    ids=lambda args: " ".join(a for a in args if not a.startswith("{")),
)
def test_a_command_that_reads_refuses_a_path_without_a_store(
    tmp_path: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    from processes import free_port

    import coachkit.web.serve

    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("it made a store and started a server")

    monkeypatch.setattr(coachkit.web.serve, "serve", started)  # coachkit serve
    monkeypatch.setattr(subprocess, "Popen", started)  # coachkit lab
    (tmp_path / "reps.csv").write_text("name\nAna Diaz\n")
    missing = tmp_path / "typo" / "nonexist.db"
    filled = [a.format(port=free_port(), tmp=tmp_path) for a in args]
    code, out = run(*filled, "--db", str(missing))
    assert code == 1, out
    assert f"coachkit: there is no store at {missing}; create one with coachkit " in (
        out
    )
    assert "coachkit demo" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps.csv"]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("workshop", "--participants", "0"), "use 1 to 200 seats"),
        (("workshop", "--participants", "201"), "use 1 to 200 seats"),
        (("workshop", "--participants", "3", "--reps", "0"), "use 1 to 50 reps"),
        (("import", "reps", "{tmp}/reps.csv"), "name"),
        (("users", "add", "  "), "Name"),
        (("restore", "{tmp}"), "manifest.json"),
    ],
    ids=["0 seats", "201 seats", "0 reps", "broken csv", "empty name", "restore"],
)
def test_a_failed_command_leaves_no_new_store_behind(
    tmp_path: Path, args: tuple[str, ...], problem: str
) -> None:
    (tmp_path / "reps.csv").write_text("nom\nAna Diaz\n")
    new = tmp_path / "new" / "workshop.db"
    code, out = run(*[a.format(tmp=tmp_path) for a in args], "--db", str(new))
    assert code == 1, out
    assert problem in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps.csv"]


def test_serve_without_db_still_makes_the_demo_at_the_default_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README "Start in one command": the first plain `serve` makes the store."""
    from coachkit.cli.main import store_with_team
    from coachkit.store.database import ENV_VAR, default_location

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert default_location().is_relative_to(tmp_path)
    store = store_with_team(None)
    try:
        assert store.location == str(default_location())
        assert not store.is_empty()
    finally:
        store.dispose()
