"""Download links made in the kernel: a report or a chart, drawn when asked for.

Drawing a report or a chart picture takes a moment, so a page shows buttons and
makes the file only when one is pressed; the link that appears then holds the file
itself (a ``data:`` address), so nothing is served from disk.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from coachkit.apps.shell import guarded, text
from coachkit.apps.tabs import field


def data_link(name: str, mime: str, data: bytes, css: str = "") -> str:
    """An HTML link that downloads ``data`` as the file ``name``."""
    encoded = base64.b64encode(data).decode()
    cls = f" class='{css}'" if css else ""
    return (
        f"<a{cls} download='{text(name)}' href='data:{mime};base64,{encoded}'>"
        f"Download {text(name)}</a>"
    )


def report_file(report: Any) -> tuple[str, str, bytes]:
    """A report as one file: the HTML page, the Markdown text, or a zip of the
    Markdown and its chart pictures. Returns ``(name, mime type, bytes)``."""
    if report.filename.endswith(".html"):
        return report.filename, "text/html", report.text.encode()
    if not report.images:
        return report.filename, "text/markdown", report.text.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(report.filename, report.text)
        for name, data in report.images.items():
            archive.writestr(name, data)
    stem = report.filename.rsplit(".", 1)[0]
    return f"{stem}.zip", "application/zip", buffer.getvalue()


def report_buttons(make: Callable[[str], Any], state: Any, css: str) -> w.HBox:
    """Two buttons, "Page to print (HTML)" and "Markdown", and the link they make.

    ``make(fmt)`` returns a :class:`coachkit.exchange.reports.documents.Report` in
    ``"html"`` or ``"markdown"``; errors become messages in the status line.
    """
    link = field(w.HTML(), f"{css}-link")

    def build(fmt: str) -> None:
        name, mime, data = report_file(make(fmt))
        link.value = data_link(name, mime, data, f"{css}-{fmt}")
        state.say(f"{name} is ready: use the Download link.", "info")

    buttons = []
    for fmt, label in (("html", "Page to print (HTML)"), ("markdown", "Markdown")):
        button = field(w.Button(description=label), f"{css}-{fmt}-button")
        button.layout.width = "190px"
        button.on_click(lambda _b, f=fmt: guarded(state, "making the report")(build)(f))
        buttons.append(button)
    return field(w.HBox([*buttons, link]), css)
