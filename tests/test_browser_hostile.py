"""Hostile text in every entry point stays text in every workbook view and report.

Issue 9, item 1, in headless Chromium. One store is filled with text that would run
a script if any screen or report treated it as HTML: rep names, roles and segments
(typed, and from a CSV file), a coach's name, behaviour, objective and rubric text
(from a framework template installed with ``coachkit templates use``), goals, plan
notes, actions, session notes (typed, and from a CSV file), observation notes,
rating evidence (CSV) and reflections. Each payload carries the class ``ckpwn`` and
sets ``window.__pwned`` and opens a dialog if it ever runs.

The tests serve the store once, open each workbook as the coach whose team holds
the payloads (and as the lead), click through every tab with the hostile rep picked,
try payloads in page addresses and in an uploaded file, and open every HTML report
(and every Markdown report, drawn by a renderer that lets raw HTML and any link
through). After each view: no payload ran, no dialog opened, no element came from
the data, and the payload is on screen as the characters that were typed.
Set ``COACHKIT_SCREENSHOTS`` to keep a screenshot of each view.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from browser_fixtures import (
    Server,
    Watched,
    open_tab,
    open_workbook,
    screenshot,
    serving,
)
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.demo import build_demo
from coachkit.errors import ValidationError
from coachkit.facilitate import actions as ac
from coachkit.facilitate import observations as obs
from coachkit.facilitate import sessions as se
from coachkit.improve import reflections
from coachkit.model import goals as gl
from coachkit.model import team
from coachkit.model.framework import prepare_store
from coachkit.model.pillars import pillar
from coachkit.model.plans import FocusChoice, current_plan, save_plan
from coachkit.model.templates import templates_dir
from coachkit.store import queries
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

pytestmark = pytest.mark.browser

ROUND_TRIP_MS = 30_000
#: How long a workbook page may take to load on a busy machine.
LOAD_MS = 120_000

# -- the payloads ---------------------------------------------------------------------
#: Class on every element a payload would create: none may ever be in a page.
MARK = "ckpwn"
#: What a payload runs: a trace the page keeps, and a dialog.
RUN = "window.__pwned=1;alert(1)"
IMG = f'<img class={MARK} src=x onerror="{RUN}">'
SCRIPT = f"<script class={MARK}>{RUN}</script>"
CLOSE = f"</script><script class={MARK}>{RUN}</script>"
LINK = f'<a class={MARK} href="javascript:{RUN}">click</a>'
SVG = f'<svg class={MARK} onload="{RUN}"></svg>'
QUOTE = f"\"'><img class={MARK} src=x onerror={RUN}>"
#: Markup for Markdown reports: a link to javascript: and a broken image.
MARKDOWN = f"[click](javascript:{RUN}) ![{MARK}](x)"
#: Already-escaped text must not be unescaped into markup on the way.
ENTITY = f"&lt;b class={MARK}&gt;bold&lt;/b&gt; &amp; more"
#: Right-to-left override, Hebrew and Arabic.
RTL = "\u202etxt.exe\u202c שלום مرحبا"
#: Hebrew and Arabic as a name may hold them: a name with a direction override is
#: refused (its characters cannot be seen), so names carry the words only.
RTL_NAME = "שלום مرحبا"
#: Skin tone, family and flag sequences joined with U+200D.
EMOJI = "👩🏽\u200d💻 👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈"
#: Only characters outside the 16-bit range: a label cut anywhere splits one.
ASTRAL = "😀" * 40
PAYLOADS = (IMG, SCRIPT, CLOSE, LINK, SVG, QUOTE, MARKDOWN, ENTITY, RTL, EMOJI, ASTRAL)
EVERYTHING = " ".join(PAYLOADS)

COACH = f"Uma {IMG}"
REP = f"Ana {IMG} {EMOJI}"  # typed in the workbook's way (team.update_rep)
REP_ROLE = SCRIPT
REP_SEGMENT = CLOSE
#: Reps that come in from a CSV file: (name, role, segment).
CSV_REPS = (
    (f"Bo {SVG}", LINK, RTL),
    (f"Cy {QUOTE}", EMOJI, ENTITY),
    (f"Di {RTL_NAME}", "Account Executive", SCRIPT),
    (f"Fi {LINK}", CLOSE, "SMB"),
    (f"Ed {MARKDOWN}", MARKDOWN, MARKDOWN),
    (f"Em {ASTRAL}", ASTRAL, ASTRAL),
)
CSV_EVIDENCE = f"CSV evidence {CLOSE} {LINK}"
CSV_NOTE = f"CSV note {SVG} {QUOTE} {RTL}"
METRIC = f"Calls {CLOSE}"
GOAL = f"Goal {SCRIPT} {QUOTE} {MARKDOWN}"
#: Plan notes have no length limit: 5,000 characters.
LONG = (f"Long {EVERYTHING} " * 40)[:4999] + "."
WENT_WELL = f"Went well {IMG} {CLOSE}"
TO_CHANGE = f"To change {LINK} {ENTITY} {MARKDOWN}"
REP_VIEW = f"Rep view {SVG} {EMOJI} {RTL}"
#: Session notes take up to 4,000 characters.
LONG_NOTE = (f"Open draft {EVERYTHING} " * 30)[:3989] + "."
ACTION = f"Action {LINK} {SVG} {MARKDOWN}"
DRAFT_ACTION = f"Draft action {IMG}"
OBSERVED = f"Observed {QUOTE} {SCRIPT}"
REFLECTION = (f"Reflection {EVERYTHING} " * 20)[:3989] + "."


@dataclass(frozen=True)
class Hostile:
    """The hostile store and the ids the tests need."""

    db: Path
    coach_id: int
    lead_id: int
    session_id: int  # finished, with hostile notes, actions and observations
    behaviours: tuple[str, ...]  # hostile behaviour names, in framework order
    first_key: str  # the first behaviour's key
    rubric_1: str  # level 1 of the first behaviour's rubric
    objective: str  # the first objective's hostile name


# -- building the store ---------------------------------------------------------------
def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"coachkit {' '.join(args)}:\n{result.output}"
    return result.output


def _framework_file(folder: Path) -> Path:
    """The shipped framework, with a payload in every name, description and level.

    Beside it, the shipped metrics plus one with a hostile name, shown by the first
    behaviour.
    """
    data = yaml.safe_load((templates_dir() / "framework.yaml").read_text())
    data["name"] = f"Hostile {SCRIPT}"
    count = 0
    for objective in data["objectives"]:
        objective["name"] = f"{objective['name']} {PAYLOADS[count % len(PAYLOADS)]}"
        for b in objective["behaviours"]:
            payload = PAYLOADS[count % len(PAYLOADS)]
            b["name"] = f"{b['name']} {payload}"
            b["description"] = f"{payload} {b['description']}"
            b["rubric"] = {
                level: f"{payload} {text}"[:500] for level, text in b["rubric"].items()
            }
            count += 1
    first = data["objectives"][0]["behaviours"][0]
    first["metrics"] = [*first["metrics"], "hostile_calls"]
    metrics = yaml.safe_load((templates_dir() / "metrics.yaml").read_text())
    metrics["metrics"].append(
        {
            "key": "hostile_calls",
            "name": METRIC,
            "unit": "per week",
            "kind": "count",
            "higher_is_better": True,
            "description": f"{IMG} {MARKDOWN}",
        }
    )
    dump = {"allow_unicode": True, "width": 10_000}
    (folder / "metrics.yaml").write_text(yaml.safe_dump(metrics, **dump))
    path = folder / "framework.yaml"
    path.write_text(yaml.safe_dump(data, **dump))
    return path


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


def _goal(conn: Any, rep_id: int, behaviour_id: int, today: dt.date) -> Any:
    """A goal with a hostile description on the first metric a target fits."""
    for m in gl.metrics_for_behaviour(conn, behaviour_id).itertuples():
        for target in ("99%", "1%", "1000000", "0"):
            draft = gl.GoalDraft(
                rep_id=rep_id,
                behaviour_id=behaviour_id,
                metric_id=int(m.metric_id),
                description=GOAL,
                target=target,
                due_on=today + dt.timedelta(days=60),
            )
            try:
                gl.validate_goal(conn, draft, today)
            except ValidationError:
                continue
            return draft
    pytest.fail("no metric of the focus behaviour takes a goal")


def _session(store: Store, coach_id: int, rep_id: int, today: dt.date) -> int:
    """The rep's open draft (or a new one), filled with hostile text."""
    with store.write() as conn:
        session_id = se.start_draft(conn, coach_id=coach_id, rep_id=rep_id, today=today)
        draft = se.load_session(conn, session_id)
        behaviour = int(draft.focus_ids[0])
        ac.add_action(
            conn,
            session_id,
            ac.ActionDraft(ACTION, "rep", today + dt.timedelta(days=7)),
        )
        obs.log_observation(
            conn,
            session_id=session_id,
            behaviour_id=behaviour,
            outcome="partly",
            note=OBSERVED,
            at=dt.datetime.now().replace(microsecond=0),
        )
    fields = {
        "session_type": "call_review",
        "held_on": today,
        "duration_minutes": 30,
        "style": "guide",
        "went_well": WENT_WELL,
        "to_change": TO_CHANGE,
        "rep_view": REP_VIEW,
        **dict.fromkeys(se.SCORE_FIELDS, 4),
    }
    se.save_draft(store, session_id, fields, expected_version=draft.row_version)
    return session_id


def _build(folder: Path, today: dt.date) -> Hostile:
    db = folder / "hostile.db"
    store = prepare_store(str(db))
    try:
        build_demo(store, today=today)
        with store.write() as conn:
            coaches = queries.coaches(conn)
            coach_id = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
            lead_id = int(coaches[coaches["role"] == "lead"]["coach_id"].iloc[0])
            # No command renames a coach yet; the name is stored as typed.
            conn.execute(
                s.coaches.update().where(s.coaches.c.id == coach_id).values(name=COACH)
            )
            roster = queries.roster(conn, coach_id)
            rep_id = next(
                int(r.rep_id)
                for r in roster.itertuples()
                if current_plan(conn, int(r.rep_id)) is not None
            )
            rep = team.get_rep(conn, rep_id)
            team.update_rep(
                conn,
                rep_id,
                expected_version=rep.row_version,
                name=REP,
                role=REP_ROLE,
                segment=REP_SEGMENT,
                start_date=rep.start_date,
                today=today,
            )
    finally:
        store.dispose()

    _cli("templates", "use", str(_framework_file(folder)), "--db", str(db))
    reps = _write_csv(
        folder / "reps.csv",
        ["coach", "name", "role", "segment", "start_date"],
        [[COACH, n, role, seg, "2025-01-06"] for n, role, seg in CSV_REPS],
    )
    _cli("import", "reps", str(reps), "--db", str(db))

    store = open_store(str(db))
    try:
        with store.read() as conn:
            framework = conn.execute(
                sa.select(s.behaviours.c.id, s.behaviours.c.key, s.behaviours.c.name)
                .join(s.objectives, s.behaviours.c.objective_id == s.objectives.c.id)
                .order_by(s.objectives.c.position, s.behaviours.c.position)
            ).all()
            objective = (
                conn.execute(
                    sa.select(s.objectives.c.name).order_by(s.objectives.c.position)
                )
                .scalars()
                .first()
            )
        day = (today - dt.timedelta(days=1)).isoformat()
        ratings = _write_csv(
            folder / "assessments.csv",
            ["coach", "rep", "behaviour", "date", "skill", "will", "evidence"],
            [
                [COACH, name, b.key, day, 2, 4, CSV_EVIDENCE]
                for name in (REP, CSV_REPS[0][0])
                for b in framework
            ],
        )
        _cli("import", "assessments", str(ratings), "--db", str(db))
        held = _write_csv(
            folder / "sessions.csv",
            ["coach", "rep", "date", "type", "went_well", "to_change", "rep_view"],
            [
                [COACH, name, day, "one_on_one", CSV_NOTE, CSV_NOTE, CSV_EVIDENCE]
                for name in (REP, CSV_REPS[0][0])
            ],
        )
        _cli("import", "sessions", str(held), "--db", str(db))

        focus = [int(framework[0].id), int(framework[1].id)]
        with store.write() as conn:
            plan = current_plan(conn, rep_id)
            save_plan(
                conn,
                coach_id=coach_id,
                rep_id=rep_id,
                focus=[FocusChoice(b, "guide", "prompt") for b in focus],
                goals=[_goal(conn, rep_id, focus[0], today)],
                sessions_per_month=4,
                minutes_per_session=45,
                notes=LONG,
                today=today,
                expected_version=plan.row_version if plan is not None else 0,
            )
            reflections.save_reflection(conn, coach_id, REFLECTION, today)
        done = _session(store, coach_id, rep_id, today)
        with store.read() as conn:
            version = se.load_session(conn, done).row_version
        se.finish_session(store, done, {}, expected_version=version, today=today)
        # An open draft for the Facilitate workbook to show and finish.
        draft = _session(store, coach_id, rep_id, today)
        with store.read() as conn:
            version = se.load_session(conn, draft).row_version
        se.save_draft(store, draft, {"went_well": LONG_NOTE}, expected_version=version)
        with store.write() as conn:
            ac.add_action(
                conn,
                draft,
                ac.ActionDraft(DRAFT_ACTION, "coach", today + dt.timedelta(days=7)),
            )
        with store.read() as conn:
            rubric_1 = (
                conn.execute(
                    sa.select(s.rubric_levels.c.text)
                    .where(s.rubric_levels.c.behaviour_id == framework[0].id)
                    .where(s.rubric_levels.c.level == 1)
                    .order_by(s.rubric_levels.c.version.desc())
                )
                .scalars()
                .first()
            )
    finally:
        store.dispose()
    return Hostile(
        db=db,
        coach_id=coach_id,
        lead_id=lead_id,
        session_id=done,
        behaviours=tuple(str(b.name) for b in framework),
        first_key=str(framework[0].key),
        rubric_1=str(rubric_1),
        objective=str(objective),
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    """A demo store with a hostile payload in every text a person can enter."""
    return _build(tmp_path_factory.mktemp("hostile"), dt.date.today())


@pytest.fixture(scope="module")
def served(
    hostile: Hostile, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``coachkit serve`` on the hostile store, shared by the workbook tests."""
    with serving(hostile.db, tmp_path_factory.mktemp("hostile-serve")) as (
        running,
        _proc,
    ):
        yield running


# -- checking a page ------------------------------------------------------------------
def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


_INJECTED = f"""() => {{
    const runnable = [...document.scripts].filter(
        s => !s.type || /javascript|module/.test(s.type));
    return {{
        pwned: window.__pwned === undefined ? null : String(window.__pwned),
        marked: document.querySelectorAll('.{MARK}').length,
        images: document.querySelectorAll('img[src="x"]').length,
        links: document.querySelectorAll('a[href^="javascript:" i]').length,
        scripts: runnable.filter(s => s.text.includes('__pwned')).length,
    }};
}}"""
_CLEAN = {"pwned": None, "marked": 0, "images": 0, "links": 0, "scripts": 0}


class Guard:
    """Records every dialog a page opens, and checks that no payload got in."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def inert(self, where: str, *shown: tuple[str, str | re.Pattern[str]]) -> None:
        """No payload ran or became an element; each (css, text) shows the text."""
        for css, words in shown:
            try:
                _expect(self.page.locator(css).first).to_contain_text(
                    words, timeout=ROUND_TRIP_MS
                )
            except AssertionError:
                self.check(where)  # a payload that got in explains a missing text
                raise
        self.check(where)
        screenshot(self.page, f"hostile-{where}")

    def check(self, where: str) -> None:
        """No payload ran, opened a dialog, or became an element of the page."""
        found = self.page.evaluate(_INJECTED)
        assert found == _CLEAN, f"{where}: the data became page content: {found}"
        assert self.dialogs == [], f"{where}: a dialog opened: {self.dialogs}"
        status = self.page.locator(".ck-status-line")
        if status.count():  # a workbook: the text must not have broken the view
            said = status.inner_text()
            assert "went wrong" not in said, f"{where}: {said}"


def _any(texts: tuple[str, ...]) -> re.Pattern[str]:
    """Matches any one of ``texts`` (which ones a table shows depends on the data)."""
    return re.compile("|".join(re.escape(t) for t in texts))


def _page(watched: Watched) -> tuple[Any, Guard]:
    page = watched.page
    page.set_default_timeout(ROUND_TRIP_MS)
    page.set_default_navigation_timeout(LOAD_MS)
    return page, Guard(page)


def _open(page: Any, server: Server, key: str, coach: int) -> None:
    open_workbook(page, server, f"{pillar(key).path}?coach={coach}")


def _pick(page: Any, name: str) -> None:
    """Pick a rep (Dropdown options carry their label as value)."""
    page.locator(".ck-rep-picker select").select_option(value=name)


def _settle(guard: Guard, watched: Watched, where: str) -> None:
    """Let late image errors fire, check again, and fail on any logged error."""
    guard.page.wait_for_timeout(300)
    guard.check(where)
    assert watched.errors == [], watched.errors


# -- the workbooks --------------------------------------------------------------------
def test_browser_hostile_text_in_prioritize(
    served: Server, hostile: Hostile, watched: Watched
) -> None:
    page, guard = _page(watched)
    first = hostile.behaviours[0]
    _open(page, served, "prioritize", hostile.coach_id)
    guard.inert("prioritize-opened", (".ck-status-line", COACH))
    _expect(page.locator(".ck-coach-picker select")).to_contain_text(COACH)

    _pick(page, REP)
    _expect(page.locator(".ck-edit-name input")).to_have_value(REP)
    guard.inert(
        "prioritize-team",
        (".ck-roster", REP),
        (".ck-roster", REP_ROLE),
        (".ck-roster", REP_SEGMENT),
        *((".ck-roster", name) for name, _role, _seg in CSV_REPS),
        *((".ck-roster", role) for _name, role, _seg in CSV_REPS),
        (".ck-roster", COACH),
    )
    _expect(page.locator(".ck-rep-picker select")).to_contain_text(REP)

    open_tab(page, "2. Framework")
    guard.inert(
        "prioritize-framework",
        (".ck-framework", hostile.objective),
        *((".ck-framework", name) for name in hostile.behaviours),
        (".ck-framework", hostile.rubric_1),
        (".ck-framework", METRIC),
    )

    open_tab(page, "3. Priorities")
    guard.inert(
        "prioritize-priorities",
        (".ck-summary", REP),
        (".ck-ranking", _any(hostile.behaviours)),
    )
    _expect(page.locator(".ck-heatmap")).to_be_visible()

    open_tab(page, "4. Performance")
    guard.inert("prioritize-performance", (".ck-rep-performance", REP))

    open_tab(page, "5. Assess")
    key = f"ck-assess-{hostile.first_key}"
    row = page.locator(f".{key}")
    row.locator(".ck-skill button[data-value='1']").click()
    guard.inert(
        "prioritize-assess",
        (".ck-assess-heading", f"Assess {REP}"),
        (f".{key}", first),
        (f".{key}", hostile.rubric_1),  # the level's words, shown on a click
        (f".{key}", f"Last note: {CSV_EVIDENCE}"),
        (".ck-history", CSV_EVIDENCE),
    )

    open_tab(page, "6. Plan")
    guard.inert(
        "prioritize-plan",
        (".ck-current-plan", f"Coaching plan for {REP}"),
        (".ck-current-plan", GOAL),
        (".ck-current-plan", LONG),
        (".ck-current-plan", first),
    )
    _settle(guard, watched, "prioritize")

    # The lead sees every coach and edits the framework.
    _open(page, served, "prioritize", hostile.lead_id)
    guard.inert("prioritize-lead-team", (".ck-roster", COACH), (".ck-roster", REP))
    open_tab(page, "2. Framework")
    _expect(page.locator(".widget-textarea textarea").first).to_have_value(
        hostile.rubric_1
    )
    guard.inert("prioritize-lead-framework", (".ck-framework", hostile.objective))
    _settle(guard, watched, "prioritize-lead")


def test_browser_hostile_text_in_facilitate(
    served: Server, hostile: Hostile, watched: Watched
) -> None:
    page, guard = _page(watched)
    _open(page, served, "facilitate", hostile.coach_id)
    guard.inert("facilitate-queue", (".ck-queue", REP), (".ck-queue", CSV_REPS[0][0]))

    _pick(page, REP)
    guard.inert(
        "facilitate-prep",
        (".ck-brief", f"Prep for {REP}"),
        (".ck-brief", GOAL),
        (".ck-brief", hostile.behaviours[0]),
        (".ck-brief", ACTION),
    )

    open_tab(page, "3. Observe")
    guard.inert(
        "facilitate-observe",
        (".ck-tally", hostile.behaviours[0]),
        ("[class*='ck-observe-']", hostile.behaviours[0]),
    )

    open_tab(page, "4. Guide")
    guard.inert("facilitate-guide", (".ck-guide", "Conversation guide"))

    open_tab(page, "5. Write up")
    _expect(page.locator(".ck-went-well textarea")).to_have_value(LONG_NOTE)
    _expect(page.locator(".ck-to-change textarea")).to_have_value(TO_CHANGE)
    _expect(page.locator(".ck-rep-view textarea")).to_have_value(REP_VIEW)
    guard.inert(
        "facilitate-write-up",
        (".ck-actions", ACTION),
        (".ck-actions", DRAFT_ACTION),
        (".ck-focus", hostile.behaviours[0]),
    )
    page.locator(".ck-finish").click()
    guard.inert(
        "facilitate-summary",
        (".ck-status-line", "Saved the session"),
        (".ck-summary", REP),
        (".ck-summary", LONG_NOTE),
        (".ck-summary", OBSERVED),
        (".ck-summary", DRAFT_ACTION),
    )

    open_tab(page, "6. Progress")
    guard.inert(
        "facilitate-progress",
        (".ck-goal-progress", GOAL),
        (".ck-skill-table", hostile.behaviours[0]),
    )
    _settle(guard, watched, "facilitate")


def test_browser_hostile_text_in_improve(
    served: Server, hostile: Hostile, watched: Watched
) -> None:
    page, guard = _page(watched)
    _open(page, served, "improve", hostile.coach_id)
    guard.inert("improve-team", (".ck-retro-team", REP), (".ck-retro-team", SVG))

    _pick(page, REP)
    _expect(page.locator(".ck-status-line")).to_contain_text(f"Showing {REP}.")
    guard.inert(
        "improve-look-back",
        (".ck-retro-headline", REP),
        (".ck-retro-skills", hostile.behaviours[0]),
        (".ck-retro-goals", GOAL),
    )
    open_tab(page, "2. What worked")
    guard.inert("improve-what-worked", (".ck-effect-rep", f"{REP} against"))
    open_tab(page, "3. Leading signs")
    guard.inert("improve-leading-signs", (".ck-signs-sentence", f"{REP}: conv"))
    open_tab(page, "4. Coverage")
    guard.inert("improve-coverage", (".ck-coverage-table", REP))
    open_tab(page, "5. Styles")
    guard.inert("improve-styles", (".ck-style-suggestions", REP))
    open_tab(page, "6. Long term")
    guard.inert("improve-long-term", (".ck-objective-table", hostile.objective))
    open_tab(page, "7. Reflect")
    guard.inert(
        "improve-reflect",
        (".ck-last-reflection", REFLECTION),
        (".ck-reflections", REFLECTION[:200]),
        (".ck-writing-check", REP),
        (".ck-writing-check", f"CSV note {SVG}"),
    )
    open_tab(page, "8. Self-check")
    guard.inert("improve-self-check", (".ck-selfcheck-summary", "Weakest pillar"))
    _settle(guard, watched, "improve")

    _open(page, served, "improve", hostile.lead_id)
    guard.inert("improve-lead", (".ck-retro-team", COACH))
    _settle(guard, watched, "improve-lead")


def test_browser_hostile_addresses_and_uploaded_file(
    served: Server, hostile: Hostile, watched: Watched
) -> None:
    page, guard = _page(watched)
    # Payloads in the address: the workbook opens on its first coach, unharmed.
    address = f"?coach={hostile.coach_id}{QUOTE}&months={CLOSE}"
    open_workbook(page, served, pillar("improve").path + address)
    guard.inert("address-improve", (".ck-status-line", "Showing"))
    page.goto(served.url + f"?next={SCRIPT}")
    guard.inert("landing", ("body", "coachkit"))
    answer = page.goto(served.url + f"voila/render/{IMG}.ipynb?{SVG}")
    assert answer is not None
    assert answer.status == 404
    guard.inert("not-found")
    open_workbook(page, served, f"{pillar('prioritize').path}?coach={SCRIPT}&rep={IMG}")
    guard.inert("address-prioritize", (".ck-status-line", "Showing"))

    # A broken CSV file: its name and bad cells come back in the problem list.
    open_tab(page, "1. Team")
    page.locator(".ck-import-kind select").select_option(label="Reps")
    with page.expect_file_chooser() as chooser:
        page.locator(".ck-import-file").click()
    chooser.value.set_files(
        {
            "name": f"{IMG}.csv",
            "mimeType": "text/csv",
            "buffer": f"name,role,start_date\n{SVG},{LINK},{SCRIPT}\n".encode(),
        }
    )
    guard.inert(
        "upload",
        (".ck-import-problems", f"{IMG}.csv was not imported"),
        (".ck-import-problems", SCRIPT[:30]),
        (".ck-status-line", f"{IMG}.csv has problems"),
    )
    _expect(page.locator("button.ck-import-run")).to_be_disabled()
    page.wait_for_timeout(300)
    guard.check("upload")
    # The 404 page logged its status; nothing else may have.
    assert [e for e in watched.errors if "404" not in e] == []


# -- the reports ----------------------------------------------------------------------
def _markdown_page(md_file: Path) -> Path:
    """The Markdown drawn by a renderer that lets raw HTML and every link through."""
    import mistune

    render = mistune.create_markdown(
        renderer=mistune.HTMLRenderer(escape=False, allow_harmful_protocols=True),
        plugins=["table", "url"],
    )
    page = md_file.with_suffix(".rendered.html")
    body = render(md_file.read_text(encoding="utf-8"))
    page.write_text(f"<!DOCTYPE html><meta charset='utf-8'>{body}", encoding="utf-8")
    return page


def test_browser_hostile_text_in_reports(
    hostile: Hostile, watched: Watched, tmp_path: Path
) -> None:
    page, guard = _page(watched)
    db = str(hostile.db)
    reports = {
        "plan": (["plan", "--rep", REP, "--coach", COACH], (REP, GOAL, LONG)),
        "session": (
            ["session", "--id", str(hostile.session_id)],
            (REP, WENT_WELL, TO_CHANGE, REP_VIEW, ACTION, OBSERVED),
        ),
        "team": (["team", "--coach", COACH], (COACH, REP)),
        "everyone": (["team"], (COACH, _any(hostile.behaviours))),
    }
    for fmt in ("html", "markdown"):
        out = tmp_path / fmt
        for name, (args, shown) in reports.items():
            written = _cli(
                "report", *args, "--format", fmt, "--out", str(out), "--db", db
            )
            path = Path(written.strip().splitlines()[-1])
            if fmt == "markdown":
                text = path.read_text(encoding="utf-8")
                # No raw tag, and no link to javascript:, in the file itself.
                assert not re.search(r"<[a-z/!?]", text, re.I), name
                assert not re.search(r"(?<!\\)\]\(\s*javascript:", text, re.I), name
                path = _markdown_page(path)
            page.goto(path.as_uri())
            guard.inert(f"report-{name}-{fmt}", *(("body", t) for t in shown))

    out = tmp_path / "batch"
    written = _cli(
        "report", "batch", "--workbook", "prioritize", "--out", str(out), "--db", db
    )
    pages = [Path(line) for line in written.split() if line.endswith(".html")]
    assert len(pages) == 3, written
    for path in pages:
        page.goto(path.as_uri())
        guard.inert(f"batch-{path.stem[:24]}")
    mine = next(p for p in pages if p.name.startswith("prioritize-uma"))
    page.goto(mine.as_uri())
    assert COACH in page.title()
    guard.inert("batch-mine", ("body", REP), ("body", CSV_REPS[0][0]))
    assert watched.errors == [], watched.errors
