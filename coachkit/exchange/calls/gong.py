"""Gong's transcript JSON: one file may hold several calls.

The shape Gong's API returns for transcripts::

    {"callTranscripts": [{"callId": "7782...", "transcript": [
        {"speakerId": "6432...", "topic": "Pricing",
         "sentences": [{"start": 460230, "end": 462343, "text": "..."}]}]}]}

Times are milliseconds from the start of the call; each sentence becomes a turn.
Gong names speakers by number only, so a speaker is "Speaker <id>" unless the file
also carries a list of names, ``"parties": [{"speakerId": ..., "name": ...}]`` (at
the top, or in a call of ``"calls"``). The day and title come from
``"calls": [{"id": ..., "started": "2026-12-01T15:00:00Z", "title": ...}]`` when
it is there (Gong's call data, also as ``"metaData"`` inside each call).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from coachkit.exchange.calls.cues import Cue, fail, turns_from_cues
from coachkit.model.calls.transcript import Transcript

_SHAPE = (
    "expected Gong's transcript JSON: "
    '{"callTranscripts": [{"callId": ..., "transcript": [{"speakerId": ..., '
    '"sentences": [{"start": ..., "end": ..., "text": ...}]}]}]}.'
)


def read_gong(text: str, file_name: str) -> list[Transcript]:
    """The calls of a Gong transcript JSON file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(
            file_name, f"line {exc.lineno}", f"the file is not valid JSON ({exc.msg})."
        )
    except RecursionError:
        fail(file_name, None, "the JSON is nested too deeply to be Gong's export.")
    if not isinstance(data, dict) or not isinstance(data.get("callTranscripts"), list):
        fail(file_name, None, _SHAPE)
    calls = _calls(data.get("calls"))
    names = _names(data.get("parties"))
    found = []
    for i, call in enumerate(data["callTranscripts"]):
        where = f"callTranscripts[{i}]"
        call_name = f"{file_name} {where}"
        if not isinstance(call, dict) or not isinstance(call.get("transcript"), list):
            fail(call_name, None, _SHAPE)
        call_id = call.get("callId")
        if not isinstance(call_id, str | int) or not str(call_id).strip():
            fail(call_name, None, "the call has no callId.")
        call_id = str(call_id).strip()
        about = calls.get(call_id, {})
        speakers = {**names, **_names(about.get("parties"))}
        cues = []
        for j, part in enumerate(call["transcript"]):
            place = f"transcript[{j}]"
            if not isinstance(part, dict) or not isinstance(
                part.get("sentences"), list
            ):
                fail(call_name, place, _SHAPE)
            speaker_id = part.get("speakerId")
            if speaker_id is None or isinstance(speaker_id, dict | list | bool):
                fail(call_name, place, "the part has no speakerId.")
            speaker = speakers.get(str(speaker_id)) or f"Speaker {speaker_id}"
            for k, sentence in enumerate(part["sentences"]):
                where_k = f"{place}.sentences[{k}]"
                cues.append(_cue(sentence, speaker, where_k, call_name))
        turns = turns_from_cues(cues, call_name)
        found.append(
            Transcript(
                turns=turns,
                format="gong_json",
                held_on=_day(about.get("started"), call_name),
                source_key=call_id,
                title=_title(about.get("title"), call_id),
            )
        )
    if not found:
        fail(file_name, "callTranscripts", "the file holds no calls.")
    return found


def _cue(sentence: Any, speaker: str, place: str, file_name: str) -> Cue:
    if not isinstance(sentence, dict):
        fail(file_name, place, _SHAPE)
    times = []
    for key in ("start", "end"):
        value = sentence.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            fail(
                file_name,
                place,
                f"{key} is {json.dumps(value)}; expected milliseconds from the "
                "start of the call (a number, 0 or more).",
            )
        times.append(value / 1000)
    words = sentence.get("text")
    if words is not None and not isinstance(words, str):
        fail(file_name, place, "text is not a piece of text.")
    return Cue(place, times[0], times[1], speaker, words or "")


def _calls(value: Any) -> dict[str, Mapping[str, Any]]:
    """Gong's call data by call id (``calls[].id``, or ``calls[].metaData.id``)."""
    found: dict[str, Mapping[str, Any]] = {}
    if not isinstance(value, list):
        return found
    for call in value:
        if not isinstance(call, dict):
            continue
        meta: dict[str, Any] = call
        if isinstance(call.get("metaData"), dict):
            meta = call["metaData"]
        if meta.get("id") is not None:
            found[str(meta["id"])] = {**meta, "parties": call.get("parties")}
    return found


def _names(value: Any) -> dict[str, str]:
    """Speaker names by speakerId, from a ``parties`` list."""
    if not isinstance(value, list):
        return {}
    return {
        str(party["speakerId"]): " ".join(party["name"].split())
        for party in value
        if isinstance(party, dict)
        and party.get("speakerId") is not None
        and isinstance(party.get("name"), str)
        and party["name"].strip()
    }


def _day(value: Any, call_name: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        fail(
            call_name,
            "started",
            f"{json.dumps(value)} is not a date and time like 2026-12-01T15:00:00Z.",
        )


def _title(value: Any, call_id: str) -> str:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return f"Gong call {call_id}"
