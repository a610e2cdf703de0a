"""The Zero to JupyterHub recipe in ``deploy/kubernetes/``, checked without a cluster.

``values.yaml`` is checked against the part of the chart's values schema it uses
(``z2jh-values.schema.yaml``, vendored with its source), its start command is the
one ``tests/test_hub.py`` runs under a real JupyterHub, and its memory limits hold
what a coach's server was measured to need (docs/deploy.md).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from coachkit.web import page_kernels
from coachkit.web.serve import hub_command

KUBERNETES = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"
SHIPPED_HUB = KUBERNETES.parent / "jupyterhub_config.py"
#: Measured MB of PSS (docs/deploy.md, "How many coaches per machine"): a coach's
#: server with the three workbooks open (proxy, coachkit serve, Voila, the kernel
#: template, the chart engine and three pages), and one more page after every tab.
THREE_WORKBOOKS_MB, PAGE_MB = 616, 80


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((KUBERNETES / "values.yaml").read_text())
    return loaded


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = yaml.safe_load((KUBERNETES / "z2jh-values.schema.yaml").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator: jsonschema.Draft7Validator, values: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(values)
    ]


def test_every_key_of_values_yaml_is_in_the_charts_schema(
    values: dict[str, Any], validator: jsonschema.Draft7Validator
) -> None:
    assert _errors(validator, values) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("singleuser", "memroy"), {"limit": "1G"}),  # a misspelt key
        (("cull", "timeout"), "1h"),  # the chart wants seconds
        (("singleuser", "storage", "type"), "nfs"),  # not one of its kinds
    ],
)
def test_the_schema_check_catches_a_mistake(
    values: dict[str, Any],
    validator: jsonschema.Draft7Validator,
    path: tuple[str, ...],
    value: object,
) -> None:
    wrong = copy.deepcopy(values)
    *parents, key = path
    target = wrong
    for part in parents:
        target = target[part]
    target[key] = value
    assert _errors(validator, wrong) != []


def test_each_pod_runs_the_command_the_hub_test_runs(values: dict[str, Any]) -> None:
    assert values["singleuser"]["cmd"] == hub_command()


def test_the_image_runs_the_same_command() -> None:
    text = (KUBERNETES / "Dockerfile").read_text()
    found = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert found is not None, "the Dockerfile has no CMD [...] line"
    assert json.loads(found.group(1)) == hub_command()


def test_the_store_address_comes_from_a_secret(values: dict[str, Any]) -> None:
    store = values["singleuser"]["extraEnv"]["COACHKIT_DB"]
    assert set(store) == {"valueFrom"}
    assert set(store["valueFrom"]["secretKeyRef"]) == {"name", "key"}
    assert "postgresql://" not in json.dumps(values)


def _megabytes(quantity: str) -> float:
    """A Kubernetes memory quantity (``650M``, ``1.2G``, ``1Gi``) in MB."""
    units = {"M": 1e6, "G": 1e9, "Mi": 2**20, "Gi": 2**30}
    found = re.fullmatch(r"([\d.]+)([A-Za-z]+)", quantity)
    assert found is not None, f"{quantity!r} is not a memory quantity"
    number, unit = found.groups()
    return float(number) * units[unit] / 1e6


def test_memory_fits_what_a_coachs_server_was_measured_to_need(
    values: dict[str, Any],
) -> None:
    memory = values["singleuser"]["memory"]
    # A coach with the three workbooks open is guaranteed room ...
    assert _megabytes(memory["guarantee"]) >= THREE_WORKBOOKS_MB
    # ... and the limit is above the most pages coachkit lets one person open, so
    # the pod is not stopped before coachkit's own ceiling says "close a tab".
    most = THREE_WORKBOOKS_MB + (page_kernels.PER_VISITOR - 3) * PAGE_MB
    assert _megabytes(memory["limit"]) > most


def test_servers_are_culled_after_the_same_hour_as_on_a_plain_hub(
    values: dict[str, Any],
) -> None:
    config = PyFileConfigLoader(SHIPPED_HUB.name, str(SHIPPED_HUB.parent)).load_config()
    culler = config.JupyterHub.services[0]["command"]
    assert values["cull"]["enabled"] is True
    assert f"--timeout={values['cull']['timeout']}" in culler
    assert f"--cull-every={values['cull']['every']}" in culler
