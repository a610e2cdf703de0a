"""WebVTT transcripts from Zoom and Microsoft Teams, read with webvtt-py.

Zoom writes the speaker at the start of each cue ("Dana Reyes: Thanks for..."); Teams
writes a voice tag (``<v Dana Reyes>Thanks for...</v>``), a GUID as each cue's id,
and may write cues out of order. A file with voice tags is Teams', else Zoom's.

webvtt-py skips a cue whose time it cannot read, so every timing line is checked
first: a bad one is refused with its line number, never silently dropped.
"""

from __future__ import annotations

import io
import re

from coachkit.exchange.calls.cues import (
    LINE_BREAK,
    Cue,
    fail,
    split_name,
    timing_lines,
    turns_from_cues,
)
from coachkit.model.calls.transcript import Turn

#: A WebVTT time: [hours:]minutes:seconds.milliseconds.
_TIME = re.compile(r"(?:\d+:)?[0-5]?\d:[0-5]?\d\.\d{1,3}")
_EXAMPLE = "00:01:02.500 --> 00:01:05.000"


def read_vtt(text: str, file_name: str) -> tuple[str, tuple[Turn, ...]]:
    """The format ("zoom_vtt" or "teams_vtt") and the turns of a WebVTT file."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    body = text.lstrip()  # blank lines before "WEBVTT" are harmless
    skipped = len(LINE_BREAK.findall(text, 0, len(text) - len(body)))
    timings = timing_lines(body, file_name, _TIME, _EXAMPLE, skipped)
    try:
        captions = webvtt.from_buffer(io.StringIO(body)).captions
    except MalformedFileError:
        fail(file_name, "line 1", "a WebVTT file starts with the line 'WEBVTT'.")
    except MalformedCaptionError as exc:  # checked above; kept for safety
        fail(file_name, None, f"a cue's time could not be read ({exc}).")
    if len(captions) == len(timings):
        places = [
            f"line {line} (cue {caption.identifier})"
            if caption.identifier
            else f"line {line}"
            for line, caption in zip(timings, captions, strict=True)
        ]
    else:
        places = [f"cue {i}" for i in range(1, len(captions) + 1)]
    voiced = any(
        caption.lines and caption.lines[0].startswith("<v") for caption in captions
    )
    cues = []
    for place, caption in zip(places, captions, strict=True):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        speaker, words = (caption.voice, caption.text) if voiced else (None, "")
        if speaker is None:  # Zoom's "Name: text", also in a Teams file
            speaker, words = split_name(caption.text)
        cues.append(Cue(place, start, end, speaker, words))
    return ("teams_vtt" if voiced else "zoom_vtt"), turns_from_cues(cues, file_name)
