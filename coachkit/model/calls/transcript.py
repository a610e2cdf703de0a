"""A call as the transcript file wrote it: who spoke, when, and what they said.

A :class:`Turn` is one cue or sentence of the file; a :class:`Transcript` is one
call, its turns sorted by start time. Both are built by the readers in
``coachkit.exchange.calls`` and never hold anything from the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The side a speaker is on. "other" is someone on the seller's side who is not the
#: rep (a coach listening in, a sales engineer): counted in neither side of the talk
#: share.
SIDES = ("rep", "buyer", "other")
#: The formats the readers know, as :attr:`Transcript.format` names them.
FORMATS = ("zoom_vtt", "teams_vtt", "srt", "otter_txt", "gong_json")


@dataclass(frozen=True)
class Turn:
    """One stretch of speech by one speaker.

    ``speaker`` is the name as the file writes it (spaces around it dropped);
    ``start`` and ``end`` are seconds from the start of the call, ``end >= start``.
    """

    speaker: str
    start: float
    end: float
    text: str

    def __post_init__(self) -> None:
        if not self.end >= self.start >= 0:
            raise ValueError(
                f"a turn of {self.speaker!r} ends ({self.end}) before it starts "
                f"({self.start}), or starts before 0"
            )

    @property
    def duration(self) -> float:
        """How long the turn lasts, in seconds."""
        return self.end - self.start


@dataclass(frozen=True)
class Transcript:
    """One call: its turns sorted by start, and what the file says about it.

    ``held_on`` is the call's day when the file says it (else None);
    ``source_key`` is what makes a re-import the same call (Gong's callId, else the
    file name); ``title`` is for the screen (Gong's title, else the file name without
    its extension).
    """

    turns: tuple[Turn, ...]
    format: str
    held_on: date | None
    source_key: str
    title: str

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown transcript format {self.format!r}")

    def speakers(self) -> list[str]:
        """The distinct speakers, in the order they first speak."""
        return list(dict.fromkeys(turn.speaker for turn in self.turns))

    @property
    def duration(self) -> float:
        """Seconds from the first turn's start to the last turn's end (0 if none)."""
        if not self.turns:
            return 0.0
        return max(turn.end for turn in self.turns) - self.turns[0].start
