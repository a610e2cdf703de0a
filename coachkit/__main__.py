"""Run the coachkit command line: ``python -m coachkit``."""

from coachkit.cli import main

main()
