"""The options several ``coachkit`` commands share, each defined once.

``@db_option`` and ``@format_option`` decorate a command as they are;
``coach_option`` and ``out_option`` take the help text, which says what the option
means for that command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from coachkit.exchange.reports.page import FORMATS
from coachkit.store.database import ENV_VAR

F = TypeVar("F", bound=Callable[..., Any])

#: The help of ``--db``, the same on every command.
DB_HELP = (
    f"The store: a file path or a database URL. Default: ${ENV_VAR}, "
    "else coachkit.db in your data folder."
)


#: Where ``--db`` is kept for the whole command (``ctx.meta``), so an error that
#: reaches ``coachkit`` itself can still name the store.
DB_META = "coachkit.db"


def _remember_db(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    ctx.find_root().meta[DB_META] = value
    return value


def db_option(fn: F) -> F:
    """``--db``: the store to open; ``$COACHKIT_DB`` when not given."""
    return click.option(
        "--db", "db", envvar=ENV_VAR, help=DB_HELP, callback=_remember_db
    )(fn)


def coach_option(help: str) -> Callable[[F], F]:
    """``--coach``: a coach's name (what it picks is in ``help``)."""
    return click.option("--coach", help=help)


def format_option(fn: F) -> F:
    """``--format`` (passed as ``fmt``): html, the default, or markdown."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="html",
        show_default=True,
        help="html: one page to open or print. markdown: text plus chart pictures.",
    )(fn)


def out_option(
    help: str = "The folder to write the report into.",
) -> Callable[[F], F]:
    """``--out``: the folder to write into, the current one by default."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help=help,
    )


def force_option(
    help: str = "Replace a file of the same name even if coachkit did not make it.",
) -> Callable[[F], F]:
    """``--force``: replace what is in the way (what it replaces is in ``help``)."""
    return click.option("--force", is_flag=True, help=help)
