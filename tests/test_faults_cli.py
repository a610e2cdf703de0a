"""Nothing lost, nothing touched, nothing silent (issue 23): the command line.

Every command meets every fault of its store or files: a folder or a device where the
store belongs, a full disk, a read-only store, a file that is not UTF-8. Each one says
what and where in one line and exits 1: no traceback, no advice about a server for a
local file, no new file left behind, and no byte changed in a file coachkit did not
make. Commands that only read open the store read-only.

The full disk is real SQLite: ``PRAGMA max_page_count`` on every connection stops
the file from growing, and SQLite answers exactly as on a full disk (SQLITE_FULL).
Where the machine lets us mount a tiny filesystem (root), the disk is real too.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from coachkit.cli.main import main
from coachkit.model.templates import templates_dir

pytestmark = pytest.mark.sqlite_only("the faults of a store file on a local disk")

FRAMEWORK = templates_dir() / "framework.yaml"
OTHER_FRAMEWORK = templates_dir() / "frameworks" / "customer_success.yaml"

#: Every command that opens the store, with its arguments ({tmp}: the test's folder).
COMMANDS: dict[str, tuple[str, ...]] = {
    "init": ("init",),
    "demo": ("demo", "--replace", "--coaches", "1", "--reps", "2", "--months", "1"),
    "import": ("import", "reps", "{tmp}/reps.csv"),
    "import --dry-run": ("import", "reps", "{tmp}/reps.csv", "--dry-run"),
    "users list": ("users", "list"),
    "users add": ("users", "add", "Nadia Newcomer"),
    "users change": ("users", "change", "Ann Example", "--role", "lead"),
    "check": ("check",),
    "export": ("export", "{tmp}/export"),
    "backup": ("backup", "{tmp}/copy.db"),
    "restore": ("restore", "{tmp}/export-in"),
    "report team": ("report", "team", "--out", "{tmp}/reports"),
    "report batch": ("report", "batch", "--workbook", "improve", "--out", "{tmp}/b"),
    "templates use": ("templates", "use", str(OTHER_FRAMEWORK)),
    "templates use --dry-run": ("templates", "use", str(OTHER_FRAMEWORK), "--dry-run"),
    "workshop --participants": ("workshop", "--participants", "2"),
    "workshop --list": ("workshop", "--list"),
    "workshop --reset": ("workshop", "--reset"),
    "serve": ("serve", "--port", "{port}"),
    "lab": ("lab", "--allow-root", "--no-browser", "--port", "{port}"),
}

#: The commands that only read: they never change a byte of the store.
READERS = [
    "import --dry-run",
    "users list",
    "check",
    "export",
    "backup",
    "report team",
    "templates use --dry-run",
]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def filled(name: str, tmp: Path) -> list[str]:
    from processes import free_port

    return [a.format(tmp=tmp, port=free_port()) for a in COMMANDS[name]]


def problem_lines(result: Result) -> list[str]:
    """The lines that say something went wrong."""
    return [
        line
        for line in result.output.splitlines()
        if line.startswith(("coachkit:", "problem:"))
    ]


def assert_one_line(result: Result, *names: str) -> str:
    """Exit 1, one line that names each of ``names``, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = problem_lines(result)
    assert len(lines) == 1, result.output
    for name in names:
        assert name in lines[0], lines[0]
    assert "server" not in lines[0], lines[0]  # a local file, not a server
    return lines[0]


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` and ``lab`` must stop before they start anything."""
    import coachkit.web.serve

    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("it started a server")

    monkeypatch.setattr(coachkit.web.serve, "serve", started)
    monkeypatch.setattr(subprocess, "Popen", started)


def _reps_file(path: Path, count: int, coach: str = "Ann Example") -> Path:
    rnd = random.Random(23)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "zu", "pe", "dri", "an", "sel"]
    names: set[str] = set()
    while len(names) < count:
        first = "".join(rnd.choice(syllables) for _ in range(3)).title()
        last = "".join(rnd.choice(syllables) for _ in range(4)).title()
        names.add(f"{first} {last}")
    lines = "".join(f"{n},{coach}\n" for n in sorted(names))
    path.write_text("name,coach\n" + lines, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one coach (Ann Example), an export of a small demo team, and a
    CSV file of 1,500 reps, made once and copied by each test."""
    folder = tmp_path_factory.mktemp("made")
    db = str(folder / "store.db")
    assert run("init", "--db", db).exit_code == 0
    assert run("users", "add", "Ann Example", "--db", db).exit_code == 0
    demo = str(folder / "demo.db")
    result = run("demo", "--db", demo, "--coaches", "1", "--reps", "3", "--months", "2")
    assert result.exit_code == 0, result.output
    assert run("export", str(folder / "export"), "--db", demo).exit_code == 0
    _reps_file(folder / "many.csv", 1500)
    _reps_file(folder / "reps.csv", 1)
    settle()
    assert not (folder / "store.db-wal").exists()  # every save is in the file
    return folder


def settle() -> None:
    """Close the connections commands run in this process left for the garbage
    collector, as the end of a ``coachkit`` process does."""
    gc.collect()


@pytest.fixture
def work(made: Path, tmp_path: Path) -> Path:
    """The test's folder: ``store.db``, ``export-in`` (an export) and ``reps.csv``."""
    shutil.copy(made / "store.db", tmp_path / "store.db")
    shutil.copytree(made / "export", tmp_path / "export-in")
    shutil.copy(made / "reps.csv", tmp_path / "reps.csv")
    return tmp_path


@contextmanager
def sqlite_hook(pragma: Callable[[sqlite3.Connection], None]) -> Iterator[None]:
    """Run ``pragma`` on every new SQLite connection of every engine."""

    def hook(dbapi_conn: Any, _record: object) -> None:
        if isinstance(dbapi_conn, sqlite3.Connection):
            pragma(dbapi_conn)

    sa.event.listen(sa.engine.Engine, "connect", hook)
    try:
        yield
    finally:
        sa.event.remove(sa.engine.Engine, "connect", hook)


def _no_room(conn: sqlite3.Connection) -> None:
    """The file may not grow by one page: SQLite then says SQLITE_FULL."""
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count={max(pages, 1)}")


def disk_full() -> Any:
    return sqlite_hook(_no_room)


# -- a folder or a device where the store belongs ------------------------------------
@pytest.mark.usefixtures("no_server")
@pytest.mark.parametrize("kind", ["folder", "device"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_folder_or_a_device_as_the_store_is_one_line(
    work: Path, command: str, kind: str
) -> None:
    if kind == "folder":
        where = work / "a-folder"
        where.mkdir()
    else:
        where = Path(os.devnull)
        if not where.is_char_device():
            pytest.skip("no device file here")
    journal = Path(f"{os.devnull}-journal")
    had_journal = journal.exists()
    before = listing(work)

    result = run(*filled(command, work), "--db", str(where))

    line = assert_one_line(result, str(where))
    expected = "is a folder, not a store file" if kind == "folder" else "not a plain"
    assert expected in line
    assert listing(work) == before  # nothing new, nothing changed
    if kind == "folder":
        assert list(where.iterdir()) == []
    assert journal.exists() == had_journal  # no /dev/null-journal


# -- files coachkit did not make: refused, byte for byte as they were ----------------
def _view_only(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW answers AS SELECT 42 AS answer")
    conn.close()


def _bare_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 7")  # a SQLite file with nothing in it
    conn.close()


def _foreign_meta(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (version INTEGER)")
    conn.close()


FOREIGN: dict[str, Callable[[Path], None]] = {
    "zero bytes": lambda p: p.touch(),
    "only a view": _view_only,
    "empty SQLite": _bare_sqlite,
    "a meta table of its own": _foreign_meta,
}


@pytest.mark.usefixtures("no_server")
@pytest.mark.parametrize("what", list(FOREIGN))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_file_coachkit_did_not_make_is_never_turned_into_a_store(
    work: Path, command: str, what: str
) -> None:
    path = work / "theirs.db"
    FOREIGN[what](path)
    before = listing(work)

    result = run(*filled(command, work), "--db", str(path))

    line = assert_one_line(result, str(path))
    assert (
        "not a coachkit database" in line
        or "there is no store" in line
        or ("did not make" in line)
    )
    assert listing(work) == before


def test_check_on_a_sqlite_file_with_only_a_view_says_so_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """The report in issue 23: check turned it into a 54-table store, said "ok"."""
    path = tmp_path / "view.db"
    _view_only(path)
    before = path.read_bytes()

    result = run("check", "--db", str(path))

    assert result.exit_code == 1
    assert result.output.startswith("problem: ")
    assert "ok" not in result.output.split()
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        names = conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()
    assert names == [("answers",)]


@pytest.mark.parametrize("what", ["zero bytes", "empty SQLite"])
def test_init_refuses_an_empty_file_someone_else_made(
    tmp_path: Path, what: str
) -> None:
    path = tmp_path / "theirs.db"
    FOREIGN[what](path)
    before = path.read_bytes()

    result = run("init", "--db", str(path))

    line = assert_one_line(result, str(path))
    assert "will not turn it into a store" in line
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]


# -- reading never writes -------------------------------------------------------------
@pytest.mark.parametrize("command", READERS)
def test_a_command_that_only_reads_changes_no_byte_of_the_store(
    work: Path, command: str
) -> None:
    store = work / "store.db"
    before = store.read_bytes()
    stamp = store.stat().st_mtime_ns

    result = run(*filled(command, work), "--db", str(store))

    assert result.exit_code == 0, result.output
    settle()
    assert store.read_bytes() == before
    assert store.stat().st_mtime_ns == stamp
    beside = sorted(p.name for p in work.iterdir() if p.name.startswith("store.db"))
    assert beside == ["store.db"]  # no -wal, -shm or -journal left behind


def test_reading_opens_the_store_read_only(work: Path) -> None:
    from coachkit.errors import StoreReadOnly
    from coachkit.store.database import open_for_reading

    store = open_for_reading(work / "store.db")
    try:
        with pytest.raises(StoreReadOnly, match="opened for reading only"):
            store.write().__enter__()
        with store.read() as conn, pytest.raises(sa.exc.OperationalError):
            conn.exec_driver_sql("DELETE FROM coaches")  # SQLite itself refuses
    finally:
        store.dispose()


# -- backup and every writer replace nothing they did not make ------------------------
def test_backup_leaves_a_partial_file_of_someone_else_alone(work: Path) -> None:
    """The report in issue 23: backup X.db deleted an existing X.db.partial."""
    theirs = {
        work / "copy.db.partial": b"someone's half-copied file",
        work / ".copy.db.partial": b"another one",
    }
    for path, data in theirs.items():
        path.write_bytes(data)

    result = run("backup", str(work / "copy.db"), "--db", str(work / "store.db"))

    assert result.exit_code == 0, result.output
    for path, data in theirs.items():
        assert path.read_bytes() == data
    made = {p.name for p in work.iterdir()} - {"store.db", "export-in", "reps.csv"}
    assert made == {"copy.db", "copy.db.partial", ".copy.db.partial"}


# -- a full disk ----------------------------------------------------------------------
#: The commands that grow the store, and the store each one starts from: a new
#: file, the store with Ann Example, or an empty store.
FILLERS = {
    "init": "new.db",
    "demo": "empty.db",
    "import": "store.db",
    "restore": "empty.db",
    "workshop --participants": "new.db",
}


@pytest.mark.parametrize("command", list(FILLERS))
def test_a_full_disk_is_one_line_and_nothing_is_half_written(
    work: Path, made: Path, command: str
) -> None:
    store = work / FILLERS[command]
    shutil.copy(made / "many.csv", work / "reps.csv")
    if store.name == "empty.db":
        assert run("init", "--db", str(store)).exit_code == 0
    settle()
    before = listing(work)

    with disk_full():
        result = run(*filled(command, work), "--db", str(store))

    line = assert_one_line(result, "the disk is full")
    if command != "workshop --participants":  # it builds a team in a scratch file
        assert f"could not save to {store}" in line
    del result  # its traceback holds the command's last connection
    settle()
    assert listing(work) == before  # the store as it was; no new store file


def _can_mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 512 KB filesystem (needs root); skipped where it cannot be mounted."""
    folder = tmp_path / "tiny"
    if not _can_mount_tmpfs(folder):
        pytest.skip("mounting a small filesystem needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def _fill(folder: Path) -> None:
    """Fill ``folder``'s filesystem to the last byte."""
    fd = os.open(folder / "ballast", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512, 1):
            with suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)


@pytest.mark.parametrize("command", ["export", "backup", "import"])
def test_a_real_full_disk_is_one_line(
    work: Path, made: Path, tiny_disk: Path, command: str
) -> None:
    store = work / "store.db"
    args = {
        "export": ("export", str(tiny_disk / "export")),
        "backup": ("backup", str(tiny_disk / "copy.db")),
        "import": ("import", "reps", str(made / "many.csv")),
    }[command]
    if command == "import":
        store = tiny_disk / "store.db"
        shutil.copy(work / "store.db", store)
    _fill(tiny_disk)
    before = listing(tiny_disk)

    result = run(*args, "--db", str(store))

    assert_one_line(result, "the disk is full", str(tiny_disk))
    del result  # its traceback holds the command's last connection
    settle()
    after = listing(tiny_disk)
    # SQLite opens a WAL store with its -wal and -shm files beside it, and cannot
    # tidy them away on a disk with no room; they hold no data.
    assert after.pop("store.db-wal", b"") == b""
    after.pop("store.db-shm", None)
    assert after == before  # no half-written export, copy or store


# -- a read-only store ----------------------------------------------------------------
@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the store file read-only. Root may write any file, so for root SQLite
    is also told to change nothing (``PRAGMA query_only``), which it answers as it
    answers a read-only file (SQLITE_READONLY)."""
    path.chmod(0o444)
    try:
        if os.geteuid() == 0:
            with sqlite_hook(lambda conn: conn.execute("PRAGMA query_only=ON")):
                yield
        else:
            yield
    finally:
        path.chmod(0o644)


WRITERS = ["users add", "users change", "import", "demo", "templates use", "restore"]


@pytest.mark.parametrize("command", WRITERS)
def test_saving_to_a_read_only_store_is_one_line(work: Path, command: str) -> None:
    store = work / "store.db"
    if command == "restore":
        store = work / "empty.db"
        assert run("init", "--db", str(store)).exit_code == 0
    before = store.read_bytes()

    with read_only(store):
        result = run(*filled(command, work), "--db", str(store))

    line = assert_one_line(result, str(store))
    assert "is read-only" in line
    assert store.read_bytes() == before


@pytest.mark.parametrize("command", READERS)
def test_reading_a_read_only_store_works(work: Path, command: str) -> None:
    store = work / "store.db"
    with read_only(store):
        result = run(*filled(command, work), "--db", str(store))
    assert result.exit_code == 0, result.output


# -- files that are not UTF-8 ---------------------------------------------------------
def _latin1_framework(path: Path) -> Path:
    text = FRAMEWORK.read_text(encoding="utf-8").replace("name:", "name: Café", 1)
    path.write_bytes(text.encode("latin-1", errors="replace"))
    return path


def test_restoring_a_file_that_is_not_utf8_but_matches_its_checksum_is_one_line(
    work: Path,
) -> None:
    """The report in issue 23: a traceback, because only the checksum was checked."""
    folder = work / "export-in"
    coaches = folder / "coaches.csv"
    text = coaches.read_text(encoding="utf-8")
    coaches.write_bytes(text.replace("\n", " Café\n", 2).encode("latin-1"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(coaches.read_bytes()).hexdigest()
    manifest["tables"]["coaches"]["sha256"] = digest
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    new = work / "new.db"

    result = run("restore", str(folder), "--db", str(new))

    line = assert_one_line(result, str(coaches), "not UTF-8")
    assert "nothing was restored" in line
    assert not new.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("import", "reps", "{tmp}/latin1.csv"),
        ("templates", "use", "{tmp}/latin1.yaml"),
        ("templates", "check", "{tmp}/latin1.yaml"),
        ("init", "--framework", "{tmp}/latin1.yaml"),
    ],
    ids=["import", "templates use", "templates check", "init --framework"],
)
def test_a_file_that_is_not_utf8_is_named_without_a_traceback(
    work: Path, args: tuple[str, ...]
) -> None:
    (work / "latin1.csv").write_bytes("name,coach\nJosé Diaz,Ann\n".encode("latin-1"))
    _latin1_framework(work / "latin1.yaml")
    before = listing(work)

    db = () if args[:2] == ("templates", "check") else ("--db", str(work / "store.db"))
    result = run(*[a.format(tmp=work) for a in args], *db)

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "latin1." in result.output.splitlines()[0]
    assert "UTF-8" in result.output or "utf-8" in result.output
    assert listing(work) == before


# -- exports: an added file is named ---------------------------------------------------
def test_export_into_a_folder_with_other_files_names_them(work: Path) -> None:
    folder = work / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")

    result = run("export", str(folder), "--force", "--db", str(work / "store.db"))

    assert result.exit_code == 0, result.output
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1, result.stderr
    assert warning[0].startswith("coachkit: warning: ")
    assert "notes.txt" in warning[0]
    assert "not part of the export" in warning[0]
    assert (folder / "notes.txt").read_text() == "mine\n"


def test_restore_names_a_file_the_export_did_not_write(work: Path) -> None:
    folder = work / "export-in"
    (folder / "extra_rows.csv").write_text("id,name\n99,Mallory\n")

    result = run("restore", str(folder), "--db", str(work / "new.db"))

    assert result.exit_code == 0, result.output
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1, result.stderr
    assert "extra_rows.csv" in warning[0]
    assert "were not restored" in warning[0]


def test_security_says_what_the_checksums_do_not_catch() -> None:
    text = (Path(__file__).parents[1] / "SECURITY.md").read_text(encoding="utf-8")
    assert "checksums" in text
    assert "not tampering" in text


# -- the server log is the terminal ----------------------------------------------------
def test_a_failed_save_in_a_served_workbook_logs_its_traceback_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The page says "the details are in the server log": they must be there."""
    import logging
    import sys

    from coachkit.web.serve import LOG_ENV, log_to_terminal, voila_env

    assert voila_env("sqlite:///x.db", "127.0.0.1", base={})[LOG_ENV] == "1"
    read_end, write_end = os.pipe()

    class KernelStderr:  # what ipykernel puts in sys.stderr: fileno is the terminal
        def fileno(self) -> int:
            return write_end

        def write(self, text: str) -> int:
            raise AssertionError("went to the page, not the terminal")

    logger = logging.getLogger("coachkit.test-terminal")
    monkeypatch.setattr(sys, "stderr", KernelStderr())
    monkeypatch.setenv(LOG_ENV, "1")
    try:
        log_to_terminal(logger)
        log_to_terminal(logger)  # once only
        try:
            raise RuntimeError("the disk fell off")
        except RuntimeError:
            logger.exception("error while saving the session")
        for handler in logger.handlers:
            handler.flush()
        os.close(write_end)
        said = os.read(read_end, 65536).decode()
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        os.close(read_end)
    assert said.count("error while saving the session") == 1
    assert "Traceback" in said
    assert "RuntimeError: the disk fell off" in said
