"""The analyst guide works: every snippet in docs/analysts.md and the example notebook
run on a copy of the demo team."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

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


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(GUIDE.read_text())]


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
    # Only python blocks are run below; any other kind would go untested.
    kinds = [kind for kind, _ in _blocks()]
    assert len(kinds) >= 6
    assert set(kinds) == {"python"}


def test_guide_snippets_run_in_order_on_the_demo_team(demo_copy: Path) -> None:
    namespace: dict[str, object] = {"__name__": "analyst_guide"}
    for number, (_, code) in enumerate(_blocks(), start=1):
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
    blocks = [code for _, code in _blocks()]
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
