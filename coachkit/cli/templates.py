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
from coachkit.store.database import open_for_reading, open_store, removed_if_failed

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
        f"ok: {_counted(len(framework.objectives), 'objective')}, "
        f"{_counted(len(behaviours), 'behaviour')}, "
        f"{_counted(len(metrics), 'metric')}"
    )


@templates.command()
@click.argument("file", type=_FILE)
@db_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="List every change and what happens to existing ratings; change nothing.",
)
def use(file: Path, db: str | None, dry_run: bool) -> None:
    """Make a framework FILE your team's framework, keeping past ratings.

    Lists every change: new, renamed, moved and removed objectives and behaviours,
    weights, targets, rubric levels and metrics. Behaviours keep their ratings by
    key; a changed rubric gets a new version, so old ratings still show the words
    that scored them. A file with problems changes nothing.
    """
    from coachkit.model.forks import preview_framework, use_framework

    _stop_on_problems(file, "Nothing was changed. ")
    framework = load_framework(file)
    if dry_run:
        store = open_for_reading(db)
        try:
            with store.read() as conn:
                change = preview_framework(conn, framework)
        finally:
            store.dispose()
        click.echo(
            f"Dry run: nothing was changed. Using {file} would make these changes "
            f"in {store.location}:"
        )
        _say(change.lines())
        return
    with removed_if_failed(db):
        store = open_store(db)
        try:
            with store.write() as conn:
                change = use_framework(conn, framework)
        finally:
            store.dispose()
    click.echo(f"{framework.name} is now the framework in {store.location}.")
    _say(change.lines())


def _say(lines: list[str]) -> None:
    for line in lines or ["no changes: the store already has this framework"]:
        click.echo(f"- {line}")


def _stop_on_problems(file: Path, then: str = "") -> None:
    """Print every problem in ``file`` and exit 1; return when there are none."""
    problems = framework_problems(file)
    if not problems:
        return
    them = "it" if len(problems) == 1 else "them"
    click.echo(
        f"{file}: {_counted(len(problems), 'problem')}. {then}Fix {them} and run "
        "this again:",
        err=True,
    )
    for p in problems:
        other = "" if Path(p.path) == _framework_file(file) else f"{p.path}: "
        click.echo(f"  {other}{p.field}: {p.problem}", err=True)
    sys.exit(1)


def _framework_file(file: Path) -> Path:
    return file / "framework.yaml" if file.is_dir() else file


def _counted(n: int, noun: str) -> str:
    """``1 problem``, ``2 problems``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = [templates]
