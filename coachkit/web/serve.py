"""Serve the three workbooks as web apps with Voila.

coachkit runs the standalone ``voila`` command as a child process: it never lets the
browser run code (unlike Voila inside Jupyter Server), binds to loopback unless told
otherwise, and uses coachkit's own page template (``coachkit/web/voila``), which shows a
landing page at ``/`` and asks nothing of any host but this server.

A team's own workbooks (``coachkit serve --workbooks DIR``) are served by the same
Voila, beside the three: copies of both go into one private folder when the server
starts, so every page has the same template, sign-in and limits.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

from coachkit.errors import CoachkitError
from coachkit.model.pillars import PILLARS
from coachkit.web.front_door import FrontDoor, is_loopback
from coachkit.web.room import room_addresses

#: Folder that holds ``voila/templates/coachkit``; Voila finds it through JUPYTER_PATH.
TEMPLATE_ROOT = Path(__file__).resolve().parent / "voila" / "share" / "jupyter"
#: The module that runs Voila (coachkit/web/voila_main.py).
VOILA_MAIN = "coachkit.web.voila_main"
TEMPLATE_NAME = "coachkit"

#: Culling: every CULL_INTERVAL s, stop kernels silent (no widget message in or out)
#: for CULL_IDLE_TIMEOUT s, even with their page open (cull_connected) or stuck in a
#: cell (cull_busy), so tabs left open overnight or closed without notice
#: (voila#1458) free their kernel. An hour, since an open page is "idle" while its
#: coach reads or sits in a meeting; a page whose kernel is gone says so (coachkit.js).
CULL_INTERVAL = 60
CULL_IDLE_TIMEOUT = 3600
#: Kernels kept ready per workbook: two, so a coach who opens a workbook right after
#: another still gets a ready one while the first is being replaced.
POOL_SIZE = 2
#: Seconds, per kernel in a workbook's pool, before Voila starts a kernel to replace
#: one taken from it. Each start costs a CPU for about 3 s; started at once, the
#: replacements slow the pages just opened. A bigger pool is there for a crowd
#: arriving together (a workshop), so its replacements wait until that crowd's pages
#: are up: 4 s for the default pool of 2, 14 s for 7 (benchmarks/RESULTS.md).
POOL_FILL_DELAY = 2
#: Per-cell time limit while a page builds, used only without preheated kernels: a
#: preheated kernel waits inside a cell (wait_for_request) until someone opens the
#: page, maybe hours later, and any limit would leave such pages loading forever.
EXECUTE_TIMEOUT = 60
#: The kernel provisioner (coachkit/web/kernels.py, an entry point in pyproject.toml)
#: that starts each kernel as a copy of one that has done the imports.
PROVISIONER = "coachkit-fork"
#: The kernel manager under Voila's pools: a page's kernel stops soon after its page
#: closes, and pages per visitor and in all have a ceiling (web/page_kernels.py).
KERNEL_MANAGER = "coachkit.web.page_kernels.PageKernelManager"
#: The biggest file a page may upload (a CSV to import): the page refuses a bigger
#: one before sending it (frontend/src/upload.js, which keeps the same number).
UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024
#: The biggest message the server takes from a page: the upload plus room for the
#: message around it. Tornado's default, 10 MiB, closed the page's connection
#: without a word on a bigger upload, and the page then went on doing nothing.
WEBSOCKET_MAX_MESSAGE_BYTES = UPLOAD_LIMIT_BYTES + 16 * 1024 * 1024
#: The rep's own page (#28), served beside the three workbooks; not a pillar.
REP_PAGE = "4_my_coaching.ipynb"
#: Shown in place of a traceback when a workbook fails to build.
BUILD_ERROR = (
    "coachkit could not open this workbook. The window where coachkit serve runs "
    "shows what went wrong."
)


def workbooks_dir() -> Path:
    """Return the folder that holds the three workbooks.

    Returns
    -------
    Path
        ``workbooks/`` next to the package in a source checkout, else the copy the
        wheel ships in ``coachkit/_data/workbooks``.
    """
    checkout = Path(__file__).resolve().parents[2] / "workbooks"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parents[1] / "_data" / "workbooks"


def own_workbooks(folder: Path) -> dict[str, Path]:
    """Check a folder of a team's own workbooks and return them by file name.

    Parameters
    ----------
    folder
        The folder of ``coachkit serve --workbooks``. Each notebook directly in it
        is served beside the three workbooks and the rep's page, under its own
        file name.

    Returns
    -------
    dict of str to Path
        Each notebook by the name it is served under, in name order.

    Raises
    ------
    CoachkitError
        ``folder`` is not a folder or holds no notebook, a file is not a notebook,
        or a notebook has the name of one of the three workbooks or the rep's page.
    """
    import nbformat

    if not folder.is_dir():
        raise CoachkitError(f"--workbooks {folder}: there is no such folder.")
    taken = {pillar.notebook.lower() for pillar in PILLARS} | {REP_PAGE}
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.name.lower() in taken:
            raise CoachkitError(
                f"{path} has the name of one of coachkit's own workbooks; give your "
                f"copy a name of its own, such as team_{path.name}."
            )
        try:
            nbformat.read(path, as_version=4)
        except Exception as exc:  # nbformat raises many kinds; each means the same
            raise CoachkitError(
                f"{path} is not a notebook Voila can open: {exc}"
            ) from exc
        found[path.name] = path
    if not found:
        raise CoachkitError(
            f"--workbooks {folder}: the folder holds no notebook (.ipynb)."
        )
    return found


def gather_workbooks(workbooks: Path, own: Mapping[str, Path], into: Path) -> Path:
    """Copy the three workbooks and a team's own ones into ``into``, for Voila.

    Voila serves one folder. Copies, made once at start, keep every page the same
    until the server restarts, and leave the team's folder untouched.

    Returns
    -------
    Path
        ``into``, now holding every notebook to serve.
    """
    for notebook in sorted(workbooks.glob("*.ipynb")):
        shutil.copyfile(notebook, into / notebook.name)
    for name, path in own.items():
        shutil.copyfile(path, into / name)
    return into


def port_is_free(host: str, port: int) -> bool:
    """Tell whether a server could listen on ``host:port`` right now.

    Parameters
    ----------
    host
        Address to listen on, such as ``127.0.0.1``.
    port
        TCP port.

    Returns
    -------
    bool
        False if another program already uses the port.

    Raises
    ------
    CoachkitError
        If the address cannot be used for another reason (unknown host, no
        permission).
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, kind, proto, _name, address in infos:
            with socket.socket(family, kind, proto) as sock:
                # Same options as the server, so a port in TIME_WAIT counts as free.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return False
        reason = exc.strerror or str(exc)
        raise CoachkitError(f"cannot listen on {host} port {port}: {reason}") from exc
    return True


def voila_argv(
    workbooks: Path,
    *,
    host: str,
    port: int,
    pool_size: int = POOL_SIZE,
    settings: Mapping[str, object] | None = None,
) -> list[str]:
    """Build the command that serves ``workbooks`` with standalone Voila.

    Parameters
    ----------
    workbooks
        Folder with the notebooks; ``/`` shows the landing page that links them.
    host
        Address to listen on.
    port
        Port to listen on. Voila fails rather than pick another one.
    pool_size
        Kernels kept running per workbook, each with the workbook's imports done and
        its chart engine started, waiting for a visitor; so a page opens faster.
        0 starts a kernel only when a page is opened.
    settings
        More web server (Tornado) settings, such as a front door's
        (:meth:`~coachkit.web.front_door.FrontDoor.tornado_settings`).

    Returns
    -------
    list of str
        The command line, starting with the current Python.
    """
    vc = "--VoilaConfiguration."
    km = "--MappingKernelManager."
    argv = [
        sys.executable,
        "-m",
        VOILA_MAIN,  # Voila's own command, with a quiet terminal
        str(workbooks),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        # Read voila.json only from coachkit/web/voila, never from the working folder
        # or the Jupyter config folders. Ours turns jupyter_server's Host check
        # back on (Voila turns it off): pages are served only to a browser that
        # asked for localhost or a loopback address, which stops a web page from
        # reaching this server through DNS rebinding.
        "--Voila.config_file_paths",
        str(TEMPLATE_ROOT.parents[1]),
        f"{vc}template={TEMPLATE_NAME}",
        f"{vc}theme=light",
        f"{vc}classic_tree=True",
        f"{vc}allow_template_override=NO",
        f"{vc}allow_theme_override=NO",
        f"{vc}show_tracebacks=False",
        f"{vc}strip_sources=True",
        # A pattern that matches nothing: no file in the workbooks folder is served
        # as a download. (A bare "(?!)" would read as a deprecated list literal.)
        f"{vc}file_allowlist",
        r"\A(?!)",
        f"{vc}preheat_kernel={pool_size > 0}",
        # The rep's own page is opened now and then, by one rep: no kernels wait
        # for it (two would cost about 150 MB, and slow every start of the server).
        f"--VoilaKernelManager.preheat_denylist={REP_PAGE}",
        f"{vc}default_pool_size={max(pool_size, 0)}",
        f"--VoilaKernelManager.fill_delay={POOL_FILL_DELAY * max(pool_size, 1)}",
        f"{km}cull_interval={CULL_INTERVAL}",
        f"{km}cull_idle_timeout={CULL_IDLE_TIMEOUT}",
        f"{km}cull_connected=True",
        f"{km}cull_busy=True",
        f"--VoilaExecutor.cell_error_instruction={BUILD_ERROR}",
        # Each kernel is a copy of one process that has already imported ipykernel,
        # pandas, SQLAlchemy and coachkit (coachkit/web/kernels.py).
        f"--KernelProvisionerFactory.default_provisioner_name={PROVISIONER}",
        f"{vc}multi_kernel_manager_class={KERNEL_MANAGER}",
    ]
    if pool_size <= 0:
        argv.append(f"--VoilaExecutor.timeout={EXECUTE_TIMEOUT}")
    argv.append(f"--Voila.tornado_settings={_tornado_settings(host, settings)!r}")
    if sys.platform != "win32":
        # Talk to kernels over Unix sockets in Voila's private folder, not over
        # local TCP ports that any user of the machine could reach.
        argv.append("--KernelManager.transport=ipc")
    return argv


#: The program that stands in for ``jupyterhub-singleuser`` under JupyterHub
#: (jupyter-server-proxy's standalone proxy): it lets in only the server's owner,
#: through the Hub's own sign-in (OAuth), and passes them on to coachkit.
HUB_PROXY = "jupyter-standaloneproxy"
#: Seconds the standalone proxy waits for coachkit to answer (its default is 5 s;
#: coachkit starts Voila and its kernel template first).
HUB_READY_TIMEOUT = 60
#: Kernels kept ready per workbook under JupyterHub: none. Each coach has a server
#: of their own, so ready kernels would cost every coach about 4 x 75 MB while
#: nobody looks; a page's kernel is a copy of the kernel template, made in a few
#: hundredths of a second when the page is opened.
HUB_POOL_SIZE = 0


def hub_command(
    coachkit: Sequence[str] = ("coachkit",),
    *,
    proxy: str = HUB_PROXY,
    pool_size: int = HUB_POOL_SIZE,
) -> list[str]:
    """Build a JupyterHub user's server command (``Spawner.cmd``).

    The same list is in ``deploy/jupyterhub_config.py`` and
    ``deploy/kubernetes/values.yaml`` (``singleuser.cmd``); their tests compare
    them with this function, and ``tests/test_hub.py`` runs it under a real Hub.

    Parameters
    ----------
    coachkit
        How to run coachkit, such as ``[sys.executable, "-m", "coachkit"]``.
    proxy
        The standalone proxy's program (a full path when it is not on PATH).
    pool_size
        Kernels kept ready per workbook (``coachkit serve --pool-size``).

    Returns
    -------
    list of str
        The command. ``{port}`` is filled in by the proxy with a free port of
        its own choosing, where coachkit listens on 127.0.0.1.
    """
    return [
        proxy,
        f"--timeout={HUB_READY_TIMEOUT}",
        # A page's CSV upload travels in one websocket message; the proxy would
        # close the page's connection on one bigger than tornado's 10 MiB.
        f"--websocket-max-message-size={WEBSOCKET_MAX_MESSAGE_BYTES}",
        # The proxy strips /user/<name>/ before passing a request on (coachkit's
        # --jupyterhub expects that) and tells the Hub when the server was last
        # used, which the idle culler reads.
        "--",
        *coachkit,
        "serve",
        "--port",
        "{port}",
        # The coach is JUPYTERHUB_USER; the address prefix is
        # JUPYTERHUB_SERVICE_PREFIX. coachkit listens on 127.0.0.1 only.
        "--jupyterhub",
        "--pool-size",
        str(pool_size),
    ]


#: Set for the workbooks' kernels, so that :func:`log_to_terminal` works there.
LOG_ENV = "COACHKIT_LOG_TO_TERMINAL"


def log_to_terminal(logger: logging.Logger) -> None:
    """Under ``coachkit serve``, write ``logger``'s warnings and errors (the
    traceback of a failed save) to the terminal the server runs in.

    A workbook's kernel sends what is written to ``sys.stderr`` to the page only,
    so "the details are in the server log" would point at nothing; the kernel's
    own stderr (``sys.stderr.fileno()``) is still the server's terminal. Does
    nothing outside a served workbook (:data:`LOG_ENV` unset) or when done before.
    """
    name = "coachkit-terminal"
    if os.environ.get(LOG_ENV) != "1" or any(
        h.get_name() == name for h in logger.handlers
    ):
        return
    try:
        fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):  # no file behind it
        return
    stream = os.fdopen(fd, "w", encoding="utf-8", errors="replace", buffering=1)
    handler = logging.StreamHandler(stream)
    handler.set_name(name)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("[coachkit %(asctime)s] %(message)s"))
    logger.addHandler(handler)


def _tornado_settings(
    host: str, more: Mapping[str, object] | None
) -> dict[str, object]:
    """The web server's settings, all in one (the command line replaces
    voila.json's whole, and ``key=value`` would make every value text)."""
    settings: dict[str, object] = {
        # Off, as in voila.json: pages only for a browser that asked for localhost.
        "allow_remote_access": False,
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
    }
    if not is_loopback(host):
        # Served to other machines on purpose: they use other names for it.
        settings["allow_remote_access"] = True
    settings.update(more or {})
    return settings


def voila_env(
    store_url: str,
    host: str,
    base: Mapping[str, str] | None = None,
    door: FrontDoor | None = None,
) -> dict[str, str]:
    """Return the environment for the Voila process and, through it, its kernels.

    Parameters
    ----------
    store_url
        The store every workbook opens (``COACHKIT_DB``).
    host
        The address Voila listens on; preheated kernels call back to it.
    base
        The environment to start from; defaults to ``os.environ``.
    door
        How visitors get in (:class:`~coachkit.web.front_door.FrontDoor`): nothing in
        ``base`` may speak for a visitor, and Voila's key travels here.

    Returns
    -------
    dict of str to str
        A copy of ``base`` with the coachkit settings added.
    """
    env = dict(os.environ if base is None else base)
    (door or FrontDoor()).prepare_env(env)
    env["COACHKIT_DB"] = store_url
    env[LOG_ENV] = "1"  # a failed save's traceback shows in this terminal
    # The workbook pages run coachkit's page script, which can draw charts
    # (coachkit.apps.charts.PAGE_DRAWS_CHARTS; not imported: it would load the widgets).
    env["COACHKIT_PAGE_DRAWS_CHARTS"] = "1"
    # Voila looks for page templates under $JUPYTER_PATH/voila/templates first.
    search = [str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")]
    env["JUPYTER_PATH"] = os.pathsep.join(part for part in search if part)
    # A preheated kernel asks the server for the request details at this address.
    env["VOILA_APP_IP"] = _reachable(host)
    return env


def serve(
    store_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8866,
    workbooks: Path | None = None,
    pool_size: int = POOL_SIZE,
    door: FrontDoor | None = None,
    own: Path | None = None,
) -> int:
    """Serve the workbooks until Ctrl+C or SIGTERM, and return Voila's exit code.

    Parameters
    ----------
    store_url
        The store the workbooks read and write.
    host
        Address to listen on. The default lets only this machine connect.
    port
        Port to listen on.
    workbooks
        Folder with the notebooks; defaults to :func:`workbooks_dir`.
    pool_size
        Kernels kept ready per workbook (see :func:`voila_argv`).
    door
        How visitors get in; the default serves this machine only, to anyone on it.
    own
        A folder of the team's own workbooks to serve beside the three (see
        :func:`own_workbooks`).

    Returns
    -------
    int
        The exit code of the Voila process (0 after a normal stop).

    Raises
    ------
    CoachkitError
        ``host`` reaches other machines and ``door`` lets anyone in, or ``own`` is
        not a folder of notebooks.
    """
    door = door or FrontDoor()
    door.check(host, port)
    folder = workbooks if workbooks is not None else workbooks_dir()
    gathered = None
    if own is not None:
        notebooks = own_workbooks(own)
        # Private to this user (mkdtemp makes it 0700); removed when Voila stops.
        gathered = tempfile.TemporaryDirectory(prefix="coachkit-workbooks-")
        folder = gather_workbooks(folder, notebooks, Path(gathered.name))
    remote = not is_loopback(host)
    argv = voila_argv(
        folder,
        host=host,
        port=port,
        pool_size=pool_size,
        settings=door.tornado_settings(remote=remote),
    )
    argv += door.voila_args()
    # Voila gets its own session, so that Ctrl+C reaches it once, through us, and
    # never in the middle of its own shutdown.
    child = subprocess.Popen(
        argv,
        env=voila_env(store_url, host, door=door),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_stop_with_parent if sys.platform == "linux" else None,
    )
    signals_seen = 0

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if child.poll() is None:
            child.send_signal(signal.SIGTERM if signals_seen == 1 else signal.SIGKILL)

    stop_signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, forward) for sig in stop_signals}
    try:
        if _wait_until_listening(child, host, port):
            # Listening everywhere (0.0.0.0): the addresses people can type.
            where = " or ".join(
                room_addresses(host, port, "/" if door.hub else door.base_url)
            )
            key = "  (open it once with ?token=<your key>)" if door.token else ""
            print(
                f"coachkit is running at {where}{key}  (press Ctrl+C to stop)",
                flush=True,
            )
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            child.kill()
            child.wait()
        if gathered is not None:
            gathered.cleanup()


def _reachable(host: str) -> str:
    """Return an address that reaches a server listening on ``host``."""
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


def _wait_until_listening(
    child: subprocess.Popen[bytes], host: str, port: int, timeout: float = 60.0
) -> bool:
    """Wait until ``host:port`` accepts connections; False if Voila exits first."""
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection((_reachable(host), port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return child.poll() is None


def _stop_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to send SIGTERM to Voila if coachkit itself dies (even by SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
