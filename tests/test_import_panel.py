"""The workbook's CSV upload: check the whole file, then import it in one go."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from coachkit.apps.import_panel import ImportPanel
from coachkit.apps.prioritize import Prioritize
from coachkit.store import queries, schema
from coachkit.store.database import Store

pytestmark = pytest.mark.usefixtures("no_callback_errors")


def _panel(store: Store, today: dt.date) -> tuple[Prioritize, ImportPanel]:
    with store.read() as conn:
        coaches = queries.coaches(conn)
    coach = int(coaches[coaches["role"] == "coach"]["coach_id"].iloc[0])
    app = Prioritize(db=store.location, coach=coach, today=today)
    panel = app.tabs[0].import_panel
    return app, panel


def _choose(panel: ImportPanel, kind: str, name: str, data: bytes) -> None:
    panel.kind.value = kind
    panel.upload.value = (
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        },
    )


def _reps(store: Store) -> int:
    with store.read() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(schema.reps)).scalar()
        )


def _checked(
    store: Store, today: dt.date, kind: str, name: str, data: bytes
) -> tuple[Prioritize, ImportPanel, int]:
    """Open the panel and choose a file, which it checks; also the reps before."""
    app, panel = _panel(store, today)
    before = _reps(store)
    _choose(panel, kind, name, data)
    return app, panel, before


def test_a_clean_file_is_checked_then_imported_into_the_coachs_team(
    demo_store: Store, today: dt.date
) -> None:
    data = (
        b"Name,Role,Segment,Start Date\nAda New,Account Executive,SMB,2026-01-05\n"
        b"Bo <b>Bold</b>,Sales Development Rep,Enterprise,2026-02-02\n"
    )
    app, panel, before = _checked(demo_store, today, "reps", "new reps.csv", data)
    assert "2 added" in panel.report.value
    assert "Press Import" in panel.report.value
    assert not panel.run.disabled
    assert _reps(demo_store) == before  # checking writes nothing

    panel.run.click()
    assert _reps(demo_store) == before + 2
    assert app.state.message.startswith("Imported 2 reps from new reps.csv")
    roster = app.tabs[0].table.value
    assert "Ada New" in roster
    assert "Bo &lt;b&gt;Bold&lt;/b&gt;" in roster
    assert panel.run.disabled


def test_a_broken_file_lists_its_problems_and_cannot_be_imported(
    demo_store: Store, today: dt.date
) -> None:
    data = b"rep,metric,date,value\nNobody <img src=x>,conversations,31/03/2026,1\n"
    app, panel, before = _checked(demo_store, today, "metrics", "crm.csv", data)
    report = panel.report.value
    assert "crm.csv was not imported (nothing was changed)" in report
    assert (
        "row 2, column &#x27;date&#x27;" in report or "row 2, column 'date'" in report
    )
    assert "<img" not in report
    assert panel.run.disabled
    assert app.state.level == "error"
    assert _reps(demo_store) == before


def test_the_panel_names_the_columns_of_the_chosen_kind(
    demo_store: Store, today: dt.date
) -> None:
    _, panel = _panel(demo_store, today)
    panel.kind.value = "metrics"
    assert "Columns: rep, metric, date, value (needed); coach" in panel.columns.value
    panel.kind.value = "reps"
    assert "Columns: name (needed)" in panel.columns.value
