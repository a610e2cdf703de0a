"""Reading call transcripts: Zoom and Teams WebVTT, SubRip, Otter text, Gong JSON.

:func:`read_transcripts` reads one file's bytes; :func:`read_transcript_paths` reads
a file or every transcript in a folder. Both only read: nothing is written, and
the store is never touched (``coachkit.model.calls.store`` saves what they return).
The format is told from the content first and the file name's extension second.
Every problem is one line (a :class:`~coachkit.errors.ValidationError`) naming the
file and the line, cue or field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from coachkit.errors import file_problem
from coachkit.exchange.calls.cues import fail
from coachkit.exchange.calls.decoding import MAX_BYTES, check_size, decode
from coachkit.model.calls.transcript import Transcript, Turn

__all__ = ["MAX_BYTES", "SUFFIXES", "read_transcript_paths", "read_transcripts"]

#: The file name endings read from a folder.
SUFFIXES = (".vtt", ".srt", ".txt", ".json")
_SRT_START = re.compile(r"\d+[ \t]*\r?\n[ \t]*\d+:\d+:\d+[,.]\d+[ \t]*-->")
# A day in the file name: 2026-12-01, 2026_12_01 or 20261201 (Zoom's
# "GMT20261201-143000_Recording.transcript.vtt").
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d\d)([-_]?)(\d\d)\2(\d\d)(?!\d)")
_UNKNOWN = (
    "coachkit could not tell what kind of transcript this is. It reads WebVTT "
    "(.vtt) from Zoom or Teams, SubRip (.srt) from Otter, Otter's text export "
    "(.txt) and Gong's transcript JSON (.json)."
)


def read_transcripts(data: bytes, file_name: str) -> list[Transcript]:
    """Read the calls in one transcript file.

    Parameters
    ----------
    data
        The file's bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with
        a byte-order mark, at most :data:`MAX_BYTES`.
    file_name
        The file's name, used in messages, to help tell the format, and (but for
        Gong, whose calls have ids) as the call's ``source_key`` and title.

    Returns
    -------
    list of Transcript
        One call, or for a Gong JSON file each call it holds.

    Raises
    ------
    ValidationError
        One line naming the file and where in it: too large, not UTF-8 text, empty,
        of no known format, a time that cannot be read, a cue that ends before it
        starts, every cue empty, or no speaker names.
    """
    name = Path(file_name).name or file_name
    text = decode(data, name)
    if not text.strip():
        fail(name, None, "the file is empty.")
    if text.lstrip().startswith("{") or name.lower().endswith(".json"):
        from coachkit.exchange.calls.gong import read_gong

        return read_gong(text, name)
    fmt, turns = _read_timed(text, name)
    return [
        Transcript(
            turns=turns,
            format=fmt,
            held_on=_day_in_name(name),
            source_key=opening_key(name, turns),
            title=Path(name).stem if Path(name).suffix else name,
        )
    ]


#: How many turns from the start of a call tell two calls of one file name apart.
OPENING_TURNS = 5


def opening_key(name: str, turns: Sequence[Turn]) -> str:
    """What makes a re-import the same call: the file name and the call's opening.

    Zoom and Teams name many files alike ("audio_transcript.vtt"): two different
    calls saved under one name must not replace each other, while the same file
    imported again must update its call. The first :data:`OPENING_TURNS` turns
    (who spoke, and what, without case or spacing) tell them apart.
    """
    opening = "\n".join(
        f"{turn.speaker}:{' '.join(turn.text.split())}".casefold()
        for turn in turns[:OPENING_TURNS]
    )
    digest = hashlib.sha256(opening.encode("utf-8")).hexdigest()[:12]
    return f"{name}#{digest}"


def read_transcript_paths(path: Path) -> list[tuple[str, list[Transcript]]]:
    """Read one transcript file, or every one in a folder.

    Parameters
    ----------
    path
        A file, or a folder whose files ending in .vtt, .srt, .txt or .json are
        read in order of name (folders inside it are not).

    Returns
    -------
    list of (str, list of Transcript)
        Each file's name and its calls. All files are read before anything is
        returned, so one bad file stops the whole folder.

    Raises
    ------
    CoachkitError
        The path cannot be read, or (a ValidationError) a file cannot be read as
        a transcript, or the folder holds none.
    """
    path = Path(path)
    try:
        if path.is_dir():
            files = sorted(
                (
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in SUFFIXES and p.is_file()
                ),
                key=lambda p: p.name,
            )
            if not files:
                fail(
                    str(path),
                    None,
                    "the folder holds no transcripts (files ending in "
                    + ", ".join(SUFFIXES)
                    + ").",
                )
        else:
            files = [path]
        found = []
        for file in files:
            check_size(file.stat().st_size, file.name)
            found.append((file.name, read_transcripts(file.read_bytes(), file.name)))
    except OSError as exc:
        raise file_problem(exc) from None
    return found


def _read_timed(text: str, name: str) -> tuple[str, tuple[Turn, ...]]:
    """The format and turns of a transcript that is not JSON."""
    suffix = Path(name).suffix.lower()
    head = text.lstrip()
    if head.startswith("WEBVTT") or suffix == ".vtt":
        from coachkit.exchange.calls.vtt import read_vtt

        return read_vtt(text, name)
    if _SRT_START.match(head) or suffix == ".srt":
        from coachkit.exchange.calls.subrip import read_srt

        return "srt", read_srt(text, name)
    from coachkit.exchange.calls.otter import looks_like_otter, read_otter

    if suffix == ".txt" or looks_like_otter(text):
        return "otter_txt", read_otter(text, name)
    fail(name, None, _UNKNOWN)


def _day_in_name(name: str) -> date | None:
    """The day a file name holds, such as Zoom's GMT20261201-143000; else None."""
    for match in _DAY_IN_NAME.finditer(name):
        try:
            return date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError:
            continue
    return None
