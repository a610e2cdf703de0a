"""Every chart of every tab shows in Chromium, with the network cut off.

The workbooks load altair and vl-convert only when a chart is drawn, build a tab
only when it is opened, and (served from the pool) start the chart engine before
the visitor comes (issue 7, benchmarks/RESULTS.md). Each of those could leave a
tab without its charts; so, for each workbook, on a preheated kernel (``coachkit
serve`` defaults) and on a cold one (``--pool-size 0``), this opens every tab in a
browser that may reach nothing but the server, and checks that the tab shows as
many charts as the same workbook draws in Python for the same coach, each one a
picture the browser could decode. Nothing is skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser_fixtures import (
    READY_TIMEOUT_MS,
    Server,
    open_tab,
    open_workbook,
    serving,
)

from coachkit.model.pillars import PILLARS, Pillar

pytestmark = pytest.mark.browser

#: The workbook classes, by pillar key.
_CLASSES = {
    "prioritize": ("coachkit.apps.prioritize", "Prioritize"),
    "facilitate": ("coachkit.apps.facilitate", "Facilitate"),
    "improve": ("coachkit.apps.improve", "Improve"),
}
#: Tabs that must show charts on the demo organisation, whatever Python counts: a
#: change that stopped a tab drawing would otherwise lower both counts together.
MUST_DRAW = {
    "prioritize": {"3. Priorities": 1, "4. Performance": 2},
    "facilitate": {"6. Progress": 1},
    "improve": {
        "2. What worked": 1,
        "3. Leading signs": 1,
        "4. Coverage": 1,
        "5. Styles": 1,
        "6. Long term": 1,
    },
}
#: Charts the page draws itself from a Vega spec (charts.ChartSlot), by tab.
PAGE_DRAWS = {"prioritize": {"4. Performance": 2}}
#: Each chart's width as the browser drew it (0: not drawn): a picture the browser
#: decoded, or an SVG the page drew with marks in it.
WIDTHS = """els => els.map(e => e.tagName === 'IMG'
  ? (e.complete ? e.naturalWidth : 0)
  : (e.querySelector('svg .role-mark')
     ? e.querySelector('svg').getBoundingClientRect().width : 0))"""
#: True once exactly ``n`` charts show and each is drawn.
ALL_DRAWN = f"""n => {{
  const shown = [...document.querySelectorAll('.ck-chart')]
    .filter(e => e.offsetParent !== null);
  return shown.length === n && ({WIDTHS})(shown).every(width => width > 0);
}}"""


def _charts_per_tab(server: Server, key: str) -> dict[str, int]:
    """How many charts each tab shows, built in Python as the kernel builds it."""
    import importlib

    import ipywidgets as w

    from coachkit.apps.charts import PageChart

    module, name = _CLASSES[key]
    cls = getattr(importlib.import_module(module), name)
    app = cls(db=str(server.db))

    def count(widget: w.Widget) -> int:
        picture = isinstance(widget, (w.Image, PageChart))
        mine = picture and "ck-chart" in widget._dom_classes
        return int(mine) + sum(count(c) for c in getattr(widget, "children", ()))

    shown = {}
    for index in range(len(app.tabs)):
        app.tab_widget.selected_index = index
        tab = app.tabs[index]
        shown[tab.title] = count(tab.box)
    return shown


@pytest.fixture(scope="module")
def cold_server(server: Server) -> Iterator[Server]:
    """``coachkit serve --pool-size 0`` on a copy of the demo store: cold kernels."""
    tmp = server.tmp / "cold"
    tmp.mkdir(exist_ok=True)
    db = tmp / "store.db"
    shutil.copy(server.db, db)
    with serving(db, tmp, None, "--pool-size", "0") as (running, _proc):
        yield running


@pytest.fixture(params=["served", "cold"])
def any_server(request: pytest.FixtureRequest) -> Server:
    fixture = "server" if request.param == "served" else "cold_server"
    found: Server = request.getfixturevalue(fixture)
    return found


@pytest.fixture
def offline_page(browser: Any, any_server: Server) -> Iterator[tuple[Any, list[str]]]:
    """A page that may reach only the server; the list collects what it tried."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(any_server.url):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, refused
    assert errors == []
    page.close(run_before_unload=True)
    context.close()


@pytest.mark.parametrize("pillar", PILLARS, ids=[p.key for p in PILLARS])
def test_every_tab_shows_every_chart_offline(
    any_server: Server, offline_page: tuple[Any, list[str]], pillar: Pillar
) -> None:
    page, refused = offline_page
    expected = _charts_per_tab(any_server, pillar.key)
    for title, least in MUST_DRAW[pillar.key].items():
        assert expected[title] >= least, (title, expected)

    open_workbook(page, any_server, pillar.path)
    titles = page.locator(".ck-tabs .lm-TabBar-tab").all_inner_texts()
    assert titles == list(expected)
    for title, count in expected.items():
        open_tab(page, title)
        charts = page.locator(".ck-chart:visible")
        if count:
            page.wait_for_function(ALL_DRAWN, arg=count, timeout=READY_TIMEOUT_MS)
        else:
            page.wait_for_timeout(300)
        assert charts.count() == count, title
        widths = charts.evaluate_all(WIDTHS)
        assert all(width > 0 for width in widths), (title, widths)
        drawn_here = page.locator(".ck-chart.coachkit-chart:visible").count()
        assert drawn_here == PAGE_DRAWS.get(pillar.key, {}).get(title, 0), title
    assert refused == []


def test_another_rep_redraws_the_performance_charts_in_the_page(
    server: Server, watched: Any
) -> None:
    page = watched.page
    open_workbook(page, server, PILLARS[0].path)
    assert not [u for u in watched.urls if "coachkit-charts.js" in u], (
        "a page without charts on screen loads no chart library"
    )
    open_tab(page, "4. Performance")
    page.wait_for_function(ALL_DRAWN, arg=2, timeout=READY_TIMEOUT_MS)
    picker = page.locator(".ck-rep-picker select")
    names = picker.locator("option").evaluate_all("os => os.map(o => o.value)")
    points = "() => document.querySelectorAll('.ck-rate-chart .mark-symbol path')"
    for name in [n for n in names if n != picker.input_value()][:2]:
        page.evaluate(
            "() => { window.__before = document.querySelector('.ck-rate-chart svg'); }"
        )
        shapes = page.evaluate(
            f"() => [...({points})()].map(p => p.getAttribute('transform')).join()"
        )
        picker.select_option(value=name)
        page.wait_for_function(
            "name => document.querySelector('.ck-rep-performance h2').textContent"
            " === name && document.querySelector('.ck-rate-chart svg')"
            " !== window.__before",
            arg=name.replace("\xa0", " "),
            timeout=READY_TIMEOUT_MS,
        )
        # The new picture is this rep's: the weekly points moved.
        assert page.evaluate(f"() => ({points})().length") > 0
        moved = page.evaluate(
            f"() => [...({points})()].map(p => p.getAttribute('transform')).join()"
        )
        assert moved != shapes
    charts_js = [u for u in watched.urls if "coachkit-charts.js" in u]
    assert len(charts_js) == 1, charts_js
    local = ("http://127.0.0.1", "ws://127.0.0.1")
    assert not [u for u in watched.urls if not u.startswith(local)]
    assert watched.errors == []
