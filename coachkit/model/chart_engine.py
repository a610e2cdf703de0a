"""One chart engine for every kernel of a server.

vl-convert turns a Vega-Lite spec into Vega (or a picture) in a JavaScript engine
that lives in the process that first asks: about 50 MB of memory that no other
process shares. Under ``coachkit serve`` every workbook page's kernel drew charts,
so every open page paid for its own engine. Now the kernel template
(coachkit/web/kernels.py) starts one engine process, and each kernel sends it
the spec over a Unix socket named in ``COACHKIT_CHART_ENGINE``; the answer is the
same. Anywhere else (a notebook in JupyterLab, ``coachkit report``), or when the
engine does not answer, the kernel uses vl-convert itself, as before.

The protocol is one JSON line each way per connection: ``{"to": "vega", "spec":
...}``, answered by ``{"vega": ...}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: Names the engine's Unix socket in a kernel's environment.
ENGINE_VAR = "COACHKIT_CHART_ENGINE"
#: Seconds a kernel waits for the engine's answer (milliseconds, usually; a first
#: request right after the server starts waits for the engine to start).
WAIT_SECONDS = 20.0
#: Seconds a kernel waits for the engine's socket to appear (it opens it first).
OPEN_SECONDS = 3.0
_CONVERTERS = {"vega": "vegalite_to_vega", "svg": "vegalite_to_svg"}
#: Engines that did not answer: this process draws its charts itself from then on.
_GONE: set[str] = set()


def convert(spec: dict[str, Any], to: str) -> Any:
    """``spec`` (Vega-Lite) as ``to`` ("vega" or "svg"), by the shared engine when
    there is one, else by vl-convert in this process."""
    path = os.environ.get(ENGINE_VAR)
    if path and path not in _GONE:
        try:
            return _ask(path, spec, to)
        except _Refused:
            pass  # drawn here, so the error is vl-convert's own
        except (OSError, ValueError):
            _GONE.add(path)  # draw here from now on, as without an engine
    import vl_convert as vlc

    return getattr(vlc, _CONVERTERS[to])(spec)


def _ask(path: str, spec: dict[str, Any], to: str) -> Any:
    deadline = time.monotonic() + OPEN_SECONDS
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
                channel.settimeout(WAIT_SECONDS)
                channel.connect(path)
                channel.sendall(json.dumps({"to": to, "spec": spec}).encode() + b"\n")
                with channel.makefile("rb") as answers:
                    answer = json.loads(answers.readline())
            break
        except FileNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # the engine has not opened its socket yet
    if "error" in answer:
        raise _Refused(answer["error"])
    return answer[to]


class _Refused(Exception):
    """The engine could not convert this spec (it is still there)."""


class _Request(socketserver.StreamRequestHandler):
    lock = threading.Lock()

    def handle(self) -> None:
        import vl_convert as vlc

        try:
            request = json.loads(self.rfile.readline())
            to = request["to"]
            with self.lock:  # one drawing at a time: vl-convert's engine is one
                result = getattr(vlc, _CONVERTERS[to])(request["spec"])
            answer = {to: result}
        except Exception as error:  # the kernel draws it itself and reports
            answer = {"error": f"{type(error).__name__}: {error}"}
        self.wfile.write(json.dumps(answer).encode() + b"\n")


def serve(path: str, parent: int) -> None:
    """Answer on ``path`` until process ``parent`` (the kernel template) is gone."""
    server = socketserver.ThreadingUnixStreamServer(path, _Request)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with _Request.lock:  # start the engine before the first page asks
        import vl_convert as vlc

        vlc.vegalite_to_vega({"mark": "point"})
    while os.getppid() == parent:
        time.sleep(1)
    server.server_close()
    socket_file = Path(path)
    socket_file.unlink()
    socket_file.parent.rmdir()  # the template's private folder for it


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
