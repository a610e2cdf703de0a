"""The ``coachkit`` command: a thin layer over the functions the workbooks call."""

from __future__ import annotations

import errno
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
import sqlalchemy as sa

from coachkit.cli.options import DB_META, db_option
from coachkit.errors import CoachkitError, file_problem
from coachkit.model.framework import prepare_store
from coachkit.store.database import describe, removed_if_failed, resolve_url
from coachkit.store.faults import explain_fault
from coachkit.web.serve import POOL_SIZE

if TYPE_CHECKING:
    from coachkit.store.database import Store


class _Group(click.Group):
    """Turn every coachkit error into one plain line and exit code 1.

    So do the faults of a file or a disk that no command explained itself (a
    folder where a file belongs, a full disk, a read-only file): one line that
    names the file or the store, never a traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoachkitError as exc:
            _fail(exc)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (| head): click's
                raise
            _fail(file_problem(exc))
        except sa.exc.DBAPIError as exc:
            fault = explain_fault(exc, _store_words(ctx.meta.get(DB_META)))
            if fault is None:
                raise
            _fail(fault)


def _fail(problem: Exception) -> NoReturn:
    click.echo(f"coachkit: {problem}", err=True)
    sys.exit(1)


def _store_words(db: str | None) -> str:
    try:
        return describe(resolve_url(db))
    except CoachkitError:
        return "the store"


def _framework_option(fn: Any) -> Any:
    return click.option(
        "--framework",
        type=click.Path(path_type=Path),
        help="A framework template (YAML file or folder) to start from.",
    )(fn)


@click.group(cls=_Group)
@click.version_option(package_name="coachkit")
def main() -> None:
    """coachkit: a sales-coaching workbook you run on your own machine."""


@main.command()
@db_option
@_framework_option
def init(db: str | None, framework: Path | None) -> None:
    """Create an empty store with the coaching framework."""
    with removed_if_failed(db):
        store = prepare_store(db, framework)
    click.echo(f"The store is ready at {store.location}")


@main.command()
@db_option
@_framework_option
@click.option("--coaches", default=2, show_default=True, help="Number of coaches.")
@click.option("--reps", default=10, show_default=True, help="Reps per coach.")
@click.option("--months", default=9, show_default=True, help="Months of history.")
@click.option("--seed", default=7, show_default=True, help="Same seed, same data.")
@click.option("--replace", is_flag=True, help="Delete the team data already there.")
def demo(
    db: str | None,
    framework: Path | None,
    coaches: int,
    reps: int,
    months: int,
    seed: int,
    replace: bool,
) -> None:
    """Fill the store with a made-up sales team and months of history."""
    from coachkit.demo import build_demo, clear_team_data

    for name, value in (("--coaches", coaches), ("--reps", reps), ("--months", months)):
        if value < 1:
            raise click.BadParameter("must be 1 or more", param_hint=name)
    with removed_if_failed(db):  # a refused demo leaves no new store behind
        store = prepare_store(db, framework)
        if replace:
            with store.write() as conn:
                clear_team_data(conn)
        started = time.perf_counter()
        summary = build_demo(
            store, coaches=coaches, reps=reps, months=months, seed=seed
        )
    seconds = time.perf_counter() - started
    click.echo(
        f"Added a demo team to {store.location}: {summary.coaches} coaches, "
        f"{summary.reps} reps, {summary.sessions} sessions, "
        f"{summary.metric_values} weekly and monthly numbers ({seconds:.1f} s)."
    )


@main.command()
@db_option
@click.option("--port", default=8866, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Only this machine can connect unless you change it.",
)
@click.option(
    "--pool-size",
    default=POOL_SIZE,
    show_default=True,
    help="Kernels kept warm per workbook, so pages open faster.",
)
@click.option(
    "--token",
    envvar="COACHKIT_TOKEN",
    metavar="KEY",
    help="A secret key: people open the address once with ?token=KEY, then their "
    "browser remembers it. Default: $COACHKIT_TOKEN.",
)
@click.option(
    "--trusted-header",
    metavar="NAME",
    help="Take each visitor's sign-in name from this request header, which a "
    "sign-in proxy in front sets (such as X-Forwarded-User). Only that proxy may "
    "reach coachkit.",
)
@click.option(
    "--base-url",
    metavar="PATH",
    help="Serve every page under this path, such as /coachkit/, behind a proxy "
    "that passes the path on unchanged.",
)
@click.option(
    "--jupyterhub",
    is_flag=True,
    help="Run as a JupyterHub user's own server behind jupyter-server-proxy's "
    "standalone proxy: the Hub's sign-in says who it is (see "
    "deploy/jupyterhub_config.py).",
)
@click.option(
    "--workbooks",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Also serve the notebooks in this folder (your team's own copies of the "
    "workbooks) beside the three, with the same sign-in (see docs/analysts.md).",
)
def serve(
    db: str | None,
    port: int,
    host: str,
    pool_size: int,
    token: str | None,
    trusted_header: str | None,
    base_url: str | None,
    jupyterhub: bool,
    workbooks: Path | None,
) -> None:
    """Serve the three workbooks in your browser."""
    import os

    from coachkit.web import serve as serving
    from coachkit.web.front_door import FrontDoor

    door = FrontDoor.from_options(
        os.environ,
        base_url=base_url,
        token=token,
        trusted_header=trusted_header,
        jupyterhub=jupyterhub,
    )
    for warning in door.check(host, port):
        click.echo(f"coachkit: {warning}", err=True)
    own = serving.own_workbooks(workbooks) if workbooks is not None else {}
    if not serving.port_is_free(host, port):
        raise CoachkitError(
            f"port {port} on {host} is already in use; pick another with --port."
        )
    store = store_with_team(db)
    from coachkit.cli.workshop import with_seat_cookies

    door = with_seat_cookies(door, store)  # a workshop's seats live in a cookie
    if own:
        click.echo(f"Also serving your workbooks from {workbooks}: {', '.join(own)}")
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    sys.exit(
        serving.serve(
            url, host=host, port=port, pool_size=pool_size, door=door, own=workbooks
        )
    )


def store_with_team(db: str | None) -> Store:
    """Open the store for ``serve`` and ``lab``; an empty one gets the demo team.

    So the first start has a team to look around, and says how to start over.
    """
    from coachkit.demo import build_demo
    from coachkit.store.database import open_existing

    if db is not None:  # a store named on purpose must be there; only the default
        open_existing(db).dispose()  # location is made (README: one command)
    store = prepare_store(db)
    click.echo(f"Your data is stored in {store.location}")
    if store.is_empty():
        summary = build_demo(store)
        click.echo(
            f"The store was empty, so coachkit added a demo team ({summary.coaches} "
            f"coaches, {summary.reps} reps) to look around. Start over any time "
            "with: coachkit init --db <new file>"
        )
    return store


def _add_data_commands() -> None:
    from coachkit.cli import (
        archive,
        calls,
        importer,
        lab,
        reports,
        reps,
        templates,
        users,
        workshop,
    )

    for module in (
        importer,
        calls,
        archive,
        reports,
        templates,
        lab,
        users,
        reps,
        workshop,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_add_data_commands()
