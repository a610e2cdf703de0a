"""Browser-test fixtures: ``coachkit serve`` on a demo store, and headless Chromium.

Loaded as a pytest plugin from ``conftest.py``, so every browser test shares one
server and one browser per run. Set ``COACHKIT_SCREENSHOTS`` to a folder to keep a
screenshot of every page.

Chromium and Playwright are required: when either is missing these fixtures fail
(CI counts a skipped browser test as a failure). ``COACHKIT_CHROMIUM`` overrides the
browser path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from processes import CHROMIUM, CHROMIUM_ARGS, free_port, launch, quiet_env
from processes import stop as _stop  # the name other test modules import

from coachkit.model.pillars import PILLARS

if TYPE_CHECKING:
    from coachkit.store.database import Store

READY = ".coachkit-ready"
READY_TIMEOUT_MS = 60_000
STDERR_OUTPUT = '#rendered_cells [data-mime-type="application/vnd.jupyter.stderr"]'


@dataclass
class Server:
    """A running ``coachkit serve``."""

    url: str
    port: int
    db: Path
    log: Path
    tmp: Path

    def get(self, path: str, **headers: str) -> tuple[int, bytes]:
        """GET ``path`` without a browser; return the status and the body."""
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The server's store, opened by the test to read what screens should say."""
        from coachkit.store.database import open_store

        store = open_store(str(self.db))
        try:
            yield store
        finally:
            store.dispose()


@dataclass
class Watched:
    """A page plus everything it requested and every error it logged."""

    page: Any
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, page: Any) -> Watched:
        """Watch ``page`` from now on: its requests, console errors and page errors."""
        seen = cls(page)
        page.on("request", lambda request: seen.urls.append(request.url))
        page.on("websocket", lambda ws: seen.urls.append(ws.url))
        page.on(
            "console",
            lambda msg: (
                seen.errors.append(f"console: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: seen.errors.append(f"page error: {exc}"))
        return seen

    def outside_requests(self, server: Server) -> list[str]:
        """Requests that went anywhere but the coachkit server."""
        ours = (f"http://127.0.0.1:{server.port}/", f"ws://127.0.0.1:{server.port}/")
        return [
            url for url in self.urls if not url.startswith((*ours, "data:", "blob:"))
        ]


def log_tail(log: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of the server log, for failure messages."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def wait_until_answers(
    proc: Any, log: Path, answers: Any, what: str, seconds: float = 90
) -> None:
    """Poll ``answers()`` until it is true; fail with the log if ``proc`` dies."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited early:\n{log_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not answer in {seconds:g} s:\n{log_tail(log)}")
        try:
            if answers():
                return
        except OSError:
            pass
        time.sleep(0.25)


@contextmanager
def serving(
    db: Path, tmp: Path, env: dict[str, str] | None = None, *options: str
) -> Iterator[tuple[Server, Any]]:
    """``coachkit serve`` on ``db`` on a free loopback port, stopped at the end.

    ``env`` defaults to ours with $HOME in ``tmp``; ``options`` go to the command.
    """
    env = env if env is not None else quiet_env(tmp / "home")
    port = free_port()
    log = tmp / f"serve-{port}.log"
    command = [sys.executable, "-m", "coachkit", "serve", "--db", str(db)]
    command += ["--port", str(port), "--host", "127.0.0.1", *options]
    proc = launch(command, env, log)
    running = Server(f"http://127.0.0.1:{port}/", port, db, log, tmp)
    try:
        wait_until_answers(
            proc, log, lambda: running.get("/")[0] == 200, "coachkit serve"
        )
        yield running, proc
    finally:
        _stop(proc)


@contextmanager
def serving_pooled(
    demo_db: Path, tmp: Path, env: dict[str, str] | None = None, *options: str
) -> Iterator[Server]:
    """``coachkit serve`` with its kernel pools, on a copy of ``demo_db``, once
    every workbook's pool is filled (``env`` and ``options`` as for :func:`serving`)."""
    db = tmp / "store.db"
    shutil.copyfile(demo_db, db)
    with serving(db, tmp, env, *options) as (running, proc):
        filled = [f"Kernel pool of {p.notebook} is filled" for p in PILLARS]

        def ready() -> bool:
            text = running.log.read_text(errors="replace")
            return all(line in text for line in filled)

        wait_until_answers(proc, running.log, ready, "the kernel pools", seconds=240)
        yield running


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``coachkit serve`` on a demo store, on a free loopback port."""
    tmp = tmp_path_factory.mktemp("browser")
    env = quiet_env(tmp / "home")
    db = tmp / "store.db"
    demo = subprocess.run(
        [sys.executable, "-m", "coachkit", "demo", "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, f"coachkit demo failed:\n{demo.stderr}"
    with serving(db, tmp, env) as (running, _proc):
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless system Chromium through Playwright. Missing either: fail, not skip."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or point COACHKIT_CHROMIUM at a Chromium binary."
        )
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh page that records its requests, console errors and page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Watched.of(page)
    yield seen
    # run_before_unload lets the page ask the server to stop its kernel.
    page.close(run_before_unload=True)
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Save ``<name>.png`` in ``$COACHKIT_SCREENSHOTS``, when that is set."""
    folder = os.environ.get("COACHKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def expect(locator: Any) -> Any:
    """Playwright's ``expect`` on ``locator`` (imported when a test first asks)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def open_workbook(page: Any, server: Server, path: str) -> None:
    """Go to a workbook and wait until it is built; fail fast on a build error."""
    page.goto(server.url + path.lstrip("/"))
    wait_until_built(page, server)


def wait_until_built(page: Any, server: Server) -> None:
    """Wait until the workbook on ``page`` is built; fail fast on a build error."""
    page.locator("#rendered_cells").wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    failed = page.locator(STDERR_OUTPUT)
    assert failed.count() == 0, (
        f"{page.url} did not build: {failed.first.inner_text()}\n{log_tail(server.log)}"
    )
    page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)


def open_tab(page: Any, title: str) -> None:
    """Open a workbook tab; click again if a click during page settling was lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = page.locator(".ck-tabs .lm-TabBar-tab", has_text=title)
    current = page.locator(".ck-tabs .lm-TabBar-tab.lm-mod-current", has_text=title)
    for _ in range(3):
        tab.click()
        try:
            current.wait_for(timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    pytest.fail(f"the tab {title!r} does not open")


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found
