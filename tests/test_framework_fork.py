"""A forked framework: every problem listed with its place; a good one used in place."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from coachkit.errors import ValidationError
from coachkit.model.forks import (
    Edit as PartEdit,
)
from coachkit.model.forks import (
    FrameworkChange,
    preview_framework,
    use_framework,
)
from coachkit.model.framework import framework_frame, objective_weights
from coachkit.model.readability import Readability
from coachkit.model.templates import framework_problems, load_framework, templates_dir
from coachkit.model.tracker_phrases import tracker_phrases
from coachkit.prioritize.assessing import Rating, assessment_history, save_assessment
from coachkit.store import schema as s
from coachkit.store.database import Store

CUSTOMER_SUCCESS = templates_dir() / "frameworks" / "customer_success.yaml"
Edit = Callable[[dict[str, Any]], None]


def fork(folder: Path, *edits: Edit) -> Path:
    """Copy the default framework into ``folder``, apply ``edits``, return the file."""
    data = yaml.safe_load((templates_dir() / "framework.yaml").read_text("utf-8"))
    for edit in edits:
        edit(data)
    path = folder / "framework.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def behaviour(data: dict[str, Any], o: int, b: int) -> dict[str, Any]:
    found: dict[str, Any] = data["objectives"][o]["behaviours"][b]
    return found


def drop_level(data: dict[str, Any]) -> None:
    del behaviour(data, 1, 2)["rubric"][4]


def unknown_metric(data: dict[str, Any]) -> None:
    behaviour(data, 0, 1)["metrics"][0] = "coffee_breaks"


def repeat_key(data: dict[str, Any]) -> None:
    behaviour(data, 2, 1)["key"] = "set_agenda"  # objectives[1].behaviours[0]'s key


MISSING_LEVEL = ("line N, objective 2, behaviour 3, rubric level 4", "is missing")
UNKNOWN_METRIC = (
    "line N, objective 1, behaviour 2, metric 1",
    "names metric 'coffee_breaks', which metrics.yaml does not define",
)
REPEATED_KEY = (
    "line N, objective 3, behaviour 2, key",
    "repeats 'set_agenda', which objective 2, behaviour 1 (line N) already uses; "
    "keys must be unique",
)


def problems(path: Path) -> list[tuple[str, str]]:
    """Every problem as (place, problem); the metrics file's name kept short and
    line numbers as N (tests/test_templates.py checks that they are right)."""
    short = str(templates_dir() / "metrics.yaml")
    return [
        (
            re.sub(r"line \d+", "line N", p.field),
            re.sub(r"line \d+", "line N", p.problem.replace(short, "metrics.yaml")),
        )
        for p in framework_problems(path)
    ]


# --- check: every problem, with its place ------------------------------------------


def test_three_breaks_in_one_file_give_three_problems(tmp_path: Path) -> None:
    path = fork(tmp_path, drop_level, unknown_metric, repeat_key)
    found = problems(path)
    assert sorted(found) == sorted([MISSING_LEVEL, UNKNOWN_METRIC, REPEATED_KEY])
    assert {p.path for p in framework_problems(path)} == {str(path)}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (drop_level, MISSING_LEVEL),
        (unknown_metric, UNKNOWN_METRIC),
        (repeat_key, REPEATED_KEY),
    ],
    ids=["missing level", "unknown metric", "repeated key"],
)
def test_each_break_alone_gives_its_problem(
    tmp_path: Path, edit: Edit, expected: tuple[str, str]
) -> None:
    assert problems(fork(tmp_path, edit)) == [expected]


def test_several_problems_in_one_behaviour_are_all_listed(tmp_path: Path) -> None:
    def break_many(data: dict[str, Any]) -> None:
        b = behaviour(data, 0, 0)
        b["name"] = ""
        del b["rubric"][2], b["rubric"][5]
        b["target_level"] = 7
        data["objectives"][3]["weight"] = "high"

    found = problems(fork(tmp_path, break_many))
    assert found == [
        ("line N, objective 1, behaviour 1, name", "is empty"),
        ("line N, objective 1, behaviour 1, target_level", "must be a whole number "
         "from 1 to 5, got 7"),
        ("line N, objective 1, behaviour 1, rubric level 2", "is missing"),
        ("line N, objective 1, behaviour 1, rubric level 5", "is missing"),
        ("line N, objective 4, weight", "must be a number, got 'high'; that is "
         "text, write a number such as 0.25"),
    ]  # fmt: skip


def test_a_file_that_cannot_be_read_gives_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "framework.yaml"
    path.write_text("objectives: [\n", encoding="utf-8")
    [problem] = framework_problems(path)
    assert problem.field == "(file)"
    assert problem.problem.startswith("is not valid YAML at line")


@pytest.mark.parametrize(
    "path",
    [templates_dir() / "framework.yaml", CUSTOMER_SUCCESS],
    ids=["default", "cs"],
)
def test_shipped_frameworks_have_no_problems(path: Path) -> None:
    assert framework_problems(path) == ()


def test_the_customer_success_framework_reads_plainly() -> None:
    framework = load_framework(CUSTOMER_SUCCESS)
    assert framework.name == "Customer success framework"
    assert 3 <= len(framework.objectives) <= 4
    assert all(3 <= len(o.behaviours) <= 5 for o in framework.objectives)
    keys = {b.key for b in framework.behaviours()}
    assert keys.isdisjoint(b.key for b in load_framework().behaviours())
    text = " ".join(t for b in framework.behaviours() for t in b.rubric)
    assert Readability.of(text).ok


# --- use: the team's framework, with history kept ----------------------------------


def test_customer_success_replaces_the_framework_of_a_fresh_store(
    store: Store,
) -> None:
    framework = load_framework(CUSTOMER_SUCCESS)
    with store.write() as conn:
        change = use_framework(conn, framework)
    with store.read() as conn:
        frame = framework_frame(conn)
        weights = objective_weights(conn)
    assert list(frame["behaviour_key"]) == [b.key for b in framework.behaviours()]
    assert list(weights["weight"]) == [o.weight for o in framework.objectives]
    kickoff = frame.set_index("behaviour_key").loc["run_kickoff"]
    assert kickoff["level_1"].startswith("Sends a welcome email")
    assert kickoff["metrics"] == (
        "Meetings with prospects, Meetings that moved the deal forward, "
        "Share of meetings that moved the deal forward"
    )
    # Nothing used the default framework yet, so none of it is kept.
    assert len(change.behaviours_removed) == 14
    assert len(change.objectives_removed) == 4
    assert change.behaviours_kept == change.objectives_kept == ()


def _old_rating(
    store: Store, key: str, today: dt.date
) -> tuple[int, int, int, dt.date]:
    """An active rep's coach rating of ``key`` before today: rep, coach, skill, day."""
    a, b, r = s.assessments, s.behaviours, s.reps
    with store.read() as conn:
        row = conn.execute(
            sa.select(a.c.rep_id, a.c.coach_id, a.c.skill, a.c.assessed_on)
            .join(b, a.c.behaviour_id == b.c.id)
            .join(r, a.c.rep_id == r.c.id)
            .where(b.c.key == key, a.c.source == "coach", a.c.assessed_on < today)
            .where(r.c.active.is_(True))
            .order_by(a.c.assessed_on.desc())
            .limit(1)
        ).one()
    return row.rep_id, row.coach_id, row.skill, row.assessed_on


def test_a_fork_keeps_old_ratings_on_the_rubric_that_scored_them(
    demo_store: Store, tmp_path: Path, today: dt.date
) -> None:
    rep, coach, skill, day = _old_rating(demo_store, "set_agenda", today)
    with demo_store.read() as conn:
        before = framework_frame(conn).set_index("behaviour_key")
    old_text = before.loc["set_agenda", f"level_{skill}"]
    new_text = "Shares a clear agenda and checks it with everyone in the room."

    def edit(data: dict[str, Any]) -> None:
        behaviour(data, 1, 0)["rubric"][skill] = new_text

    with demo_store.write() as conn:
        change = use_framework(conn, load_framework(fork(tmp_path, edit)))
        save_assessment(
            conn,
            coach_id=coach,
            rep_id=rep,
            assessed_on=today,
            source="coach",
            ratings=[Rating(int(before.loc["set_agenda", "behaviour_id"]), skill, 3)],
            today=today,
        )
    assert change.rubrics_changed == ("set_agenda",)
    with demo_store.read() as conn:
        history = assessment_history(conn, rep)
        after = framework_frame(conn).set_index("behaviour_key")
    agenda = history[(history["behaviour_key"] == "set_agenda")]
    agenda = agenda[agenda["source"] == "coach"].set_index("assessed_on")
    assert agenda.loc[day, "level_text"] == old_text
    assert agenda.loc[today, "level_text"] == new_text
    assert after.loc["set_agenda", "rubric_version"] == 2
    assert list(after["behaviour_id"]) == list(before["behaviour_id"])


def test_a_behaviour_dropped_from_the_file_is_kept_while_ratings_use_it(
    demo_store: Store, tmp_path: Path
) -> None:
    def drop_first(data: dict[str, Any]) -> None:
        del data["objectives"][0]["behaviours"][0]  # research_account: rated

    def add_one(data: dict[str, Any]) -> None:
        new = dict(behaviour(data, 0, 1), key="call_the_team", name="Call the team")
        data["objectives"][0]["behaviours"].append(new)

    with demo_store.write() as conn:
        added = use_framework(conn, load_framework(fork(tmp_path, add_one)))
        ratings_of_research = _ratings(conn, "research_account")
    with demo_store.write() as conn:
        change = use_framework(conn, load_framework(fork(tmp_path, drop_first)))
        ratings = conn.execute(
            sa.select(sa.func.count()).select_from(s.assessments)
        ).scalar_one()
    assert added.behaviours_added == ("call_the_team",)
    assert change.behaviours_kept == ("research_account",)
    assert change.behaviours_removed == ("call_the_team",)
    assert change.lines() == [
        '1 behaviour removed, as no ratings, goals, plans or notes use it: "Call '
        'the team"',
        "1 behaviour kept though the new framework drops it, because ratings, goals, "
        "plans or notes use it; it stays with its history: "
        f'"Research the account before reaching out" ({ratings_of_research} ratings)',
    ]
    with demo_store.read() as conn:
        keys = list(framework_frame(conn)["behaviour_key"])
        still = conn.execute(
            sa.select(sa.func.count()).select_from(s.assessments)
        ).scalar_one()
    assert "research_account" in keys
    assert "call_the_team" not in keys
    assert still == ratings


def test_using_the_same_file_again_changes_nothing(demo_store: Store) -> None:
    framework = load_framework()
    with demo_store.write() as conn:
        change = use_framework(conn, framework)
    with demo_store.read() as conn:
        versions = conn.execute(
            sa.select(sa.func.max(s.behaviours.c.row_version))
        ).scalar_one()
    assert change.lines() == []
    assert versions == 1


def test_a_rubric_the_store_cannot_take_changes_nothing(
    demo_store: Store, tmp_path: Path
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["objectives"][0]["weight"], data["objectives"][1]["weight"] = 0.4, 0.2
        behaviour(data, 3, 2)["rubric"][1] = "Too long. " * 60

    with demo_store.read() as conn:
        before = framework_frame(conn)
    framework = load_framework(fork(tmp_path, edit))
    with (
        pytest.raises(
            ValidationError,
            match='^Behaviour "Help the champion sell the case inside", '
            "Rubric level 1: keep it to 500 characters",
        ),
        demo_store.write() as conn,
    ):
        use_framework(conn, framework)
    with demo_store.read() as conn:
        assert framework_frame(conn).equals(before)


# --- preview: every change said before it is made ----------------------------------


def _ratings(conn: sa.Connection, key: str) -> int:
    a, b = s.assessments, s.behaviours
    count: int = conn.execute(
        sa.select(sa.func.count())
        .select_from(a.join(b, a.c.behaviour_id == b.c.id))
        .where(b.c.key == key)
    ).scalar_one()
    return count


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, so a test can tell that nothing was written."""
    with store.read() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr)
            for t in s.metadata.sorted_tables
        }


def _many_edits(data: dict[str, Any]) -> None:
    """Rename, re-weigh, re-word, re-target, re-link, move and add."""
    gain, shared = data["objectives"][0], data["objectives"][2]
    gain["name"] = "Reach the right buyers"
    gain["weight"], shared["weight"] = 0.4, 0.1
    agenda = behaviour(data, 1, 0)
    agenda["rubric"][3] = "Shares the agenda at the start and asks for the buyer's."
    impact = behaviour(data, 1, 1)
    impact["name"] = "Ask about impact"
    impact["target_level"] = 3
    impact["metrics"] = [
        "win_rate",
        "rep_questions",
        "questions_per_call",
        "talk_share",
    ]
    impact["trackers"] = ["what does that cost", "cost of doing nothing"]
    impact["description"] = "Asks what each problem costs."
    data["objectives"][3]["behaviours"].append(shared["behaviours"].pop(0))
    new = dict(behaviour(data, 0, 0), key="follow_up", name="Follow up on events")
    gain["behaviours"].append(new)


def test_preview_says_every_change_use_makes_and_writes_nothing(
    demo_store: Store, tmp_path: Path
) -> None:
    framework = load_framework(fork(tmp_path, _many_edits))
    before = _snapshot(demo_store)
    with demo_store.read() as conn:
        agenda_ratings = _ratings(conn, "set_agenda")
        impact_was = (
            framework_frame(conn).set_index("behaviour_key").loc["ask_impact_questions"]
        )

    with demo_store.read() as conn:
        preview = preview_framework(conn, framework)

    assert _snapshot(demo_store) == before
    assert preview.lines() == [
        '1 new behaviour: "Follow up on events"',
        'objective "Gain access to the right buyers": renamed "Reach the right buyers"',
        'objective "Reach the right buyers": weight from 0.3 to 0.4; the ranking '
        "uses the new weight",
        'objective "Create a shared vision of success": weight from 0.2 to 0.1; the '
        "ranking uses the new weight",
        'behaviour "Set and check the agenda": new words for rubric level 3, saved '
        f"as a new rubric version; its {agenda_ratings} ratings keep the words that "
        "scored them",
        f'behaviour "{impact_was["behaviour"]}": renamed "Ask about impact"',
        'behaviour "Ask about impact": target level from 4 to 3; gaps are measured '
        "against the new target",
        'behaviour "Ask about impact": now also shown by "Share of opportunities '
        'won"; no longer shown by "Share of conversations where the buyer took an '
        'action", "Share of meetings that moved the deal forward"',
        'behaviour "Ask about impact": new description',
        'behaviour "Ask about impact": call transcripts are now also searched for '
        '"cost of doing nothing"; no longer for "how much time", "what happens if", '
        '"impact on", "how does that affect", "if nothing changes"',
        'behaviour "Find out how the buyer measures success": moves to objective '
        '"Build a business case"; its ratings move with it',
    ]
    with demo_store.write() as conn:
        used = use_framework(conn, framework)
    assert used == preview
    with demo_store.read() as conn:
        assert preview_framework(conn, framework).lines() == []
        impact_id = conn.execute(
            sa.select(s.behaviours.c.id).where(
                s.behaviours.c.key == "ask_impact_questions"
            )
        ).scalar_one()
        assert tracker_phrases(conn)[impact_id] == (
            "what does that cost",
            "cost of doing nothing",
        )


def _change(n: int) -> FrameworkChange:
    keys = tuple(f"b{i}" for i in range(n))
    return FrameworkChange(
        behaviours_kept=keys,
        behaviours_removed=keys,
        objectives_kept=keys,
        rubrics_changed=keys,
        behaviour_edits=tuple(PartEdit(k, "rubric", after="3") for k in keys),
        behaviour_names={k: k.upper() for k in keys},
        objective_names={k: k.upper() for k in keys},
        ratings=dict.fromkeys(keys, 1),
    )


def test_one_or_many_changes_are_said_in_the_right_number() -> None:
    assert _change(1).lines() == [
        'behaviour "B0": new words for rubric level 3, saved as a new rubric '
        "version; its 1 rating keeps the words that scored it",
        '1 behaviour removed, as no ratings, goals, plans or notes use it: "B0"',
        "1 behaviour kept though the new framework drops it, because ratings, goals, "
        'plans or notes use it; it stays with its history: "B0" (1 rating)',
        "1 objective kept with weight 0 to hold the behaviours kept above, so it no "
        'longer counts in the ranking: "B0"',
    ]
    assert _change(2).lines()[2:] == [
        "2 behaviours removed, as no ratings, goals, plans or notes use them: "
        '"B0", "B1"',
        "2 behaviours kept though the new framework drops them, because ratings, "
        "goals, plans or notes use them; they stay with their history: "
        '"B0" (1 rating), "B1" (1 rating)',
        "2 objectives kept with weight 0 to hold the behaviours kept above, so they "
        'no longer count in the ranking: "B0", "B1"',
    ]


def test_preview_says_which_metrics_are_new_and_which_the_store_keeps(
    store: Store, tmp_path: Path
) -> None:
    metrics_file = templates_dir() / "metrics.yaml"
    metrics = yaml.safe_load(metrics_file.read_text("utf-8"))
    metrics["metrics"][0]["unit"] = "calls"  # conversations: the store keeps its own
    talk = {"key": "talk_time", "name": "Time the buyer talks", "unit": "minutes"}
    metrics["metrics"].append(
        {**talk, "kind": "count", "higher_is_better": True, "description": "x"}
    )
    (tmp_path / "metrics.yaml").write_text(yaml.safe_dump(metrics), "utf-8")

    def link(data: dict[str, Any]) -> None:
        behaviour(data, 0, 0)["metrics"].append("talk_time")

    framework = load_framework(fork(tmp_path, link))
    with store.read() as conn:
        preview = preview_framework(conn, framework)
    with store.write() as conn:
        used = use_framework(conn, framework)

    assert used == preview
    assert preview.lines() == [
        '1 new metric: "Time the buyer talks"',
        'behaviour "Research the account before reaching out": now also shown by '
        '"Time the buyer talks"',
        "the store keeps its own version of 1 metric the file describes "
        'differently: "Conversations with prospects"',
    ]
    with store.read() as conn:
        frame = framework_frame(conn).set_index("behaviour_key")
    assert frame.loc["research_account", "metrics"].endswith("Time the buyer talks")
