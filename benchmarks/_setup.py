"""What a benchmark run holds: its stores, its servers, its rows.

:class:`Run` starts servers with coachkit's own command lines (``coachkit serve``,
or ``coachkit.web.serve.voila_argv`` for plain Voila) and keeps them until the run, or a
section, ends; it collects the result rows and notes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from _browser import WORKBOOK_READY
from _pages import Page
from _report import Row, table
from _servers import free_port, quiet_env, running
from nbformat.v4 import new_code_cell, new_notebook

from coachkit.model.pillars import PILLARS
from coachkit.web.page_kernels import PER_VISITOR_VAR, TOTAL
from coachkit.web.serve import (
    voila_argv,
    voila_env,
)

if TYPE_CHECKING:
    from coachkit.store.database import Store

HERE = Path(__file__).resolve().parent
BARE_SOURCE = """\
import ipywidgets as widgets
button = widgets.Button(description="Go")
button.add_class("bare-ready")
widgets.VBox([button])
"""
BARE = "bare one-button page (cold)"
BARE_SERVED = "bare one-button page, preheated"
BARE_PLAIN = "bare one-button page (cold), kernel started the usual way"
BARE_OURS = "bare one-button page (cold), on coachkit's page"
#: The one-button page's template: Voila's own page (its lab template, without the
#: two files it links from other hosts), not coachkit's (benchmarks/voila_page).
VOILA_PAGE = "voila-page"
VOILA_PAGE_ROOT = HERE / "voila_page"
#: The setting that starts kernels as Voila does by default (a new Python each),
#: instead of as copies of coachkit's kernel template.
USUAL_KERNELS = "--KernelProvisionerFactory.default_provisioner_name=local-provisioner"
MB = 1024 * 1024
#: Culling during the burst: the served settings, with the idle time cut from an
#: hour to this many seconds so the run can watch memory come back (longer than a
#: burst lasts, or a visitor's kernel would be stopped under its open page).
BURST_CULL = 90
#: CPUs of this machine.
CPUS = os.cpu_count() or 1


def make_demo(db: Path, env: dict[str, str], *size: str) -> None:
    command = [sys.executable, "-m", "coachkit", "demo", "--db", str(db), *size]
    print(f"building {db.name} {' '.join(size)} ...", file=sys.stderr)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def big_org(description: str) -> tuple[argparse.Namespace, Path, Store]:
    """Read the kernel-time benchmarks' options; open the organisation to time.

    The store is --db when given (built there if empty), else a new temporary file
    with a demo of --coaches x --reps reps and --months of history. Returns the
    options, the store's file and the open store.
    """
    from coachkit.demo import build_demo
    from coachkit.model.framework import prepare_store

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", type=Path, help="reuse this demo store")
    parser.add_argument("--coaches", type=int, default=50)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "big.db"
    store = prepare_store(str(db))
    if store.is_empty():
        build_demo(store, coaches=args.coaches, reps=args.reps, months=args.months)
    return args, db, store


def serve_beside_bare(
    stack: ExitStack,
    tmp: Path,
    db: Path,
    env: dict[str, str],
    pool_size: int | None = None,
) -> tuple[int, int]:
    """Start ``coachkit serve`` on ``db`` and plain Voila over ``tmp/bare`` beside it.

    Voila gets coachkit's flags (``voila_argv``), and ``pool_size`` kernels per page
    on both servers when given. Both log into ``tmp`` (``serve.log``, ``bare.log``)
    and run until ``stack`` closes. Returns the ports: coachkit's, the bare page's.
    """
    ours, theirs = free_port(), free_port()
    serve = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
    serve += ["--host", "127.0.0.1", "--port", str(ours)]
    pool = {} if pool_size is None else {"pool_size": pool_size}
    if pool_size is not None:
        serve += ["--pool-size", str(pool_size)]
    bare = voila_argv(tmp / "bare", host="127.0.0.1", port=theirs, **pool)
    bare_env = voila_env(str(db), "127.0.0.1", base=env)
    for command, command_env, log, port in (
        (serve, env, "serve.log", ours),
        (bare, bare_env, "bare.log", theirs),
    ):
        url = f"http://127.0.0.1:{port}/"
        stack.enter_context(running(command, command_env, tmp / log, url))
    return ours, theirs


def bare_notebook(folder: Path, source: str = BARE_SOURCE) -> None:
    """Write ``folder/bare.ipynb``: one cell of ``source``, for a plain Voila page."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = new_notebook(cells=[new_code_cell(source)])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, folder / "bare.ipynb")


def coaches_of(db: Path) -> tuple[int, int, list[tuple[int, int]]]:
    """The first coach, the lead, and (coach, first rep) for ten coaches."""
    from coachkit.store import queries
    from coachkit.store.database import open_store

    store = open_store(str(db))
    try:
        with store.read() as conn:
            coaches = queries.coaches(conn)
            roster = queries.roster(conn, None)
    finally:
        store.dispose()
    plain = coaches[coaches["role"] == "coach"]
    lead = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
    pairs = []
    for coach in plain["coach_id"].head(10):
        reps = roster[roster["coach_id"] == coach]["rep_id"]
        pairs.append((int(coach), int(reps.iloc[0])))
    return int(plain["coach_id"].iloc[0]), lead, pairs


class Run:
    """The servers, browser and rows of one benchmark run."""

    def __init__(self, args: argparse.Namespace, tmp: Path, stack: ExitStack) -> None:
        self.args = args
        self.tmp = tmp
        self.stack = stack
        self.env = quiet_env(tmp / "home")
        # Every visitor of a burst comes from this machine, so from one address.
        self.env[PER_VISITOR_VAR] = str(TOTAL)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.medians: dict[str, float] = {}

    def serve(
        self, db: Path, name: str, *options: str, stack: ExitStack | None = None
    ) -> tuple[str, int]:
        """Start ``coachkit serve`` on ``db``; return its address and process id.

        It runs until ``stack`` (by default, the whole run) closes.
        """
        port = free_port()
        command = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
        command += ["--host", "127.0.0.1", "--port", str(port), *options]
        url = f"http://127.0.0.1:{port}/"
        proc = (stack or self.stack).enter_context(
            running(command, self.env, self.tmp / f"{name}.log", url)
        )
        return url, proc.pid

    def voila(
        self,
        folder: Path,
        db: Path,
        name: str,
        *changes: str,
        pool: int = 0,
        stack: ExitStack | None = None,
        template: str | None = VOILA_PAGE,
    ) -> tuple[str, int]:
        """Start Voila with coachkit's own command line (``voila_argv``).

        Each of ``changes`` (``--Class.name=value``) replaces that setting. The page
        is Voila's own (``template``), or coachkit's when ``template`` is None. It
        runs until ``stack`` (by default, the whole run) closes.
        """
        port = free_port()
        command = voila_argv(folder, host="127.0.0.1", port=port, pool_size=pool)
        if template:
            changes = (f"--VoilaConfiguration.template={template}", *changes)
        for change in changes:
            key = change.split("=", 1)[0] + "="
            command = [a for a in command if not a.startswith(key)] + [change]
        env = voila_env(str(db), "127.0.0.1", base=self.env)
        if template:
            search = [str(VOILA_PAGE_ROOT), env["JUPYTER_PATH"]]
            env["JUPYTER_PATH"] = os.pathsep.join(search)
        url = f"http://127.0.0.1:{port}/"
        proc = (stack or self.stack).enter_context(
            running(command, env, self.tmp / f"{name}.log", url)
        )
        return url, proc.pid

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(table([row]).splitlines()[-1], file=sys.stderr)
        return row


def workbook_pages(
    url: str, pid: int, quiet: int, suffix: str, query: str = ""
) -> list[Page]:
    return [
        Page(
            p.notebook.removesuffix(".ipynb") + suffix,
            f"{url}voila/render/{p.notebook}{query}",
            WORKBOOK_READY,
            pid,
            quiet,
        )
        for p in PILLARS
    ]


def seconds_of(views: list[Any]) -> list[float]:
    return [v.seconds for v in views]
