"""A workbook opens without the chart engine, and still shows every chart when asked.

The speed-ups of issue 7 (benchmarks/RESULTS.md) rest on three promises, each
checked here: a workbook's first view imports neither altair nor vl-convert (1.5 s
of a cold kernel) and draws only the tab on screen; a tab that was not on screen
shows the current rep and its charts when it is opened; and a kernel may go without
jsonschema's IRI grammar because Vega-Lite's schema never asks for that format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ipywidgets as w
import pytest

from coachkit.apps.prioritize import Prioritize
from coachkit.apps.prioritize.performance_tab import PerformanceTab
from coachkit.store.database import Store

#: Run in a fresh Python, as a kernel does: build a workbook, then open every tab.
FIRST_VIEW = """
import json, sys
import ipywidgets as w
from coachkit.apps.{key} import build_{key}
app = build_{key}(db=sys.argv[1], today=None)
engine = ("altair", "vl_convert", "jsonschema")
before = {{name: name in sys.modules for name in engine}}
for index in range(len(app.tabs)):
    app.tab_widget.selected_index = index
charts = [
    m for m in w.widgets.widget._instances.values()
    if isinstance(m, w.Image) and "ck-chart" in m._dom_classes
]
after = {{name: name in sys.modules for name in engine}}
print(json.dumps({{
    "message": app.state.message, "before": before, "after": after,
    "charts": len(charts),
}}))
"""


def _charts(widget: w.Widget) -> list[w.Image]:
    """Every chart picture inside ``widget``."""
    if isinstance(widget, w.Image) and "ck-chart" in widget._dom_classes:
        return [widget]
    found: list[w.Image] = []
    for child in getattr(widget, "children", ()):
        found += _charts(child)
    return found


@pytest.mark.parametrize("key", ["prioritize", "facilitate", "improve"])
def test_a_workbook_opens_without_the_chart_engine_then_draws_its_charts(
    key: str, demo_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    ran = subprocess.run(
        [sys.executable, "-c", FIRST_VIEW.format(key=key), str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    assert seen["message"].startswith("Showing"), seen
    assert seen["before"] == {"altair": False, "vl_convert": False, "jsonschema": False}
    # Opening every tab brought the engine in: the charts were drawn, not skipped.
    assert seen["after"]["altair"]
    assert seen["after"]["vl_convert"]
    assert seen["charts"] >= 1


def test_a_tab_opened_later_shows_the_rep_picked_meanwhile(
    demo_store: Store, today: dt.date
) -> None:
    app = Prioritize(db=demo_store.location, coach=None, today=today)
    index = next(i for i, t in enumerate(app.tabs) if t.title.endswith("Performance"))
    assert not isinstance(app.tabs[index], PerformanceTab), "built before it opened"
    rep = int(app.state.roster["rep_id"].iloc[2])
    name = str(app.state.roster["rep"].iloc[2])
    app.rep_picker.value = rep  # on the Team tab

    app.tab_widget.selected_index = index

    performance = app.tabs[index]
    assert isinstance(performance, PerformanceTab)
    assert name in performance.rep.value
    pictures = _charts(performance.box)
    assert len(pictures) == 2
    assert all(re.match(rb"\s*<svg", p.value) for p in pictures)


def test_every_chart_the_workbook_draws_is_drawn_after_a_warm_up(
    demo_store: Store, today: dt.date
) -> None:
    app = Prioritize(db=demo_store.location, coach=None, today=today)
    app.warm_up()
    for index in range(len(app.tabs)):
        app.tab_widget.selected_index = index
    names = [
        sorted(c for c in p._dom_classes if c != "ck-chart")
        for tab in app.tabs
        for p in _charts(tab.box)
    ]
    assert ["ck-heatmap"] in names
    assert ["ck-activity-chart"] in names
    assert ["ck-rate-chart"] in names


def test_vega_lite_asks_for_no_format_that_workbook_kernels_leave_out() -> None:
    # coachkit/apps/__init__.py keeps jsonschema from loading rfc3987_syntax, the
    # checker of the "iri" and "iri-reference" formats. Were Vega-Lite's schema to
    # use them, charts would go unchecked; this fails first.
    import altair

    schema = Path(altair.__file__).parent / "vegalite" / "v6" / "schema"
    text = (schema / "vega-lite-schema.json").read_text(encoding="utf-8")
    formats = set(re.findall(r'"format":\s*"([a-z-]+)"', text))
    assert formats, "the schema names its string formats"
    assert not formats & {"iri", "iri-reference"}


def _texts(widget: w.Widget) -> str:
    if isinstance(widget, w.HTML):
        return str(widget.value)
    return "".join(_texts(c) for c in getattr(widget, "children", ()))


def test_a_tab_not_drawn_yet_says_loading_until_it_is_drawn(
    demo_store: Store, today: dt.date
) -> None:
    from coachkit.apps.improve import Improve
    from coachkit.apps.tabs import LOADING_HTML

    app = Improve(db=demo_store.location, coach=None, today=today)
    assert "role='status'" in LOADING_HTML
    assert ">Loading…<" in LOADING_HTML
    # Every tab not opened yet holds the loading text (the browser shows it the
    # moment the tab is clicked, before the kernel answers); the one on screen not.
    boxes = app.tab_widget.children
    assert LOADING_HTML not in _texts(boxes[0])
    assert all(_texts(box) == LOADING_HTML for box in boxes[1:])

    app.tab_widget.selected_index = 4
    assert LOADING_HTML not in _texts(boxes[4])
    assert "Styles to adjust" in _texts(boxes[4])
    assert _texts(boxes[5]) == LOADING_HTML


def test_a_tab_that_fails_to_draw_does_not_stay_on_loading(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachkit.apps.improve import Improve
    from coachkit.apps.improve.styles import StylesTab
    from coachkit.apps.tabs import LOADING_HTML

    def broken(self: object, changed: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(StylesTab, "draw", broken)
    app = Improve(db=demo_store.location, coach=None, today=today)
    app.tab_widget.selected_index = 4
    assert app.state.level == "error"
    assert "Something went wrong while opening this tab" in app.state.message
    assert LOADING_HTML not in _texts(app.tab_widget.children[4])
