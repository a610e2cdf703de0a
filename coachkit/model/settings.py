"""A coach's own settings that must survive a reload: saved as JSON, one per key.

Ranking weights are the first; any small choice a coach expects a page to remember
(and a lead to keep per coach, not per store) goes here. A setting never seen, or
one that no longer reads as JSON, is simply absent: the caller's default applies.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.store import access
from coachkit.store import schema as s

#: Keys are short names chosen in code, never typed by a user.
MAX_KEY = 40
#: A setting is a handful of numbers or words; anything bigger is a mistake.
MAX_VALUE = 4000


@access.checks("coach_id")
def load_setting(conn: Connection, coach_id: int, key: str) -> Any | None:
    """The coach's saved value for ``key``, or None when there is none."""
    t = s.coach_settings
    raw = conn.execute(
        sa.select(t.c.value).where(t.c.coach_id == int(coach_id), t.c.key == key)
    ).scalar()
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


@access.checks("coach_id")
def save_setting(conn: Connection, coach_id: int, key: str, value: Any) -> None:
    """Save ``value`` (anything JSON can hold) as the coach's ``key``."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"a setting's key has 1 to {MAX_KEY} characters: {key!r}")
    try:
        raw = json.dumps(value, allow_nan=False, sort_keys=True)
    except ValueError as exc:
        raise ValidationError("Setting", "only finite numbers can be saved") from exc
    if len(raw) > MAX_VALUE:
        raise ValidationError("Setting", "this setting is too big to save")
    t = s.coach_settings
    where = (t.c.coach_id == int(coach_id), t.c.key == key)
    done = conn.execute(
        t.update().where(*where).values(value=raw, updated_at=sa.func.now())
    )
    if done.rowcount == 0:
        conn.execute(t.insert().values(coach_id=int(coach_id), key=key, value=raw))


@access.checks("coach_id")
def forget_setting(conn: Connection, coach_id: int, key: str) -> None:
    """Remove the coach's ``key``, so the default applies again (a "reset")."""
    t = s.coach_settings
    conn.execute(t.delete().where(t.c.coach_id == int(coach_id), t.c.key == key))
