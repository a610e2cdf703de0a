"""What the browser tests and the benchmarks share: Chromium, a port, a quiet $HOME,
and a server started in its own process group and stopped with it.

Plain functions with no pytest in them, so ``benchmarks/`` imports them too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

CHROMIUM = Path(os.environ.get("COACHKIT_CHROMIUM", "/usr/bin/chromium"))
#: Headless Chromium on a machine with no network beyond loopback: without the
#: background-networking flags its own connections are refused many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def quiet_env(home: Path) -> dict[str, str]:
    """Our environment with $HOME and the Jupyter folders moved into ``home``.

    Jupyter, IPython and Chromium write into $HOME; a test or a benchmark never
    touches the real one. ``COACHKIT_DB`` is dropped so nothing finds a real store.
    """
    env = dict(os.environ)
    env.pop("COACHKIT_DB", None)
    env["HOME"] = str(home)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[var] = str(home / sub)
    return env


def launch(
    command: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own process group, its output going to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (coachkit stops Voila and its kernels); then kill."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
