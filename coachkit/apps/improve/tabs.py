"""What every Improve tab has, and charts that can be saved as pictures."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from coachkit.apps import charts as page_charts
from coachkit.apps.downloads import data_link
from coachkit.apps.shell import guarded, html_table, text
from coachkit.apps.tabs import Tab, field
from coachkit.model import charts
from coachkit.model.formats import number, percent

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt


class ImproveTab(Tab):
    """An Improve tab: it reads its own data, for the period and rep picked.

    A :class:`coachkit.apps.tabs.Tab` that redraws when the period or the rep
    changes. Subclasses set ``key`` and ``title``, fill ``self.frames`` (name ->
    DataFrame) and ``self.charts`` (name -> Altair chart) in :meth:`load`, and put
    widgets into ``self.box`` in :meth:`draw`; an analyst finds every tab's tables
    in ``app.tab(key).frames``.
    """

    redraws_on = frozenset({"rep", "period"})

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.frames: dict[str, pd.DataFrame] = {}
        self.charts: dict[str, alt.TopLevelMixin] = {}

    @property
    def period(self) -> Any:
        return self.state.period

    @property
    def rep_id(self) -> int | None:
        """The picked rep, or None for the whole team."""
        return self.state.rep_id or None

    @property
    def scope(self) -> int | None:
        return self.app.scope

    @property
    def today(self) -> dt.date:
        return self.app.today

    def for_rep(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Only the picked rep's rows (all rows for the whole team)."""
        if self.rep_id is None or "rep_id" not in frame.columns:
            return frame
        return frame[frame["rep_id"] == self.rep_id]

    def chart(self, name: str, css: str, about: str = "") -> w.Widget:
        """The chart called ``name`` as a picture, with buttons to save it.

        ``about`` is what a screen reader says for it; by default, that the
        sentence and table on this tab give its numbers in words.
        """
        about = about or f"Chart: {name}. {CHART_IN_WORDS}"
        return chart_box(self.charts[name], name, css, self.state, about)


#: The text alternative's second sentence for a chart on an Improve tab.
CHART_IN_WORDS = "The sentence and the table on this tab give its numbers in words."


def section(title: str, body: str = "", css: str = "") -> w.HTML:
    """A heading and some HTML (already escaped by the caller)."""
    widget = w.HTML(f"<h2>{text(title)}</h2>{body}")
    if css:
        widget.add_class(css)
    return widget


def note(message: str) -> str:
    """A plain grey note, escaped."""
    return f"<p class='ck-note'>{text(message)}</p>"


def say(message: str) -> str:
    """A plain sentence, escaped."""
    return f"<p class='ck-say'>{text(message)}</p>"


#: A table longer than this shows its first rows and says how many there are
#: (a lead's view of a large organisation; the tab's ``frames`` keep every row).
MAX_ROWS = 60


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    empty: str,
    limit: int = MAX_ROWS,
    more: str = "Pick a rep above to see one rep.",
) -> str:
    """Show ``columns`` (name -> heading) of ``frame`` as an escaped HTML table.

    The table wraps its text and scrolls sideways inside its box on a narrow
    screen, never past the page edge. Past ``limit`` rows it shows the first ones
    and says how many there are, then ``more``.
    """
    shown = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    cut = ""
    if len(shown) > limit:
        cut = note(f"Showing the first {limit} of {len(shown):,} rows. {more}".strip())
        shown = shown.head(limit)
    if shown.empty:
        return html_table(shown, empty)
    return f"<div class='ck-table-wrap'>{html_table(shown, empty)}</div>{cut}"


def folded(summary: str, body: str, css: str = "ck-folded") -> str:
    """``summary`` (escaped) as a line that opens to show ``body`` (already HTML).

    For rows most coaches need not read: they stay one click away, counted.
    """
    return (
        f"<details class='ck-folded {text(css)}'><summary>{text(summary)}</summary>"
        f"{body}</details>"
    )


def count(n: int, one: str, many: str) -> str:
    """``3 rows``: ``n`` with the noun that fits it."""
    return f"{n:,} {one if n == 1 else many}"


def pct(value: object, digits: int = 0) -> str:
    """0.25 -> "25%"; missing -> "–" (:func:`coachkit.model.formats.percent`)."""
    return percent(value, digits)


def num(value: object, digits: int = 1, sign: bool = False) -> str:
    """A number for people; missing -> "–" (:func:`coachkit.model.formats.number`)."""
    return number(value, digits, sign=sign)


def chart_box(
    chart: alt.TopLevelMixin, name: str, css: str, state: Any, about: str
) -> w.VBox:
    """A chart drawn as SVG, with "Save as PNG" and "Save as SVG" buttons.

    ``about`` is the chart's text alternative (:func:`page_charts.chart_widget`).

    A button draws the file in the kernel and shows a download link for it; the
    picture on screen and the files come from the same :func:`coachkit.model.charts`
    functions an analyst calls.
    """
    image = page_charts.chart_widget(chart, about)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chart"
    link = w.HTML()
    link.add_class("ck-download")

    def save(kind: str) -> None:
        if kind == "png":
            data, mime = charts.to_png(chart), "image/png"
        else:
            data, mime = charts.to_svg(chart).encode(), "image/svg+xml"
        link.value = data_link(f"{slug}.{kind}", mime, data)

    buttons = []
    for kind in ("png", "svg"):
        button = w.Button(description=f"Save as {kind.upper()}", icon="")
        button.add_class(f"ck-save-{kind}")
        button.layout.width = "auto"  # the whole label, on a phone too
        button.layout.min_width = "120px"
        button.on_click(lambda _b, k=kind: guarded(state, "saving the chart")(save)(k))
        buttons.append(button)
    row = w.HBox([*buttons, link], layout=w.Layout(flex_flow="row wrap"))
    box = w.VBox([image, row])
    return field(box, css)


def tab_kinds() -> list[type[ImproveTab]]:
    """The workbook's tabs, in the order a coach works through them."""
    from coachkit.apps.improve.look_back import LookBackTab, WorkedTab
    from coachkit.apps.improve.reflect import CheckTab, ReflectTab
    from coachkit.apps.improve.signals import CoverageTab, SignsTab
    from coachkit.apps.improve.styles import LongTermTab, StylesTab

    return [
        LookBackTab,
        WorkedTab,
        SignsTab,
        CoverageTab,
        StylesTab,
        LongTermTab,
        ReflectTab,
        CheckTab,
    ]
