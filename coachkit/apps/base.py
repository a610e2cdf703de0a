"""What every workbook does on start: open the store, pick a coach, build the shell."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from coachkit.apps.address import Address, address_html
from coachkit.apps.plugins import add_plugin_tabs
from coachkit.apps.rep_picker import RepSearch, by_team, matching
from coachkit.apps.shell import (
    AppState,
    ShellView,
    await_visitor,
    guarded,
    pooled,
    requested_coach,
)
from coachkit.apps.tabs import DATA, Tab, TabDeck
from coachkit.errors import CoachkitError
from coachkit.model.pillars import pillar
from coachkit.store import access, queries
from coachkit.store.access import Viewer
from coachkit.store.database import Store, open_existing
from coachkit.web import identity
from coachkit.web.workshop import SeatNeeded, has_seats, seat_in

if TYPE_CHECKING:
    from coachkit.apps.trainer import TrainerView
    from coachkit.apps.workshop_claim import ClaimView

_STORES: dict[str, Store] = {}
#: On a page that was built before its visitor came (tests and benchmarks look).
BUILT_EARLY_CLASS = "ck-built-before-visit"
#: Enough words for :func:`coachkit.model.readability.grade_level` to load its
#: dictionary.
_WARM_UP_TEXT = (
    "The coach and the rep met to talk about the call. They agreed on one thing "
    "to practise. The rep will ask more questions next week."
)


def store_for(db: str | os.PathLike[str] | None) -> Store:
    """Open the store once per kernel and reuse it; a page never creates one."""
    key = os.fspath(db) if db is not None else os.environ.get("COACHKIT_DB", "")
    if key not in _STORES:
        _STORES[key] = open_existing(db)
    return _STORES[key]


class Workbook:
    """Base class of the three workbooks.

    Subclasses set ``pillar_key`` and fill in :meth:`load` (read the store into the
    state), :meth:`tab_kinds` (the tabs, in order) and :meth:`rep_choices` (the Rep
    picker's reps). The page is the pickers (:meth:`controls`) over the tabs; the
    workbook tells its tabs what changed with :meth:`announce` (see
    :mod:`coachkit.apps.tabs`), and picking a rep calls :meth:`open_rep`.

    Parameters
    ----------
    db
        The store (path or URL); None means ``COACHKIT_DB`` or the default file.
    coach
        The coach's id; None means the one in the page address, else the first coach.
        Someone signed in (JupyterHub, a trusted proxy, a workshop seat) only ever
        gets their own team; an enablement lead may pick any coach. With None, the
        page address also picks the rep, the tab and (Improve) the period, and the
        page keeps them there as they change (:mod:`coachkit.apps.address`).
    today
        The day to treat as today (tests pin it).
    """

    pillar_key = ""
    state: AppState
    rep_picker_width = "420px"

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        coach: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.today = today or dt.date.today()
        self.plugin_problems: list[str] = []  # filled by apps.plugins.add_plugin_tabs
        self.whole_store = store_for(db)
        self.store = self.whole_store
        asked = coach is None
        if asked:
            coach = requested_coach(self.warm_up)  # a preheated kernel waits here
        self.asked_for = Address.parse(
            os.environ.get("QUERY_STRING", "") if asked else ""
        )
        with self.whole_store.read() as conn:
            self.visitor = identity.visitor(
                conn,
                os.environ,
                os.environ.get("QUERY_STRING", "") if asked else "",
                seats=asked,
            )
            self.coaches = queries.coaches(conn)
        if self.visitor is not None:
            if not self.visitor.sees_all:
                mine = self.coaches["coach_id"] == self.visitor.coach_id
                self.coaches = self.coaches[mine]
            if not self.visitor.sees_all or coach is None:
                coach = self.visitor.coach_id
        self.state = self.make_state()
        self.seed(self.asked_for)
        self.state.coach_id = self._pick(coach)
        seat = ""  # a workshop seat's links keep the participant in it
        if self.visitor is not None and self.visitor.source == "seat":
            seat = seat_in(os.environ.get("QUERY_STRING", ""))
        self.shell = ShellView(
            pillar(self.pillar_key), self.state, self.coaches, self.visitor, seat
        )
        if self.visitor is not None and self.visitor.source == "seat":
            # Keep the seat in a cookie; stop saving once the trainer resets it.
            from coachkit.apps.workshop_watch import keep_watch

            keep_watch(self)
        self.state.observe(self._on_coach, names="coach_id")
        self._on_coach()
        self._note_ignored(self.asked_for)
        self._keep_address()
        self.shell.ready()

    def make_state(self) -> AppState:
        """Return a fresh state object; subclasses return their own kind."""
        return AppState()

    @classmethod
    def warm_up(cls) -> None:
        """Load what every visitor needs (a preheated kernel does it before one comes).

        What :meth:`preload` loads, then vl-convert's first drawing, which starts its
        engine: 1.5 s or more that a page served from the pool no longer waits for.
        """
        from coachkit.model import charts

        cls.preload()
        charts.warm_up()

    @classmethod
    def preload(cls) -> None:
        """Import and read what starts no thread: altair and vl-convert's modules,
        the hyphenation dictionary that scores plans and write-ups, and this
        workbook's tab modules. The kernel template (coachkit/web/kernels.py) does it
        once for every kernel copied from it.
        """
        import altair  # noqa: F401
        import vl_convert  # noqa: F401

        from coachkit.model.readability import grade_level

        grade_level(_WARM_UP_TEXT)
        package = cls.__module__
        folders = getattr(sys.modules[package], "__path__", [])
        for module in pkgutil.iter_modules(folders):
            importlib.import_module(f"{package}.{module.name}")

    @property
    def view(self) -> w.VBox:
        """The root widget to display."""
        return self.shell.root

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view)

    def _pick(self, coach: int | None) -> int | None:
        return likely_coach(self.coaches, coach)

    def _on_coach(self, _change: object = None) -> None:
        run = guarded(self.state, "loading this coach's data")(self._reload)
        run()

    def _reload(self) -> None:
        coach_id = self.state.coach_id
        if coach_id is None:
            self.state.say(
                "There are no coaches in this store yet. Load the demo team with: "
                "coachkit demo",
                "info",
            )
            self.shell.body.children = []
            return
        row = self.coaches[self.coaches["coach_id"] == coach_id].iloc[0]
        self.state.sees_all = row["role"] == "lead"
        scope = None if self.state.sees_all else coach_id
        # Everything below reads and writes as this person; the store refuses any
        # other coach's reps (a value changed in the browser gets a refusal).
        viewer = self.visitor or Viewer(
            int(coach_id), str(row["coach"]), str(row["role"]), "picker"
        )
        self.store = self.whole_store.as_viewer(viewer)
        with self.store.read() as conn:
            self.load(conn, scope)
        self.render()
        who = "everyone's reps" if self.state.sees_all else f"{row['coach']}'s reps"
        self.state.say(f"Showing {who}.", "info")
        if self.plugin_problems:
            self.state.fail(" ".join(self.plugin_problems))

    def check_rep(self, rep_id: int) -> None:
        """Refuse a rep outside the viewer's team (a value sent from the browser).

        Raises
        ------
        coachkit.store.access.AccessDenied
            The rep is on another coach's team; nothing changes on screen.
        """
        with self.store.read() as conn:
            access.check(conn, self.store.viewer, "rep_id", rep_id)

    def reload_team(self) -> None:
        """Read everything again (after an import changed the team's data)."""
        self._reload()

    def load(self, conn: Any, coach_id: int | None) -> None:
        """Read what this workbook shows; ``coach_id=None`` means every coach."""
        raise NotImplementedError

    def load_rep(self, conn: Any) -> None:
        """Read what follows the picked rep into the state (by default, nothing)."""

    def tab_kinds(self) -> Sequence[type[Tab]]:
        """The workbook's tab classes, in the order a coach works through them."""
        raise NotImplementedError

    def rep_choices(self) -> list[tuple[str, int]]:
        """The Rep picker's (label, rep id) pairs."""
        raise NotImplementedError

    def controls(self) -> list[w.Widget]:
        """What the page shows above the tabs."""
        return [self.rep_picker]

    # -- the page: pickers over tabs ---------------------------------------------
    def render(self) -> None:
        """Fill ``self.shell.body`` (once), then show the state read just now."""
        if not hasattr(self, "deck"):
            self._build_view()
        self.show_reps()
        self.announce(DATA)

    def _build_view(self) -> None:
        self.rep_picker = w.Dropdown(
            description="Rep:",
            layout=w.Layout(width=self.rep_picker_width, max_width="100%"),
        )
        self.rep_picker.add_class("ck-rep-picker")
        self._showing_reps = False
        self.rep_picker.observe(self._on_rep, names="value")
        # A lead's reps, grouped by coach, and the box that narrows them.
        self.rep_search = RepSearch()
        self._all_reps: list[tuple[str, int]] = []
        self._rep_teams: dict[int, tuple[str, str]] = {}  # rep id: (rep, coach)
        self.rep_search.text.observe(self._on_rep_search, names="value")
        tabs = add_plugin_tabs(self, list(self.tab_kinds()))
        first = self.asked_for.tab  # the tab in the page address, opened first
        start = first - 1 if first is not None and 1 <= first <= len(tabs) else 0
        self.deck = TabDeck(self, tabs, start)
        self.tabs = self.deck.tabs  # each built when first opened
        self.tab_widget = self.deck.widget
        self.shell.body.children = [
            *self.controls(),
            self.rep_search.box,
            self.tab_widget,
        ]

    def announce(self, event: str) -> None:
        """Tell the tabs what changed (an event of :data:`coachkit.apps.tabs.EVENTS`).

        The tab on screen redraws now; the others when they are opened.
        """
        if hasattr(self, "deck"):
            self.deck.announce(event)

    def show_reps(self, options: bool = True) -> None:
        """Select the picked rep in the Rep picker; ``options``: list the reps again."""
        state: Any = self.state  # every workbook's state has a rep_id
        listed = [value for _label, value in self.rep_picker.options]
        self._showing_reps = True
        try:
            if options or state.rep_id not in listed:  # or opened past the search
                self._all_reps = self.rep_choices()
                self._rep_teams = self._teams() if state.sees_all else {}
                if state.sees_all:
                    self._all_reps = by_team(self._all_reps, self._rep_teams)
                self.rep_search.show(state.sees_all)  # empty: every rep is listed
                self.rep_picker.options = self._all_reps
            self.rep_picker.value = state.rep_id
        finally:
            self._showing_reps = False

    def _teams(self) -> dict[int, tuple[str, str]]:
        """Each rep id the viewer sees, with the rep's and their coach's name."""
        with self.store.read() as conn:
            roster = queries.roster(conn, None, include_inactive=True)
        return {int(r.rep_id): (str(r.rep), str(r.coach)) for r in roster.itertuples()}

    def _on_rep_search(self, change: Any) -> None:
        """Narrow the Rep picker to the reps whose label holds what was typed.

        A choice that is no rep (Improve's "Everyone") stays. The picker shows no
        rep while the one open is not among them; a name only one rep has opens
        that rep.
        """
        if self._showing_reps:
            return
        state: Any = self.state
        typed = str(change.new)
        reps = [c for c in self._all_reps if c[1] in self._rep_teams]
        found = matching(reps, typed)
        others = [c for c in self._all_reps if c[1] not in self._rep_teams]
        listed = others + found if typed.strip() and found else self._all_reps
        self._showing_reps = True
        try:
            self.rep_picker.options = listed
            ids = [value for _label, value in listed]
            self.rep_picker.value = state.rep_id if state.rep_id in ids else None
        finally:
            self._showing_reps = False
        self.rep_search.say(typed, found)
        if len(found) == 1 and typed.strip() and found[0][1] != state.rep_id:
            guarded(self.state, "opening this rep")(self.open_rep)(found[0][1])

    def _on_rep(self, change: Any) -> None:
        state: Any = self.state
        if self._showing_reps or change.new is None or change.new == state.rep_id:
            return
        guarded(self.state, "opening this rep")(self.open_rep)(int(change.new))

    def open_rep(self, rep_id: int) -> None:
        """Look at another rep (the Rep picker calls this): read them, redraw the tabs.

        Raises
        ------
        coachkit.store.access.AccessDenied
            The rep is on another coach's team; nothing changes on screen.
        """
        if rep_id:  # Improve's 0 is the whole team
            self.check_rep(int(rep_id))
        state: Any = self.state
        state.rep_id = int(rep_id)
        with self.store.read() as conn:
            self.load_rep(conn)
        self.show_reps(options=False)
        self.announce("rep")

    # -- the page address: what a reload keeps and a link opens ------------------
    def seed(self, address: Address) -> None:
        """Start from the rep ``address`` asks for, before the first read.

        Only a start: :meth:`load` drops a rep the viewer's roster does not hold.
        Improve also starts from the period asked for.
        """
        if address.rep is not None and self.state.has_trait("rep_id"):
            self.state.set_trait("rep_id", address.rep)

    def follow(self, address: Address) -> None:
        """Show the view ``address`` asks for on a page built before it was asked.

        A value the viewer may not see is skipped, with a quiet note.
        """
        self.asked_for = address
        state: Any = self.state
        if hasattr(self, "deck"):
            wanted = address.rep
            reps = [value for _label, value in self.rep_choices()]
            if wanted is not None and wanted != state.rep_id and wanted in reps:
                guarded(self.state, "opening this rep")(self.open_rep)(wanted)
            if address.tab is not None and 1 <= address.tab <= len(self.deck.tabs):
                self.tab_widget.selected_index = address.tab - 1
        self._note_ignored(address)

    def skipped(self, address: Address) -> list[str]:
        """The parts of ``address`` this page did not follow ("the rep", ...)."""
        state: Any = self.state
        parts = []
        if address.coach is not None and address.coach != state.coach_id:
            parts.append("the coach")
        if address.rep is not None and address.rep != getattr(state, "rep_id", None):
            parts.append("the rep")
        tabs = len(self.deck.tabs) if hasattr(self, "deck") else 0
        if address.tab is not None and not 1 <= address.tab <= tabs:
            parts.append("the tab")
        return parts

    def _note_ignored(self, address: Address) -> None:
        """Say, quietly, which parts of the link were skipped (never what they held)."""
        if self.state.coach_id is None:
            return
        parts = self.skipped(address)
        if parts:
            listed = parts[-1]
            if len(parts) > 1:
                listed = f"{', '.join(parts[:-1])} and {listed}"
            found = "was" if len(parts) == 1 else "were"
            level = "error" if self.state.level == "error" else "info"
            self.state.say(
                f"{self.state.message} Part of the link was skipped: {listed} "
                f"{found} not found.".strip(),
                level,
            )

    def current_address(self) -> Address:
        """The view on screen, as the page address keeps it."""
        state: Any = self.state
        coach = None
        if self.visitor is None or self.visitor.sees_all:
            coach = state.coach_id
        tab = None
        if hasattr(self, "deck"):
            index = self.tab_widget.selected_index or 0
            tab = index + 1 if index else None
        return Address(coach=coach, rep=getattr(state, "rep_id", None) or None, tab=tab)

    def _keep_address(self) -> None:
        """Write the view into the page address whenever it changes."""
        names = [n for n in ("coach_id", "rep_id", "period") if self.state.has_trait(n)]
        self.state.observe(self._write_address, names=names)
        if hasattr(self, "deck"):
            self.tab_widget.observe(self._write_address, names="selected_index")
        self._write_address()

    def _write_address(self, _change: object = None) -> None:
        self.shell.address.value = address_html(self.current_address())

    # -- tabs for analysts and tests ---------------------------------------------
    def tab(self, key: str) -> Any:
        """The tab called ``key`` (e.g. ``"look_back"``), built and up to date."""
        return self.deck.show(self.deck.find(key))

    def show_all(self) -> None:
        """Build and draw every tab (for analysts who want every table at once)."""
        for index in range(len(self.deck.tabs)):
            self.deck.show(index)

    @property
    def timings(self) -> dict[str, float]:
        """The kernel seconds each tab's latest drawing took, by key (or title)."""
        return self.deck.timings


def likely_coach(coaches: pd.DataFrame, coach: int | None) -> int | None:
    """``coach`` if ``coaches`` has them, else the first plain coach (None: nobody)."""
    if coach in list(coaches["coach_id"]):
        return coach
    plain = coaches[coaches["role"] == "coach"]
    return int(plain["coach_id"].iloc[0]) if len(plain) else None


def error_view(message: str) -> w.HTML:
    """A page-sized message for when a workbook cannot start at all."""
    from coachkit.apps.shell import text

    box = w.HTML(
        "<div style='padding:16px;background:#fde8e8;color:#7f1d1d;border-radius:4px'>"
        f"<b>coachkit cannot start this workbook.</b><br>{text(message)}</div>"
    )
    box.add_class("coachkit-error")
    return box


def build(
    cls: type[Workbook], **kwargs: Any
) -> Workbook | w.HTML | ClaimView | TrainerView:
    """Build a workbook, or a plain error message if the store cannot be opened.

    A workshop store opened without a seat link gives the form that claims a seat;
    opened with the trainer's key, the trainer's page.
    """
    try:
        return _built_before_visitor(cls, kwargs) or cls(**kwargs)
    except SeatNeeded as exc:  # the claim form, or the trainer's page
        from coachkit.apps.workshop_claim import seat_page

        return seat_page(store_for(kwargs.get("db")), pillar(cls.pillar_key), exc)
    except CoachkitError as exc:
        return error_view(str(exc))


def _built_before_visitor(
    cls: type[Workbook], kwargs: dict[str, Any]
) -> Workbook | None:
    """In a preheated kernel, build the page before anyone asks; keep it if it fits.

    Only in single-user mode (no JupyterHub, no trusted proxy, no workshop seats),
    for the coach a page address without ``?coach=`` gets. Once the visitor comes,
    the page is kept only if they get that same coach, on the same day, with
    nothing saved to the store in between. Otherwise every widget is closed and
    None tells the caller to build again.
    """
    if kwargs.get("coach") is not None or not pooled():
        return None
    if os.environ.get(identity.HUB_VAR) or os.environ.get(identity.HEADER_VAR):
        return None
    store = store_for(kwargs.get("db"))
    changed = store.watch()
    with store.read() as conn:
        if has_seats(conn):
            changed()
            return None
        first = likely_coach(queries.coaches(conn), None)
    cls.warm_up()
    try:
        early = cls(**{**kwargs, "coach": first})  # a coach is given: nobody is awaited
    except CoachkitError:
        early = None  # the visitor gets the message from the build after the request
    await_visitor()
    saved_since = changed()  # asked always: it also closes SQLite's watching link
    if early is not None and not saved_since and _fits(early, store, kwargs):
        early.follow(Address.parse(os.environ.get("QUERY_STRING", "")))
        early.view.add_class(BUILT_EARLY_CLASS)
        return early
    w.Widget.close_all()  # the browser is sent every live widget: none of these
    return None


def _fits(early: Workbook, store: Store, kwargs: dict[str, Any]) -> bool:
    """Whether the visitor who came gets the page built before they asked."""
    if early.today != (kwargs.get("today") or dt.date.today()):
        return False
    with store.read() as conn:
        try:
            query = os.environ.get("QUERY_STRING", "")
            if identity.visitor(conn, os.environ, query) is not None:
                return False
        except CoachkitError:  # a seat link on a store without seats, say
            return False
    return likely_coach(early.coaches, requested_coach()) == early.state.coach_id
