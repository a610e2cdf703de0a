"""A throwaway PostgreSQL server for the tests that need a real one.

``postgres_url`` starts a private server (``initdb`` + ``pg_ctl``) in a temporary
folder on a Unix socket only, once per run, and gives each test a fresh empty
database. Set ``COACHKIT_TEST_POSTGRES`` to a server's URL to use that instead
(its password, if any, is handed to libpq through ``PGPASSWORD``).
Without PostgreSQL on the machine the tests fail with a message saying how to get
it: a database test that quietly skips proves nothing.

:func:`new_database` makes a database, empty or as a copy of a template database
(``CREATE DATABASE ... TEMPLATE``, a fast file copy on the server); ``--store
postgresql`` in ``conftest.py`` uses it to give the ``store`` and ``demo_store``
fixtures PostgreSQL databases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _as_postgres(command: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_postgres(command), capture_output=True, text=True, check=True, **kwargs
    )  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The base URL of a running PostgreSQL server (no database name)."""
    given = os.environ.get("COACHKIT_TEST_POSTGRES")
    if given:
        url = sa.make_url(given)
        if url.password:  # tests pass store.location around, which hides it
            os.environ["PGPASSWORD"] = str(url.password)
        server = sa.URL.create(
            "postgresql+psycopg",
            username=url.username,
            host=url.host,
            port=url.port,
            query=url.query,
        )
        yield server.render_as_string(hide_password=False)
        return
    if not _BIN:
        pytest.fail(
            "PostgreSQL is not installed: apt-get install postgresql, or set "
            "COACHKIT_TEST_POSTGRES to a server URL."
        )
    bin_dir = _BIN[-1]
    folder = Path(tempfile.mkdtemp(prefix="coachkit-pg-"))
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
    options = f"-k {sockets} -c listen_addresses='' -c fsync=off"
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "start",
        ]
    )
    try:
        yield f"postgresql+psycopg://postgres@/?host={sockets}"
    finally:
        subprocess.run(
            _as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _admin(server: str) -> tuple[sa.Engine, str, str]:
    base, _, query = server.partition("?")
    base = base.rstrip("/")
    engine = sa.create_engine(f"{base}/postgres?{query}", isolation_level="AUTOCOMMIT")
    return engine, base, query


@contextmanager
def new_database(server: str, template: str | None = None) -> Iterator[str]:
    """Create a database (a copy of ``template`` if given), yield its URL, drop it."""
    name = f"coachkit_{uuid.uuid4().hex[:12]}"
    admin, base, query = _admin(server)
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
        yield f"{base}/{name}?{query}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with new_database(postgres_server) as url:
        yield url
