"""Workbook 2, Facilitate: who to coach today, and the session itself.

The state holds today's queue, the open rep's prep brief and the session draft; the
tabs (queue, prep, observe, guide, write-up, progress) bind widgets to it. The draft
lives in the store from its first keystroke, so a closed tab loses nothing.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit import prep, progress
from coachkit.apps.base import Workbook, build
from coachkit.apps.plugins import add_plugin_tabs
from coachkit.apps.shell import AppState, guarded
from coachkit.apps.tabs import TabDeck
from coachkit.queue import todays_queue
from coachkit.sessions import SessionDraft, load_draft, load_session, start_draft
from coachkit.templates import load_session_guides


class FacilitateState(AppState):
    """Today's queue, the open rep and their session, as plain data."""

    queue = t.Instance(pd.DataFrame, args=())
    rep_id = t.Int(allow_none=True, default_value=None)
    brief = t.Any(None)
    draft = t.Any(None)
    goals = t.Instance(pd.DataFrame, args=())
    actions = t.Instance(pd.DataFrame, args=())
    skills = t.Instance(pd.DataFrame, args=())


class Facilitate(Workbook):
    """The Facilitate workbook. ``state.queue`` is today's queue as a DataFrame."""

    pillar_key = "facilitate"
    state: FacilitateState

    def make_state(self) -> FacilitateState:
        return FacilitateState()

    @property
    def guides(self) -> Any:
        if not hasattr(self, "_guides"):
            self._guides = load_session_guides()
        return self._guides

    def load(self, conn: Any, coach_id: int | None) -> None:
        self.state.queue = todays_queue(conn, coach_id, self.today)
        reps = [int(r) for r in self.state.queue["rep_id"]]
        if self.state.rep_id not in reps:
            self.state.rep_id = reps[0] if reps else None
        self._load_rep(conn)

    def _load_rep(self, conn: Any) -> None:
        s, rep = self.state, self.state.rep_id
        if rep is None:
            s.brief = s.draft = None
            return
        s.brief = prep.prep_brief(conn, rep, self.today, self.guides)
        s.draft = load_draft(conn, rep)
        s.goals = progress.goal_progress(conn, rep, self.today)
        s.actions = progress.action_record(conn, rep)
        s.skills = progress.skill_history(conn, rep)

    def open_rep(self, rep_id: int) -> None:
        """Open a rep from the queue: their brief, draft and progress."""
        self.check_rep(int(rep_id))
        self.state.rep_id = int(rep_id)
        with self.store.read() as conn:
            self._load_rep(conn)
        self._sync_picker()
        self.deck.redraw("refresh_rep")
        self.tab_widget.selected_index = 1
        self.state.say(f"Opened {self.rep_name()}.", "info")

    def rep_name(self) -> str:
        queue = self.state.queue
        match = queue[queue["rep_id"] == self.state.rep_id]
        return str(match["rep"].iloc[0]) if len(match) else ""

    def ensure_draft(self) -> SessionDraft:
        """The open rep's draft session, started now if there is none."""
        s = self.state
        if s.draft is not None:
            return s.draft
        if s.rep_id is None:
            from coachkit.errors import ValidationError

            raise ValidationError("Rep", "open a rep from the queue first")
        coach = s.coach_id if not s.sees_all else None
        with self.store.write() as conn:
            if coach is None:
                from coachkit import team

                coach = team.get_rep(conn, s.rep_id).coach_id
            session_id = start_draft(
                conn, coach_id=coach, rep_id=s.rep_id, today=self.today
            )
        self.reload_draft(session_id)
        if s.draft is None:  # pragma: no cover - start_draft just made it
            raise RuntimeError("the new draft could not be read back")
        return s.draft

    def reload_draft(self, session_id: int | None = None) -> None:
        """Read the draft again (after a save elsewhere, or a conflict copy)."""
        with self.store.read() as conn:
            if session_id is not None:
                self.state.draft = load_session(conn, session_id)
            elif self.state.rep_id is not None:
                self.state.draft = load_draft(conn, self.state.rep_id)
        self.deck.redraw("refresh_draft")

    def refresh_progress(self) -> None:
        """Read the rep's progress and queue again (after finishing a session)."""
        scope = None if self.state.sees_all else self.state.coach_id
        with self.store.read() as conn:
            self.state.queue = todays_queue(conn, scope, self.today)
            self._load_rep(conn)
        self.deck.redraw("refresh")

    def render(self) -> None:
        if not hasattr(self, "tabs"):
            self._build()
        self.deck.redraw("refresh")
        self._sync_picker()

    def _build(self) -> None:
        from coachkit.apps.facilitate.guide_tab import GuideTab
        from coachkit.apps.facilitate.observe_tab import ObserveTab
        from coachkit.apps.facilitate.prep_tab import PrepTab
        from coachkit.apps.facilitate.progress_tab import ProgressTab
        from coachkit.apps.facilitate.queue_tab import QueueTab
        from coachkit.apps.facilitate.write_tab import WriteTab

        self.rep_picker = w.Dropdown(description="Rep:", layout=w.Layout(width="420px"))
        self.rep_picker.add_class("ck-rep-picker")
        self._syncing = False
        self.rep_picker.observe(self._on_pick, names="value")
        built_in = [
            QueueTab,
            PrepTab,
            ObserveTab,
            GuideTab,
            WriteTab,
            ProgressTab,
        ]
        self.deck = TabDeck(self, add_plugin_tabs(self, built_in))
        self.tabs = self.deck.tabs  # each built when first opened
        self.tab_widget = self.deck.widget
        self.shell.body.children = [self.rep_picker, self.tab_widget]

    def _sync_picker(self) -> None:
        queue = self.state.queue
        self._syncing = True
        try:
            self.rep_picker.options = [
                (str(r.rep), int(r.rep_id)) for r in queue.itertuples()
            ]
            self.rep_picker.value = self.state.rep_id
        finally:
            self._syncing = False

    def _on_pick(self, change: Any) -> None:
        if self._syncing or change.new is None or change.new == self.state.rep_id:
            return
        guarded(self.state, "opening this rep")(self.open_rep)(int(change.new))


def build_facilitate(**kwargs: Any) -> Facilitate | w.HTML:
    """Build the Facilitate workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Facilitate, **kwargs)
