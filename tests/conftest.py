"""Shared fixtures: a fresh real store per test, and a quiet $HOME.

Jupyter, IPython and Chromium write into $HOME, so the whole run points it (and the
JUPYTER_* folders) at a temporary folder. When notebooks are collected (nbval), a demo
store is built once and handed to their kernels through COACHKIT_DB.

The ``store`` and ``demo_store`` fixtures give SQLite files. With ``--store
postgresql`` (or ``COACHKIT_TEST_STORE=postgresql``) they give databases on a real
PostgreSQL server instead, and the run keeps only the tests that use one of them:
"the store tier".
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import ipywidgets
import pytest
from _pytest.fixtures import FixtureDef

from coachkit.store.database import Store

pytest_plugins = ["browser_fixtures", "postgres_fixtures"]

#: Tests pin "today" so the demo history and every derived number are repeatable.
TODAY = dt.date(2026, 6, 15)

_HOME = Path(tempfile.mkdtemp(prefix="coachkit-test-home-"))

#: The fixtures that make a store; a test that uses one is in the store tier.
_TIER = ("store", "demo_store")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("COACHKIT_TEST_STORE", "sqlite"),
        help="Where the store and demo_store fixtures keep their data. postgresql "
        "runs only the tests that use them (COACHKIT_TEST_STORE works too).",
    )


def _on_postgres(config: pytest.Config) -> bool:
    return bool(config.getoption("store") == "postgresql")


def _in_store_tier(item: pytest.Item) -> bool:
    """True when the test uses this file's ``store`` or ``demo_store`` fixture.

    A test module may define its own ``store`` (say, one shared SQLite file);
    its tests are not in the tier.
    """
    info = getattr(item, "_fixtureinfo", None)  # notebook cells have none
    if info is None:
        return False
    chains = info.name2fixturedefs
    return any(_ours(chains.get(name, ())) for name in _TIER)


def _ours(chain: Sequence[FixtureDef[object]]) -> bool:
    """True when a fixture of this file is in use in ``chain``: the last one, or
    one a later definition reaches by asking for its own name."""
    for fixturedef in reversed(chain):
        if fixturedef.func.__module__ == __name__:
            return True
        if fixturedef.argname not in fixturedef.argnames:
            return False
    return False


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not _on_postgres(config):
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (keep if _in_store_tier(item) else dropped).append(item)
        mark = item.get_closest_marker("sqlite_only")
        if mark is not None:
            if not mark.args:
                raise pytest.UsageError(f"{item.nodeid}: say why it is sqlite_only")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {mark.args[0]}"))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str | None:
    if _on_postgres(config):
        return "stores: PostgreSQL (only the tests that use store or demo_store run)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    os.environ["HOME"] = str(_HOME)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        os.environ[var] = str(_HOME / sub)
    os.environ.pop("COACHKIT_DB", None)


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(str(item.fspath).endswith(".ipynb") for item in session.items):
        from coachkit.demo import build_demo
        from coachkit.model.framework import prepare_store

        db = _HOME / "notebooks.db"
        store = prepare_store(str(db))
        if store.is_empty():
            build_demo(store, today=TODAY)
        store.dispose()
        os.environ["COACHKIT_DB"] = str(db)


@pytest.fixture
def today() -> dt.date:
    """The pinned "today" of the demo history."""
    return TODAY


def _fresh(
    request: pytest.FixtureRequest, sqlite: Callable[[], Store], template: str
) -> Iterator[Store]:
    """Yield ``sqlite()``, or under ``--store postgresql`` a new database copied from
    the ``template`` fixture's; dispose of it afterwards."""
    from coachkit.store.database import open_store

    if not _on_postgres(request.config):
        s = sqlite()
        yield s
        s.dispose()
        return
    with request.getfixturevalue(template)() as url:
        s = open_store(url)
        yield s
        s.dispose()


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh coachkit store holding only the framework: a SQLite file, or a
    PostgreSQL database under ``--store postgresql``."""
    from coachkit.model.framework import prepare_store

    yield from _fresh(
        request, lambda: prepare_store(str(tmp_path / "store.db")), "_empty_template"
    )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store built once per run; copy it before writing to it."""
    from coachkit.demo import build_demo
    from coachkit.model.framework import prepare_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = prepare_store(str(path))
    build_demo(s, today=TODAY)
    s.dispose()
    return path


@pytest.fixture
def demo_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo store for one test."""
    import shutil

    from coachkit.store.database import open_store

    def copy() -> Store:
        path = tmp_path / "demo.db"
        shutil.copy(request.getfixturevalue("demo_db"), path)
        return open_store(str(path))

    yield from _fresh(request, copy, "_demo_template")


@pytest.fixture(scope="module")
def shared_demo_store(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One copy of the demo store for a whole test module; its tests may write to it
    and see each other's writes (the fuzz tests, whose examples are too many for a
    fresh copy each)."""
    import shutil

    from coachkit.store.database import open_store

    path = tmp_path_factory.mktemp("shared-demo") / "demo.db"
    shutil.copy(demo_db, path)
    s = open_store(str(path))
    yield s
    s.dispose()


_Copies = Callable[[], AbstractContextManager[str]]


def _template(server: str, fill: Callable[[Store], object]) -> Iterator[_Copies]:
    """Build a PostgreSQL database once; yield a maker of fresh copies of it."""
    from postgres_fixtures import new_database
    from sqlalchemy.engine import make_url

    from coachkit.model.framework import prepare_store

    with new_database(server) as url:
        s = prepare_store(url)
        fill(s)
        s.dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
        name = make_url(url).database
        yield lambda: new_database(server, template=name)


@pytest.fixture(scope="session")
def _empty_template(postgres_server: str) -> Iterator[_Copies]:
    yield from _template(postgres_server, lambda s: None)


@pytest.fixture(scope="session")
def _demo_template(postgres_server: str) -> Iterator[_Copies]:
    from coachkit.demo import build_demo

    yield from _template(postgres_server, lambda s: build_demo(s, today=TODAY))


@pytest.fixture
def no_callback_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if a widget callback raised (Button.click swallows errors)."""
    yield
    bad = [
        r for r in caplog.get_records("call") if r.levelname in ("ERROR", "CRITICAL")
    ]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    yield
    ipywidgets.Widget.close_all()
