"""One report page, written once and drawn as HTML or as Markdown.

A :class:`ReportPage` collects headings, paragraphs, lists, tables and charts, and
:meth:`ReportPage.report` turns them into a :class:`Report`:

HTML
    One self-contained file to open or print: the CSS is inline (with an
    ``@media print`` part), there are no scripts and no links, and each chart is
    inline SVG drawn by vl-convert, so the page opens with no network.
Markdown
    Each chart is a PNG file saved next to the ``.md`` file and linked by its bare
    file name, so the pictures show in any Markdown viewer, offline.

Each file carries coachkit's mark (:mod:`coachkit.exchange.marks`), so writing the
report again replaces it, while a file of that name that a person made is refused.

Every text a person typed is escaped: with :func:`html.escape` in HTML; in Markdown
``&``, ``<`` and ``>`` become entities and ``\\``, ``[``, ``]``, ``|`` get a
backslash, so typed text can never become markup, a link or a table cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from coachkit.errors import ValidationError
from coachkit.exchange.marks import HTML_MARK, MARKDOWN_MARK, mark_png, write_files
from coachkit.model import charts
from coachkit.model.text import esc, md, slug

if TYPE_CHECKING:  # altair costs a kernel 1 s; it is imported when a chart is drawn
    import altair as alt

#: The formats a report can be written in.
FORMATS = ("html", "markdown")
_ENDINGS = {"html": ".html", "markdown": ".md"}
_NOTE, _NUM = ' class="note"', ' class="num"'

#: The page's style, in ``page.css`` beside this module.
_CSS = (
    resources.files("coachkit.exchange.reports")
    .joinpath("page.css")
    .read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class Report:
    """A finished report: its text and, for Markdown, the chart pictures.

    ``filename`` is a safe file name (``coaching-plan-ana-diaz.html``); ``images``
    maps each picture's file name to its PNG bytes (empty for HTML, where the
    charts are inside the text).
    """

    title: str
    filename: str
    text: str
    images: Mapping[str, bytes] = field(default_factory=dict)

    def save(self, folder: str | Path = ".", force: bool = False) -> Path:
        """Write the report (and its pictures) into ``folder``; return its path.

        An earlier copy of the report (a file with coachkit's mark) is replaced.

        Raises
        ------
        CoachkitError
            A file of the same name that coachkit did not make is in the way (unless
            ``force``); nothing was written.
        """
        where = Path(folder)
        files: dict[Path, str | bytes] = {where / n: d for n, d in self.images.items()}
        files[where / self.filename] = self.text
        return write_files(files, force)[-1]


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is a report format; ValidationError names the choices."""
    if fmt not in FORMATS:
        raise ValidationError(
            "format", f"'{fmt}' is not a report format; use html or markdown"
        )
    return fmt


class ReportPage:
    """Build a report block by block; only the chosen format is drawn.

    Parameters
    ----------
    title
        The page title (the first heading).
    fmt
        ``html`` or ``markdown``.
    stem
        The file name without its ending; chart pictures are ``<stem>-<key>.png``.
    h1
        False when the first block added brings its own top heading.
    """

    def __init__(self, title: str, fmt: str, stem: str, *, h1: bool = True) -> None:
        self.title, self.fmt, self.stem = title, check_format(fmt), stem
        self.html = fmt == "html"
        self._parts: list[str] = []
        self._images: dict[str, bytes] = {}
        if h1:
            self.heading(title, level=1)

    def heading(self, text: str, level: int = 2) -> None:
        """Add a heading."""
        if self.html:
            self._parts.append(f"<h{level}>{esc(text)}</h{level}>")
        else:
            self._parts.append(f"{'#' * level} {md(text)}\n")

    def para(self, text: str, note: bool = False) -> None:
        """Add a paragraph; a ``note`` is set smaller and grey in HTML."""
        if self.html:
            self._parts.append(f"<p{_NOTE if note else ''}>{esc(text)}</p>")
        else:
            self._parts.append(f"*{md(text)}*\n" if note else f"{md(text)}\n")

    def items(self, texts: Iterable[str]) -> None:
        """Add a bulleted list."""
        texts = list(texts)
        if self.html:
            self._parts.append(
                "<ul>" + "".join(f"<li>{esc(t)}</li>" for t in texts) + "</ul>"
            )
        else:
            self._parts.append("".join(f"- {md(t)}\n" for t in texts))

    def raw(self, html_text: str, markdown_text: str) -> None:
        """Add a block another module already drew (and escaped) in both formats."""
        self._parts.append(html_text if self.html else markdown_text.rstrip() + "\n")

    def table(
        self,
        frame: pd.DataFrame,
        columns: Mapping[str, str],
        formats: Mapping[str, Callable[[Any], str]] | None = None,
        empty: str = "Nothing to show.",
    ) -> None:
        """Add a table of ``frame``'s ``columns`` (name → header), cells as text."""
        if frame.empty:
            self.para(empty, note=True)
            return
        shown = formats or {}
        cells = [
            [
                _cell(value, shown.get(col))
                for col, value in zip(columns, row, strict=True)
            ]
            for row in frame[list(columns)].itertuples(index=False)
        ]
        numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in columns]
        if self.html:

            def td(tag: str, text: str, num: bool) -> str:
                return f"<{tag}{_NUM if num else ''}>{esc(text)}</{tag}>"

            head = "".join(
                td("th", h, n) for h, n in zip(columns.values(), numeric, strict=True)
            )
            body = "".join(
                "<tr>"
                + "".join(td("td", c, n) for c, n in zip(row, numeric, strict=True))
                + "</tr>"
                for row in cells
            )
            self._parts.append(
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            )
            return
        lines = ["| " + " | ".join(md(h) for h in columns.values()) + " |"]
        lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
        lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in cells]
        self._parts.append("\n".join(lines) + "\n")

    def chart(self, key: str, chart: alt.TopLevelMixin, alt_text: str) -> None:
        """Add a chart: inline SVG in HTML, a PNG file next to the Markdown."""
        if self.html:
            svg = _drop_unused_xlink(charts.to_svg(chart))
            self._parts.append(
                f'<figure role="img" aria-label="{esc(alt_text)}">{svg}</figure>'
            )
            return
        name = f"{self.stem}-{slug(key)}.png"
        self._images[name] = mark_png(charts.to_png(chart))
        self._parts.append(f"![{md(alt_text)}]({name})\n")

    def report(self) -> Report:
        """The finished :class:`Report`."""
        filename = self.stem + _ENDINGS[self.fmt]
        if not self.html:
            text = "\n".join([MARKDOWN_MARK + "\n", *self._parts]).rstrip() + "\n"
            return Report(self.title, filename, text, dict(self._images))
        body = "\n".join(self._parts)
        text = (
            "<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8">\n{HTML_MARK}\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(self.title)}</title>\n<style>\n{_CSS}</style>\n</head><body>\n"
            f"{body}\n</body></html>\n"
        )
        return Report(self.title, filename, text)


def _cell(value: object, show: Callable[[Any], str] | None) -> str:
    if show is not None:
        return show(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return str(value)


def _drop_unused_xlink(svg: str) -> str:
    """vl-convert declares the xlink namespace even when no element uses it."""
    declaration = ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    if "xlink:" not in svg.replace(declaration, "", 1):
        return svg.replace(declaration, "", 1)
    return svg
