import math

import pytest
import sqlalchemy as sa

from coachkit.errors import ValidationError
from coachkit.model.framework import (
    add_behaviour,
    behaviours_frame,
    framework_frame,
    has_framework,
    metrics_frame,
    objective_weights,
    rubric,
    set_objective_weight,
    set_rubric_level,
)
from coachkit.model.templates import load_framework
from coachkit.store import schema as s
from coachkit.store.database import Store

RUBRIC = (
    "Ends the call with no next step.",
    "Asks if the buyer wants to talk again.",
    "Suggests a next meeting but no date.",
    "Books a dated next step before the call ends.",
    "Books a dated next step with the right people and a clear goal.",
)


def _counts(store: Store) -> tuple[int, ...]:
    tables = (s.behaviours, s.rubric_levels, s.behaviour_metrics, s.objectives)
    with store.read() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in tables
        )


def test_the_shipped_framework_is_installed_and_readable(store: Store) -> None:
    shipped = load_framework()
    with store.read() as conn:
        assert has_framework(conn)
        frame = framework_frame(conn)
        assert list(behaviours_frame(conn)["behaviour_key"]) == list(
            frame["behaviour_key"]
        )
        assert len(metrics_frame(conn)) == len(shipped.metrics)
    first = shipped.behaviours()[0]
    row = frame.iloc[0]
    assert row["behaviour"] == first.name
    assert row["objective"] == shipped.objectives[0].name
    assert [row[f"level_{i}"] for i in range(1, 6)] == list(first.rubric)
    names = [shipped.metric(k).name for k in first.metrics]
    assert row["metrics"] == ", ".join(names)
    assert row["rubric_version"] == 1
    assert list(frame.columns) == [
        "objective_id",
        "objective_key",
        "objective",
        "weight",
        "share",
        "behaviour_id",
        "behaviour_key",
        "behaviour",
        "description",
        "target_level",
        "rubric_version",
        "level_1",
        "level_2",
        "level_3",
        "level_4",
        "level_5",
        "metrics",
    ]


def test_editing_a_weight_changes_every_share(store: Store) -> None:
    with store.write() as conn:
        set_objective_weight(conn, "gain_access", 0.9)
    with store.read() as conn:
        weights = objective_weights(conn).set_index("objective_key")
        frame = framework_frame(conn)
    assert weights.loc["gain_access", "weight"] == 0.9
    total = 0.9 + 0.3 + 0.2 + 0.2
    assert weights.loc["gain_access", "share"] == pytest.approx(0.9 / total)
    assert weights.loc["business_case", "share"] == pytest.approx(0.2 / total)
    assert weights["share"].sum() == pytest.approx(1.0)
    shown = frame[frame["objective_key"] == "gain_access"]["share"]
    assert shown.tolist() == pytest.approx([0.9 / total] * len(shown))


@pytest.mark.parametrize("weight", [0, -0.1, 1.01, math.nan, math.inf, "0.5", True])
def test_a_bad_weight_names_the_objective(store: Store, weight: object) -> None:
    with pytest.raises(ValidationError) as info, store.write() as conn:
        set_objective_weight(conn, "gain_access", weight)  # type: ignore[arg-type]
    assert str(info.value) == (
        "Weight of Gain access to the right buyers: use a number above 0 and no "
        "more than 1, such as 0.25"
    )
    with store.read() as conn:
        weights = objective_weights(conn).set_index("objective_key")["weight"]
    assert weights["gain_access"] == 0.3


def test_weight_of_exactly_one_is_allowed(store: Store) -> None:
    with store.write() as conn:
        set_objective_weight(conn, "business_case", 1)
        assert objective_weights(conn)["weight"].max() == 1.0


def test_unknown_objective_is_named(store: Store) -> None:
    message = "there is no objective 'growth'"
    with pytest.raises(ValidationError, match=message), store.write() as conn:
        set_objective_weight(conn, "growth", 0.5)


def test_add_behaviour_appears_last_under_its_objective(store: Store) -> None:
    with store.write() as conn:
        new_id = add_behaviour(
            conn,
            "advance_meetings",
            "book_next_step",
            "  Book the next step  ",
            "Leave every call with a date.",
            RUBRIC,
            target_level=3,
            metrics=["meetings", "meetings"],
        )
        frame = framework_frame(conn)
        weights = objective_weights(conn).set_index("objective_key")
    mine = frame[frame["objective_key"] == "advance_meetings"]
    assert mine["behaviour_id"].iloc[-1] == new_id
    row = mine.iloc[-1]
    assert row["behaviour"] == "Book the next step"
    assert row["target_level"] == 3
    assert [row[f"level_{i}"] for i in range(1, 6)] == list(RUBRIC)
    assert row["metrics"] == "Meetings with prospects"
    assert weights.loc["advance_meetings", "behaviours"] == len(mine)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"objective_key": "nope"}, "Objective: there is no objective 'nope'"),
        (
            {"key": "Book Next"},
            "Key: use up to 64 lower-case letters, digits and _, starting with a "
            "letter, such as ask_for_next_step",
        ),
        ({"key": "x" * 65}, "Key: use up to 64 lower-case letters"),
        ({"key": "set_agenda"}, "Key: a behaviour with key set_agenda already exists"),
        ({"name": "  "}, "Name: type the behaviour's name"),
        ({"name": "N" * 201}, "Name: keep it to 200 characters or fewer"),
        (
            {"name": " set AND check the agenda "},
            "Name: a behaviour called set AND check the agenda already exists",
        ),
        (
            {"rubric": RUBRIC[:4]},
            "Rubric: write exactly 5 level texts, one per level (got 4)",
        ),
        (
            {"rubric": "one long text"},
            "Rubric: write exactly 5 level texts, one per level (got 1)",
        ),
        (
            {"rubric": (*RUBRIC[:2], " ", *RUBRIC[3:])},
            "Rubric level 3: describe what a 3 looks like",
        ),
        ({"target_level": 0}, "Target level: pick a whole number from 1 to 5"),
        ({"target_level": 3.5}, "Target level: pick a whole number from 1 to 5"),
        ({"metrics": ["meetings", "smiles"]}, "Metrics: there is no metric 'smiles'"),
    ],
)
def test_bad_behaviour_gets_a_message_and_nothing_is_written(
    store: Store, change: dict[str, object], message: str
) -> None:
    before = _counts(store)
    args: dict[str, object] = {
        "objective_key": "advance_meetings",
        "key": "book_next_step",
        "name": "Book the next step",
        "description": "",
        "rubric": RUBRIC,
        "target_level": 4,
        "metrics": ["meetings"],
    }
    args.update(change)
    with pytest.raises(ValidationError) as info, store.write() as conn:
        add_behaviour(conn, **args)  # type: ignore[arg-type]
    assert str(info.value).startswith(message)
    assert _counts(store) == before


def test_changing_a_rubric_level_makes_a_new_version(store: Store) -> None:
    with store.read() as conn:
        bid, old = framework_frame(conn)[["behaviour_id", "level_3"]].iloc[0]
        original = rubric(conn, bid)
    with store.write() as conn:
        version = set_rubric_level(conn, "research_account", 3, "  New words.  ")
    assert version == 2
    with store.read() as conn:
        assert rubric(conn, bid, 1) == original
        assert rubric(conn, bid) == (*original[:2], "New words.", *original[3:])
        row = framework_frame(conn).iloc[0]
    assert (row["rubric_version"], row["level_3"]) == (2, "New words.")
    assert old == original[2]
    with store.write() as conn:  # the same words again: no new version
        assert set_rubric_level(conn, "research_account", 3, "New words.") == 2
        assert set_rubric_level(conn, "research_account", 5, "Top.") == 3
        assert rubric(conn, bid, 2)[4] == original[4]


@pytest.mark.parametrize(
    ("key", "level", "text", "message"),
    [
        ("nope", 3, "x", "Behaviour: there is no behaviour 'nope'"),
        ("research_account", 6, "x", "Level: pick a whole number from 1 to 5"),
        ("research_account", True, "x", "Level: pick a whole number from 1 to 5"),
        ("research_account", 2, " ", "Rubric level 2: describe what a 2 looks like"),
        ("research_account", 2, "w" * 501, "Rubric level 2: keep it to 500"),
    ],
)
def test_bad_rubric_edit_changes_nothing(
    store: Store, key: str, level: int, text: str, message: str
) -> None:
    before = _counts(store)
    with pytest.raises(ValidationError) as info, store.write() as conn:
        set_rubric_level(conn, key, level, text)
    assert str(info.value).startswith(message)
    assert _counts(store) == before


def test_a_missing_rubric_version_is_named(store: Store) -> None:
    message = "has no rubric version 9"
    with pytest.raises(ValidationError, match=message), store.read() as conn:
        rubric(conn, 1, 9)
    message = "Behaviour: there is no behaviour with id 999"
    with pytest.raises(ValidationError, match=message), store.read() as conn:
        rubric(conn, 999)
