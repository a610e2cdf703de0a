"""coachkit: an open, local-first sales-coaching workbook.

The public surface, stated once. Workbooks live in :mod:`coachkit.apps`; every table a
workbook shows is a DataFrame on its ``state``.
"""

from coachkit.errors import CoachkitError, TemplateError, ValidationError
from coachkit.model.pillars import PILLARS
from coachkit.model.templates import load_framework, load_session_guides
from coachkit.store.database import Store, open_store

__all__ = [
    "PILLARS",
    "CoachkitError",
    "Store",
    "TemplateError",
    "ValidationError",
    "load_framework",
    "load_session_guides",
    "open_store",
]

__version__ = "0.1.0"
