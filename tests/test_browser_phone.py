"""At phone width (390 px) nothing a coach needs to read in the frame is cut off.

Every workbook's tab titles wrap onto more lines rather than being cut to "1. Q",
and the Facilitate queue's reason for each rep wraps under the rep's button rather
than ending at the window's edge ("Next due 10 Decem"). Forms at this width are
issue #25's; this test covers what is fixed.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_fixtures import Server, Watched, open_workbook, screenshot

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
