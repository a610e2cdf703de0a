"""Workbook 2, Facilitate: who to coach today, and the session itself.

The state holds today's queue, the open rep's prep brief and the session draft; the
tabs (queue, prep, observe, guide, write-up, progress) bind widgets to it. The draft
lives in the store from its first keystroke, so a closed tab loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets as t

from coachkit.apps.base import Workbook, build
from coachkit.apps.shell import AppState
from coachkit.apps.tabs import DATA, Tab
from coachkit.facilitate import actions as ac
from coachkit.facilitate import observations as obs
from coachkit.facilitate import prep, progress
from coachkit.facilitate import sessions as se
from coachkit.facilitate.queue import todays_queue
from coachkit.facilitate.sessions import (
    SessionDraft,
    load_draft,
    load_session,
    start_draft,
)
from coachkit.facilitate.summary import Summary, session_summary
from coachkit.model.framework import behaviours_frame
from coachkit.model.templates import load_session_guides


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
        self.load_rep(conn)

    def load_rep(self, conn: Any) -> None:
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
        super().open_rep(rep_id)
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
                from coachkit.model import team

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
        self.announce("draft")

    def refresh_progress(self) -> None:
        """Read the rep's progress and queue again (after finishing a session)."""
        scope = None if self.state.sees_all else self.state.coach_id
        with self.store.read() as conn:
            self.state.queue = todays_queue(conn, scope, self.today)
            self.load_rep(conn)
        self.announce(DATA)

    def behaviours(self) -> pd.DataFrame:
        """Every behaviour of the framework: what a session may focus on."""
        with self.store.read() as conn:
            return behaviours_frame(conn)

    # -- the open session, saved as the coach goes ---------------------------------
    def save_draft(self, values: dict[str, object], expected_version: int) -> int:
        """Save some of the draft's fields; return its new version.

        Raises
        ------
        coachkit.facilitate.sessions.SessionConflict
            Someone else saved it first: the coach's copy is saved beside theirs
            and shown.
        """
        try:
            return se.save_draft(
                self.store,
                self.state.draft.id,
                values,
                expected_version=expected_version,
            )
        except se.SessionConflict as exc:
            self.reload_draft(exc.copy_id)
            raise

    def finish_session(
        self, values: dict[str, object], expected_version: int
    ) -> Summary:
        """Save the draft as done, read the progress again; return its summary.

        Raises
        ------
        coachkit.facilitate.sessions.SessionConflict
            As :meth:`save_draft`.
        """
        draft = self.state.draft
        try:
            se.finish_session(
                self.store,
                draft.id,
                values,
                expected_version=expected_version,
                today=self.today,
            )
        except se.SessionConflict as exc:
            self.reload_draft(exc.copy_id)
            raise
        with self.store.read() as conn:
            summary = session_summary(conn, draft.id, self.guides)
        self.refresh_progress()
        return summary

    def log_tap(self, behaviour_id: int, outcome: str, note: str) -> None:
        """Save one observation of the open session, at this moment."""
        with self.store.write() as conn:
            obs.log_observation(
                conn,
                session_id=self.state.draft.id,
                behaviour_id=behaviour_id,
                outcome=outcome,
                note=note,
                at=dt.datetime.now().replace(microsecond=0),
            )

    def undo_tap(self) -> None:
        """Take back the session's latest observation, and show the draft again."""
        draft = self.state.draft
        with self.store.write() as conn:
            obs.undo_last(conn, draft.id)
        self.reload_draft(draft.id)

    def add_action(
        self, action: ac.ActionDraft, held_on: dt.date
    ) -> tuple[ac.Action, ...]:
        """Add an agreed action to the open session; return all of its actions."""
        draft = self.state.draft
        with self.store.write() as conn:
            ac.add_action(conn, draft.id, action, held_on)
            return ac.session_actions(conn, draft.id)

    def remove_action(self, action_id: int) -> tuple[ac.Action, ...]:
        """Remove an action from the open session; return the ones left."""
        draft = self.state.draft
        with self.store.write() as conn:
            ac.remove_action(conn, action_id)
            return ac.session_actions(conn, draft.id)

    def tab_kinds(self) -> Sequence[type[Tab]]:
        from coachkit.apps.facilitate.guide_tab import GuideTab
        from coachkit.apps.facilitate.observe_tab import ObserveTab
        from coachkit.apps.facilitate.prep_tab import PrepTab
        from coachkit.apps.facilitate.progress_tab import ProgressTab
        from coachkit.apps.facilitate.queue_tab import QueueTab
        from coachkit.apps.facilitate.write_tab import WriteTab

        return [QueueTab, PrepTab, ObserveTab, GuideTab, WriteTab, ProgressTab]

    def rep_choices(self) -> list[tuple[str, int]]:
        return [(str(r.rep), int(r.rep_id)) for r in self.state.queue.itertuples()]


def build_facilitate(**kwargs: Any) -> Facilitate | w.HTML:
    """Build the Facilitate workbook (see :class:`coachkit.apps.base.Workbook`)."""
    return build(Facilitate, **kwargs)
