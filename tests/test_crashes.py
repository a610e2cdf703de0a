"""Crashes lose nothing that was saved (issue 9, item 5).

A process that saves a draft is killed with SIGKILL at random moments, mid-save: the
store stays whole, the draft holds exactly the last save that was committed (or the
one being written, if the kill came between the commit and the report), never a mix
of two saves, and no other row changes. Then ``coachkit serve`` is killed, server,
Voila and kernels at once, while two coaches have drafts open in Chromium:
``coachkit check`` passes, both drafts hold their last autosave, and a new server
shows the text again in the Write-up box.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from browser_fixtures import (
    Server,
    open_tab,
    open_workbook,
    process_tree,
    quiet_env,
    serving,
    wait_until_built,
)
from crash_writer import notes

from coachkit.exchange.archive.health import check_store
from coachkit.facilitate.sessions import SessionDraft, load_draft, start_draft
from coachkit.model.pillars import pillar
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

TESTS = Path(__file__).resolve().parent
ROUND_TRIP_MS = 30_000
Rows = dict[str, set[tuple[Any, ...]]]


@contextmanager
def _opened(db: Path) -> Iterator[Store]:
    store = open_store(db)
    try:
        yield store
    finally:
        store.dispose()


def _rows(db: Path) -> Rows:
    """Every row of every coachkit table."""
    with _opened(db) as store, store.read() as conn:
        return {
            t.name: {tuple(r) for r in conn.execute(sa.select(t))}
            for t in s.metadata.sorted_tables
        }


def _without_session(rows: Rows, session_id: int) -> Rows:
    kept = dict(rows)
    kept["sessions"] = {r for r in rows["sessions"] if r[0] != session_id}
    return kept


def _wal_left(db: Path) -> bool:
    """True when a write-ahead log is left to recover: no writer closed cleanly."""
    wal = db.with_name(db.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _integrity(db: Path) -> str:
    """SQLite's own integrity check, through a plain connection of a new process."""
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('PRAGMA integrity_check').fetchone()[0])",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return check.stdout.strip() or check.stderr


def _draft(db: Path, rep_id: int) -> SessionDraft | None:
    with _opened(db) as store, store.read() as conn:
        return load_draft(conn, rep_id)


# -- a process killed mid-save ---------------------------------------------------
RUNS = 5


def test_sigkill_mid_save_keeps_the_last_committed_draft(
    demo_db: Path, tmp_path: Path, today: dt.date
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)
    drafting = sa.select(s.sessions.c.rep_id).where(s.sessions.c.status == "draft")
    with _opened(db) as store, store.write() as conn:
        rep_id, coach_id = conn.execute(
            sa.select(s.reps.c.id, s.reps.c.coach_id)
            .where(s.reps.c.id.not_in(drafting))
            .order_by(s.reps.c.id)
            .limit(1)
        ).one()
        draft_id = start_draft(conn, coach_id=coach_id, rep_id=rep_id, today=today)
    before = _without_session(_rows(db), draft_id)
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    for run in range(1, RUNS + 1):
        draft = _draft(db, rep_id)
        assert draft is not None
        proc = subprocess.Popen(
            [sys.executable, str(TESTS / "crash_writer.py"), str(db)]
            + [str(draft_id), str(draft.row_version)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.strip() == "1", proc.stderr.read() if proc.stderr else first
            time.sleep(rng.uniform(0.02, 0.5))
            assert proc.poll() is None, "the writer stopped before it was killed"
            proc.send_signal(signal.SIGKILL)
            printed = [first, *proc.stdout.read().splitlines()]
        finally:
            proc.kill()
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        reported = int(printed[-1])
        where = f"run {run} (seed {seed}), killed after save {reported}"
        assert reported > 1, f"{where}: the writer never got going"
        assert _wal_left(db), f"{where}: the writer closed cleanly, not in a crash"

        assert _integrity(db) == "ok", where
        with _opened(db) as store:
            health = check_store(store)
            with store.read() as conn:
                saved = load_draft(conn, rep_id)
        assert health.ok, f"{where}: {health.text}"
        assert saved is not None
        assert saved.id == draft_id
        assert saved.status == "draft"
        got = {f: getattr(saved, f) for f in ("went_well", "to_change", "rep_view")}
        # The save being written when the kill came may have committed unreported.
        shown = {k: v[:30] for k, v in got.items()}
        assert got in (notes(reported), notes(reported + 1)), f"{where}: {shown}"
        n = reported if got == notes(reported) else reported + 1
        assert saved.row_version == draft.row_version + n, where
        assert _without_session(_rows(db), draft_id) == before, (
            f"{where}: another row changed"
        )


# -- the server killed with drafts open ----------------------------------------------
def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _crash(proc: subprocess.Popen[bytes]) -> list[int]:
    """Freeze the server, Voila and every kernel, then SIGKILL them all at once."""
    frozen: list[int] = []
    while new := [p for p in process_tree(proc.pid) if p not in frozen]:
        for pid in new:  # stopped processes cannot react or start new ones
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        frozen += new
    for pid in frozen:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in frozen) and time.monotonic() < deadline:
        time.sleep(0.05)
    return frozen


@contextmanager
def _serving(db: Path, tmp: Path) -> Iterator[tuple[Server, subprocess.Popen[bytes]]]:
    """``coachkit serve`` on ``db``; stopped (with everything below it) at the end."""
    tree: list[int] = []
    try:
        # No preheated kernels: only the pages the test opens start one, so the two
        # servers start faster and nothing else competes with those pages.
        with serving(db, tmp, None, "--pool-size", "0") as (running, proc):
            try:
                yield running, proc
            finally:
                if proc.poll() is None:
                    tree = process_tree(proc.pid)
    finally:
        for pid in tree:  # anything that outlived the graceful stop
            if _alive(pid):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


def _free_reps(db: Path, count: int) -> list[tuple[int, str]]:
    """Reps near the top of today's queue with a plan, no draft, no session today."""
    from coachkit.facilitate.queue import todays_queue

    day = dt.date.today()
    with _opened(db) as store, store.read() as conn:
        coaches = queries.coaches(conn)
        coach_id = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
        queue = todays_queue(conn, coach_id, day)
        held_today = set(
            conn.execute(
                sa.select(s.sessions.c.rep_id).where(s.sessions.c.held_on == day)
            ).scalars()
        )
    free = [
        (int(r.rep_id), str(r.rep))
        for r in queue.head(12).itertuples()
        if r.has_plan and not r.draft and int(r.rep_id) not in held_today
    ]
    assert len(free) >= count, "the demo queue has too few reps free for a session"
    return free[:count]


def _open_rep(page: Any, name: str) -> None:
    page.locator(".ck-open-rep").filter(
        has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")
    ).click()
    _expect(page.locator(".ck-status-line")).to_contain_text(
        f"Opened {name}.", timeout=ROUND_TRIP_MS
    )


def _start_and_type(page: Any, server: Server, rep: tuple[int, str], text: str) -> None:
    """In an open Facilitate page, start a session and type into "What went well".

    Half the text is saved first, then the whole: the last autosave holds ``text``.
    """
    wait_until_built(page, server)
    _open_rep(page, rep[1])
    open_tab(page, "2. Prep")
    page.locator(".ck-start-session").click()
    _expect(page.locator(".ck-status-line")).to_contain_text(
        "The session is open", timeout=ROUND_TRIP_MS
    )
    open_tab(page, "5. Write up")
    box = page.locator(".ck-went-well textarea")
    box.fill(text[: len(text) // 2])
    _expect(page.locator(".ck-saved-at")).to_contain_text(
        "Draft saved at", timeout=ROUND_TRIP_MS
    )
    box.fill(text)


def _wait_for_saved(db: Path, rep_id: int, text: str) -> None:
    deadline = time.monotonic() + ROUND_TRIP_MS / 1000
    while (d := _draft(db, rep_id)) is None or d.went_well != text:
        assert time.monotonic() < deadline, f"the draft never reached {text!r}"
        time.sleep(0.2)


@pytest.mark.browser
def test_server_killed_with_drafts_open_loses_no_autosave(
    browser: Any, demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.db"
    shutil.copy(demo_db, db)
    reps = _free_reps(db, 2)
    texts = [
        f"Draft for {name}: you let the buyer talk first, and it paid off."
        for _, name in reps
    ]
    facilitate = pillar("facilitate").path.lstrip("/")
    before = _rows(db)
    contexts: list[Any] = []
    try:
        with _serving(db, tmp_path) as (server, proc):
            pages = []
            for _ in reps:  # both workbooks build at once
                contexts.append(
                    browser.new_context(viewport={"width": 1280, "height": 900})
                )
                pages.append(contexts[-1].new_page())
                pages[-1].set_default_timeout(ROUND_TRIP_MS)
                pages[-1].goto(server.url + facilitate, wait_until="commit")
            for page, rep, text in zip(pages, reps, texts, strict=True):
                _start_and_type(page, server, rep, text)
            for (rep_id, _), text in zip(reps, texts, strict=True):
                _wait_for_saved(db, rep_id, text)
            killed = _crash(proc)
            assert len(killed) >= 4, f"expected server, Voila and kernels: {killed}"
            assert not [p for p in killed if _alive(p)], "a process survived SIGKILL"
            assert _wal_left(db), "the server closed the store cleanly, not in a crash"
        for context in contexts:
            context.close()
        contexts.clear()

        check = subprocess.run(
            [sys.executable, "-m", "coachkit", "check", "--db", str(db)],
            env=quiet_env(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.startswith("ok:"), check.stdout
        after = _rows(db)
        for table, rows in before.items():
            if table in ("sessions", "session_focus"):
                assert rows <= after[table], f"rows of {table} were lost"
            else:
                assert after[table] == rows, f"{table} changed"
        new = after["sessions"] - before["sessions"]
        assert len(new) == 2
        for (rep_id, name), text in zip(reps, texts, strict=True):
            draft = _draft(db, rep_id)
            assert draft is not None, f"{name}'s draft is gone"
            assert (draft.status, draft.went_well) == ("draft", text)

        with _serving(db, tmp_path) as (server, _proc):
            contexts.append(
                browser.new_context(viewport={"width": 1280, "height": 900})
            )
            page = contexts[-1].new_page()
            page.set_default_timeout(ROUND_TRIP_MS)
            open_workbook(page, server, facilitate)
            for (_, name), text in zip(reps, texts, strict=True):
                open_tab(page, "1. Queue")
                _open_rep(page, name)
                open_tab(page, "5. Write up")
                _expect(page.locator(".ck-went-well textarea")).to_have_value(text)
    finally:
        for context in contexts:
            context.close()
