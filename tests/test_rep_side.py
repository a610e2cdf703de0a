"""The rep's side: links, sign-in, the rep's page, their answers and their data.

Each function of :mod:`coachkit.rep_side` on a real store: what it returns, what
the store holds afterwards, the one-line message naming the field when an answer is
wrong, and that a refused answer writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit import rep_side
from coachkit.cli.main import main
from coachkit.errors import ValidationError
from coachkit.store import schema as s
from coachkit.store.database import Store
from coachkit.web import identity
from coachkit.web.identity import NotSignedIn, visitor


def _snapshot(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            t.name: conn.execute(sa.select(t).order_by(*t.primary_key)).all()
            for t in s.metadata.sorted_tables
        }


@pytest.fixture
def rep(demo_store: Store) -> dict[str, Any]:
    """A demo rep with an open action of their own and a finished session."""
    a = s.actions
    with demo_store.read() as conn:
        row = conn.execute(
            sa.select(a.c.id, a.c.rep_id, a.c.coach_id)
            .join(s.reps, s.reps.c.id == a.c.rep_id)
            .where(a.c.owner == "rep", a.c.status == "open", s.reps.c.active)
            .order_by(a.c.id)
            .limit(1)
        ).one()
        session_id = conn.execute(
            sa.select(s.sessions.c.id)
            .where(s.sessions.c.rep_id == row.rep_id, s.sessions.c.status == "done")
            .order_by(s.sessions.c.held_on.desc())
            .limit(1)
        ).scalar_one()
        name = conn.execute(
            sa.select(s.reps.c.name).where(s.reps.c.id == row.rep_id)
        ).scalar_one()
    return {
        "rep_id": int(row.rep_id),
        "coach_id": int(row.coach_id),
        "action_id": int(row.id),
        "session_id": int(session_id),
        "name": name,
    }


# --- links and sign-in ---------------------------------------------------------


def test_a_link_names_its_rep_until_a_new_one_or_revoke_stops_it(
    demo_store: Store, rep: dict[str, Any]
) -> None:
    with demo_store.write() as conn:
        first = rep_side.make_rep_link(conn, rep["coach_id"], rep["rep_id"])
    with demo_store.write() as conn:
        viewer = rep_side.rep_for_link(conn, first)
        state = rep_side.rep_link_state(conn, rep["rep_id"])
        stored = conn.execute(sa.select(s.rep_links)).all()
    assert viewer is not None
    assert (viewer.role, viewer.rep_id, viewer.source) == ("rep", rep["rep_id"], "link")
    assert viewer.name == rep["name"]
    assert state is not None
    assert state.last_used_at is not None
    assert len(stored) == 1
    assert stored[0].token_hash == rep_side.links.token_hash(first)
    assert first not in repr(stored)  # only the hash is kept
    with demo_store.write() as conn:
        second = rep_side.make_rep_link(conn, rep["coach_id"], rep["rep_id"])
    with demo_store.write() as conn:
        assert rep_side.rep_for_link(conn, first) is None
        assert rep_side.rep_for_link(conn, second) is not None
        assert rep_side.rep_for_link(conn, second + "x") is None
        assert rep_side.rep_for_link(conn, "") is None
        live = conn.execute(
            sa.select(sa.func.count())
            .select_from(s.rep_links)
            .where(s.rep_links.c.revoked_at.is_(None))
        ).scalar_one()
    assert live == 1
    with demo_store.write() as conn:
        assert rep_side.revoke_rep_link(conn, rep["coach_id"], rep["rep_id"])
        assert not rep_side.revoke_rep_link(conn, rep["coach_id"], rep["rep_id"])
    with demo_store.write() as conn:
        assert rep_side.rep_for_link(conn, second) is None
        assert rep_side.rep_link_state(conn, rep["rep_id"]) is None


def test_a_coach_cannot_make_a_link_for_another_teams_rep_by_passing_their_id(
    demo_store: Store, rep: dict[str, Any]
) -> None:
    with demo_store.read() as conn:
        other = conn.execute(
            sa.select(s.coaches.c.id).where(
                s.coaches.c.role == "coach", s.coaches.c.id != rep["coach_id"]
            )
        ).first()
    assert other is not None
    with (
        pytest.raises(ValidationError, match="^Rep: .* is on another coach's team"),
        demo_store.write() as conn,
    ):
        rep_side.make_rep_link(conn, int(other.id), rep["rep_id"])


def test_the_page_address_carries_the_secret_and_identity_knows_it(
    demo_store: Store, rep: dict[str, Any]
) -> None:
    with demo_store.write() as conn:
        secret = rep_side.make_rep_link(conn, rep["coach_id"], rep["rep_id"])
    url = rep_side.rep_page_url("http://coach.example/team/", secret)
    assert (
        url == f"http://coach.example/team/voila/render/4_my_coaching.ipynb?me={secret}"
    )
    query = url.split("?", 1)[1]
    with demo_store.read() as conn:
        me = visitor(conn, {}, query, reps=True)
        assert me is not None
        assert me.rep_id == rep["rep_id"]
        # A coach's workbook refuses the rep with a plain page.
        with pytest.raises(NotSignedIn, match="This page is for coaches"):
            visitor(conn, {}, query)
        for bad in ("me=forged", "me=", f"me={secret[:-1]}"):
            with pytest.raises(NotSignedIn) as refused:
                visitor(conn, {}, bad, reps=True)
            assert str(refused.value) == identity.LINK_GONE
    with demo_store.write() as conn:
        rep_side.revoke_rep_link(conn, rep["coach_id"], rep["rep_id"])
    with demo_store.read() as conn, pytest.raises(NotSignedIn, match="no longer works"):
        visitor(conn, {}, query, reps=True)


def test_a_rep_signs_in_by_a_login_nobody_else_has(
    demo_store: Store, rep: dict[str, Any]
) -> None:
    with demo_store.write() as conn:
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], "val")
    with demo_store.read() as conn:
        hub = visitor(conn, {"JUPYTERHUB_USER": "val"}, reps=True)
        header = {identity.HEADER_VAR: "X-Forwarded-User"}
        proxy = visitor(conn, {**header, "HTTP_X_FORWARDED_USER": "val"}, reps=True)
        with pytest.raises(NotSignedIn, match="for coaches"):
            visitor(conn, {"JUPYTERHUB_USER": "val"})
        assert rep_side.rep_for_login(conn, "nobody") is None
    assert hub is not None
    assert (hub.role, hub.rep_id, hub.source) == ("rep", rep["rep_id"], "hub")
    assert proxy is not None
    assert proxy.source == "proxy"
    with demo_store.read() as conn:
        coach_name = conn.execute(
            sa.select(s.coaches.c.name).where(s.coaches.c.id == rep["coach_id"])
        ).scalar_one()
    with demo_store.write() as conn:
        conn.execute(
            s.coaches.update()
            .where(s.coaches.c.id == rep["coach_id"])
            .values(login="coachy")
        )
    with (
        pytest.raises(
            ValidationError,
            match="^Login: coachy is already the sign-in name of "
            f"{re.escape(coach_name)}, a coach$",
        ),
        demo_store.write() as conn,
    ):
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], "coachy")
    with (
        pytest.raises(ValidationError, match="^Login: use one word"),
        demo_store.write() as conn,
    ):
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], "v a l")
    with demo_store.read() as conn:
        other = conn.execute(
            sa.select(s.reps.c.id).where(s.reps.c.id != rep["rep_id"]).limit(1)
        ).scalar_one()
        coach_of_other = conn.execute(
            sa.select(s.reps.c.coach_id).where(s.reps.c.id == other)
        ).scalar_one()
    with (
        pytest.raises(ValidationError, match="^Login: val is already the sign-in"),
        demo_store.write() as conn,
    ):
        rep_side.set_rep_login(conn, coach_of_other, other, "val")
    with demo_store.write() as conn:
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], "")
    with demo_store.read() as conn, pytest.raises(NotSignedIn, match="no coach"):
        visitor(conn, {"JUPYTERHUB_USER": "val"}, reps=True)
    assert coach_name


def _logins(store: Store) -> dict[str, list[Any]]:
    """Every coach's and rep's sign-in name: what a refusal must leave as it was."""
    with store.read() as conn:
        return {
            t.name: conn.execute(sa.select(t.c.id, t.c.login).order_by(t.c.id)).all()
            for t in (s.coaches, s.reps)
        }


@pytest.fixture
def taken(demo_store: Store, rep: dict[str, Any]) -> dict[str, Any]:
    """The rep's coach signs in as ``coachy``, the lead as ``lead``, and a rep on
    another team as ``far.rep``; their names, for the messages."""
    c, r = s.coaches, s.reps
    with demo_store.write() as conn:
        coach = conn.execute(
            sa.select(c.c.name).where(c.c.id == rep["coach_id"])
        ).scalar_one()
        conn.execute(c.update().where(c.c.id == rep["coach_id"]).values(login="coachy"))
        lead = conn.execute(
            c.update()
            .where(c.c.role == "lead")
            .values(login="lead")
            .returning(c.c.name)
        ).scalar_one()
        far = conn.execute(
            sa.select(r.c.id, r.c.name, c.c.name.label("coach"))
            .join(c, c.c.id == r.c.coach_id)
            .where(r.c.coach_id != rep["coach_id"], c.c.role == "coach")
            .order_by(r.c.id)
            .limit(1)
        ).one()
        conn.execute(r.update().where(r.c.id == far.id).values(login="far.rep"))
    return {"coach": coach, "lead": lead, "far": far.name, "far_coach": far.coach}


@pytest.mark.parametrize(
    ("login", "holder"),
    [
        ("coachy", "{coach}, a coach"),
        ("Coachy", "{coach}, a coach"),
        ("LEAD", "{lead}, an enablement lead"),
        ("far.rep", "{far}, a rep on {far_coach}'s team"),
        (" FAR.Rep ", "{far}, a rep on {far_coach}'s team"),
    ],
)
def test_a_rep_cannot_take_a_sign_in_name_a_coach_or_another_rep_has(
    demo_store: Store,
    rep: dict[str, Any],
    taken: dict[str, Any],
    login: str,
    holder: str,
) -> None:
    before = _logins(demo_store)
    with pytest.raises(ValidationError) as refused, demo_store.write() as conn:
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], login)
    typed, whose = login.strip(), holder.format(**taken)
    stored = {"coachy": "coachy", "lead": "lead", "far.rep": "far.rep"}[typed.lower()]
    assert str(refused.value) == (
        f"Login: {typed} is already the sign-in name of {whose}"
        if typed == stored
        else f"Login: {typed} is the same as {stored}, the sign-in name of {whose}; "
        "capitals do not count"
    )
    assert _logins(demo_store) == before


def test_reps_login_refuses_a_coachs_sign_in_name_in_one_line(
    demo_db: Any, tmp_path: Any
) -> None:
    import shutil

    from coachkit.store.database import open_store

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    store = open_store(str(db))
    try:
        with store.write() as conn:
            name, coach_id, coach = conn.execute(
                sa.select(s.reps.c.name, s.reps.c.coach_id, s.coaches.c.name)
                .join(s.coaches, s.coaches.c.id == s.reps.c.coach_id)
                .where(s.reps.c.active == sa.true())
                .limit(1)
            ).one()
            conn.execute(
                s.coaches.update().where(s.coaches.c.id == coach_id).values(login="ann")
            )
        before = _logins(store)
        refused = CliRunner().invoke(
            main, ["reps", "login", name, "ANN", "--coach", coach, "--db", str(db)]
        )
        assert _logins(store) == before
    finally:
        store.dispose()
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        f"coachkit: Login: ANN is the same as ann, the sign-in name of {coach}, a "
        "coach; capitals do not count"
    ]


# --- the rep's answers ---------------------------------------------------------


def test_marking_an_action_keeps_the_coachs_note_and_needs_why_not(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    a = s.actions
    with demo_store.write() as conn:
        conn.execute(
            a.update().where(a.c.id == rep["action_id"]).values(note="Coach's words")
        )
        version = conn.execute(
            sa.select(a.c.row_version).where(a.c.id == rep["action_id"])
        ).scalar_one()
    before = _snapshot(demo_store)
    for note in ("", "   "):
        with pytest.raises(ValidationError) as refused, demo_store.write() as conn:
            rep_side.mark_action(
                conn, rep["rep_id"], rep["action_id"], False, note, today
            )
        assert str(refused.value) == "Why not: say why not, in a few words"
    with (
        pytest.raises(ValidationError, match="^Why not: keep it to 500"),
        demo_store.write() as conn,
    ):
        rep_side.mark_action(
            conn, rep["rep_id"], rep["action_id"], False, "x" * 501, today
        )
    assert _snapshot(demo_store) == before
    with demo_store.write() as conn:
        rep_side.mark_action(
            conn, rep["rep_id"], rep["action_id"], False, "  The buyer  left ", today
        )
    with demo_store.read() as conn:
        row = conn.execute(sa.select(a).where(a.c.id == rep["action_id"])).one()
    assert (row.status, row.done_on, row.rep_note) == (
        "missed",
        today,
        "The buyer left",
    )
    assert row.note == "Coach's words"
    assert row.rep_marked_at is not None
    assert row.row_version == version + 1
    with (
        pytest.raises(ValidationError, match="^Action: this action is already"),
        demo_store.write() as conn,
    ):
        rep_side.mark_action(conn, rep["rep_id"], rep["action_id"], True, "", today)


def test_only_the_reps_own_open_agreed_actions_can_be_marked(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    a = s.actions
    with demo_store.read() as conn:
        coach_owned = conn.execute(
            sa.select(a.c.id).where(
                a.c.rep_id == rep["rep_id"], a.c.owner == "coach", a.c.status == "open"
            )
        ).first()
        mate = conn.execute(
            sa.select(a.c.id).where(a.c.rep_id != rep["rep_id"]).limit(1)
        ).scalar_one()
    before = _snapshot(demo_store)
    if coach_owned is not None:
        with (
            pytest.raises(ValidationError, match="your coach's to do"),
            demo_store.write() as conn,
        ):
            rep_side.mark_action(
                conn, rep["rep_id"], int(coach_owned.id), True, "", today
            )
    with (
        pytest.raises(ValidationError, match="^Action: this action is not on your"),
        demo_store.write() as conn,
    ):
        rep_side.mark_action(conn, rep["rep_id"], mate, True, "", today)
    assert _snapshot(demo_store) == before
    with demo_store.write() as conn:
        rep_side.mark_action(conn, rep["rep_id"], rep["action_id"], True, "", today)
        status = conn.execute(
            sa.select(a.c.status).where(a.c.id == rep["action_id"])
        ).scalar_one()
    assert status == "kept"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ((0, 3, 3), "Relevant: pick a whole number from 1 to 5"),
        ((3, 6, 3), "Developmental: pick a whole number from 1 to 5"),
        ((3, 3, None), "Motivational: pick a whole number from 1 to 5"),
        ((3, 3, "five"), "Motivational: pick a whole number from 1 to 5"),
        ((3.5, 3, 3), "Relevant: pick a whole number from 1 to 5"),
        ((True, 3, 3), "Relevant: pick a whole number from 1 to 5"),
    ],
)
def test_a_session_rating_out_of_range_names_the_question_and_writes_nothing(
    demo_store: Store, rep: dict[str, Any], scores: tuple[Any, ...], message: str
) -> None:
    before = _snapshot(demo_store)
    with pytest.raises(ValidationError) as refused, demo_store.write() as conn:
        rep_side.rate_session(conn, rep["rep_id"], rep["session_id"], *scores, "")
    assert str(refused.value) == message
    assert "\n" not in message
    assert _snapshot(demo_store) == before


def test_rating_a_session_is_kept_can_be_changed_and_leaves_the_coachs_ratings(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    se = s.sessions
    with demo_store.read() as conn:
        coach_part = conn.execute(
            sa.select(se.c.coach_relevant, se.c.went_well).where(
                se.c.id == rep["session_id"]
            )
        ).one()
    with demo_store.write() as conn:
        rep_side.rate_session(
            conn, rep["rep_id"], rep["session_id"], 2, 3, 4, "More role play"
        )
    with demo_store.write() as conn:
        rep_side.rate_session(conn, rep["rep_id"], rep["session_id"], "5", 5, 4, "")
    with demo_store.read() as conn:
        row = conn.execute(sa.select(se).where(se.c.id == rep["session_id"])).one()
        page = rep_side.my_page(conn, rep["rep_id"], today)
    assert (row.rep_relevant, row.rep_developmental, row.rep_motivational) == (5, 5, 4)
    assert row.rep_wish == ""
    assert row.rep_rated_at is not None
    assert (row.coach_relevant, row.went_well) == tuple(coach_part)
    shown = next(x for x in page.sessions if x.id == rep["session_id"])
    assert shown.rated
    assert shown.rep_relevant == 5
    with (
        pytest.raises(ValidationError, match="^What would help more: keep it"),
        demo_store.write() as conn,
    ):
        rep_side.rate_session(
            conn, rep["rep_id"], rep["session_id"], 3, 3, 3, "x" * 1001
        )


def test_a_draft_session_cannot_be_rated_yet(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    from coachkit.facilitate import sessions

    with demo_store.write() as conn:
        draft = sessions.start_draft(
            conn, coach_id=rep["coach_id"], rep_id=rep["rep_id"], today=today
        )
    draft_id = draft if isinstance(draft, int) else draft.id
    before = _snapshot(demo_store)
    with (
        pytest.raises(ValidationError, match="^Session: rate it once"),
        demo_store.write() as conn,
    ):
        rep_side.rate_session(conn, rep["rep_id"], draft_id, 3, 3, 3, "")
    assert _snapshot(demo_store) == before
    with demo_store.read() as conn:
        page = rep_side.my_page(conn, rep["rep_id"], today)
    assert draft_id not in {x.id for x in page.sessions}


def test_a_self_assessment_is_a_self_row_and_shows_on_the_page(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    with demo_store.read() as conn:
        behaviour_id, behaviour = conn.execute(
            sa.select(s.behaviours.c.id, s.behaviours.c.name).limit(1)
        ).one()
    before = _snapshot(demo_store)
    with pytest.raises(ValidationError) as refused, demo_store.write() as conn:
        rep_side.self_assess(conn, rep["rep_id"], behaviour_id, 7, 3, "", today)
    assert str(refused.value).startswith(f"{behaviour} — skill:")
    assert _snapshot(demo_store) == before
    with demo_store.write() as conn:
        rep_side.self_assess(conn, rep["rep_id"], behaviour_id, 2, 4, "I tried", today)
    with demo_store.write() as conn:  # again the same day: replaces
        rep_side.self_assess(conn, rep["rep_id"], behaviour_id, 3, 4, "Better", today)
    with demo_store.read() as conn:
        rows = conn.execute(
            sa.select(s.assessments).where(
                s.assessments.c.rep_id == rep["rep_id"],
                s.assessments.c.source == "self",
                s.assessments.c.assessed_on == today,
            )
        ).all()
        page = rep_side.my_page(conn, rep["rep_id"], today)
    assert [(r.skill, r.will, r.evidence) for r in rows] == [(3, 4, "Better")]
    mine = {x.behaviour_id: x for x in page.self_ratings}
    assert (mine[behaviour_id].skill, mine[behaviour_id].evidence) == (3, "Better")


def test_a_failure_later_in_the_same_save_keeps_nothing(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    before = _snapshot(demo_store)

    def both() -> None:
        with demo_store.write() as conn:
            rep_side.mark_action(conn, rep["rep_id"], rep["action_id"], True, "", today)
            rep_side.rate_session(conn, rep["rep_id"], rep["session_id"], 9, 3, 3, "")

    with pytest.raises(ValidationError, match="^Relevant"):
        both()
    assert _snapshot(demo_store) == before


# --- the page and the download -------------------------------------------------


def test_the_page_holds_the_plan_goals_actions_sessions_and_numbers(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    with demo_store.read() as conn:
        page = rep_side.my_page(conn, rep["rep_id"], today)
        coach = conn.execute(
            sa.select(s.coaches.c.name).where(s.coaches.c.id == rep["coach_id"])
        ).scalar_one()
    assert (page.rep, page.coach) == (rep["name"], coach)
    assert page.focus
    for f in page.focus:
        assert f.target_text
        assert (f.level_now is None) == (f.now_text == "")
    assert rep["action_id"] in {a.id for a in page.actions if a.can_mark}
    assert 0 < len(page.sessions) <= rep_side.page.SESSIONS_SHOWN
    days = [x.held_on for x in page.sessions]
    assert days == sorted(days, reverse=True)
    assert all(not x.rated for x in page.sessions)  # the rep has not answered yet
    assert page.numbers
    for n in page.numbers:
        assert n.now_text
        if n.low is not None:
            assert n.low <= (n.now or n.low) or n.range_text
            assert n.range_text.startswith("likely between")


def test_my_data_is_one_plain_csv_per_table_with_only_the_reps_rows(
    demo_store: Store, rep: dict[str, Any], today: dt.date
) -> None:
    with demo_store.write() as conn:
        rep_side.rate_session(conn, rep["rep_id"], rep["session_id"], 4, 4, 4, "Calls")
        rep_side.make_rep_link(conn, rep["coach_id"], rep["rep_id"])
    with demo_store.read() as conn:
        files = rep_side.my_data_csv(conn, rep["rep_id"])
        sessions = conn.execute(
            sa.select(sa.func.count())
            .select_from(s.sessions)
            .where(
                s.sessions.c.rep_id == rep["rep_id"],
                s.sessions.c.status == "done",
                s.sessions.c.conflict_of.is_(None),
            )
        ).scalar_one()
    assert sorted(files) == sorted(f"{t}.csv" for t in rep_side.VISIBLE)
    table = list(csv.DictReader(io.StringIO(files["sessions.csv"].decode())))
    assert len(table) == sessions
    assert "Calls" in {r["what would help more"] for r in table}
    reps = list(csv.DictReader(io.StringIO(files["reps.csv"].decode())))
    assert [r["name"] for r in reps] == [rep["name"]]
    links = files["rep_links.csv"].decode()
    assert links.splitlines()[0] == "created at,revoked at,last used at"
    assessments = list(csv.DictReader(io.StringIO(files["assessments.csv"].decode())))
    assert all(r["evidence"] == "" for r in assessments if r["source"] == "coach")
    for body in files.values():
        heading = body.decode().splitlines()[0]
        assert "_id" not in heading
        assert "token" not in heading


def test_visible_names_only_real_columns() -> None:
    for table, fields in rep_side.VISIBLE.items():
        assert fields <= set(s.metadata.tables[table].c.keys()), table
    assert "note" not in rep_side.VISIBLE["actions"]
    assert "note" not in rep_side.VISIBLE["goals"]
    assert "note" not in rep_side.VISIBLE["observations"]
    assert not {f for f in rep_side.VISIBLE["sessions"] if f.startswith("coach_")}


# --- the command line ----------------------------------------------------------


def test_reps_link_prints_a_working_link_and_revoke_stops_it(
    demo_db: Any, tmp_path: Any
) -> None:
    import shutil

    from coachkit.store.database import open_store

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    store = open_store(str(db))
    with store.read() as conn:
        name, coach = conn.execute(
            sa.select(s.reps.c.name, s.coaches.c.name)
            .join(s.coaches, s.coaches.c.id == s.reps.c.coach_id)
            .where(s.reps.c.active == sa.true())
            .limit(1)
        ).one()
    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            "reps",
            "link",
            name,
            "--coach",
            coach,
            "--base",
            "https://c.example/",
            "--db",
            str(db),
        ],
    )
    assert made.exit_code == 0, made.output
    url = made.output.strip().splitlines()[-1]
    assert url.startswith("https://c.example/voila/render/4_my_coaching.ipynb?me=")
    with store.write() as conn:
        assert rep_side.rep_for_link(conn, url.split("me=", 1)[1]) is not None
    stopped = runner.invoke(
        main, ["reps", "link", name, "--coach", coach, "--revoke", "--db", str(db)]
    )
    assert stopped.exit_code == 0, stopped.output
    assert stopped.output.strip() == f"{name}'s link no longer works."
    with store.write() as conn:
        assert rep_side.rep_for_link(conn, url.split("me=", 1)[1]) is None
    login = runner.invoke(
        main, ["reps", "login", name, "val", "--coach", coach, "--db", str(db)]
    )
    assert login.exit_code == 0, login.output
    with store.read() as conn:
        assert rep_side.rep_for_login(conn, "val") is not None
    unknown = runner.invoke(main, ["reps", "link", "Nobody Here", "--db", str(db)])
    assert unknown.exit_code != 0
    assert "Traceback" not in unknown.output
    store.dispose()


@pytest.mark.parametrize("how", ["link", "hub"])
def test_a_rep_opening_a_coachs_workbook_gets_a_plain_refusal(
    demo_store: Store,
    rep: dict[str, Any],
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    from coachkit.apps.base import build
    from coachkit.apps.prioritize import Prioritize

    with demo_store.write() as conn:
        secret = rep_side.make_rep_link(conn, rep["coach_id"], rep["rep_id"])
        rep_side.set_rep_login(conn, rep["coach_id"], rep["rep_id"], "val")
    if how == "link":
        monkeypatch.setenv("QUERY_STRING", f"me={secret}")
    else:
        monkeypatch.setenv("JUPYTERHUB_USER", "val")
    view = build(Prioritize, db=demo_store.location, today=today)
    assert "coachkit-error" in view._dom_classes
    assert "This page is for coaches" in view.value
    assert rep["name"] not in view.value
