"""Reports of a rep's plan, a session and a team's period, in HTML and Markdown."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.errors import CoachkitError, ValidationError
from coachkit.exchange.reports.documents import (
    Report,
    plan_report,
    session_report,
    team_report,
)
from coachkit.exchange.reports.lookup import find_coach
from coachkit.facilitate.progress import goal_progress
from coachkit.facilitate.summary import session_summary
from coachkit.improve import cadence, effects, selfcheck
from coachkit.improve.retro import look_back as retro
from coachkit.model.periods import Period
from coachkit.model.templates import load_session_guides
from coachkit.store import schema as s
from coachkit.store.database import Store

FORMATS = ("html", "markdown")
EVIL = "<script>alert(1)</script>"
EVIL_NOTE = "<img src=x onerror=alert(1)> see [click](javascript:alert(1))"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def _ids(store: Store) -> tuple[int, int, int]:
    """Uma Iyer's id, one of her reps with a plan, and that rep's last session."""
    p, se, o = s.plans, s.sessions, s.observations
    with store.read() as conn:
        coach_id = find_coach(conn, "Uma Iyer")[0]
        rep_id = conn.execute(
            sa.select(p.c.rep_id)
            .where(p.c.coach_id == coach_id, p.c.status == "active")
            .order_by(p.c.rep_id)
        ).scalar()
        session_id = conn.execute(
            sa.select(se.c.id)
            .where(se.c.rep_id == rep_id, se.c.status == "done")
            .where(sa.exists().where(o.c.session_id == se.c.id))
            .order_by(se.c.held_on.desc())
        ).first()
    assert rep_id
    assert session_id
    return coach_id, rep_id, int(session_id[0])


def _all_reports(store: Store, today: dt.date, fmt: str) -> list[Report]:
    coach_id, rep_id, session_id = _ids(store)
    period = Period.last_months(today, 3)
    with store.read() as conn:
        return [
            plan_report(conn, rep_id, today, fmt),
            session_report(conn, session_id, fmt),
            team_report(conn, coach_id, period, today, fmt),
            team_report(conn, None, period, today, fmt),
        ]


def _has_image(report: Report) -> bool:
    if report.filename.endswith(".html"):
        return "<svg" in report.text or "data:image/png;base64," in report.text
    return bool(report.images) and all(
        f"]({name})" in report.text for name in report.images
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_plan_report_shows_the_plan_goals_and_time(demo_store, today, fmt):
    _coach, rep_id, _session = _ids(demo_store)
    with demo_store.read() as conn:
        report = plan_report(conn, rep_id, today, fmt)
        goals = goal_progress(conn, rep_id, today)
        rep = conn.execute(sa.select(s.reps.c.name).where(s.reps.c.id == rep_id))
        name = rep.scalar_one()
    assert report.title == f"Coaching plan for {name}"
    assert name in report.text
    assert "Uma Iyer" in report.text
    assert report.filename.endswith(".html" if fmt == "html" else ".md")
    assert "hours a month" in report.text  # the time against about 3 hours
    shown = goals[goals["metric"].notna()]
    assert len(shown)
    for goal in shown.itertuples():
        assert f"{goal.current_text} now, target {goal.target_text}" in report.text
    assert _has_image(report)


@pytest.mark.parametrize("fmt", FORMATS)
def test_session_report_has_the_summary_and_a_chart(demo_store, fmt):
    _coach, _rep, session_id = _ids(demo_store)
    with demo_store.read() as conn:
        report = session_report(conn, session_id, fmt)
        summary = session_summary(conn, session_id, load_session_guides())
    assert summary.rep in report.text
    assert summary.coach in report.text
    assert f"{summary.duration_minutes} minutes" in report.text
    for line in summary.seen:
        assert line in report.text
    assert _has_image(report)


@pytest.mark.parametrize("fmt", FORMATS)
def test_team_report_numbers_match_the_views(demo_store, today, fmt):
    coach_id, _rep, _session = _ids(demo_store)
    period = Period.last_months(today, 3)
    with demo_store.read() as conn:
        report = team_report(conn, coach_id, period, today, fmt)
        team = retro.team_retrospective(conn, coach_id, period, today)
        cover = cadence.coverage(conn, coach_id, period, today)
        check = selfcheck.programme_check(conn, coach_id, today)
        worked = effects.practice_effects(conn, coach_id, today)
    text = report.text if fmt == "markdown" else html.unescape(report.text)
    assert "Uma Iyer's team" in text
    held, planned = team["sessions_held"].sum(), team["sessions_planned"].sum()
    assert f"{held} coaching sessions held, against about {planned:.0f} planned" in text
    hours = cover["hours_per_month"].mean()
    assert f"{hours:.1f} hours of coaching per rep per month, against the 3" in text
    assert f"Goals: {team['goals_met'].sum()} met, {team['goals_missed'].sum()}" in text
    kept, missed = team["actions_kept"].sum(), team["actions_missed"].sum()
    assert f"({kept} of {kept + missed} that came due)" in text
    assert selfcheck.summary_sentence(check) in text
    for row in check.itertuples():
        assert row.detail in text
    enough = worked[worked["enough"]]
    assert len(enough)
    for sentence in enough["text"]:
        assert sentence in text
    assert effects.METHOD_TEXT in text
    for rep in team["rep"]:
        assert rep in text
    assert _has_image(report)
    assert len(re.findall("<svg" if fmt == "html" else r"!\[", report.text)) == 2


def test_team_report_for_everyone_has_a_row_per_coach(demo_store, today):
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        report = team_report(conn, None, period, today)
        by_coach = retro.team_by_coach(
            retro.team_retrospective(conn, None, period, today)
        )
    assert report.title == "Coaching report for every team"
    assert "Coach by coach" in report.text
    assert (
        list(by_coach["coach"]) == ["Uma Iyer", "Victor Garcia"] or len(by_coach) == 2
    )
    for coach in by_coach["coach"]:
        assert coach in report.text
    assert "everyone" in report.filename


@pytest.mark.parametrize("fmt", FORMATS)
def test_reports_need_no_network(demo_store, today, fmt):
    for report in _all_reports(demo_store, today, fmt):
        links = set(re.findall(r"https?://[^\s\"'<>)]+", report.text))
        assert links <= {SVG_NAMESPACE}, (report.filename, links)
        assert "<script" not in report.text
        assert "<link" not in report.text
        assert _has_image(report), report.filename
        if fmt == "html":
            assert "@media print" in report.text
            assert report.images == {}
        else:
            assert all(data.startswith(b"\x89PNG") for data in report.images.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_typed_html_is_shown_as_text(demo_store, today, fmt):
    _coach, rep_id, session_id = _ids(demo_store)
    with demo_store.write() as conn:
        conn.execute(s.reps.update().where(s.reps.c.id == rep_id).values(name=EVIL))
        conn.execute(
            s.sessions.update()
            .where(s.sessions.c.id == session_id)
            .values(went_well=EVIL_NOTE)
        )
        conn.execute(
            s.plans.update().where(s.plans.c.rep_id == rep_id).values(notes=EVIL)
        )
    reports = _all_reports(demo_store, today, fmt)
    for report in reports:
        assert "<script" not in report.text, report.filename
        assert "<img" not in report.text, report.filename
        if fmt == "markdown":  # a typed link stays text, never a Markdown link
            assert "[click](" not in report.text, report.filename
        assert re.fullmatch(r"[a-z0-9-]+\.(html|md)", report.filename)
        assert all(re.fullmatch(r"[a-z0-9-]+\.png", name) for name in report.images)
    plan, session, team, _everyone = reports
    for report in (plan, session, team):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.text, report.filename
    assert "&lt;img src=x onerror=alert(1)&gt;" in session.text


def test_save_writes_the_page_and_its_pictures(demo_store, today, tmp_path):
    _coach, rep_id, _session = _ids(demo_store)
    with demo_store.read() as conn:
        page = plan_report(conn, rep_id, today, "html")
        notes = plan_report(conn, rep_id, today, "markdown")
    saved = page.save(tmp_path / "html")
    assert saved == (tmp_path / "html" / page.filename).resolve()
    assert saved.read_text(encoding="utf-8") == page.text
    assert [p.name for p in saved.parent.iterdir()] == [page.filename]
    saved = notes.save(tmp_path / "md")
    names = sorted(p.name for p in saved.parent.iterdir())
    assert names == sorted([notes.filename, *notes.images])
    for name, data in notes.images.items():
        assert (saved.parent / name).read_bytes() == data


def test_missing_things_get_one_clear_line(demo_store, today):
    period = Period.last_months(today, 3)
    with demo_store.write() as conn:
        conn.execute(s.reps.insert().values(coach_id=1, name="Nina New"))
        nina = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.name == "Nina New")
        ).scalar_one()
    with demo_store.read() as conn:
        with pytest.raises(CoachkitError, match="Nina New has no coaching plan yet"):
            plan_report(conn, nina, today)
        with pytest.raises(CoachkitError, match="no rep with id 99999"):
            plan_report(conn, 99999, today)
        with pytest.raises(CoachkitError, match="no coaching session with id 99999"):
            session_report(conn, 99999)
        with pytest.raises(CoachkitError, match="no coach called '99'"):
            team_report(conn, 99, period, today)
        with pytest.raises(ValidationError, match="use html or markdown"):
            team_report(conn, None, period, today, "pdf")


# --- the command line ---


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_writes_each_report_and_prints_its_path(demo_store, tmp_path):
    db, out = demo_store.location, str(tmp_path / "out")
    _coach, rep_id, session_id = _ids(demo_store)
    with demo_store.read() as conn:
        rep = conn.execute(sa.select(s.reps.c.name).where(s.reps.c.id == rep_id))
        name = rep.scalar_one()
    runs = [
        ("plan", "--rep", name.upper(), "--coach", "uma iyer"),
        ("session", "--id", str(session_id), "--format", "markdown"),
        ("team", "--coach", "Uma Iyer", "--months", "6"),
        ("team", "--format", "markdown"),
    ]
    for args in runs:
        code, output = _run("report", *args, "--db", db, "--out", out)
        assert code == 0, output
        path = Path(output.strip())
        assert path.parent == (tmp_path / "out").resolve()
        assert path.exists()
        text = path.read_text(encoding="utf-8")
        assert (name if args[0] != "team" else "Coaching report for") in text
        if path.suffix == ".md":
            for picture in re.findall(r"\]\(([^)]+\.png)\)", text):
                assert (path.parent / picture).read_bytes().startswith(b"\x89PNG")


def test_cli_names_what_it_cannot_find(demo_store, tmp_path):
    db = demo_store.location
    with demo_store.write() as conn:  # a second "Farah Sato", in the other team
        other = conn.execute(
            sa.select(s.reps.c.coach_id, s.reps.c.name).order_by(s.reps.c.id)
        ).first()
        assert other is not None
        coach = 1 if other.coach_id != 1 else 2
        conn.execute(s.reps.insert().values(coach_id=coach, name=other.name))
    cases = [
        (("plan", "--rep", "Nobody Here"), "there is no rep called 'Nobody Here'"),
        (("plan", "--rep", other.name), "say which team with --coach"),
        (("team", "--coach", "Uma Iyr"), "Did you mean Uma Iyer?"),
        (("session", "--id", "99999"), "no coaching session with id 99999"),
    ]
    for args, message in cases:
        code, output = _run("report", *args, "--db", db, "--out", str(tmp_path))
        assert code == 1, output
        assert output.startswith("coachkit: ")
        assert message in output
        assert len(output.strip().splitlines()) == 1
    assert list(tmp_path.glob("*.html")) == []


# --- never a file coachkit did not make, never a store that is not there (#26) ---


def _report_runs(store: Store) -> list[tuple[str, ...]]:
    _coach, rep_id, session_id = _ids(store)
    with store.read() as conn:
        rep = conn.execute(sa.select(s.reps.c.name).where(s.reps.c.id == rep_id))
        name = rep.scalar_one()
    return [
        ("plan", "--rep", name, "--coach", "Uma Iyer"),
        ("session", "--id", str(session_id)),
        ("team", "--coach", "Uma Iyer"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_replaces_its_own_report_never_a_file_a_person_made(
    demo_store, tmp_path, fmt
):
    out = tmp_path / "out"
    for args in _report_runs(demo_store):
        write = ("report", *args, "--format", fmt, "--db", demo_store.location)
        code, first = _run(*write, "--out", str(out))
        assert code == 0, first
        path = Path(first.strip())
        code, again = _run(*write, "--out", str(out))  # its own: written again
        assert code == 0, again
        assert Path(again.strip()) == path

        path.write_text("my own notes", encoding="utf-8")
        code, refused = _run(*write, "--out", str(out))
        assert code == 1
        assert refused.startswith("coachkit: ")
        assert len(refused.strip().splitlines()) == 1
        assert str(path) in refused
        assert "--force" in refused
        assert path.read_text(encoding="utf-8") == "my own notes"

        code, forced = _run(*write, "--out", str(out), "--force")
        assert code == 0, forced
        assert "my own notes" not in path.read_text(encoding="utf-8")
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_cli_refuses_a_hand_made_chart_picture_and_writes_no_markdown(
    demo_store, tmp_path
):
    write = ("report", "team", "--format", "markdown", "--db", demo_store.location)
    code, first = _run(*write, "--out", str(tmp_path / "first"))
    assert code == 0, first
    pictures = sorted(p.name for p in (tmp_path / "first").glob("*.png"))
    assert pictures
    out = tmp_path / "out"
    out.mkdir()
    (out / pictures[0]).write_bytes(b"my holiday photo")
    code, refused = _run(*write, "--out", str(out))
    assert code == 1
    assert pictures[0] in refused
    assert "--force" in refused
    assert [p.name for p in out.iterdir()] == [pictures[0]]
    assert (out / pictures[0]).read_bytes() == b"my holiday photo"


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--rep", "Ana Diaz"),
        ("session", "--id", "1"),
        ("team",),
        ("batch", "--workbook", "improve"),
    ],
    ids=["plan", "session", "team", "batch"],
)
def test_a_report_on_a_path_without_a_store_says_so_and_makes_nothing(tmp_path, args):
    missing = tmp_path / "nonexist.db"
    code, output = _run("report", *args, "--db", str(missing), "--out", str(tmp_path))
    assert code == 1, output
    assert output.startswith(f"coachkit: there is no store at {missing}")
    assert "coachkit init" in output
    assert len(output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
