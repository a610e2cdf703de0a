"""``coachkit serve`` keeps kernels ready for every workbook, two deep.

A coach who opens a workbook right after another coach (or in a second tab) gets a
kernel that has already imported the workbook, not a cold start (issue 7; the times
are in benchmarks/RESULTS.md). Two pages are asked for back to back, with no
browser, and the server's log must say it gave each a preheated kernel of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import Server, serving_pooled

from coachkit.model.pillars import PILLARS

PREHEATED = "Using pre-heated kernel: {} for {}"
STARTED = "Kernel started: {}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[Server]:
    """``coachkit serve`` with its default pools, on a copy of the demo store."""
    with serving_pooled(demo_db, tmp_path_factory.mktemp("pools")) as running:
        yield running


def _page(server: Server, path: str) -> str:
    """GET a workbook page as a browser would; return its HTML."""
    status, body = server.get(path)
    text = body.decode()
    assert status == 200, text[-500:]
    return text


def _configs(body: str) -> list[dict[str, Any]]:
    found = re.findall(r'id="jupyter-config-data"[^>]*>(.*?)</script>', body, re.S)
    assert found, "the page has no Jupyter configuration"
    return [json.loads(text) for text in found]


def _kernel_of(server: Server, path: str) -> str:
    """GET a workbook page as a browser would; return the kernel it was given."""
    return str(_configs(_page(server, path))[-1]["kernelId"])


@pytest.mark.parametrize("pillar", PILLARS, ids=[p.key for p in PILLARS])
def test_a_second_visitor_right_after_the_first_gets_a_ready_kernel(
    served: Server, pillar: Any
) -> None:
    first = _kernel_of(served, pillar.path)
    second = _kernel_of(served, pillar.path)  # before the pool is refilled

    assert first != second
    text = served.log.read_text(errors="replace")
    for kernel in (first, second):
        assert PREHEATED.format(kernel, pillar.notebook) in text
    # Ready before anyone came: the second kernel was started before the first
    # visitor was served, not as the pool's replacement for it (with a pool of one
    # the log also says "pre-heated", of a kernel the visitor waited for).
    served_first = text.index(PREHEATED.format(first, pillar.notebook))
    assert text.index(STARTED.format(second)) < served_first


def test_a_workbook_page_runs_coachkit_s_page_script_not_voila_s_application(
    served: Server,
) -> None:
    """The page asks for one script of coachkit's, not JupyterLab's ~100 files.

    Voila's page script (the JupyterLab application) cost a served page about a
    second of the browser's time; coachkit-page.js (built from frontend/) connects
    to the kernel and shows the widgets (benchmarks/RESULTS.md). It reads the
    kernel's id from the page's one configuration, written once the kernel is known.
    """
    body = _page(served, PILLARS[0].path)
    scripts = re.findall(r'<script src="([^"]*)"', body)
    assert not [src for src in scripts if "/voila/static/" in src], scripts
    page_script = [src for src in scripts if "/coachkit-page.js?v=" in src]
    assert len(page_script) == 1, scripts
    assert body.index('cell-index="1"') < body.index(page_script[0])
    (config,) = _configs(body)
    assert config["kernelId"]
