"""Command-line glue for the data commands; each module lists its ``COMMANDS``.

The work itself happens in :mod:`coachkit.importer`, :mod:`coachkit.archive` and
:mod:`coachkit.reports`; these modules only read options and print results.
"""
