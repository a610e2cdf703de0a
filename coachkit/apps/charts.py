"""Charts in a workbook: an SVG image, or a chart the page draws from its Vega spec.

A chart redrawn as the coach picks another rep sits in a :class:`ChartSlot`: on
coachkit's pages the page draws it from the Vega spec the kernel sends (with Vega from
the page template's own files; text in it is SVG text), which is 3-4 times faster
than drawing it in the kernel. The charts themselves are pure functions in
:mod:`coachkit.model.charts`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import ipywidgets as w
import traitlets as t

from coachkit.model.charts import to_svg, to_vega

if TYPE_CHECKING:
    import altair as alt


class ChartImage(w.Image):
    """An image whose ``tooltip`` is its text alternative (a title on the picture).

    ipywidgets' page script sets a widget's title only when it has an empty
    ``description``, and an Image has none at all: without this one its view
    fails to draw.
    """

    description = t.Unicode("").tag(sync=True)


def chart_widget(chart: alt.TopLevelMixin, about: str) -> w.Image:
    """Show a chart in a workbook as an SVG image.

    ``about`` is its text alternative, what a screen reader says for the picture:
    what it shows, and where on the page the same numbers are in words or a table.
    """
    image = ChartImage(value=to_svg(chart).encode(), format="svg+xml", tooltip=about)
    image.add_class("ck-chart")
    return image


#: Set to 1 (by ``coachkit serve``) when the pages that show this kernel's widgets
#: run coachkit's page script, which can draw a chart from its Vega spec.
PAGE_DRAWS_CHARTS = "COACHKIT_PAGE_DRAWS_CHARTS"


class PageChart(w.DOMWidget):
    """A chart drawn by coachkit's page script, from its Vega spec (``spec``).

    Only coachkit's workbook pages can show it; JupyterLab shows an image instead
    (:class:`ChartSlot` picks).
    """

    _model_name = t.Unicode("ChartModel").tag(sync=True)
    _model_module = t.Unicode("coachkit").tag(sync=True)
    _model_module_version = t.Unicode("1.0.0").tag(sync=True)
    _view_name = t.Unicode("ChartView").tag(sync=True)
    _view_module = t.Unicode("coachkit").tag(sync=True)
    _view_module_version = t.Unicode("1.0.0").tag(sync=True)
    spec = t.Dict().tag(sync=True)


class ChartSlot:
    """A place on a page for one chart that is redrawn, such as when the rep changes.

    On coachkit's pages (``coachkit serve``) the page draws the chart: the kernel
    sends its Vega spec, about 25 ms, where drawing an SVG in the kernel takes
    60-130 ms a chart on a 2-CPU server. Elsewhere (JupyterLab) it is an SVG
    image. Either way a redraw changes the picture of one widget; a new widget
    each time would also stay in the kernel and the page until the page closes.
    """

    def __init__(self, css: str) -> None:
        self.picture: w.DOMWidget
        if os.environ.get(PAGE_DRAWS_CHARTS) == "1":
            self.picture = PageChart()
        else:
            self.picture = w.Image(format="svg+xml")
        self.picture.add_class("ck-chart")
        self.picture.add_class(css)
        self.box = w.Box()

    def show(self, chart: alt.TopLevelMixin | None) -> None:
        """Draw ``chart`` here, or leave the place empty when it is None."""
        if chart is None:
            self.box.children = []
            return
        if isinstance(self.picture, PageChart):
            self.picture.spec = to_vega(chart)
        else:
            self.picture.value = to_svg(chart).encode()
        self.box.children = [self.picture]
