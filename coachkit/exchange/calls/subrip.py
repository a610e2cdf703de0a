"""SubRip (.srt) transcripts, as Otter exports them, read with the ``srt`` library.

Each cue is a number, a timing line ("00:00:01,000 --> 00:00:04,200") and the text,
which starts with the speaker ("Dana Reyes: Thanks for..."). The library reads a
cue with blank lines inside it as one cue, so a cue whose timing line it could not
read would end up inside the cue before it: any text holding "-->" is refused.
"""

from __future__ import annotations

import re

from coachkit.exchange.calls.cues import (
    LINE_BREAK,
    Cue,
    fail,
    quote,
    split_name,
    timing_lines,
    turns_from_cues,
)
from coachkit.model.calls.transcript import Turn

#: An SRT time: hours:minutes:seconds,milliseconds (a dot is read too).
_TIME = re.compile(r"\d+:[0-5]?\d:[0-5]?\d[,.]\d{1,3}")
_EXAMPLE = "00:01:02,500 --> 00:01:05,000"
_EXPECTED = (
    "expected a cue: a number, then times like '00:01:02,500 --> 00:01:05,000', "
    "then the text."
)


def read_srt(text: str, file_name: str) -> tuple[Turn, ...]:
    """The turns of an SRT file."""
    import srt

    timings = timing_lines(text, file_name, _TIME, _EXAMPLE)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        at = (
            exc.expected_start
            + len(exc.unmatched_content)
            - len(exc.unmatched_content.lstrip())
        )
        line = len(LINE_BREAK.findall(text, 0, at)) + 1
        fail(file_name, f"line {line}", f"{quote(exc.unmatched_content)}: {_EXPECTED}")
    except ValueError as exc:  # a time srt matched but could not read
        fail(file_name, None, f"a cue's time could not be read ({exc}).")
    cues = []
    for i, subtitle in enumerate(subtitles):
        where = f"cue {subtitle.index}"
        if len(timings) == len(subtitles):
            where = f"line {timings[i]} ({where})"
        if "-->" in subtitle.content:
            fail(file_name, where, f"the cue's text holds '-->'. {_EXPECTED}")
        speaker, words = split_name(subtitle.content)
        cues.append(
            Cue(
                where,
                subtitle.start.total_seconds(),
                subtitle.end.total_seconds(),
                speaker,
                words,
            )
        )
    return turns_from_cues(cues, file_name)
