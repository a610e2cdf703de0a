"""What a coach does on a page, timed in the page: rep, weight, tap, save.

Each sample is the time from the first input event (the click, the key, the choice
in a list) until the page shows the result, measured with ``performance.now()`` and
a MutationObserver (``_browser.timed_change``). Pages are opened as the first coach,
on a server that is already running.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any

from _browser import (
    TIMEOUT_MS,
    WORKBOOK_READY,
    close,
    open_tab,
    open_view,
    timed_change,
)
from playwright.async_api import expect

#: The header names the rep and the page has drawn the rate chart again (it swaps
#: the new drawing in when it is complete; the activity chart is drawn before it).
REP_ON_PERFORMANCE = """() => {
  const head = document.querySelector('.ck-rep-performance');
  const chart = document.querySelector('.ck-rate-chart svg');
  return head && head.textContent.includes(window.__ckWant)
    && chart && chart !== window.__ckBefore;
}"""
#: The heading names the rep and the rating history is redrawn.
REP_ON_ASSESS = """() => {
  const head = document.querySelector('.ck-assess-heading');
  const history = document.querySelector('.ck-history');
  return head && head.textContent.includes(window.__ckWant)
    && history && history.textContent !== window.__ckBefore;
}"""
RANKING_CHANGED = """() => {
  const table = document.querySelector('.ck-ranking');
  return table && table.textContent !== window.__ckBefore;
}"""
TALLY_CHANGED = """() => {
  const tally = document.querySelector('.ck-tally');
  return tally && tally.textContent !== window.__ckBefore;
}"""
SESSION_SAVED = """() => {
  const line = document.querySelector('.ck-status-line');
  return line && line.textContent.includes('Saved the session');
}"""


async def _before(page: Any, css: str, text: bool = True) -> None:
    """Remember ``css``'s text (or the element itself) as it is now."""
    await page.evaluate(
        "([css, text]) => { const e = document.querySelector(css);"
        " window.__ckBefore = e ? (text ? e.textContent : e) : null; }",
        [css, text],
    )


async def rep_changes(context: Any, url: str, samples: int) -> dict[str, list[float]]:
    """Prioritize: pick another rep on the Performance tab and on the Assess tab."""
    page, _view = await open_view(context, url, WORKBOOK_READY)
    picker = page.locator(".ck-rep-picker select")
    names = await picker.locator("option").all_inner_texts()
    current = await picker.evaluate("s => s.options[s.selectedIndex].text")
    others = [n for n in names if n != current]
    out: dict[str, list[float]] = {}
    for tab, test, css, text in (
        ("4. Performance", REP_ON_PERFORMANCE, ".ck-rate-chart svg", False),
        ("5. Assess", REP_ON_ASSESS, ".ck-history", True),
    ):
        await open_tab(page, tab)
        times = []
        for i in range(samples + 1):  # the first is a warm-up
            name = others[i % len(others)]
            shown = name.replace("\xa0", " ")  # a list shows spaces as no-break ones
            await page.evaluate("n => { window.__ckWant = n; }", shown)
            await _before(page, css, text)
            took = await timed_change(
                page, test, lambda name=name: picker.select_option(label=name)
            )
            if i:
                times.append(took)
        out[tab] = times
    await close(page)
    return out


async def weight_changes(context: Any, url: str, samples: int) -> list[float]:
    """Prioritize: move the 'skill gap' weight one step with the keyboard."""
    page, _view = await open_view(context, url, WORKBOOK_READY)
    await open_tab(page, "3. Priorities")
    handle = page.locator(".ck-weight-gap .noUi-handle")
    times = []
    for i in range(samples + 1):
        await handle.focus()
        await _before(page, ".ck-ranking")
        key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        took = await timed_change(
            page, RANKING_CHANGED, lambda key=key: page.keyboard.press(key)
        )
        if i:
            times.append(took)
    await close(page)
    return times


async def _open_session(page: Any, nth: int) -> None:
    """Open the queue's ``nth`` rep and start (or reopen) their session."""
    await open_tab(page, "1. Queue")
    await page.locator(".ck-open-rep").nth(nth).click()
    await page.locator(".ck-brief", has_text="Prep for").wait_for(timeout=TIMEOUT_MS)
    await open_tab(page, "2. Prep")
    await page.locator(".ck-start-session").click()
    await page.locator(".ck-tally", has_text="So far:").wait_for(
        state="visible", timeout=TIMEOUT_MS
    )


async def taps(context: Any, url: str, samples: int) -> list[float]:
    """Facilitate: log an observation ('Seen') during a session."""
    page, _view = await open_view(context, url, WORKBOOK_READY)
    await _open_session(page, 0)
    seen = page.locator(".ck-seen").first
    times = []
    for i in range(samples + 1):
        await _before(page, ".ck-tally")
        took = await timed_change(page, TALLY_CHANGED, seen.click)
        if i:
            times.append(took)
    await close(page)
    return times


async def session_saves(context: Any, url: str, samples: int) -> list[float]:
    """Facilitate: fill in a session's write-up and click 'Finish and save'."""
    page, _view = await open_view(context, url, WORKBOOK_READY)
    times = []
    next_session = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    for i in range(samples + 1):
        await _open_session(page, i + 1)
        await open_tab(page, "5. Write up")
        went_well = page.locator(".ck-went-well textarea")
        await expect(went_well).to_have_value("", timeout=TIMEOUT_MS)  # new draft
        await went_well.fill("Opened with an agenda.")
        await page.locator(".ck-to-change textarea").fill("Ask before pitching.")
        await page.locator(".ck-duration input").fill("30")
        await page.locator(".ck-style select").select_option(index=2)
        await page.locator(".ck-focus select").select_option(index=[0, 1])
        label = page.locator("div.widget-label", has_text=re.compile(r"^Coach$"))
        scores = page.locator(".widget-hbox", has=label).locator("select")
        for n in range(await scores.count()):
            await scores.nth(n).select_option(index=3)
        picker = page.locator(".widget-datepicker", has_text="Next session")
        await picker.locator("input").fill(next_session)
        await page.wait_for_timeout(1500)  # let the autosaves land
        finish = page.locator(".ck-finish")
        try:
            took = await timed_change(page, SESSION_SAVED, finish.click)
        except Exception:
            status = await page.locator(".ck-status-line").inner_text()
            raise RuntimeError(f"the session was not saved: {status}") from None
        if i:
            times.append(took)
    await close(page)
    return times


async def all_interactions(browser: Any, base: str, samples: int) -> dict[str, Any]:
    """Every interaction, each in a fresh page; times in ms."""
    prioritize = f"{base}voila/render/1_prioritize.ipynb"
    facilitate = f"{base}voila/render/2_facilitate.ipynb"
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    out: dict[str, Any] = {}
    reps = await rep_changes(context, prioritize, samples)
    out["choose another rep (Performance tab: 2 charts)"] = reps["4. Performance"]
    out["choose another rep (Assess tab: 14 rating rows)"] = reps["5. Assess"]
    print("  interactions: rep done " + json.dumps(reps), file=sys.stderr)
    out["change a priority weight"] = await weight_changes(context, prioritize, samples)
    print("  interactions: weight done", file=sys.stderr)
    out["log an observation"] = await taps(context, facilitate, samples)
    print("  interactions: tap done", file=sys.stderr)
    out["save a session"] = await session_saves(context, facilitate, samples)
    print(
        "  interactions: save done " + json.dumps(out["save a session"]),
        file=sys.stderr,
    )
    await context.close()
    return out
