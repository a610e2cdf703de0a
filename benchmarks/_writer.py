"""One coach saving sessions in a loop, as a separate process (a kernel's stand-in).

Run as ``python _writer.py --db URL --coach ID --rep ID --sessions N --start-at T``.
At the wall-clock time T (so that every writer starts together) it saves N sessions
the way the Facilitate workbook does, through the same functions: start a draft
(:func:`~coachkit.facilitate.sessions.start_draft`), autosave the write-up
(:func:`~coachkit.facilitate.sessions.save_draft`) and finish it
(:func:`~coachkit.facilitate.sessions.finish_session`, the "Finish and save" button). It
times
each autosave and each finish, and prints one JSON line: the times in ms, the
messages a coach would have seen (a :class:`~coachkit.errors.CoachkitError`, such
as "busy, try again"), and any other error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import traceback
from typing import Any


def _session(
    store: Any, coach: int, rep: int, today: dt.date, focus: list[int], out: dict
) -> None:
    from coachkit.facilitate.sessions import (
        finish_session,
        load_session,
        save_draft,
        start_draft,
    )

    with store.write() as conn:
        session_id = start_draft(conn, coach_id=coach, rep_id=rep, today=today)
    with store.read() as conn:
        version = load_session(conn, session_id).row_version
    began = time.perf_counter()
    version = save_draft(
        store,
        session_id,
        {"went_well": "Opened with an agenda."},
        expected_version=version,
    )
    out["autosave_ms"].append((time.perf_counter() - began) * 1000)
    fields = {
        "session_type": "call_review",
        "held_on": today,
        "duration_minutes": 30,
        "style": "guide",
        "focus": focus,
        "went_well": "Opened with an agenda.",
        "to_change": "Ask one more question before pitching.",
        "next_session_on": today + dt.timedelta(days=7),
        "coach_relevant": 4,
        "coach_developmental": 3,
        "coach_motivational": 5,
    }
    began = time.perf_counter()
    finish_session(store, session_id, fields, expected_version=version, today=today)
    out["save_ms"].append((time.perf_counter() - began) * 1000)


def main(argv: list[str] | None = None) -> int:
    """Save the sessions; print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--coach", type=int, required=True)
    parser.add_argument("--rep", type=int, required=True)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--start-at", type=float, required=True)
    args = parser.parse_args(argv)
    from coachkit.errors import CoachkitError
    from coachkit.model.framework import behaviours_frame
    from coachkit.store.database import open_store

    store = open_store(args.db)
    today = dt.date.today()
    with store.read() as conn:
        focus = [int(b) for b in behaviours_frame(conn)["behaviour_id"].head(2)]
    out: dict[str, list[Any]] = {
        "save_ms": [],
        "autosave_ms": [],
        "told_user": [],
        "errors": [],
    }
    time.sleep(max(0.0, args.start_at - time.time()))
    for _ in range(args.sessions):
        try:
            _session(store, args.coach, args.rep, today, focus, out)
        except CoachkitError as exc:
            out["told_user"].append(str(exc))
        except Exception:  # noqa: BLE001 - every other error is reported
            out["errors"].append(traceback.format_exc(limit=3))
    store.dispose()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
