"""One busy coach in a loop, as a separate process; used by test_concurrent_writers.

Run as ``python soak_writer.py --db URL --coach ID --rep ID --seconds N --seed K``.
Until the time is up it does what the workbooks do, through the same public
functions and one ``store.write()`` transaction per step:

- start a draft session for the rep (:func:`~coachkit.facilitate.sessions.start_draft`,
as the
  Facilitate workbook does when a rep is opened),
- tap a few observations (:func:`~coachkit.facilitate.observations.log_observation`, the
  Observe tab),
- autosave the write-up and finish the session
(:func:`~coachkit.facilitate.sessions.save_draft`
  and :func:`~coachkit.facilitate.sessions.finish_session`, the Write-up tab),
- save a dated assessment of the rep
(:func:`~coachkit.prioritize.assessing.save_assessment`,
  the Assess tab). Each one is dated a day before the rep's earliest assessment, so
  it adds rows and never replaces one.

It counts the rows it committed per table and the steps refused with a
:class:`~coachkit.errors.CoachkitError` (their messages are kept), times every
session save, and prints one JSON summary. Any other exception, or any message that
says "database is locked", is a failure: the exit status is then 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

_LOCKED = "database is locked"


class _Worker:
    def __init__(self, args: argparse.Namespace) -> None:
        from coachkit.store.database import open_store

        self.args = args
        self.random = random.Random(args.seed)
        self.today = dt.date.fromisoformat(args.today)
        self.store = open_store(args.db)
        self.committed = {"sessions": 0, "finished": 0, "observations": 0}
        self.committed["assessments"] = 0
        self.refused: list[str] = []
        self.failures: list[str] = []
        self.save_ms: list[float] = []
        self.behaviours, self.next_day = self._setup()

    def _setup(self) -> tuple[list[int], dt.date]:
        from coachkit.model.framework import behaviours_frame
        from coachkit.prioritize.assessing import assessment_history

        with self.store.read() as conn:
            ids = [int(b) for b in behaviours_frame(conn)["behaviour_id"]]
            history = assessment_history(conn, self.args.rep)
        earliest = min(history["assessed_on"], default=self.today)
        return sorted(ids), earliest - dt.timedelta(days=1)

    def step(self, what: str, work: Callable[[], Any]) -> Any:
        """Run one step; a CoachkitError is a refusal, anything else a failure."""
        from coachkit.errors import CoachkitError

        try:
            return work()
        except CoachkitError as exc:
            message = f"{what}: {exc}"
            (self.failures if _LOCKED in str(exc) else self.refused).append(message)
        except Exception:
            self.failures.append(f"{what}: {traceback.format_exc()}")
        return None

    def session(self) -> None:
        """Start (or reopen) the rep's draft, observe, autosave and finish it."""
        from coachkit.facilitate.sessions import load_draft, load_session, start_draft

        def start() -> int:
            with self.store.write() as conn:
                is_new = load_draft(conn, self.args.rep) is None
                session_id = start_draft(
                    conn,
                    coach_id=self.args.coach,
                    rep_id=self.args.rep,
                    today=self.today,
                )
            self.committed["sessions"] += is_new
            return session_id

        session_id = self.step("start_draft", start)
        if session_id is None:
            return
        for _ in range(self.random.randint(1, 4)):
            self.step("log_observation", lambda: self._observe(session_id))

        def reload() -> int:
            with self.store.read() as conn:
                return load_session(conn, session_id).row_version

        version = self.step("load_session", reload)
        if version is not None:
            version = self.step(
                "save_draft", lambda: self._autosave(session_id, version)
            )
        if version is not None:
            self.step("finish_session", lambda: self._finish(session_id, version))

    def _observe(self, session_id: int) -> None:
        from coachkit.facilitate.observations import OUTCOMES, log_observation

        with self.store.write() as conn:
            log_observation(
                conn,
                session_id=session_id,
                behaviour_id=self.random.choice(self.behaviours),
                outcome=self.random.choice(OUTCOMES),
                note=f"seed {self.args.seed}",
                at=dt.datetime.now().replace(microsecond=0),
            )
        self.committed["observations"] += 1

    def _timed(self, save: Callable[[], int]) -> int:
        started = time.perf_counter()
        version = save()
        self.save_ms.append(round((time.perf_counter() - started) * 1000, 2))
        return version

    def _autosave(self, session_id: int, version: int) -> int:
        from coachkit.facilitate.sessions import save_draft

        fields = {"went_well": f"Opened with an agenda (worker {self.args.seed})."}
        return self._timed(
            lambda: save_draft(self.store, session_id, fields, expected_version=version)
        )

    def _finish(self, session_id: int, version: int) -> None:
        from coachkit.facilitate.sessions import finish_session

        fields = {
            "session_type": "call_review",
            "held_on": self.today,
            "duration_minutes": 30,
            "style": "guide",
            "focus": self.random.sample(self.behaviours, 2),
            "went_well": f"Opened with an agenda (worker {self.args.seed}).",
            "to_change": "Ask one more question before pitching.",
            "rep_view": "",
            "next_session_on": self.today + dt.timedelta(days=7),
            "coach_relevant": 4,
            "coach_developmental": 3,
            "coach_motivational": 5,
        }
        self._timed(
            lambda: finish_session(
                self.store,
                session_id,
                fields,
                expected_version=version,
                today=self.today,
            )
        )
        self.committed["finished"] += 1

    def assess(self) -> None:
        """Save a dated assessment of three behaviours, on a day not used before."""
        from coachkit.prioritize.assessing import Rating, save_assessment

        day = self.next_day
        ratings = [
            Rating(b, self.random.randint(1, 5), self.random.randint(1, 5), "seen")
            for b in self.random.sample(self.behaviours, 3)
        ]

        def save() -> None:
            with self.store.write() as conn:
                count = save_assessment(
                    conn,
                    coach_id=self.args.coach,
                    rep_id=self.args.rep,
                    assessed_on=day,
                    source=self.random.choice(("coach", "self")),
                    ratings=ratings,
                    today=self.today,
                )
            self.committed["assessments"] += count
            self.next_day = day - dt.timedelta(days=1)

        self.step("save_assessment", save)

    def summary(self, started: float) -> dict[str, Any]:
        return {
            "coach": self.args.coach,
            "rep": self.args.rep,
            "seconds": round(time.monotonic() - started, 2),
            "committed": self.committed,
            "refused": self.refused,
            "failures": self.failures,
            "save_ms": self.save_ms,
        }


def main(argv: list[str] | None = None) -> int:
    """Write until the time is up; print the JSON summary; 1 if anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="file path or SQLAlchemy URL")
    parser.add_argument("--coach", type=int, required=True)
    parser.add_argument("--rep", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--today", default="2026-06-15", help="the workbooks' today")
    parser.add_argument(
        "--gate",
        type=Path,
        help="folder: say ready-SEED there, then start when a file 'go' appears",
    )
    args = parser.parse_args(argv)
    worker = _Worker(args)
    if args.gate is not None:  # every writer starts at the same moment
        (args.gate / f"ready-{args.seed}").touch()
        while not (args.gate / "go").exists():
            time.sleep(0.01)
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        worker.session()
        worker.assess()
    worker.store.dispose()
    print(json.dumps(worker.summary(started)))
    return 1 if worker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
