"""Ten kernels writing at once lose nothing and show no lock error (issue 9, item 4).

Ten separate processes (:mod:`soak_writer`, one per rep, spread over both demo
coaches) start, observe, autosave and finish sessions and save assessments through
the functions the workbooks call, all at the same moment, on a copy of the demo
store: on SQLite and on PostgreSQL. Afterwards every process exited 0, no output
says "database is locked", the sessions, observations and assessments tables grew
by exactly what the processes say they committed (in total and per rep), and the
store passes its integrity checks.

On SQLite the test also holds the write lock for longer than the store's busy
timeout, halfway through, as a long import would: every writer then gets a clear
"try again" message, and what it was refused is not in the store.

The run lasts 30 seconds per database; ``COACHKIT_SOAK_SECONDS=300`` gives the full
five-minute soak.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from coachkit.exchange.archive.health import check_store
from coachkit.store import schema as s
from coachkit.store.database import open_store

TESTS = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("COACHKIT_SOAK_SECONDS", "30"))
TODAY = "2026-06-15"  # the demo's pinned today (conftest.TODAY)
#: Ten active demo reps, five of each coach: (coach, rep).
WORKERS = [(1, r) for r in (1, 2, 4, 5, 6)] + [(2, r) for r in (11, 12, 13, 14, 15)]
#: Longer than the store's SQLite busy timeout (10 s), so waiting writers give up.
LOCK_HOLD = 12.0
TABLES = ("sessions", "observations", "assessments")
LOCKED = "database is locked"
#: How long ten processes may take to import coachkit and open the store.
READY_TIMEOUT = 120


def _counts(url: str) -> dict[str, Any]:
    """Rows per table, finished sessions, and rows per rep of each table."""
    store = open_store(url)
    try:
        with store.read() as conn:
            out: dict[str, Any] = {}
            for name in TABLES:
                table = s.metadata.tables[name]
                out[name] = conn.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar_one()
                out[f"{name}_by_rep"] = dict(
                    conn.execute(
                        sa.select(table.c.rep_id, sa.func.count()).group_by(
                            table.c.rep_id
                        )
                    ).all()
                )
            out["finished"] = conn.execute(
                sa.select(sa.func.count()).where(s.sessions.c.status == "done")
            ).scalar_one()
        health = check_store(store)
    finally:
        store.dispose()
    out["problems"] = list(health.problems)
    return out


def _start(url: str, folder: Path) -> list[tuple[Any, ...]]:
    """Start the writers; return once all of them are ready and told to go."""
    gate = folder / "gate"
    gate.mkdir()
    procs = []
    for seed, (coach, rep) in enumerate(WORKERS, start=1):
        out, err = folder / f"worker{seed}.out", folder / f"worker{seed}.err"
        command = [
            sys.executable,
            str(TESTS / "soak_writer.py"),
            *("--db", url, "--coach", str(coach), "--rep", str(rep)),
            *("--seconds", str(SECONDS), "--seed", str(seed), "--today", TODAY),
            *("--gate", str(gate)),
        ]
        with out.open("w") as stdout, err.open("w") as stderr:
            procs.append(
                (subprocess.Popen(command, stdout=stdout, stderr=stderr), out, err)
            )
    deadline = time.monotonic() + READY_TIMEOUT
    while len(list(gate.glob("ready-*"))) < len(WORKERS):
        exited = [p.returncode for p, _, _ in procs if p.poll() is not None]
        if exited or time.monotonic() > deadline:
            break  # _finish reports what the writers said
        time.sleep(0.05)
    (gate / "go").touch()
    return procs


def _finish(procs: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    summaries = []
    for proc, out, err in procs:
        code = proc.wait(timeout=SECONDS + 120)
        text = out.read_text() + err.read_text()
        try:
            summary = json.loads(out.read_text())
        except ValueError:  # the process died before its summary
            summary = {}
        shown = "\n".join(summary.get("failures", [])[:2]) or text[-3000:]
        assert LOCKED not in text, shown[:3000]
        assert code == 0, shown[:3000]
        summaries.append(summary)
    return summaries


def _check_counts(
    before: dict[str, Any], after: dict[str, Any], summaries: list[dict[str, Any]]
) -> None:
    assert after["problems"] == []
    for name in TABLES:
        said = sum(w["committed"][name] for w in summaries)
        assert after[name] - before[name] == said, name
        for w in summaries:
            grew = after[f"{name}_by_rep"].get(w["rep"], 0) - before[
                f"{name}_by_rep"
            ].get(w["rep"], 0)
            assert grew == w["committed"][name], (name, w["rep"])
    finished = sum(w["committed"]["finished"] for w in summaries)
    assert after["finished"] - before["finished"] == finished
    for w in summaries:  # every process really wrote, all through the run
        assert w["committed"]["finished"] > 0, w["rep"]
        assert w["seconds"] >= SECONDS


def _report(backend: str, summaries: list[dict[str, Any]]) -> None:
    times = sorted(ms for w in summaries for ms in w["save_ms"])
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print(
        f"\n{backend}: {len(summaries)} writers x {SECONDS:g} s, {len(times)} session "
        f"saves, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms; "
        f"committed {_totals(summaries)}"
    )
    # A coach notices an autosave that hangs; the store waits at most 10 s.
    assert p95 < 5000


def _totals(summaries: list[dict[str, Any]]) -> dict[str, int]:
    names = summaries[0]["committed"]
    return {n: sum(w["committed"][n] for w in summaries) for n in names}


@pytest.fixture(params=["sqlite", "postgresql"])
def soak_url(
    request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path, today: dt.date
) -> str:
    """A copy of the demo store: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        shutil.copy(demo_db, tmp_path / "soak.db")
        return str(tmp_path / "soak.db")
    from coachkit.demo import build_demo
    from coachkit.model.framework import prepare_store

    url: str = request.getfixturevalue("postgres_url")
    store = prepare_store(url)
    build_demo(store, today=today)
    store.dispose()
    return url


def _hold_write_lock(db: str) -> None:
    """A quarter into the run, keep the SQLite write lock past the busy timeout."""
    time.sleep(SECONDS / 4)
    locker = sqlite3.connect(db, timeout=30, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # a long write elsewhere, such as an import
    time.sleep(LOCK_HOLD)
    locker.execute("ROLLBACK")
    locker.close()


def test_ten_writers_at_once(soak_url: str, tmp_path: Path) -> None:
    sqlite = "://" not in soak_url
    before = _counts(soak_url)
    procs = _start(soak_url, tmp_path)
    if sqlite:
        _hold_write_lock(soak_url)
    summaries = _finish(procs)

    _check_counts(before, _counts(soak_url), summaries)
    if sqlite:
        with sqlite3.connect(soak_url) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for w in summaries:  # everyone waited past the timeout and was told to retry
            assert w["refused"], w["rep"]
            for message in w["refused"]:
                assert "try again" in message, message
    else:  # PostgreSQL waits for row locks: nothing here is refused
        for w in summaries:
            assert w["refused"] == [], w["refused"][:3]
    _report("SQLite" if sqlite else "PostgreSQL", summaries)
