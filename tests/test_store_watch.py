"""A SQLite store whose file is removed or replaced while coachkit has it open.

SQLite goes on writing into a file removed from its folder, so every save landed
where nobody could reach it while the page said "Draft saved"; a new page then made
a new empty store; and a store whose main file was removed but whose -wal was left
would be opened as new, resetting the -wal that held the latest drafts (#23). Now a
file that is gone or replaced stops every save with a plain message, pages never
create a store, and a -wal or -shm without its store is never opened.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from coachkit.apps.base import build
from coachkit.apps.prioritize import Prioritize
from coachkit.errors import StoreError, StoreGone
from coachkit.model.users import add_user, list_users
from coachkit.store.database import Store, open_existing, open_store

GONE = "is gone or was replaced; nothing more can be saved. Ask whoever runs coachkit"


def _sides(path: Path) -> list[Path]:
    return [path.with_name(path.name + end) for end in ("-wal", "-shm")]


@pytest.fixture
def opened(demo_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "store.db"
    shutil.copy(demo_db, path)
    store = open_store(str(path))
    yield store
    store.dispose()


def _save(store: Store, name: str) -> None:
    with store.write() as conn:
        add_user(conn, name)


def test_a_store_file_removed_while_open_stops_every_save_in_words(
    opened: Store,
) -> None:
    path = Path(opened.location)
    _save(opened, "Saved Before")
    for file in [path, *_sides(path)]:
        file.unlink(missing_ok=True)
    with pytest.raises(StoreGone, match=f"The store file {path} {GONE}"):
        _save(opened, "Saved Into Nowhere")
    with pytest.raises(StoreGone), opened.read() as conn:
        conn.execute(sa.text("SELECT 1"))
    with pytest.raises(StoreGone):  # the pooled page's "anything saved?" check too
        opened.watch()
    # Nothing was made in its place.
    assert not [p for p in (path, *_sides(path)) if p.exists()]


def test_a_store_file_replaced_while_open_stops_every_save(
    opened: Store, tmp_path: Path
) -> None:
    path = Path(opened.location)
    _save(opened, "Saved Before")
    other = tmp_path / "restored.db"
    shutil.copy(path, other)
    other.replace(path)  # a backup moved over the store: another file
    with pytest.raises(StoreGone, match=GONE):
        _save(opened, "Saved Into The Old File")
    # The store that is there now opens and holds what was saved before.
    again = open_existing(str(path))
    try:
        with again.read() as conn:
            names = {user.name for user in list_users(conn)}
    finally:
        again.dispose()
    assert "Saved Before" in names
    assert "Saved Into The Old File" not in names


def test_a_wal_left_without_its_store_is_never_opened_or_reset(
    opened: Store,
) -> None:
    path = Path(opened.location)
    _save(opened, "Only In The Wal")  # the connection stays open: the -wal stays
    wal, shm = _sides(path)
    assert wal.exists()
    assert wal.stat().st_size > 0
    held = wal.read_bytes()
    path.unlink()
    for opener in (open_existing, open_store):
        with pytest.raises(StoreError) as refused:
            opener(str(path))
        message = str(refused.value)
        assert f"The store file {path} is missing, but {wal}" in message
        assert str(shm) in message
        assert "may hold the latest saves" in message
    assert not path.exists()
    assert wal.read_bytes() == held


def test_a_page_opened_after_the_store_was_removed_creates_nothing(
    demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    shutil.copy(demo_db, path)
    path.unlink()
    page = build(Prioritize, db=str(path))
    assert "there is no store at" in page.value
    assert list(tmp_path.iterdir()) == []
