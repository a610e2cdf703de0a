"""Check every installed package against PyPI's list of known vulnerabilities.

pip-audit asks PyPI for each exact version (``/pypi/NAME/VERSION/json``) or asks
OSV; on the CI machine the first answers 404 and the second is unreachable, so
pip-audit passes having checked nothing. PyPI's project page
(``/pypi/NAME/json``) does answer, and lists the known vulnerabilities of the
newest release. So a package installed at its newest release is checked for real;
one that is older is listed as "not checked", with the reason.

Exit code 1 when a checked package has a known vulnerability (or PyPI cannot be
reached at all), else 0. Run: .venv/bin/python .ci/audit.py
"""

from __future__ import annotations

import concurrent.futures
import importlib.metadata
import json
import sys
import urllib.error
import urllib.request

PYPI = "https://pypi.org/pypi/{name}/json"
OURS = {"coachkit"}


def newest(name: str) -> tuple[str, list[dict[str, object]]]:
    """The newest release on PyPI and its known vulnerabilities."""
    with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as response:
        data = json.load(response)
    return str(data["info"]["version"]), list(data.get("vulnerabilities") or [])


def main() -> int:
    installed = {
        dist.metadata["Name"].lower(): dist.version
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"] and dist.metadata["Name"].lower() not in OURS
    }
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = dict(zip(installed, pool.map(_ask, installed), strict=True))
    checked, unchecked, found, failed = [], [], [], []
    for name, version in sorted(installed.items()):
        answer = answers[name]
        if isinstance(answer, str):
            failed.append(f"{name}: {answer}")
        elif answer[0] != version:
            unchecked.append(
                f"{name} {version} (PyPI lists advisories only for {answer[0]})"
            )
        else:
            checked.append(name)
            found += [
                f"{name} {version}: {v.get('id')} {v.get('aliases')}" for v in answer[1]
            ]
    print(
        f"audit: {len(checked)} packages checked at their newest release, "
        f"{len(found)} known vulnerabilities"
    )
    for line in found:
        print(f"  VULNERABLE {line}")
    for line in unchecked:
        print(f"  not checked: {line}")
    for line in failed:
        print(f"  no answer: {line}")
    return 1 if found or not checked else 0


def _ask(name: str) -> tuple[str, list[dict[str, object]]] | str:
    try:
        return newest(name)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        return str(exc)[:80]


if __name__ == "__main__":
    sys.exit(main())
