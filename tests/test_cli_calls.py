"""`coachkit import calls` and `coachkit calls purge` (coachkit.cli.calls)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from coachkit.cli.calls import parse_age
from coachkit.cli.main import main
from coachkit.model.framework import prepare_store
from coachkit.store import schema as s
from coachkit.store.database import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "calls"


def _vtt(*cues: tuple[str, str]) -> str:
    """A Zoom transcript: one cue every 10 seconds, "Name: text"."""
    parts = ["WEBVTT", ""]
    for i, (who, text) in enumerate(cues):
        parts += [
            str(i + 1),
            f"00:00:{i * 10:02d}.000 --> 00:00:{i * 10 + 8:02d}.000",
            f"{who}: {text}",
            "",
        ]
    return "\n".join(parts)


CALL = _vtt(
    ("Ana Diaz", "Hi Dana, what is the next step on your side?"),
    ("Dana Ruiz", "Send it to dana@acme.com and we will look."),
    ("Ana Diaz", "Great, by when can you decide?"),
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    store = prepare_store(str(path))
    with store.write() as conn:
        coach = conn.execute(
            s.coaches.insert().values(name="Cora Coach").returning(s.coaches.c.id)
        ).scalar_one()
        conn.execute(s.reps.insert().values(name="Ana Diaz", coach_id=coach))
    store.dispose()
    return path


def _run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--db", str(db)])


def _counts(db: Path) -> dict[str, int]:
    store = open_store(str(db))
    with store.read() as conn:
        counts = {
            t.name: int(
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            )
            for t in s.metadata.sorted_tables
        }
    store.dispose()
    return counts


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "calls"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_folder_imports_once_and_again_updates(db: Path, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path, **{"acme-2026-12-01.vtt": CALL, "globex-2026-12-03.vtt": CALL}
    )
    args = ("import", "calls", str(folder), "--rep", "Ana Diaz")
    first = _run(db, *args, "--speaker", "Dana Ruiz=buyer")
    assert first.exit_code == 0, first.output
    assert 'acme-2026-12-01.vtt: created "acme-2026-12-01" (2026-12-01)' in first.output
    assert "globex-2026-12-03.vtt: created" in first.output
    assert "Imported 2 calls from 2 files: 2 new, 0 updated" in first.output
    assert "taken out" in first.output
    before = _counts(db)
    again = _run(db, *args)  # Dana Ruiz is remembered now
    assert again.exit_code == 0, again.output
    assert "acme-2026-12-01.vtt: updated" in again.output
    assert "0 new, 2 updated" in again.output
    assert _counts(db) == before
    store = open_store(str(db))
    with store.read() as conn:
        texts = conn.execute(sa.select(s.call_turns.c.text)).scalars().all()
    store.dispose()
    assert not any("dana@acme.com" in t for t in texts)
    assert any("[e-mail]" in t for t in texts)


def test_an_unmapped_speaker_is_named_with_how_to_map_them(
    db: Path, tmp_path: Path
) -> None:
    file = tmp_path / "acme-2026-12-01.vtt"
    file.write_text(CALL)
    before = _counts(db)
    result = _run(db, "import", "calls", str(file), "--rep", "Ana Diaz")
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line
    assert "acme-2026-12-01.vtt" in line
    assert '"Dana Ruiz"' in line
    assert '--speaker "Dana Ruiz=buyer"' in line
    assert _counts(db) == before


def test_one_bad_file_in_a_folder_imports_nothing(db: Path, tmp_path: Path) -> None:
    bad = "WEBVTT\n\n1\n00:00:xx.000 --> 00:00:05.000\nAna Diaz: Hello\n"
    folder = _folder(tmp_path, **{"a-2026-12-01.vtt": CALL, "b-2026-12-02.vtt": bad})
    before = _counts(db)
    result = _run(
        db, "import", "calls", str(folder), "--rep", "Ana Diaz",
        "--speaker", "Dana Ruiz=buyer",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "b-2026-12-02.vtt" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _counts(db) == before


def test_a_call_without_a_day_asks_for_date(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "acme.vtt"
    file.write_text(CALL)
    args = ("import", "calls", str(file), "--rep", "Ana Diaz")
    refused = _run(db, *args, "--speaker", "Dana Ruiz=buyer")
    assert refused.exit_code == 1
    assert "acme.vtt" in refused.output
    assert "--date" in refused.output
    done = _run(db, *args, "--speaker", "Dana Ruiz=buyer", "--date", "2026-12-04")
    assert done.exit_code == 0, done.output
    assert '"acme" (2026-12-04)' in done.output


def test_keep_contacts_keeps_them(db: Path, tmp_path: Path) -> None:
    file = tmp_path / "acme-2026-12-01.vtt"
    file.write_text(CALL)
    result = _run(
        db, "import", "calls", str(file), "--rep", "Ana Diaz",
        "--speaker", "Dana Ruiz=buyer", "--keep-contacts",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "kept" in result.output
    store = open_store(str(db))
    with store.read() as conn:
        texts = conn.execute(sa.select(s.call_turns.c.text)).scalars().all()
    store.dispose()
    assert any("dana@acme.com" in t for t in texts)


def test_a_bad_speaker_option_and_an_unknown_rep_are_one_line(
    db: Path, tmp_path: Path
) -> None:
    file = tmp_path / "acme-2026-12-01.vtt"
    file.write_text(CALL)
    wrong = _run(
        db, "import", "calls", str(file), "--rep", "Ana Diaz", "--speaker", "Dana"
    )
    assert wrong.exit_code == 2
    assert 'write it as "Dana Ruiz=buyer"' in wrong.output
    nobody = _run(db, "import", "calls", str(file), "--rep", "Nobody Here")
    assert nobody.exit_code == 1
    assert "there is no rep called 'Nobody Here'" in nobody.output


def test_the_shipped_zoom_fixture_imports(db: Path) -> None:
    file = FIXTURES / "GMT20261130-150000_Recording.transcript.vtt"
    store = open_store(str(db))
    with store.write() as conn:
        conn.execute(s.reps.update().values(name="Dana Reyes"))
    store.dispose()
    result = _run(
        db, "import", "calls", str(file), "--rep", "Dana Reyes",
        "--speaker", "Sam Okafor=buyer",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output


def test_purge_deletes_old_calls_only(db: Path, tmp_path: Path) -> None:
    today = dt.date.today()
    old, new = today - dt.timedelta(days=200), today - dt.timedelta(days=3)
    folder = _folder(tmp_path, **{f"old-{old}.vtt": CALL, f"new-{new}.vtt": CALL})
    imported = _run(
        db, "import", "calls", str(folder), "--rep", "Ana Diaz",
        "--speaker", "Dana Ruiz=buyer",
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    turns = _counts(db)["call_turns"]
    result = _run(db, "calls", "purge", "--older-than", "180d")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 call held before" in result.output
    counts = _counts(db)
    assert counts["calls"] == 1
    assert counts["call_turns"] == turns // 2
    bad = _run(db, "calls", "purge", "--older-than", "6m")
    assert bad.exit_code == 2
    assert "write days or weeks, such as 180d or 26w" in bad.output


@pytest.mark.parametrize(
    ("text", "days"), [("180d", 180), ("26w", 182), ("1D", 1), (" 2w ", 14)]
)
def test_ages_are_days_or_weeks(text: str, days: int) -> None:
    assert parse_age(text) == dt.timedelta(days=days)


def test_import_calls_has_its_own_help() -> None:
    result = CliRunner().invoke(main, ["import", "calls", "--help"])
    assert result.exit_code == 0
    assert "--speaker" in result.output
    assert "--keep-contacts" in result.output


#: Each shipped fixture, one per format: its file and its calls.
FORMATS = {
    "zoom": ("GMT20261130-150000_Recording.transcript.vtt", 1),
    "teams": ("teams_fabrikam_pilot.vtt", 1),
    "otter srt": ("otter_forecast_call.srt", 1),
    "otter txt": ("otter_recap_2026-12-02.txt", 1),
    "gong": ("gong_transcripts.json", 2),
}
#: Every buyer-side speaker of the fixtures (Dana Reyes is the rep).
BUYERS = ("Sam Okafor", "Priya Shah", "Speaker 5550001112223334445")


@pytest.fixture
def dana(db: Path) -> Path:
    """The store, with its rep named as the fixtures' rep is."""
    store = open_store(str(db))
    with store.write() as conn:
        conn.execute(s.reps.update().values(name="Dana Reyes"))
    store.dispose()
    return db


def _import(db: Path, file: Path, *more: str) -> Result:
    args = ["import", "calls", str(file), "--rep", "Dana Reyes", "--date", "2026-12-01"]
    for buyer in BUYERS:
        args += ["--speaker", f"{buyer}=buyer"]
    return _run(db, *args, *more)


@pytest.mark.parametrize("kind", list(FORMATS))
def test_each_format_imports_from_its_fixture(dana: Path, kind: str) -> None:
    name, calls = FORMATS[kind]
    result = _import(dana, FIXTURES / name)
    assert result.exit_code == 0, result.output
    assert f"{calls} new" in result.output
    counts = _counts(dana)
    assert counts["calls"] == calls
    assert counts["call_turns"] > 3 * calls
    again = _import(dana, FIXTURES / name)  # the same file again: updated
    assert again.exit_code == 0, again.output
    assert _counts(dana)["calls"] == calls


def _hostile(kind: str, how: str, tmp_path: Path) -> Path:
    """A broken copy of ``kind``'s fixture, broken as ``how`` says."""
    name, _ = FORMATS[kind]
    data = (FIXTURES / name).read_bytes()
    text = data.decode("utf-8")
    if how == "bad time":
        broken = {
            "zoom": ("00:00:04.000", "00:00:4x.000"),
            "teams": ("-->", "--> soon"),
            "otter srt": ("-->", "--> soon"),
            "otter txt": ("Dana Reyes  0:00", "Dana Reyes  0:00\n\nPriya Shah  9:99"),
            "gong": ('"start": ', '"start": "soon", "was": '),
        }[kind]
        data = text.replace(*broken, 1).encode("utf-8")
    elif how == "unknown speaker":
        data = text.replace("Dana Reyes", "Zed Stranger").encode("utf-8")
    elif how == "empty":
        data = b"   \n"
    elif how == "wrong encoding":
        data = (
            text.replace("Dana", "Dañá", 1)
            .encode("utf-8")
            .replace("ñá".encode(), "ñá".encode("latin-1"))
        )
    elif how == "50 MB":
        data = data + b" " * (50 * 2**20)
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "how", ["bad time", "unknown speaker", "empty", "wrong encoding", "50 MB"]
)
@pytest.mark.parametrize("kind", list(FORMATS))
def test_a_hostile_copy_of_each_format_is_refused_in_one_line(
    dana: Path, tmp_path: Path, kind: str, how: str
) -> None:
    before = _counts(dana)
    result = _import(dana, _hostile(kind, how, tmp_path))
    assert result.exit_code != 0, result.output
    said = [line for line in result.output.splitlines() if line.strip()]
    assert len(said) == 1, result.output
    assert FORMATS[kind][0] in said[0] or "Zed Stranger" in said[0], said[0]
    if how == "unknown speaker":
        assert "Zed Stranger" in said[0]
    assert _counts(dana) == before, "something was written"
