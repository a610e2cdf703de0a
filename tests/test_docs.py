"""The README must not rot: it names every command, option and template field."""

import ast
import re
from dataclasses import fields
from pathlib import Path

import nbformat
import pytest

from coachkit.cli.main import main
from coachkit.model import templates

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

_TEMPLATE_CLASSES = (
    templates.Framework,
    templates.Objective,
    templates.Behaviour,
    templates.Metric,
    templates.SessionGuides,
    templates.StyleGuide,
    templates.PracticeStage,
    templates.SessionType,
)
_NOT_IN_FILES = {"objective_key"}  # filled in by the loader


@pytest.mark.parametrize("name", sorted(main.commands))
def test_readme_names_every_command_and_option(name: str) -> None:
    assert f"coachkit {name}" in README
    for param in main.commands[name].params:
        for opt in param.opts:
            assert opt in README, f"README does not mention {opt} of coachkit {name}"


def test_readme_names_every_template_field() -> None:
    names = {f.name for cls in _TEMPLATE_CLASSES for f in fields(cls)} - _NOT_IN_FILES
    names |= set(templates.GROW_PARTS)
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"README does not describe template fields: {missing}"


def test_readme_has_exactly_two_start_commands() -> None:
    assert (
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/coachkit serve"
        in README
    )
    assert "bash .ci/run" in README
    assert len(README.splitlines()) <= 150


def test_readme_lists_every_import_column_of_every_kind() -> None:
    from coachkit.exchange.importer import COLUMNS

    table = README[README.index("| kind | required columns |") :]
    lines = table.splitlines()[2:]
    rows = {line.split("|")[1].strip(): line for line in lines[: lines.index("")]}
    assert set(rows) == set(COLUMNS)
    for kind, columns in COLUMNS.items():
        required, optional = rows[kind].split("|")[2:4]
        for column in columns:
            where = required if column.required else optional
            assert column.name in where, f"README: {kind} column {column.name}"


_WORKBOOK = r"(?:Prioritize|Facilitate|Improve)"
#: "Prioritize and Facilitate take `db`, ...; Improve also takes `months`".
_CLAIM = re.compile(
    rf"({_WORKBOOK}(?:(?:,| and|, and) {_WORKBOOK})*) (also )?takes? "
    r"((?:`\w+`(?:,? and |, )?)+)"
)
_PARAMETER = r"`(?:db|coach|rep|months|today|static)`"
#: Any list of parameters something "takes", such as "The `parameters` cell takes
#: `db`, `coach`, ...": each must be one of the claims above.
_ANY_CLAIM = re.compile(rf"takes? {_PARAMETER}(?:,? (?:and )?{_PARAMETER})+")


def _declared_parameters() -> dict[str, set[str]]:
    """What each workbook's cell tagged ``parameters`` sets, by its title."""
    declared = {}
    for path in sorted((ROOT / "workbooks").glob("[123]_*.ipynb")):  # the pillars
        cells = nbformat.read(path, as_version=4).cells
        (cell,) = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
        title = path.stem.split("_", 1)[1].capitalize()  # 3_improve -> Improve
        declared[title] = {
            target.id
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
    return declared


def _documented_parameters(text: str) -> dict[str, set[str]]:
    """What a doc says each workbook takes; "also" adds to the claim before it."""
    text = " ".join(text.split())
    said: dict[str, set[str]] = {}
    before: set[str] = set()
    claims = list(_CLAIM.finditer(text))
    for claim in claims:
        names = set(re.findall(r"`(\w+)`", claim.group(3)))
        if claim.group(2):
            names |= before
        for title in re.findall(_WORKBOOK, claim.group(1)):
            assert title not in said, f"{title}'s parameters are listed twice"
            said[title] = names
        before = names
    # No other sentence, such as one for every workbook at once, lists them.
    for listed in _ANY_CLAIM.finditer(text):
        assert any(
            claim.start() <= listed.start() and listed.end() <= claim.end()
            for claim in claims
        ), f"names no workbook: ...{text[listed.start() - 60 : listed.end()]}"
    return said


@pytest.mark.parametrize("doc", ["README.md", "docs/analysts.md"])
def test_docs_say_which_parameters_each_workbook_takes(doc: str) -> None:
    declared = _declared_parameters()
    assert set(declared) == {"Prioritize", "Facilitate", "Improve"}
    assert _documented_parameters((ROOT / doc).read_text()) == declared


def test_analyst_guide_explains_every_parameter() -> None:
    # The list of what each one means: "- `db`: ...", "- `coach` and `rep`: ...".
    text = (ROOT / "docs" / "analysts.md").read_text()
    explained = {
        name
        for item in re.findall(r"^- (`\w+`(?: and `\w+`)*):", text, re.MULTILINE)
        for name in re.findall(r"`(\w+)`", item)
    }
    assert explained == set().union(*_declared_parameters().values())


def test_the_readme_python_block_runs_as_written(demo_db: Path, tmp_path: Path) -> None:
    """The README's DataFrame example, in a fresh Python, beside a store named as it
    says (coachkit.db in the working folder)."""
    import shutil
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert len(blocks) == 1
    shutil.copy(demo_db, tmp_path / "coachkit.db")
    code = blocks[0].rstrip().splitlines()
    code[-1] = f"print(len({code[-1].split('#')[0].strip()}))"  # show the last value
    run = subprocess.run(
        [sys.executable, "-c", "\n".join(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.split()[-1]) >= 1  # the demo has effects with enough data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coachkit.db"]
