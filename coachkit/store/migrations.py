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


#: version n -> the step that upgrades a version n database to version n + 1.
STEPS: dict[int, Step] = {1: _coach_logins}


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
