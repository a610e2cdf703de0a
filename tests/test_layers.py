"""The folders say the architecture, and these tests keep it so.

coachkit's packages are layers (docs/architecture.md). A module imports its own
package and the layers below it, never a layer above; the three pillars never import
each other; only ``apps/`` imports ipywidgets; reading data and asking the CLI for
help load no widget or chart engine. Every import counts, including the ones inside
functions and under ``TYPE_CHECKING``: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coachkit"

#: Each top-level package of coachkit and its layer: a module may import packages of
#: a lower layer, and its own package. Packages on one layer never import each other.
LAYERS = {
    "errors": 0,
    "store": 1,
    "model": 2,
    "prioritize": 3,
    "facilitate": 3,
    "improve": 3,
    "demo": 3,
    "exchange": 4,
    "rep_side": 4,
    "web": 5,
    "apps": 6,
    "cli": 7,
}
#: Modules directly in coachkit/ that are names, not layers: the public surface and
#: the two documented old names. Checked by what they import, like any module.
ROOT_MODULES = {
    "__init__": 2,  # re-exports the store and the template loaders
    "__main__": 8,  # python -m coachkit runs the CLI
    "analysis": 4,  # the documented name of exchange.analysis
    "schema": 1,  # the documented name of store.schema
}
#: The packages that may import ipywidgets (or its widget traits).
WIDGET_PACKAGES = {"apps"}
WIDGET_MODULES = ("ipywidgets", "anywidget")
#: Imports that cross the rules on purpose, each with its reason.
ALLOWED = {
    ("coachkit.web.kernels", "coachkit.apps.base"): (
        "the kernel template preloads the workbooks it serves before a visitor comes"
    ),
    ("coachkit.web.kernels", "ipywidgets"): (
        "each kernel forked from the template registers the widgets' messages"
    ),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name (``from a import b`` gives
    ``a.b`` when that is a module of coachkit, else ``a``)."""
    names: set[str] = set()
    modules = _modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path.name}: coachkit imports by full name"
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                names.add(full if full in modules else node.module)
    return names


def _layer(module: str) -> tuple[str, int]:
    """The package of a coachkit module and its layer."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__", ROOT_MODULES["__init__"]
    top = parts[1]
    if top in ROOT_MODULES:
        return top, ROOT_MODULES[top]
    return top, LAYERS[top]


def crossings(modules: dict[str, Path]) -> list[str]:
    """Every import that breaks a rule, as one line a person can act on."""
    problems = []
    for module, path in modules.items():
        package, layer = _layer(module)
        for name in sorted(_imports(path)):
            if (module, name) in ALLOWED:
                continue
            if name.split(".")[0] in WIDGET_MODULES and package not in WIDGET_PACKAGES:
                problems.append(f"{module} imports {name}: only apps/ shows widgets")
            if not name.startswith("coachkit.") or name == module:
                continue
            other, other_layer = _layer(name)
            if other == package and package not in ROOT_MODULES:
                continue
            if other_layer > layer:
                problems.append(f"{module} imports {name}, a layer above it")
            elif (
                other_layer == layer
                and other != package
                and package not in ROOT_MODULES
            ):
                problems.append(f"{module} imports {name}, a package beside it")
    return problems


def test_every_package_of_coachkit_has_a_layer() -> None:
    tops = {
        path.name if path.is_dir() else path.stem
        for path in PACKAGE.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists()) or path.suffix == ".py"
    }
    assert tops - {"__init__"} == (set(LAYERS) | set(ROOT_MODULES)) - {"__init__"}


def test_no_module_imports_a_layer_above_or_a_pillar_beside_it() -> None:
    assert crossings(_modules()) == []


def test_at_most_twelve_modules_sit_directly_in_the_package() -> None:
    assert len([p for p in PACKAGE.iterdir() if p.suffix == ".py"]) <= 12


@pytest.mark.parametrize(
    ("module", "imports", "problem"),
    [
        (
            "coachkit.facilitate.prep",
            "from coachkit.improve.cadence import cadence_table",
            "coachkit.facilitate.prep imports coachkit.improve.cadence, "
            "a package beside it",
        ),
        (
            "coachkit.store.queries",
            "from coachkit.model import plans",
            "coachkit.store.queries imports coachkit.model.plans, a layer above it",
        ),
        (
            "coachkit.exchange.analysis",
            "import ipywidgets as w",
            "coachkit.exchange.analysis imports ipywidgets: only apps/ shows widgets",
        ),
        (
            "coachkit.improve.retro.look_back",
            "def later():\n    from coachkit.apps.base import Workbook\n",
            "coachkit.improve.retro.look_back imports coachkit.apps.base, "
            "a layer above it",
        ),
    ],
)
def test_the_rule_names_an_import_that_breaks_it(
    tmp_path: Path, module: str, imports: str, problem: str
) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(imports + "\n", encoding="utf-8")
    assert crossings({module: bad}) == [problem]


@pytest.mark.parametrize(
    "code",
    [
        "import coachkit.analysis",
        "import coachkit.schema",
        "import coachkit",
        "from coachkit.cli.main import main; main(['--help'], standalone_mode=False)",
    ],
)
def test_reading_data_and_the_cli_help_load_no_widgets_or_charts(code: str) -> None:
    probe = (
        f"{code}\nimport sys\n"
        "print(sorted(m for m in ('ipywidgets', 'altair', 'vl_convert')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_documented_old_names_are_the_same_modules() -> None:
    import coachkit.analysis
    import coachkit.exchange.analysis
    import coachkit.schema
    import coachkit.store.schema

    assert coachkit.analysis is coachkit.exchange.analysis
    assert coachkit.schema is coachkit.store.schema
    assert coachkit.schema.reps is coachkit.store.schema.reps


def test_each_allowed_crossing_is_still_made() -> None:
    """An exception nobody needs any more is a hole in the rule: take it out."""
    modules = _modules()
    for module, name in ALLOWED:
        assert name in _imports(modules[module]), (module, name)
