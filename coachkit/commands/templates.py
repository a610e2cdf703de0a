"""The ``coachkit templates`` command(s)."""

from __future__ import annotations

import click

#: The commands this module adds to ``coachkit``.
COMMANDS: list[click.Command] = []
