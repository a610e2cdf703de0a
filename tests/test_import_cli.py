"""`coachkit import`: the summary, problems on stderr, dry runs, a killed import."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.store import schema as s
from coachkit.store.database import open_store

HEAD = "coach,rep,metric,date,value\n"
ROWS = (
    "Victor Garcia,Tara Bauer,wins,2030-01-01,3\n"
    "Victor Garcia,Tara Bauer,wins,2030-01-02,4\n"
)


def state(db: Path) -> tuple[dict[str, int], tuple[int, float, int]]:
    """Row counts of every table, and a checksum of metric_values."""
    store = open_store(db)
    mv = s.metric_values
    with store.read() as conn:
        counts = {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in s.metadata.sorted_tables
        }
        checksum = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.total(mv.c.value),
                sa.func.total(mv.c.rep_id * 1000 + mv.c.metric_id),
            )
        ).one()
    store.dispose()
    return counts, tuple(checksum)


def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)
    return db


def test_import_prints_the_summary(demo_db: Path, tmp_path: Path) -> None:
    db = demo_copy(demo_db, tmp_path)
    csv = tmp_path / "metrics.csv"
    csv.write_text(HEAD + ROWS)
    result = CliRunner().invoke(main, ["import", "metrics", str(csv), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 metric values from metrics.csv: 2 added, 0 updated." in (
        result.stdout
    )
    again = CliRunner().invoke(main, ["import", "metrics", str(csv), "--db", str(db)])
    assert "0 added, 0 updated, 2 unchanged." in again.stdout


def test_bad_file_exits_1_with_problems_on_stderr(
    demo_db: Path, tmp_path: Path
) -> None:
    db = demo_copy(demo_db, tmp_path)
    before = state(db)
    csv = tmp_path / "metrics.csv"
    csv.write_text(HEAD + ROWS.replace("2030-01-02", "02/01/2030"))
    result = CliRunner().invoke(main, ["import", "metrics", str(csv), "--db", str(db)])
    assert result.exit_code == 1
    assert "metrics.csv was not imported (nothing was changed)" in result.stderr
    assert (
        "row 3, column 'date': expected a date like 2026-03-31, got '02/01/2030'"
        in result.stderr
    )
    assert result.stdout == ""
    assert state(db) == before


def test_dry_run_writes_nothing(demo_db: Path, tmp_path: Path) -> None:
    db = demo_copy(demo_db, tmp_path)
    before = state(db)
    csv = tmp_path / "metrics.csv"
    csv.write_text(HEAD + ROWS)
    result = CliRunner().invoke(
        main, ["import", "metrics", str(csv), "--db", str(db), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "would give 2 added, 0 updated. Nothing was written (dry run)." in (
        result.stdout
    )
    assert state(db) == before


def test_coach_option_and_unknown_kind(demo_db: Path, tmp_path: Path) -> None:
    db = demo_copy(demo_db, tmp_path)
    csv = tmp_path / "reps.csv"
    csv.write_text("name,segment\nNew Rep,SMB\n")
    ok = CliRunner().invoke(
        main, ["import", "reps", str(csv), "--db", str(db), "--coach", "Uma Iyer"]
    )
    assert "Imported 1 rep from reps.csv: 1 added, 0 updated." in ok.stdout
    bad = CliRunner().invoke(main, ["import", "people", str(csv), "--db", str(db)])
    assert bad.exit_code == 2
    assert "reps" in bad.output


def _big_metrics_file(path: Path, rows: int) -> None:
    reps = ["Tara Bauer", "Valeria Mensah", "Zoe Afolabi"]
    keys = ["wins", "meetings", "conversations", "opportunities"]
    start = dt.date(2000, 1, 1).toordinal()
    with path.open("w") as fh:
        fh.write(HEAD)
        n = 0
        day = 0
        while n < rows:
            iso = dt.date.fromordinal(start + day).isoformat()
            for rep in reps:
                for key in keys:
                    fh.write(f"Victor Garcia,{rep},{key},{iso},{n % 17}\n")
                    n += 1
            day += 1


def test_sigkill_while_writing_leaves_the_store_as_it_was(
    demo_db: Path, tmp_path: Path
) -> None:
    db = demo_copy(demo_db, tmp_path)
    before = state(db)
    csv = tmp_path / "big.csv"
    _big_metrics_file(csv, 300_000)
    wal = db.with_name(db.name + "-wal")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coachkit",
            "import",
            "metrics",
            str(csv),
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
        assert "Writing" in line, line
        deadline = time.monotonic() + 60
        # The rows go into the write-ahead log as they are inserted: once it holds
        # a few MB the import is midway through its transaction.
        while not (wal.exists() and wal.stat().st_size > 4_000_000):
            assert proc.poll() is None, "the import finished before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert state(db) == before
    store = open_store(db)
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    store.dispose()
