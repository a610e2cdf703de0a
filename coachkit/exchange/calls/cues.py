"""What the readers share: a cue as read, the one-line errors, and cues to turns.

Every reader turns its file into :class:`Cue` values (the cue's time, its speaker
when the format says it, its text, and where it is in the file) and hands them to
:func:`turns_from_cues`, which applies the same rules to every format: a cue with no
words is dropped, a file whose cues are all empty is refused, a cue that ends before
it starts is refused, and the turns are sorted by start (Teams writes cues out of
order).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from coachkit.errors import ValidationError
from coachkit.model.calls.transcript import Turn

#: The speaker of a cue that names nobody, in a file where other cues do.
UNKNOWN_SPEAKER = "Unknown speaker"
#: "Name: text", as Zoom and Otter's SRT write a cue: a name of at most 60
#: characters and 6 words, with no sentence marks in it, then a colon and a space.
_NAMED = re.compile(r"\s*([^\s:?!;\"<>][^:?!;\"<>\n]{0,59}?)[ \t]*:(?:\s+|$)")
_QUOTE_LIMIT = 40
_TIMING = re.compile(r"\s*(\S+)\s+-->\s+(\S+)")
#: Line breaks as the formats define them (not Unicode's other line separators).
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Cue:
    """One cue as a reader found it; ``where`` says where it is, for messages
    ("line 12 (cue 4)")."""

    where: str
    start: float
    end: float
    speaker: str | None
    text: str


def fail(file_name: str, where: str | None, problem: str) -> NoReturn:
    """Raise the one-line error: the file, where in it, and what is wrong."""
    field = f"{file_name} {where}" if where else file_name
    raise ValidationError(field, problem.replace("\r", " ").replace("\n", " "))


def quote(text: str) -> str:
    """``text`` on one line, cut to a few words, in quotes, for a message."""
    flat = " ".join(text.split())
    if len(flat) > _QUOTE_LIMIT:
        flat = flat[: _QUOTE_LIMIT - 1] + "…"
    return f"'{flat}'"


def split_name(text: str) -> tuple[str | None, str]:
    """Split "Name: text" into the name and the text; (None, text) when the cue
    names nobody."""
    match = _NAMED.match(text)
    if match is None or len(match.group(1).split()) > 6:
        return None, text
    return match.group(1), text[match.end() :]


def clean_text(text: str) -> str:
    """The words of a cue on one line, HTML entities ("&amp;") read."""
    return " ".join(html.unescape(text).split())


def turns_from_cues(cues: Iterable[Cue], file_name: str) -> tuple[Turn, ...]:
    """Check ``cues`` and make them the call's turns, sorted by start.

    Raises
    ------
    ValidationError
        A cue ends before it starts; there are no cues, or every cue is empty; or
        no cue names its speaker.
    """
    turns = []
    named = False
    seen = False
    for cue in cues:
        seen = True
        if cue.end < cue.start:
            fail(
                file_name,
                cue.where,
                f"the cue ends ({_clock(cue.end)}) before it starts "
                f"({_clock(cue.start)}).",
            )
        text = clean_text(cue.text)
        if not text:
            continue
        speaker = " ".join(html.unescape(cue.speaker).split()) if cue.speaker else ""
        named = named or bool(speaker)
        turns.append(Turn(speaker or UNKNOWN_SPEAKER, cue.start, cue.end, text))
    if not seen:
        fail(file_name, None, "the file has no cues (no times and text) in it.")
    if not turns:
        fail(
            file_name, None, "every cue in the file is empty; there is nothing to read."
        )
    if not named:
        fail(
            file_name,
            None,
            "no speaker names: coachkit needs a transcript that says who speaks "
            "('Name: text' in each cue, or Teams' <v Name> tags). Download the "
            "transcript with speaker names turned on.",
        )
    if any(a.start > b.start for a, b in zip(turns, turns[1:], strict=False)):
        turns.sort(key=lambda turn: (turn.start, turn.end))
    return tuple(turns)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    hours, rest = divmod(whole, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{millis:03d}"


def timing_lines(
    text: str, file_name: str, time: re.Pattern[str], example: str, skipped: int = 0
) -> list[int]:
    """The line number of each timing line ("... --> ...") of ``text``, which
    starts ``skipped`` lines into the file; refuses a time ``time`` does not match,
    naming the line and showing ``example``.
    """
    lines = []
    for index, line in enumerate(LINE_BREAK.split(text), start=1 + skipped):
        if "-->" not in line:
            continue
        match = _TIMING.match(line)
        if match is None:
            fail(
                file_name,
                f"line {index}",
                f"the cue's times {quote(line)} are not written like '{example}'.",
            )
        for value in match.groups():
            if not time.fullmatch(value):
                fail(
                    file_name,
                    f"line {index}",
                    f"{quote(value)} is not a time like '{example}' "
                    "(hours:minutes:seconds and milliseconds).",
                )
        lines.append(index)
    return lines
