"""The ``coachkit lab`` command: JupyterLab on the workbooks, with the same store.

An analyst gets their own copies of the three workbooks (in coachkit's data folder,
copied once, so their edits are kept and the shipped notebooks stay clean), and
every kernel Lab starts opens the store given by ``--db`` through ``COACHKIT_DB``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import platformdirs

from coachkit.cli.options import db_option
from coachkit.errors import CoachkitError
from coachkit.model.framework import prepare_store
from coachkit.store.database import ENV_VAR


def lab_folder() -> Path:
    """The folder that holds the analyst's copies of the workbooks."""
    return Path(platformdirs.user_data_dir("coachkit", appauthor=False)) / "workbooks"


def copy_workbooks(folder: Path) -> list[Path]:
    """Copy each shipped workbook into ``folder`` unless a copy is already there.

    Returns
    -------
    list of Path
        The notebooks copied now (an analyst's edited copy is never replaced).
    """
    from coachkit.web.serve import workbooks_dir

    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for notebook in sorted(workbooks_dir().glob("*.ipynb")):
        target = folder / notebook.name
        if not target.exists():
            shutil.copyfile(notebook, target)
            copied.append(target)
    return copied


def lab_argv(folder: Path, port: int, open_browser: bool) -> list[str]:
    """The command that starts JupyterLab on ``folder``, on this machine only."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
    ]


def lab_env(store_url: str) -> dict[str, str]:
    """The environment for Lab and its kernels: the store, and this Python's kernel."""
    env = dict(os.environ)
    env[ENV_VAR] = store_url
    # Prefer the kernel spec of the Python coachkit runs in over a user-wide one
    # that may point at a Python without coachkit.
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.pass_context
@db_option
@click.option("--port", default=8888, show_default=True, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
def lab(ctx: click.Context, db: str | None, port: int, no_browser: bool) -> None:
    """Open JupyterLab on your own copies of the workbooks, with this store.

    Any other option goes to JupyterLab as is, e.g. --IdentityProvider.token=...
    """
    from coachkit.web.serve import port_is_free

    if not port_is_free("127.0.0.1", port):
        raise CoachkitError(
            f"port {port} on 127.0.0.1 is already in use; pick another with --port."
        )
    store = prepare_store(db)
    click.echo(f"Your data is stored in {store.location}")
    if store.is_empty():
        click.echo("The store has no team yet; add the demo team with: coachkit demo")
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    folder = lab_folder()
    copy_workbooks(folder)
    click.echo(f"Your copies of the workbooks are in {folder}")
    child = subprocess.Popen(
        [*lab_argv(folder, port, not no_browser), *ctx.args], env=lab_env(url)
    )
    try:
        code = child.wait()
    except KeyboardInterrupt:  # Lab got the Ctrl+C too and shuts down by itself
        code = child.wait()
    sys.exit(code)


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [lab]
