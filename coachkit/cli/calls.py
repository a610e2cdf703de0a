"""``coachkit import calls`` and ``coachkit calls purge``: call transcripts in and out,
over :mod:`coachkit.exchange.calls` (reading files) and
:mod:`coachkit.model.calls.store` (saving them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.cli.options import coach_option, db_option
from coachkit.errors import CoachkitError, ValidationError
from coachkit.model.framework import prepare_store
from coachkit.store import schema as s
from coachkit.store.database import removed_if_failed

#: ``180d`` (days) or ``26w`` (weeks): how old a call must be to be purged.
_AGE = re.compile(r"\s*(\d{1,5})\s*([dw])\s*", re.IGNORECASE)
_SIDE_WORDS = "rep, buyer or other"


def parse_age(text: str) -> dt.timedelta:
    """``"180d"`` -> 180 days, ``"26w"`` -> 26 weeks (at least one day).

    Raises
    ------
    click.BadParameter
        Anything else, such as ``6m`` (months have no fixed length).
    """
    found = _AGE.fullmatch(text)
    if found is None or int(found[1]) < 1:
        raise click.BadParameter(
            f"'{text}' is not an age coachkit reads; write days or weeks, such as "
            "180d or 26w.",
            param_hint="--older-than",
        )
    n = int(found[1])
    return dt.timedelta(days=n) if found[2].lower() == "d" else dt.timedelta(weeks=n)


def parse_speakers(values: Sequence[str]) -> dict[str, str]:
    """``["Dana Ruiz=buyer"]`` -> ``{"Dana Ruiz": "buyer"}``; one line when wrong."""
    sides: dict[str, str] = {}
    for value in values:
        name, eq, side = value.rpartition("=")
        side = side.strip().lower()
        if not eq or not name.strip() or side not in ("rep", "buyer", "other"):
            raise click.BadParameter(
                f"'{value}' is not NAME=SIDE; write it as \"Dana Ruiz=buyer\" "
                f"(the side is {_SIDE_WORDS}).",
                param_hint="--speaker",
            )
        sides[" ".join(name.split())] = side
    return sides


@click.command("calls")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--rep", required=True, help="The rep whose calls these are.")
@coach_option("The rep's coach, when two teams have a rep of that name.")
@click.option(
    "--speaker",
    "speakers",
    multiple=True,
    metavar='"NAME=SIDE"',
    help=f"Put a speaker on a side ({_SIDE_WORDS}); remembered for next time. "
    "Repeat for each new speaker.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day of the calls whose file does not say it (YYYY-MM-DD).",
)
@click.option(
    "--keep-contacts",
    is_flag=True,
    help="Keep e-mail addresses and phone numbers (they are taken out by default).",
)
@db_option
def import_calls(
    path: Path,
    rep: str,
    coach: str | None,
    speakers: tuple[str, ...],
    day: dt.datetime | None,
    keep_contacts: bool,
    db: str | None,
) -> None:
    """Import call transcripts for one rep: a file or a folder of them.

    Reads Zoom and Teams WebVTT, SRT, Otter TXT and Gong JSON. Every file is
    read and checked first; if one is wrong, it is named and nothing is saved.
    Importing a call again replaces it, never duplicates it.
    """
    from coachkit.exchange.calls import read_transcript_paths
    from coachkit.exchange.reports.lookup import find_rep
    from coachkit.model.calls.store import UnmappedSpeakers, save_calls

    sides = parse_speakers(speakers)
    held_on = day.date() if day is not None else None
    files = read_transcript_paths(path)
    if not files:
        raise CoachkitError(
            f"{path} holds no transcript files (.vtt, .srt, .txt or .json)."
        )
    with removed_if_failed(db):
        store = prepare_store(db)
        try:
            with store.write() as conn:
                rep_id, _ = find_rep(conn, rep, coach)
                coach_id = _coach_of(conn, rep_id)
                everything = [t for _, found in files for t in found]
                try:
                    saved = save_calls(
                        conn,
                        coach_id,
                        rep_id,
                        everything,
                        sides=sides,
                        held_on=held_on,
                        redact=not keep_contacts,
                    )
                except UnmappedSpeakers as exc:
                    raise CoachkitError(_unmapped(files, exc)) from None
                except ValidationError as exc:
                    raise CoachkitError(_named(files, exc)) from None
        finally:
            store.dispose()
    _report(files, saved, keep_contacts)


def _coach_of(conn: Connection, rep_id: int) -> int:
    query = sa.select(s.reps.c.coach_id).where(s.reps.c.id == rep_id)
    return int(conn.execute(query).scalar_one())


def _file_of(files: Sequence[tuple[str, Sequence[object]]], title: str) -> str:
    for name, found in files:
        if any(getattr(t, "title", None) == title for t in found):
            return name
    return title


def _unmapped(files: Sequence[tuple[str, Sequence[object]]], exc: object) -> str:
    names = list(getattr(exc, "names", ()))
    file = _file_of(files, str(getattr(exc, "title", "")))
    quoted = ", ".join(f'"{n}"' for n in names)
    which = "speaker" if len(names) == 1 else "speakers"
    example = names[0] if names else "Dana Ruiz"
    return (
        f"{file}: the {which} {quoted} {'has' if len(names) == 1 else 'have'} no "
        f'side yet; map each with --speaker "{example}=buyer" ({_SIDE_WORDS}). '
        "Nothing was imported."
    )


def _named(files: Sequence[tuple[str, Sequence[object]]], exc: ValidationError) -> str:
    file = _file_of(files, exc.field)
    problem = exc.problem
    if "give the day" in problem:
        problem = problem.replace("give the day", "give it with --date YYYY-MM-DD")
    where = file if file != exc.field else exc.field
    return f"{where}: {problem}. Nothing was imported."


def _report(
    files: Sequence[tuple[str, Sequence[object]]],
    saved: Sequence[object],
    keep_contacts: bool,
) -> None:
    at = 0
    created = updated = 0
    for name, found in files:
        for _ in found:
            call = saved[at]
            at += 1
            new = bool(getattr(call, "created", False))
            created += new
            updated += not new
            when = getattr(call, "held_on", "")
            click.echo(
                f"{name}: {'created' if new else 'updated'} "
                f'"{getattr(call, "title", "")}" ({when})'
            )
    privacy = (
        "e-mail addresses and phone numbers kept"
        if keep_contacts
        else "e-mail addresses and phone numbers taken out"
    )
    click.echo(
        f"Imported {len(saved)} call{'' if len(saved) == 1 else 's'} from "
        f"{len(files)} file{'' if len(files) == 1 else 's'}: {created} new, "
        f"{updated} updated; {privacy}."
    )


@click.group("calls")
def calls_group() -> None:
    """Recorded calls: keep only what you need."""


@calls_group.command("purge")
@click.option(
    "--older-than",
    "age",
    required=True,
    metavar="AGE",
    help="Delete calls held longer ago than this: days or weeks, such as 180d or 26w.",
)
@db_option
def purge(age: str, db: str | None) -> None:
    """Delete old calls with what was said and their tracker hits, in every team.

    The weekly call numbers of those weeks are worked out again; remembered
    speakers stay.
    """
    from coachkit.model.calls.store import purge_calls
    from coachkit.store.database import open_existing

    span = parse_age(age)
    before = dt.date.today() - span
    store = open_existing(db)
    try:
        n = purge_calls(store, before)
    finally:
        store.dispose()
    click.echo(
        f"Deleted {n} call{'' if n == 1 else 's'} held before {before.isoformat()}."
    )


#: The commands this module adds to ``coachkit`` (``import calls`` joins ``import``).
COMMANDS: list[click.Command] = [calls_group]
