"""Each page's kernel lives as long as its page, and no longer.

A browser often closes a tab without asking the server to stop its kernel (and a
reload or a dropped connection sends nothing either), so the kernel used to wait
for the idle hour. Here the server watches the page's own connection to its kernel,
the websocket: when a kernel that a page took has no open websocket for
:attr:`PageKernelManager.grace` seconds, it is stopped, whatever the browser sent.
An open page keeps its kernel for the idle hour (``serve.CULL_IDLE_TIMEOUT``). A
page that loses its network for a moment reconnects within the grace and keeps
everything it had. jupyter_server pings each websocket every 30 s and closes one
that has not answered for 90 s, so a connection that went silent without closing
counts as closed too.

Kernels kept ready in Voila's pools belong to no page and are never stopped here.
A kernel that jupyter_client restarted after a crash keeps its id, so it keeps its
page too.

Two ceilings protect the server's memory: kernels per visitor and kernels in all.
A page opened past one gets a short page that says what to do instead of a
workbook. A visitor is the person a trusted proxy names, else the workshop seat in
the address or the seat cookie, else the browser's network address. Before
refusing, the kernels of pages already closed (still in their grace) are stopped
to make room.

Each setting comes from the server's environment: ``COACHKIT_KERNEL_GRACE``
(seconds), ``COACHKIT_KERNELS_PER_VISITOR`` and ``COACHKIT_KERNELS_TOTAL``.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

from jupyter_server import CallContext
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Int, default

from coachkit.web.identity import HEADER_VAR
from coachkit.web.workshop import SEAT_COOKIE

#: Seconds a page's kernel waits for its page to come back (a reload, a dropped
#: connection) before it is stopped.
GRACE_SECONDS = 120.0
#: Seconds a page may take from getting its kernel to connecting to it (Voila runs
#: the workbook first): until then, making room for another page never stops it.
BUILD_SECONDS = 90.0
#: Pages one visitor may have open at once: the three workbooks twice over, and a
#: team's own two.
PER_VISITOR = 8
#: Pages the server keeps open in all (about 80 MB each: benchmarks/RESULTS.md,
#: "Workshop day").
TOTAL = 80
GRACE_VAR = "COACHKIT_KERNEL_GRACE"
PER_VISITOR_VAR = "COACHKIT_KERNELS_PER_VISITOR"
TOTAL_VAR = "COACHKIT_KERNELS_TOTAL"

TOO_MANY_MINE = (
    "You already have {limit} coachkit pages open. That is the most one person can "
    "have at once. Close a coachkit tab you are not using, then reload this page."
)
TOO_MANY_IN_ALL = (
    "coachkit is already showing {limit} pages, as many as this server can hold. "
    "Close a coachkit tab you are not using, or wait a few minutes, then reload "
    "this page."
)


@dataclass
class _Page:
    """A kernel a page took: whose it is, since when no websocket is open, and
    whether the page ever connected (until then it may still be being built)."""

    visitor: str
    alone_since: float | None
    connected: bool = False

    def closed(self, now: float) -> bool:
        """Its page has gone: it connected and left, or never came in time."""
        if self.alone_since is None:
            return False
        return self.connected or now - self.alone_since > BUILD_SECONDS


def visitor_of(handler: web.RequestHandler, trusted_header: str = "") -> str:
    """Who opened a page, as a key: the name a trusted proxy sent, else the
    workshop seat in the address or in the browser's seat cookie, else the
    browser's network address.

    The cookie matters in a room whose participants share one network address
    (behind one router or proxy): each is still their own visitor.
    """
    if trusted_header:
        return "user:" + handler.request.headers.get(trusted_header, "")
    seat = handler.get_query_argument("seat", "") or (
        handler.get_cookie(SEAT_COOKIE, "") or ""
    )
    if seat:
        return "seat:" + seat
    return "address:" + str(handler.request.remote_ip)


def _setting(var: str, fallback: float) -> float:
    """A number from the server's environment, or ``fallback`` when unset or bad."""
    try:
        value = float(os.environ.get(var, ""))
    except ValueError:
        return fallback
    return value if value > 0 else fallback


class PageKernelManager(AsyncMappingKernelManager):  # type: ignore[misc]
    """Voila's kernel manager, plus kernels that end with their page and ceilings.

    Voila builds its pooling manager on top of this class
    (``VoilaConfiguration.multi_kernel_manager_class``).
    """

    grace = Float(config=True, help="Seconds a closed page's kernel is kept.")
    per_visitor = Int(config=True, help="Pages one visitor may have open.")
    total = Int(config=True, help="Pages the server keeps open in all.")

    @default("grace")
    def _default_grace(self) -> float:
        return _setting(GRACE_VAR, GRACE_SECONDS)

    @default("per_visitor")
    def _default_per_visitor(self) -> int:
        return int(_setting(PER_VISITOR_VAR, PER_VISITOR))

    @default("total")
    def _default_total(self) -> int:
        return int(_setting(TOTAL_VAR, TOTAL))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pages: dict[str, _Page] = {}
        self._checks: set[asyncio.Task[None]] = set()
        # Voila's pooling class (a subclass made at start) hands a page a kernel from
        # its pool in get_rendered_notebook, which it defines without calling ours:
        # so the page's request is checked by wrapping the bound method.
        taken = getattr(self, "get_rendered_notebook", None)
        if taken is not None:
            self.get_rendered_notebook = self._for_a_page(taken)

    def _for_a_page(self, take: Any) -> Any:
        async def checked(*args: Any, **kwargs: Any) -> Any:
            visitor = await self._admit()
            # Voila saw a kernel in the pool before it asked; making room may have
            # waited for kernels to stop, and meanwhile other pages may have taken
            # the last one. Voila would then fail the page ("pool is empty"), so
            # the pool is refilled now and the page waits for a fresh kernel.
            notebook = kwargs.get("notebook_name", args[0] if args else None)
            pooled: Any = self  # Voila's pooling subclass has the pool's methods
            if pooled.get_pool_size(notebook) == 0:
                pooled.fill_if_needed(delay=0, notebook_name=notebook)
            rendered = await take(*args, **kwargs)
            self._took(rendered[-1], visitor)
            return rendered

        return checked

    async def start_kernel(self, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel; one started for a page (no pool) is the page's."""
        env = kwargs.get("env") or {}
        for_page = env.get("VOILA_PREHEAT") == "False"
        visitor = await self._admit() if for_page else ""
        kernel_id: str = await super().start_kernel(**kwargs)
        if for_page:
            self._took(kernel_id, visitor)
        return kernel_id

    async def _admit(self) -> str:
        """The visitor asking for a page; HTTP 429 or 503 past a ceiling."""
        handler = CallContext.get(CallContext.JUPYTER_HANDLER)
        visitor = "" if handler is None else visitor_of(handler, _trusted_header())
        self._forget_stopped()
        mine = [k for k, page in self._pages.items() if page.visitor == visitor]
        if not await self._make_room(mine, self.per_visitor):
            message = TOO_MANY_MINE.format(limit=self.per_visitor)
            raise web.HTTPError(429, message, reason="Too many pages open")
        if not await self._make_room(list(self._pages), self.total):
            message = TOO_MANY_IN_ALL.format(limit=self.total)
            raise web.HTTPError(503, message, reason="The server is full")
        return visitor

    async def _make_room(self, kernel_ids: list[str], limit: int) -> bool:
        """Stop closed pages' kernels among ``kernel_ids``, longest closed first,
        until fewer than ``limit`` remain; whether that was enough."""
        now = time.monotonic()
        alone = sorted(
            (k for k in kernel_ids if self._pages[k].closed(now)),
            key=lambda k: self._pages[k].alone_since or 0.0,
        )
        excess = len(kernel_ids) - limit + 1
        for kernel_id in alone[: max(excess, 0)]:
            await self._stop(kernel_id, "to make room for a new page")
        return excess - len(alone[: max(excess, 0)]) <= 0

    def _took(self, kernel_id: str, visitor: str) -> None:
        """A page took ``kernel_id``: it has the grace to connect to it."""
        self._pages[kernel_id] = _Page(visitor, time.monotonic())
        self._check_later(kernel_id)

    def notify_connect(self, kernel_id: str) -> None:
        """A websocket to ``kernel_id`` opened: its page is there."""
        super().notify_connect(kernel_id)
        page = self._pages.get(kernel_id)
        if page is not None:
            page.alone_since = None
            page.connected = True

    def notify_disconnect(self, kernel_id: str) -> None:
        """A websocket closed: with none left, the grace starts."""
        super().notify_disconnect(kernel_id)
        page = self._pages.get(kernel_id)
        if page is not None and self._kernel_connections.get(kernel_id, 0) <= 0:
            page.alone_since = time.monotonic()
            self._check_later(kernel_id)

    def _check_later(self, kernel_id: str) -> None:
        loop = asyncio.get_event_loop()

        def check() -> None:
            task = loop.create_task(self._stop_if_alone(kernel_id))
            self._checks.add(task)  # a task nobody holds may vanish half-way
            task.add_done_callback(self._checks.discard)

        loop.call_later(self.grace, check)

    async def _stop_if_alone(self, kernel_id: str) -> None:
        page = self._pages.get(kernel_id)
        if page is None or page.alone_since is None:
            return
        alone = time.monotonic() - page.alone_since
        if alone >= self.grace - 0.5:  # timers may fire a little early
            await self._stop(kernel_id, f"its page has been gone {alone:.0f} s")

    async def _stop(self, kernel_id: str, why: str) -> None:
        if kernel_id not in self:
            return
        self.log.info("Stopping kernel %s: %s", kernel_id, why)
        try:
            await self.shutdown_kernel(kernel_id, now=True)
        except (KeyError, RuntimeError) as error:  # stopped meanwhile
            self.log.debug("Kernel %s was already stopping: %s", kernel_id, error)

    async def shutdown_kernel(  # type: ignore[override]
        self, kernel_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        """Stop a kernel (its page asked, the idle cull, or here): no page has it."""
        self._pages.pop(kernel_id, None)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

    def _forget_stopped(self) -> None:
        """Drop pages whose kernel stopped some other way (shutdown, idle cull)."""
        for kernel_id in [k for k in self._pages if k not in self]:
            del self._pages[kernel_id]


def _trusted_header() -> str:
    """The request header a trusted proxy names the user in, if one is set."""
    return os.environ.get(HEADER_VAR, "")
