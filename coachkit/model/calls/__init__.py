"""Sales calls as evidence: transcripts, their metrics, tracker phrases, redaction.

Pure functions over frozen dataclasses: nothing here opens the store or shows a
widget. ``transcript.py`` holds the data (:class:`Turn`, :class:`Transcript`),
``metrics.py`` the call metrics with how each is computed, ``trackers.py`` finds the
framework's tracker phrases in a call, and ``redact.py`` hides e-mail addresses and
phone numbers. Reading the files is ``coachkit.exchange.calls``; docs/calls.md
explains every number in plain words.
"""

from __future__ import annotations

from coachkit.model.calls.metrics import METRIC_NOTES, CallMetrics, call_metrics
from coachkit.model.calls.redact import redact
from coachkit.model.calls.trackers import TrackerHit, find_tracker_hits
from coachkit.model.calls.transcript import SIDES, Transcript, Turn

__all__ = [
    "METRIC_NOTES",
    "SIDES",
    "CallMetrics",
    "TrackerHit",
    "Transcript",
    "Turn",
    "call_metrics",
    "find_tracker_hits",
    "redact",
]
