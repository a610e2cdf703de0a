"""Every shell command in README.md and docs/*.md works as written.

Each ```bash block runs in bash, as a person pastes it, in an empty folder that holds
a demo team as ``coachkit.db`` (also ``$COACHKIT_DB``) and a link to the checkout's
``workbooks/``, with this virtualenv's commands first on the PATH. A block that
installs packages, starts a server or needs root is not run: ``SKIPPED`` names each
one and why, and a new block must join ``CHECKS`` or ``SKIPPED``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^( *)```bash\n(.*?)^\1```", re.MULTILINE | re.DOTALL)

#: The blocks not run, by file and first line, each with the reason.
SKIPPED = {
    "README.md: python3 -m venv .venv && .venv/bin/pip install . && "
    ".venv/bin/coachkit serve": "installs coachkit with pip, then starts a server "
    "that runs until it is stopped",
    "README.md: bash .ci/run": "installs Chromium and PostgreSQL (needs root), "
    "then runs every test, this one included",
    "README.md: python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'": (
        "installs packages, then runs every test (this one included) and a "
        "30-minute benchmark"
    ),
    "docs/deploy.md: sudo -u postgres createuser --pwprompt coachkit": "needs "
    "root and a PostgreSQL server, and asks for a password",
    "docs/deploy.md: export COACHKIT_DB=postgresql://coachkit:PASSWORD@db-host/"
    "coachkit": "needs the PostgreSQL server db-host the step before sets up",
    "docs/deploy.md: sudo apt-get install nginx certbot": "installs packages as "
    "root and asks Let's Encrypt for a certificate",
    "docs/deploy.md: sudo useradd --system --create-home --home-dir "
    "/var/lib/coachkit coachkit": "needs root: adds a system user, installs "
    "coachkit with pip and starts a system service",
    "docs/deploy.md: sudo cp deploy/nginx-coachkit.conf "
    "/etc/nginx/sites-available/coachkit": "needs root: changes nginx's "
    "configuration, asks for a password and reloads nginx",
    "docs/deploy.md: pip install coachkit jupyter-server-proxy": "installs packages",
    "docs/deploy.md: docker build -t your-registry/coachkit-singleuser:0.1.0 -f "
    "deploy/kubernetes/Dockerfile .": "needs Docker, a registry and a Kubernetes "
    "cluster (tests/test_kubernetes.py checks the files instead)",
    "docs/workshop.md: coachkit workshop --participants 20 --db workshop.db   # one "
    "seat each, plus a few spare": "then starts the workshop's server, which runs "
    "until it is stopped (tests/test_browser_workshop_room.py runs it)",
}


def _users_were_added(folder: Path, ran: subprocess.CompletedProcess[str]) -> None:
    listed = ran.stdout.splitlines()[-5:]  # `coachkit users list`
    assert "Ann Example: coach, signs in as ann" in listed
    assert "Lee Lead: enablement lead, signs in as lee" in listed
    assert "Victor Garcia: coach, signs in as victor" in listed


def _report_page_was_written(
    folder: Path, ran: subprocess.CompletedProcess[str]
) -> None:
    page = (folder / "out.html").read_text(encoding="utf-8")
    assert "Coaching report for Uma Iyer" in page
    assert "Last month" in page
    assert page.count("<svg") >= 2  # the charts are in the page itself
    assert "Passed unknown parameter" not in ran.stderr


def _rep_link_was_made_then_stopped(
    folder: Path, ran: subprocess.CompletedProcess[str]
) -> None:
    said = ran.stdout
    assert "https://coaching.example.com/voila/render/4_my_coaching.ipynb?me=" in said
    assert "Valeria Mensah's link no longer works." in said
    from coachkit.rep_side import rep_for_link
    from coachkit.store.database import open_existing

    secret = said.split("?me=", 1)[1].split()[0]
    store = open_existing(str(folder / "coachkit.db"))
    try:
        with store.read() as conn:
            assert rep_for_link(conn, secret, touch=False) is None  # it was stopped
    finally:
        store.dispose()


#: The blocks run, by file and first line, each with what a reader would check.
CHECKS: dict[str, Callable[[Path, subprocess.CompletedProcess[str]], None]] = {
    'docs/deploy.md: coachkit users add "Ann Example" --login ann': _users_were_added,
    "docs/analysts.md: papermill workbooks/3_improve.ipynb out.ipynb \\": (
        _report_page_was_written
    ),
    'docs/rep_page.md: coachkit reps link "Valeria Mensah" --base '
    "https://coaching.example.com": _rep_link_was_made_then_stopped,
}


def _shell_blocks() -> dict[str, str]:
    """Every bash block of the docs, by file and first line."""
    blocks = {}
    for doc in DOCS:
        for match in _FENCE.finditer(doc.read_text(encoding="utf-8")):
            code = textwrap.dedent(match.group(2))
            name = f"{doc.relative_to(ROOT).as_posix()}: {code.splitlines()[0]}"
            assert name not in blocks, f"two blocks start alike: {name}"
            blocks[name] = code
    return blocks


@pytest.fixture(scope="module")
def demo_today(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo team whose history ends today, as `coachkit demo` makes it."""
    from coachkit.demo import build_demo
    from coachkit.model.framework import prepare_store

    path = tmp_path_factory.mktemp("demo-today") / "coachkit.db"
    store = prepare_store(str(path))
    build_demo(store)
    store.dispose()
    return path


@pytest.fixture
def shell(
    demo_today: Path, tmp_path: Path
) -> Callable[[str], subprocess.CompletedProcess[str]]:
    """Run a block of shell commands as a reader would, in a folder of their own."""
    shutil.copy(demo_today, tmp_path / "coachkit.db")
    (tmp_path / "workbooks").symlink_to(ROOT / "workbooks")
    env = dict(os.environ)
    env["COACHKIT_DB"] = str(tmp_path / "coachkit.db")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"

    def run(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_every_shell_block_is_run_or_skipped_with_a_reason() -> None:
    blocks = set(_shell_blocks())
    assert not set(CHECKS) & set(SKIPPED)
    assert blocks == set(CHECKS) | set(SKIPPED), (
        f"not run nor skipped: {sorted(blocks - set(CHECKS) - set(SKIPPED))}; "
        f"no longer in the docs: {sorted((set(CHECKS) | set(SKIPPED)) - blocks)}"
    )
    assert all(reason.strip() for reason in SKIPPED.values())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_shell_block_works_as_written(
    name: str,
    shell: Callable[[str], subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    ran = shell(_shell_blocks()[name])
    assert ran.returncode == 0, f"{name}\n{ran.stdout[-2000:]}\n{ran.stderr[-3000:]}"
    CHECKS[name](tmp_path, ran)


@pytest.mark.parametrize("workbook", ["prioritize", "facilitate"])
def test_report_batch_passes_only_the_parameters_a_workbook_takes(
    workbook: str,
    shell: Callable[[str], subprocess.CompletedProcess[str]],
    tmp_path: Path,
) -> None:
    # The README's `coachkit report batch --workbook improve [--months 1]`, for a
    # workbook without `months`: papermill said "Passed unknown parameter: months"
    # once per coach.
    ran = shell(f"coachkit report batch --workbook {workbook} --out pages")
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "unknown parameter" not in ran.stdout + ran.stderr
    pages = [Path(line) for line in ran.stdout.splitlines()]
    assert len(pages) == 3  # two coaches and the lead
    assert all(page.parent == tmp_path / "pages" for page in pages)
    assert ran.stderr.startswith("3 pages in "), ran.stderr


def _visible_text(page: str) -> str:
    """The words a browser shows with no script run: the body without its tags."""
    body = page[page.index("<body") :]
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_without_static_the_page_is_empty_as_the_guide_warns(
    shell: Callable[[str], subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    guide = " ".join((ROOT / "docs" / "analysts.md").read_text().split())
    assert "Keep `-p static True` when you want a page." in guide
    assert "(opened offline, the page is empty)" in guide
    name = "docs/analysts.md: papermill workbooks/3_improve.ipynb out.ipynb \\"
    code = _shell_blocks()[name]
    assert " -p static True" in code
    ran = shell(code)
    assert ran.returncode == 0, ran.stderr[-3000:]
    static_page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "Coaching report for Uma Iyer" in _visible_text(static_page)
    # The same commands without it: the workbook's widgets, which nbconvert keeps
    # only as saved state for a script to redraw; the page itself shows nothing.
    ran = shell(code.replace(" -p static True", ""))
    assert ran.returncode == 0, ran.stderr[-3000:]
    widget_page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-view+json" in widget_page
    assert _visible_text(widget_page) == ""
