"""``coachkit templates check`` and ``use``, run through the real command line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from coachkit.cli.main import main
from coachkit.model.framework import framework_frame, objective_weights
from coachkit.model.templates import templates_dir
from coachkit.prioritize.assessing import Rating, assessment_history, save_assessment
from coachkit.store import schema as s
from coachkit.store.database import Store

DEFAULT = templates_dir() / "framework.yaml"
CUSTOMER_SUCCESS = templates_dir() / "frameworks" / "customer_success.yaml"
# Line numbers show as N here; tests/test_templates.py checks that they are right.
MISSING_LEVEL = "  line N, objective 2, behaviour 3, rubric level 4: is missing"
UNKNOWN_METRIC = (
    "  line N, objective 1, behaviour 2, metric 1: names metric 'coffee_breaks', which "
)
REPEATED_KEY = (
    "  line N, objective 3, behaviour 2, key: repeats 'set_agenda', which "
    "objective 2, behaviour 1 (line N) already uses; keys must be unique"
)
NEW_LEVEL_3 = "Shares the agenda at the start and asks the buyer to add to it."


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, re.sub(r"\bline \d+", "line N", result.output)


def fork(folder: Path, *breaks: str) -> Path:
    """A copy of the default framework with the named ``breaks`` made in it."""
    data: dict[str, Any] = yaml.safe_load(DEFAULT.read_text("utf-8"))
    objectives = data["objectives"]
    if "level" in breaks:
        del objectives[1]["behaviours"][2]["rubric"][4]
    if "metric" in breaks:
        objectives[0]["behaviours"][1]["metrics"][0] = "coffee_breaks"
    if "key" in breaks:
        objectives[2]["behaviours"][1]["key"] = "set_agenda"
    if "rename" in breaks:  # a behaviour renamed, a rated one dropped
        objectives[1]["behaviours"][1]["name"] = "Ask about impact"
        del objectives[0]["behaviours"][0]
    if "good" in breaks:  # a valid fork: new words, new weights, a new behaviour
        objectives[1]["behaviours"][0]["rubric"][3] = NEW_LEVEL_3
        objectives[0]["weight"], objectives[2]["weight"] = 0.4, 0.1
        extra = dict(
            objectives[0]["behaviours"][0],
            key="follow_up_on_events",
            name="Follow up on events the buyer went to",
        )
        objectives[0]["behaviours"].append(extra)
    path = folder / "framework.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_check_lists_three_breaks_with_their_places(tmp_path: Path) -> None:
    path = fork(tmp_path, "level", "metric", "key")
    code, out = run("templates", "check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}: 3 problems. Fix them and run this again:"
    assert MISSING_LEVEL in lines
    assert REPEATED_KEY in lines
    assert any(line.startswith(UNKNOWN_METRIC) for line in lines)
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("broken", "line"),
    [("level", MISSING_LEVEL), ("metric", UNKNOWN_METRIC), ("key", REPEATED_KEY)],
)
def test_check_lists_each_break_alone(tmp_path: Path, broken: str, line: str) -> None:
    code, out = run("templates", "check", str(fork(tmp_path, broken)))
    assert code == 1
    assert out.splitlines()[0].endswith(": 1 problem. Fix it and run this again:")
    assert out.splitlines()[1].startswith(line)


@pytest.mark.parametrize(
    ("path", "summary"),
    [
        (DEFAULT, "ok: 4 objectives, 14 behaviours, 17 metrics"),
        (CUSTOMER_SUCCESS, "ok: 4 objectives, 13 behaviours, 16 metrics"),
    ],
    ids=["default", "customer success"],
)
def test_check_passes_the_shipped_frameworks(path: Path, summary: str) -> None:
    assert run("templates", "check", str(path)) == (0, summary + "\n")


def test_check_a_missing_file_says_so(tmp_path: Path) -> None:
    code, out = run("templates", "check", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "(file): cannot be read: this path does not exist" in out


def _db(store: Store) -> str:
    return store.location


def test_use_refuses_a_broken_file_and_changes_nothing(
    demo_store: Store, tmp_path: Path
) -> None:
    with demo_store.read() as conn:
        before = framework_frame(conn)
    path = fork(tmp_path, "good", "metric")
    code, out = run("templates", "use", str(path), "--db", _db(demo_store))
    assert code == 1
    assert "1 problem. Nothing was changed." in out
    with demo_store.read() as conn:
        assert framework_frame(conn).equals(before)


def test_use_a_valid_fork_keeps_old_ratings_on_their_rubric(
    demo_store: Store, tmp_path: Path, today: dt.date
) -> None:
    a, b, r = s.assessments, s.behaviours, s.reps
    with demo_store.read() as conn:
        old = conn.execute(
            sa.select(a.c.rep_id, a.c.coach_id, a.c.behaviour_id, a.c.assessed_on)
            .join(b, a.c.behaviour_id == b.c.id)
            .join(r, a.c.rep_id == r.c.id)
            .where(b.c.key == "set_agenda", a.c.skill == 3, a.c.source == "coach")
            .where(a.c.assessed_on < today, r.c.active.is_(True))
            .limit(1)
        ).one()
        old_text = (
            framework_frame(conn)
            .set_index("behaviour_key")
            .loc["set_agenda", "level_3"]
        )
        agenda_ratings = _ratings(conn, "set_agenda")

    code, out = run(
        "templates", "use", str(fork(tmp_path, "good")), "--db", _db(demo_store)
    )

    assert code == 0, out
    assert out.splitlines() == [
        f"Default B2B sales framework is now the framework in {_db(demo_store)}.",
        *GOOD_CHANGES,
        _agenda_line(agenda_ratings),
    ]
    with demo_store.write() as conn:
        save_assessment(
            conn,
            coach_id=old.coach_id,
            rep_id=old.rep_id,
            assessed_on=today,
            source="coach",
            ratings=[Rating(old.behaviour_id, 3, 4)],
            today=today,
        )
    with demo_store.read() as conn:
        weights = objective_weights(conn).set_index("objective_key")["weight"]
        frame = framework_frame(conn).set_index("behaviour_key")
        history = assessment_history(conn, old.rep_id)
    assert weights["gain_access"] == 0.4
    assert weights["shared_vision"] == 0.1
    assert frame.loc["follow_up_on_events", "objective_key"] == "gain_access"
    assert frame.loc["set_agenda", "level_3"] == NEW_LEVEL_3
    agenda = history[
        (history["behaviour_key"] == "set_agenda") & (history["source"] == "coach")
    ].set_index("assessed_on")["level_text"]
    assert agenda[old.assessed_on] == old_text
    assert agenda[today] == NEW_LEVEL_3


def test_use_the_customer_success_framework_on_a_team_with_history(
    demo_store: Store,
) -> None:
    code, out = run("templates", "use", str(CUSTOMER_SUCCESS), "--db", _db(demo_store))
    assert code == 0, out
    assert (
        '- 13 new behaviours: "Run a kickoff that sets clear first goals", "Check '
        'how the product is used", ' in out
    )
    assert (
        "- 14 behaviours kept though the new framework drops them, because ratings, "
        "goals, plans or notes use them; they stay with their history: "
        '"Research the account before reaching out" (' in out
    )
    assert "_" not in out.replace(_db(demo_store), ""), "no keys, only names"
    with demo_store.read() as conn:
        weights = objective_weights(conn).set_index("objective_key")["weight"]
    assert weights["drive_adoption"] == 0.3
    assert weights["gain_access"] == 0.0  # kept for its ratings, out of the ranking


GOOD_CHANGES = [
    '- 1 new behaviour: "Follow up on events the buyer went to"',
    '- objective "Gain access to the right buyers": weight from 0.3 to 0.4; the '
    "ranking uses the new weight",
    '- objective "Create a shared vision of success": weight from 0.2 to 0.1; the '
    "ranking uses the new weight",
]


def _agenda_line(ratings: int) -> str:
    return (
        '- behaviour "Set and check the agenda": new words for rubric level 3, saved '
        f"as a new rubric version; its {ratings} ratings keep the words that scored "
        "them"
    )


def _ratings(conn: sa.Connection, key: str) -> int:
    a, b = s.assessments, s.behaviours
    count: int = conn.execute(
        sa.select(sa.func.count())
        .select_from(a.join(b, a.c.behaviour_id == b.c.id))
        .where(b.c.key == key)
    ).scalar_one()
    return count


def _rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.read() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr)
            for t in s.metadata.sorted_tables
        }


def test_use_dry_run_lists_every_change_and_changes_nothing(
    demo_store: Store, tmp_path: Path
) -> None:
    path = fork(tmp_path, "good", "rename")
    with demo_store.read() as conn:
        agenda, research = (
            _ratings(conn, "set_agenda"),
            _ratings(conn, "research_account"),
        )
    rows = _rows(demo_store)
    demo_store.dispose()  # SQLite writes its journal back into the file
    file = Path(demo_store.url.database or "")
    data = file.read_bytes() if demo_store.is_sqlite else b""

    code, out = run("templates", "use", str(path), "--db", _db(demo_store), "--dry-run")

    assert code == 0, out
    changes = [
        *GOOD_CHANGES,
        _agenda_line(agenda),
        '- behaviour "Ask questions about impact": renamed "Ask about impact"',
        "- 1 behaviour kept though the new framework drops it, because ratings, "
        "goals, plans or notes use it; it stays with its history: "
        f'"Research the account before reaching out" ({research} ratings)',
    ]
    assert out.splitlines() == [
        f"Dry run: nothing was changed. Using {path} would make these changes in "
        f"{_db(demo_store)}:",
        *changes,
    ]
    if demo_store.is_sqlite:
        assert file.read_bytes() == data
    assert _rows(demo_store) == rows

    code, out = run("templates", "use", str(path), "--db", _db(demo_store))

    assert code == 0, out
    assert out.splitlines()[1:] == changes
    assert _rows(demo_store) != rows


def test_use_dry_run_of_the_same_framework_says_there_is_nothing_to_change(
    demo_store: Store,
) -> None:
    code, out = run(
        "templates", "use", str(DEFAULT), "--db", _db(demo_store), "--dry-run"
    )
    assert code == 0, out
    assert out.splitlines()[1:] == [
        "- no changes: the store already has this framework"
    ]


def test_use_dry_run_on_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "no" / "store.db"
    code, out = run("templates", "use", str(DEFAULT), "--db", str(db), "--dry-run")
    assert code == 1
    assert "there is no store at" in out
    assert not db.parent.exists()


def test_check_says_one_objective_behaviour_and_metric_in_the_singular(
    tmp_path: Path,
) -> None:
    data: dict[str, Any] = yaml.safe_load(DEFAULT.read_text("utf-8"))
    only = data["objectives"][0]
    only["weight"] = 1
    only["behaviours"] = only["behaviours"][:1]
    only["behaviours"][0]["metrics"] = ["conversations"]
    data["objectives"] = [only]
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    assert run("templates", "check", str(path)) == (
        0,
        "ok: 1 objective, 1 behaviour, 1 metric\n",
    )
