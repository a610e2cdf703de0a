"""The analyst guide works: every snippet in docs/analysts.md and the example notebook
run on a copy of the demo team, in a fresh kernel as an analyst runs them.

The guide's shell commands are run by ``tests/test_doc_commands.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient

from coachkit.analysis import Analysis
from coachkit.apps import base
from coachkit.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "analysts.md"
NOTEBOOK = ROOT / "examples" / "analyst.ipynb"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^## (?:(\d+)\. )?", re.MULTILINE)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(GUIDE.read_text())]


def _python_blocks() -> list[str]:
    return [code for kind, code in _blocks() if kind == "python"]


def _step_blocks(step: int) -> list[str]:
    """The Python blocks under the guide's heading ``## <step>.``, up to the next."""
    text = GUIDE.read_text()
    headings = [*_HEADING.finditer(text)]
    (start,) = [i for i, m in enumerate(headings) if m.group(1) == str(step)]
    end = headings[start + 1].start() if start + 1 < len(headings) else len(text)
    section = text[headings[start].start() : end]
    return [m.group(2) for m in _FENCE.finditer(section) if m.group(1) == "python"]


def _papermill(
    notebook: Any, folder: Path, *params: str
) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Run ``notebook`` as an analyst does: papermill, a fresh kernel, in ``folder``."""
    source, out = folder / "recipe.ipynb", folder / "recipe-out.ipynb"
    nbformat.write(notebook, source)
    command = [sys.executable, "-m", "papermill", str(source), str(out)]
    command += ["--no-progress-bar", "--cwd", str(folder), *params]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=600)
    return ran, nbformat.read(out, as_version=4) if out.exists() else None


def _widget_text(notebook: Any) -> str:
    """Every text the saved widgets of an executed notebook show, in one string."""
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    return "\n".join(
        str(model["state"]["value"])
        for model in state["state"].values()
        if isinstance(model["state"].get("value"), str)
    )


def _printed(notebook: Any) -> str:
    """Everything the cells printed, errors and warnings included."""
    return "\n".join(
        str(out.get("text", "")) + " ".join(out.get("traceback", []))
        for cell in notebook.cells
        for out in cell.get("outputs", [])
    )


def _demo_values(db: Path) -> list[float]:
    """The values of the guide's custom metric, demos_given, in a store."""
    a = Analysis.open(db)
    try:
        metrics = a.table("metrics")
        values = a.table("metric_values")
    finally:
        a.close()
    (metric_id,) = metrics.loc[metrics["key"] == "demos_given", "id"]
    return sorted(values.loc[values["metric_id"] == metric_id, "value"])


@pytest.fixture
def demo_copy(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The demo store as ``coachkit.db`` in an empty folder that is the cwd."""
    path = tmp_path / "coachkit.db"
    shutil.copy(demo_db, path)
    monkeypatch.chdir(tmp_path)
    yield path
    # The guide's workbook keeps its store open for the kernel (here: this process).
    kept = base._STORES.pop("coachkit.db", None)
    if kept is not None:
        kept.dispose()


def test_every_code_block_in_the_guide_is_python() -> None:
    # Python blocks are run below and bash blocks by test_doc_commands.py; any other
    # kind would go untested.
    kinds = [kind for kind, _ in _blocks()]
    assert len([kind for kind in kinds if kind == "python"]) >= 6
    assert set(kinds) == {"python", "bash"}


def test_guide_snippets_run_in_order_on_the_demo_team(demo_copy: Path) -> None:
    namespace: dict[str, object] = {"__name__": "analyst_guide"}
    for number, code in enumerate(_python_blocks(), start=1):
        try:
            exec(compile(code, f"{GUIDE.name} block {number}", "exec"), namespace)
        except Exception as exc:  # name the block that broke
            raise AssertionError(f"block {number} of {GUIDE.name} failed") from exc
    assert namespace["db"] == "coachkit.db"
    folder = demo_copy.parent
    png = (folder / "sessions_per_month.png").read_bytes()
    svg = (folder / "sessions_per_month.svg").read_text()
    assert png.startswith(b"\x89PNG")
    assert "<svg" in svg
    assert "Sessions per month" in svg
    # Both coaches' months are drawn: one line each, named in the legend.
    assert "Uma Iyer" in svg
    assert "Victor Garcia" in svg
    # Three weeks of demos for every rep the import named, in the store itself.
    values = _demo_values(demo_copy)
    assert len(values) == 3 * 20
    assert set(values) == {2.0, 3.0, 4.0}
    # The custom view sits in the usual shell: header, coach picker, table, chart.
    app = namespace["app"]
    header = app.shell.header.value  # type: ignore[attr-defined]
    assert "Continuously improve" in header
    table, picture = app.shell.body.children  # type: ignore[attr-defined]
    assert "Sessions per month" in table.value
    assert "<td>Uma Iyer</td>" in table.value
    assert picture.format == "svg+xml"
    assert app.state.message.startswith("Showing")  # type: ignore[attr-defined]
    namespace["a"].close()  # type: ignore[attr-defined]


def test_the_framework_folder_starts_a_new_store(demo_copy: Path) -> None:
    # The guide says `coachkit init --db new.db --framework my-framework` works on
    # the folder its step 3 writes; run that step, then the command.
    namespace: dict[str, object] = {}
    blocks = _python_blocks()
    step3 = next(i for i, code in enumerate(blocks) if "my-framework" in code)
    for code in blocks[: step3 + 1]:
        exec(code, namespace)
    namespace["a"].close()  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        main, ["init", "--db", "new.db", "--framework", "my-framework"]
    )
    assert result.exit_code == 0, result.output
    a = Analysis.open("new.db")
    try:
        keys = set(a.table("metrics")["key"])
    finally:
        a.close()
    assert "demos_given" in keys


def test_example_notebook_runs_on_the_demo_team(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    assert 5 <= len(notebook.cells) <= 8
    monkeypatch.setenv("COACHKIT_DB", str(demo_copy))
    folder = demo_copy.parent
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()  # raises CellExecutionError naming the cell that failed
    assert (folder / "sessions_per_month.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (folder / "sessions_per_month.svg").read_text()
    assert len(_demo_values(demo_copy)) == 3 * 20
    errors = [
        out
        for cell in notebook.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors


def _notebook_of(cells: list[str]) -> Any:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    return notebook


def test_the_guide_runs_as_one_notebook_in_a_fresh_kernel(demo_copy: Path) -> None:
    # "Run them in order, in JupyterLab": each Python block a cell, in a new kernel
    # that knows nothing this test process imported.
    folder = demo_copy.parent
    ran, done = _papermill(_notebook_of(_python_blocks()), folder)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert (folder / "sessions_per_month.png").read_bytes().startswith(b"\x89PNG")
    assert "Sessions per month" in (folder / "sessions_per_month.svg").read_text()
    assert len(_demo_values(demo_copy)) == 3 * 20
    shown = _widget_text(done)
    assert "Continuously improve" in shown
    assert "<td>Uma Iyer</td>" in shown
    assert "Showing" in shown
    assert "went wrong" not in shown + _printed(done)


def test_step_4_workbook_copy_runs_in_a_fresh_kernel(demo_copy: Path) -> None:
    # Step 4 as written: copy workbooks/3_improve.ipynb, keep its parameters cell and
    # put the first block of step 2 and the block of step 4 after it; papermill
    # runs the copy with -p db coachkit.db, as step 5 says.
    assert "the first block of step 2" in GUIDE.read_text()
    (view,) = _step_blocks(4)
    assert view.rstrip().endswith("app = SessionsPerMonth(db)\napp")
    workbook = nbformat.read(ROOT / "workbooks" / "3_improve.ipynb", as_version=4)
    parameters = workbook.cells[0]
    assert "parameters" in parameters.metadata["tags"]
    copy = _notebook_of([_step_blocks(2)[0], view])
    copy.cells.insert(0, parameters)
    ran, done = _papermill(copy, demo_copy.parent, "-p", "db", "coachkit.db")
    assert ran.returncode == 0, ran.stderr[-3000:]
    shown = _widget_text(done)
    # The copy shows the usual header and the view's table, not "went wrong while
    # loading this coach's data" (a NameError inside load() ends up there).
    assert "Continuously improve" in shown
    assert "Sessions per month" in shown
    assert "<td>Uma Iyer</td>" in shown
    assert "Showing" in shown
    printed = _printed(done)
    assert "went wrong" not in shown + printed
    assert "Error" not in printed
