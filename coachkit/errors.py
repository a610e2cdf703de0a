"""Every error a user can cause, in plain words.

All of them derive from :class:`CoachkitError`; the CLI prints its message on one line
and exits non-zero, and the workbooks show it in the status line.
"""

from __future__ import annotations


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


class ValidationError(CoachkitError):
    """User input that cannot be saved; names the field or row."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
