import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from coachkit.errors import NotACoachkitDatabase, SchemaTooNew, StoreError
from coachkit.model.users import add_user, list_users
from coachkit.store import migrations, schema
from coachkit.store.database import (
    ENV_VAR,
    Store,
    default_location,
    open_existing,
    open_store,
    removed_if_failed,
    resolve_url,
)


def test_new_file_gets_schema_and_version(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.db")
    with store.read() as conn:
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
        tables = set(sa.inspect(conn).get_table_names())
    assert version == str(schema.SCHEMA_VERSION)
    assert {t.name for t in schema.metadata.sorted_tables} <= tables
    assert store.is_empty()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path: Path) -> None:
    store = open_store(tmp_path / "wal.db")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_text_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my shopping list\n")
    with pytest.raises(NotACoachkitDatabase, match="not a coachkit database"):
        open_store(path)
    assert path.read_text() == "my shopping list\n"


def test_other_sqlite_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table invoices (id integer)")
    before = path.read_bytes()
    with pytest.raises(NotACoachkitDatabase, match="invoices"):
        open_store(path)
    assert path.read_bytes() == before


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    store = open_store(path)
    with store.write() as conn:
        conn.execute(
            sa.update(schema.meta)
            .where(schema.meta.c.key == "schema_version")
            .values(value=str(schema.SCHEMA_VERSION + 1))
        )
    store.dispose()
    with pytest.raises(SchemaTooNew, match="newer coachkit"):
        open_store(path)


def test_older_database_is_upgraded_in_place_keeping_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    store = open_store(path)
    with store.write() as conn:
        conn.execute(schema.coaches.insert().values(name="Avery Stone"))
    store.dispose()

    def add_nickname(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE coaches ADD COLUMN nickname TEXT")

    current = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(migrations.STEPS, current, add_nickname)
    store = open_store(path)
    with store.read() as conn:
        names = conn.exec_driver_sql("SELECT name, nickname FROM coaches").all()
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    assert names == [("Avery Stone", None)]
    assert version == str(current + 1)


def test_missing_upgrade_step_is_refused_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    open_store(path).dispose()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="cannot upgrade"):
        open_store(path)
    with sqlite3.connect(path) as conn:
        (version,) = conn.execute(
            "select value from meta where key='schema_version'"
        ).fetchone()
    assert version == str(schema.SCHEMA_VERSION - 1)


def test_location_comes_from_argument_then_env_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_url(None).database == str(default_location())
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")
    assert resolve_url(tmp_path / "arg.db").database == str(tmp_path / "arg.db")
    url = resolve_url("postgresql://coach@db.example/coachkit")
    assert url.drivername == "postgresql+psycopg"


def test_unreachable_server_gives_plain_message() -> None:
    with pytest.raises(StoreError, match="cannot reach the database"):
        open_store("postgresql://nobody@127.0.0.1:1/coachkit")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tx.db")
    twice = [{"name": "Avery Stone"}, {"name": "Avery Stone"}]

    def save_twice() -> None:
        with store.write() as conn:
            conn.execute(schema.coaches.insert().values(name="Jordan Vale"))
            conn.execute(schema.coaches.insert(), twice)

    with pytest.raises(sa.exc.IntegrityError):
        save_twice()
    assert store.is_empty()


def test_watch_tells_a_save_from_a_read(store: Store) -> None:
    """A page built before its visitor came is kept only if nothing was saved since
    (coachkit.apps.base); reading must not count, or no page would ever be kept."""
    quiet = store.watch()
    with store.read() as conn:
        list_users(conn)
    assert quiet() is False

    saved = store.watch()
    with store.write() as conn:
        add_user(conn, "Nadia Newcomer")
    assert saved() is True


def test_watch_sees_a_save_by_another_connection(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store.db")
    changed = store.watch()
    other = sqlite3.connect(tmp_path / "store.db")
    other.execute("INSERT INTO coaches (name, role) VALUES ('Omar Other', 'coach')")
    other.commit()
    other.close()
    assert changed() is True
    store.dispose()


# -- reading never creates a store (issue 26) -------------------------------------
def test_open_existing_refuses_a_path_with_no_store_and_makes_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo" / "coachkit.db"
    with pytest.raises(StoreError, match="there is no store at") as err:
        open_existing(missing)
    assert str(missing) in str(err.value)
    assert "coachkit init" in str(err.value)
    assert "coachkit demo" in str(err.value)
    assert list(tmp_path.iterdir()) == []  # not even the folder

    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="there is no store at"):
        open_existing(empty)
    assert empty.read_bytes() == b""

    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).close()  # a SQLite file without any table
    with pytest.raises(StoreError, match="there is no store at"):
        open_existing(bare)
    with sqlite3.connect(bare) as conn:
        assert conn.execute("select count(*) from sqlite_master").fetchone() == (0,)


def test_open_existing_opens_a_store_that_is_there(tmp_path: Path) -> None:
    open_store(tmp_path / "s.db").dispose()
    store = open_existing(tmp_path / "s.db")
    assert store.is_empty()
    store.dispose()


def test_open_existing_refuses_an_empty_postgresql_database(postgres_url: str) -> None:
    with pytest.raises(StoreError, match="there is no store at"):
        open_existing(postgres_url)
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    engine.dispose()


def _open_then(path: Path, stop: BaseException) -> None:
    """Open (create) the store at ``path`` inside the guard, then stop with ``stop``."""
    with removed_if_failed(path):
        open_store(path).dispose()
        assert path.exists()
        raise stop


def test_a_failed_block_leaves_no_new_store_or_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "s.db"
    with pytest.raises(ValueError, match="a bad number"):
        _open_then(path, ValueError("a bad number"))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SystemExit):
        _open_then(path, SystemExit(1))
    assert list(tmp_path.iterdir()) == []


def test_a_store_that_was_there_or_a_block_that_ends_well_stays(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "kept.db"
    open_store(kept).dispose()
    with pytest.raises(ValueError, match="later"):
        _open_then(kept, ValueError("later"))
    assert open_existing(kept).is_empty()

    made = tmp_path / "made.db"
    with removed_if_failed(made):
        open_store(made).dispose()
    assert made.exists()

    done = tmp_path / "done.db"
    with pytest.raises(SystemExit):
        _open_then(done, SystemExit(0))
    assert done.exists()
