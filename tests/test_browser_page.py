"""coachkit's page script (frontend/, built into the page template).

A workbook page runs coachkit-page.js instead of Voila's JupyterLab application: it
connects to the page's kernel, loads every widget's state at once and shows each
output. These tests check that the committed script is the one its sources build,
that a page asks for a handful of files instead of about a hundred, and that what
the script cannot show (a widget from another package, an error) is said in words,
as text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser_fixtures import (
    READY,
    READY_TIMEOUT_MS,
    STDERR_OUTPUT,
    Server,
    _stop,
    free_port,
    launch,
    open_workbook,
    quiet_env,
    wait_until_answers,
)

from coachkit.model.pillars import PILLARS
from coachkit.web.serve import BUILD_ERROR, TEMPLATE_ROOT, voila_argv, voila_env

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
pytestmark = pytest.mark.browser

STATIC = TEMPLATE_ROOT / "voila" / "templates" / "coachkit" / "static"
BUILT = re.compile(r"^/\* coachkit page script, built from sources ([0-9a-f]{64}) \*/")


def _source_hash() -> str:
    """The hash build.mjs writes into the script's first line (its sourceHash)."""
    names = ["build.mjs", "package.json", "package-lock.json"]
    names += sorted(f"src/{p.name}" for p in (FRONTEND / "src").iterdir())
    digest = hashlib.sha256()
    for name in names:
        text = (FRONTEND / name).read_text(encoding="utf-8").replace("\r\n", "\n")
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def test_the_committed_page_script_is_built_from_the_sources_in_frontend() -> None:
    first_line = (STATIC / "coachkit-page.js").read_text(encoding="utf-8")[:200]
    built = BUILT.match(first_line)
    assert built, "coachkit-page.js does not say what it was built from"
    assert built.group(1) == _source_hash(), (
        "frontend/ changed since coachkit-page.js was built: "
        "cd frontend && npm ci && npm run build"
    )
    notices = (STATIC / "coachkit-page.licenses.txt").read_text(encoding="utf-8")
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    packages = ("@jupyter-widgets/controls", "@jupyterlab/services", "jquery", "vega")
    for package in packages:
        version = lock["packages"][f"node_modules/{package}"]["version"]
        assert f"{package} {version} (" in notices


def test_a_workbook_asks_for_a_few_files_of_its_own_server(
    server: Server, watched: Any
) -> None:
    page = watched.page
    open_workbook(page, server, PILLARS[0].path)
    files = [u for u in watched.urls if u.startswith(server.url) and "/api/" not in u]
    # The page, JupyterLab's two style sheets, coachkit's two, two scripts.
    assert len(files) <= 8, files
    assert not [u for u in files if "/voila/static/" in u or "/labextensions/" in u]
    local = ("http://127.0.0.1", "ws://127.0.0.1")
    assert not [u for u in watched.urls if not u.startswith(local)]
    assert watched.errors == []


STRANGER = """\
import ipywidgets as widgets
from traitlets import Unicode


class Stranger(widgets.DOMWidget):
    _model_name = Unicode("StrangerModel").tag(sync=True)
    _model_module = Unicode("some-other-package").tag(sync=True)
    _view_name = Unicode("StrangerView").tag(sync=True)
    _view_module = Unicode("some-other-package").tag(sync=True)


shown = widgets.Label("<b>not bold</b>")
shown.add_class("coachkit-ready")
display(Stranger())
display(widgets.VBox([shown]))
print("<i>printed</i>")
"""


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """coachkit's page template serving one notebook of odd outputs, cold kernels."""
    tmp = tmp_path_factory.mktemp("stranger")
    folder = tmp / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(STRANGER)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, folder / "odd.ipynb")
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell('raise ValueError("<b>boom</b>")')]
    broken.metadata["kernelspec"] = notebook.metadata["kernelspec"]
    nbformat.write(broken, folder / "broken.ipynb")
    port = free_port()
    argv = voila_argv(folder, host="127.0.0.1", port=port, pool_size=0)
    env = voila_env(f"sqlite:///{tmp / 'unused.db'}", "127.0.0.1", base=quiet_env(tmp))
    log = tmp / "voila.log"
    proc = launch(argv, env, log)
    running = Server(f"http://127.0.0.1:{port}/", port, tmp / "unused.db", log, tmp)
    try:
        wait_until_answers(proc, log, lambda: running.get("/")[0] == 200, "voila")
        yield running
    finally:
        _stop(proc)


def test_what_the_page_cannot_show_is_said_in_words_and_the_rest_works(
    stranger: Server, watched: Any
) -> None:
    page = watched.page
    page.goto(stranger.url + "voila/render/odd.ipynb")
    page.locator(READY).wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    missing = page.locator(".coachkit-not-shown")
    missing.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    assert missing.count() == 1
    assert "could not be shown" in missing.inner_text()
    # Text from the kernel stays text: no <b> or <i> element is made of it.
    assert page.locator(READY).inner_text() == "<b>not bold</b>"
    printed = page.locator('[data-mime-type="text/plain"] pre').all_inner_texts()
    assert "<i>printed</i>" in "".join(printed)
    assert page.locator("#rendered_cells b, #rendered_cells i").count() == 0
    # The console says which widget, for whoever looks.
    assert any("some-other-package" in error for error in watched.errors)


def test_a_page_whose_cell_fails_says_so_as_error_text(
    stranger: Server, watched: Any
) -> None:
    page = watched.page
    page.goto(stranger.url + "voila/render/broken.ipynb")
    error = page.locator(STDERR_OUTPUT)
    error.first.wait_for(state="visible", timeout=READY_TIMEOUT_MS)
    assert BUILD_ERROR in error.first.inner_text()
    assert page.locator("#rendered_cells b").count() == 0
    assert page.locator("#loading").count() == 0
