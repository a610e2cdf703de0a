"""Analyst access: every table and every derived view as a DataFrame."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from coachkit.analysis import Analysis
from coachkit.errors import CoachkitError
from coachkit.improve import cadence
from coachkit.improve.retro import look_back as retro
from coachkit.model.periods import Period
from coachkit.store import schema

#: Every view method, each called with a coach (name) and for everyone.
VIEWS = [
    "roster",
    "ranking",
    "performance",
    "queue",
    "retrospective",
    "coverage",
    "effects",
    "indicators",
    "styles",
    "quality",
    "time_by_objective",
    "selfcheck",
    "reflections",
]


@pytest.fixture
def analysis(demo_store, today):
    return Analysis(demo_store, today=today)


def test_every_table_has_every_row(analysis, demo_store):
    frames = analysis.tables()
    assert set(frames) == set(schema.metadata.tables)
    with demo_store.read() as conn:
        for name, table in schema.metadata.tables.items():
            count = conn.execute(sa.select(sa.func.count()).select_from(table))
            assert len(frames[name]) == count.scalar_one(), name
            assert list(frames[name].columns) == [c.name for c in table.columns]
    assert len(frames["sessions"]) > 100


def test_dates_come_back_as_dates(analysis):
    sessions = analysis.table("sessions")
    assert pd.api.types.is_datetime64_any_dtype(sessions["held_on"])
    assert sessions["held_on"].max() <= pd.Timestamp(analysis.today)


def test_an_unknown_table_lists_the_real_ones(analysis):
    with pytest.raises(CoachkitError, match="no table called 'session'") as err:
        analysis.table("session")
    for name in schema.metadata.tables:
        assert name in str(err.value)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("coach", [None, "Uma Iyer"])
def test_every_view_has_rows_on_the_demo(analysis, view, coach):
    frame = getattr(analysis, view)(coach=coach)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0
    assert getattr(Analysis, view).__doc__.strip()


def test_a_coach_by_name_or_id_gives_the_same_rows(analysis):
    by_name = analysis.roster(coach="uma  iyer")
    coach_id = int(by_name["coach_id"].iloc[0])
    pd.testing.assert_frame_equal(by_name, analysis.roster(coach=coach_id))
    assert set(by_name["coach"]) == {"Uma Iyer"}
    assert len(analysis.roster()) > len(by_name)
    assert "Uma Iyer" in set(analysis.coaches()["coach"])


def test_views_match_the_workbook_functions(analysis, demo_store, today):
    coach_id = int(analysis.roster(coach="Uma Iyer")["coach_id"].iloc[0])
    period = Period.last_months(today, 6)
    with demo_store.read() as conn:
        team = retro.team_retrospective(conn, coach_id, period, today)
        cover = cadence.coverage(conn, coach_id, Period.between(today, today), today)
    pd.testing.assert_frame_equal(
        analysis.retrospective(coach="Uma Iyer", months=6), team
    )
    pd.testing.assert_frame_equal(
        analysis.coverage(coach=coach_id, period=Period.between(today, today)), cover
    )


@pytest.mark.sqlite_only("the README example opens the file by a sqlite:/// URL")
def test_the_readme_example_works(demo_store, today):
    a = Analysis.open(demo_store.location, today=today)
    try:
        assert len(a.table("sessions").head()) == 5
        assert len(a.retrospective(coach="Uma Iyer", months=6)) == 10
        assert a.effects().query("enough")["enough"].all()
        assert len(a.effects().query("enough")) > 0
    finally:
        a.close()
    by_url = Analysis.open(f"sqlite:///{demo_store.location}", today=today)
    assert len(by_url.table("reps")) == len(Analysis(demo_store).table("reps"))
    by_url.close()


def test_an_unknown_coach_suggests_a_name(analysis):
    with pytest.raises(CoachkitError, match="Did you mean Uma Iyer"):
        analysis.queue(coach="Uma Iyr")


def test_opening_a_folder_without_a_store_says_so_and_makes_nothing(
    tmp_path, monkeypatch
):
    """README's ``Analysis.open("coachkit.db")`` run in a new folder (issue 26)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CoachkitError, match="there is no store at") as err:
        Analysis.open("coachkit.db")
    assert str(tmp_path / "coachkit.db") in str(err.value)
    assert "coachkit init" in str(err.value)
    assert list(tmp_path.iterdir()) == []
