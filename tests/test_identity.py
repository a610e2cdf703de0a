"""Who is using a workbook: JupyterHub, a trusted proxy header, or the picker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coachkit.apps.base import build
from coachkit.apps.prioritize import Prioritize
from coachkit.cli.main import main
from coachkit.errors import ValidationError
from coachkit.model.team import add_rep
from coachkit.model.users import add_user, change_user, find_user, list_users
from coachkit.rep_side import set_rep_login
from coachkit.store import queries, schema
from coachkit.store.database import Store
from coachkit.web import identity
from coachkit.web.identity import NotSignedIn, visitor


@pytest.fixture
def logins(demo_store: Store) -> dict[str, Any]:
    """Give the first two coaches and the lead sign-in names."""
    with demo_store.write() as conn:
        coaches = queries.coaches(conn)
        rows = coaches[coaches["role"] == "coach"].iloc[:2]
        lead = coaches[coaches["role"] == "lead"].iloc[0]
        for login, row in zip(("ann", "bo"), rows.itertuples(), strict=True):
            change_user(conn, row.coach, login=login)
        change_user(conn, lead["coach"], login="lee")
    return {
        "ann": int(rows["coach_id"].iloc[0]),
        "bo": int(rows["coach_id"].iloc[1]),
        "lee": int(lead["coach_id"]),
    }


def test_jupyterhub_user_decides_who_it_is(
    demo_store: Store, logins: dict[str, int]
) -> None:
    with demo_store.read() as conn:
        ann = visitor(conn, {"JUPYTERHUB_USER": "ann"})
        lee = visitor(conn, {"JUPYTERHUB_USER": "lee"})
        with pytest.raises(NotSignedIn, match="coachkit users add .* --login zed"):
            visitor(conn, {"JUPYTERHUB_USER": "zed"})
    assert ann is not None
    assert ann.coach_id == logins["ann"]
    assert ann.source == "hub"
    assert lee is not None
    assert lee.sees_all


def test_a_trusted_header_decides_only_when_configured(
    demo_store: Store, logins: dict[str, int]
) -> None:
    header = {identity.HEADER_VAR: "X-Forwarded-User"}
    with demo_store.read() as conn:
        bo = visitor(conn, {**header, "HTTP_X_FORWARDED_USER": "bo"})
        with pytest.raises(NotSignedIn, match="sign in first"):
            visitor(conn, header)
        # Without --trusted-header, a header a visitor sends means nothing.
        nobody = visitor(conn, {"HTTP_X_FORWARDED_USER": "lee"})
    assert bo is not None
    assert bo.coach_id == logins["bo"]
    assert bo.source == "proxy"
    assert nobody is None


def test_a_non_ascii_sign_in_name_from_the_proxy_matches(demo_store: Store) -> None:
    # nginx sends "josé" in UTF-8; the header reaches the kernel read as Latin-1.
    with demo_store.write() as conn:
        add_user(conn, "José Test", login="josé")
    sent = "josé".encode().decode("latin-1")
    assert sent == "josÃ©"
    header = {identity.HEADER_VAR: "X-Forwarded-User"}
    with demo_store.read() as conn:
        jose = visitor(conn, {**header, "HTTP_X_FORWARDED_USER": sent})
        with pytest.raises(NotSignedIn, match="signed in as zoë,"):
            visitor(
                conn,
                {**header, "HTTP_X_FORWARDED_USER": "zoë".encode().decode("latin-1")},
            )
    assert jose is not None
    assert jose.name == "José Test"


@pytest.mark.parametrize(
    ("value", "meant"),
    [
        ("josÃ©", "josé"),  # UTF-8 read as Latin-1: decoded again
        ("josé", "josé"),  # a lone Latin-1 byte is not UTF-8: kept
        ("ann", "ann"),
        ("日本", "日本"),  # already text beyond Latin-1: kept
    ],
)
def test_header_text_reads_utf8_sent_as_latin1(value: str, meant: str) -> None:
    assert identity.header_text(value) == meant


@pytest.fixture
def open_as(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, int], Prioritize]:
    """Open Prioritize as JupyterHub user ``login``; the address asks for ``coach``."""

    def open_prioritize(login: str, coach: int) -> Prioritize:
        monkeypatch.setenv("JUPYTERHUB_USER", login)
        monkeypatch.setenv("QUERY_STRING", f"coach={coach}")
        return Prioritize(db=demo_store.location, today=today)

    return open_prioritize


def test_a_signed_in_coach_sees_only_their_team(
    demo_store: Store,
    logins: dict[str, int],
    open_as: Callable[[str, int], Prioritize],
) -> None:
    # Asking for Bo's team in the address changes nothing.
    app = open_as("ann", logins["bo"])
    assert app.state.coach_id == logins["ann"]
    assert set(app.state.roster["coach_id"]) == {logins["ann"]}
    picker = app.shell.coach_picker
    assert picker.disabled
    assert [value for _, value in picker.options] == [logins["ann"]]
    with pytest.raises(Exception, match="Invalid selection"):
        picker.value = logins["bo"]
    # Bo's rep, sent as if from the browser, is refused by the store.
    with demo_store.read() as conn:
        bos_rep = int(queries.roster(conn, logins["bo"])["rep_id"].iloc[0])
    before = app.state.rep_id
    app._on_rep(type("Change", (), {"new": bos_rep})())
    assert app.state.level == "error"
    assert "not on your team" in app.state.message
    assert app.state.rep_id == before


def test_a_signed_in_lead_may_pick_any_coach(
    logins: dict[str, int], open_as: Callable[[str, int], Prioritize]
) -> None:
    app = open_as("lee", logins["bo"])
    assert app.state.coach_id == logins["bo"]
    assert set(app.state.roster["coach_id"]) == {logins["bo"]}
    assert not app.shell.coach_picker.disabled
    app.shell.coach_picker.value = logins["ann"]
    assert set(app.state.roster["coach_id"]) == {logins["ann"]}


def test_a_stranger_gets_a_plain_message(
    demo_store: Store,
    logins: dict[str, int],
    today: dt.date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "<b>mallory</b>")
    view = build(Prioritize, db=demo_store.location, today=today)
    assert "coachkit-error" in view._dom_classes
    assert "&lt;b&gt;mallory&lt;/b&gt;" in view.value
    assert "<b>mallory" not in view.value


# --- coachkit users ---------------------------------------------------------------


def test_users_add_list_and_change(store: Store) -> None:
    with store.write() as conn:
        add_user(conn, "Ann  Lee", login="ann")
        add_user(conn, "Lee Park", role="lead")
        with pytest.raises(Exception, match="Name: Ann Lee is already a user"):
            add_user(conn, "ann lee")
        with pytest.raises(
            Exception,
            match="Login: ann is already the sign-in name of Ann Lee, a coach",
        ):
            add_user(conn, "Other", login="ann")
        with pytest.raises(Exception, match="Role: use coach or lead"):
            add_user(conn, "Other", role="boss")
        # A rep is not a user (the table holds coaches and leads): refused in
        # words, where it used to end in a database error.
        with pytest.raises(ValidationError, match="Role: use coach or lead"):
            add_user(conn, "Rita Rep", role="rep")
        with pytest.raises(Exception, match="Login: use the sign-in name without"):
            add_user(conn, "Other", login="two words")
        change_user(conn, "ann", role="lead", login="ann.lee")
        people = {u.name: u for u in list_users(conn)}
    assert people["Ann Lee"].role == "lead"
    assert people["Ann Lee"].login == "ann.lee"
    assert people["Lee Park"].login is None


def test_users_commands(tmp_path: Any) -> None:
    db = str(tmp_path / "team.db")
    runner = CliRunner()
    added = runner.invoke(
        main, ["users", "add", "Ann Lee", "--login", "ann", "--db", db]
    )
    assert added.exit_code == 0, added.output
    assert "Added Ann Lee as a coach. They sign in as ann." in added.output
    lead = runner.invoke(main, ["users", "add", "Lee", "--role", "lead", "--db", db])
    assert "as an enablement lead" in lead.output
    changed = runner.invoke(
        main, ["users", "change", "ann", "--role", "lead", "--db", db]
    )
    assert "Ann Lee is an enablement lead and signs in as ann." in changed.output
    listed = runner.invoke(main, ["users", "list", "--db", db])
    assert "Ann Lee: enablement lead, signs in as ann" in listed.output
    assert "Lee: enablement lead, no sign-in name" in listed.output
    twice = runner.invoke(main, ["users", "add", "ann lee", "--db", db])
    assert twice.exit_code != 0
    assert "Ann Lee is already a user" in twice.output
    rep = runner.invoke(main, ["users", "add", "Rita", "--role", "rep", "--db", db])
    assert rep.exit_code == 2  # a usage error in one line, not a traceback
    assert "'rep' is not one of 'coach', 'lead'" in rep.output
    assert "Rita" not in runner.invoke(main, ["users", "list", "--db", db]).output


# --- one sign-in name, one person ----------------------------------------------


@pytest.fixture
def team(store: Store) -> dict[str, int]:
    """Ann Lee (a coach, signs in as ann), Lee Park (the lead, as lee), Bo Diaz (a
    coach without a sign-in name) and Val Mensah (a rep on Ann's team, as val)."""
    with store.write() as conn:
        ann = add_user(conn, "Ann Lee", login="ann")
        add_user(conn, "Lee Park", role="lead", login="lee")
        bo = add_user(conn, "Bo Diaz")
        val = add_rep(conn, ann.id, "Val Mensah")
        set_rep_login(conn, ann.id, val.id, "val")
    return {"ann": ann.id, "bo": bo.id, "val": val.id}


def _people(store: Store) -> list[Any]:
    """Every coach's and rep's row: what a refusal must leave as it was."""
    with store.read() as conn:
        return [
            conn.execute(sa.select(t).order_by(t.c.id)).all()
            for t in (schema.coaches, schema.reps)
        ]


VALS = "the sign-in name of Val Mensah, a rep on Ann Lee's team"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("add", "Cy Park", "val"), f"Login: val is already {VALS}"),
        (("add", "Cy Park", "VAL"), f"Login: VAL is the same as val, {VALS}; capitals"),
        (("change", "Bo Diaz", " Val "), f"Login: Val is the same as val, {VALS}"),
        (("change", "lee", "val"), f"Login: val is already {VALS}"),
        (
            ("change", "Bo Diaz", "Ann"),
            "Login: Ann is the same as ann, the sign-in name of Ann Lee, a coach;",
        ),
        (
            ("add", "Cy Park", "lee"),
            "Login: lee is already the sign-in name of Lee Park, an enablement lead",
        ),
    ],
    ids=["add", "add-capitals", "change", "lead-takes", "coachs", "leads"],
)
def test_a_coach_cannot_take_a_sign_in_name_a_rep_or_coach_has(
    store: Store, team: dict[str, int], change: tuple[str, str, str], message: str
) -> None:
    how, who, login = change
    setter = add_user if how == "add" else change_user
    before = _people(store)
    with pytest.raises(ValidationError) as refused, store.write() as conn:
        setter(conn, who, login=login)
    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)
    assert _people(store) == before


def test_a_coach_keeps_their_own_sign_in_name_in_other_capitals(
    store: Store, team: dict[str, int]
) -> None:
    with store.write() as conn:
        change_user(conn, "Ann Lee", login="Ann")
        assert find_user(conn, "Ann Lee").login == "Ann"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["users", "add", "Cy Park", "--login", "val"],
            f"coachkit: Login: val is already {VALS}",
        ),
        (
            ["users", "change", "Bo Diaz", "--login", "VAL"],
            f"coachkit: Login: VAL is the same as val, {VALS}; capitals do not count",
        ),
    ],
    ids=["add", "change"],
)
def test_users_commands_refuse_a_reps_sign_in_name_in_one_line(
    tmp_path: Any, args: list[str], line: str
) -> None:
    from coachkit.store.database import open_store

    db = str(tmp_path / "team.db")
    runner = CliRunner()
    for person in (["Ann Lee", "--login", "ann"], ["Bo Diaz"]):
        assert runner.invoke(main, ["users", "add", *person, "--db", db]).exit_code == 0
    store = open_store(db)
    try:
        with store.write() as conn:
            val = add_rep(conn, find_user(conn, "ann").id, "Val Mensah")
            set_rep_login(conn, val.coach_id, val.id, "val")
        before = _people(store)
        refused = runner.invoke(main, [*args, "--db", db])
        assert _people(store) == before
    finally:
        store.dispose()
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [line]


# --- a store that already gives one sign-in name to a coach and a rep -------------


def _clash(store: Store, rep_id: int, login: str) -> None:
    """Give the rep ``login`` as a store made before the rule could have."""
    with store.write() as conn:
        conn.execute(
            schema.reps.update().where(schema.reps.c.id == rep_id).values(login=login)
        )


TWO = (
    "You are signed in as ann, but two people in coachkit have that sign-in name: "
    "Ann Lee (a coach) and Val Mensah (a rep). coachkit cannot tell which of them "
    "you are, so it opens nothing. Ask your enablement lead to give one of them "
    "another sign-in name."
)


def test_a_sign_in_name_two_people_have_lets_neither_in(
    store: Store, team: dict[str, int]
) -> None:
    _clash(store, team["val"], "ann")
    header = {identity.HEADER_VAR: "X-Forwarded-User", "HTTP_X_FORWARDED_USER": "ann"}
    with store.read() as conn:
        for env in ({"JUPYTERHUB_USER": "ann"}, header):
            for reps in (False, True):  # a coach's workbook, the rep's own page
                with pytest.raises(NotSignedIn) as refused:
                    visitor(conn, env, reps=reps)
                assert str(refused.value) == TWO
        # Everyone else still gets in.
        lee = visitor(conn, {"JUPYTERHUB_USER": "lee"})
    assert lee is not None
    assert lee.sees_all


def test_both_pages_say_the_sign_in_name_is_two_peoples_as_text(
    demo_store: Store, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachkit.apps.my_coaching import build_my_coaching

    with demo_store.write() as conn:
        coach = queries.coaches(conn).query("role == 'coach'").iloc[0]
        change_user(conn, coach["coach"], login="ann")
        rep_id = int(queries.roster(conn, int(coach["coach_id"]))["rep_id"].iloc[0])
        conn.execute(
            schema.reps.update()
            .where(schema.reps.c.id == rep_id)
            .values(name="Val <b>Mensah</b>")
        )
    _clash(demo_store, rep_id, "ann")
    monkeypatch.setenv("JUPYTERHUB_USER", "ann")
    for page in (
        build(Prioritize, db=demo_store.location, today=today),
        build_my_coaching(db=demo_store.location, today=today),
    ):
        assert "coachkit-error" in page._dom_classes
        assert "two people in coachkit have that sign-in name" in page.value
        assert "Val &lt;b&gt;Mensah&lt;/b&gt; (a rep)" in page.value
        assert "<b>Mensah" not in page.value
        assert "Ask your enablement lead" in page.value
