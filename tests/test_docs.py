"""The README must not rot: it names every command, option and template field."""

from dataclasses import fields
from pathlib import Path

import pytest

from coachkit.cli.main import main
from coachkit.model import templates

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()

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
    rows = {line.split("|")[1].strip(): line for line in table.splitlines()[2:6]}
    assert set(rows) == set(COLUMNS)
    for kind, columns in COLUMNS.items():
        required, optional = rows[kind].split("|")[2:4]
        for column in columns:
            where = required if column.required else optional
            assert column.name in where, f"README: {kind} column {column.name}"
