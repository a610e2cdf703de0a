import datetime as dt

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from coachkit.errors import CoachkitError, ValidationError
from coachkit.model.team import (
    Rep,
    add_rep,
    get_rep,
    list_reps,
    set_active,
    update_rep,
)
from coachkit.prioritize.assessing import Rating, assessment_history, save_assessment
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.store.versions import ConflictError, update_versioned

TODAY = dt.date(2026, 6, 15)


def _coach(conn: Connection, name: str = "Sam Okafor") -> int:
    return conn.execute(
        s.coaches.insert().values(name=name).returning(s.coaches.c.id)
    ).scalar_one()


@pytest.fixture
def coach(store: Store) -> int:
    with store.write() as conn:
        return _coach(conn)


def _count_reps(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(s.reps)).scalar_one()


def test_add_rep_trims_the_name_and_fills_defaults(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "  Dana Reyes  ", today=TODAY)
    assert rep == Rep(
        rep.id, coach, "Dana Reyes", "Account Executive", "", None, True, 1
    )
    with store.read() as conn:
        assert get_rep(conn, rep.id) == rep
        assert get_rep(conn, np.int64(rep.id)) == rep  # type: ignore[arg-type]


def test_html_in_a_name_is_stored_as_typed(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "<b>Bo</b> & Co", segment="<i>SMB</i>")
    assert (rep.name, rep.segment) == ("<b>Bo</b> & Co", "<i>SMB</i>")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Name: type the rep's name"),
        ({"name": "   \t "}, "Name: type the rep's name"),
        ({"name": None}, "Name: type the rep's name"),
        (
            {"name": "A" * 121},
            "Name: keep it to 120 characters or fewer (this one has 121)",
        ),
        ({"name": "Dana\nReyes"}, "Name: keep it on one line"),
        ({"role": "  "}, "Role: type the rep's role, such as Account Executive"),
        (
            {"role": "R" * 81},
            "Role: keep it to 80 characters or fewer (this one has 81)",
        ),
        (
            {"segment": "S" * 81},
            "Segment: keep it to 80 characters or fewer (this one has 81)",
        ),
        (
            {"start_date": dt.date(2026, 6, 16)},
            "Start date: 2026-06-16 is in the future; pick the day the rep joined "
            "(today, 2026-06-15, or earlier)",
        ),
        ({"start_date": "last May"}, "Start date: pick a date from the calendar"),
    ],
)
def test_bad_rep_fields_get_a_message_and_nothing_is_written(
    store: Store, coach: int, fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"name": "Dana Reyes", "role": "AE", "segment": ""}
    values.update(fields)
    with pytest.raises(ValidationError) as info, store.write() as conn:
        add_rep(conn, coach, today=TODAY, **values)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert _count_reps(store) == 0


def test_a_start_date_today_is_fine(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes", start_date=TODAY, today=TODAY)
    assert rep.start_date == TODAY


def test_duplicate_names_ignore_case_and_spaces(store: Store, coach: int) -> None:
    with store.write() as conn:
        add_rep(conn, coach, "Dana Reyes")
        other = _coach(conn, "Lee Park")
    for typed in ("dana reyes", "  DANA   Reyes "):
        with pytest.raises(ValidationError) as info, store.write() as conn:
            add_rep(conn, coach, typed)
        assert str(info.value) == "Name: Dana Reyes is already on your team"
        assert info.value.field == "Name"
    assert _count_reps(store) == 1
    with store.write() as conn:  # another coach may have a Dana Reyes too
        assert add_rep(conn, other, "Dana Reyes").coach_id == other


def test_an_inactive_namesake_is_pointed_out(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes")
        set_active(conn, rep.id, False, expected_version=1)
    message = "inactive; turn them back on"
    with pytest.raises(ValidationError, match=message), store.write() as conn:
        add_rep(conn, coach, "dana reyes")


def test_unknown_coach_is_refused(store: Store) -> None:
    message = "Coach: there is no coach with id 42"
    with pytest.raises(ValidationError, match=message), store.write() as conn:
        add_rep(conn, 42, "Dana Reyes")


def test_update_saves_fields_and_bumps_the_version(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes")
        conn.execute(
            s.reps.update().values(updated_at=dt.datetime(2020, 1, 1))
        )  # an old stamp, so the change is visible
    with store.write() as conn:
        saved = update_rep(
            conn,
            rep.id,
            expected_version=1,
            name=" dana REYES ",  # a change of case on the rep's own name is fine
            role="Senior Account Executive",
            segment="Enterprise",
            start_date=dt.date(2024, 3, 4),
            today=TODAY,
        )
        stamp = conn.execute(
            sa.select(s.reps.c.updated_at).where(s.reps.c.id == rep.id)
        ).scalar_one()
    assert saved == Rep(
        rep.id,
        coach,
        "dana REYES",
        "Senior Account Executive",
        "Enterprise",
        dt.date(2024, 3, 4),
        True,
        2,
    )
    assert stamp > dt.datetime(2020, 1, 1)


def test_renaming_to_a_teammates_name_is_refused(store: Store, coach: int) -> None:
    with store.write() as conn:
        add_rep(conn, coach, "Dana Reyes")
        rep = add_rep(conn, coach, "Kim Ito")
    with pytest.raises(ValidationError) as info, store.write() as conn:
        update_rep(
            conn,
            rep.id,
            expected_version=1,
            name="DANA REYES",
            role="AE",
            segment="",
            start_date=None,
        )
    assert str(info.value) == "Name: Dana Reyes is already on your team"
    with store.read() as conn:
        assert get_rep(conn, rep.id).name == "Kim Ito"


def test_second_tab_gets_a_conflict_and_the_first_change_survives(
    store: Store, coach: int
) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes")
    with store.read() as conn:
        tab_a, tab_b = get_rep(conn, rep.id), get_rep(conn, rep.id)
    with store.write() as conn:
        update_rep(
            conn,
            rep.id,
            expected_version=tab_a.row_version,
            name="Dana Reyes",
            role="AE",
            segment="SMB",
            start_date=None,
        )
    with pytest.raises(ConflictError) as info, store.write() as conn:
        update_rep(
            conn,
            rep.id,
            expected_version=tab_b.row_version,
            name="Dana R.",
            role="AE",
            segment="Enterprise",
            start_date=None,
        )
    assert str(info.value) == (
        "Someone else changed this rep since you opened it. "
        "Reload to see their change, then try again."
    )
    assert isinstance(info.value, CoachkitError)
    with store.read() as conn:
        now = get_rep(conn, rep.id)
    assert (now.name, now.segment, now.row_version) == ("Dana Reyes", "SMB", 2)
    with pytest.raises(ConflictError), store.write() as conn:  # deactivating too
        set_active(conn, rep.id, False, expected_version=tab_b.row_version)
    with store.read() as conn:
        assert get_rep(conn, rep.id).active


def test_updating_a_missing_row_says_it_is_gone(store: Store) -> None:
    message = "This rep no longer exists"
    with pytest.raises(ConflictError, match=message), store.write() as conn:
        update_versioned(conn, s.reps, 99, 1, {"name": "X"}, "rep")


def test_deactivating_hides_the_rep_but_keeps_history(store: Store, coach: int) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes")
        add_rep(conn, coach, "Ann Lee")
        save_assessment(
            conn,
            coach_id=coach,
            rep_id=rep.id,
            assessed_on=TODAY,
            source="coach",
            ratings=[Rating(1, 2, 4, "Saw it on two calls")],
            today=TODAY,
        )
    with store.write() as conn:
        gone = set_active(conn, rep.id, False, expected_version=1)
    assert (gone.active, gone.row_version) == (False, 2)
    with store.read() as conn:
        assert [r.name for r in list_reps(conn, coach)] == ["Ann Lee"]
        shown = list_reps(conn, coach, include_inactive=True)
        assert [r.name for r in shown] == ["Ann Lee", "Dana Reyes"]
        assert len(assessment_history(conn, rep.id)) == 1
    with store.write() as conn:
        back = set_active(conn, rep.id, True, expected_version=2)
    assert back.active
    assert back.row_version == 3


def test_list_reps_for_everyone_or_one_coach(store: Store, coach: int) -> None:
    with store.write() as conn:
        other = _coach(conn, "Lee Park")
        add_rep(conn, coach, "zoe Xu")
        add_rep(conn, other, "Ben Hall")
        add_rep(conn, coach, "Amir Das")
    with store.read() as conn:
        assert [r.name for r in list_reps(conn, None)] == [
            "Amir Das",
            "Ben Hall",
            "zoe Xu",
        ]
        assert [r.name for r in list_reps(conn, other)] == ["Ben Hall"]


def test_unknown_rep_is_a_validation_error(store: Store) -> None:
    message = "Rep: there is no rep with id 7"
    with pytest.raises(ValidationError, match=message), store.read() as conn:
        get_rep(conn, 7)


def test_an_update_that_changes_nothing_writes_nothing(
    store: Store, coach: int
) -> None:
    with store.write() as conn:
        rep = add_rep(conn, coach, "Dana Reyes", role="Account Executive")
        conn.execute(s.reps.update().values(updated_at=dt.datetime(2020, 1, 1)))
    with store.write() as conn:
        saved = update_rep(
            conn,
            rep.id,
            expected_version=rep.row_version,
            name="Dana  Reyes ",  # the same name once spaces are folded
            role=rep.role,
            segment=rep.segment,
            start_date=rep.start_date,
            today=TODAY,
        )
        stamp = conn.execute(
            sa.select(s.reps.c.updated_at).where(s.reps.c.id == rep.id)
        ).scalar_one()
    assert saved.row_version == rep.row_version
    assert stamp == dt.datetime(2020, 1, 1)
