"""A coach who uses only the keyboard observes a session and writes it up.

No mouse at all: Tab and Shift+Tab move between controls in the order they are on
the screen, the arrow keys and Enter pick a tab, Enter or Space presses a button,
typing fills a field and picks from a drop-down. The session ends saved, with what
was typed and tapped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_fixtures import Server, Watched, expect, open_workbook, screenshot

from coachkit.model.pillars import pillar

pytestmark = pytest.mark.browser

#: Key presses allowed to reach one control before the test gives up.
MOST_PRESSES = 120
ROUND_TRIP_MS = 30_000


#: What has the focus, in a few words.
FOCUSED = """() => { const e = document.activeElement;
  return e.tagName.toLowerCase() + ' '
    + (e.innerText || e.value || '').slice(0, 20); }"""


def focused_matches(page: Any, css: str) -> bool:
    return bool(page.evaluate("css => document.activeElement.matches(css)", css))


def tab_to(page: Any, css: str, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focus is on ``css``."""
    key = "Shift+Tab" if back else "Tab"
    seen: list[str] = []
    for _ in range(MOST_PRESSES):
        if focused_matches(page, css):
            return
        page.keyboard.press(key)
        seen.append(page.evaluate(FOCUSED))
    pytest.fail(f"{key} never reaches {css!r}; it went to {seen[:40]}")


def pick_tab(page: Any, title: str) -> None:
    """Back to the row of tabs, arrow keys to ``title``, and Enter."""
    tab_to(page, ".lm-TabBar-tab", back=True)
    for _ in range(12):
        if page.evaluate("document.activeElement.innerText").strip() == title:
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator(".lm-TabBar-tab.lm-mod-current")).to_have_text(title)
    page.keyboard.press("Tab")  # into the tab


def status(page: Any, words: str) -> None:
    expect(page.locator(".ck-status-line")).to_contain_text(
        words, timeout=ROUND_TRIP_MS
    )


def test_observe_and_write_up_with_the_keyboard_alone(
    server: Server, watched: Watched
) -> None:
    page = watched.page
    open_workbook(page, server, pillar("facilitate").path)
    reps = page.locator(".ck-open-rep")
    name = reps.nth(2).inner_text().strip()
    tab_to(page, ".ck-open-rep")
    for _ in range(2):  # the third rep in the queue
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText").strip() == name
    page.keyboard.press("Enter")
    status(page, f"Opened {name}.")

    pick_tab(page, "2. Prep")
    expect(page.locator(".ck-brief")).to_contain_text(f"Prep for {name}")
    if page.locator(".ck-start-session").is_visible():
        tab_to(page, ".ck-start-session")
        page.keyboard.press("Enter")
        status(page, "The session is open")

    pick_tab(page, "3. Observe")
    tally = page.locator(".ck-tally")
    expect(tally).to_contain_text("So far:")
    before = tally.inner_text()
    tab_to(page, ".ck-obs-note input")
    page.keyboard.type("Named the buyer's deadline")
    tab_to(page, ".ck-seen")
    page.keyboard.press("Enter")
    expect(tally).not_to_have_text(before, timeout=ROUND_TRIP_MS)
    after_one = tally.inner_text()
    tab_to(page, ".ck-partly")
    page.keyboard.press("Space")
    expect(tally).not_to_have_text(after_one, timeout=ROUND_TRIP_MS)

    pick_tab(page, "5. Write up")
    tab_to(page, ".ck-went-well textarea")
    page.keyboard.type("Asked about the deadline early.")
    tab_to(page, ".ck-to-change textarea")
    page.keyboard.type("Agree the next step before hanging up.")
    tab_to(page, ".ck-action-text input")
    page.keyboard.type("Book the follow-up call")
    tab_to(page, ".ck-action-due input")
    due = dt.date.today() + dt.timedelta(days=7)
    page.keyboard.type(due.strftime("%m%d%Y"))  # the browser's date field, en-US
    tab_to(page, ".ck-add-action")
    # ipywidgets sends each field's changes one batch at a time, and a button press
    # at once: give the last typed characters a moment to reach the kernel first,
    # as a person's pause between typing and pressing does.
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")
    expect(page.locator(".ck-actions")).to_contain_text(
        "Book the follow-up call", timeout=ROUND_TRIP_MS
    )
    scores = page.locator(".ck-tabs select").filter(
        has=page.locator("option[value='5']")
    )
    for i in range(3):  # the coach's quick check: type the score on the drop-down
        tab_to(page, f"[id='{scores.nth(i).get_attribute('id')}']")
        page.keyboard.type("4")
        expect(scores.nth(i)).to_have_value("4")
    expect(page.locator(".ck-saved-at")).to_contain_text("Draft saved")
    screenshot(page, "keyboard-write-up")
    tab_to(page, ".ck-finish")
    page.keyboard.press("Enter")
    status(page, "Saved the session")
    summary = page.locator(".ck-summary")
    expect(summary).to_contain_text("Asked about the deadline early.")
    expect(summary).to_contain_text("Book the follow-up call")
    assert watched.errors == []
