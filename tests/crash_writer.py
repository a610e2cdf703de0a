"""Autosave one session draft in a tight loop until killed; used by test_crashes.

Run as ``python crash_writer.py DB SESSION_ID VERSION``. Save ``n`` writes
:func:`notes` ``(n)`` into the draft through the public :func:`save_draft` (one
transaction per save) and, once it has returned, prints ``n`` on its own line. The
notes grow with ``n`` and all three name ``n``, so a test that kills this process
can tell a whole save from a torn or mixed one.
"""

from __future__ import annotations

import sys

from coachkit.facilitate.session_form import TEXT_MAX


def notes(n: int) -> dict[str, str]:
    """The three Write-up notes of save ``n``: each names ``n`` and grows with it."""
    size = min(TEXT_MAX, 40 + 53 * n)
    return {
        field: (f"[{field} save {n}] " + f"{letter}{n} " * size)[:size]
        for field, letter in (("went_well", "w"), ("to_change", "c"), ("rep_view", "r"))
    }


def main(db: str, session_id: int, version: int) -> None:
    """Save the draft forever, printing each save's number once it is committed."""
    from coachkit.facilitate.sessions import save_draft
    from coachkit.store.database import open_store

    store = open_store(db)
    n = 0
    while True:
        n += 1
        version = save_draft(store, session_id, notes(n), expected_version=version)
        print(n, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
