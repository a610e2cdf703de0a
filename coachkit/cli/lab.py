"""The ``coachkit lab`` command: JupyterLab on the workbooks, with the same store.

An analyst gets their own copies of the three workbooks and of the analyst example
(in coachkit's data folder, so their edits are kept and the shipped notebooks stay
clean); Lab opens on the example, and every kernel it starts opens the store given
by ``--db`` through ``COACHKIT_DB``. An empty store gets the demo team, as with
``coachkit serve``.

After an upgrade the copies follow the new version without losing an edit: the
folder remembers a hash of what each copy was made from (:data:`MANIFEST`), so a
copy nobody changed is replaced by the new version, and an edited one is kept with
the new version written beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import click
import platformdirs

from coachkit.cli.options import db_option
from coachkit.errors import CoachkitError
from coachkit.store.database import ENV_VAR

#: In the lab folder: each copy's name and the SHA-256 of the notebook it was made
#: from. Hidden (a leading dot), so Lab does not list it.
MANIFEST = ".coachkit-copies.json"
#: The notebook Lab opens on: the four steps of docs/analysts.md.
EXAMPLE = "analyst.ipynb"


def lab_folder() -> Path:
    """The folder that holds the analyst's copies of the workbooks."""
    return Path(platformdirs.user_data_dir("coachkit", appauthor=False)) / "workbooks"


def example_notebook() -> Path:
    """Return the analyst example notebook.

    Returns
    -------
    Path
        ``examples/analyst.ipynb`` in a source checkout, else the copy the wheel
        ships in ``coachkit/_data/examples`` (pyproject.toml's force-include).
    """
    checkout = Path(__file__).resolve().parents[2] / "examples" / EXAMPLE
    if checkout.is_file():
        return checkout
    return Path(__file__).resolve().parents[1] / "_data" / "examples" / EXAMPLE


def shipped_notebooks() -> list[Path]:
    """The notebooks an analyst gets a copy of: the three workbooks, the example."""
    from coachkit.web.serve import workbooks_dir

    return [*sorted(workbooks_dir().glob("*.ipynb")), example_notebook()]


@dataclass(frozen=True)
class Copies:
    """What :func:`copy_workbooks` did in the analyst's folder.

    Attributes
    ----------
    copied
        Copies made now, where there was none.
    refreshed
        Copies nobody had changed, replaced by the version this coachkit ships.
    kept
        Copies the analyst changed, each kept as it is, with the file beside it
        that holds the version this coachkit ships.
    """

    copied: list[Path]
    refreshed: list[Path]
    kept: list[tuple[Path, Path]]


def copy_workbooks(folder: Path, notebooks: Sequence[Path] | None = None) -> Copies:
    """Give the analyst an up-to-date copy of each notebook, never losing an edit.

    A missing copy is made. When a notebook has changed since its copy was made (a
    new coachkit), a copy still as it was made is replaced; an edited one is kept,
    and the new version is written beside it (``3_improve-coachkit-0.2.0.ipynb``).
    A copy made before coachkit kept hashes counts as edited unless it already
    matches.

    Parameters
    ----------
    folder
        The analyst's folder; made if missing.
    notebooks
        The notebooks to copy; defaults to the three workbooks.

    Returns
    -------
    Copies
        What was copied, refreshed and kept.
    """
    from coachkit.web.serve import workbooks_dir

    if notebooks is None:
        notebooks = sorted(workbooks_dir().glob("*.ipynb"))
    folder.mkdir(parents=True, exist_ok=True)
    made_from = _read_manifest(folder / MANIFEST)
    copied, refreshed, kept = [], [], []
    for notebook in notebooks:
        target = folder / notebook.name
        shipped = _digest(notebook)
        if not target.exists():
            shutil.copyfile(notebook, target)
            copied.append(target)
        elif made_from.get(notebook.name) == shipped:
            continue  # nothing new since the copy was made, edited or not
        elif made_from.get(notebook.name) == _digest(target):
            shutil.copyfile(notebook, target)
            refreshed.append(target)
        elif _digest(target) != shipped:
            kept.append((target, _write_beside(target, notebook, shipped)))
        made_from[notebook.name] = shipped
    manifest = json.dumps(made_from, indent=1, sort_keys=True)
    (folder / MANIFEST).write_text(manifest, encoding="utf-8")
    return Copies(copied, refreshed, kept)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    """The hashes the copies were made from; none if the file is missing or broken."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(name): str(digest) for name, digest in found.items()}


def _write_beside(target: Path, notebook: Path, shipped: str) -> Path:
    """Write ``notebook`` beside the analyst's edited ``target``; never over a file
    with other contents. Returns where it is."""
    beside = target.with_name(f"{target.stem}-coachkit-{version('coachkit')}.ipynb")
    if beside.exists() and _digest(beside) != shipped:
        beside = beside.with_name(f"{beside.stem}-{shipped[:8]}.ipynb")
    if not beside.exists():
        shutil.copyfile(notebook, beside)
    return beside


def lab_argv(
    folder: Path,
    port: int,
    open_browser: bool,
    *,
    allow_root: bool = False,
    open_file: Path | None = None,
) -> list[str]:
    """The command that starts JupyterLab on ``folder``, on this machine only.

    ``open_file`` is the notebook Lab opens first; ``allow_root`` lets it run as
    root, which JupyterLab otherwise refuses.
    """
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if allow_root:
        argv.append("--ServerApp.allow_root=True")
    if open_file is not None:
        argv.append(f"--ServerApp.file_to_run={open_file}")
    return argv


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
@click.option(
    "--allow-root",
    is_flag=True,
    help="Run even as root (say, in a container), which JupyterLab refuses otherwise.",
)
def lab(
    ctx: click.Context, db: str | None, port: int, no_browser: bool, allow_root: bool
) -> None:
    """Open JupyterLab on your own copies of the workbooks, with this store.

    Any other option goes to JupyterLab as is, e.g. --IdentityProvider.token=...
    """
    from coachkit.cli.main import store_with_team
    from coachkit.web.serve import port_is_free

    if not port_is_free("127.0.0.1", port):
        raise CoachkitError(
            f"port {port} on 127.0.0.1 is already in use; pick another with --port."
        )
    if _running_as_root() and not allow_root:
        raise CoachkitError(
            "JupyterLab does not run as root, since notebook code could then change "
            "anything on this machine; run coachkit lab as another user, or, in a "
            "container, add --allow-root: coachkit lab --allow-root"
        )
    store = store_with_team(db)  # as serve: a new or empty store gets the demo team
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    folder = lab_folder()
    copies = copy_workbooks(folder, shipped_notebooks())
    click.echo(f"Your copies of the workbooks are in {folder}")
    if copies.refreshed:
        names = ", ".join(path.name for path in copies.refreshed)
        click.echo(
            f"Updated to this coachkit's version (you had not changed them): {names}"
        )
    for mine, new in copies.kept:
        click.echo(
            f"You changed {mine.name}, so it is kept as it is; this coachkit's "
            f"version is beside it: {new}"
        )
    argv = lab_argv(
        folder,
        port,
        not no_browser,
        allow_root=allow_root,
        open_file=folder / EXAMPLE,
    )
    child = subprocess.Popen([*argv, *ctx.args], env=lab_env(url))
    try:
        code = child.wait()
    except KeyboardInterrupt:  # Lab got the Ctrl+C too and shuts down by itself
        code = child.wait()
    sys.exit(code)


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [lab]
