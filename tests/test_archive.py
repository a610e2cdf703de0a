import csv
import datetime as dt
import errno
import hashlib
import json
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.cli.main import main, prepare_store
from coachkit.errors import CoachkitError
from coachkit.exchange.archive.export import (
    backup_store,
    check_store,
    export_store,
    restore_store,
)
from coachkit.exchange.archive.fileformat import decode_text, encode_text
from coachkit.store import schema
from coachkit.store.database import Store, open_store

TRICKY = [
    "=1+1",
    "'=1",
    "''x",
    "-5 rep",
    "@home",
    "+",
    "'",
    "",
    "\\N",
    "\tindented",
    "\rreturn",
    'say "hi", then\r\nleave',
    "plain text",
    "über ✓",
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def snapshot(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            t.name: conn.execute(sa.select(t).order_by(*t.primary_key)).all()
            for t in schema.metadata.sorted_tables
        }


def cell(folder: Path, table: str, row_id: int, column: str) -> str:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["id"] == str(row_id):
                return row[column]
    raise AssertionError(f"{table} {row_id} not exported")


@pytest.mark.parametrize("text", [*TRICKY, None])
def test_every_text_comes_back_and_none_starts_like_a_formula(text: str | None) -> None:
    written = encode_text(text)
    assert decode_text(written) == text
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_round_trip_gives_identical_files(demo_store: Store, tmp_path: Path) -> None:
    first = export_store(demo_store, tmp_path / "first")
    target = prepare_store(str(tmp_path / "restored.db"))  # has a framework already
    restore_store(target, tmp_path / "first")
    second = export_store(target, tmp_path / "second")

    assert snapshot(target) == snapshot(demo_store)
    assert first.tables["reps"].rows == 20
    assert first.tables["metric_values"].rows > 1000
    for table in ("calls", "call_turns", "call_speakers", "call_hits", "trackers"):
        assert first.tables[table].rows > 0, table
    names = sorted(p.name for p in (tmp_path / "first").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "second").iterdir())
    assert len(names) == len(schema.metadata.tables) + 1
    for name in names:
        if name != "manifest.json":
            a, b = (tmp_path / d / name for d in ("first", "second"))
            assert a.read_bytes() == b.read_bytes(), name
    one, two = (
        json.loads((tmp_path / d / "manifest.json").read_text())
        for d in ("first", "second")
    )
    assert one.pop("exported_at") != ""
    assert two.pop("exported_at") != ""
    assert one == two
    assert one["app"] == "coachkit"
    assert one["schema_version"] == schema.SCHEMA_VERSION
    assert second.tables == first.tables


def test_formula_text_is_neutralised_and_restored_exactly(
    demo_store: Store, tmp_path: Path
) -> None:
    hyperlink = '=HYPERLINK("http://x","y")'
    with demo_store.write() as conn:
        conn.execute(
            schema.reps.update().where(schema.reps.c.id == 1).values(name=hyperlink)
        )
        conn.execute(
            schema.plans.update().where(schema.plans.c.id == 1).values(notes="-2")
        )
        conn.execute(
            schema.sessions.update()
            .where(schema.sessions.c.id == 1)
            .values(went_well="+1")
        )
        conn.execute(
            schema.actions.update().where(schema.actions.c.id == 1).values(text="'=x")
        )
        conn.execute(
            schema.coaches.update().where(schema.coaches.c.id == 1).values(email=None)
        )
        conn.execute(
            schema.reflections.insert(),
            [
                {"coach_id": 1, "written_on": dt.date(2026, 6, 1), "text": t}
                for t in ["@SUM(A1)", *TRICKY]
            ],
        )
        first_new = conn.execute(
            sa.select(sa.func.max(schema.reflections.c.id))
        ).scalar()
    before = snapshot(demo_store)
    folder = tmp_path / "out"
    export_store(demo_store, folder)

    assert cell(folder, "reps", 1, "name") == "'" + hyperlink
    assert cell(folder, "plans", 1, "notes") == "'-2"
    assert cell(folder, "sessions", 1, "went_well") == "'+1"
    assert cell(folder, "actions", 1, "text") == "''=x"
    assert cell(folder, "coaches", 1, "email") == "\\N"
    sum_id = first_new - len(TRICKY)
    assert cell(folder, "reflections", sum_id, "text") == "'@SUM(A1)"

    target = open_store(tmp_path / "new.db")
    restore_store(target, folder)
    after = snapshot(target)
    assert after == before
    with target.read() as conn:
        texts = (
            conn.execute(
                sa.select(schema.reflections.c.text)
                .where(schema.reflections.c.id > sum_id)
                .order_by(schema.reflections.c.id)
            )
            .scalars()
            .all()
        )
        name = conn.execute(sa.select(schema.reps.c.name).where(schema.reps.c.id == 1))
        assert name.scalar_one() == hyperlink
    assert texts == TRICKY


def test_export_refuses_a_folder_that_holds_files(store: Store, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(CoachkitError, match="not empty") as err:
        export_store(store, tmp_path / "out")
    assert str(tmp_path / "out") in str(err.value)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]


@pytest.fixture
def exported(demo_db: Path, tmp_path: Path) -> Path:
    source = open_store(demo_db)
    export_store(source, tmp_path / "export")
    source.dispose()
    return tmp_path / "export"


def _tamper(folder: Path) -> None:
    path = folder / "reps.csv"
    path.write_text(path.read_text().replace("Account Executive", "Account Exec", 1))


def _drop_file(folder: Path) -> None:
    (folder / "sessions.csv").unlink()


def _newer(folder: Path) -> None:
    body = json.loads((folder / "manifest.json").read_text())
    body["schema_version"] = schema.SCHEMA_VERSION + 1
    (folder / "manifest.json").write_text(json.dumps(body))


def _bad_value_late(folder: Path) -> None:
    """A bad date in the last row of a late file, with the manifest made to match."""
    last = "actions"
    path = folder / f"{last}.csv"
    lines = path.read_text().split("\n")
    assert len(lines) > 3
    lines[-2] = lines[-2].replace("2026-", "2026/", 1)
    path.write_text("\n".join(lines))
    body = json.loads((folder / "manifest.json").read_text())
    body["tables"][last]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(body))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_tamper, "reps.csv was changed after the export"),
        (_drop_file, "sessions.csv is missing"),
        (_newer, "newer coachkit"),
        (lambda f: (f / "manifest.json").unlink(), "has no manifest.json"),
        (_bad_value_late, "actions.csv row .* is not a date"),
    ],
)
def test_restore_refuses_a_spoiled_export_and_changes_nothing(
    exported: Path, store: Store, spoil: Any, message: str
) -> None:
    spoil(exported)
    before = snapshot(store)
    with pytest.raises(CoachkitError, match=message):
        restore_store(store, exported)
    assert snapshot(store) == before
    assert before["objectives"]  # the framework was not cleared either


def test_restore_refuses_a_store_with_data(exported: Path, demo_store: Store) -> None:
    before = snapshot(demo_store)
    with pytest.raises(CoachkitError, match="already holds data .*3 coaches"):
        restore_store(demo_store, exported)
    assert snapshot(demo_store) == before


def _demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "live.db"
    shutil.copy(demo_db, path)
    return path


def test_backup_runs_while_another_connection_is_writing(
    demo_db: Path, tmp_path: Path
) -> None:
    live = open_store(_demo_copy(demo_db, tmp_path))
    stop, busy = threading.Event(), threading.Event()
    written = [0]

    def keep_writing() -> None:
        conn = sqlite3.connect(live.location, timeout=10)
        while not stop.is_set():
            conn.execute(
                "INSERT INTO reflections (coach_id, written_on, text) "
                "VALUES (1, '2026-06-15', 'busy')"
            )
            conn.commit()
            written[0] += 1
            busy.set()
        conn.close()

    holder = sqlite3.connect(live.location, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # an open write transaction, never committed
    holder.execute(
        "INSERT INTO reflections (coach_id, written_on, text) "
        "VALUES (1, '2026-06-15', 'not yet saved')"
    )
    writer = threading.Thread(target=keep_writing)
    try:
        copy = backup_store(live, tmp_path / "copy.db")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    writer.start()
    assert busy.wait(10)
    try:
        second = backup_store(live, tmp_path / "second.db")
    finally:
        stop.set()
        writer.join()

    assert written[0] > 0
    for path in (copy, second):
        backed = open_store(path)
        health = check_store(backed)
        assert health.ok, health.text
        assert health.counts["reps"] == 20
        with backed.read() as conn:
            texts = conn.execute(sa.select(schema.reflections.c.text)).scalars().all()
        assert "not yet saved" not in texts
        backed.dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.db"]


@pytest.mark.sqlite_only("coachkit backup copies SQLite files; PostgreSQL uses pg_dump")
def test_backup_refuses_an_existing_file(demo_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "keep.db"
    target.write_bytes(b"precious")
    with pytest.raises(CoachkitError, match="already exists"):
        backup_store(demo_store, target)
    assert target.read_bytes() == b"precious"


@pytest.mark.sqlite_only("SQLite's own integrity check runs on files only")
def test_check_says_ok_in_one_line(demo_store: Store) -> None:
    health = check_store(demo_store)
    assert health.ok
    assert health.text.startswith(
        f"ok: coachkit data version {schema.SCHEMA_VERSION}, 3 coaches, 20 reps, "
    )
    assert health.text.endswith("integrity check passed.")
    assert "\n" not in health.text


@pytest.mark.sqlite_only("it breaks a foreign key through the sqlite3 module")
def test_check_finds_rows_pointing_nowhere(demo_store: Store) -> None:
    raw = sqlite3.connect(demo_store.location)
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("UPDATE sessions SET plan_id = 99999 WHERE id = 1")
    raw.commit()
    raw.close()
    health = check_store(demo_store)
    assert not health.ok
    assert health.text.startswith("problem: 1 row(s) point to rows that do not exist")
    assert "sessions" in health.text


def test_check_reports_a_damaged_file_without_a_traceback(
    demo_db: Path, tmp_path: Path
) -> None:
    broken = _demo_copy(demo_db, tmp_path)
    size = broken.stat().st_size
    with broken.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096 + 100)
        fh.write(b"\xff" * 3000)
    code, out = run("check", "--db", str(broken))
    assert code == 1
    assert out.startswith("problem: ")
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_cli_export_restore_backup_check(demo_db: Path, tmp_path: Path) -> None:
    db = str(_demo_copy(demo_db, tmp_path))
    folder, new = str(tmp_path / "export"), str(tmp_path / "new.db")

    code, out = run("export", folder, "--db", db)
    assert code == 0, out
    assert out.startswith("Exported ")
    assert f"to {folder}" in out
    code, out = run("export", folder, "--db", db)
    assert code == 1
    assert "not empty" in out

    code, out = run("restore", folder, "--db", new)
    assert code == 0, out
    assert out.startswith("Restored ")
    assert new in out
    code, out = run("restore", folder, "--db", new)
    assert code == 1
    assert "already holds data" in out

    code, out = run("backup", str(tmp_path / "b.db"), "--db", new)
    assert code == 0, out
    assert "Backed up" in out
    assert f"ok: coachkit data version {schema.SCHEMA_VERSION}, 3 coaches" in out
    code, out = run("backup", str(tmp_path / "b.db"), "--db", new)
    assert code == 1
    assert "already exists" in out

    code, out = run("check", "--db", str(tmp_path / "b.db"))
    assert code == 0, out
    assert out.startswith("ok: ")
    assert "20 reps" in out
    code, out = run("check", "--db", str(tmp_path / "typo.db"))
    assert code == 1
    assert "no store at" in out
    assert not (tmp_path / "typo.db").exists()


def test_round_trip_through_postgresql(
    exported: Path, tmp_path: Path, postgres_url: str
) -> None:
    target = prepare_store(postgres_url)
    restore_store(target, exported)
    export_store(target, tmp_path / "again")
    for path in exported.glob("*.csv"):
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes()
    with target.write() as conn:  # new ids continue after the restored ones
        top = conn.execute(sa.select(sa.func.max(schema.reflections.c.id))).scalar()
        new = conn.execute(
            schema.reflections.insert()
            .values(coach_id=1, written_on=dt.date(2026, 6, 15), text="new")
            .returning(schema.reflections.c.id)
        ).scalar_one()
    assert new == top + 1
    with pytest.raises(CoachkitError, match="pg_dump"):
        backup_store(target, tmp_path / "copy.db")
    target.dispose()


# -- never replace what coachkit did not make; never create a store (issue 26) ------
def test_export_names_what_is_in_the_way_and_force_writes_beside_it(
    demo_db: Path, tmp_path: Path
) -> None:
    db = str(_demo_copy(demo_db, tmp_path))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "coaches.csv").write_text("my own list\n")
    code, out = run("export", str(mine), "--db", db)
    assert code == 1
    assert len(out.strip().splitlines()) == 1
    assert f"the folder {mine} is not empty (it holds coaches.csv)" in out
    assert "--force" in out
    assert [p.name for p in mine.iterdir()] == ["coaches.csv"]
    assert (mine / "coaches.csv").read_text() == "my own list\n"

    folder = tmp_path / "export"
    assert run("export", str(folder), "--db", db)[0] == 0
    fresh = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "coaches.csv").write_text("my own list\n")
    (folder / "notes.txt").write_text("mine")

    code, out = run("export", str(folder), "--db", db, "--force")
    assert code == 0, out
    for name, data in fresh.items():
        if name != "manifest.json":  # its time of export differs
            assert (folder / name).read_bytes() == data, name
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_failed_export_removes_the_files_and_folder_it_made(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachkit.exchange.archive import export as exporting

    real = exporting._export_table
    done: list[str] = []

    def fail_on_the_third(conn: Any, table: sa.Table, folder: Path) -> Any:
        if len(done) == 2:
            where = str(folder / f"{table.name}.csv")
            raise OSError(errno.ENOSPC, "No space left on device", where)
        done.append(table.name)
        return real(conn, table, folder)

    monkeypatch.setattr(exporting, "_export_table", fail_on_the_third)
    with pytest.raises(CoachkitError, match="^the disk is full: could not write "):
        export_store(demo_store, tmp_path / "new" / "export")
    assert done  # it did write files before it failed
    assert not (tmp_path / "new").exists()


@pytest.mark.sqlite_only("coachkit backup copies SQLite files; PostgreSQL uses pg_dump")
def test_backup_force_replaces_a_file_but_never_the_store_itself(
    demo_store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "keep.db"
    target.write_bytes(b"an old backup")
    with pytest.raises(CoachkitError, match="--force"):
        backup_store(demo_store, target)
    assert target.read_bytes() == b"an old backup"
    backup_store(demo_store, target, force=True)
    copy = open_store(target)
    assert check_store(copy).counts["reps"] == 20
    copy.dispose()
    before = Path(demo_store.location).read_bytes()
    with pytest.raises(CoachkitError, match="store in use"):
        backup_store(demo_store, demo_store.location, force=True)
    assert Path(demo_store.location).read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [("export", "{tmp}/export"), ("backup", "{tmp}/copy.db"), ("check",)],
    ids=["export", "backup", "check"],
)
def test_reading_a_path_without_a_store_creates_nothing(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "nonexist.db"
    filled = [a.format(tmp=tmp_path) for a in args]
    code, out = run(*filled, "--db", str(missing))
    assert code == 1
    assert f"there is no store at {missing}" in out
    assert "coachkit init" in out
    assert list(tmp_path.iterdir()) == []


def test_a_refused_restore_leaves_no_new_store(tmp_path: Path) -> None:
    (tmp_path / "not-an-export").mkdir()
    new = tmp_path / "new" / "store.db"
    code, out = run("restore", str(tmp_path / "not-an-export"), "--db", str(new))
    assert code == 1
    assert "manifest.json" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-an-export"]


def test_rep_links_and_the_reps_answers_go_out_and_come_back(
    demo_store: Store, tmp_path: Path, today: dt.date
) -> None:
    """The rep's side travels: links as their hash only (the secret is in no file),
    the rep's sign-in name, ratings, wishes and notes; a restored link still opens."""
    from coachkit import rep_side

    a = schema.actions
    with demo_store.read() as conn:
        action = conn.execute(
            sa.select(a)
            .join(schema.reps, schema.reps.c.id == a.c.rep_id)
            .where(a.c.owner == "rep", a.c.status == "open", schema.reps.c.active)
            .limit(1)
        ).one()
        session_id = conn.execute(
            sa.select(schema.sessions.c.id).where(
                schema.sessions.c.rep_id == action.rep_id,
                schema.sessions.c.status == "done",
            )
        ).scalar()
    with demo_store.write() as conn:
        old = rep_side.make_rep_link(conn, action.coach_id, action.rep_id)
        secret = rep_side.make_rep_link(conn, action.coach_id, action.rep_id)
        rep_side.set_rep_login(conn, action.coach_id, action.rep_id, "rep-login")
        rep_side.mark_action(conn, action.rep_id, action.id, False, "=No time", today)
        rep_side.rate_session(conn, action.rep_id, session_id, 2, 4, 5, "More, please")
    export_store(demo_store, tmp_path / "out")
    files = {
        p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()
    }
    assert "rep_links.csv" in files
    links = list(csv.DictReader(files["rep_links.csv"].splitlines()))
    assert len(links) == 2
    assert {r["token_hash"] for r in links} == {
        rep_side.links.token_hash(x) for x in (old, secret)
    }
    assert not [name for name, text in files.items() if secret in text or old in text]
    assert cell(tmp_path / "out", "actions", action.id, "rep_note") == "'=No time"
    assert cell(tmp_path / "out", "sessions", session_id, "rep_wish") == "More, please"
    assert cell(tmp_path / "out", "reps", action.rep_id, "login") == "rep-login"

    target = prepare_store(str(tmp_path / "restored.db"))
    restore_store(target, tmp_path / "out")
    assert snapshot(target) == snapshot(demo_store)
    with target.write() as conn:
        back = rep_side.rep_for_link(conn, secret)
        assert rep_side.rep_for_link(conn, old) is None
        restored = conn.execute(sa.select(a).where(a.c.id == action.id)).one()
    assert back is not None
    assert back.rep_id == action.rep_id
    assert (restored.status, restored.rep_note) == ("missed", "=No time")
    target.dispose()
