"""What the benchmarks share: a free port, a quiet $HOME in a scratch folder, a server
run in a block, and the kernels a server runs (how many, how busy, how much memory)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from processes import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    launch,
    quiet_env,
    stop,
)

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "free_port",
    "quiet_env",
    "running",
    "scratch",
    "sync_chromium",
]

#: In the command line of coachkit's kernel template, the parent of forked kernels.
_TEMPLATE = "-m coachkit.web.kernels"


@contextmanager
def scratch(prefix: str) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary folder for one script, and our environment with $HOME in it."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        tmp = Path(name)
        yield tmp, quiet_env(tmp / "home")


@contextmanager
def running(
    command: list[str], env: dict[str, str], log: Path, url: str
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server until the block ends; wait until ``url`` answers 200."""
    proc = launch(command, env, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"server did not start; see {log}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        yield proc
    finally:
        stop(proc)


@contextmanager
def sync_chromium() -> Iterator[Any]:
    """Headless system Chromium through Playwright's sync API, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def kernels(pid: int) -> list[psutil.Process]:
    """The Jupyter kernels under process ``pid`` (a Voila or ``coachkit serve``).

    A kernel is an ``ipykernel_launcher`` process, or a copy of coachkit's kernel
    template (coachkit/web/kernels.py): a child of the template, with its command line
    (the template's other child is the chart engine the kernels share).
    """
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            if "ipykernel_launcher" in command or (
                _TEMPLATE in command and _TEMPLATE in " ".join(child.parent().cmdline())
            ):
                found.append(child)
        except (psutil.Error, AttributeError):
            continue
    return found


def is_kernel(kernel: psutil.Process, kernel_id: str) -> bool:
    """Whether ``kernel`` is the kernel ``kernel_id``: by its connection file, or by
    the ipc sockets named after it (a forked kernel has the template's command line).
    """
    name = f"kernel-{kernel_id}"
    try:
        if f"{name}.json" in " ".join(kernel.cmdline()):
            return True
        return any(
            Path(str(conn.laddr)).name.startswith(f"{name}-ipc")
            for conn in kernel.net_connections(kind="unix")
        )
    except psutil.Error:
        return False


def kernel_rss(pid: int, kernel_id: str) -> int:
    """Resident bytes of the kernel ``kernel_id`` under ``pid`` (0 if it is gone)."""
    for kernel in kernels(pid):
        if is_kernel(kernel, kernel_id):
            try:
                return int(kernel.memory_info().rss)
            except psutil.Error:
                continue
    return 0


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and everything it started."""
    total = 0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


def cpu_by_process(pid: int) -> dict[int, float]:
    """CPU-seconds used so far by process ``pid`` and by each process it runs now."""
    root = psutil.Process(pid)
    return {proc.pid: _cpu([proc]) for proc in [root, *root.children(recursive=True)]}


def chromium_cpu() -> float:
    """CPU-seconds used so far by every Chromium process on the machine."""
    return _cpu(
        p for p in psutil.process_iter(["name"]) if "chromium" in (p.info["name"] or "")
    )


def _cpu(processes: Iterable[psutil.Process]) -> float:
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _waiting_for_visitor(kernel: psutil.Process, port: int) -> bool:
    """True when a preheated kernel is connected to the server, waiting for a page.

    ``voila.utils.wait_for_request`` holds a WebSocket open to the server's port
    until a page request takes the kernel.
    """
    for conn in kernel.net_connections(kind="tcp"):
        remote = conn.raddr
        if remote and remote.port == port and conn.status == psutil.CONN_ESTABLISHED:
            return True
    return False


def wait_until_quiet(
    pid: int, count: int, timeout: float = 300, port: int | None = None
) -> bool:
    """Wait until ``pid`` runs exactly ``count`` kernels, all of them idle.

    With ``port`` (a preheated pool), idle means each kernel has run its workbook up
    to ``wait_for_request`` and waits on the server at ``port``; a CPU reading alone
    would take a kernel starved by a busy machine for an idle one. Without it, the
    kernels must use no CPU for a second. False if that did not happen in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = kernels(pid)
        if len(found) == count:
            try:
                if port is not None:
                    if all(_waiting_for_visitor(k, port) for k in found):
                        return True
                else:
                    for kernel in found:
                        kernel.cpu_percent(None)
                    time.sleep(1.0)
                    if all(kernel.cpu_percent(None) < 5 for kernel in found):
                        return True
            except psutil.Error:
                pass
        time.sleep(0.3)
    return False


def memory(proc: psutil.Process) -> dict[str, int]:
    """Bytes of ``proc``: resident (rss), its share of every page (pss: a page
    shared by n processes counts 1/n), and its own pages (uss: what stopping it
    frees). From /proc/PID/smaps_rollup; zeros if it is gone."""
    try:
        info = proc.memory_full_info()
    except psutil.Error:
        return {"rss": 0, "pss": 0, "uss": 0}
    return {"rss": info.rss, "pss": info.pss, "uss": info.uss}


def template(pid: int) -> psutil.Process | None:
    """coachkit's kernel template under process ``pid``, if one runs."""
    for child in psutil.Process(pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            parent = " ".join(child.parent().cmdline())
            if _TEMPLATE in command and _TEMPLATE not in parent:
                return child
        except (psutil.Error, AttributeError):
            continue
    return None
