"""Where the data lives: opening, checking and upgrading the store.

The store is one SQLite file by default and any SQLAlchemy URL (PostgreSQL) when a
team shares one. :func:`open_store` refuses files that coachkit did not make, refuses
databases written by a newer coachkit, and upgrades older ones in place; it creates the
store only where there is no file at all (never in an empty file, a SQLite file with
other things in it, a folder or a device). A workbook opens a store that is there with
:func:`open_existing`, which never creates one; a command that only reads (a report,
an export, a check) uses :func:`open_for_reading`, which also opens it read-only. A
command that may create a store runs inside :func:`removed_if_failed`, so a failure
leaves no new file. A full disk, a read-only file or a damaged one is said in one
sentence that names the store (:func:`coachkit.store.faults.explain_fault`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from coachkit.errors import (
    NotACoachkitDatabase,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnreachable,
)
from coachkit.store import migrations, schema
from coachkit.store.access import INFO_KEY, Viewer, lead_only
from coachkit.store.faults import explain_fault, first_line
from coachkit.store.watch import check_file, guard_file, refuse_leftovers

#: How long a SQLite write waits for another one to finish before giving up.
BUSY_SECONDS = 10

#: Environment variable naming the store (a file path or a SQLAlchemy URL).
ENV_VAR = "COACHKIT_DB"

_SQLITE_MAGIC = b"SQLite format 3\x00"
_LOCKED = "database is locked"
#: The files SQLite keeps beside a store while it is open.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def default_location() -> Path:
    """Return the default SQLite file: ``coachkit.db`` in the user's data folder."""
    return Path(platformdirs.user_data_dir("coachkit", appauthor=False)) / "coachkit.db"


def resolve_url(location: str | os.PathLike[str] | None = None) -> URL:
    """Turn ``--db`` / ``COACHKIT_DB`` / the default into a SQLAlchemy URL.

    Parameters
    ----------
    location
        A file path, a SQLAlchemy URL (``postgresql+psycopg://...``), or None to use
        ``COACHKIT_DB`` and then the default file.
    """
    raw = os.fspath(location) if location is not None else os.environ.get(ENV_VAR)
    if not raw:
        raw = str(default_location())
    if "://" in raw:
        try:
            url = make_url(raw)
        except sa.exc.ArgumentError as exc:
            raise StoreError(
                f"'{raw}' is not a database URL coachkit understands. Use a file path "
                "or a URL such as postgresql+psycopg://user@host/coachkit."
            ) from exc
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite", database=str(Path(raw).expanduser().resolve()))


def describe(url: URL) -> str:
    """Say where the store is, for people: a file path, or the URL without password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


@dataclass(frozen=True)
class Store:
    """An open coachkit store: an engine whose schema is known to be current.

    ``viewer`` is whom the store works for (see :mod:`coachkit.store.access`); None
    means the whole store, as on the command line. ``read_only`` is True for a store
    opened by :func:`open_for_reading`: nothing can be saved through it.
    """

    engine: Engine
    url: URL
    viewer: Viewer | None = None
    read_only: bool = False

    def as_viewer(self, viewer: Viewer | None) -> Store:
        """Return the same store, limited to what ``viewer`` may see and change."""
        return replace(self, viewer=viewer)

    @property
    def location(self) -> str:
        """Where the data lives, in words a person can use."""
        return describe(self.url)

    @property
    def is_sqlite(self) -> bool:
        """True when the store is a local SQLite file."""
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Open one transaction: all of it is saved, or none of it.

        Raises
        ------
        StoreBusy
            Another write held a SQLite store for longer than ``BUSY_SECONDS``
            (SQLITE_BUSY); nothing of this transaction was saved, and the
            message asks the user to try again.
        StoreError
            The disk is full, the file is read-only or damaged (see
            :func:`explain_fault`); nothing of this transaction was saved.
        """
        if self.read_only:
            raise StoreReadOnly(
                f"{self.location} was opened for reading only, so nothing can be "
                "saved through it."
            )
        try:
            with self.engine.begin() as conn, self._as_viewer(conn):
                yield conn
        except sa.exc.DBAPIError as exc:
            if self.is_sqlite and _is_busy(exc):
                raise StoreBusy(
                    f"{self.location} is busy: another save took longer than "
                    f"{BUSY_SECONDS} seconds. Nothing of yours was saved; "
                    "try again in a moment."
                ) from exc
            fault = explain_fault(exc, self.location, saving=True)
            if fault is None:
                raise
            raise fault from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Open a connection for reading.

        Raises
        ------
        StoreError
            The disk or the file cannot be read (see :func:`explain_fault`).
        """
        try:
            with self.engine.connect() as conn, self._as_viewer(conn):
                yield conn
        except sa.exc.DBAPIError as exc:
            fault = explain_fault(exc, self.location, saving=False)
            if fault is None:
                raise
            raise fault from exc

    @contextmanager
    def _as_viewer(self, conn: Connection) -> Iterator[None]:
        # Connection.info outlives this checkout (it belongs to the pooled DBAPI
        # connection), so the viewer is put back however the block ends.
        before = conn.info.get(INFO_KEY)
        conn.info[INFO_KEY] = self.viewer
        try:
            yield
        finally:
            conn.info[INFO_KEY] = before

    def watch(self) -> Callable[[], bool]:
        """Start watching for saves; the function returned says whether anything was
        saved since, by anyone (this process, another kernel, the command line).

        SQLite counts commits per connection (``PRAGMA data_version``), so a
        connection of its own is kept open until the answer is asked for. PostgreSQL
        compares the server's transaction snapshot: another database's writes on the
        same server also count, so it may say True when nothing of ours changed,
        never False when something did. A store in memory always says True.
        """
        if self.is_sqlite:
            path = str(self.url.database or "")
            if not path or path == ":memory:":
                return lambda: True
            check_file(self.engine)
            own = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            version = "PRAGMA data_version"
            before = own.execute(version).fetchone()

            def sqlite_changed() -> bool:
                try:
                    return bool(own.execute(version).fetchone() != before)
                except sqlite3.Error:  # asked twice, or the file went away
                    return True
                finally:
                    own.close()

            return sqlite_changed
        snapshot = sa.text("SELECT txid_current_snapshot()::text")
        with self.read() as conn:
            seen = conn.execute(snapshot).scalar_one()

        def server_changed() -> bool:
            with self.read() as conn:
                return bool(conn.execute(snapshot).scalar_one() != seen)

        return server_changed

    def is_empty(self) -> bool:
        """True when the store has no coaches yet."""
        with self.read() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(schema.coaches))
            return count.scalar_one() == 0

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite store; None for a server or a store in memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _no_store(where: str) -> StoreError:
    return StoreError(
        f"there is no store at {where}; create one with coachkit init (or coachkit "
        "demo, for a made-up team to try), or check the path."
    )


def _check_sqlite_file(path: Path, create: bool) -> None:
    """Refuse a path that is not a plain SQLite file coachkit may open.

    A folder, a device or pipe, and a file that is not SQLite are refused always; an
    empty file (zero bytes: someone else made it) when asked to create a store, and
    as "no store" when reading. Nothing is opened or written.
    """
    if path.is_dir():
        raise StoreError(
            f"{path} is a folder, not a store file; pass a file path with --db, "
            f"such as {path / 'coachkit.db'}."
        )
    if not path.exists():
        if not create:
            raise _no_store(str(path))
        return
    if not path.is_file():
        raise NotACoachkitDatabase(
            f"{path} is not a plain file (it is a device or a pipe); coachkit keeps "
            "its store in a plain file. Pass another path with --db."
        )
    if path.stat().st_size == 0:
        if not create:
            raise _no_store(str(path))
        raise NotACoachkitDatabase(
            f"{path} is an empty file that coachkit did not make; coachkit will not "
            "turn it into a store. Remove it, or pass another path with --db."
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(
            f"cannot read {path}: {exc.strerror}. Check the file's permissions."
        ) from exc
    if head != _SQLITE_MAGIC:
        raise NotACoachkitDatabase(
            f"{path} is not a coachkit database (it is not a SQLite file). "
            "coachkit will not touch it; pass another path with --db."
        )


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _query_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


def _engine(url: URL, create: bool, read_only: bool = False) -> Engine:
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        refuse_leftovers(path)  # a -wal without its store may hold the latest saves
        _check_sqlite_file(path, create)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {path.parent}: {exc.strerror}. "
                "Pass a writable path with --db."
            ) from exc
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_SECONDS})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        if read_only:
            # SQLite itself then refuses every change to the file. (Not mode=ro:
            # a read-only connection that closes last leaves the -wal and -shm
            # files of a WAL store behind; this one removes them as usual.)
            sa.event.listen(engine, "connect", _query_only)
        return engine
    if read_only:  # every transaction of this engine's sessions reads only
        options = "-c default_transaction_read_only=on"
        return sa.create_engine(
            url, pool_pre_ping=True, connect_args={"options": options}
        )
    return sa.create_engine(url, pool_pre_ping=True)


def _objects(conn: Connection) -> set[str]:
    """The names of the tables and views in the database (SQLite: also triggers and
    indexes), which say whether anyone put anything there."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars()
        return set(rows)
    inspector = sa.inspect(conn)
    return set(inspector.get_table_names()) | set(inspector.get_view_names())


def _stored_version(conn: Connection, where: str) -> int | None:
    """Return the schema version, None for an empty database; refuse foreign ones."""
    objects = _objects(conn)
    if not objects:
        return None
    if "meta" not in objects:
        raise NotACoachkitDatabase(
            f"{where} is not a coachkit database (it has other tables or views: "
            f"{', '.join(sorted(objects)[:3])}). coachkit will not touch it; "
            "pass another path with --db."
        )
    try:
        meta = sa.select(schema.meta.c.key, schema.meta.c.value)
        rows = {str(k): str(v) for k, v in conn.execute(meta).all()}
    except sa.exc.DBAPIError as exc:  # a meta table (or view) of someone else's
        if explain_fault(exc, where, saving=False) is not None:
            raise
        raise NotACoachkitDatabase(
            f"{where} is not a coachkit database (its meta table is not ours). "
            "coachkit will not touch it; pass another path with --db."
        ) from exc
    if rows.get("app") != schema.APP_MARK or "schema_version" not in rows:
        raise NotACoachkitDatabase(
            f"{where} is not a coachkit database (its meta table is not ours). "
            "coachkit will not touch it; pass another path with --db."
        )
    try:
        return int(rows["schema_version"])
    except ValueError:
        raise NotACoachkitDatabase(
            f"{where} is not a coachkit database (its data version "
            f"{rows['schema_version']!r} is not a number). coachkit will not touch "
            "it; pass another path with --db."
        ) from None


def _create(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    conn.execute(
        schema.meta.insert(),
        [
            {"key": "app", "value": schema.APP_MARK},
            {"key": "schema_version", "value": str(schema.SCHEMA_VERSION)},
        ],
    )


def open_store(location: str | os.PathLike[str] | None = None) -> Store:
    """Open (and if needed create or upgrade) the coachkit store.

    Parameters
    ----------
    location
        A file path or SQLAlchemy URL; None means ``COACHKIT_DB`` or the default file.

    Raises
    ------
    NotACoachkitDatabase
        The file or database holds something else; it is left untouched.
    SchemaTooNew
        A newer coachkit wrote this database.
    StoreUnreachable
        The database server cannot be reached.
    """
    return _open(location, create=True)


def open_existing(location: str | os.PathLike[str] | None = None) -> Store:
    """Open a store that is already there (upgrading it if older); never create one.

    The workbooks, ``coachkit lab`` and ``Analysis.open`` use this (each may save);
    a command that only reads uses :func:`open_for_reading`. A path that holds no
    store (no file, an empty file, a database without coachkit's tables) is refused
    and nothing is created, not even a folder.

    Raises
    ------
    StoreError
        There is no store at ``location``; the message names the commands that make
        one. Otherwise as :func:`open_store`.
    """
    return _open(location, create=False)


def open_for_reading(location: str | os.PathLike[str] | None = None) -> Store:
    """Open a store that is already there, read-only; never create or change one.

    Every command that only reads uses this (``check``, ``export``, ``backup``'s
    source, the reports, ``users list``, the dry runs, ``workshop --list``): SQLite
    opens the file read-only (PostgreSQL: every transaction is read-only), so no
    byte of it changes. The one exception is a store from an older coachkit: it is
    upgraded in place first, as opening it anywhere else would (a store coachkit
    made, never someone else's file).

    Raises
    ------
    StoreError
        There is no store at ``location``. Otherwise as :func:`open_store`.
    """
    try:
        return _open(location, create=False, read_only=True)
    except _NeedsUpgrade:
        _open(location, create=False).dispose()
        return _open(location, create=False, read_only=True)


@contextmanager
def removed_if_failed(location: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Run a block that may create the SQLite store; if it fails, remove what it made.

    A command that fails (a bad number, a broken CSV file, a refused restore) then
    leaves no new store file, journal or folder behind. A file that was there before
    the block is never removed, and a block that ends normally (or by ``sys.exit(0)``)
    keeps everything. A PostgreSQL store is left to its server: each write is one
    transaction, so a failed one is already undone.
    """
    path = _sqlite_path(resolve_url(location))
    if path is None or path.exists():
        yield
        return
    beside = [path.with_name(path.name + ending) for ending in _SIDE_FILES]
    new_files = [p for p in (path, *beside) if not p.exists()]
    new_folders = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    try:
        yield
    except BaseException as exc:
        if not (isinstance(exc, SystemExit) and exc.code in (0, None)):
            for made in new_files:
                made.unlink(missing_ok=True)
            for folder in new_folders:  # innermost first; a folder now in use stays
                with suppress(OSError):
                    folder.rmdir()
        raise


class _NeedsUpgrade(Exception):
    """A store opened to read was written by an older coachkit."""


def _open(
    location: str | os.PathLike[str] | None, create: bool, read_only: bool = False
) -> Store:
    url = resolve_url(location)
    where = describe(url)
    path = _sqlite_path(url)
    existed = path is not None and path.exists()
    try:
        engine = _engine(url, create, read_only)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise StoreError(
            f"coachkit cannot talk to {url.get_backend_name()} databases here: "
            f"{first_line(exc)}. For PostgreSQL run: pip install 'psycopg[binary]'."
        ) from exc
    try:
        with engine.begin() as conn:
            version = _stored_version(conn, where)
            if version is None and not create:
                raise _no_store(where)
            if version is None and existed:
                raise NotACoachkitDatabase(
                    f"{where} is a SQLite file that coachkit did not make (it holds "
                    "no coachkit tables); coachkit will not turn it into a store. "
                    "Remove it, or pass another path with --db."
                )
            if version is None:
                _create(conn)
            elif version > schema.SCHEMA_VERSION:
                raise SchemaTooNew(
                    f"{where} was written by a newer coachkit (data version {version}; "
                    f"this one knows {schema.SCHEMA_VERSION}). Upgrade coachkit with "
                    "pip install -U coachkit."
                )
            elif version < schema.SCHEMA_VERSION:
                if read_only:
                    raise _NeedsUpgrade
                migrations.upgrade(conn, version)
        if path is not None and not read_only:
            # Only now that the file is known to be ours: WAL lets several workbook
            # kernels read while one writes. The setting is stored in the file.
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        fault = explain_fault(exc, where, saving=not read_only)
        if fault is not None:
            raise fault from exc
        if path is not None:
            raise StoreError(
                f"cannot open the SQLite file {where}: {first_line(exc.orig)}."
            ) from exc
        raise StoreUnreachable(
            f"cannot reach the database at {where}: {first_line(exc.orig)}. "
            "Check that the server runs and the URL is right, or use a file path."
        ) from exc
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnreachable(
            f"cannot open the database at {where}: {first_line(exc)}."
        ) from exc
    except BaseException:
        engine.dispose()
        raise
    if path is not None:
        guard_file(engine, path)  # a file removed or replaced stops every save
    return Store(engine=engine, url=url, read_only=read_only)


def _is_busy(exc: sa.exc.DBAPIError) -> bool:
    """True for SQLite's "database is locked" (SQLITE_BUSY) after the wait."""
    return isinstance(exc.orig, sqlite3.OperationalError) and _LOCKED in str(exc.orig)


@lead_only
def continue_ids(conn: Connection, tables: Sequence[sa.Table]) -> None:
    """On PostgreSQL, make new ids continue after the highest id in each table.

    Rows copied in with their ids (a restore, a workshop reset) leave PostgreSQL's
    id sequences behind; SQLite needs nothing.
    """
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        top = sa.func.max(column)
        conn.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(table.name, column.name),
                    sa.func.coalesce(top, 1),
                    top.is_not(None),
                )
            ).select_from(table)
        )
