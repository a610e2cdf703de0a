"""The Team tab: the roster, adding a rep, editing or deactivating one."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.import_panel import ImportPanel
from coachkit.apps.shell import html_table
from coachkit.apps.tabs import DATA, Tab, field
from coachkit.model import standing, team
from coachkit.model.formats import day


def _wide() -> w.Layout:
    return w.Layout(width="380px")


class TeamTab(Tab):
    """Who is on the team, and keeping that list right."""

    title = "1. Team"
    redraws_on = frozenset({"rep"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.table = field(w.HTML(), "ck-roster")
        self.new_name = field(w.Text(description="Name", layout=_wide()), "ck-new-name")
        self.new_role = w.Text(
            value="Account Executive", description="Role", layout=_wide()
        )
        self.new_segment = w.Text(description="Segment", layout=_wide())
        self.new_start = w.DatePicker(description="Started")
        self.add = field(
            w.Button(description="Add rep", button_style="primary"), "ck-add-rep"
        )
        self.add.on_click(self.action("adding the rep", self._add))

        self.edit_name = field(
            w.Text(description="Name", layout=_wide()), "ck-edit-name"
        )
        self.edit_role = w.Text(description="Role", layout=_wide())
        self.edit_segment = w.Text(description="Segment", layout=_wide())
        self.edit_start = w.DatePicker(description="Started")
        self.save = field(w.Button(description="Save changes"), "ck-save-rep")
        self.save.on_click(self.action("saving the rep", self._save))
        self.deactivate = field(
            w.Button(description="Deactivate", button_style="warning"), "ck-deactivate"
        )
        self.deactivate.on_click(self.action("deactivating the rep", self._deactivate))
        self.former = w.Dropdown(description="Former reps", layout=_wide())
        self.reactivate = w.Button(description="Turn back on")
        self.reactivate.on_click(
            self.action("turning the rep back on", self._reactivate)
        )
        self._editing: team.Rep | None = None
        self.import_panel = ImportPanel(app, after=app.reload_team)
        self.box.children = [
            w.HTML("<h2>Your team</h2>"),
            self.table,
            w.HTML("<h2>Add a rep</h2>"),
            w.VBox([self.new_name, self.new_role, self.new_segment, self.new_start]),
            self.add,
            w.HTML("<h2>Edit the chosen rep</h2>"),
            w.VBox(
                [self.edit_name, self.edit_role, self.edit_segment, self.edit_start]
            ),
            w.HBox([self.save, self.deactivate]),
            w.HTML("<p class='ck-note'>Deactivating keeps the rep's history.</p>"),
            w.HBox([self.former, self.reactivate]),
            self.import_panel.box,
        ]

    def draw(self, changed: frozenset[str]) -> None:
        if DATA in changed:
            self._draw_team()
        self._draw_rep()

    def _draw_team(self) -> None:
        s = self.state
        roster = s.roster.merge(
            s.performance[["rep_id", "standing"]], on="rep_id", how="left"
        )
        shown = pd.DataFrame(
            {
                "Rep": roster["rep"],
                "Role": roster["role"],
                "Segment": roster["segment"],
                "Coach": roster["coach"],
                "Started": _dates(roster["start_date"]),
                "Standing": roster["standing"].map(standing.label),
                "Last assessed": _dates(roster["last_assessed"]),
                "Last coached": _dates(roster["last_session"]),
            }
        )
        self.table.value = (
            f"<p>{len(shown)} active reps. {standing.rule_sentence()}</p>"
            + html_table(shown, "No reps yet.")
        )
        self.former.options = [(r.name, r.id) for r in s.former_reps]

    def _draw_rep(self) -> None:
        rep = self.state.rep_details
        self._editing = rep
        if rep is None:
            return
        self.edit_name.value = rep.name
        self.edit_role.value = rep.role
        self.edit_segment.value = rep.segment
        self.edit_start.value = rep.start_date

    def _coach_for_new_rep(self) -> int:
        s = self.state
        if s.sees_all:
            from coachkit.errors import ValidationError

            raise ValidationError(
                "Coach",
                "an enablement lead sees every team; pick a coach under "
                "'Who are you?' to add a rep to their team",
            )
        return int(s.coach_id)

    def _add(self, _button: Any = None) -> None:
        rep = self.app.add_rep(
            self._coach_for_new_rep(),
            self.new_name.value,
            role=self.new_role.value,
            segment=self.new_segment.value,
            start_date=self.new_start.value,
        )
        self.new_name.value = ""
        self.state.say(f"Added {rep.name} to your team.")

    def _save(self, _button: Any = None) -> None:
        shown = self._require_rep()
        saved = self.app.update_rep(
            shown,
            name=self.edit_name.value,
            role=self.edit_role.value,
            segment=self.edit_segment.value,
            start_date=self.edit_start.value,
        )
        if saved.row_version == shown.row_version:
            self.state.say(f"Nothing changed for {saved.name}, so nothing was saved.")
            return
        self.state.say(f"Saved {saved.name}.")

    def _deactivate(self, _button: Any = None) -> None:
        rep = self._require_rep()
        self.app.deactivate_rep(rep)
        self.state.say(f"{rep.name} is now inactive. Their history is kept.")

    def _reactivate(self, _button: Any = None) -> None:
        if self.former.value is None:
            return
        rep = self.app.reactivate_rep(int(self.former.value))
        self.state.say(f"{rep.name} is back on the team.")

    def _require_rep(self) -> team.Rep:
        if self._editing is None:
            from coachkit.errors import ValidationError

            raise ValidationError("Rep", "pick a rep first")
        return self._editing


def _dates(values: pd.Series) -> list[str]:
    return ["" if v is None or pd.isna(v) else day(pd.Timestamp(v)) for v in values]
