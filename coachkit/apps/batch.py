"""Run the workbooks without a browser: papermill parameters and static pages.

Each workbook's ``parameters`` cell (``db``, ``coach``, ``rep``, ``today`` and
``static``; Improve also ``months``) is filled in by papermill; the cells call the
helpers here, so a name typed on the command line reaches the workbook as an id::

    papermill workbooks/3_improve.ipynb out.ipynb -p coach "Uma Iyer" -p months 1

With ``static = True`` a workbook shows a page of plain HTML with its charts drawn
as SVG (:func:`static_view`) instead of widgets, which a static export would lose.
:func:`batch_reports` runs one workbook that way for every coach in turn and turns
each run into one HTML file that opens with no network.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coachkit.apps.static_pages import (
    DEFAULT_MONTHS,
    WORKBOOKS,
    as_day,
    check_pillar,
    find_rep_id,
    kernel_store,
    static_view,
)
from coachkit.errors import CoachkitError
from coachkit.exchange.marks import HTML_MARK, check_replace, write_files
from coachkit.exchange.reports.lookup import find_coach
from coachkit.model import formats
from coachkit.model.text import esc, slug
from coachkit.store import schema as s

__all__ = [
    "DEFAULT_MONTHS",
    "WORKBOOKS",
    "as_day",
    "batch_reports",
    "focus",
    "resolve_coach",
    "static_view",
]

#: Seconds one cell of a batch run may take before the run is stopped.
CELL_TIMEOUT = 300

#: The page's style, in ``batch.css`` beside this module.
_PAGE_CSS = (
    resources.files("coachkit.apps").joinpath("batch.css").read_text(encoding="utf-8")
)


def resolve_coach(db: str | os.PathLike[str] | None, coach: int | str | None) -> Any:
    """Return the id of the coach given by name or id (None stays None).

    Raises
    ------
    CoachkitError
        No coach has that name or id; the message suggests the closest names.
    """
    if coach is None or coach == "":
        return None
    with kernel_store(db).read() as conn:
        return find_coach(conn, coach)[0]


def focus(app: Any, rep: int | str | None = None, months: int | None = None) -> Any:
    """Open ``rep`` (name or id) and, in Improve, the last ``months`` months.

    Returns ``app``; an error view (the store could not be opened) is left as is.
    """
    from coachkit.apps.base import Workbook
    from coachkit.model.periods import Period

    if not isinstance(app, Workbook):
        return app
    if months is not None and hasattr(app, "set_period"):
        app.set_period(Period.last_months(app.today, int(months)))
    if rep is not None:
        scope = None if app.state.sees_all else app.state.coach_id
        with app.store.read() as conn:
            rep_id = find_rep_id(conn, rep, scope)
        app.open_rep(rep_id)  # as the Rep picker does
    return app


@contextmanager
def _kernel_env(store_url: str) -> Iterator[None]:
    """Kernels open ``store_url`` and use this Python's own kernel spec."""
    wanted = {"COACHKIT_DB": store_url, "JUPYTER_PREFER_ENV_PATH": "1"}
    before = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _kernel_manager() -> Any:
    """Kernels talk over Unix sockets in Jupyter's private folder, not local TCP."""
    import traitlets
    from jupyter_client.manager import AsyncKernelManager

    if sys.platform == "win32":
        return AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
        transport = traitlets.CaselessStrEnum(
            ["tcp", "ipc"], default_value="ipc", config=True
        )

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            # A cell's error reaches us through papermill; the kernel's own log
            # only says it was stopped ("KeyboardInterrupt caught"), which is noise.
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super().start_kernel(**kw)

    return IpcKernelManager


def notebook_html(notebook: Any, title: str) -> str:
    """An executed notebook as one HTML page: outputs only, no scripts, no links."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _resources = exporter.from_notebook_node(notebook)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"{HTML_MARK}\n"
        f"<title>{esc(title)}</title>\n<style>\n{_PAGE_CSS}</style>\n</head><body>\n"
        f"{body}\n</body></html>\n"
    )


def batch_reports(
    pillar: str,
    store_url: str,
    out: Path,
    months: int | None = None,
    today: dt.date | None = None,
    force: bool = False,
) -> Iterator[tuple[Path, float]]:
    """Run a workbook with ``static = True`` for each coach; write each as HTML.

    Yields each written file and the seconds its run took. A lead's page covers
    every team. A run that fails stops the batch with the workbook's own message.
    A page replaces its own earlier copy; a file of the same name that coachkit did
    not make stops the batch before any run, unless ``force``
    (:mod:`coachkit.exchange.marks`).
    ``months`` reaches only a workbook whose ``parameters`` cell declares it
    (Improve): papermill warns about any other parameter.
    """
    import papermill as pm

    from coachkit.store.database import open_existing
    from coachkit.web.serve import workbooks_dir

    check_pillar(pillar)
    store = open_existing(store_url)
    try:
        with store.read() as conn:
            coaches = conn.execute(sa.select(s.coaches.c.id, s.coaches.c.name)).all()
    finally:
        store.dispose()
    if not coaches:
        raise CoachkitError("there are no coaches in this store yet.")
    day = today or dt.date.today()
    pages = {
        row.id: out / (slug(pillar, row.name, day.isoformat()) + ".html")
        for row in coaches
    }
    for page in pages.values():
        check_replace(page, force)
    out.mkdir(parents=True, exist_ok=True)
    notebook_path = workbooks_dir() / WORKBOOKS[pillar]
    declared = pm.inspect_notebook(notebook_path)
    wanted = {"static": True, "months": months, "today": day.isoformat()}
    params = {name: value for name, value in wanted.items() if name in declared}
    with tempfile.TemporaryDirectory() as tmp, _kernel_env(store_url):
        for coach_id, name in sorted(coaches, key=lambda row: row.name):
            began = time.perf_counter()
            ran = Path(tmp) / f"{coach_id}.ipynb"
            try:
                notebook = pm.execute_notebook(
                    notebook_path,
                    ran,
                    parameters={**params, "coach": int(coach_id)},
                    progress_bar=False,
                    execution_timeout=CELL_TIMEOUT,
                    kernel_manager_class=_kernel_manager(),
                )
            except pm.PapermillExecutionError as exc:
                raise CoachkitError(
                    f"the {pillar} workbook failed for {name}: {exc.evalue}"
                ) from None
            title = f"{pillar.capitalize()}: {name}, {formats.day(day)}"
            html = {pages[coach_id]: notebook_html(notebook, title)}
            (path,) = write_files(html, force)
            yield path, time.perf_counter() - began
