"""A visitor without a browser: what a browser asks of the server, and nothing else.

In a workshop every visitor's browser runs on their own computer. When twenty
Chromium tabs run on this 2-core machine too, they take about 1.4 CPU-seconds each
with coachkit's page script (about 2 with Voila's), and the burst measures Chromium
more than coachkit. :func:`visit` asks the server for exactly what the page asks
for, in the same order:

1. the page (Voila runs the workbook in a kernel and streams the HTML);
2. the kernel's WebSocket, with a ``kernel_info_request``;
3. the widgets' state: a ``jupyter.widget.control`` comm and ``request_states``.

The visitor counts as ready when that state holds a widget with the
``coachkit-ready`` class, the class the page waits for in a browser. It then
leaves without a goodbye, like a closed tab.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from _browser import TIMEOUT_MS, View
from ipywidgets._version import __control_protocol_version__ as CONTROL_VERSION
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from coachkit.apps.shell import READY_CLASS

CONFIG = re.compile(r'id="jupyter-config-data"[^>]*>(.*?)</script>', re.S)


def _message(
    session: str, msg_type: str, content: dict[str, Any], **metadata: str
) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "session": session,
            "username": "visitor",
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": metadata,
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from a text frame, or from a binary one (with buffers)."""
    if isinstance(frame, str):
        return dict(json.loads(frame))
    (count,) = struct.unpack("!I", frame[:4])
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count])
    end = offsets[1] if count > 1 else len(frame)
    return dict(json.loads(frame[offsets[0] : end].decode()))


def _is_ready(states: dict[str, Any]) -> bool:
    return any(
        READY_CLASS in (model.get("state", {}).get("_dom_classes") or [])
        for model in states.values()
    )


async def visit(url: str) -> View:
    """Open ``url`` as a browser would; seconds until the widgets' state is in."""
    view = View(seconds=float("nan"))
    started = time.perf_counter()
    timeout = TIMEOUT_MS / 1000
    response = await AsyncHTTPClient().fetch(
        HTTPRequest(url, request_timeout=timeout), raise_error=False
    )
    view.answered = time.perf_counter() - started
    body = response.body.decode(errors="replace") if response.body else ""
    view.html_bytes = len(body)
    # The page's head holds an early copy of the configuration without the kernel
    # (coachkit's template); the last one, at the end of the page, names it.
    found = CONFIG.findall(body)
    if response.code != 200 or not found:
        view.errors.append(f"{response.code} {url}: no page")
        return view
    view.kernel_id = str(json.loads(found[-1]).get("kernelId", ""))
    parts = urlsplit(url)
    channels = (
        f"ws://{parts.netloc}/api/kernels/{view.kernel_id}/channels"
        f"?session_id={uuid.uuid4().hex}"
    )
    socket = await websocket_connect(channels, connect_timeout=timeout)
    try:
        session, comm = uuid.uuid4().hex, uuid.uuid4().hex
        control = {"comm_id": comm, "target_name": "jupyter.widget.control"}
        for message in (
            _message(session, "kernel_info_request", {}),
            _message(
                session, "comm_open", {**control, "data": {}}, version=CONTROL_VERSION
            ),
            _message(
                session,
                "comm_msg",
                {"comm_id": comm, "data": {"method": "request_states"}},
            ),
        ):
            await socket.write_message(json.dumps(message))
        deadline = started + timeout
        while time.perf_counter() < deadline:
            frame = await socket.read_message()
            if frame is None:
                view.errors.append(f"{url}: the kernel closed its connection")
                return view
            view.state_bytes += len(frame)
            message = _decode(frame)
            content = message.get("content", {})
            data = content.get("data", {})
            if content.get("comm_id") == comm and data.get("method") == "update_states":
                if _is_ready(data.get("states", {})):
                    view.seconds = time.perf_counter() - started
                else:
                    view.errors.append(f"{url}: no {READY_CLASS} widget in the state")
                return view
        view.errors.append(f"{url}: no widget state in {timeout:.0f} s")
        return view
    finally:
        socket.close()  # no goodbye: culling must stop this kernel
