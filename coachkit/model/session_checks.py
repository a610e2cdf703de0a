"""The three checks a coaching session is scored on, by the coach and by the rep.

After a session the coach, and the rep when they answer, score it from 1 to 5: was
it relevant, developmental and motivational? Each score is a column of ``sessions``
named after who gave it and the check, such as ``coach_relevant``.
"""

from __future__ import annotations

#: What a session is scored on, in the order the screens show them.
CHECKS = ("relevant", "developmental", "motivational")
#: Who scores a session: the coach, and the rep when they answer.
SCORERS = ("coach", "rep")
#: The score columns of ``sessions``: ``coach_relevant`` ... ``rep_motivational``.
SCORE_FIELDS = tuple(f"{who}_{check}" for who in SCORERS for check in CHECKS)
