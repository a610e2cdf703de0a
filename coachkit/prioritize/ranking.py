"""Who to coach on what first: a transparent score per rep and behaviour.

Every rep × behaviour with a gap to its target gets five factors, each from 0 to 1
and shown as its own column (``<key>_factor``):

``gap``
    gap / (target level - 1), so a rep at 1 on a target of 4 scores 1.
``objective``
    the objective's weight / the largest objective weight in the framework.
``spread``
    where the rep stands on results: coaching lifts the middle of a team most (up
    to 19% in CEB / Sales Executive Council research) and helps the top and bottom
    little. With the rep's ``place`` p on the fixed scale of
    :func:`coachkit.model.standing.place` (from their own quota attainment, so the
    same whoever looks: 70% of quota is 1/3, 100% is 2/3) the factor is
    ``1 - |2p - 1| ** 1.5``: 1 at 85% of quota, about 0.81 at 70% and 100%, 0 at
    40% or less and 130% or more. A rep with no quota numbers gets 0.6, the average
    of the curve.
``recency``
    days since the rep was last coached on this behaviour / 60, at most 1; never
    coached on it counts as 1.
``confidence``
    how sure the data is: the rating's freshness (1 up to 90 days old, falling in a
    straight line to 0.3 at a year and staying there) times 1 when the rep's action
    rate rests on enough conversations, else 0.6.

The score is ``100 × Σ wᵢ·fᵢ / Σ wᵢ`` with the weights in :class:`Weights`; each
factor's share of it is its own column (``<key>_points``), and the points add up to
the score. Behaviours not assessed yet have no gap to speak of: they are left out,
and :func:`rep_summary` says how many each rep still needs.

``why`` says in one short phrase what sets a row apart: the factor on which it
scores furthest above the typical row of the list (its median points), in the
row's own numbers ("Never coached on this", "Skill 1 against a target of 4").
What most rows share is said once, above the table, by :func:`common_reason`.

A rep far below the bar on results (see :mod:`coachkit.prioritize.performance`) is
flagged for
a performance conversation and gets no suggested focus: coaching is not the fix.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from coachkit.errors import ValidationError
from coachkit.model.formats import number

#: (key, label, explanation) of each factor, in the order the screens show them.
FACTORS: tuple[tuple[str, str, str], ...] = (
    (
        "gap",
        "Gap to target",
        "How far the rep's skill is below the target level for this behaviour.",
    ),
    (
        "objective",
        "Objective weight",
        "How much leadership weighs the business goal this behaviour serves.",
    ),
    (
        "spread",
        "Standing",
        "Coaching helps reps in the middle on results most (70% to 99% of quota).",
    ),
    (
        "recency",
        "Time since coached",
        "More days since the rep was coached on this scores higher (full at 60 days).",
    ),
    (
        "confidence",
        "Data confidence",
        "How sure the data is: a recent rating and enough conversations to trust.",
    ),
)
_KEYS = tuple(key for key, _, _ in FACTORS)
_LABELS = {key: label for key, label, _ in FACTORS}
_REASONS = {
    "gap": "the gap to target",
    "objective": "the objective's weight",
    "spread": "their standing on results",
    "recency": "time since last coached",
    "confidence": "solid data",
}

#: Days since last coached on a behaviour at which the recency factor is full.
RECENCY_FULL_DAYS = 60
#: A rating up to this many days old is fully trusted.
FRESH_DAYS = 90
#: At this age (and older) a rating is trusted only ``STALE_CONFIDENCE``.
STALE_DAYS = 365
STALE_CONFIDENCE = 0.3
#: Confidence multiplier when the rep's action rate rests on too few conversations.
THIN_DATA_CONFIDENCE = 0.6
#: Exponent of the spread curve ``1 - |2p - 1| ** SPREAD_POWER``.
SPREAD_POWER = 1.5
#: Spread factor for a rep with no quota numbers: the curve's average.
UNKNOWN_SPREAD = 1 - 1 / (SPREAD_POWER + 1)
#: Research-based limit on focus behaviours at a time.
MAX_FOCUS = 2
FLAG = "performance conversation"

_GAP_COLUMNS = (
    "rep_id",
    "rep",
    "behaviour_id",
    "behaviour",
    "objective_weight",
    "target_level",
    "skill",
    "assessed_on",
    "gap",
)
#: The input columns kept in :func:`rank`'s output, in this order, when present.
_SHOWN = (
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
    "self_skill",
    "assessed_on",
    "gap",
)
_PERFORMANCE_COLUMNS = ("rep_id", "place", "action_rate_enough", "far_below")
_COACHED_COLUMNS = ("rep_id", "behaviour_id", "last_coached_on")


@dataclass(frozen=True)
class Weights:
    """How much each factor counts in the score; each 0 or more, not all 0.

    Raises
    ------
    ValidationError
        A weight is negative or not a number (the field is the factor's key), or
        every weight is 0 (the field is ``weights``).
    """

    gap: float = 1.0
    objective: float = 1.0
    spread: float = 1.0
    recency: float = 1.0
    confidence: float = 1.0

    def __post_init__(self) -> None:
        for key in _KEYS:
            value = getattr(self, key)
            label = _LABELS[key].lower()
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError(
                    key, f"the weight for {label} must be a number, not {value!r}."
                )
            if not math.isfinite(value):
                raise ValidationError(
                    key, f"the weight for {label} must be a number, not {value}."
                )
            if value < 0:
                raise ValidationError(
                    key, f"the weight for {label} must be 0 or more, not {value:g}."
                )
        if sum(self.as_dict().values()) <= 0:
            raise ValidationError(
                "weights", "set at least one weight above 0, or nothing can be ranked."
            )

    @classmethod
    def from_dict(cls, values: Mapping[str, float]) -> Weights:
        """Build weights from ``{key: weight}``; missing keys keep their default.

        Raises
        ------
        ValidationError
            An unknown key, or a bad weight.
        """
        known = {f.name for f in fields(cls)}
        for key in values:
            if key not in known:
                raise ValidationError(
                    str(key), f"there is no such weight; use one of {', '.join(_KEYS)}."
                )
        return cls(**dict(values))

    def as_dict(self) -> dict[str, float]:
        """The weights as ``{key: weight}``, in :data:`FACTORS` order."""
        return {k: float(v) for k, v in asdict(self).items()}


def rank(
    gaps: pd.DataFrame,
    performance: pd.DataFrame,
    last_coached: pd.DataFrame,
    weights: Weights,
    today: dt.date,
    max_focus: int = MAX_FOCUS,
) -> pd.DataFrame:
    """Score and rank every rep × behaviour with a gap to its target.

    Parameters
    ----------
    gaps
        One row per rep × behaviour: rep_id, rep, behaviour_id, behaviour,
        objective_weight, target_level, skill (NaN when not assessed), assessed_on,
        gap (target_level - skill); behaviour_key, objective_key, objective, will
        and self_skill are passed through when present. The order the behaviours
        first appear in is the framework order used to break ties.
    performance
        :func:`coachkit.prioritize.performance.rep_performance`: rep_id, place,
        action_rate_enough, far_below (far_below_reason and standing when
        present).
    last_coached
        :func:`coachkit.prioritize.performance.last_coached`: rep_id, behaviour_id,
        last_coached_on.
    weights
        How much each factor counts.
    today
        The day to measure ages from.
    max_focus
        Focus behaviours to suggest per rep: 0, 1 or 2.

    Returns
    -------
    pandas.DataFrame
        One row per rep × behaviour with gap > 0, best first. Columns: rank (1 =
        coach this first); rep_id, rep, behaviour_id, behaviour_key, behaviour,
        objective_key, objective, objective_weight, target_level, skill, will,
        self_skill, assessed_on, gap (those present in ``gaps``); standing (top,
        middle, bottom or unknown), place, last_coached_on; gap_factor,
        objective_factor, spread_factor, recency_factor, confidence_factor (each
        0–1); gap_points, objective_points, spread_points, recency_points,
        confidence_points (they add up to the score); score (0–100); suggested
        (the rep's top ``max_focus`` behaviours, never for a flagged rep); flag
        ("performance conversation" or ""); flag_reason; why (one short phrase:
        what sets the row apart). Ties keep a stable order: score (high first),
        rep name, rep_id, behaviour order.

    Raises
    ------
    ValidationError
        ``max_focus`` is not 0, 1 or 2.
    ValueError
        An input frame misses a column, or ``gaps`` has a rep × behaviour twice.
    """
    if isinstance(max_focus, bool) or max_focus not in range(MAX_FOCUS + 1):
        raise ValidationError(
            "max_focus",
            f"choose 0, 1 or 2 focus behaviours, not {max_focus}; more than 2 at a "
            "time is too many to coach well.",
        )
    _require(gaps, _GAP_COLUMNS, "gaps")
    _require(performance, _PERFORMANCE_COLUMNS, "performance")
    _require(last_coached, _COACHED_COLUMNS, "last_coached")
    if gaps.duplicated(["rep_id", "behaviour_id"]).any():
        raise ValueError("gaps: each rep × behaviour must appear once")

    now = pd.Timestamp(today)
    base = gaps.assign(_order=pd.factorize(gaps["behaviour_id"])[0])
    top_weight = float(base["objective_weight"].max()) if len(base) else 0.0
    gap = pd.to_numeric(base["gap"]).astype(float)
    rows = base[base["skill"].notna() & (gap > 0)]
    keep = [c for c in _SHOWN if c in rows.columns]
    frame = rows[[*keep, "_order"]].copy()

    perf = performance[list(_PERFORMANCE_COLUMNS)].copy()
    perf["flag_reason"] = performance.get("far_below_reason", "")
    perf["standing"] = performance.get("standing", "unknown")
    frame = frame.merge(perf, on="rep_id", how="left")
    coached = last_coached[list(_COACHED_COLUMNS)]
    frame = frame.merge(coached, on=["rep_id", "behaviour_id"], how="left")

    factors = _factors(frame, top_weight, now)
    w = weights.as_dict()
    total = sum(w.values())
    for key in _KEYS:
        frame[f"{key}_factor"] = factors[key]
    for key in _KEYS:
        frame[f"{key}_points"] = 100 * w[key] * factors[key] / total
    points = frame[[f"{key}_points" for key in _KEYS]].to_numpy(dtype=float)
    frame["score"] = np.clip(points.sum(axis=1), 0.0, 100.0)  # no 100.00000001

    far = frame["far_below"].fillna(False).astype(bool)
    frame["flag"] = np.where(far, FLAG, "")
    frame["flag_reason"] = frame["flag_reason"].where(far, "").fillna("")
    frame = frame.sort_values(
        ["score", "rep", "rep_id", "_order"],
        ascending=[False, True, True, True],
        kind="mergesort",
    ).reset_index(drop=True)
    within = frame.groupby("rep_id", sort=False).cumcount()
    frame["suggested"] = (within < max_focus) & (frame["flag"] == "")
    frame["standing"] = frame["standing"].fillna("unknown")
    points = frame[[f"{key}_points" for key in _KEYS]].to_numpy(float)
    frame["why"] = _why(frame, points, now)
    frame["rank"] = np.arange(1, len(frame) + 1)
    columns = [
        "rank",
        *keep,
        "standing",
        "place",
        "last_coached_on",
        *(f"{key}_factor" for key in _KEYS),
        *(f"{key}_points" for key in _KEYS),
        "score",
        "suggested",
        "flag",
        "flag_reason",
        "why",
    ]
    return frame[columns]


def rep_summary(
    ranked: pd.DataFrame,
    gaps: pd.DataFrame | None = None,
    performance: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per rep: their top score, suggested focus and any flag.

    Parameters
    ----------
    ranked
        The output of :func:`rank`.
    gaps
        The same ``gaps`` given to :func:`rank`, when at hand: reps with no gap left
        (or not assessed yet) then appear too, with a note.
    performance
        The same ``performance`` given to :func:`rank`, when at hand: flags reach
        reps who have no gap to rank.

    Returns
    -------
    pandas.DataFrame
        Columns rep_id, rep, top_score (NaN with nothing to rank), focus (the
        suggested behaviours, comma-separated, best first), flag, flag_reason,
        note; highest top score first, then by rep name.
    """
    picked = ranked[ranked["suggested"]]
    place = picked.groupby("rep_id", sort=False).cumcount()
    focus = pd.Series("", index=pd.Index(picked["rep_id"].unique(), name="rep_id"))
    for i in range(MAX_FOCUS):  # vectorised join: a per-rep join is 10x slower
        name = picked[place == i].set_index("rep_id")["behaviour"].astype(str)
        focus = focus + ((", " if i else "") + name).reindex(focus.index).fillna("")
    per_rep = ranked.groupby("rep_id", sort=False).agg(
        rep=("rep", "first"),
        top_score=("score", "max"),
        flag=("flag", "first"),
        flag_reason=("flag_reason", "first"),
    )
    reps = [per_rep[["rep"]]]
    if gaps is not None:
        reps.append(gaps.groupby("rep_id", sort=False).agg(rep=("rep", "first")))
    if performance is not None:
        reps.append(performance.set_index("rep_id")[["rep"]])
    every = pd.concat(reps)
    every = every[~every.index.duplicated()]
    out = every.join(per_rep.drop(columns="rep"))
    out["focus"] = focus.reindex(out.index).fillna("")
    if performance is not None:
        perf = performance.set_index("rep_id")
        far = perf["far_below"].reindex(out.index).fillna(False).astype(bool)
        out["flag"] = np.where(far, FLAG, "")
        reason = perf.get("far_below_reason", pd.Series("", index=perf.index))
        out["flag_reason"] = reason.reindex(out.index).where(far, "")
    out["flag"] = out["flag"].fillna("")
    out["flag_reason"] = out["flag_reason"].fillna("")
    out["note"] = _notes(out, gaps)
    out = out.reset_index().rename(columns={"index": "rep_id"})
    out = out.sort_values(
        ["top_score", "rep", "rep_id"],
        ascending=[False, True, True],
        na_position="last",
        kind="mergesort",
    )
    columns = ["rep_id", "rep", "top_score", "focus", "flag", "flag_reason", "note"]
    return out[columns].reset_index(drop=True)


def _factors(
    frame: pd.DataFrame, top_weight: float, now: pd.Timestamp
) -> dict[str, np.ndarray]:
    target = frame["target_level"].astype(float).to_numpy()
    gap = frame["gap"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        gap_f = np.where(target > 1, gap / (target - 1), 0.0)
    weight = frame["objective_weight"].astype(float).to_numpy()
    objective_f = weight / top_weight if top_weight > 0 else np.zeros(len(frame))

    p = frame["place"].astype(float).to_numpy()
    spread_f = np.where(
        np.isnan(p), UNKNOWN_SPREAD, 1 - np.abs(2 * p - 1) ** SPREAD_POWER
    )

    since = (now - pd.to_datetime(frame["last_coached_on"])).dt.days.to_numpy(float)
    recency_f = np.where(np.isnan(since), 1.0, since / RECENCY_FULL_DAYS)

    age = (now - pd.to_datetime(frame["assessed_on"])).dt.days.to_numpy(float)
    fade = (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)
    fresh = np.clip(1 - fade * (1 - STALE_CONFIDENCE), STALE_CONFIDENCE, 1.0)
    fresh = np.where(np.isnan(age), STALE_CONFIDENCE, fresh)
    enough = frame["action_rate_enough"].fillna(False).astype(bool).to_numpy()
    confidence_f = fresh * np.where(enough, 1.0, THIN_DATA_CONFIDENCE)

    raw = {
        "gap": gap_f,
        "objective": objective_f,
        "spread": spread_f,
        "recency": recency_f,
        "confidence": confidence_f,
    }
    return {k: np.clip(np.nan_to_num(v, nan=0.0), 0.0, 1.0) for k, v in raw.items()}


def common_reason(ranked: pd.DataFrame) -> str:
    """What most rows of a ranking share, said once above the table.

    Names the two factors that give the most points on average, for example
    "Most points come from the gap to target and time since last coached.".
    """
    if ranked.empty:
        return ""
    mean = [float(ranked[f"{key}_points"].mean()) for key in _KEYS]
    order = sorted(range(len(_KEYS)), key=lambda i: -mean[i])
    names = [_REASONS[_KEYS[i]] for i in order[:2] if mean[i] > 0]
    if not names:
        return "Nothing adds to the scores."
    return f"Most points come from {' and '.join(names)}."


#: The "why" phrase for a row that stands out on the standing factor.
_STANDING_PHRASES = {
    "top": "Top on results (100% of quota or more)",
    "middle": "Middle on results, where coaching helps most",
    "bottom": "Bottom on results (under 70% of quota)",
    "unknown": "No quota numbers yet",
}


def _why(frame: pd.DataFrame, points: np.ndarray, now: pd.Timestamp) -> np.ndarray:
    """One short phrase per row: the factor that sets it apart, in its own numbers.

    The factor is the one whose points are furthest above the list's median; a row
    typical on every factor gets its biggest contribution.
    """
    if len(points) == 0:
        return np.array([], dtype=object)
    rows = np.arange(len(points))
    lift = points - np.median(points, axis=0)
    pick = np.argmax(lift, axis=1)
    typical = lift[rows, pick] <= 0.5
    pick = np.where(typical, np.argmax(points, axis=1), pick)
    needed = ["skill", "target_level", "objective", "standing", "last_coached_on"]
    needed = [c for c in [*needed, "action_rate_enough"] if c in frame.columns]
    records = frame[needed].to_dict("records")
    phrases = [
        _phrase(_KEYS[k], row, now) for k, row in zip(pick, records, strict=True)
    ]
    nothing = points.sum(axis=1) <= 0
    return np.where(nothing, "Nothing adds to the score.", np.array(phrases, object))


def _phrase(key: str, row: dict[str, Any], now: pd.Timestamp) -> str:
    if key == "gap":
        return (
            f"Skill {number(row['skill'], 0)} against a target of "
            f"{number(row['target_level'], 0)}"
        )
    if key == "objective":
        objective = row.get("objective")
        if isinstance(objective, str) and objective:
            return f"Serves a weighty objective: {objective}"
        return "Serves a weighty objective"
    if key == "spread":
        return _STANDING_PHRASES.get(str(row.get("standing")), "No quota numbers yet")
    if key == "recency":
        last = row.get("last_coached_on")
        if last is None or pd.isna(last):
            return "Never coached on this"
        days = (now - pd.Timestamp(last)).days
        return f"Last coached on this {days} days ago"
    enough = bool(row.get("action_rate_enough"))
    return "Recent rating and enough conversations" if enough else "Recent rating"


def _notes(out: pd.DataFrame, gaps: pd.DataFrame | None) -> pd.Series:
    notes = pd.Series("", index=out.index, dtype=object)
    if gaps is None or gaps.empty:
        return notes
    grouped = gaps.assign(_missing=gaps["skill"].isna()).groupby("rep_id")
    missing = grouped["_missing"].sum().reindex(out.index).fillna(0).astype(int)
    count = grouped.size().reindex(out.index).fillna(0).astype(int)
    none_ranked = out["top_score"].isna()
    notes[none_ranked & (missing == 0) & (count > 0)] = (
        "At or above target on every behaviour."
    )
    some = (missing > 0) & (missing < count)
    notes[some] = (
        "Not assessed yet on "
        + missing[some].astype(str)
        + " of "
        + count[some].astype(str)
        + " behaviours."
    )
    notes[(missing > 0) & (missing == count)] = "Not assessed yet: assess first."
    return notes


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
