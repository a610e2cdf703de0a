"""Shared fixtures: a fresh real SQLite store per test, and a quiet $HOME.

Jupyter, IPython and Chromium write into $HOME, so the whole run points it (and the
JUPYTER_* folders) at a temporary folder. When notebooks are collected (nbval), a demo
store is built once and handed to their kernels through COACHKIT_DB.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import ipywidgets
import pytest

from coachkit.store import Store

pytest_plugins = ["browser_fixtures", "postgres_fixtures"]

#: Tests pin "today" so the demo history and every derived number are repeatable.
TODAY = dt.date(2026, 6, 15)

_HOME = Path(tempfile.mkdtemp(prefix="coachkit-test-home-"))


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
        from coachkit.cli import prepare_store
        from coachkit.demo import build_demo

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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty coachkit store in a real SQLite file."""
    from coachkit.cli import prepare_store

    s = prepare_store(str(tmp_path / "store.db"))
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store built once per run; copy it before writing to it."""
    from coachkit.cli import prepare_store
    from coachkit.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = prepare_store(str(path))
    build_demo(s, today=TODAY)
    s.dispose()
    return path


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the demo store for one test."""
    import shutil

    from coachkit.store import open_store

    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    s = open_store(str(path))
    yield s
    s.dispose()


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
