"""A coach's saved settings: kept per coach, hidden from other coaches, resettable."""

from __future__ import annotations

import pytest

from coachkit.errors import ValidationError
from coachkit.model.settings import forget_setting, load_setting, save_setting
from coachkit.model.users import add_user
from coachkit.store.access import AccessDenied, Viewer
from coachkit.store.database import Store


def test_a_setting_survives_and_is_each_coachs_own(store: Store) -> None:
    with store.write() as conn:
        a = add_user(conn, "Ada Coach").id
        b = add_user(conn, "Ben Coach").id
        save_setting(conn, a, "weights", {"gap": 0.5, "impact": 0.5})
        save_setting(conn, a, "weights", {"gap": 0.7, "impact": 0.3})
    with store.read() as conn:
        assert load_setting(conn, a, "weights") == {"gap": 0.7, "impact": 0.3}
        assert load_setting(conn, b, "weights") is None
    as_b = store.as_viewer(Viewer(b, "Ben Coach", "coach"))
    with as_b.read() as conn, pytest.raises(AccessDenied):
        load_setting(conn, a, "weights")
    with store.write() as conn:
        forget_setting(conn, a, "weights")
    with store.read() as conn:
        assert load_setting(conn, a, "weights") is None


def test_a_setting_that_cannot_be_stored_is_refused(store: Store) -> None:
    with store.write() as conn:
        a = add_user(conn, "Ada Coach").id
        with pytest.raises(ValidationError, match="finite"):
            save_setting(conn, a, "weights", {"gap": float("nan")})
    with store.read() as conn:
        assert load_setting(conn, a, "weights") is None
