"""The ``coachkit templates`` commands: check a forked framework, then use it.

The work happens in :func:`coachkit.model.templates.framework_problems` and
:func:`coachkit.model.forks.use_framework`; these commands read the options
and print the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coachkit.cli.options import db_option
from coachkit.model.templates import framework_problems, load_framework
from coachkit.store.database import open_store

_FILE = click.Path(path_type=Path)


@click.group()
def templates() -> None:
    """Check a framework file of your own, then make it your team's framework."""


@templates.command()
@click.argument("file", type=_FILE)
def check(file: Path) -> None:
    """List every problem in a framework FILE, each with its place.

    Metrics are checked against metrics.yaml beside FILE, else the shipped one.
    """
    _stop_on_problems(file)
    framework = load_framework(file)
    behaviours = framework.behaviours()
    metrics = {key for b in behaviours for key in b.metrics}
    click.echo(
        f"ok: {len(framework.objectives)} objectives, {len(behaviours)} "
        f"behaviours, {len(metrics)} metrics"
    )


@templates.command()
@click.argument("file", type=_FILE)
@db_option
def use(file: Path, db: str | None) -> None:
    """Make a framework FILE your team's framework, keeping past ratings.

    Behaviours keep their ratings by key; a changed rubric gets a new version, so
    old ratings still show the words that scored them. A file with problems
    changes nothing.
    """
    from coachkit.model.forks import use_framework

    _stop_on_problems(file, "Nothing was changed. ")
    framework = load_framework(file)
    store = open_store(db)
    try:
        with store.write() as conn:
            change = use_framework(conn, framework)
    finally:
        store.dispose()
    click.echo(f"{framework.name} is now the framework in {store.location}.")
    for line in change.lines():
        click.echo(f"- {line}")


def _stop_on_problems(file: Path, then: str = "") -> None:
    """Print every problem in ``file`` and exit 1; return when there are none."""
    problems = framework_problems(file)
    if not problems:
        return
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    click.echo(f"{file}: {count}. {then}Fix them and run this again:", err=True)
    for p in problems:
        other = "" if Path(p.path) == _framework_file(file) else f"{p.path}: "
        click.echo(f"  {other}{p.field}: {p.problem}", err=True)
    sys.exit(1)


def _framework_file(file: Path) -> Path:
    return file / "framework.yaml" if file.is_dir() else file


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [templates]
