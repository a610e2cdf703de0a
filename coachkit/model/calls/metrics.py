"""The standard call metrics, computed from the turns of one call.

Every number is worked out from the transcript's times and words alone, so a coach
can check it by hand (docs/calls.md says the same in plain words):

- **talk time** of a side is the time at least one of its speakers is talking: the
  union of its turns, so two buyers talking at once count once. The rep and the
  buyer may overlap each other; then both are talking, and both are counted.
- **talk share** = rep talk time / (rep talk time + buyer talk time); "other"
  speakers (a coach listening in) count on neither side. Gong Labs' 43:57
  (:data:`TALK_SHARE_REFERENCE`) is the reference line.
- **longest monologue** (rep) and **longest story** (buyer): the longest stretch,
  from the start of a turn to the end of a later one, in which only that side
  speaks, except for turns of anyone else shorter than :data:`MIN_INTERRUPTION_S`
  (a cough, "mm-hm", "right"), which do not end it. Silence does not end it either.
- **switches per minute**: how often the speaker changes from one turn to the next
  (turns in order of start), per minute of the call.
- **words per minute** (rep): the rep's words / the rep's talk time in minutes.
- **questions** (rep, approximate): the question marks in the rep's turns ("??"
  counts once); it depends on the transcriber's punctuation.
- **patience** (approximate): the mean pause between the end of a buyer's stretch
  of speech (at least :data:`MIN_INTERRUPTION_S` long, so an "mm-hm" is not one) and
  the start of the rep's next turn; a rep who starts before the buyer has finished
  waited 0 seconds.

The call's duration runs from the first turn's start to the last turn's end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from coachkit.errors import ValidationError
from coachkit.model.calls.transcript import SIDES, Turn

#: A turn of someone else shorter than this many seconds does not end a monologue
#: or a story, and a buyer's stretch shorter than this is not waited for in
#: patience. Transcribers pad the times of a one-word cue ("Mm-hm.", "Right.") to
#: one or two seconds, so 3 seconds leaves room for a short reply without letting a
#: real sentence ("Sorry, can I stop you there?") pass.
MIN_INTERRUPTION_S = 3.0
#: Gong Labs' finding across won deals: the rep talks 43% of the time, the buyer
#: 57% (the "43:57" talk-to-listen ratio). Drawn as the reference line.
TALK_SHARE_REFERENCE = 0.43
#: A word: letters or digits, with inner apostrophes ("don't" is one word).
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_QUESTION = re.compile(r"[?？]+")

#: One plain sentence per field of :class:`CallMetrics`, shown under the numbers.
METRIC_NOTES: dict[str, str] = {
    "duration_s": "From the first word to the last, as the transcript times them.",
    "rep_talk_s": "The time the rep is talking, from the transcript's times.",
    "buyer_talk_s": (
        "The time at least one buyer is talking; two buyers at once count once."
    ),
    "talk_share": (
        "Rep talk time divided by rep plus buyer talk time; others on the call "
        "count on neither side. Gong Labs' reference is 43% (43:57)."
    ),
    "longest_monologue_s": (
        "The rep's longest stretch of talk; a reply from someone else shorter "
        f"than {MIN_INTERRUPTION_S:g} seconds (like 'mm-hm') does not end it."
    ),
    "longest_story_s": (
        "The longest stretch the buyer's people talk; a reply from someone else "
        f"shorter than {MIN_INTERRUPTION_S:g} seconds does not end it."
    ),
    "switches_per_min": ("How many times the speaker changes, per minute of the call."),
    "rep_words_per_min": "The rep's words divided by the rep's minutes of talk.",
    "rep_questions": (
        "Approximate: the question marks in what the rep said, so it depends on "
        "how the transcriber punctuates."
    ),
    "patience_s": (
        "Approximate: the average pause, in seconds, before the rep speaks after "
        f"the buyer has spoken for at least {MIN_INTERRUPTION_S:g} seconds; "
        "starting before the buyer finished counts as 0."
    ),
}


@dataclass(frozen=True)
class CallMetrics:
    """The numbers of one call; each field is described in :data:`METRIC_NOTES`.

    Times are in seconds. A number that cannot be worked out (no buyer speech for
    the talk share, no rep speech for words per minute) is None.
    """

    duration_s: float
    rep_talk_s: float
    buyer_talk_s: float
    talk_share: float | None
    longest_monologue_s: float
    longest_story_s: float
    switches_per_min: float | None
    rep_words_per_min: float | None
    rep_questions: int
    patience_s: float | None


def call_metrics(turns: Sequence[Turn], sides: Mapping[str, str]) -> CallMetrics:
    """Work out the call metrics of ``turns``.

    Parameters
    ----------
    turns
        The call's turns (in any order; they are taken in order of start).
    sides
        Each speaker's name as the file writes it → "rep", "buyer" or "other".

    Returns
    -------
    CallMetrics

    Raises
    ------
    ValidationError
        A speaker has no side, or a side that is not one of :data:`SIDES`.
    """
    ordered = sorted(turns, key=lambda turn: (turn.start, turn.end))
    side_of = _sides(ordered, sides)
    if not ordered:
        return CallMetrics(0.0, 0.0, 0.0, None, 0.0, 0.0, None, None, 0, None)
    duration = max(turn.end for turn in ordered) - ordered[0].start
    rep = [turn for turn, side in zip(ordered, side_of, strict=True) if side == "rep"]
    buyer = [
        turn for turn, side in zip(ordered, side_of, strict=True) if side == "buyer"
    ]
    rep_talk, buyer_talk = _talk_time(rep), _talk_time(buyer)
    spoken = rep_talk + buyer_talk
    switches = sum(
        1
        for before, after in zip(ordered, ordered[1:], strict=False)
        if before.speaker != after.speaker
    )
    words = sum(len(_WORD.findall(turn.text)) for turn in rep)
    return CallMetrics(
        duration_s=duration,
        rep_talk_s=rep_talk,
        buyer_talk_s=buyer_talk,
        talk_share=rep_talk / spoken if spoken > 0 else None,
        longest_monologue_s=_longest_stretch(ordered, side_of, "rep"),
        longest_story_s=_longest_stretch(ordered, side_of, "buyer"),
        switches_per_min=switches / (duration / 60) if duration > 0 else None,
        rep_words_per_min=words / (rep_talk / 60) if rep_talk > 0 else None,
        rep_questions=sum(len(_QUESTION.findall(turn.text)) for turn in rep),
        patience_s=_patience(ordered, side_of),
    )


def _sides(turns: Iterable[Turn], sides: Mapping[str, str]) -> list[str]:
    """The side of each turn's speaker; refuses a speaker with no known side."""
    found = []
    for turn in turns:
        side = sides.get(turn.speaker)
        if side is None:
            raise ValidationError(
                "speakers", f"{turn.speaker!r} has no side (rep, buyer or other)."
            )
        if side not in SIDES:
            raise ValidationError(
                "speakers",
                f"{turn.speaker!r} is on side {side!r}; use rep, buyer or other.",
            )
        found.append(side)
    return found


def _talk_time(turns: Sequence[Turn]) -> float:
    """The length of the union of ``turns`` (sorted by start)."""
    total, end = 0.0, None
    for turn in turns:
        if end is None or turn.start > end:
            total += turn.end - turn.start
            end = turn.end
        elif turn.end > end:
            total += turn.end - end
            end = turn.end
    return total


def _longest_stretch(turns: Sequence[Turn], side_of: Sequence[str], side: str) -> float:
    """The longest span of ``side``'s turns not broken by someone else's turn of
    :data:`MIN_INTERRUPTION_S` or more."""
    best = 0.0
    start: float | None = None
    end = 0.0
    for turn, turn_side in zip(turns, side_of, strict=True):
        if turn_side == side:
            if start is None:
                start, end = turn.start, turn.end
            end = max(end, turn.end)
            best = max(best, end - start)
        elif turn.end - turn.start >= MIN_INTERRUPTION_S:
            start = None
    return best


def _patience(turns: Sequence[Turn], side_of: Sequence[str]) -> float | None:
    """The mean pause before the rep's first turn after each buyer stretch of at
    least :data:`MIN_INTERRUPTION_S` (consecutive buyer turns make one stretch)."""
    pauses = []
    stretch: tuple[float, float] | None = None  # the current buyer stretch
    previous = None
    for turn, side in zip(turns, side_of, strict=True):
        if side == "buyer":
            if previous == "buyer" and stretch is not None:
                stretch = (stretch[0], max(stretch[1], turn.end))
            else:
                stretch = (turn.start, turn.end)
        elif side == "rep":
            if (
                previous == "buyer"
                and stretch is not None
                and stretch[1] - stretch[0] >= MIN_INTERRUPTION_S
            ):
                pauses.append(max(0.0, turn.start - stretch[1]))
            stretch = None
        previous = side
    return sum(pauses) / len(pauses) if pauses else None
