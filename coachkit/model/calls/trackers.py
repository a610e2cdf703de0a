"""Tracker phrases: where a call says what a behaviour of the framework listens for.

A tracker is a phrase the framework lists under a behaviour ("next step", "by
when"). A phrase is found in a turn when its words appear there in the same order,
as whole words:

- case does not count ("Next Step" finds "next step");
- punctuation does not count: it reads as a space, so "by when" finds "By... when?"
  and "follow-up" finds "follow up";
- whole words only: "next step" does not find "next steps" or "next stepping".
  List "next steps" too when you want both (a rule a person can predict beats a
  guess at word endings);
- a phrase is looked for inside one turn, never across two.

Each hit carries the sentence around it (at most :data:`SNIPPET_CHARS` characters)
and the time its turn starts. The coach confirms or dismisses each hit; nothing is
scored automatically.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from coachkit.model.calls.transcript import Turn

#: The longest snippet shown with a hit, in characters (an ellipsis included).
SNIPPET_CHARS = 200
_NOT_WORD = re.compile(r"[\W_]")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")


@dataclass(frozen=True)
class TrackerHit:
    """One place a tracker phrase was said.

    ``turn_index`` is the turn's position in the sequence given to
    :func:`find_tracker_hits`; ``at_s`` is the time that turn starts, in seconds.
    """

    behaviour_key: str
    phrase: str
    turn_index: int
    at_s: float
    speaker: str
    snippet: str


def find_tracker_hits(
    turns: Sequence[Turn], trackers: Mapping[str, Sequence[str]]
) -> list[TrackerHit]:
    """Find every tracker phrase said in ``turns``.

    Parameters
    ----------
    turns
        The call's turns.
    trackers
        Each behaviour's key → the phrases that are evidence of it.

    Returns
    -------
    list of TrackerHit
        In order of time (the turn, then the place in it), then behaviour; a phrase
        said twice in a turn gives two hits. A phrase with no letters or digits
        finds nothing.
    """
    # One normalised text for the whole call, a turn a line, so each phrase is
    # looked for once per call; a phrase's words are joined by spaces only, so a
    # match never runs across the newline between two turns.
    texts = [_normalise(turn.text) for turn in turns]
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    whole = "\n".join(texts)
    hits = []
    for key, phrases in trackers.items():
        for phrase in dict.fromkeys(phrases):
            pattern = _pattern(phrase)
            if pattern is None:
                continue
            for match in _whole_words(pattern, whole):
                index = bisect_right(starts, match.start()) - 1
                turn = turns[index]
                begin = match.start() - starts[index]
                end = match.end() - starts[index]
                hits.append(
                    (
                        (turn.start, index, begin, key, phrase),
                        TrackerHit(
                            key,
                            phrase,
                            index,
                            turn.start,
                            turn.speaker,
                            snippet(turn.text, begin, end),
                        ),
                    )
                )
    hits.sort(key=lambda pair: pair[0])
    return [hit for _, hit in hits]


def _normalise(text: str) -> str:
    """``text`` in lower case with every character that is not a letter or a digit
    made a space, keeping each character's position (so offsets stay true)."""
    low = text.lower()
    if len(low) != len(text):  # a rare letter that lowers to two ("İ")
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return _NOT_WORD.sub(" ", low)


def _pattern(phrase: str) -> re.Pattern[str] | None:
    """The phrase's words with spaces between, ending at the end of a word. It
    starts with the first word's letters, so the search runs at the speed of a
    plain text search; :func:`_whole_words` checks where a match starts."""
    words = _normalise(phrase).split()
    if not words:
        return None
    return re.compile(" +".join(map(re.escape, words)) + r"(?![^\W_])")


def _whole_words(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` in the normalised ``text`` that start a word."""
    at = 0
    while (match := pattern.search(text, at)) is not None:
        start = match.start()
        if start and text[start - 1] not in " \n":
            at = start + 1  # inside a word: look again just after its start
            continue
        yield match
        at = match.end()


def snippet(text: str, begin: int, end: int) -> str:
    """The sentence of ``text`` around ``text[begin:end]``, its spaces tidied, at
    most :data:`SNIPPET_CHARS` characters; a longer one is cut around the hit with
    "…" where it was cut.
    """
    start = 0
    for mark in _SENTENCE_END.finditer(text, 0, begin):
        start = mark.end()
    after = _SENTENCE_END.search(text, end)
    stop = after.start() + len(after.group().rstrip()) if after else len(text)
    sentence = " ".join(text[start:stop].split())
    if len(sentence) <= SNIPPET_CHARS:
        return sentence
    room = SNIPPET_CHARS - 2  # an ellipsis each side
    left = max(start, min(begin - (room - (end - begin)) // 2, stop - room))
    right = min(stop, left + room)
    window = " ".join(text[left:right].split())
    return ("…" if left > start else "") + window + ("…" if right < stop else "")
