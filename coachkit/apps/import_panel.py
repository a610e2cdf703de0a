"""Bring reps, numbers, ratings or sessions in from a CSV file, in a workbook.

The panel checks the whole file as soon as it is chosen and shows every problem
(the first 20) or what importing would change; only then does "Import" write it, in
one transaction. The work is :func:`coachkit.exchange.importer.import_file`, as on the
CLI.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.shell import text
from coachkit.apps.tabs import field
from coachkit.web.serve import UPLOAD_LIMIT_BYTES

#: What a coach can import, in plain words.
KIND_LABELS = (
    ("Reps", "reps"),
    ("Weekly numbers (from your CRM)", "metrics"),
    ("Skill and will ratings", "assessments"),
    ("Coaching sessions", "sessions"),
)


class ImportPanel:
    """A file picker, a check, and an Import button; ``box`` is the widget.

    Parameters
    ----------
    app
        The workbook: its ``store``, ``state`` (the coach) and ``coaches``.
    after
        Called after a file was imported (to read the store again).
    """

    def __init__(self, app: Any, after: Any = None) -> None:
        self.app = app
        self.after = after
        self.kind = field(
            w.Dropdown(options=KIND_LABELS, description="What:"), "ck-import-kind"
        )
        self.upload = field(
            w.FileUpload(accept=".csv,text/csv", multiple=False), "ck-import-file"
        )
        self.upload.description = "Choose a CSV file"
        self.upload.layout.width = "220px"
        self.run = field(
            w.Button(description="Import", button_style="primary", disabled=True),
            "ck-import-run",
        )
        self.report = field(w.HTML(), "ck-import-report")
        self.columns = field(w.HTML(), "ck-import-columns")
        self.upload.observe(self._on_file, names="value")
        self.kind.observe(self._on_file, names="value")
        self.kind.observe(self._show_columns, names="value")
        self._show_columns()
        self.run.on_click(self._guarded("importing the file", self._import))
        self.box = field(
            w.VBox(
                [
                    w.HTML(
                        "<h2>Bring data in from a CSV file</h2><p class='ck-note'>"
                        "The whole file is checked first. Nothing is saved unless "
                        "every row is right. Importing the same file twice adds "
                        f"nothing new. Files up to {UPLOAD_LIMIT_BYTES // 2**20} MB; "
                        "a bigger one goes in with coachkit import on the command "
                        "line.</p>"
                    ),
                    w.HBox([self.kind, self.upload, self.run]),
                    self.columns,
                    self.report,
                ]
            ),
            "ck-import",
        )

    def _show_columns(self, _change: object = None) -> None:
        from coachkit.exchange.importer import COLUMNS

        columns = COLUMNS[self.kind.value]
        needed = ", ".join(c.name for c in columns if c.required)
        optional = ", ".join(c.name for c in columns if not c.required)
        self.columns.value = (
            f"<p class='ck-note'>Columns: {text(needed)} (needed); {text(optional)} "
            "(optional). Dates like 2026-03-31, numbers like 1234.5.</p>"
        )

    # -- the file --------------------------------------------------------------
    def chosen(self) -> tuple[str, bytes] | None:
        """The chosen file's name and bytes, if a file was chosen."""
        files = self.upload.value
        if not files:
            return None
        first = files[0]
        return str(first["name"]), bytes(first["content"])

    def coach_name(self) -> str | None:
        """The coach of rows without a coach column: the user, unless a lead."""
        s = self.app.state
        if s.sees_all or s.coach_id is None:
            return None
        coaches = self.app.coaches
        row = coaches[coaches["coach_id"] == s.coach_id]
        return str(row["coach"].iloc[0]) if len(row) else None

    def _on_file(self, _change: object = None) -> None:
        self._guarded("checking the file", self.check)()

    def check(self) -> None:
        """Check the chosen file and show its problems or what it would change."""
        from coachkit.exchange.importer import ImportProblems, import_file

        self.run.disabled = True
        chosen = self.chosen()
        if chosen is None:
            self.report.value = ""
            return
        name, data = chosen
        try:
            result = import_file(
                self.app.store,
                self.kind.value,
                data,
                self.coach_name(),
                name=name,
                dry_run=True,
            )
        except ImportProblems as exc:
            self.report.value = _problems_html(exc)
            self.app.state.fail(f"{name} has problems; nothing was imported.")
            return
        self.report.value = (
            "<p class='ck-import-ok'>"
            + text(result.summary().replace(" (dry run)", ""))
            + " Press Import to save it.</p>"
        )
        self.run.disabled = False
        self.app.state.say(f"{name} is ready to import.", "info")

    def _import(self, _button: object = None) -> None:
        from coachkit.exchange.importer import import_file

        chosen = self.chosen()
        if chosen is None:
            return
        name, data = chosen
        self.run.disabled = True
        result = import_file(
            self.app.store, self.kind.value, data, self.coach_name(), name=name
        )
        self.report.value = f"<p class='ck-import-ok'>{text(result.summary())}</p>"
        if self.after is not None:
            self.after()
        self.app.state.say(result.summary())

    def _guarded(self, doing: str, fn: Any) -> Any:
        from coachkit.apps.shell import guarded

        return guarded(self.app.state, doing)(fn)


def _problems_html(exc: Any) -> str:
    items = "".join(f"<li>{text(p)}</li>" for p in exc.problems)
    rest = exc.count - len(exc.problems)
    more = f"<p>…and {rest:,} more.</p>" if rest > 0 else ""
    return (
        "<div class='ck-import-problems'><p><b>"
        + text(f"{exc.source} was not imported (nothing was changed).")
        + "</b> Fix these and choose the file again:</p>"
        + f"<ul>{items}</ul>{more}</div>"
    )
