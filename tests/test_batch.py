"""Workbooks without a browser: papermill parameters, static pages, batch reports."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
import sqlalchemy as sa

from coachkit.apps.batch import WORKBOOKS, as_day, focus, resolve_coach, static_view
from coachkit.errors import CoachkitError
from coachkit.store import schema as s
from coachkit.store.database import Store

ROOT = Path(__file__).resolve().parents[1]
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
COACH = "Uma Iyer"


def _a_rep_with_a_plan(store: Store, coach: str = COACH) -> str:
    c, r, p = s.coaches, s.reps, s.plans
    with store.read() as conn:
        return str(
            conn.execute(
                sa.select(r.c.name)
                .join(c, r.c.coach_id == c.c.id)
                .join(p, p.c.rep_id == r.c.id)
                .where(c.c.name == coach, p.c.status == "active")
                .order_by(r.c.name)
            ).scalar()
        )


def _papermill(notebook: str, out: Path, *params: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "papermill", str(ROOT / "workbooks" / notebook)]
    command += [str(out), "--no-progress-bar", *params]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _dropdowns(notebook: Any) -> dict[str, str]:
    """The label each drop-down shows in an executed notebook's saved widget state."""
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    shown = {}
    for model in state["state"].values():
        if model["model_name"] == "DropdownModel":
            st = model["state"]
            shown[st["description"]] = st["_options_labels"][st["index"]]
    return shown


def _outside_links(html: str) -> list[str]:
    links = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
    return [link for link in links if link not in (SVG_NAMESPACE, "//")]


def test_every_workbook_has_the_parameters() -> None:
    for name in WORKBOOKS.values():
        notebook = nbformat.read(ROOT / "workbooks" / name, as_version=4)
        first = notebook.cells[0]
        assert "parameters" in first.metadata["tags"], name
        for param in ("db = None", "coach = None", "rep = None", "static = False"):
            assert param in first.source, (name, param)
        assert all(not cell.get("outputs") for cell in notebook.cells), name
        assert 3 <= len(notebook.cells) <= 6, name
        assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_names_become_ids(demo_store: Store) -> None:
    db = demo_store.location
    coach_id = resolve_coach(db, "  uma IYER ")
    assert resolve_coach(db, coach_id) == coach_id
    assert resolve_coach(db, None) is None
    with pytest.raises(CoachkitError, match="no coach called 'Uma Iyr'.*Uma Iyer"):
        resolve_coach(db, "Uma Iyr")
    assert as_day("2026-06-15") == dt.date(2026, 6, 15)
    with pytest.raises(CoachkitError, match="today: '15/06/2026' is not a date"):
        as_day("15/06/2026")


@pytest.mark.parametrize(
    ("pillar", "with_rep", "title"),
    [
        ("improve", False, "Coaching report for Uma Iyer&#x27;s team"),
        ("prioritize", False, "Who to coach first"),
        ("prioritize", True, "Coaching plan for"),
        ("facilitate", False, "Coaching session with"),
    ],
)
def test_static_views(
    demo_store: Store, today: dt.date, pillar: str, with_rep: bool, title: str
) -> None:
    rep = _a_rep_with_a_plan(demo_store) if with_rep else None
    page = static_view(pillar, demo_store.location, COACH, rep, 3, today).data
    assert title in page
    assert "<script" not in page
    assert "<body" not in page  # a block for a page, not a page in a page
    if pillar != "facilitate":
        assert "<svg" in page
    if with_rep:
        assert rep in page


def test_static_view_of_a_lead_covers_every_team(
    demo_store: Store, today: dt.date
) -> None:
    lead = "Morgan Lee (Enablement)"
    page = static_view("improve", demo_store.location, lead, today=today)
    assert "Coaching report for every team" in page.data


@pytest.mark.parametrize("pillar", ["prioritize", "facilitate", "improve"])
def test_focus_opens_the_rep_by_name(
    demo_store: Store, today: dt.date, pillar: str, no_callback_errors: None
) -> None:
    import importlib

    build = getattr(
        importlib.import_module(f"coachkit.apps.{pillar}"), f"build_{pillar}"
    )
    db = demo_store.location
    app = build(db=db, coach=resolve_coach(db, COACH), today=today)
    rep = _a_rep_with_a_plan(demo_store)
    assert focus(app, rep.upper(), months=1) is app
    with demo_store.read() as conn:
        rep_id = conn.execute(sa.select(s.reps.c.id).where(s.reps.c.name == rep))
        assert app.state.rep_id == rep_id.scalar()
    assert app.rep_picker.label.startswith(rep)  # what the coach sees picked
    if pillar == "improve":
        assert app.state.period.label == "Last month"
    with pytest.raises(CoachkitError, match="no rep called 'Nobody'"):
        focus(app, "Nobody")


def test_papermill_runs_improve_for_a_coach_rep_and_period(
    demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    from coachkit.store.database import open_store

    store = open_store(db)
    rep = _a_rep_with_a_plan(store)
    store.dispose()
    out = tmp_path / "out.ipynb"
    args = ["-p", "coach", COACH, "-p", "db", str(db), "-p", "rep", rep]
    ran = _papermill("3_improve.ipynb", out, *args, "-p", "months", "1")
    assert ran.returncode == 0, ran.stderr[-3000:]
    shown = _dropdowns(nbformat.read(out, as_version=4))
    assert shown == {"Who are you?": COACH, "Rep:": rep, "Period:": "Last month"}


def test_papermill_static_page(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    args = ["-p", "coach", COACH, "-p", "db", str(demo_db), "-p", "static", "True"]
    ran = _papermill("3_improve.ipynb", out, *args, "-p", "today", "2026-06-15")
    assert ran.returncode == 0, ran.stderr[-3000:]
    last = nbformat.read(out, as_version=4).cells[-1]
    page = last.outputs[0]["data"]["text/html"]
    assert "Coaching report for Uma Iyer&#x27;s team" in page
    assert "15 June 2026" in page
    assert page.count("<svg") >= 2


def test_papermill_names_an_unknown_coach(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    args = ["-p", "coach", "Nobody Here", "-p", "db", str(demo_db)]
    ran = _papermill("3_improve.ipynb", out, *args)
    assert ran.returncode != 0
    assert "there is no coach called 'Nobody Here'" in ran.stderr


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], float]:
    """``coachkit report batch`` over a demo team whose history ends today."""
    from coachkit.demo import build_demo
    from coachkit.model.framework import prepare_store

    tmp = tmp_path_factory.mktemp("batch")
    store = prepare_store(str(tmp / "store.db"))
    build_demo(store)
    store.dispose()
    command = [sys.executable, "-m", "coachkit", "report", "batch"]
    command += ["--workbook", "improve", "--months", "1"]
    command += ["--out", str(tmp / "pages"), "--db", str(tmp / "store.db")]
    began = time.perf_counter()
    ran = subprocess.run(command, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - began
    assert ran.returncode == 0, ran.stderr[-3000:]
    return [Path(line) for line in ran.stdout.splitlines()], seconds


def test_batch_writes_one_page_per_coach(batch: tuple[list[Path], float]) -> None:
    paths, seconds = batch
    names = sorted(path.name for path in paths)
    day = dt.date.today().isoformat()
    assert names == [
        f"improve-morgan-lee-enablement-{day}.html",
        f"improve-uma-iyer-{day}.html",
        f"improve-victor-garcia-{day}.html",
    ]
    assert seconds / len(paths) < 30, f"{seconds / len(paths):.1f} s per coach"
    for path in paths:
        html = path.read_text(encoding="utf-8")
        assert "<svg" in html
        assert "<script" not in html
        assert "Last month" in html
        assert _outside_links(html) == [], path.name
        assert "build_improve" not in html  # the cells' code is left out


@pytest.mark.browser
def test_batch_page_opens_offline_with_its_charts(
    batch: tuple[list[Path], float], browser: Any
) -> None:
    page_file = next(p for p in batch[0] if "uma-iyer" in p.name)
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []

    def block(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto(page_file.as_uri())
    title = page.locator("h1").first.inner_text()
    assert title == "Coaching report for Uma Iyer's team"
    charts = page.locator("figure svg")
    assert charts.count() >= 2
    box = charts.first.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 50
    assert outside == []
    context.close()


def test_batch_with_an_unknown_workbook_says_which_exist(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coachkit.cli.main import main

    result = CliRunner().invoke(
        main, ["report", "batch", "--workbook", "retro", "--db", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "'retro' is not one of 'prioritize', 'facilitate', 'improve'" in (
        result.output
    )


# -- a page replaces its own earlier copy, never a person's file (issue 26) --------
def test_batch_pages_carry_coachkit_s_mark(batch: tuple[list[Path], float]) -> None:
    from coachkit.exchange.marks import HTML_MARK, is_ours

    for path in batch[0]:
        assert HTML_MARK in path.read_text(encoding="utf-8")
        assert is_ours(path)
    assert [p.name for p in batch[0][0].parent.iterdir() if p.suffix != ".html"] == []


def test_batch_refuses_a_hand_made_page_before_running_a_workbook(
    demo_db: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from coachkit.cli.main import main

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    out = tmp_path / "pages"
    out.mkdir()
    mine = out / f"improve-uma-iyer-{dt.date.today().isoformat()}.html"
    mine.write_text("<p>my own page</p>", encoding="utf-8")
    command = ["report", "batch", "--workbook", "improve", "--out", str(out)]
    began = time.perf_counter()
    result = CliRunner().invoke(main, [*command, "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert time.perf_counter() - began < 10  # refused before any workbook ran
    assert result.output.startswith(f"coachkit: {mine} is already there")
    assert "--force" in result.output
    assert [p.name for p in out.iterdir()] == [mine.name]
    assert mine.read_text(encoding="utf-8") == "<p>my own page</p>"


def test_batch_replaces_its_own_page_and_with_force_a_hand_made_one(
    tmp_path: Path,
) -> None:
    from coachkit.apps.batch import batch_reports
    from coachkit.model.framework import prepare_store
    from coachkit.model.users import add_user

    store = prepare_store(str(tmp_path / "one.db"))
    with store.write() as conn:
        add_user(conn, "Solo Coach")
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    out = tmp_path / "pages"
    ((first, _seconds),) = batch_reports("prioritize", url, out)
    ((again, _seconds),) = batch_reports("prioritize", url, out)
    assert again == first
    first.write_text("<p>my own page</p>", encoding="utf-8")
    with pytest.raises(CoachkitError, match="--force"):
        list(batch_reports("prioritize", url, out))
    assert first.read_text(encoding="utf-8") == "<p>my own page</p>"
    ((forced, _seconds),) = batch_reports("prioritize", url, out, force=True)
    assert forced == first
    assert "Solo Coach" in forced.read_text(encoding="utf-8")
    assert [p.name for p in out.iterdir()] == [first.name]
