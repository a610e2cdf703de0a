"""Kernels forked from a process that has already loaded what every workbook needs.

A fresh Python kernel spends about a second before it runs a notebook's first line
of its own: Python itself, ipykernel, then pandas, SQLAlchemy and the store's
driver, ipywidgets, altair and coachkit. ``coachkit serve`` starts one *kernel
template* process that does all of that once, and each new kernel is a copy of it
(``os.fork``): it starts with those modules in memory, shared with the template
until it changes them.

Nothing of a visitor's is in the template: it has imported modules and read the
hyphenation dictionary, and opened no store, no socket and no thread of its own.

What a kernel costs is what it does not share with the template (issue 24): pages
it writes to, and memory it allocates. So the template also runs, once, the code
paths every workbook takes (a chart's spec, a table's HTML) before it freezes its
objects for Python's garbage collector (``gc.freeze``: a collection in a kernel
would otherwise write to every object the template made, copying its pages); each
kernel gives memory it freed back to the system every few seconds
(``malloc_trim``); one chart engine process serves every kernel
(:mod:`coachkit.model.chart_engine`) instead of one engine per page; the template
also imports what ipykernel imports as a kernel starts, and a page's kernel runs
no debugger (:data:`_NO_DEBUGGER`).
Each kernel is a process of its own, as before; it stops when its page's kernel is
shut down or culled, and every kernel stops when the server does (ipykernel
watches its parent, the template; the template stops when its connection to the
server closes).

:class:`ForkingProvisioner` is the jupyter_client kernel provisioner that asks the
template for kernels (entry point ``coachkit-fork``); a kernel command that is not
this Python's own ipykernel, or any kernel off Linux, is started the usual way.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import gc
import importlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from coachkit.model.chart_engine import ENGINE_VAR

#: What the template imports: the kernel itself, then what the workbooks' first
#: cells import (``_load`` adds what each workbook preloads). Imported, never
#: started: vl-convert's engine runs threads, and a fork copies only the thread
#: that forks, so each kernel starts its own at its first chart.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipywidgets",
    "pandas",
    "sqlalchemy",
    "coachkit.apps.batch",
    "coachkit.apps.prioritize",
    "coachkit.apps.facilitate",
    "coachkit.apps.improve",
    # Imported by a workbook's first tabs or charts; each kernel importing its own
    # copy paid 5-10 MB.
    "coachkit.exchange.importer",
    "pandas.core.reshape.reshape",
    "pandas.io.formats.html",
    "pandas.io.formats.string",
    # Imported by every kernel as it starts, before its page: IPython's pdb,
    # completer and inspector, psutil (and ipykernel's debugger, without debugpy:
    # see _NO_DEBUGGER). Each kernel importing its own paid a few MB.
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "faulthandler",
    "psutil",
    "tornado.platform.asyncio",
    "tornado.queues",
    # Imported when a page first sends a large message (a table, a chart).
    "zmq.utils.garbage",
)
_KERNEL_MODULES = ("ipykernel_launcher", "ipykernel")
#: Seconds between a kernel's returns of freed memory to the system. glibc keeps
#: what a kernel freed (a tab's frames, a query's rows) for reuse; after every
#: tab had been opened that was 25-30 MB a kernel.
TRIM_SECONDS = 10
#: Unless the server's environment says otherwise: numpy's linear algebra without a
#: thread of its own, so the template has just the one thread a fork copies (and
#: kernels on a shared server do not each keep a thread per CPU).
_TEMPLATE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
#: Modules a workbook page's kernel goes without. ipykernel starts a debugger in
#: every kernel when debugpy is installed (debugpy and pydevd, about 120 modules:
#: preloaded here, the template was 6 MB larger and each page's PSS 4-6 MB larger
#: than without them, issue 24), and no page uses it: neither Voila nor
#: coachkit's page script sends a debug request. Notebooks opened in JupyterLab
#: (``coachkit lab``) keep theirs: their kernels are not forked.
_NO_DEBUGGER = ("debugpy",)
#: The modules the template had loaded when it began to fork kernels (set in the
#: template, so a kernel can tell what it imported itself; tests/test_kernels.py).
TEMPLATE_MODULES: frozenset[str] = frozenset()


class ForkedKernel:
    """The part of :class:`subprocess.Popen` a provisioner uses, for a forked kernel.

    The kernel is the template's child, not ours; the template lets the system reap
    its children, so a kernel that has stopped is simply gone. Its start time tells
    it from a later process that got the same number.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._started = _start_time(pid)

    def poll(self) -> int | None:
        if self.returncode is None and (
            self._started is None or _start_time(self.pid) != self._started
        ):
            self.returncode = 0  # the template reaped it: its exit code is gone
        return self.returncode

    def wait(self) -> int:
        """The exit code (always 0: it is gone); the provisioner calls it once
        :meth:`poll` says the kernel stopped, and bounds its own wait."""
        while self.poll() is None:
            time.sleep(0.05)
        return 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (Linux's /proc), or None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # After the name in parentheses: the state, then the fields up to the 22nd.
    return stat.rsplit(")", 1)[1].split()[19]


class Template:
    """The kernel template process, started on first use and shared by all kernels."""

    _shared: Template | None = None
    #: Set when a template stopped or failed: from then on kernels start as usual.
    failed = False

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coachkit.web.kernels", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=_TEMPLATE_ENV | dict(os.environ),
            start_new_session=True,
        )
        theirs.close()
        ours.setblocking(False)
        self._socket = ours
        self._buffer = b""
        self._ready = False
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @classmethod
    def shared(cls) -> Template | None:
        """The server's template, started on first use; None once one has failed."""
        if cls._shared is None and not cls.failed:
            cls._shared = cls()
        return cls._shared

    @staticmethod
    def can_run(cmd: list[str]) -> bool:
        """Whether ``cmd`` is this Python running ipykernel (what a fork gives).

        Only on Linux: Windows has no fork, and on macOS a forked process may crash
        in the system libraries the template loaded (Python's own multiprocessing
        stopped forking there).
        """
        if not sys.platform.startswith("linux"):
            return False
        if len(cmd) < 3 or cmd[1] != "-m" or cmd[2] not in _KERNEL_MODULES:
            return False
        try:
            return Path(cmd[0]).resolve() == Path(sys.executable).resolve()
        except OSError:
            return False

    async def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel running ``cmd``'s ipykernel arguments; its process id."""
        loop = asyncio.get_running_loop()
        async with self._locks.setdefault(loop, asyncio.Lock()):
            try:
                if not self._ready:
                    await self._answer(loop)  # the template says it has imported
                    self._ready = True
                request = {"argv": cmd[3:], "env": env, "cwd": cwd}
                await loop.sock_sendall(
                    self._socket, json.dumps(request).encode() + b"\n"
                )
                return int(await self._answer(loop))
            except (OSError, ValueError, EOFError):
                # A template that stopped (or never got its imports done) is not
                # started again for every kernel: each would wait for it in vain.
                type(self).failed = True
                type(self)._shared = None
                self._socket.close()
                raise

    async def _answer(self, loop: asyncio.AbstractEventLoop) -> str:
        while b"\n" not in self._buffer:
            more = await loop.sock_recv(self._socket, 4096)
            if not more:
                raise EOFError("the kernel template stopped")
            self._buffer += more
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()


class ForkingProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Start kernels as copies of the kernel template; others as usual."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        template = Template.shared() if Template.can_run(cmd) else None
        if template is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or Path.cwd())
        try:
            pid = await template.fork(cmd, env, cwd)
        except (OSError, ValueError, EOFError) as error:
            self.log.warning(
                "The kernel template failed (%s); kernels now start the usual way, "
                "each about a second slower.",
                error,
            )
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)  # type: ignore[assignment]
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


def _load() -> None:
    """What the template does once for every kernel: :data:`PRELOAD`, what each
    workbook loads before its first visitor (``Workbook.preload``), and the
    database driver of the server's store (``COACHKIT_DB``)."""
    for name in PRELOAD:
        importlib.import_module(name)
    from sqlalchemy.exc import ArgumentError

    from coachkit.apps.base import Workbook
    from coachkit.errors import StoreError
    from coachkit.store.database import resolve_url

    for workbook in Workbook.__subclasses__():
        workbook.preload()
    # The driver of the server's store (psycopg for PostgreSQL: 0.5 s). A store
    # that cannot be opened is left for each page to explain.
    with contextlib.suppress(StoreError, ImportError, ArgumentError):
        resolve_url().get_dialect().import_dbapi()
    _rehearse()


def _rehearse() -> None:
    """Run once what every page runs first, so kernels share what it loads: a
    chart's spec (altair reads its schema classes and narwhals its pandas
    support) and a table as HTML and text. Draws nothing: no engine starts."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    alt.Chart(frame).mark_bar().encode(x="x:Q", y="y:N").to_dict(validate=False)
    frame.to_html()
    frame.to_string()
    frame.to_dict("records")


def _serve(fd: int) -> None:
    """The template: import, then fork a kernel per request until the server goes."""
    engine = _start_chart_engine()
    for name in _NO_DEBUGGER:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    _load()
    # Run as ``python -m``, this module is __main__: a kernel that imports it by
    # name gets this copy, with the list.
    here = sys.modules[__name__]
    named = sys.modules.setdefault("coachkit.web.kernels", here)
    here.TEMPLATE_MODULES = named.TEMPLATE_MODULES = frozenset(sys.modules)  # type: ignore[attr-defined]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps stopped kernels
    channel = socket.socket(fileno=fd)
    stream = channel.makefile("rwb", buffering=0)
    stream.write(b"ready\n")
    for line in _requests(stream):
        request = json.loads(line)
        request["env"][ENGINE_VAR] = engine
        gc.collect()
        gc.freeze()  # a kernel's collections then leave the template's objects be
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                stream.close()
                channel.close()
                code = _kernel(request)
            finally:
                os._exit(code)
        stream.write(f"{pid}\n".encode())


def _start_chart_engine() -> str:
    """Start the chart engine every kernel shares; the path of its socket.

    A process of its own, not a thread here: a fork copies no thread. It stops
    when the template does.
    """
    folder = tempfile.mkdtemp(prefix="coachkit-charts-")  # this user's only
    path = str(Path(folder) / "engine")
    subprocess.Popen(
        [sys.executable, "-m", "coachkit.model.chart_engine", path, str(os.getpid())],
        stdin=subprocess.DEVNULL,
    )
    return path


def _trim_memory() -> None:
    """Every :data:`TRIM_SECONDS`, give memory this process freed back to the
    system (glibc's ``malloc_trim``; nothing elsewhere)."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return

    def loop() -> None:
        while True:
            time.sleep(TRIM_SECONDS)
            trim(0)

    threading.Thread(target=loop, name="coachkit-trim", daemon=True).start()


def _requests(stream: Any) -> Any:
    """Each line the server sends, until it closes the connection (or is gone)."""
    try:
        yield from stream
    except ConnectionError:
        return


def _kernel(request: dict[str, Any]) -> int:
    """In the copy: become the kernel the server asked for."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    os.environ.clear()
    os.environ.update(request["env"])
    # ipykernel stops when this parent (the template) does.
    parent = os.getppid()
    os.environ["JPY_PARENT_PID"] = str(parent)
    os.chdir(request["cwd"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    sys.argv = [sys.executable, *request["argv"]]
    from ipykernel.kernelapp import IPKernelApp

    # The class read JPY_PARENT_PID when the template imported it, so pass it.
    app = IPKernelApp.instance(parent_handle=parent)
    # No input history: a page runs no code a person typed, and the history keeps
    # an SQLite file and a thread in every kernel.
    app.initialize([*request["argv"], "--HistoryManager.enabled=False"])
    # ipywidgets registers its messages with the kernel when it is first imported
    # inside one; here it was imported before there was a kernel.
    import ipywidgets

    ipywidgets.register_comm_target()
    app.log.addFilter(_StoppedMidReply())
    _trim_memory()
    app.start()
    return 0


class _StoppedMidReply(logging.Filter):
    """Drops the traceback of a reply a kernel could not send because it was being
    stopped (its sockets already closed).

    A pool kernel waits, in the middle of running its workbook, for a page to take
    it; when the server stops, that wait ends after the kernel's sockets closed, and
    ipykernel logged the failed reply with a traceback in the server's terminal,
    which reads like a crash. Any other error is still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        import zmq

        error = record.exc_info[1] if record.exc_info else None
        return not (isinstance(error, zmq.ZMQError) and error.errno == errno.ENOTSOCK)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
