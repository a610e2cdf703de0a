"""The coaching style that fits a seller, from their skill and will (Landsberg).

The skill/will matrix crosses how able a rep is on a behaviour (skill) with how keen
they are to work on it (will), both rated 1 to 5. A score of 4 or 5 counts as high:

=============  ===============  ================
\\              low will (1–3)   high will (4–5)
=============  ===============  ================
low skill      direct           guide
high skill     excite           delegate
=============  ===============  ================

The practice stage follows skill alone: at 1–2 the coach shows how (demonstrate), at
3 the rep tries with hints (prompt), at 4–5 the rep does it alone (release).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import pandas as pd

#: A skill or will score at or above this counts as high.
HIGH = 4

STYLES = ("direct", "guide", "excite", "delegate")
STAGES = ("demonstrate", "prompt", "release")

_WHY = {
    "direct": "still learning and not keen yet, so show them exactly what to do "
    "and check often.",
    "guide": "keen but still learning, so guide them step by step.",
    "excite": "able but not keen, so find what matters to them and spark their "
    "interest.",
    "delegate": "able and keen, so hand them the lead and check in now and then.",
}


@dataclass(frozen=True)
class StyleChoice:
    """The coaching style and practice stage for one rep on one behaviour.

    Build one with :func:`choose_style`.
    """

    style: str
    stage: str
    reason: str


def choose_style(skill: int, will: int) -> StyleChoice:
    """Pick the coaching style and practice stage from skill and will.

    Parameters
    ----------
    skill, will
        Whole numbers from 1 to 5 (4 or 5 counts as high).

    Returns
    -------
    StyleChoice
        ``style`` is direct, guide, excite or delegate; ``stage`` is demonstrate,
        prompt or release; ``reason`` says why in one sentence.

    Raises
    ------
    ValueError
        A score is missing, not a whole number, or outside 1 to 5.
    """
    sk = _score("skill", skill)
    wl = _score("will", will)
    if sk < HIGH:
        style = "guide" if wl >= HIGH else "direct"
    else:
        style = "delegate" if wl >= HIGH else "excite"
    stage = "demonstrate" if sk <= 2 else "prompt" if sk == 3 else "release"
    reason = f"Skill {sk} of 5 and will {wl} of 5: {_WHY[style]}"
    return StyleChoice(style, stage, reason)


def style_columns(
    frame: pd.DataFrame, skill_col: str = "skill", will_col: str = "will"
) -> pd.DataFrame:
    """Add ``style``, ``stage`` and ``style_reason`` to every row of ``frame``.

    Rows without both scores (not assessed yet) get empty strings.

    Raises
    ------
    ValueError
        A score is outside 1 to 5 or not a whole number.
    """
    out = frame.copy()
    rated = out[skill_col].notna() & out[will_col].notna()
    pairs = [
        (_score("skill", s), _score("will", w))
        for s, w in zip(
            out.loc[rated, skill_col], out.loc[rated, will_col], strict=True
        )
    ]
    choices = {10 * s + w: choose_style(s, w) for s, w in set(pairs)}
    codes = pd.Series([10 * s + w for s, w in pairs], index=out.index[rated])
    for col, attr in (
        ("style", "style"),
        ("stage", "stage"),
        ("style_reason", "reason"),
    ):
        out[col] = ""
        out.loc[rated, col] = codes.map(
            {code: getattr(c, attr) for code, c in choices.items()}
        )
    return out


def _score(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number from 1 to 5, not {value!r}")
    number = float(value)
    if math.isnan(number):
        raise ValueError(f"{name} is missing: rate it from 1 to 5 first")
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValueError(f"{name} must be a whole number from 1 to 5, not {value:g}")
    return int(number)
