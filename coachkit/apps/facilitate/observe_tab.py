"""The Observe tab: one tap per focus behaviour while a call or meeting runs."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from coachkit.apps.calls import CallEvidence, CallUpload
from coachkit.apps.shell import text
from coachkit.apps.tabs import Tab, field
from coachkit.errors import ValidationError
from coachkit.model.vocabulary import OUTCOME

_OUTCOMES = tuple(
    (OUTCOME[key], key, look)
    for key, look in (("seen", "success"), ("partly", "warning"), ("missed", "danger"))
)


class ObserveTab(Tab):
    """Live capture: seen, partly seen or missed, with a time and a short note."""

    title = "3. Observe"
    redraws_on = frozenset({"rep", "draft", "calls"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.intro = w.HTML()
        self.start = field(
            w.Button(description="Start observing"), "ck-start-observing"
        )
        self.start.on_click(self.action("starting the session", self._start))
        self.note = field(
            w.Text(
                placeholder="Short note for the next tap (optional)",
                layout=w.Layout(width="520px"),
            ),
            "ck-obs-note",
        )
        self.note_problem = field(w.HTML(), "ck-obs-note-problem")
        self.rows = w.VBox()
        self.tally = field(w.HTML(), "ck-tally")
        self.undo = field(w.Button(description="Undo last tap"), "ck-undo")
        self.undo.on_click(self.action("undoing the last tap", self._undo))
        self.upload = CallUpload(
            app, "ck-observe-call-upload", after=lambda: app.announce("calls")
        )
        self.box.children = [
            self.intro,
            self.start,
            self.note,
            self.note_problem,
            self.rows,
            self.tally,
            self.undo,
            self.upload.box,
        ]
        self._hits: list[Any] = []
        #: Each behaviour's row of tap buttons, in order (its moments from calls,
        #: when there are some, sit under it in ``rows``).
        self.taps: list[w.HBox] = []
        self._counts: dict[int, dict[str, int]] = {}
        self._names: dict[int, str] = {}

    def draw(self, changed: frozenset[str]) -> None:
        draft = self.state.draft
        started = draft is not None
        self.start.layout.display = "none" if started else None
        self.note_problem.value = ""
        for widget in (self.note, self.note_problem, self.rows, self.tally, self.undo):
            widget.layout.display = None if started else "none"
        if not started:
            self.intro.value = (
                "<p class='ck-note'>Start observing when the call or meeting "
                "begins. Each tap is saved with the time.</p>"
            )
            return
        frame = self.app.state.brief
        names = {f.behaviour_id: f.behaviour for f in frame.focus} if frame else {}
        self._names = {
            int(b): names.get(int(b), f"Behaviour {b}") for b in draft.focus_ids
        }
        if not self._names:
            framework = self.app.behaviours()
            self._names = dict(
                zip(framework["behaviour_id"], framework["behaviour"], strict=True)
            )
        self._counts = {b: {"seen": 0, "partly": 0, "missed": 0} for b in self._names}
        for o in draft.observations:
            self._counts.setdefault(
                o.behaviour_id, {"seen": 0, "partly": 0, "missed": 0}
            )
            self._counts[o.behaviour_id][o.outcome] += 1
            self._names.setdefault(o.behaviour_id, o.behaviour)
        self.intro.value = (
            f"<h2>Observing {text(draft.rep)}</h2><p class='ck-note'>Tap what you "
            "see. Each tap is saved at once.</p>"
        )
        from coachkit.model.calls.store import hits

        self._hits = hits(self.app.store, draft.rep_id)
        self.taps = []
        self.rows.children = [self._row(b, name) for b, name in self._names.items()]
        self._show_tally()

    def _row(self, behaviour_id: int, name: str) -> w.Widget:
        buttons = []
        for label, outcome, style in _OUTCOMES:
            button = field(
                w.Button(description=label, button_style=style), f"ck-{outcome}"
            )
            button.add_class("ck-tap")
            button.on_click(self._tapper(behaviour_id, outcome))
            buttons.append(button)
        title = field(
            w.HTML(f"<b>{text(name)}</b>", layout=w.Layout(width="340px")),
            "ck-tap-title",
        )
        taps = field(w.HBox([title, *buttons]), f"ck-observe-{behaviour_id}")
        self.taps.append(taps)
        mine = [h for h in self._hits if h.behaviour_id == behaviour_id]
        if not any(h.status in ("open", "confirmed") for h in mine):
            return taps
        # One moment still to judge per behaviour: the coach is watching a call.
        evidence = CallEvidence(self.app, f"ck-call-evidence-{behaviour_id}", limit=1)
        evidence.show(mine)
        return w.VBox([taps, evidence.box])

    def _tapper(self, behaviour_id: int, outcome: str) -> Any:
        def tap(_button: Any = None) -> None:
            try:
                self.app.log_tap(behaviour_id, outcome, self.note.value)
            except ValidationError as exc:  # said beside the note; the tap is not kept
                self.note_problem.value = (
                    "<div class='ck-status ck-status-error ck-problem' role='alert'>"
                    f"{text(str(exc))} The tap was not saved.</div>"
                )
                return
            self.note_problem.value = ""
            self._counts.setdefault(behaviour_id, {"seen": 0, "partly": 0, "missed": 0})
            self._counts[behaviour_id][outcome] += 1
            self.note.value = ""
            self._show_tally()

        return self.action("saving the observation", tap)

    def _undo(self, _button: Any = None) -> None:
        self.app.undo_tap()
        self.state.say("Took back the last tap.", "info")

    def _show_tally(self) -> None:
        rows = "".join(
            f"<tr><td>{text(self._names.get(b, b))}</td><td>{c['seen']}</td>"
            f"<td>{c['partly']}</td><td>{c['missed']}</td></tr>"
            for b, c in self._counts.items()
        )
        total = sum(sum(c.values()) for c in self._counts.values())
        self.tally.value = (
            f"<h3>So far: {total} {'tap' if total == 1 else 'taps'}</h3>"
            "<table class='ck-table'><tr><th>Behaviour</th>"
            + "".join(f"<th>{text(label)}</th>" for label, _, _ in _OUTCOMES)
            + f"</tr>{rows}</table>"
        )

    def _start(self, _button: Any = None) -> None:
        self.app.ensure_draft()
        self.state.say("Observing. Each tap is saved with the time.")
