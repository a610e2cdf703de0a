"""The Improve workbook in-process: tabs, pickers, reflection, chart downloads."""

from __future__ import annotations

import base64
import datetime as dt
import re

import ipywidgets as w
import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.apps.improve import Improve
from coachkit.model.periods import Period
from coachkit.model.vocabulary import words
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _ids(store: Store) -> tuple[int, int]:
    with store.read() as conn:
        frame = queries.coaches(conn)
    coach = int(frame[frame["role"] == "coach"]["coach_id"].iloc[0])
    lead = int(frame[frame["role"] == "lead"]["coach_id"].iloc[0])
    return coach, lead


def _app(store: Store, coach: int, today: dt.date) -> Improve:
    return Improve(db=store.location, coach=coach, today=today)


@pytest.fixture
def app(demo_store: Store, today: dt.date) -> Improve:
    """The first coach's Improve workbook on a private copy of the demo store."""
    coach, _ = _ids(demo_store)
    return _app(demo_store, coach, today)


def _coached_rep(app: Improve) -> tuple[int, str]:
    """A rep of the app's coach with a plan that started before the period."""
    with app.store.read() as conn:
        plans = conn.execute(
            sa.select(schema.plans.c.rep_id).where(
                schema.plans.c.coach_id == app.state.coach_id,
                schema.plans.c.started_on < app.state.period.start,
            )
        ).all()
    rep_id = int(plans[0][0])
    roster = app.state.roster
    return rep_id, str(roster[roster["rep_id"] == rep_id]["rep"].iloc[0])


def _html(widget: w.Widget) -> str:
    """Every HTML string inside ``widget``."""
    if isinstance(widget, w.HTML):
        return str(widget.value)
    return "".join(_html(c) for c in getattr(widget, "children", ()))


def test_opens_on_the_team_look_back_and_reads_other_tabs_when_opened(
    app: Improve,
) -> None:
    assert list(app.timings) == ["look_back"]
    team = app.tabs[0].frames["team"]
    assert len(team) == len(app.state.roster)
    assert team["rep"].iloc[0] in _html(app.tabs[0].box)
    assert all(tab.stale for tab in app.tabs[1:])

    app.tab_widget.selected_index = 3
    assert "coverage" in app.timings
    assert "Hours per rep" in _html(app.tabs[3].box)
    assert not app.tabs[3].stale


def test_picking_a_rep_and_a_period_shows_their_look_back(
    app: Improve, today: dt.date
) -> None:
    rep_id, name = _coached_rep(app)
    app.rep_picker.value = rep_id
    assert app.state.message == f"Showing {name}."
    retro = app.tabs[0].retro
    assert retro is not None
    assert retro.started_on is not None
    page = _html(app.tabs[0].box)
    assert f"{name}: last 6 months" in page
    assert "Sessions held" in page

    year = Period.last_months(today, 12)
    app.period_picker.value = year
    assert app.state.period == year
    assert f"{name}: last 12 months" in _html(app.tabs[0].box)
    assert app.tabs[0].retro.sessions_held >= retro.sessions_held

    app.rep_picker.value = 0
    assert "The team: last 12 months" in _html(app.tabs[0].box)


def test_every_tab_draws_for_a_coach_and_for_the_lead(
    demo_store: Store, today: dt.date
) -> None:
    coach, lead = _ids(demo_store)
    for who in (coach, lead):
        app = _app(demo_store, who, today)
        app.show_all()
        assert set(app.timings) == {tab.key for tab in app.tabs}
        for tab in app.tabs:
            assert tab.box.children, tab.title
            for name, frame in tab.frames.items():
                assert isinstance(frame, pd.DataFrame), (tab.key, name)
        assert "Weakest pillar:" in _html(app.tab("check").box)
    assert "by_coach" in app.tab("check").frames  # the lead sees every coach
    coaches = app.tab("check").frames["by_coach"]["coach"].nunique()
    assert coaches >= 2
    assert "Every coach" in _html(app.tab("check").box)


def test_reflection_is_saved_dated_and_shown_next_time_as_text(
    app: Improve, today: dt.date
) -> None:
    reflect = app.tab("reflect")
    typed = "Coach the middle of the team more. <script>alert(1)</script>"
    reflect.text.value = typed
    assert "Reading grade" in reflect.grade.value
    reflect.save.click()
    assert app.state.level == "ok", app.state.message
    assert reflect.text.value == ""

    again = _app(app.store, app.state.coach_id, today).tab("reflect")
    shown = again.last.value
    assert f"Last time ({today.day} {today:%B %Y}) you wrote" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>" not in shown
    assert again.frames["reflections"]["text"].iloc[0] == typed


def test_an_empty_reflection_is_refused_with_the_field_named(app: Improve) -> None:
    with app.store.read() as conn:
        count = sa.select(sa.func.count()).select_from(schema.reflections)
        before = conn.execute(count).scalar_one()
    reflect = app.tab("reflect")
    reflect.text.value = "   "
    reflect.save.click()
    assert app.state.level == "error"
    assert app.state.message.startswith("Reflection:")
    with app.store.read() as conn:
        assert conn.execute(count).scalar_one() == before


def test_charts_are_drawn_offline_and_save_as_png_and_svg(app: Improve) -> None:
    coverage = app.tab("coverage")
    box = coverage.box.children[1]
    image = box.children[0]
    svg = bytes(image.value)
    assert svg.startswith(b"<svg")
    assert b"http" not in svg.replace(b"http://www.w3.org", b"")
    png_button, svg_button, link = box.children[1].children
    png_button.click()
    found = re.search(
        r"download='([^']+)' href='data:image/png;base64,([^']+)'", link.value
    )
    assert found, link.value
    assert found.group(1) == "coaching-hours.png"
    assert base64.b64decode(found.group(2)).startswith(b"\x89PNG")
    svg_button.click()
    found = re.search(r"href='data:image/svg\+xml;base64,([^']+)'", link.value)
    assert found
    assert base64.b64decode(found.group(1)).startswith(b"<svg")


def test_the_lead_sees_one_row_per_coach_and_long_tables_are_cut(
    demo_store: Store, today: dt.date
) -> None:
    from coachkit.apps.improve.tabs import MAX_ROWS, table

    _, lead = _ids(demo_store)
    app = _app(demo_store, lead, today)
    look = app.tab("look_back")
    by = look.frames["by_coach"]
    assert set(by["coach"]) == set(app.state.roster["coach"])
    assert by["reps"].sum() == len(app.state.roster)
    page = _html(look.box)
    assert "Every coach: last 6 months" in page
    assert str(app.state.roster["rep"].iloc[0]) not in page

    long = pd.DataFrame({"rep": [f"Rep {i}" for i in range(MAX_ROWS + 15)]})
    shown = table(long, {"rep": "Rep"}, "none")
    assert f"Rep {MAX_ROWS - 1}<" in shown
    assert f"Rep {MAX_ROWS}<" not in shown
    assert f"Showing the first {MAX_ROWS} of {MAX_ROWS + 15} rows" in shown


def _link(box: w.Widget, css: str) -> w.HTML:
    for child in getattr(box, "children", ()):
        if css in getattr(child, "_dom_classes", ()):
            return child
        found = _link(child, css)
        if found is not None:
            return found
    return None  # type: ignore[return-value]


def test_team_report_downloads_as_a_printable_page_and_a_markdown_zip(
    app: Improve,
) -> None:
    import io
    import zipfile

    box = app.tab("look_back").box
    _link(box, "ck-team-report-html-button").click()
    link = _link(box, "ck-team-report-link").value
    found = re.search(
        r"download='([^']+\.html)' href='data:text/html;base64,([^']+)'", link
    )
    assert found, link
    page = base64.b64decode(found.group(2)).decode()
    coach_name = str(app.state.roster["coach"].iloc[0])
    assert coach_name in page
    assert "<svg" in page
    assert "<script" not in page

    _link(box, "ck-team-report-markdown-button").click()
    link = _link(box, "ck-team-report-link").value
    found = re.search(r"href='data:application/zip;base64,([^']+)'", link)
    assert found, link
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(found.group(1))))
    names = archive.namelist()
    markdown = [n for n in names if n.endswith(".md")]
    assert len(markdown) == 1
    text = archive.read(markdown[0]).decode()
    for picture in (n for n in names if n.endswith(".png")):
        assert picture in text  # the Markdown shows each chart beside it
        assert archive.read(picture).startswith(b"\x89PNG")


def test_what_worked_folds_thin_rows_and_draws_the_weeks_of_the_row_picked(
    demo_store: Store, today: dt.date
) -> None:
    _, lead = _ids(demo_store)
    app = _app(demo_store, lead, today)
    app.tab_widget.selected_index = 1
    worked = app.tab("worked")
    team = worked.frames["team"]
    ready = team[team["enough"]]
    html = _html(worked.box)
    assert len(ready) >= 1
    # Rows with enough data are in the table; the rest fold away behind a count.
    waiting = len(team) - len(ready)
    assert f"{waiting} more rows need more data</summary>" in html
    assert html.index("Across everyone") < html.index("<details")
    for verdict in ready["verdict"]:
        assert f"<td>{verdict}</td>" in html.replace("&#x27;", "'")
    # The week-by-week picture of the first row with enough data, then another.
    labels = [label for label, _ in worked.row_picker.options]
    assert labels == [f"{r.behaviour}: {r.metric}" for r in ready.itertuples()]
    weeks = worked.frames["weeks"]
    assert list(weeks["week"]) == list(range(-12, 10))
    assert set(weeks["part"]) == {"before", "when picked", "settling in", "after"}
    assert worked.weeks.children, "the week-by-week chart is on the tab"
    spec = worked.charts["Week by week"].to_dict()
    assert spec["title"].startswith(str(ready.iloc[0]["behaviour"]))
    if len(labels) > 1:
        worked.row_picker.value = worked.row_picker.options[1][1]
        spec = worked.charts["Week by week"].to_dict()
        assert spec["title"].startswith(str(ready.iloc[1]["behaviour"]))
    # No column name or code reaches the screen.
    for raw in ("behaviour_id", "metric_id", "higher_is_better", ">nan<", ">None<"):
        assert raw not in html


def _rows(html: str) -> int:
    """Body rows of the first table in ``html``."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


def test_styles_to_adjust_lists_only_the_styles_that_need_a_change(
    app: Improve,
) -> None:
    styles = app.tab("styles")
    suggestions = styles.frames["suggestions"]
    change = suggestions["change"] != ""
    assert change.any(), "the demo has styles to change"
    assert (~change).any(), "and styles that fit"
    html = _html(styles.box).split("What followed each style")[0]
    shown = html.split("<details")[0]
    assert _rows(shown) == int(change.sum())
    for row in suggestions[change].itertuples():
        # In words: "Direct → Guide", not the stored "direct → guide".
        now, then = row.current_style, row.suggested_style
        assert f"{words('style', now)} → {words('style', then)}" in shown
    fits = int((~change).sum())
    assert f"<summary>{fits} more styles fit the rep now: nothing to change" in html
    assert _rows(html.split("<details", 1)[1]) == fits  # one click away


def test_look_back_counts_the_behaviours_with_nothing_to_compare(
    app: Improve,
) -> None:
    rep_id, _name = _coached_rep(app)
    app.rep_picker.value = rep_id
    look = app.tab("look_back")
    skills = look.retro.skills
    compared = skills["before"].notna() & skills["after"].notna()
    shows = skills["focus"].astype(bool) | compared
    assert (~shows).any(), "the demo rep has behaviours with nothing to compare"
    html = _html(look.box).split("Skill ratings before and after")[1]
    html = html.split("Numbers before and after")[0]
    shown, hidden = html.split("<details", 1)
    assert _rows(shown) == int(shows.sum())
    n = int((~shows).sum())
    assert f"{n} more behaviours have no rating before and after to compare" in hidden
    for behaviour in skills[~shows]["behaviour"]:
        assert behaviour not in shown


def test_the_writing_check_says_how_many_notes_and_lists_only_hard_ones(
    app: Improve,
) -> None:
    from coachkit.apps.improve.reflect import WRITING_ROWS

    reflect = app.tab("reflect")
    writing = reflect.frames["writing"]
    assert len(writing) > WRITING_ROWS  # the demo coach wrote many notes
    html = reflect.writing.value
    hard = int((~writing["ok"]).sum())
    if hard == 0:
        assert f"All {len(writing):,} notes in this period are easy to read" in html
    else:
        assert f"{hard:,} of {len(writing):,} notes" in html
    # No table of "easy to read" rows: a row per rep, folded, instead.
    assert "easy to read</td>" not in html
    reps = writing["rep"].nunique()
    assert f"<summary>Notes for each of {reps} reps</summary>" in html
    assert _rows(html.split("<details", 1)[1]) == reps


def test_what_worked_folds_a_reps_rows_without_enough_data_too(
    demo_store: Store, today: dt.date
) -> None:
    from coachkit.apps.improve.look_back import _ready_then_waiting

    frame = pd.DataFrame(
        {
            "behaviour": ["Ask", "Listen", "Close"],
            "metric": ["Calls", "Calls", "Wins"],
            "enough": [True, False, False],
            "verdict": ["helped", "not enough data yet", "not enough data yet"],
            "text": ["Up 3 a week.", "Too few weeks.", "Too few weeks."],
        }
    )
    columns = {"behaviour": "Coached on", "metric": "Number", "verdict": "Result"}
    columns["text"] = "What changed"
    html = _ready_then_waiting(frame, columns, "none")
    shown, folded = html.split("<details", 1)
    assert _rows(shown) == 1
    assert "Ask" in shown
    assert "Listen" not in shown
    assert "<summary>2 more rows need more data</summary>" in folded
    none_ready = _ready_then_waiting(frame.iloc[1:2], columns, "none", "None ready.")
    assert "None ready." in none_ready
    assert "<summary>1 row needs more data</summary>" in none_ready
