"""The coaching framework in the store: objectives, behaviours, rubrics, metrics.

:func:`install_framework` copies a template (see :mod:`coachkit.model.templates`)
into the store; later edits live in the store and old assessments keep the rubric
version they were made against.

An enablement lead edits the framework with :func:`set_objective_weight`,
:func:`add_behaviour` and :func:`set_rubric_level`. Each takes a connection inside the
caller's transaction (``with store.write() as conn``), checks its input before writing
and raises :class:`~coachkit.errors.ValidationError` naming the field. Changing a
rubric level makes a new rubric version: the old texts stay, so an old assessment
still reads the words it was scored against (:func:`rubric` with its version).
:func:`framework_frame` is the framework view as one table. :func:`prepare_store`
opens a store and installs the framework when it has none.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from coachkit.errors import ValidationError
from coachkit.model.templates import Framework, load_framework
from coachkit.model.text import checked_text, name_key
from coachkit.model.tracker_phrases import write_phrases
from coachkit.store import access
from coachkit.store import schema as s
from coachkit.store.database import Store, open_store

LEVELS = (1, 2, 3, 4, 5)
#: The framework view's columns with the current rubric's texts, level 1 to 5.
LEVEL_COLUMNS = tuple(f"level_{level}" for level in LEVELS)
#: Longest texts the framework editor accepts (characters).
NAME_MAX = 200
DESCRIPTION_MAX = 1000
RUBRIC_TEXT_MAX = 500
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")


@access.lead_only
def install_framework(conn: Connection, framework: Framework) -> None:
    """Write ``framework`` into an empty store (objectives, behaviours, metrics,
    trackers).

    Metrics and objectives already present (same key) are left as they are, so this
    is safe to call on every start.
    """
    have_metrics = set(conn.execute(sa.select(s.metrics.c.key)).scalars())
    new_metrics = [
        {
            "key": m.key,
            "name": m.name,
            "unit": m.unit,
            "kind": m.kind,
            "higher_is_better": m.higher_is_better,
            "numerator": m.numerator,
            "denominator": m.denominator,
            "description": m.description,
        }
        for m in framework.metrics
        if m.key not in have_metrics
    ]
    if new_metrics:
        conn.execute(s.metrics.insert(), new_metrics)
    metric_ids = dict(conn.execute(sa.select(s.metrics.c.key, s.metrics.c.id)).all())
    have_objectives = set(conn.execute(sa.select(s.objectives.c.key)).scalars())
    for pos, objective in enumerate(framework.objectives):
        if objective.key in have_objectives:
            continue
        objective_id = conn.execute(
            s.objectives.insert()
            .values(
                key=objective.key,
                name=objective.name,
                description=objective.description,
                weight=objective.weight,
                position=pos,
            )
            .returning(s.objectives.c.id)
        ).scalar_one()
        for bpos, b in enumerate(objective.behaviours):
            behaviour_id = conn.execute(
                s.behaviours.insert()
                .values(
                    key=b.key,
                    objective_id=objective_id,
                    name=b.name,
                    description=b.description,
                    target_level=b.target_level,
                    rubric_version=1,
                    position=bpos,
                )
                .returning(s.behaviours.c.id)
            ).scalar_one()
            conn.execute(
                s.rubric_levels.insert(),
                [
                    {
                        "behaviour_id": behaviour_id,
                        "version": 1,
                        "level": i + 1,
                        "text": t,
                    }
                    for i, t in enumerate(b.rubric)
                ],
            )
            links = [
                {"behaviour_id": behaviour_id, "metric_id": metric_ids[key]}
                for key in b.metrics
            ]
            if links:
                conn.execute(s.behaviour_metrics.insert(), links)
            write_phrases(conn, behaviour_id, b.trackers)


def has_framework(conn: Connection) -> bool:
    """True when the store holds at least one objective."""
    count = conn.execute(sa.select(sa.func.count()).select_from(s.objectives))
    return count.scalar_one() > 0


def prepare_store(db: str | None, framework: Path | None = None) -> Store:
    """Open the store and make sure it holds a coaching framework."""
    chosen = load_framework(framework) if framework is not None else None
    store = open_store(db)
    with store.write() as conn:
        if not has_framework(conn):
            install_framework(conn, chosen or load_framework())
    return store


def behaviours_frame(conn: Connection) -> pd.DataFrame:
    """One row per behaviour with its objective, weight and target level."""
    b, o = s.behaviours, s.objectives
    query = (
        sa.select(
            b.c.id.label("behaviour_id"),
            b.c.key.label("behaviour_key"),
            b.c.name.label("behaviour"),
            b.c.target_level,
            b.c.rubric_version,
            o.c.key.label("objective_key"),
            o.c.name.label("objective"),
            o.c.weight.label("objective_weight"),
        )
        .join(o, b.c.objective_id == o.c.id)
        .order_by(o.c.position, b.c.position)
    )
    return pd.DataFrame(conn.execute(query).mappings().all())


def metrics_frame(conn: Connection) -> pd.DataFrame:
    """One row per metric definition."""
    query = sa.select(s.metrics).order_by(s.metrics.c.id)
    return pd.DataFrame(conn.execute(query).mappings().all())


@access.lead_only
def set_objective_weight(conn: Connection, objective_key: str, weight: float) -> None:
    """Set how much leadership weighs an objective: a number above 0, at most 1.

    The weights need not add up to 1 after an edit: the ranking uses each one's
    share of the total (see :func:`objective_weights`).

    Raises
    ------
    ValidationError
        An unknown objective, or a weight that is not a number above 0 and at most 1
        (the message names the objective). Nothing is changed.
    """
    o = s.objectives
    row = _objective(conn, objective_key)
    value = _number(weight)
    if value is None or not 0 < value <= 1:
        raise ValidationError(
            f"Weight of {row.name}",
            "use a number above 0 and no more than 1, such as 0.25",
        )
    conn.execute(o.update().where(o.c.id == row.id).values(weight=value, **_bumped(o)))


def objective_weights(conn: Connection) -> pd.DataFrame:
    """One row per objective, in framework order, with its share of all the weight.

    Columns: objective_id, objective_key, objective, description, weight, share
    (weight / total of all weights; the shares add up to 1), behaviours (how many).
    """
    o, b = s.objectives, s.behaviours
    count = (
        sa.select(sa.func.count()).where(b.c.objective_id == o.c.id).scalar_subquery()
    )
    query = sa.select(
        o.c.id, o.c.key, o.c.name, o.c.description, o.c.weight, count
    ).order_by(o.c.position, o.c.id)
    columns = "objective_id objective_key objective description weight behaviours"
    frame = pd.DataFrame(conn.execute(query).all(), columns=columns.split())
    frame["weight"] = frame["weight"].astype(float)
    total = frame["weight"].sum()
    frame.insert(5, "share", frame["weight"] / total if total > 0 else float("nan"))
    return frame


@access.lead_only
def add_behaviour(
    conn: Connection,
    objective_key: str,
    key: str,
    name: str,
    description: str,
    rubric: Sequence[str],
    target_level: int = 4,
    metrics: Sequence[str] = (),
) -> int:
    """Add a behaviour under an objective, with rubric version 1; return its id.

    Parameters
    ----------
    objective_key
        The objective the behaviour serves.
    key
        A new short id in snake_case, such as ``ask_for_next_step``.
    name, description
        What the behaviour is, in plain words. The description may be empty.
    rubric
        Five texts: what a rep at level 1, 2, 3, 4 and 5 does.
    target_level
        The level every rep should reach, 1 to 5.
    metrics
        Keys of the metrics that show the behaviour.

    Raises
    ------
    ValidationError
        An unknown objective or metric, a key that is not snake_case or is taken,
        an empty or taken name, not exactly five rubric texts or an empty one (the
        message names the level), or a target outside 1-5. Nothing is written.
    """
    b = s.behaviours
    objective_id = _objective(conn, objective_key).id
    clean_key = _key(conn, key)
    clean_name = checked_text("Name", name, NAME_MAX, "type the behaviour's name")
    taken = conn.execute(sa.select(b.c.name)).scalars()
    if any(name_key(n) == name_key(clean_name) for n in taken):
        raise ValidationError("Name", f"a behaviour called {clean_name} already exists")
    clean_description = checked_text("Description", description, DESCRIPTION_MAX)
    texts = _rubric_texts(rubric)
    target = as_level(target_level)
    if target is None:
        raise ValidationError("Target level", "pick a whole number from 1 to 5")
    metric_ids = _metric_ids(conn, metrics)
    position = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(b.c.position) + 1, 0)).where(
            b.c.objective_id == objective_id
        )
    ).scalar_one()
    behaviour_id: int = conn.execute(
        b.insert()
        .values(
            key=clean_key,
            objective_id=objective_id,
            name=clean_name,
            description=clean_description,
            target_level=target,
            rubric_version=1,
            position=position,
        )
        .returning(b.c.id)
    ).scalar_one()
    _write_rubric(conn, behaviour_id, 1, texts)
    if metric_ids:
        conn.execute(
            s.behaviour_metrics.insert(),
            [{"behaviour_id": behaviour_id, "metric_id": m} for m in metric_ids],
        )
    return behaviour_id


@access.lead_only
def set_rubric_level(
    conn: Connection, behaviour_key: str, level: int, text: str
) -> int:
    """Change what one level of a behaviour's rubric says; return the rubric version.

    Makes a new rubric version: a copy of the current five texts with ``level``
    changed, and the behaviour points to it. Older versions stay, so assessments
    made against them keep their words. When ``text`` is what the level already
    says, nothing changes and the current version is returned.

    Raises
    ------
    ValidationError
        An unknown behaviour, a level that is not a whole number from 1 to 5, or an
        empty or too long text. Nothing is changed.
    """
    row = _behaviour_by_key(conn, behaviour_key)
    which = as_level(level)
    if which is None:
        raise ValidationError("Level", "pick a whole number from 1 to 5")
    field = f"Rubric level {which}"
    clean = checked_text(
        field, text, RUBRIC_TEXT_MAX, f"describe what a {which} looks like"
    )
    texts = list(rubric(conn, row.id))
    if texts[which - 1] == clean:
        return int(row.rubric_version)
    texts[which - 1] = clean
    return _new_rubric_version(conn, row.id, texts)


@access.lead_only
def set_rubric(conn: Connection, behaviour_key: str, texts: Sequence[str]) -> int:
    """Change a behaviour's whole rubric at once; return the rubric version.

    Like :func:`set_rubric_level` for all five levels: when any text differs from
    the current rubric, a new version is written and the behaviour points to it;
    older versions stay. When every text is the same, nothing changes.

    Raises
    ------
    ValidationError
        An unknown behaviour, not exactly five texts, or an empty or too long one
        (the message names the level). Nothing is changed.
    """
    row = _behaviour_by_key(conn, behaviour_key)
    clean = _rubric_texts(texts)
    if list(rubric(conn, row.id)) == clean:
        return int(row.rubric_version)
    return _new_rubric_version(conn, row.id, clean)


def _behaviour_by_key(conn: Connection, key: str) -> Row:
    """The behaviour's id and rubric version; a ValidationError when there is none."""
    b = s.behaviours
    row = conn.execute(
        sa.select(b.c.id, b.c.rubric_version).where(b.c.key == key)
    ).first()
    if row is None:
        raise ValidationError("Behaviour", f"there is no behaviour '{key}'")
    return row


def _new_rubric_version(conn: Connection, behaviour_id: int, texts: list[str]) -> int:
    """Write ``texts`` as the behaviour's next rubric version and point to it."""
    b = s.behaviours
    newest = conn.execute(
        sa.select(sa.func.max(s.rubric_levels.c.version)).where(
            s.rubric_levels.c.behaviour_id == behaviour_id
        )
    ).scalar_one()
    version = int(newest or 0) + 1
    _write_rubric(conn, behaviour_id, version, texts)
    conn.execute(
        b.update()
        .where(b.c.id == behaviour_id)
        .values(rubric_version=version, **_bumped(b))
    )
    return version


def rubric(
    conn: Connection, behaviour_id: int, version: int | None = None
) -> tuple[str, ...]:
    """Return a behaviour's five level texts (level 1 first).

    Parameters
    ----------
    behaviour_id
        The behaviour.
    version
        The rubric version an assessment used; None means the current one.

    Raises
    ------
    ValidationError
        The behaviour or that version of its rubric does not exist.
    """
    r, b = s.rubric_levels, s.behaviours
    behaviour_id = int(behaviour_id)
    current = sa.select(b.c.rubric_version).where(b.c.id == behaviour_id)
    wanted = current.scalar_subquery() if version is None else int(version)
    texts = conn.execute(
        sa.select(r.c.text)
        .where(r.c.behaviour_id == behaviour_id, r.c.version == wanted)
        .order_by(r.c.level)
    ).scalars()
    found = tuple(texts)
    if len(found) != len(LEVELS) and version is None:
        raise ValidationError(
            "Behaviour", f"there is no behaviour with id {behaviour_id}"
        )
    if len(found) != len(LEVELS):
        raise ValidationError(
            "Rubric", f"behaviour {behaviour_id} has no rubric version {version}"
        )
    return found


def framework_frame(conn: Connection) -> pd.DataFrame:
    """The framework view: one row per behaviour, in framework order.

    Columns: objective_id, objective_key, objective, weight, share (the objective's
    share of all the weight), behaviour_id, behaviour_key, behaviour, description,
    target_level, rubric_version, level_1 ... level_5 (the current rubric's texts)
    and metrics (the names of the metrics that show it, joined by ", ").
    """
    o, b, r = s.objectives, s.behaviours, s.rubric_levels
    query = (
        sa.select(
            o.c.id,
            o.c.key,
            o.c.name,
            o.c.weight,
            b.c.id,
            b.c.key,
            b.c.name,
            b.c.description,
            b.c.target_level,
            b.c.rubric_version,
        )
        .join(o, b.c.objective_id == o.c.id)
        .order_by(o.c.position, o.c.id, b.c.position, b.c.id)
    )
    columns = (
        "objective_id objective_key objective weight behaviour_id behaviour_key "
        "behaviour description target_level rubric_version"
    )
    frame = pd.DataFrame(conn.execute(query).all(), columns=columns.split())
    weights = objective_weights(conn).set_index("objective_id")["share"]
    frame.insert(4, "share", frame["objective_id"].map(weights).astype(float))
    levels = conn.execute(
        sa.select(r.c.behaviour_id, r.c.level, r.c.text).join(
            b, (r.c.behaviour_id == b.c.id) & (r.c.version == b.c.rubric_version)
        )
    ).all()
    texts = {(bid, level): text for bid, level, text in levels}
    for level, column in zip(LEVELS, LEVEL_COLUMNS, strict=True):
        frame[column] = [texts.get((bid, level), "") for bid in frame["behaviour_id"]]
    m, bm = s.metrics, s.behaviour_metrics
    links = conn.execute(
        sa.select(bm.c.behaviour_id, m.c.name)
        .join(m, bm.c.metric_id == m.c.id)
        .order_by(m.c.id)
    ).all()
    names: dict[int, list[str]] = {}
    for bid, name in links:
        names.setdefault(bid, []).append(name)
    frame["metrics"] = [", ".join(names.get(bid, [])) for bid in frame["behaviour_id"]]
    return frame


def _objective(conn: Connection, key: str) -> sa.Row:
    o = s.objectives
    row = conn.execute(sa.select(o.c.id, o.c.name).where(o.c.key == key)).first()
    if row is None:
        raise ValidationError("Objective", f"there is no objective '{key}'")
    return row


def _bumped(table: sa.Table) -> dict[str, object]:
    """The values that mark a framework row as edited."""
    return {"row_version": table.c.row_version + 1, "updated_at": sa.func.now()}


def _number(value: object) -> float | None:
    """Return ``value`` as a finite float, or None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_level(value: object) -> int | None:
    """Return ``value`` as a whole number from 1 to 5, or None when it is not one.

    Accepts ints and whole floats (3.0), never bools or text: a rubric level, a
    target, or a skill or will score.
    """
    number = _number(value)
    if number is None or not number.is_integer() or int(number) not in LEVELS:
        return None
    return int(number)


def _key(conn: Connection, key: object) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key.strip()):
        raise ValidationError(
            "Key",
            "use up to 64 lower-case letters, digits and _, starting with a "
            "letter, such as ask_for_next_step",
        )
    clean = key.strip()
    b = s.behaviours
    if conn.execute(sa.select(b.c.id).where(b.c.key == clean)).first() is not None:
        raise ValidationError("Key", f"a behaviour with key {clean} already exists")
    return clean


def _rubric_texts(rubric: Sequence[str]) -> list[str]:
    if isinstance(rubric, str) or len(rubric) != len(LEVELS):
        count = 1 if isinstance(rubric, str) else len(rubric)
        raise ValidationError(
            "Rubric", f"write exactly 5 level texts, one per level (got {count})"
        )
    return [
        checked_text(
            f"Rubric level {level}",
            text,
            RUBRIC_TEXT_MAX,
            f"describe what a {level} looks like",
        )
        for level, text in zip(LEVELS, rubric, strict=True)
    ]


def _metric_ids(conn: Connection, keys: Sequence[str]) -> list[int]:
    known = dict(conn.execute(sa.select(s.metrics.c.key, s.metrics.c.id)).all())
    ids: list[int] = []
    for key in keys:
        if key not in known:
            raise ValidationError("Metrics", f"there is no metric '{key}'")
        if known[key] not in ids:
            ids.append(known[key])
    return ids


def _write_rubric(
    conn: Connection, behaviour_id: int, version: int, texts: Sequence[str]
) -> None:
    conn.execute(
        s.rubric_levels.insert(),
        [
            {"behaviour_id": behaviour_id, "version": version, "level": i, "text": t}
            for i, t in zip(LEVELS, texts, strict=True)
        ],
    )
