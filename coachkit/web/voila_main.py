"""Voila's own command (``python -m voila``), without one warning in the terminal.

``coachkit serve`` hands Voila its web server settings as one dict on the command
line. traitlets calls that old style and prints a DeprecationWarning on every
start, which a trainer reads as an error. The style it suggests instead
(``key=value``, once per key) turns every value into text, which Tornado cannot
use: a message size must be a number, and the text "False" counts as true. So the
dict stays, and only that warning is hidden. It has to be hidden after Voila is
imported: importing Voila turns traitlets' deprecation warnings on.
"""

from __future__ import annotations

import sys
import warnings

from voila.app import main

warnings.filterwarnings(
    "ignore", message="--tornado_settings=", category=DeprecationWarning
)

if __name__ == "__main__":
    sys.exit(main())
