"""The store's tables, declared once (SQLAlchemy Core).

Every row of a team's data carries ``coach_id``: the coach it belongs to. The framework
(objectives, behaviours, rubrics, metrics) belongs to the whole organisation.
Editable rows carry ``row_version`` so an edit can refuse to overwrite a newer one.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Bump when the tables change, and add a step to ``coachkit.store.migrations.STEPS``.
SCHEMA_VERSION = 5

#: The value of ``meta.app`` in every coachkit database.
APP_MARK = "coachkit"

metadata = sa.MetaData()

#: The largest id a row can have: SQLite's and PostgreSQL's 64-bit integers. A
#: bigger number is no row's id, and the database refuses to even look it up.
MAX_ID = 2**63 - 1


def largest_id(dialect: str) -> int:
    """The largest id a row can have in a database of this dialect: PostgreSQL
    keeps ``Integer`` ids in 32 bits and refuses to look up a bigger number."""
    return 2**31 - 1 if dialect == "postgresql" else MAX_ID


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def _coach() -> sa.Column:
    return sa.Column(
        "coach_id", sa.Integer, sa.ForeignKey("coaches.id"), nullable=False, index=True
    )


def _rep(index: bool = True) -> sa.Column:
    return sa.Column(
        "rep_id", sa.Integer, sa.ForeignKey("reps.id"), nullable=False, index=index
    )


def _behaviour(nullable: bool = False) -> sa.Column:
    return sa.Column(
        "behaviour_id", sa.Integer, sa.ForeignKey("behaviours.id"), nullable=nullable
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime, nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()
        ),
        sa.Column("row_version", sa.Integer, nullable=False, server_default="1"),
    ]


meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

coaches = sa.Table(
    "coaches",
    metadata,
    _id(),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("email", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False, server_default="coach"),
    # The user name a sign-in service knows them by (JupyterHub, a proxy's header).
    sa.Column("login", sa.String(120)),
    sa.CheckConstraint("role in ('coach', 'lead')", name="coach_role"),
    sa.Index("ix_coaches_login", "login", unique=True),
    *_stamps(),
)

reps = sa.Table(
    "reps",
    metadata,
    _id(),
    _coach(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column(
        "role", sa.String(80), nullable=False, server_default="Account Executive"
    ),
    sa.Column("segment", sa.String(80), nullable=False, server_default=""),
    sa.Column("start_date", sa.Date),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    # The user name a sign-in service knows the rep by (their own rep page).
    sa.Column("login", sa.String(120)),
    sa.UniqueConstraint("coach_id", "name", name="rep_name_per_coach"),
    sa.Index("ix_reps_login", "login", unique=True),
    *_stamps(),
)

objectives = sa.Table(
    "objectives",
    metadata,
    _id(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    *_stamps(),
)

behaviours = sa.Table(
    "behaviours",
    metadata,
    _id(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "objective_id", sa.Integer, sa.ForeignKey("objectives.id"), nullable=False
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("target_level", sa.Integer, nullable=False, server_default="4"),
    sa.Column("rubric_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    *_stamps(),
)

rubric_levels = sa.Table(
    "rubric_levels",
    metadata,
    _id(),
    _behaviour(),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.UniqueConstraint("behaviour_id", "version", "level", name="one_text_per_level"),
    sa.CheckConstraint("level between 1 and 5", name="rubric_level_range"),
)

metrics = sa.Table(
    "metrics",
    metadata,
    _id(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(40), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("higher_is_better", sa.Boolean, nullable=False),
    sa.Column("numerator", sa.String(64)),
    sa.Column("denominator", sa.String(64)),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint("kind in ('count', 'rate', 'percent')", name="metric_kind"),
)

behaviour_metrics = sa.Table(
    "behaviour_metrics",
    metadata,
    sa.Column(
        "behaviour_id", sa.Integer, sa.ForeignKey("behaviours.id"), primary_key=True
    ),
    sa.Column("metric_id", sa.Integer, sa.ForeignKey("metrics.id"), primary_key=True),
)

assessments = sa.Table(
    "assessments",
    metadata,
    _id(),
    _coach(),
    _rep(),
    _behaviour(),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("skill", sa.Integer, nullable=False),
    sa.Column("will", sa.Integer, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False, server_default=""),
    sa.Column("rubric_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("source in ('coach', 'self')", name="assessment_source"),
    sa.CheckConstraint("skill between 1 and 5", name="skill_range"),
    sa.CheckConstraint("will between 1 and 5", name="will_range"),
)

metric_values = sa.Table(
    "metric_values",
    metadata,
    _id(),
    _coach(),
    _rep(index=False),  # the unique (rep, metric, day) index covers rep lookups
    sa.Column("metric_id", sa.Integer, sa.ForeignKey("metrics.id"), nullable=False),
    sa.Column("observed_on", sa.Date, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.UniqueConstraint("rep_id", "metric_id", "observed_on", name="one_value_per_day"),
    # Covers the per-period sums the performance views run over every rep.
    sa.Index(
        "metric_values_by_metric_date", "metric_id", "observed_on", "rep_id", "value"
    ),
)

goals = sa.Table(
    "goals",
    metadata,
    _id(),
    _coach(),
    _rep(),
    _behaviour(),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id")),
    sa.Column("metric_id", sa.Integer, sa.ForeignKey("metrics.id")),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("baseline", sa.Float),
    sa.Column("target", sa.Float),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    # When the coach judged the goal (met, missed or dropped), what they wrote,
    # and the measure's value at that moment.
    sa.Column("closed_on", sa.Date),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("closed_value", sa.Float),
    sa.CheckConstraint(
        "status in ('open', 'met', 'missed', 'dropped')", name="goal_status"
    ),
    *_stamps(),
)

plans = sa.Table(
    "plans",
    metadata,
    _id(),
    _coach(),
    _rep(),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("cadence_days", sa.Integer, nullable=False, server_default="14"),
    sa.Column("minutes_per_session", sa.Integer),
    sa.Column("status", sa.String(10), nullable=False, server_default="active"),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint("status in ('active', 'closed')", name="plan_status"),
    *_stamps(),
)

plan_focus = sa.Table(
    "plan_focus",
    metadata,
    _id(),
    _coach(),
    sa.Column(
        "plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True
    ),
    _behaviour(),
    sa.Column("style", sa.String(10), nullable=False),
    sa.Column("stage", sa.String(12), nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "style in ('direct', 'guide', 'excite', 'delegate')", name="focus_style"
    ),
    sa.CheckConstraint(
        "stage in ('demonstrate', 'prompt', 'release')", name="focus_stage"
    ),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _id(),
    _coach(),
    _rep(),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id")),
    sa.Column("session_type", sa.String(20), nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("duration_minutes", sa.Integer, nullable=False, server_default="30"),
    sa.Column("status", sa.String(10), nullable=False, server_default="draft"),
    sa.Column("style", sa.String(10)),
    sa.Column("went_well", sa.Text, nullable=False, server_default=""),
    sa.Column("to_change", sa.Text, nullable=False, server_default=""),
    sa.Column("rep_view", sa.Text, nullable=False, server_default=""),
    sa.Column("next_session_on", sa.Date),
    sa.Column("coach_relevant", sa.Integer),
    sa.Column("coach_developmental", sa.Integer),
    sa.Column("coach_motivational", sa.Integer),
    sa.Column("rep_relevant", sa.Integer),
    sa.Column("rep_developmental", sa.Integer),
    sa.Column("rep_motivational", sa.Integer),
    # The rep's own words on what would help more, and when they answered.
    sa.Column("rep_wish", sa.Text, nullable=False, server_default=""),
    sa.Column("rep_rated_at", sa.DateTime),
    # A conflict copy: the edit that lost a save race, kept beside the original.
    sa.Column("conflict_of", sa.Integer, sa.ForeignKey("sessions.id")),
    sa.CheckConstraint("status in ('draft', 'done')", name="session_status"),
    sa.CheckConstraint(
        "session_type in ('call_review', 'ride_along', 'skill_practice', 'one_on_one')",
        name="session_type",
    ),
    sa.Index("sessions_by_rep_date", "rep_id", "held_on"),
    *_stamps(),
)

session_focus = sa.Table(
    "session_focus",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column(
        "behaviour_id", sa.Integer, sa.ForeignKey("behaviours.id"), primary_key=True
    ),
    _coach(),
)

observations = sa.Table(
    "observations",
    metadata,
    _id(),
    _coach(),
    _rep(),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id"), index=True),
    _behaviour(),
    sa.Column("observed_at", sa.DateTime, nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint("outcome in ('seen', 'partly', 'missed')", name="outcome"),
)

actions = sa.Table(
    "actions",
    metadata,
    _id(),
    _coach(),
    _rep(),
    sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id"), index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("owner", sa.String(10), nullable=False, server_default="rep"),
    sa.Column("due_on", sa.Date, nullable=False),
    # The day the action was marked kept, missed or dropped (None while open).
    sa.Column("done_on", sa.Date),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    # The rep's own words ("done", or why not) and when they marked it; the coach's
    # words stay in ``note``.
    sa.Column("rep_note", sa.Text, nullable=False, server_default=""),
    sa.Column("rep_marked_at", sa.DateTime),
    sa.CheckConstraint("owner in ('rep', 'coach')", name="action_owner"),
    sa.CheckConstraint(
        "status in ('open', 'kept', 'missed', 'dropped')", name="action_status"
    ),
    *_stamps(),
)

reflections = sa.Table(
    "reflections",
    metadata,
    _id(),
    _coach(),
    sa.Column("written_on", sa.Date, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    *_stamps(),
)

#: A coach's own settings that must survive a reload (ranking weights, and the like):
#: one JSON text per key.
coach_settings = sa.Table(
    "coach_settings",
    metadata,
    sa.Column("coach_id", sa.Integer, sa.ForeignKey("coaches.id"), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
)

#: Workshop seats: one participant coach each, claimed by a name through a secret link.
seats = sa.Table(
    "seats",
    metadata,
    _id(),
    sa.Column(
        "coach_id", sa.Integer, sa.ForeignKey("coaches.id"), nullable=False, unique=True
    ),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("claimed_by", sa.String(120)),
    sa.Column("claimed_at", sa.DateTime),
    *_stamps(),
)

#: Phrases that point to a behaviour in a call transcript ("next step", "by when"):
#: the whole organisation's, from the framework file's ``trackers:`` lists.
trackers = sa.Table(
    "trackers",
    metadata,
    sa.Column(
        "behaviour_id", sa.Integer, sa.ForeignKey("behaviours.id"), primary_key=True
    ),
    sa.Column("phrase", sa.String(80), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
)

#: The sides a speaker of a call can be on: the rep, the buyer, or someone else on
#: the seller's side (a coach listening in), who counts on neither side.
CALL_SIDES = ("rep", "buyer", "other")
_SIDE_CHECK = "side in ('rep', 'buyer', 'other')"

#: One recorded call of a rep, read from a transcript file, with its numbers.
calls = sa.Table(
    "calls",
    metadata,
    _id(),
    _coach(),
    _rep(index=False),  # the (rep, day) index covers rep lookups
    sa.Column("held_on", sa.Date, nullable=False),
    # What makes a re-import the same call: Gong's callId, else the file name.
    sa.Column("source_key", sa.String(200), nullable=False),
    sa.Column("format", sa.String(12), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("rep_talk_s", sa.Float, nullable=False),
    sa.Column("buyer_talk_s", sa.Float, nullable=False),
    sa.Column("talk_share", sa.Float),
    sa.Column("longest_monologue_s", sa.Float, nullable=False),
    sa.Column("longest_story_s", sa.Float, nullable=False),
    sa.Column("switches_per_min", sa.Float),
    sa.Column("rep_words_per_min", sa.Float),
    sa.Column("rep_questions", sa.Integer, nullable=False),
    sa.Column("patience_s", sa.Float),
    # True when e-mail addresses and phone numbers were taken out on import.
    sa.Column("redacted", sa.Boolean, nullable=False),
    sa.UniqueConstraint("coach_id", "rep_id", "source_key", name="one_call_per_file"),
    sa.Index("calls_by_rep_date", "rep_id", "held_on"),
    *_stamps(),
)

#: What was said on a call, one row per turn, in order.
call_turns = sa.Table(
    "call_turns",
    metadata,
    _id(),
    _coach(),
    sa.Column("call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(120), nullable=False),
    sa.Column("side", sa.String(6), nullable=False),
    sa.Column("start_s", sa.Float, nullable=False),
    sa.Column("end_s", sa.Float, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.UniqueConstraint("call_id", "seq", name="one_turn_per_place"),
    sa.CheckConstraint(_SIDE_CHECK, name="turn_side"),
)

#: The side a coach said each speaker name is on, remembered for the next import.
#: A name on the rep's side belongs to one rep (``rep_id``).
call_speakers = sa.Table(
    "call_speakers",
    metadata,
    sa.Column("coach_id", sa.Integer, sa.ForeignKey("coaches.id"), primary_key=True),
    sa.Column("name_key", sa.String(120), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),  # as the coach last typed it
    sa.Column("side", sa.String(6), nullable=False),
    sa.Column("rep_id", sa.Integer, sa.ForeignKey("reps.id")),
    sa.CheckConstraint(_SIDE_CHECK, name="speaker_side"),
)

#: A tracker phrase found in a call: evidence the coach confirms or dismisses.
call_hits = sa.Table(
    "call_hits",
    metadata,
    _id(),
    _coach(),
    _rep(index=False),  # the (rep, behaviour) index covers rep lookups
    sa.Column(
        "call_id", sa.Integer, sa.ForeignKey("calls.id"), nullable=False, index=True
    ),
    _behaviour(),
    sa.Column("phrase", sa.String(80), nullable=False),
    sa.Column("at_s", sa.Float, nullable=False),
    sa.Column("speaker", sa.String(120), nullable=False, server_default=""),
    sa.Column("snippet", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.Column("decided_at", sa.DateTime),
    sa.CheckConstraint(
        "status in ('open', 'confirmed', 'dismissed')", name="hit_status"
    ),
    sa.Index("call_hits_by_rep", "rep_id", "behaviour_id"),
)

#: A rep's secret link to their own page, which their coach sends them. Only the
#: SHA-256 of the secret is kept; a rep has at most one live (unrevoked) link.
rep_links = sa.Table(
    "rep_links",
    metadata,
    _id(),
    _coach(),
    _rep(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("last_used_at", sa.DateTime),
)

#: Tables holding one team's data, each with a ``coach_id`` column.
TEAM_TABLES = (
    reps,
    assessments,
    metric_values,
    goals,
    plans,
    plan_focus,
    sessions,
    session_focus,
    observations,
    actions,
    reflections,
    calls,
    call_turns,
    call_speakers,
    call_hits,
    rep_links,
)
