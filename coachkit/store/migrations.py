"""In-place upgrades of older coachkit databases, one step per schema version.

``STEPS[n]`` turns a version ``n`` database into version ``n + 1``. Each step runs
inside the caller's transaction, so an upgrade either finishes or leaves the database
as it was. Steps only add: no row is ever dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import StoreError
from coachkit.store import schema

Step = Callable[[Connection], None]


def _coach_logins(conn: Connection) -> None:
    """Version 2: coaches get a ``login`` (their name at a sign-in service)."""
    conn.execute(sa.text("ALTER TABLE coaches ADD COLUMN login VARCHAR(120)"))
    index = next(i for i in schema.coaches.indexes if i.name == "ix_coaches_login")
    index.create(conn)


def _follow_through(conn: Connection) -> None:
    """Version 3: actions can be dropped, and actions and goals keep a note.

    Goals also keep the day they were judged and the measure's value then;
    ``coach_settings`` (a coach's saved ranking weights and the like) is new and
    appears with :func:`upgrade`'s ``create_all``.
    """
    for sql in (
        "ALTER TABLE actions ADD COLUMN note TEXT DEFAULT '' NOT NULL",
        "ALTER TABLE goals ADD COLUMN note TEXT DEFAULT '' NOT NULL",
        "ALTER TABLE goals ADD COLUMN closed_on DATE",
        "ALTER TABLE goals ADD COLUMN closed_value FLOAT",
    ):
        conn.execute(sa.text(sql))
    allowed = "status in ('open', 'kept', 'missed', 'dropped')"
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("ALTER TABLE actions DROP CONSTRAINT action_status"))
        conn.execute(
            sa.text(
                f"ALTER TABLE actions ADD CONSTRAINT action_status CHECK ({allowed})"
            )
        )
        return
    # SQLite cannot change a CHECK constraint in place: edit the table's stored
    # definition (the documented writable_schema way), which keeps every row,
    # index and foreign key as they are.
    old = "status in ('open', 'kept', 'missed')"
    sql = conn.execute(
        sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'actions'"
        )
    ).scalar_one()
    if old not in sql:
        raise StoreError(
            "coachkit cannot upgrade the actions table: it is not as expected."
        )
    version = conn.execute(sa.text("PRAGMA schema_version")).scalar_one()
    conn.execute(sa.text("PRAGMA writable_schema = ON"))
    conn.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = :sql "
            "WHERE type = 'table' AND name = 'actions'"
        ),
        {"sql": sql.replace(old, allowed)},
    )
    conn.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(sa.text("PRAGMA writable_schema = OFF"))


def _calls(conn: Connection) -> None:
    """Version 4: call transcripts (``calls``, ``call_turns``, ``call_speakers``,
    ``call_hits``) and the framework's ``trackers``.

    All five tables are new, so they appear with :func:`upgrade`'s ``create_all``;
    the call metrics join the store's metrics when the first calls are saved
    (:mod:`coachkit.model.calls.store`).
    """
    del conn  # nothing to change in the tables that are there


def _rep_side(conn: Connection) -> None:
    """Version 5: the rep's side (#28).

    Reps get a ``login``; sessions keep the rep's "what would help more" words and
    when they rated it; actions keep the rep's own note and when they marked it.
    ``rep_links`` is new and appears with :func:`upgrade`'s ``create_all``.
    """
    stamp = sa.DateTime().compile(dialect=conn.dialect)  # DATETIME, TIMESTAMP
    for sql in (
        "ALTER TABLE reps ADD COLUMN login VARCHAR(120)",
        "ALTER TABLE sessions ADD COLUMN rep_wish TEXT DEFAULT '' NOT NULL",
        f"ALTER TABLE sessions ADD COLUMN rep_rated_at {stamp}",
        "ALTER TABLE actions ADD COLUMN rep_note TEXT DEFAULT '' NOT NULL",
        f"ALTER TABLE actions ADD COLUMN rep_marked_at {stamp}",
    ):
        conn.execute(sa.text(sql))
    index = next(i for i in schema.reps.indexes if i.name == "ix_reps_login")
    index.create(conn)


#: version n -> the step that upgrades a version n database to version n + 1.
STEPS: dict[int, Step] = {
    1: _coach_logins,
    2: _follow_through,
    3: _calls,
    4: _rep_side,
}


def upgrade(conn: Connection, version: int, target: int | None = None) -> int:
    """Upgrade the database from ``version`` to ``target`` (the current version).

    Returns the version reached. Raises :class:`StoreError` when a step is missing.
    """
    goal = schema.SCHEMA_VERSION if target is None else target
    while version < goal:
        step = STEPS.get(version)
        if step is None:
            raise StoreError(
                f"coachkit cannot upgrade data version {version}; export it with the "
                "coachkit version that wrote it and import it here."
            )
        step(conn)
        version += 1
        conn.execute(
            sa.update(schema.meta)
            .where(schema.meta.c.key == "schema_version")
            .values(value=str(version))
        )
    # Tables added since the database was made appear here, empty.
    schema.metadata.create_all(conn)
    return version
