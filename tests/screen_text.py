"""What a person can read on a workbook page, collected from its widgets.

:func:`visible_texts` walks a widget tree the way a reader scans the page: the words
of every HTML block (tags stripped, entities read), labels, button and field
descriptions, the labels of every option, the values of text boxes and tab titles.
Hidden widgets (``display: none``) are skipped. Charts drawn as SVG images give the
words of their ``<text>`` elements (axis titles, legends).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as w

_STYLE = re.compile(r"<style\b.*?</style>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def visible_texts(root: Any, *, charts: bool = True) -> list[str]:
    """Every piece of text shown under ``root``, in page order.

    ``charts=False`` leaves out the words drawn in charts (axis ticks such as
    "Jan 25", which follow the chart's own short style).
    """
    return [t for t in _texts(root, charts) if t.strip()]


def html_words(markup: str) -> list[str]:
    """The text pieces of an HTML block, one per element, entities decoded."""
    markup = _STYLE.sub(" ", markup)
    return [html.unescape(p).strip() for p in _TAG.split(markup) if p.strip()]


def _texts(widget: Any, charts: bool = True) -> Iterator[str]:
    layout = getattr(widget, "layout", None)
    if layout is not None and getattr(layout, "display", None) == "none":
        return
    if isinstance(widget, w.Tab):
        yield from (str(t) for t in widget.titles if t)
    if isinstance(widget, w.Image):
        if charts and "svg" in str(widget.format):
            svg = bytes(widget.value).decode("utf-8", "replace")
            yield from (html.unescape(_TAG.sub("", t)) for t in _SVG_TEXT.findall(svg))
        return
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        yield from html_words(str(widget.value))
    elif isinstance(widget, w.Label):
        yield str(widget.value)
    elif isinstance(widget, (w.Text, w.Textarea)):
        yield str(widget.value)
        yield str(widget.placeholder)
    description = getattr(widget, "description", None)
    if isinstance(description, str):
        yield description
    labels = getattr(widget, "_options_labels", None)
    if labels:
        yield from (str(label) for label in labels)
    for child in getattr(widget, "children", ()):
        yield from _texts(child, charts)
