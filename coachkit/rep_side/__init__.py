"""The rep's side (#28): a rep's own page, their answers, their links and data.

Every function is wrapped in :func:`coachkit.store.access.rep_checks`: a rep sees
and writes only their own records; a coach may read their team's reps' pages (to
see what a rep sees); a lead anyone's. The two that find who opened the page
(:func:`rep_for_link`, :func:`rep_for_login`) refuse a rep outright
(:func:`coachkit.store.access.not_for_reps`). ``docs/rep_page.md`` says what a rep
sees.
"""

from __future__ import annotations

from coachkit.rep_side.answers import mark_action, rate_session, self_assess
from coachkit.rep_side.links import (
    LINK_PARAM,
    REP_PAGE,
    LinkState,
    make_rep_link,
    rep_for_link,
    rep_for_login,
    rep_link_state,
    rep_page_url,
    revoke_rep_link,
    set_rep_login,
)
from coachkit.rep_side.page import (
    FocusBehaviour,
    RepAction,
    RepGoal,
    RepNumber,
    RepPage,
    RepSession,
    SelfRating,
    my_page,
)
from coachkit.rep_side.visible import VISIBLE, my_data_csv

__all__ = [
    "LINK_PARAM",
    "REP_PAGE",
    "VISIBLE",
    "FocusBehaviour",
    "LinkState",
    "RepAction",
    "RepGoal",
    "RepNumber",
    "RepPage",
    "RepSession",
    "SelfRating",
    "make_rep_link",
    "mark_action",
    "my_data_csv",
    "my_page",
    "rate_session",
    "rep_for_link",
    "rep_for_login",
    "rep_link_state",
    "rep_page_url",
    "revoke_rep_link",
    "self_assess",
    "set_rep_login",
]
