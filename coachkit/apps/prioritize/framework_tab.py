"""The Framework tab: objectives and their weights, behaviours and their rubrics.

Everyone sees the framework; only an enablement lead changes it.
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.shell import html_table
from coachkit.apps.tabs import Tab, field
from coachkit.errors import ValidationError
from coachkit.model.formats import percent


def _wide() -> w.Layout:
    return w.Layout(width="560px")


class FrameworkTab(Tab):
    """What good looks like: the behaviours that serve each business objective."""

    title = "2. Framework"

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.table = field(w.HTML(), "ck-framework")
        self.weights = w.VBox()
        self.save_weights = field(
            w.Button(description="Save weights"), "ck-save-weights"
        )
        self.save_weights.on_click(
            self.action("saving the weights", self._save_weights)
        )

        self.rubric_behaviour = w.Dropdown(description="Behaviour", layout=_wide())
        self.rubric_level = w.Dropdown(options=[1, 2, 3, 4, 5], description="Level")
        self.rubric_text = w.Textarea(description="Looks like", layout=_wide())
        self.rubric_behaviour.observe(self._show_level, names="value")
        self.rubric_level.observe(self._show_level, names="value")
        self.save_level = field(w.Button(description="Save level"), "ck-save-level")
        self.save_level.on_click(
            self.action("saving the rubric level", self._save_level)
        )

        self.new_objective = w.Dropdown(description="Objective", layout=_wide())
        self.new_name = w.Text(description="Name", layout=_wide())
        self.new_description = w.Text(description="What it is", layout=_wide())
        self.new_levels = [
            w.Text(description=f"Level {i}", layout=_wide()) for i in range(1, 6)
        ]
        self.new_target = w.Dropdown(
            options=[1, 2, 3, 4, 5], value=4, description="Target"
        )
        self.add = field(w.Button(description="Add behaviour"), "ck-add-behaviour")
        self.add.on_click(self.action("adding the behaviour", self._add))

        self.editor = w.VBox(
            [
                w.HTML("<h2>Change the framework</h2><h3>Objective weights</h3>"),
                self.weights,
                self.save_weights,
                w.HTML(
                    "<h3>Change a rubric level</h3><p class='ck-note'>Older "
                    "assessments keep the words they were made with.</p>"
                ),
                self.rubric_behaviour,
                self.rubric_level,
                self.rubric_text,
                self.save_level,
                w.HTML("<h3>Add a behaviour</h3>"),
                self.new_objective,
                self.new_name,
                self.new_description,
                *self.new_levels,
                self.new_target,
                self.add,
            ]
        )
        self.lead_note = w.HTML(
            "<p class='ck-note'>Only an enablement lead can change the framework. "
            "Pick the lead under 'Who are you?' to edit it.</p>"
        )
        self.box.children = [self.table, self.lead_note, self.editor]

    def draw(self, changed: frozenset[str]) -> None:
        frame = self.state.framework
        self.table.value = _framework_html(frame)
        lead = self.state.sees_all
        self.editor.layout.display = None if lead else "none"
        self.lead_note.layout.display = "none" if lead else None
        objectives = frame.drop_duplicates("objective_key")
        self._weight_inputs = {
            str(r.objective_key): w.BoundedFloatText(
                value=float(r.weight),
                min=0.01,
                max=1.0,
                step=0.05,
                description=str(r.objective),
                style={"description_width": "320px"},
                layout=w.Layout(width="480px"),
            )
            for r in objectives.itertuples()
        }
        self.weights.children = list(self._weight_inputs.values())
        self.new_objective.options = [
            (str(r.objective), str(r.objective_key)) for r in objectives.itertuples()
        ]
        keep = self.rubric_behaviour.value
        self.rubric_behaviour.options = [
            (str(r.behaviour), str(r.behaviour_key)) for r in frame.itertuples()
        ]
        keys = list(frame["behaviour_key"])
        if keys:
            self.rubric_behaviour.value = keep if keep in keys else keys[0]
        self._show_level()

    def _show_level(self, _change: Any = None) -> None:
        frame = self.state.framework
        key = self.rubric_behaviour.value
        if key is None or frame.empty:
            return
        row = frame[frame["behaviour_key"] == key].iloc[0]
        self.rubric_text.value = str(row[f"level_{self.rubric_level.value}"])

    def _save_weights(self, _button: Any = None) -> None:
        self.app.save_weights(
            {key: box.value for key, box in self._weight_inputs.items()}
        )
        self.state.say("Saved the objective weights. The ranking uses them now.")

    def _save_level(self, _button: Any = None) -> None:
        version = self.app.save_rubric_level(
            self.rubric_behaviour.value,
            int(self.rubric_level.value),
            self.rubric_text.value,
        )
        self.state.say(f"Saved. The rubric is now version {version}.")

    def _add(self, _button: Any = None) -> None:
        name = self.new_name.value.strip()
        key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if not key:
            raise ValidationError("Name", "type the behaviour's name")
        self.app.add_behaviour(
            self.new_objective.value,
            key,
            name,
            self.new_description.value,
            [box.value for box in self.new_levels],
            target_level=int(self.new_target.value),
        )
        for box in [self.new_name, self.new_description, *self.new_levels]:
            box.value = ""
        self.state.say(f"Added the behaviour {name}.")


def _framework_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p class='ck-note'>No framework yet.</p>"
    parts = []
    for (objective, share), rows in frame.groupby(["objective", "share"], sort=False):
        shown = pd.DataFrame(
            {
                "Behaviour": rows["behaviour"],
                "Target": rows["target_level"],
                **{f"{i}": rows[f"level_{i}"] for i in range(1, 6)},
                "Shown by": rows["metrics"],
            }
        )
        parts.append(
            f"<h3>{_esc(objective)} <span class='ck-note'>(weight "
            f"{percent(share)})</span></h3>" + html_table(shown)
        )
    return "<h2>What good looks like</h2>" + "".join(parts)


def _esc(value: object) -> str:
    from coachkit.apps.shell import text

    return text(value)
