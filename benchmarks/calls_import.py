"""How long importing 1,000 one-hour call transcripts takes, and what they cost reads.

Builds a demo store in a temporary folder, writes ``--files`` Zoom WebVTT transcripts
of one hour each (a cue every 4 to 12 seconds, the rep and one buyer, questions and
the framework's tracker phrases here and there, days spread over half a year) into a
folder, and times ``coachkit import calls FOLDER --rep NAME --speaker "...=buyer"``
as a person runs it (a new process, the whole folder in one transaction). Then it
times the reads a workbook makes, on the store as it was before the import and after
it: Prioritize's performance table for every rep, one rep's call list and the whole
organisation's call list.

Run: python benchmarks/calls_import.py [--files 1000] [--again]
(``--again`` also times importing the same folder a second time: every call updated).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from coachkit.demo import build_demo
from coachkit.model.calls.store import calls_table
from coachkit.model.framework import prepare_store
from coachkit.prioritize.performance import rep_performance
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

TODAY = dt.date(2026, 6, 15)
BUYER = "Dana Ruiz"
_WORDS = (
    "the",
    "team",
    "pipeline",
    "quarter",
    "forecast",
    "numbers",
    "process",
    "reports",
    "customers",
    "deal",
    "meeting",
    "budget",
    "renewal",
    "onboarding",
    "rollout",
    "data",
    "manager",
    "calls",
    "week",
    "month",
    "goal",
    "problem",
    "plan",
    "price",
    "contract",
    "tool",
    "users",
    "dashboard",
    "review",
    "time",
    "cost",
)
_PHRASES = ("next step", "by when", "what does that cost", "budget", "who else")


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    whole, ms = divmod(ms, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{ms:03d}"


def write_transcript(path: Path, rep: str, rng: random.Random) -> int:
    """One hour of a Zoom call; returns the number of cues."""
    lines = ["WEBVTT", ""]
    at, n = 0.0, 0
    while at < 3600:
        length = rng.uniform(4, 12)
        speaker = rep if rng.random() < 0.5 else BUYER
        words = rng.choices(_WORDS, k=max(3, int(length * 2.5)))
        text = " ".join(words).capitalize()
        if speaker == rep and rng.random() < 0.05:
            text += f", so {rng.choice(_PHRASES)}"
        text += "?" if rng.random() < 0.15 else "."
        n += 1
        lines += [str(n), f"{_stamp(at)} --> {_stamp(at + length)}"]
        lines += [f"{speaker}: {text}", ""]
        at += length + rng.uniform(0.2, 1.5)
    path.write_text("\n".join(lines), encoding="utf-8")
    return n


def write_folder(folder: Path, rep: str, files: int, seed: int = 3) -> int:
    """``files`` transcripts, named as Zoom names them; returns the cues in all."""
    rng = random.Random(seed)
    folder.mkdir()
    cues = 0
    for i in range(files):
        day = TODAY - dt.timedelta(days=i % 180)
        name = f"GMT{day:%Y%m%d}-{9 + i // 180:02d}0000_Recording.transcript.vtt"
        cues += write_transcript(folder / name, rep, rng)
    return cues


def _median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def time_reads(store: Store, rep_id: int) -> dict[str, float]:
    """Median milliseconds of the reads a workbook makes."""

    def performance() -> object:
        with store.read() as conn:
            return rep_performance(conn, None, TODAY)

    return {
        "Prioritize performance table (every rep)": _median_ms(performance),
        "calls_table, one rep": _median_ms(lambda: calls_table(store, rep_id=rep_id)),
        "calls_table, every rep": _median_ms(lambda: calls_table(store)),
    }


def _import(db: Path, folder: Path, rep: str) -> tuple[float, str]:
    command = [
        sys.executable, "-m", "coachkit", "import", "calls", str(folder),
        "--rep", rep, "--speaker", f"{BUYER}=buyer", "--db", str(db),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.setdefault("HOME", tmp)
        db = root / "store.db"
        store = prepare_store(str(db))
        build_demo(store, today=TODAY)
        with store.read() as conn:
            rep_id, rep = conn.execute(
                sa.select(s.reps.c.id, s.reps.c.name).order_by(s.reps.c.id).limit(1)
            ).one()
        before = time_reads(store, rep_id)
        store.dispose()
        started = time.perf_counter()
        cues = write_folder(root / "calls", rep, args.files)
        size = sum(p.stat().st_size for p in (root / "calls").iterdir())
        print(
            f"wrote {args.files:,} transcripts, {cues:,} cues, {size / 1e6:,.0f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        seconds, said = _import(db, root / "calls", rep)
        print(f"coachkit import calls: {seconds:.1f} s  ({said})")
        if args.again:
            again, said = _import(db, root / "calls", rep)
            print(f"again (every call updated): {again:.1f} s  ({said})")
        store = open_store(str(db))
        after = time_reads(store, rep_id)
        with store.read() as conn:
            turns = conn.execute(
                sa.select(sa.func.count()).select_from(s.call_turns)
            ).scalar_one()
        store.dispose()
        print(f"store: {db.stat().st_size / 1e6:,.0f} MB, {turns:,} turns")
        print(f"{'read':<44} {'before':>9} {'after':>9}")
        for label, ms in before.items():
            print(f"{label:<44} {ms:7.1f} ms {after[label]:7.1f} ms")
        shutil.rmtree(root / "calls")


if __name__ == "__main__":
    main()
