"""Every error a user can cause, in plain words.

All of them derive from :class:`CoachkitError`; the CLI prints its message on one line
and exits non-zero, and the workbooks show it in the status line.
"""

from __future__ import annotations

import errno


class CoachkitError(Exception):
    """Base class: something the user can fix. The message says what and where."""


class TemplateError(CoachkitError):
    """A template file is missing, is not valid YAML, or has a bad field."""

    def __init__(self, path: object, field: str, problem: str) -> None:
        self.path = str(path)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.path}: {field} {problem}")


class StoreError(CoachkitError):
    """The store cannot be opened or used."""


class NotACoachkitDatabase(StoreError):
    """The file exists but was not made by coachkit; it is never overwritten."""


class StoreUnreachable(StoreError):
    """The database URL points to a server that does not answer."""


class StoreBusy(StoreError):
    """A write waited too long for another one to finish; nothing was saved."""


class SchemaTooNew(StoreError):
    """The database was written by a newer coachkit than this one."""


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full; nothing of the save was kept."""


class StoreReadOnly(StoreError):
    """The store cannot be changed: its file is read-only, or it was opened to read."""


class StoreGone(StoreError):
    """The store's file was removed or replaced while coachkit had it open."""


class ValidationError(CoachkitError):
    """User input that cannot be saved; names the field or row."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def file_problem(exc: OSError, path: object | None = None) -> CoachkitError:
    """Say in one sentence what the system's error ``exc`` means for a file.

    ``path`` is the file coachkit was using (default: the one the error names).
    The sentence names it and what to do, instead of a traceback.
    """
    where = str(path if path is not None else exc.filename or "a file")
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return CoachkitError(
            f"the disk is full: could not write {where}. Free some space on the "
            "disk and try again."
        )
    if code == errno.EROFS:
        return CoachkitError(f"could not write {where}: the disk is read-only.")
    if code in (errno.EACCES, errno.EPERM):
        return CoachkitError(
            f"could not use {where}: permission denied. Check the permissions of "
            "the file and its folder."
        )
    if code == errno.EISDIR:
        return CoachkitError(f"{where} is a folder, where coachkit needs a file.")
    if code == errno.ENOTDIR:
        return CoachkitError(f"{where}: a part of this path is a file, not a folder.")
    if code == errno.ENOENT:
        return CoachkitError(f"{where} does not exist.")
    return CoachkitError(f"could not use {where}: {exc.strerror or exc}.")
