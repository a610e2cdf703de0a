"""Voila's own command (``python -m voila``), without two warnings in the terminal.

``coachkit serve`` hands Voila its web server settings as one dict on the command
line. traitlets calls that old style and prints a DeprecationWarning on every
start, which a trainer reads as an error. The style it suggests instead
(``key=value``, once per key) turns every value into text, which Tornado cannot
use: a message size must be a number, and the text "False" counts as true. So the
dict stays, and only that warning is hidden. It has to be hidden after Voila is
imported: importing Voila turns traitlets' deprecation warnings on.

The other is "Notebook ... is not trusted", logged each time a kernel runs a
workbook. Trust decides whether a notebook's saved outputs may run scripts, and
coachkit's workbooks are saved without outputs: the line means nothing here.
"""

from __future__ import annotations

import logging
import sys
import warnings

from voila.app import main

warnings.filterwarnings(
    "ignore", message="--tornado_settings=", category=DeprecationWarning
)


class _NotTrusted(logging.Filter):
    """Drops "Notebook ... is not trusted" from Voila's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).endswith("is not trusted")


if __name__ == "__main__":
    logging.getLogger("Voila").addFilter(_NotTrusted())
    sys.exit(main())
