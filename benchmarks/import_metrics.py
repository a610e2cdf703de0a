"""How long importing 1,000,000 metric values takes: the check, the write, a re-import.

Builds a demo store in a temporary folder (or copies ``--db``), writes a CSV of
``--rows`` metric values for its reps (every count metric, one value a day, going
back from the demo's today), then times ``coachkit.exchange.importer``: checking the
file,
checking plus writing it in one transaction, and importing the same file again
(every row then matches a stored one). Prints seconds and rows per second.

Run: python benchmarks/import_metrics.py [--rows 1000000] [--db demo.db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from coachkit.demo import build_demo
from coachkit.exchange.importer import check_file, import_file
from coachkit.model.framework import prepare_store
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

TODAY = dt.date(2026, 6, 15)


def write_csv(store: Store, path: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` metric values (coach, rep, metric, date, value) to ``path``."""
    with store.read() as conn:
        reps = conn.execute(
            sa.select(s.coaches.c.name, s.reps.c.name).join(
                s.coaches, s.coaches.c.id == s.reps.c.coach_id
            )
        ).all()
        metrics = (
            conn.execute(sa.select(s.metrics.c.key).where(s.metrics.c.kind != "rate"))
            .scalars()
            .all()
        )
    pairs = [(coach, rep, key) for coach, rep in reps for key in metrics]
    days = -(-rows // len(pairs))
    values = np.random.default_rng(seed).poisson(12, rows).tolist()
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("coach,rep,metric,date,value\n")
        for back in range(days):
            day = (TODAY - dt.timedelta(days=back)).isoformat()
            for coach, rep, key in pairs:
                if n == rows:
                    return n
                fh.write(f'"{coach}","{rep}",{key},{day},{values[n]}\n')
                n += 1
    return n


def _timed(label: str, rows: int, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:7.1f} s  {rows / seconds:>12,.0f} rows/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="A demo store to copy (else built).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        if args.db:
            shutil.copy(args.db, db)
        else:
            build_demo(prepare_store(str(db)), today=TODAY)
        store = open_store(db)
        csv = Path(tmp) / "metrics.csv"
        rows = write_csv(store, csv, args.rows)
        print(f"{rows:,} rows, {csv.stat().st_size / 1e6:.0f} MB, SQLite")

        def check() -> None:
            with store.read() as conn:
                assert check_file(conn, "metrics", csv).ok

        _timed("check only", rows, check)
        first = _timed(
            "check + write", rows, lambda: import_file(store, "metrics", csv)
        )
        print("  " + first.summary())
        again = _timed(
            "re-import (all unchanged)",
            rows,
            lambda: import_file(store, "metrics", csv),
        )
        print("  " + again.summary())
        store.dispose()


if __name__ == "__main__":
    main()
