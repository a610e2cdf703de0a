"""``coachkit templates check`` and ``use``, run through the real command line."""

from __future__ import annotations

import datetime as dt
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
MISSING_LEVEL = "  objectives[1].behaviours[2].rubric.4: is missing"
UNKNOWN_METRIC = (
    "  objectives[0].behaviours[1].metrics[0]: names metric 'talk_ratio', which "
)
REPEATED_KEY = (
    "  objectives[2].behaviours[1].key: repeats 'set_agenda', which "
    "objectives[1].behaviours[0] already uses; keys must be unique"
)
NEW_LEVEL_3 = "Shares the agenda at the start and asks the buyer to add to it."


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def fork(folder: Path, *breaks: str) -> Path:
    """A copy of the default framework with the named ``breaks`` made in it."""
    data: dict[str, Any] = yaml.safe_load(DEFAULT.read_text("utf-8"))
    objectives = data["objectives"]
    if "level" in breaks:
        del objectives[1]["behaviours"][2]["rubric"][4]
    if "metric" in breaks:
        objectives[0]["behaviours"][1]["metrics"][0] = "talk_ratio"
    if "key" in breaks:
        objectives[2]["behaviours"][1]["key"] = "set_agenda"
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
    assert out.splitlines()[0].endswith(": 1 problem. Fix them and run this again:")
    assert out.splitlines()[1].startswith(line)


@pytest.mark.parametrize(
    ("path", "summary"),
    [
        (DEFAULT, "ok: 4 objectives, 14 behaviours, 14 metrics"),
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

    code, out = run(
        "templates", "use", str(fork(tmp_path, "good")), "--db", _db(demo_store)
    )

    assert code == 0, out
    assert out.splitlines() == [
        f"Default B2B sales framework is now the framework in {_db(demo_store)}.",
        "- added 1 behaviour: follow_up_on_events",
        "- wrote a new rubric version for 1 behaviour; older ratings keep the words "
        "that scored them: set_agenda",
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
    assert "- added 13 behaviours: run_kickoff, check_usage" in out
    assert "- kept 14 behaviours that are not in the new framework because" in out
    with demo_store.read() as conn:
        weights = objective_weights(conn).set_index("objective_key")["weight"]
    assert weights["drive_adoption"] == 0.3
    assert weights["gain_access"] == 0.0  # kept for its ratings, out of the ranking
