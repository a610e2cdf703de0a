"""On a phone (390 px) and a tablet (768 px) nothing is cut off or off the sheet.

Every workbook's tab titles wrap onto more lines rather than being cut to "1. Q";
the Facilitate queue's reason for each rep wraps under the rep's button; on every
tab no element runs past the sheet's edge and no label, button or text is cut (a
wide table scrolls sideways instead); a coach on a ride-along observes with
thumb-sized tap buttons and writes up a whole session, every field in reach.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from browser_fixtures import (
    Server,
    Watched,
    expect,
    open_tab,
    open_workbook,
    screenshot,
)

from coachkit.model.pillars import PILLARS, pillar

pytestmark = pytest.mark.browser

WIDTH = 390
#: Whether an element's text is cut: it is wider than the box that shows it.
CUT = "e => e.scrollWidth > e.clientWidth + 1"


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    seen = Watched.of(page)
    yield page
    assert seen.errors == []
    context.close()


@pytest.mark.parametrize("key", [p.key for p in PILLARS])
def test_every_tab_title_reads_whole_on_a_phone(
    server: Server, phone: Any, key: str
) -> None:
    open_workbook(phone, server, pillar(key).path)
    labels = phone.locator(".ck-tabs .lm-TabBar-tabLabel")
    assert labels.count() >= 6
    cut = [
        t
        for t, c in zip(
            labels.all_inner_texts(),
            labels.evaluate_all(f"ls => ls.map({CUT})"),
            strict=True,
        )
        if c
    ]
    assert cut == [], f"tab titles cut at {WIDTH} px: {cut}"
    for tab in phone.locator(".ck-tabs .lm-TabBar-tab").all():
        box = tab.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= WIDTH + 1
    screenshot(phone, f"phone-{key}")


def test_the_queue_says_why_in_full_on_a_phone(server: Server, phone: Any) -> None:
    open_workbook(phone, server, pillar("facilitate").path)
    reasons = phone.locator(".ck-queue-reason")
    assert reasons.count() > 0
    cut = [
        t
        for t, c in zip(
            reasons.all_inner_texts(),
            reasons.evaluate_all(f"rs => rs.map({CUT})"),
            strict=True,
        )
        if c
    ]
    assert cut == [], f"queue reasons cut at {WIDTH} px: {cut}"
    for reason in reasons.all():
        box = reason.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= WIDTH + 1


#: What runs past the sheet's right edge, or is cut inside its own box: one line
#: each. A table in a box that scrolls sideways is neither (it can be scrolled).
OFF_THE_SHEET = """() => {
  const sheet = document.querySelector('#rendered_cells > div');
  const edge = sheet.getBoundingClientRect().right
    - parseFloat(getComputedStyle(sheet).paddingRight) + 1;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== sheet; p = p.parentElement) {
      if (scrolls(p) && p.getBoundingClientRect().right <= edge) return true;
    }
    return false;
  };
  const found = [];
  for (const el of sheet.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility()) continue;
    if (box.right > edge && !inScroller(el)) {
      found.push(`off the sheet: <${el.tagName.toLowerCase()}> `
        + (el.textContent || '').trim().slice(0, 40));
    }
  }
  const words = '.widget-label, .widget-label-basic span, button, select, '
    + '.lm-TabBar-tabLabel, .widget-html-content, td, th, h2, h3, p, b';
  for (const el of sheet.querySelectorAll(words)) {
    if (!el.checkVisibility() || scrolls(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      found.push(`cut: <${el.tagName.toLowerCase()}> `
        + (el.textContent || '').trim().slice(0, 40));
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [WIDTH, 768])
@pytest.mark.parametrize("key", [p.key for p in PILLARS])
def test_nothing_is_cut_or_off_the_sheet_on_any_tab(
    server: Server, browser: Any, key: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    seen = Watched.of(page)
    open_workbook(page, server, pillar(key).path)
    found: dict[str, list[str]] = {}
    for title in page.locator(".ck-tabs .lm-TabBar-tab").all_inner_texts():
        open_tab(page, title)
        page.wait_for_timeout(300)
        if problems := page.evaluate(OFF_THE_SHEET):
            found[title] = problems[:5]
    assert found == {}, f"{key} at {width} px: {found}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert seen.errors == []
    context.close()


def test_the_reps_own_page_fits_a_phone(server: Server, phone: Any) -> None:
    """The rep's page (#28): nothing cut or off the sheet at 390 px, and every
    choice and button big enough for a thumb."""
    from test_browser_rep_page import rep_link

    open_workbook(phone, server, rep_link(server))
    expect(phone.locator(".ck-my-session").first).to_be_visible()
    assert phone.evaluate(OFF_THE_SHEET) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    small = phone.locator(
        ".ck-rep-page .widget-toggle-button, .ck-rep-page .widget-button"
    ).evaluate_all(
        "bs => bs.filter(b => b.checkVisibility()).map(b => b.getBoundingClientRect())"
        ".filter(r => r.height < 40 || r.width < 40).length"
    )
    assert small == 0
    screenshot(phone, "phone-my-coaching")


def test_a_ride_along_on_a_phone(server: Server, phone: Any) -> None:
    """Open a rep, start a session, tap what is seen, write it up and finish: all
    at 390 px, every control whole on the screen and big enough to use."""
    open_workbook(phone, server, pillar("facilitate").path)
    rep = phone.locator(".ck-open-rep").nth(1)
    name = rep.inner_text().strip()
    rep.click()
    expect(phone.locator(".ck-brief")).to_contain_text(f"Prep for {name}")
    open_tab(phone, "2. Prep")
    if phone.locator(".ck-start-session").count():
        phone.locator(".ck-start-session").click()
    open_tab(phone, "3. Observe")
    taps = phone.locator(".ck-tap")
    expect(taps.first).to_be_visible()
    for tap in taps.all():
        box = tap.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        assert box["width"] >= 44
        assert box["x"] + box["width"] <= WIDTH
    tally = phone.locator(".ck-tally")
    before = tally.inner_text()
    taps.first.click()
    expect(tally).not_to_have_text(before)
    screenshot(phone, "phone-observe")

    open_tab(phone, "5. Write up")
    expect(phone.locator(".ck-went-well textarea")).to_be_visible()
    controls = (
        phone.locator(".ck-tabs")
        .locator("input, select, textarea, button")
        .filter(visible=True)
    )
    assert controls.count() >= 15
    for control in controls.all():
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None
        label = control.evaluate("e => e.outerHTML.slice(0, 80)")
        assert box["x"] >= 0, label
        assert box["x"] + box["width"] <= WIDTH, label
        assert min(box["width"], box["height"]) >= 13, label
    phone.locator(".ck-went-well textarea").fill("Opened with the buyer's goal.")
    phone.locator(".ck-to-change textarea").fill("Ask for the next step sooner.")
    expect(phone.locator(".ck-saved-at")).to_contain_text("Draft saved", timeout=30_000)
    phone.locator(".ck-action-text input").fill("Send the recap")
    due = dt.date.today() + dt.timedelta(days=7)
    phone.locator(".ck-action-due input").fill(due.isoformat())
    phone.locator(".ck-add-action").click()
    expect(phone.locator(".ck-actions")).to_contain_text("Send the recap")
    scores = phone.locator(".ck-tabs select").filter(
        has=phone.locator("option[value='5']")
    )
    for i in range(3):  # the coach's quick check
        scores.nth(i).select_option("4")
        expect(scores.nth(i)).to_have_value("4")
    screenshot(phone, "phone-write-up")
    phone.locator(".ck-finish").click()
    expect(phone.locator(".ck-status-line")).to_contain_text(
        "Saved the session", timeout=30_000
    )
