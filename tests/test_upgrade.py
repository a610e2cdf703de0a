"""Upgrades: a store written by an earlier release opens here with every row intact.

``tests/fixtures/store-0.1.0.db`` was written by coachkit 0.1.0 (data version 1) and
``store-0.1.0.counts.json`` holds the row count and checksum of each of its tables;
``tests/fixtures/make_store.py`` says how both were made. Each test works on a copy.
A missing upgrade step is covered by
``test_store.py::test_missing_upgrade_step_is_refused_and_nothing_changes``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from coachkit.apps.facilitate import Facilitate
from coachkit.apps.improve import Improve
from coachkit.apps.prioritize import Prioritize
from coachkit.apps.shell import READY_CLASS
from coachkit.cli.main import main
from coachkit.errors import SchemaTooNew
from coachkit.store import schema
from coachkit.store.access import Viewer
from coachkit.store.database import open_store

FIXTURES = Path(__file__).parent / "fixtures"
RELEASES = ["0.1.0"]


def _make_store_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "coachkit_make_store", FIXTURES / "make_store.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_store = _make_store_module()


def _expected(release: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"store-{release}.counts.json").read_text())


def _copy(release: str, tmp_path: Path) -> Path:
    path = tmp_path / f"store-{release}.db"
    shutil.copyfile(FIXTURES / f"store-{release}.db", path)
    return path


def _tables_now(path: Path, expected: dict[str, Any]) -> dict[str, Any]:
    """Describe ``path`` over the columns the old release had, table by table."""
    conn = sqlite3.connect(path)
    try:
        present = {
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master")
            if name in expected
        }
        return {
            table: {
                "columns": spec["columns"],
                **make_store.table_digest(conn, table, spec["columns"]),
            }
            for table, spec in expected.items()
            if table in present
        }
    finally:
        conn.close()


def _data_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        (value,) = conn.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
    finally:
        conn.close()
    return int(value)


@pytest.mark.parametrize("release", RELEASES)
def test_fixture_is_the_old_release_store_unchanged(release: str) -> None:
    """The fixture itself: still what that release wrote, one plain file."""
    path = FIXTURES / f"store-{release}.db"
    expected = _expected(release)
    assert expected["coachkit"] == release
    assert _data_version(path) == expected["schema_version"]
    assert make_store.describe_store(path) == expected["tables"]
    assert not path.with_name(path.name + "-wal").exists()
    assert path.stat().st_size < 400 * 1024


@pytest.mark.parametrize("release", RELEASES)
def test_old_store_opens_with_every_row_intact(release: str, tmp_path: Path) -> None:
    path = _copy(release, tmp_path)
    expected = _expected(release)["tables"]
    assert sum(spec["rows"] for spec in expected.values()) > 400

    open_store(path).dispose()

    assert _data_version(path) == schema.SCHEMA_VERSION
    now = _tables_now(path, expected)
    assert sorted(now) == sorted(expected), "a table of the old release is gone"
    for table, spec in expected.items():
        assert now[table] == spec, f"rows of '{table}' changed in the upgrade"
    conn = sqlite3.connect(path)
    try:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert set(schema.metadata.tables) <= tables


@pytest.mark.parametrize("release", RELEASES)
def test_check_passes_on_an_upgraded_store(release: str, tmp_path: Path) -> None:
    path = _copy(release, tmp_path)
    result = CliRunner().invoke(main, ["check", "--db", str(path)])
    assert result.exit_code == 0, result.output
    reps = _expected(release)["tables"]["reps"]["rows"]
    assert result.output.startswith(
        f"ok: coachkit data version {schema.SCHEMA_VERSION}"
    )
    assert f"{reps} reps" in result.output
    assert "integrity check passed" in result.output


@pytest.mark.usefixtures("no_callback_errors")
@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("workbook", [Prioritize, Facilitate, Improve])
def test_workbooks_build_on_an_upgraded_store(
    workbook: Any, release: str, tmp_path: Path
) -> None:
    path = _copy(release, tmp_path)
    demo = _expected(release)["demo"]
    conn = sqlite3.connect(path)
    try:
        reps = {name for (name,) in conn.execute("SELECT name FROM reps")}
    finally:
        conn.close()

    app = workbook(db=str(path), today=dt.date.fromisoformat(demo["today"]))

    assert READY_CLASS in app.view._dom_classes
    assert app.state.level != "error", app.state.message
    assert app.shell.body.children, app.state.message
    shown = app.state.queue if workbook is Facilitate else app.state.roster
    assert set(shown["rep"]) == reps
    if workbook is Improve:
        app.show_all()
        assert app.state.level != "error", app.state.message


@pytest.mark.parametrize("release", RELEASES)
def test_store_from_a_newer_coachkit_is_refused_and_left_as_it_was(
    release: str, tmp_path: Path
) -> None:
    path = _copy(release, tmp_path)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                (str(schema.SCHEMA_VERSION + 1),),
            )
    finally:
        conn.close()
    before = path.read_bytes()

    with pytest.raises(SchemaTooNew) as refused:
        open_store(path)
    message = str(refused.value)
    assert str(path) in message
    assert "newer coachkit" in message
    assert f"data version {schema.SCHEMA_VERSION + 1}" in message
    assert "pip install -U coachkit" in message

    result = CliRunner().invoke(main, ["check", "--db", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("problem: ")
    assert "newer coachkit" in result.output
    assert "Traceback" not in result.output

    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("release", RELEASES)
def test_upgraded_store_takes_dropped_actions_and_notes(
    release: str, tmp_path: Path
) -> None:
    """Version 3: an old store's actions can be dropped with a note, goals judged."""
    path = _copy(release, tmp_path)
    open_store(path).dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute(
            "UPDATE actions SET status = 'dropped', note = 'no longer needed' "
            "WHERE id = (SELECT min(id) FROM actions)"
        )
        conn.execute(
            "UPDATE goals SET status = 'met', closed_on = '2026-01-05', "
            "closed_value = 0.4, note = 'reached' "
            "WHERE id = (SELECT min(id) FROM goals)"
        )
        conn.commit()
        assert conn.execute(
            "SELECT count(*) FROM actions WHERE status = 'dropped'"
        ).fetchone() == (1,)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE actions SET status = 'maybe'")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


@pytest.mark.parametrize("release", RELEASES)
def test_upgraded_store_takes_calls(release: str, tmp_path: Path) -> None:
    """Version 4: an old store gets the call tables; the call metrics join it with
    the first calls saved, and its weekly numbers come out as in a new store."""
    import sqlalchemy as sa

    from coachkit.model.calls.store import calls_table, save_calls
    from coachkit.model.calls.transcript import Transcript, Turn

    path = _copy(release, tmp_path)
    store = open_store(path)
    try:
        with store.read() as conn:
            rep = conn.execute(sa.select(schema.reps).limit(1)).one()
        call = Transcript(
            (
                Turn(rep.name, 0, 30, "What is the next step?"),
                Turn("Dana Ruiz", 31, 90, "We sign by Friday."),
            ),
            "zoom_vtt",
            dt.date(2026, 1, 7),
            "old-store.vtt",
            "old store",
        )
        (saved,) = save_calls(
            store, rep.coach_id, rep.id, [call], sides={"Dana Ruiz": "buyer"}
        )
        assert saved.created
        table = calls_table(store, coach_id=rep.coach_id)
        assert table["talk_share"].tolist() == pytest.approx([30 / 89])
        with store.read() as conn:
            keys = conn.execute(
                sa.select(schema.metrics.c.key)
                .join(schema.metric_values)
                .where(schema.metric_values.c.rep_id == rep.id)
                .distinct()
            ).scalars()
            assert "recorded_calls" in set(keys)
    finally:
        store.dispose()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


@pytest.mark.parametrize("release", RELEASES)
def test_upgraded_store_takes_the_reps_own_answers_and_links(
    release: str, tmp_path: Path
) -> None:
    """Version 5: an old store's reps get a sign-in name and a link; sessions and
    actions keep the rep's own answers beside the coach's."""
    import sqlalchemy as sa

    from coachkit import rep_side

    path = _copy(release, tmp_path)
    store = open_store(path)
    today = dt.date.fromisoformat(_expected(release)["demo"]["today"])
    try:
        with store.read() as conn:
            session = conn.execute(
                sa.select(schema.sessions)
                .where(schema.sessions.c.status == "done")
                .limit(1)
            ).one()
            action = conn.execute(
                sa.select(schema.actions).where(
                    schema.actions.c.status == "open",
                    schema.actions.c.owner == "rep",
                )
            ).first()
        with store.write() as conn:
            secret = rep_side.make_rep_link(conn, session.coach_id, session.rep_id)
            rep_side.set_rep_login(conn, session.coach_id, session.rep_id, "old-rep")
            rep_side.rate_session(
                conn, session.rep_id, session.id, 4, 3, 5, "More practice"
            )
            if action is not None:
                rep_side.mark_action(
                    conn, action.rep_id, action.id, False, "No time", today
                )
        with store.write() as conn:
            viewer = rep_side.rep_for_link(conn, secret)
            assert viewer is not None
            assert viewer.rep_id == session.rep_id
            assert rep_side.rep_for_login(conn, "old-rep") == Viewer(
                viewer.coach_id, viewer.name, "rep", "hub", rep_id=viewer.rep_id
            )
            row = conn.execute(
                sa.select(schema.sessions).where(schema.sessions.c.id == session.id)
            ).one()
            assert (row.rep_relevant, row.rep_wish) == (4, "More practice")
            assert row.rep_rated_at is not None
    finally:
        store.dispose()
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError):  # a login names one rep
            conn.execute("UPDATE reps SET login = 'same'")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        columns = {r[1] for r in conn.execute("PRAGMA table_info(actions)")}
        assert {"rep_note", "rep_marked_at"} <= columns
    finally:
        conn.close()
