"""Kernels are copies of one kernel template that has done the imports (issue 7).

The template (coachkit/web/kernels.py) imports ipykernel, pandas, SQLAlchemy and
coachkit once; each kernel the server starts is a fork of it. These tests start
real kernels through jupyter_client with coachkit's provisioner, as Voila does, and
a real ``coachkit serve``: a kernel must behave as one started the usual way (its
own page's environment and folder, Ctrl-C, shutdown) and none may outlive the
server. That it is faster is measured in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from browser_fixtures import process_tree, quiet_env, serving, serving_pooled
from jupyter_client.manager import AsyncKernelManager

from coachkit.model.pillars import PILLARS
from coachkit.web import kernels
from coachkit.web.kernels import ForkedKernel, Template
from coachkit.web.serve import PROVISIONER, VOILA_MAIN, voila_argv, workbooks_dir

T = TypeVar("T")
KERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


@pytest.mark.parametrize(
    ("cmd", "forked"),
    [
        (KERNEL, True),
        ([sys.executable, "-m", "ipykernel", "-f", "x.json"], True),
        (["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "x.json"], False),
        ([sys.executable, "-m", "other_kernel", "-f", "x.json"], False),
        (["R", "--slave", "-e", "IRkernel::main()"], False),
        ([sys.executable], False),
    ],
)
def test_only_this_pythons_own_ipykernel_is_forked(
    cmd: list[str], forked: bool
) -> None:
    """Another Python, or another kernel, would get the template's modules."""
    assert Template.can_run(cmd) is forked


def test_no_fork_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not Template.can_run(KERNEL)


def test_a_stopped_kernel_is_gone_even_if_its_number_is_taken_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Voila asks by process number whether a kernel still runs (culling, restarts).
    A stopped kernel must read as stopped, also once a later process got its
    number; otherwise Voila would wait on, or signal, a stranger."""
    process = subprocess.Popen(["sleep", "30"])
    try:
        kernel = ForkedKernel(process.pid)
        assert kernel.poll() is None
        later = "9" * 12  # a start time no process of this test has
        monkeypatch.setattr(kernels, "_start_time", lambda _pid: later)
        assert kernel.poll() == 0
        monkeypatch.undo()
    finally:
        process.kill()
        process.wait()
    assert ForkedKernel(process.pid).poll() == 0  # reaped: no such process


def test_the_server_starts_kernels_with_coachkits_provisioner() -> None:
    argv = voila_argv(workbooks_dir(), host="127.0.0.1", port=8866)
    setting = f"--KernelProvisionerFactory.default_provisioner_name={PROVISIONER}"
    assert setting in argv


def _in_a_thread(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a thread of its own: the browser tests' Playwright
    keeps an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _run(km: AsyncKernelManager, code: str) -> dict[str, Any]:
    """Run ``code`` in the kernel; return its execute reply and what it printed."""
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        printed: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        reply = await client.execute_interactive(code, output_hook=hook, timeout=60)
        return {"reply": reply["content"], "out": "".join(printed)}
    finally:
        client.stop_channels()


def _manager() -> AsyncKernelManager:
    """A kernel manager for this Python's ipykernel, with coachkit's provisioner.

    Voila gets the provisioner from its command line (``voila_argv``); a kernel
    manager of its own reads it from the kernel's description.
    """
    km = AsyncKernelManager(kernel_name="python3")
    km.kernel_spec.argv = list(KERNEL)  # this Python, whatever $HOME holds
    km.kernel_spec.metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER}
    return km


FACTS = """
import os, sys, numpy, comm
print(os.getppid(), os.getcwd(), os.environ.get("COACHKIT_TEST_VISITOR"),
      numpy.random.randint(1 << 30),
      "jupyter.widget.control" in comm.get_comm_manager().targets)
"""


def test_a_forked_kernel_is_its_own_process_with_its_pages_env_and_folder(
    tmp_path: Path,
) -> None:
    """Each kernel sees the environment and folder Voila gives it, not the
    template's, draws its own random numbers and answers widget requests."""

    async def scenario() -> list[list[str]]:
        seen = []
        for visitor in ("ann", "bo"):
            folder = tmp_path / visitor
            folder.mkdir()
            km = _manager()
            env = {**os.environ, "COACHKIT_TEST_VISITOR": visitor}
            await km.start_kernel(env=env, cwd=str(folder))
            try:
                result = await _run(km, FACTS)
                assert result["reply"]["status"] == "ok", result
                seen.append([*result["out"].split(), str(km.provisioner.pid)])
            finally:
                await km.shutdown_kernel(now=True)
        return seen

    ann_facts, bo_facts = _in_a_thread(scenario())
    ann_parent, ann_cwd, ann, ann_random, ann_widgets, ann_pid = ann_facts
    bo_parent, bo_cwd, bo, bo_random, bo_widgets, bo_pid = bo_facts
    assert (ann, bo) == ("ann", "bo")
    assert (ann_cwd, bo_cwd) == (str(tmp_path / "ann"), str(tmp_path / "bo"))
    assert ann_pid != bo_pid
    # Both are children of the one template, which is not this test's process.
    assert ann_parent == bo_parent != str(os.getpid())
    template = psutil.Process(int(ann_parent))
    assert "coachkit.web.kernels" in " ".join(template.cmdline())
    assert ann_random != bo_random
    # Voila's page asks the kernel for every widget at once on this channel; without
    # it the page falls back to one request per widget.
    assert ann_widgets == bo_widgets == "True"


def test_ctrl_c_and_shutdown_reach_a_forked_kernel(tmp_path: Path) -> None:
    """Voila interrupts a stuck cell and shuts kernels down (culling) by signals
    and messages to the kernel's process; both must work on a copy."""

    async def scenario() -> tuple[int, dict[str, Any]]:
        km = _manager()
        await km.start_kernel(cwd=str(tmp_path))
        pid = km.provisioner.pid
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            msg_id = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            started = time.monotonic()
            await km.interrupt_kernel()
            while True:
                msg = await client.get_shell_msg(timeout=30)
                if msg["parent_header"].get("msg_id") == msg_id:
                    break
            reply = {**msg["content"], "took": time.monotonic() - started}
        finally:
            client.stop_channels()
        await km.shutdown_kernel()
        return pid, reply

    pid, reply = _in_a_thread(scenario())
    assert reply["status"] == "error"
    assert reply["ename"] == "KeyboardInterrupt"
    assert reply["took"] < 20
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def _gone(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [
            pid
            for pid in pids
            if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
        ]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.25)


def test_no_kernel_outlives_a_server_that_was_killed(
    tmp_path: Path, demo_db: Path
) -> None:
    """``kill -9`` of the server's Voila leaves no template and no kernel running.

    Kernels are the template's children, not Voila's: the template stops when its
    connection to Voila closes, and each kernel when its parent (the template) goes.
    """
    db = tmp_path / "store.db"
    db.write_bytes(demo_db.read_bytes())
    with serving(db, tmp_path, quiet_env(tmp_path / "home"), "--pool-size", "1") as (
        running,
        proc,
    ):
        filled = "is filled"
        deadline = time.monotonic() + 240
        while running.log.read_text(errors="replace").count(filled) < 3:
            assert time.monotonic() < deadline, running.log.read_text()[-2000:]
            time.sleep(0.5)
        # A visitor's kernel: no longer waiting on Voila, just idle under a page.
        status, _page = running.get(PILLARS[0].path)
        assert status == 200
        tree = process_tree(proc.pid)
        templates = [
            pid
            for pid in tree
            if "coachkit.web.kernels" in " ".join(psutil.Process(pid).cmdline())
        ]
        # One template and its kernels: the visitor's and two still in pools.
        assert len(templates) >= 4, tree
        # Voila itself, with no chance to shut its kernels down.
        voila = [p for p in tree if VOILA_MAIN in psutil.Process(p).cmdline()]
        assert len(voila) == 1, tree
        os.kill(voila[0], signal.SIGKILL)
        assert _gone(tree, 20) == []


def test_kernels_still_start_when_the_template_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template that stopped (killed, out of memory) costs speed, not pages:
    the next kernel starts the usual way, as a child of the server."""
    monkeypatch.setattr(Template, "_shared", None)
    monkeypatch.setattr(Template, "failed", False)
    template = Template.shared()
    assert template is not None
    template.process.kill()
    template.process.wait(timeout=30)

    async def scenario() -> tuple[str, int]:
        km = _manager()
        await km.start_kernel(cwd=str(tmp_path))
        try:
            result = await _run(km, "import os; print(os.getppid())")
            return result["out"].strip(), km.provisioner.pid
        finally:
            await km.shutdown_kernel(now=True)

    parent, _pid = _in_a_thread(scenario())
    assert parent == str(os.getpid())
    assert Template.failed


def test_a_postgresql_server_copies_kernels_with_the_driver_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template loads the store's database driver (psycopg: half a second of
    each kernel otherwise) when the server's store is PostgreSQL. Nothing connects:
    the address below has no server."""
    monkeypatch.setenv("COACHKIT_DB", "postgresql://nobody@127.0.0.1:9/none")
    monkeypatch.setattr(Template, "_shared", None)
    monkeypatch.setattr(Template, "failed", False)

    async def scenario() -> str:
        km = _manager()
        await km.start_kernel(cwd=str(tmp_path))
        try:
            code = "import sys; print('psycopg' in sys.modules)"
            result = await _run(km, code)
            return str(result["out"]).strip()
        finally:
            await km.shutdown_kernel(now=True)

    try:
        assert _in_a_thread(scenario()) == "True"
        assert not Template.failed
    finally:
        template = Template._shared
        if template is not None:
            template.process.kill()


DRAWS = """
import gc, sys
from coachkit.model import chart_engine
from coachkit.model.charts import to_vega
import altair as alt, pandas as pd
chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
import os
engine = os.environ.get(chart_engine.ENGINE_VAR, "")
print("marks" in to_vega(chart), bool(engine), len(chart_engine._GONE),
      gc.get_freeze_count() > 0)
"""


def test_a_forked_kernel_draws_with_the_shared_engine_and_shares_the_template(
    tmp_path: Path,
) -> None:
    """Kernels send charts to the one engine the template started (issue 24: an
    engine per page cost ~47 MB each), and leave the template's objects frozen."""

    async def scenario() -> dict[str, Any]:
        km = _manager()
        await km.start_kernel(env=dict(os.environ), cwd=str(tmp_path))
        try:
            return await _run(km, DRAWS)
        finally:
            await km.shutdown_kernel(now=True)

    result = _in_a_thread(scenario())
    assert result["reply"]["status"] == "ok", result
    drawn, has_engine, engines_gone, frozen = result["out"].split()
    assert (drawn, has_engine, engines_gone, frozen) == ("True", "True", "0", "True")


STARTUP = """
import sys
from coachkit.web.kernels import TEMPLATE_MODULES as template
assert template, "the template did not say what it had loaded"
fresh = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("IPython", "psutil", "tornado", "zmq", "debugpy")
    and name not in template
)
print(sys.modules.get("debugpy", "absent") is None, len(fresh), fresh[:5])
"""


def test_a_page_kernel_runs_no_debugger_and_imports_nothing_of_its_own_to_start(
    tmp_path: Path,
) -> None:
    """Issue 24: a kernel that imported its own modules as it started (and
    ipykernel's debugger, about 120 modules) paid 13 MB of memory before its page
    ran a line; the template imports them once for every kernel."""

    async def scenario() -> str:
        km = _manager()
        await km.start_kernel(env=dict(os.environ), cwd=str(tmp_path))
        try:
            result = await _run(km, STARTUP)
            assert result["reply"]["status"] == "ok", result
            return str(result["out"]).strip()
        finally:
            await km.shutdown_kernel(now=True)

    no_debugger, fresh, names = _in_a_thread(scenario()).split(" ", 2)
    assert no_debugger == "True"
    assert fresh == "0", names


def test_a_server_stopped_with_full_pools_prints_no_traceback(
    demo_db: Path, tmp_path: Path
) -> None:
    """Each pool kernel waits, mid-cell, for its page; a server stopped then must
    not leave a trainer a traceback in the terminal (a reply the kernel could not
    send, its connection closed by the stop)."""
    with serving_pooled(demo_db, tmp_path, None, "--pool-size", "1") as running:
        pass
    log = running.log.read_text(errors="replace")
    assert "Kernel pool of" in log  # the pools were full
    assert "Traceback" not in log, log[-3000:]
