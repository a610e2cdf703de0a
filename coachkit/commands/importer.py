"""The ``coachkit`` commands over :mod:`coachkit.importer`."""

from __future__ import annotations

import click

#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = []
