"""What a workshop keeps about its seats besides the seats table, in ``meta`` rows.

Each fact is a row of its own, so two people saving at once never overwrite each
other's (``name:coach_id`` keys):

- ``workshop_reset:<coach>``: a stamp that changes each time the trainer puts that
  seat's team back. A page remembers the stamp it was opened with; when the stamp
  changes, the page stops saving and asks for a reload
  (:mod:`coachkit.apps.workshop_watch`).
- ``workshop_slot:<coach>``: which block of row ids the seat's team uses (seat
  ``k`` counting from 0 uses block ``k``; a seat added later may use a higher
  block, past rows participants added).
- ``workshop_browser:<coach>``: a hash of the browser that claimed the seat, so the
  same browser can get back in by typing the same name.
- ``workshop_room``: the server's key and the trainer's key (JSON).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.store import access
from coachkit.store import schema as s

RESET = "workshop_reset:"
SLOT = "workshop_slot:"
BROWSER = "workshop_browser:"
ROOM = "workshop_room"


def _get(conn: Connection, key: str) -> str | None:
    value = conn.execute(sa.select(s.meta.c.value).where(s.meta.c.key == key)).scalar()
    return None if value is None else str(value)


def _put(conn: Connection, key: str, value: str) -> None:
    conn.execute(s.meta.delete().where(s.meta.c.key == key))
    conn.execute(s.meta.insert(), {"key": key, "value": value})


def _forget(conn: Connection, key: str) -> None:
    conn.execute(s.meta.delete().where(s.meta.c.key == key))


@access.checks("coach_id")
def reset_stamp(conn: Connection, coach_id: int) -> str:
    """The stamp of the last time this seat's team was put back ("" for never)."""
    return _get(conn, f"{RESET}{int(coach_id)}") or ""


@access.lead_only
def mark_reset(conn: Connection, coach_ids: list[int]) -> None:
    """Give each of these seats a new reset stamp: their open pages stop saving."""
    for coach in coach_ids:
        _put(conn, f"{RESET}{coach}", secrets.token_hex(8))


@access.lead_only
def slots(conn: Connection, coach_ids: list[int]) -> list[int]:
    """The id block of each seat, in order (a seat's place, unless it was added)."""
    return [
        int(_get(conn, f"{SLOT}{coach}") or place)
        for place, coach in enumerate(coach_ids)
    ]


@access.lead_only
def set_slot(conn: Connection, seat_coach: int, slot: int) -> None:
    """Remember the id block of a seat added after the start."""
    _put(conn, f"{SLOT}{seat_coach}", str(slot))


def browser_hash(browser: str) -> str:
    """What is kept of a browser's own random mark: a hash, never the mark."""
    return hashlib.sha256(browser.encode("utf-8")).hexdigest()[:32] if browser else ""


@access.lead_only
def mark_browser(conn: Connection, seat_coach: int, browser: str) -> None:
    """Remember which browser claimed a seat ("" forgets it)."""
    if browser:
        _put(conn, f"{BROWSER}{seat_coach}", browser_hash(browser))
    else:
        _forget(conn, f"{BROWSER}{seat_coach}")


@access.lead_only
def claimed_from(conn: Connection, seat_coach: int, browser: str) -> bool:
    """Whether ``browser`` is the one that claimed this seat."""
    kept = _get(conn, f"{BROWSER}{seat_coach}")
    return bool(browser) and kept == browser_hash(browser)


@dataclass(frozen=True)
class Room:
    """Where the workshop is served and its keys, as ``workshop serve`` kept them.

    ``server`` is Voila's key (``?token=``), ``trainer`` the key of the trainer's
    page (``?trainer=``); ``host``, ``port`` and ``base_url`` where the server
    listens.
    """

    server: str
    trainer: str
    host: str = "127.0.0.1"
    port: int = 8866
    base_url: str = "/"

    def to_json(self) -> str:
        """The room as it is kept in ``meta``."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Room:
        """Read a room kept by :meth:`to_json`."""
        data = json.loads(text)
        return cls(
            server=str(data.get("server", "")),
            trainer=str(data.get("trainer", "")),
            host=str(data.get("host", "127.0.0.1")),
            port=int(data.get("port", 8866)),
            base_url=str(data.get("base_url", "/")),
        )


@access.lead_only
def room(conn: Connection) -> Room | None:
    """The room kept for this workshop, or None before the first one is kept."""
    text = _get(conn, ROOM)
    return None if text is None else Room.from_json(text)


@access.lead_only
def keep_room(
    conn: Connection,
    *,
    server: str = "",
    host: str = "127.0.0.1",
    port: int = 8866,
    base_url: str = "/",
) -> Room:
    """Keep where the workshop is served, the server's key and the trainer's key.

    A key already kept stays (unless another server key is given), so links made
    before a restart keep working; a new key is made where there is none.
    """
    kept = room(conn)
    made = Room(
        server or (kept.server if kept and kept.server else secrets.token_urlsafe(18)),
        kept.trainer if kept and kept.trainer else secrets.token_urlsafe(18),
        host,
        port,
        base_url,
    )
    if made != kept:
        _put(conn, ROOM, made.to_json())
    return made


@access.lead_only
def is_trainer(conn: Connection, key: str) -> bool:
    """Whether ``key`` is this workshop's trainer key."""
    kept = room(conn)
    if not key or kept is None or not kept.trainer:
        return False
    return secrets.compare_digest(kept.trainer.encode(), key.encode())
