"""Printing a workbook, or saving it as PDF, gives the open tab as a clean document.

"Print or save as PDF" opens the browser's print; the page's print styles leave out
every control (buttons, pickers, sliders, filter boxes, the links between
workbooks) and keep what the tab says, with the open tab's title as its heading.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import Server, Watched, expect, open_tab, open_workbook

from coachkit.model.pillars import pillar

pytestmark = pytest.mark.browser

#: Controls a printed page must not show: one line each. (A table's headings are
#: buttons that sort it; printed, they are its headings.)
CONTROLS_SHOWN = """() => [...document.querySelectorAll(
    '#rendered_cells button:not(.ck-sort), #rendered_cells .widget-slider, '
    + '#rendered_cells .ck-coach-picker, #rendered_cells .ck-rep-picker, '
    + '#rendered_cells .ck-nav, #rendered_cells .ck-table-filter')]
  .filter((el) => el.checkVisibility())
  .map((el) => el.tagName.toLowerCase() + ' ' + el.textContent.trim().slice(0, 30))"""


@pytest.mark.parametrize(
    ("key", "tab", "words"),
    [
        ("prioritize", "6. Plan", "Make a new plan"),
        ("facilitate", "2. Prep", "Prep for"),
        ("improve", "4. Coverage", "Where the coaching time went"),
    ],
)
def test_a_printed_tab_has_its_words_and_no_controls(
    server: Server, watched: Watched, tmp_path: Path, key: str, tab: str, words: str
) -> None:
    page: Any = watched.page
    open_workbook(page, server, pillar(key).path)
    if key == "facilitate":
        page.locator(".ck-open-rep").first.click()
    open_tab(page, tab)
    content = page.locator(".ck-tabs")
    expect(content).to_contain_text(words, use_inner_text=True, timeout=30_000)
    page.evaluate(
        "() => { window.printed = 0; window.print = () => window.printed++; }"
    )
    page.locator(".ck-print").click()
    assert page.evaluate("window.printed") == 1

    assert page.evaluate(CONTROLS_SHOWN) != []  # on screen, they are there
    page.emulate_media(media="print")
    assert page.evaluate(CONTROLS_SHOWN) == []
    expect(content).to_contain_text(words, use_inner_text=True)
    expect(page.locator(".lm-TabBar-tab.lm-mod-current")).to_be_visible()
    expect(page.locator(".lm-TabBar-tab:not(.lm-mod-current)").first).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    shots = os.environ.get("COACHKIT_SCREENSHOTS")
    (Path(shots) if shots else tmp_path).joinpath(f"print-{key}.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
