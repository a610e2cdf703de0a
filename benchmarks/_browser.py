"""Chromium for the benchmarks: open a page and time it, weigh it, time a change.

Everything here uses Playwright's async API, so that several visitors can open pages
at the same moment (the burst). Times are taken in Python from ``page.goto`` until
the page is usable, or in the page itself (``performance.now()``) for a change:
from the first input event until the DOM shows its result.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from _servers import CHROMIUM, CHROMIUM_ARGS

WORKBOOK_READY = ".coachkit-ready"
BARE_READY = ".bare-ready"
#: Any wait for the page or for the kernel, in ms (the machine may be busy).
TIMEOUT_MS = 120_000
#: What a page shows when it failed to build.
FAILED = (
    ".voila-error, .coachkit-error, "
    '#rendered_cells [data-mime-type="application/vnd.jupyter.stderr"]'
)

#: In the page: wait until ``test()`` holds after a DOM change; resolve with the ms
#: since the first input event (keydown, mousedown, change) after arming.
ARM = """(test) => {
  window.__ckStart = null;
  const mark = () => {
    if (window.__ckStart === null) window.__ckStart = performance.now();
  };
  for (const kind of ["keydown", "mousedown", "change"]) {
    document.addEventListener(kind, mark, {capture: true, once: true});
  }
  const holds = new Function("return (" + test + ")();");
  window.__ckDone = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (window.__ckStart !== null && holds()) {
        observer.disconnect();
        resolve(performance.now() - window.__ckStart);
      }
    });
    observer.observe(document.body,
      {childList: true, subtree: true, characterData: true, attributes: true});
    setTimeout(() => reject(new Error("no change in 60 s")), 60000);
  });
}"""
DONE = "() => window.__ckDone"


@dataclass
class View:
    """One page view: how long until usable, what it weighed, what went wrong."""

    seconds: float
    html_bytes: int = 0
    state_bytes: int = 0
    kernel_id: str = ""
    errors: list[str] = field(default_factory=list)
    #: Whether the server says it used a kernel from its pool (None: not checked).
    preheated: bool | None = None
    #: Seconds until the server had sent the whole page (its part of ``seconds``).
    answered: float = float("nan")


async def launch(playwright: Any) -> Any:
    """Headless system Chromium."""
    return await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )


async def visitor_context(browser: Any, url: str) -> Any:
    """A browser context that has been to the landing page of ``url``'s server.

    The landing page hands out the _xsrf cookie, without which the server refuses
    a closing tab's request to stop its kernel (voila#1458). coachkit's pages fetch
    it themselves; Voila's own page (the one-button yardstick) does not.
    """
    context = await browser.new_context()
    parts = urlsplit(url)
    await context.request.get(f"{parts.scheme}://{parts.netloc}/")
    return context


def _watch(page: Any, view: View) -> dict[str, int]:
    """Record errors and count the bytes that reach the page by WebSocket."""
    received = {"bytes": 0}

    def frame(payload: Any) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        received["bytes"] += size

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    page.on(
        "console",
        lambda msg: view.errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: view.errors.append(str(exc)))

    def refused(response: Any) -> None:
        if response.status >= 400:
            view.errors.append(f"{response.status} {response.url}")

    page.on("response", refused)
    return received


async def open_view(context: Any, url: str, ready: str) -> tuple[Any, View]:
    """Open ``url`` in a new tab of ``context``; time it until ``ready`` shows.

    Returns the page (still open) and the view. ``state_bytes`` counts what came
    through the page's WebSockets until it was usable: the widgets' state.
    """
    page = await context.new_page()
    view = View(seconds=0.0)
    received = _watch(page, view)
    started = time.perf_counter()
    response = await page.goto(url, timeout=TIMEOUT_MS)
    ready_or_failed = page.locator(f"{ready}, {FAILED}").first
    await ready_or_failed.wait_for(state="visible", timeout=TIMEOUT_MS)
    view.seconds = time.perf_counter() - started
    view.state_bytes = received["bytes"]
    if response is not None:
        view.html_bytes = len(await response.body())
    timing = "performance.getEntriesByType('navigation')[0].responseEnd"
    view.answered = float(await page.evaluate(timing)) / 1000
    if await page.locator(FAILED).count():
        said = (await page.locator(FAILED).first.inner_text()).strip()
        view.errors.append(f"{url} did not build: {' '.join(said.split())[:300]}")
    config = page.locator("#jupyter-config-data")
    if await config.count():
        view.kernel_id = json.loads(await config.text_content() or "{}").get(
            "kernelId", ""
        )
    return page, view


async def close(page: Any, tell_server: bool = True) -> None:
    """Close a tab; ``tell_server`` lets it ask the server to stop its kernel."""
    await page.close(run_before_unload=tell_server)


async def timed_change(page: Any, test: str, act: Any) -> float:
    """Ms from the first input event of ``act()`` until the JS ``test`` holds."""
    await page.evaluate(ARM, test)
    await act()
    return float(await page.evaluate(DONE))


async def open_tab(page: Any, title: str) -> None:
    """Click a workbook tab and wait until it is the current one."""
    tab = page.locator(".ck-tabs .lm-TabBar-tab", has_text=title)
    current = page.locator(".ck-tabs .lm-TabBar-tab.lm-mod-current", has_text=title)
    for _ in range(3):
        await tab.click()
        try:
            await current.wait_for(timeout=3_000)
            return
        except Exception:  # noqa: BLE001 - a click during page settling can be lost
            continue
    raise RuntimeError(f"the tab {title!r} does not open")
