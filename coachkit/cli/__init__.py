"""The ``coachkit`` command: a thin layer over the functions the workbooks call."""
