"""Keep watch over a SQLite store's file while coachkit has it open.

SQLite keeps writing to a file it has open even after the file was removed from
its folder: every save then lands in a file nobody can reach any more, while the
page says "Draft saved". And a store whose main file was removed but whose ``-wal``
file (the latest saves, not yet copied into the main file) is still there must not
be opened as new: SQLite would start a fresh, empty store and reset that ``-wal``.

So coachkit:

- notes the file's identity (device and inode) when it opens a store, and checks it
  at the start of every transaction (:func:`guard_file`): a file that is gone or
  was replaced stops every read and save with :class:`~coachkit.errors.StoreGone`,
  whose message says what happened and who can fix it;
- refuses to open a store whose main file is missing (or empty) while its ``-wal``
  or ``-shm`` file is still there (:func:`refuse_leftovers`), naming them.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from coachkit.errors import StoreError, StoreGone

#: The files SQLite keeps beside a store in WAL mode; they may hold the latest saves.
LEFTOVERS = ("-wal", "-shm")

#: The identity each guarded engine's file had when it was opened.
_GUARDED: weakref.WeakKeyDictionary[Engine, FileIdentity] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named when the store was opened: its device and inode."""

    path: Path
    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        """The identity of the file at ``path`` now."""
        found = path.stat()
        return cls(path, found.st_dev, found.st_ino)

    def still_there(self) -> bool:
        """True while ``path`` still names the very file that was opened."""
        try:
            found = self.path.stat()
        except OSError:
            return False
        return (found.st_dev, found.st_ino) == (self.device, self.inode)

    def check(self) -> None:
        """Refuse to go on when the file is gone or was replaced.

        Raises
        ------
        StoreGone
            ``path`` no longer names the file that was opened.
        """
        if not self.still_there():
            raise StoreGone(
                f"The store file {self.path} is gone or was replaced; nothing more "
                "can be saved. Ask whoever runs coachkit to put the store file back "
                "(from a backup) and restart coachkit serve, then open this page "
                "again. What you typed since is still on this page: copy it before "
                "you leave."
            )


def guard_file(engine: Engine, path: Path) -> None:
    """Check, at the start of every transaction of ``engine``, that ``path`` still
    names the file opened now (see :meth:`FileIdentity.check`)."""
    identity = FileIdentity.of(path)
    _GUARDED[engine] = identity

    def check_on_begin(_conn: Connection) -> None:
        identity.check()

    sa.event.listen(engine, "begin", check_on_begin)


def check_file(engine: Engine) -> None:
    """Refuse a guarded engine whose file is gone or was replaced (a no-op for an
    engine :func:`guard_file` was not given).

    Raises
    ------
    StoreGone
        The file is gone or was replaced.
    """
    identity = _GUARDED.get(engine)
    if identity is not None:
        identity.check()


def refuse_leftovers(path: Path) -> None:
    """Refuse to open a store whose main file is missing while its ``-wal`` or
    ``-shm`` file is still there: they may hold the latest saves, and opening would
    reset them.

    Raises
    ------
    StoreError
        ``path`` is missing or empty and a ``-wal`` or ``-shm`` file is beside it;
        the message names them.
    """
    try:
        empty = path.stat().st_size == 0
    except FileNotFoundError:
        empty = True
    except OSError:
        return  # _check_sqlite_file says what is wrong with the path itself
    if not empty:
        return
    left = [path.with_name(path.name + ending) for ending in LEFTOVERS]
    left = [p for p in left if os.path.lexists(p)]
    if left:
        names = " and ".join(str(p) for p in left)
        state = "is missing" if not path.exists() else "is empty"
        raise StoreError(
            f"The store file {path} {state}, but {names} beside it "
            f"{'are' if len(left) > 1 else 'is'} still there and may hold the latest "
            "saves. coachkit will not open the store, which would reset them. Put "
            f"the store file back (from a backup) at {path}; or, only if you are "
            "sure nothing in them is needed, move them away."
        )
