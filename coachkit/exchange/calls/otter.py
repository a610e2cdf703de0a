"""Otter's text export (.txt): a header line per turn, then what was said.

A header is the speaker's name, two or more spaces (or a tab), and the time the turn
starts ("Dana Reyes  0:05", "Sam Okafor  1:02:10"); the lines below it, up to the
next header, are the turn's text. Otter writes no end times: a turn ends when the
next one starts, and the last lasts as long as its words take at
:data:`WORDS_PER_MINUTE`. So an Otter call has no pauses between turns (its
patience is always 0) and its talk times include them.
"""

from __future__ import annotations

import re

from coachkit.exchange.calls.cues import LINE_BREAK, Cue, fail, quote, turns_from_cues
from coachkit.model.calls.transcript import Turn

#: The speaking pace assumed for the last turn, whose end Otter does not write: an
#: ordinary conversational pace.
WORDS_PER_MINUTE = 150
#: How many lines may come before the first header for a file to be read as
#: Otter's when its name does not end in .txt.
LOOK_AHEAD = 20
_HEADER = re.compile(
    r"(?P<name>\S.*?)(?: {2,}|\t+)(?P<time>\d{1,2}:\d{1,2}(?::\d{1,2})?)\s*"
)
#: A header whose time is garbled ("Dana Reyes  0:5x", "Sam  1:02:"): a name, the
#: gap, and one word with a digit and a colon. Read as words, it would glue two
#: turns into one under the wrong speaker, so it is refused instead.
_GARBLED = re.compile(r"\S.*?(?: {2,}|\t+)(?P<time>(?=\S*\d)(?=\S*:)\S+)\s*")
#: The line a free Otter account adds at the end.
_FOOTER = re.compile(r"transcribed by https?://otter\.ai\S*", re.IGNORECASE)


def looks_like_otter(text: str) -> bool:
    """Whether a header line comes within the first lines of ``text``."""
    lines = LINE_BREAK.split(text.lstrip(), LOOK_AHEAD)[:LOOK_AHEAD]
    return any(_HEADER.fullmatch(line) for line in lines)


def read_otter(text: str, file_name: str) -> tuple[Turn, ...]:
    """The turns of an Otter text export."""
    heads: list[tuple[int, str, float]] = []  # (line, speaker, start)
    bodies: list[list[str]] = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        header = _HEADER.fullmatch(line)
        if header is not None:
            heads.append(
                (number, header["name"], _seconds(header["time"], file_name, number))
            )
            bodies.append([])
        elif line.strip() and not _FOOTER.fullmatch(line.strip()):
            garbled = _GARBLED.fullmatch(line)
            if garbled is not None:
                fail(
                    file_name,
                    f"line {number}",
                    f"{quote(line)} looks like a speaker line, but "
                    f"{quote(garbled['time'])} is not a time like '4:05' or "
                    "'1:04:05'.",
                )
            if not heads:
                fail(
                    file_name,
                    f"line {number}",
                    f"{quote(line)} comes before the first speaker line; Otter's "
                    "text starts with a line like 'Dana Reyes  0:00'.",
                )
            bodies[-1].append(line)
    if not heads:
        fail(
            file_name,
            None,
            "no speaker lines like 'Dana Reyes  0:05' (a name, two spaces, the "
            "time); export the transcript from Otter as text with speaker names "
            "and timestamps.",
        )
    cues = []
    for i, ((number, speaker, start), body) in enumerate(
        zip(heads, bodies, strict=True)
    ):
        words = " ".join(body)
        if i + 1 < len(heads):
            end = heads[i + 1][2]
            if end < start:
                fail(
                    file_name,
                    f"line {heads[i + 1][0]}",
                    f"the turn starts ({_clock(end)}) before the turn above it "
                    f"({_clock(start)}); Otter's turns are in order of time.",
                )
        else:
            end = start + len(words.split()) * 60 / WORDS_PER_MINUTE
        cues.append(Cue(f"line {number}", start, end, speaker, words))
    return turns_from_cues(cues, file_name)


def _seconds(value: str, file_name: str, number: int) -> float:
    parts = value.split(":")
    if any(int(part) > 59 for part in parts[1:]):
        fail(
            file_name,
            f"line {number}",
            f"{quote(value)} is not a time like '4:05' or '1:04:05' "
            "(minutes and seconds go up to 59).",
        )
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return float(seconds)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"
