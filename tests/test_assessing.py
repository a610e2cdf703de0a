import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import ValidationError
from coachkit.model.framework import framework_frame, rubric, set_rubric_level
from coachkit.model.team import add_rep, set_active
from coachkit.prioritize.assessing import (
    Entry,
    Problem,
    Rating,
    assessment_form,
    assessment_history,
    latest_assessments,
    ratings_to_save,
    save_assessment,
    skill_gaps,
)
from coachkit.store import schema as s
from coachkit.store.database import Store

TODAY = dt.date(2026, 6, 15)
AGENDA = "Set and check the agenda"


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """A coach with two reps (Dana, Kim), a second coach with one (Lou)."""
    with store.write() as conn:
        ids = {}
        for name in ("Sam Okafor", "Lee Park"):
            ids[name] = conn.execute(
                s.coaches.insert().values(name=name).returning(s.coaches.c.id)
            ).scalar_one()
        coach, other = ids["Sam Okafor"], ids["Lee Park"]
        return {
            "coach": coach,
            "other": other,
            "dana": add_rep(conn, coach, "Dana Reyes").id,
            "kim": add_rep(conn, coach, "Kim Ito").id,
            "lou": add_rep(conn, other, "Lou Varga").id,
        }


@pytest.fixture
def bids(store: Store) -> dict[str, int]:
    """Behaviour key -> id."""
    with store.read() as conn:
        frame = framework_frame(conn)
    return dict(zip(frame["behaviour_key"], frame["behaviour_id"], strict=True))


def _save(
    store: Store,
    team: dict[str, int],
    ratings: list[Rating],
    *,
    rep: str = "dana",
    day: dt.date = TODAY,
    source: str = "coach",
) -> int:
    with store.write() as conn:
        return save_assessment(
            conn,
            coach_id=team["coach"],
            rep_id=team[rep],
            assessed_on=day,
            source=source,
            ratings=ratings,
            today=TODAY,
        )


def _rows(store: Store) -> int:
    with store.read() as conn:
        query = sa.select(sa.func.count()).select_from(s.assessments)
        return conn.execute(query).scalar_one()


def _stored(conn: Connection) -> pd.DataFrame:
    a = s.assessments
    query = sa.select(a.c.rep_id, a.c.behaviour_id, a.c.source, a.c.assessed_on)
    return pd.DataFrame(conn.execute(query).all())


def test_saved_ratings_come_back_as_the_latest(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    written = _save(
        store,
        team,
        [
            Rating(bids["set_agenda"], 2, 4, "  <b>No agenda</b> on 3 of 4 calls "),
            Rating(bids["handle_objections"], 3, 3),
        ],
    )
    assert written == 2
    with store.read() as conn:
        latest = latest_assessments(conn, team["coach"])
    assert list(latest.columns) == [
        "rep_id",
        "behaviour_id",
        "source",
        "skill",
        "will",
        "evidence",
        "assessed_on",
        "rubric_version",
    ]
    row = latest.set_index("behaviour_id").loc[bids["set_agenda"]]
    assert (row["skill"], row["will"], row["source"]) == (2, 4, "coach")
    assert row["evidence"] == "<b>No agenda</b> on 3 of 4 calls"  # kept as typed
    assert row["assessed_on"] == TODAY
    assert row["rubric_version"] == 1


@pytest.mark.parametrize(
    ("skill", "will", "field"),
    [
        (0, 3, "skill"),
        (6, 3, "skill"),
        (3.5, 3, "skill"),
        (None, 3, "skill"),
        ("3", 3, "skill"),
        (True, 3, "skill"),
        (3, 0, "will"),
        (3, None, "will"),
    ],
)
def test_a_bad_score_names_the_behaviour_and_nothing_is_written(
    store: Store,
    team: dict[str, int],
    bids: dict[str, int],
    skill: object,
    will: object,
    field: str,
) -> None:
    good = Rating(bids["research_account"], 3, 3)
    bad = Rating(bids["set_agenda"], skill, will)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        _save(store, team, [good, bad])
    assert str(info.value) == f"{AGENDA} — {field}: pick a score from 1 to 5"
    assert _rows(store) == 0


def test_whole_float_scores_are_accepted(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    _save(store, team, [Rating(np.int64(bids["set_agenda"]), 4.0, np.int64(2))])  # type: ignore[arg-type]
    with store.read() as conn:
        row = latest_assessments(conn, None, np.int64(team["dana"])).iloc[0]  # type: ignore[arg-type]
    assert (row["skill"], row["will"]) == (4, 2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "boss"}, "Source: choose coach or self"),
        (
            {"assessed_on": dt.date(2026, 6, 16)},
            "Date: 2026-06-16 is in the future; pick today (2026-06-15) or an "
            "earlier day",
        ),
        ({"assessed_on": None}, "Date: pick the day of the assessment"),
        ({"rep_id": "lou"}, "Rep: pick a rep from your own team"),
        ({"rep_id": 999}, "Rep: pick a rep from your own team"),
        ({"ratings": []}, "Ratings: rate at least one behaviour"),
        (
            {"ratings": [Rating(999, 3, 3)]},
            "Ratings: there is no behaviour with id 999",
        ),
        (
            {"ratings": [Rating("set_agenda", 3, 3)]},  # type: ignore[arg-type]
            "Ratings: there is no behaviour with id 'set_agenda'",
        ),
        (
            {"ratings": ["set_agenda", "set_agenda"]},
            f"{AGENDA}: it is rated twice; keep one rating",
        ),
        (
            {"ratings": [("set_agenda", "x" * 2001)]},
            f"{AGENDA} — evidence: keep it to 2,000 characters or fewer "
            "(this one has 2,001)",
        ),
    ],
)
def test_bad_assessment_gets_a_message_and_nothing_is_written(
    store: Store,
    team: dict[str, int],
    bids: dict[str, int],
    change: dict[str, object],
    message: str,
) -> None:
    args: dict[str, object] = {
        "coach_id": team["coach"],
        "rep_id": team["dana"],
        "assessed_on": TODAY,
        "source": "coach",
        "ratings": [Rating(bids["set_agenda"], 3, 3)],
    }
    args.update(change)
    if args["rep_id"] == "lou":
        args["rep_id"] = team["lou"]
    ratings: list[object] = []
    for item in args["ratings"]:  # type: ignore[attr-defined]
        if isinstance(item, str):
            item = Rating(bids[item], 3, 3)
        elif isinstance(item, tuple):
            item = Rating(bids[item[0]], 3, 3, item[1])
        ratings.append(item)
    args["ratings"] = ratings
    with pytest.raises(ValidationError) as info, store.write() as conn:
        save_assessment(conn, today=TODAY, **args)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert _rows(store) == 0


def test_an_inactive_rep_cannot_be_assessed(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    with store.write() as conn:
        set_active(conn, team["kim"], False, expected_version=1)
    with pytest.raises(ValidationError) as info:
        _save(store, team, [Rating(bids["set_agenda"], 3, 3)], rep="kim")
    assert str(info.value) == (
        "Rep: Kim Ito is inactive; turn them back on before assessing"
    )
    assert _rows(store) == 0


def test_same_day_replaces_and_earlier_days_stay_as_history(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    agenda = bids["set_agenda"]
    march = dt.date(2026, 3, 2)
    _save(store, team, [Rating(agenda, 2, 3, "March")], day=march)
    _save(store, team, [Rating(agenda, 3, 3, "first try")])
    _save(store, team, [Rating(agenda, 4, 5, "fixed a typo")])
    _save(store, team, [Rating(agenda, 5, 5, "my view")], source="self")
    with store.read() as conn:
        history = assessment_history(conn, team["dana"])
        latest = latest_assessments(conn, team["coach"], team["dana"])
        stored = _stored(conn)
    assert not stored.duplicated().any()
    assert list(history["evidence"]) == ["fixed a typo", "my view", "March"]
    assert list(history["assessed_on"]) == [TODAY, TODAY, march]
    assert list(history["source"]) == ["coach", "self", "coach"]
    coach_row = latest[latest["source"] == "coach"].iloc[0]
    assert (coach_row["skill"], coach_row["evidence"]) == (4, "fixed a typo")


def test_skill_gaps_show_every_behaviour_and_the_self_gap(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    agenda, research = bids["set_agenda"], bids["research_account"]
    _save(store, team, [Rating(agenda, 2, 4), Rating(research, 5, 2)])
    _save(store, team, [Rating(agenda, 4, 5)], source="self")
    _save(store, team, [Rating(agenda, 1, 1)], rep="kim")
    with store.write() as conn:
        set_active(conn, team["kim"], False, expected_version=1)
    with store.read() as conn:
        gaps = skill_gaps(conn, team["coach"])
        everyone = skill_gaps(conn, None)
    assert list(gaps.columns) == [
        "rep_id",
        "rep",
        "behaviour_id",
        "behaviour_key",
        "behaviour",
        "objective_key",
        "objective",
        "objective_weight",
        "target_level",
        "skill",
        "will",
        "assessed_on",
        "self_skill",
        "self_will",
        "gap",
        "self_gap",
    ]
    assert set(gaps["rep"]) == {"Dana Reyes"}  # Kim is inactive, Lou is not ours
    assert len(gaps) == len(bids)
    assert list(gaps["behaviour_id"]) == list(bids.values())  # framework order
    assert set(everyone["rep"]) == {"Dana Reyes", "Lou Varga"}
    by = gaps.set_index("behaviour_key")
    target = by.loc["set_agenda", "target_level"]
    assert by.loc["set_agenda", "gap"] == target - 2
    assert by.loc["set_agenda", "self_gap"] == 2  # the rep rates themselves higher
    assert by.loc["set_agenda", "assessed_on"] == TODAY
    assert by.loc["research_account", "gap"] < 0  # above target
    assert np.isnan(by.loc["research_account", "self_gap"])
    assert np.isnan(by.loc["handle_objections", "gap"])  # not assessed yet
    assert by.loc["handle_objections", "assessed_on"] is None


def test_old_assessments_keep_their_rubric_words(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    agenda = bids["set_agenda"]
    with store.read() as conn:
        old_words = rubric(conn, agenda)[2]
    _save(store, team, [Rating(agenda, 3, 3)], day=dt.date(2026, 5, 1))
    with store.write() as conn:
        version = set_rubric_level(conn, "set_agenda", 3, "Sends an agenda.")
    _save(store, team, [Rating(agenda, 3, 4)])
    with store.read() as conn:
        history = assessment_history(conn, team["dana"])
        form = assessment_form(conn, team["dana"]).set_index("behaviour_key")
        first = history.iloc[-1]
        assert rubric(conn, agenda, int(first["rubric_version"]))[2] == old_words
    assert list(history["rubric_version"]) == [version, 1]
    assert list(history["level_text"]) == ["Sends an agenda.", old_words]
    assert form.loc["set_agenda", "level_3"] == "Sends an agenda."
    assert form.loc["set_agenda", "rubric_version"] == version


def test_the_form_prefills_the_latest_ratings(
    store: Store, team: dict[str, int], bids: dict[str, int]
) -> None:
    agenda = bids["set_agenda"]
    _save(store, team, [Rating(agenda, 2, 3, "old")], day=dt.date(2026, 1, 5))
    _save(store, team, [Rating(agenda, 3, 4, "new")])
    _save(store, team, [Rating(agenda, 4, 4, "mine")], source="self")
    with store.read() as conn:
        form = assessment_form(conn, team["dana"])
    assert list(form["behaviour_id"]) == list(bids.values())
    row = form.set_index("behaviour_key").loc["set_agenda"]
    assert (row["coach_skill"], row["coach_will"], row["coach_evidence"]) == (
        3,
        4,
        "new",
    )
    assert (row["self_skill"], row["self_evidence"]) == (4, "mine")
    assert row["coach_assessed_on"] == TODAY
    blank = form.set_index("behaviour_key").loc["handle_objections"]
    assert pd.isna(blank["coach_skill"])
    assert blank["coach_evidence"] == ""
    assert blank["self_assessed_on"] is None
    assert all(form[f"level_{i}"].str.len().gt(0).all() for i in range(1, 6))


def test_latest_on_the_demo_matches_a_plain_pandas_pick(demo_store: Store) -> None:
    with demo_store.read() as conn:
        latest = latest_assessments(conn, None)
        gaps = skill_gaps(conn, None)
        everything = pd.read_sql(sa.select(s.assessments), conn)
        active = conn.execute(
            sa.select(sa.func.count())
            .select_from(s.reps)
            .where(s.reps.c.active.is_(True))
        ).scalar_one()
        behaviours = len(framework_frame(conn))
    keys = ["rep_id", "behaviour_id", "source"]
    newest = everything.sort_values(["assessed_on", "id"]).groupby(keys).tail(1)
    expected = newest.sort_values(keys)[[*keys, "skill", "assessed_on"]]
    got = latest.sort_values(keys)[[*keys, "skill", "assessed_on"]]
    assert len(got) == len(expected) > 0
    assert got["skill"].tolist() == expected["skill"].tolist()
    assert len(gaps) == active * behaviours
    assert not gaps.duplicated(["rep_id", "behaviour_id"]).any()
    assert gaps["skill"].notna().mean() > 0.5


# What a form saves ---------------------------------------------------------------


def _form() -> pd.DataFrame:
    """Three behaviours: two rated before by the coach, one never."""
    return pd.DataFrame(
        {
            "behaviour_id": [1, 2, 3],
            "behaviour": ["Agenda", "Questions", "Next step"],
            "coach_skill": pd.array([3, 2, None], dtype="Int64"),
            "coach_will": pd.array([4, 4, None], dtype="Int64"),
            "self_skill": pd.array([None, None, None], dtype="Int64"),
            "self_will": pd.array([None, None, None], dtype="Int64"),
        }
    )


def test_only_changed_ratings_or_evidence_are_saved() -> None:
    entries = [
        Entry(1, 3, 4),  # as it was: not saved again
        Entry(2, 3, 4, "  Asked why twice  "),  # changed, with evidence
        Entry(3, None, None),  # never rated, left blank: skipped
    ]
    ratings, problems = ratings_to_save(_form(), "coach", entries)
    assert ratings == [Rating(2, 3, 4, "Asked why twice")]
    assert problems == []
    same_with_note = [Entry(1, 3, 4, "Checked the agenda again")]
    ratings, _ = ratings_to_save(_form(), "coach", same_with_note)
    assert ratings == [Rating(1, 3, 4, "Checked the agenda again")]


def test_blank_is_skip_even_for_a_rating_made_before() -> None:
    ratings, problems = ratings_to_save(
        _form(), "coach", [Entry(1, None, None), Entry(2, None, None, "   ")]
    )
    assert (ratings, problems) == ([], [])


def test_the_other_source_starts_from_its_own_ratings() -> None:
    ratings, _ = ratings_to_save(_form(), "self", [Entry(1, 3, 4)])
    assert ratings == [Rating(1, 3, 4, "")]  # the rep never rated it: new


def test_every_problem_is_listed_with_its_field() -> None:
    entries = [
        Entry(1, 5, None),
        Entry(2, None, None, "Saw it"),
        Entry(3, 2, 2, "x" * 2001),
    ]
    ratings, problems = ratings_to_save(_form(), "coach", entries)
    assert ratings == []
    assert [(p.behaviour_id, p.part) for p in problems] == [
        (1, "will"),
        (2, "skill"),
        (2, "will"),
        (3, "evidence"),
    ]
    assert str(problems[0]) == "Agenda — will: pick a score from 1 to 5"
    assert problems[1] == Problem(
        2,
        "skill",
        "Questions — skill",
        "pick a score from 1 to 5 to go with the evidence",
    )
    assert "2,000 characters" in problems[3].message


def test_a_form_source_must_be_known() -> None:
    with pytest.raises(ValidationError, match="Source"):
        ratings_to_save(_form(), "boss", [])
