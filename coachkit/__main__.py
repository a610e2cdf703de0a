"""Run the coachkit command line: ``python -m coachkit``."""

from coachkit.cli.main import main

main()
